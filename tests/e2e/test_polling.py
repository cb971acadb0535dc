"""`python -m bot run` long-polls a fake Bot API over real HTTP, end to end.

The bot runs as a subprocess with TELEGRAM_BASE_URL pointing at a fake server on
127.0.0.1; a person goes from /start to a recommendation by pressing buttons
and typing a country, then the bot is stopped with SIGINT and its output is
checked for the token and for what the person typed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.fake_bot_api import FakeBotApi

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-e2e-Vx9qLm27"
USER_ID = 580_314_977
FIRST_NAME = "Ottoline"
TYPED = "Iran"

STARTUP_TIMEOUT = 12.0  # interpreter, imports, key file, database, getMe
STEP_TIMEOUT = 4.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGINT")


def _env(api: FakeBotApi, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SP_ADVISOR_", "TELEGRAM_", "PTB_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=api.base_url,
        SP_ADVISOR_DATA_DIR=str(data_dir),  # no secret key: a key file is generated there
        SP_ADVISOR_LOG_LEVEL="DEBUG",  # the most talkative the logs can be
        PYTHONUNBUFFERED="1",
    )
    return env


def _stop(bot: subprocess.Popen[bytes]) -> int:
    if bot.poll() is None:
        bot.send_signal(signal.SIGINT)
        try:
            return bot.wait(timeout=10)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait(timeout=5)
            raise AssertionError("the bot did not stop within 10 s of SIGINT") from None
    return int(bot.returncode)


def test_from_start_to_a_recommendation_over_http(api: FakeBotApi, tmp_path: Path) -> None:
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=REPO,
            env=_env(api, tmp_path / "data"),
            stdout=out,
            stderr=err,
        )
        try:
            _converse(api, bot, err_path)
        finally:
            code = _stop(bot)
    stdout = out_path.read_text("utf-8", "replace")
    stderr = err_path.read_text("utf-8", "replace")
    assert code == 0, f"exit status {code}; stderr:\n{stderr[-3000:]}"
    output = stdout + stderr
    for secret in (TOKEN, TOKEN.split(":", 1)[1], TYPED, str(USER_ID), FIRST_NAME):
        assert secret not in output, f"{secret!r} appears in the bot's output"
    assert api.unauthorized == 0
    # The key file was generated in the data dir, as no key was given.
    assert any((tmp_path / "data").iterdir())


def _converse(api: FakeBotApi, bot: subprocess.Popen[bytes], err_path: Path) -> None:
    # Ready: it has asked for updates (after getMe, the runtime and setMyCommands).
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not api.calls_of("getUpdates"):
        if bot.poll() is not None:
            raise AssertionError(
                f"the bot exited with {bot.returncode} before polling:\n"
                + err_path.read_text("utf-8", "replace")[-3000:]
            )
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the bot did not poll within {STARTUP_TIMEOUT:.0f} s:\n"
                + err_path.read_text("utf-8", "replace")[-3000:]
            )
        time.sleep(0.05)
    assert api.calls_of("getMe")
    assert api.calls_of("setMyCommands")

    person = api.person(USER_ID, FIRST_NAME, language="en")
    person.send("/start")
    person.wait_for_text("not end-to-end encrypted", STEP_TIMEOUT)

    person.press("I understand, continue")
    person.button("Français", STEP_TIMEOUT)
    api.wait_for_call("answerCallbackQuery", since=person.since, timeout=STEP_TIMEOUT)

    person.press("English")
    person.button("Find the right UN expert", STEP_TIMEOUT)

    person.press("Find the right UN expert")
    finder, _ = person.button("Detention or arrest", STEP_TIMEOUT)

    person.press("Detention or arrest")
    edit = api.wait_for_call("editMessageText", since=person.since, timeout=STEP_TIMEOUT)
    assert edit.params["message_id"] == finder["message_id"]  # edited in place
    person.button("✓ Detention or arrest", STEP_TIMEOUT)

    person.press("Done")
    person.wait_for_text("country", STEP_TIMEOUT)

    person.send(TYPED)
    person.wait_for_text("Arbitrary Detention", STEP_TIMEOUT)

    for call in api.calls:
        if call.method in ("sendMessage", "sendDocument"):
            # Protected, except what carries an address to copy (the online form).
            copyable = "https://" in str(call.params.get("text", ""))
            assert call.params.get("protect_content") is not copyable, call.method
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                assert len(button["callback_data"].encode("utf-8")) <= 64


def test_wipe_over_http_deletes_the_chat_and_the_data(api: FakeBotApi, tmp_path: Path) -> None:
    data = tmp_path / "data"
    err_path = tmp_path / "stderr.txt"
    with err_path.open("wb") as err:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=_env(api, data),
            stdout=subprocess.DEVNULL, stderr=err,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not api.calls_of("getUpdates"):
                assert bot.poll() is None and time.monotonic() < deadline, "bot did not poll"
                time.sleep(0.05)
            person = api.person(USER_ID, FIRST_NAME, language="en")
            person.send("/start")
            person.press("I understand, continue")
            person.button("English", STEP_TIMEOUT)
            person.press("English")
            person.button("Safety", STEP_TIMEOUT)
            person.send("/wipe")
            person.button("Yes, delete everything", STEP_TIMEOUT)
            person.press("Yes, delete everything")
            person.wait_for_text("has been deleted", STEP_TIMEOUT)
            deleted = [c for c in api.calls if c.method == "deleteMessages"]
            assert deleted and deleted[-1].params["message_ids"]
        finally:
            code = _stop(bot)
    assert code == 0
    # The database holds no session any more (read after the bot stopped).
    import sqlite3

    with sqlite3.connect(data / "sp-advisor.db") as db:
        assert db.execute("select count(*) from sessions").fetchone()[0] == 0
        assert db.execute("select count(*) from ledger").fetchone()[0] == 0
