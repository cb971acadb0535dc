"""A mistake in flows/data/*.json is a line in `python -m bot check`, never a crash.

Loading is lenient: what does not validate is left out and reported, so importing
any module works whatever the data files hold.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.check import data_problems
from flows.datafiles import data_dir

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_data_files_have_no_problem() -> None:
    assert data_problems() == []


def _edit(path: Path, change: Callable[[Any], object]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_broken_data_files_are_listed_one_line_each(tmp_path: Path) -> None:
    broken = tmp_path / "data"
    shutil.copytree(data_dir(), broken)
    _edit(broken / "situations.json", lambda d: d["situations"][0].update(label="x" * 41))
    _edit(broken / "country_aliases.json", lambda d: d["aliases"]["en"].update(QQ=["Nowhere"]))
    _edit(broken / "cards.json", lambda d: d["cards"][0].update(text="In 2025, many."))
    _edit(broken / "cards.json", lambda d: d["cards"][1].update(topic="nowhere"))
    (broken / "facts_reprisal.json").write_text("{", encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        cwd=ROOT,
        env={**os.environ, "SP_ADVISOR_FLOWS_DATA_DIR": str(broken)},
        capture_output=True,
        text=True,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    lines = out.splitlines()
    wanted = [
        ("situations.json", "situations[0]", "at most 40 characters"),
        ("country_aliases.json", "unknown code QQ"),
        ("cards.json", "cards[0]", "digit"),
        ("cards.json", "unknown topic nowhere"),
        ("facts_reprisal.json", "cannot be read"),
    ]
    for parts in wanted:
        assert any(all(p in line for p in parts) for line in lines), (parts, out)
    assert lines[-1].endswith("problem(s) found.")
