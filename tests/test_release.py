"""A release carries its translations: build the wheel, install it in a fresh venv,
and talk to it in French. Takes ~20 s (the venv's dependencies come from the
configured package index)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a build needs, as an sdist would carry it.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "babel.cfg")
PACKAGES = ("bot", "flows", "storage", "locales")


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SP_ADVISOR_", "TELEGRAM_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        SP_ADVISOR_DATA_DIR=str(tmp / "data"),
        SP_ADVISOR_SECRET_KEY="correct horse battery staple 42",
    )
    return env


def test_the_wheel_speaks_french_and_passes_its_check(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name,
            src / name,
            ignore=shutil.ignore_patterns(
                "__pycache__", "*.mo", "locales" if name == "flows" else "__none__"
            ),
        )
    env = _clean_env(tmp_path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(src),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("sp_advisor-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "flows/locales/fr/LC_MESSAGES/messages.po" in names
    assert "flows/locales/messages.pot" in names
    assert not [n for n in names if n.endswith(".mo")]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        check=True,
        env=env,
        capture_output=True,
    )
    script = venv / "bin" / "sp-advisor"
    work = tmp_path / "elsewhere"  # not the checkout: nothing may come from it
    work.mkdir()
    chat = subprocess.run(
        [str(script), "chat", "--jsonl"],
        input=json.dumps({"text": "/start", "lang": "fr"}) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=True,
        timeout=60,
    )
    answer = json.loads(chat.stdout.splitlines()[0])
    assert answer["error"] is None
    assert "Avant de commencer" in answer["replies"][0]["text"]
    check = subprocess.run(
        [str(script), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "6 languages" in check.stdout
