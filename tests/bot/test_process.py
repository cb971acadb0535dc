"""The process that holds people's words cannot write them to a core file."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl")


def test_chat_runs_with_core_dumps_off(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SP_ADVISOR_")}
    env.update(SP_ADVISOR_DATA_DIR=str(tmp_path / "data"),
               SP_ADVISOR_SECRET_KEY=secrets.token_urlsafe(32))
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--jsonl"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert chat.stdin is not None and chat.stdout is not None
    try:
        chat.stdin.write('{"text": "/start"}\n')
        chat.stdin.flush()
        assert '"error": null' in chat.stdout.readline()
        # Observed from outside while it runs, after a person has written.
        limits = Path(f"/proc/{chat.pid}/limits").read_text()
        line = next(x for x in limits.splitlines() if x.startswith("Max core file size"))
        assert line.split()[4:6] == ["0", "0"], line
    finally:
        chat.stdin.close()
        assert chat.wait(timeout=30) == 0


def test_the_process_is_not_dumpable() -> None:
    code = ("from bot.startup import is_dumpable, no_core_dumps\n"
            "before = is_dumpable(); no_core_dumps(); print(before, is_dumpable())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.split() == ["True", "False"]
