"""The linters are part of the test command, so CI and a developer run the same checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_the_three_rooms() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_content_check_passes() -> None:
    result = _run("bot", "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_diagrams_are_generated_from_the_flows() -> None:
    from bot.check import replace_diagrams

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert replace_diagrams(readme) == readme, (
        "README diagrams are stale: run python -m bot diagrams --write README.md"
    )
