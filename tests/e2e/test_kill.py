"""`kill -9` of `python -m bot run` mid-burst and mid-reply, against a fake Bot API on
127.0.0.1 that also simulates Telegram's flood control and drops connections.

After each kill the bot is started again on the same data folder. In the end:
no update is lost (every person got exactly the answers of their presses), no
transition is doubled (no "earlier message" answer), every processed update was
answered, every message left in the chat is in the ledger (a first copy of a message
whose answer the kill cut off, which Telegram delivered and the bot sent again, is
found and deleted), and `PRAGMA integrity_check` is ok. `bench/soak_kill.py` does
hundreds.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.crypto import Sealer, load_key
from tests.e2e.fake_bot_api import FakeBotApi, Person
from tests.e2e.test_polling import REPO, STARTUP_TIMEOUT, _env, _stop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

PEOPLE = 12
NOTICE = "not end-to-end encrypted"
LANGUAGES = "Choose your language"


def start_bot(api: FakeBotApi, data: Path, err: Path) -> subprocess.Popen[bytes]:
    env = _env(api, data)
    env["SP_ADVISOR_LOG_LEVEL"] = "INFO"
    since = len(api.calls_of("getUpdates"))
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=err.open("ab"),
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while len(api.calls_of("getUpdates")) <= since:
        assert bot.poll() is None, f"the bot exited: {err.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "the bot did not poll"
        time.sleep(0.02)
    return bot


def kill_when(api: FakeBotApi, bot: subprocess.Popen[bytes], sends: int) -> None:
    """SIGKILL once the bot has made `sends` more sends (mid-burst, mid-reply)."""
    start = len(api.calls_of("sendMessage"))
    deadline = time.monotonic() + 15
    while len(api.calls_of("sendMessage")) < start + sends and time.monotonic() < deadline:
        time.sleep(0.005)
    bot.send_signal(signal.SIGKILL)
    bot.wait(timeout=5)


def texts_to(api: FakeBotApi, chat: int) -> list[str]:
    return [
        str(c.params.get("text", ""))
        for c in api.calls
        if c.method in ("sendMessage", "editMessageText") and c.params.get("chat_id") == chat
    ]


def outbox_rows(data: Path) -> int:
    with sqlite3.connect(f"file:{data / 'sp-advisor.db'}?mode=ro", uri=True) as db:
        return int(db.execute("select count(*) from outbox").fetchone()[0])


def wait_all(api: FakeBotApi, what: str, done: object, timeout: float = 30.0) -> None:
    api.wait_for(what, done, timeout)  # type: ignore[arg-type]


def test_kill_minus_nine_mid_burst_loses_nothing(api: FakeBotApi, tmp_path: Path) -> None:
    rng = random.Random(7)
    data, err = tmp_path / "data", tmp_path / "stderr.txt"
    api.sends_per_second = 30  # Telegram's overall limit, simulated
    people = [api.person(900_000 + i, f"P{i}") for i in range(PEOPLE)]
    bot = start_bot(api, data, err)
    try:
        # A burst of /start from everyone; killed after a few replies went out.
        for person in people:
            person.send("/start")
        kill_when(api, bot, rng.randint(2, 6))
        api.drop("sendMessage", times=2)  # and the network drops some on the way back
        bot = start_bot(api, data, err)
        wait_all(api, "every notice", lambda: all(
            any(NOTICE in t for t in texts_to(api, p.id)) for p in people))
        # Everyone presses; killed again mid-burst, with a flood wait in the way.
        for person in people:
            person.press("I understand, continue")
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        kill_when(api, bot, rng.randint(2, 6))
        bot = start_bot(api, data, err)
        wait_all(api, "every language screen", lambda: all(
            any(LANGUAGES in t for t in texts_to(api, p.id)) for p in people))
        # Then the rest of the outbox: deleting first copies, paced one a second a chat.
        wait_all(api, "an empty outbox", lambda: outbox_rows(data) == 0)
    finally:
        _stop(bot)

    for person in people:
        said = texts_to(api, person.id)
        # Each press was handled once: no expired-button answer, no doubled screen
        # beyond the copy of a message whose answer a kill cut off.
        assert not any("belongs to an earlier message" in t for t in said), said
        # One copy, plus at most one more per kill: a kill can cut off the answer to
        # a send (then it is sent again), and the resend can itself be cut off by the
        # next kill, since the presses start once a first copy arrived.
        assert sum(NOTICE in t for t in said) <= 3
        assert any(LANGUAGES in t for t in said)

    with sqlite3.connect(data / "sp-advisor.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("select count(*) from inbox").fetchone()[0] == 0
        assert db.execute("select count(*) from outbox").fetchone()[0] == 0
        recorded = {(str(o), int(m)) for o, m in db.execute("select owner, message_id from ledger")}
    # Every message left in the chat is in the ledger (under its chat's pseudonym: the
    # ledger holds the person's message ids too, numbered in the same sequence), so a
    # wipe can delete it: a first copy whose answer a kill cut off was found and deleted.
    sealer = Sealer(load_key(data, None, None))
    with api._cond:
        shown = list(api.messages)
    missing = [
        (chat, mid) for chat, mid in shown
        if (sealer.pseudonym("telegram", chat), mid) not in recorded
    ]
    assert missing == []


def test_a_second_bot_on_the_same_data_folder_refuses_to_start(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data, err = tmp_path / "data", tmp_path / "stderr.txt"
    bot = start_bot(api, data, err)
    try:
        env = _env(api, data)
        env["SP_ADVISOR_LOG_LEVEL"] = "INFO"
        second = subprocess.run(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env,
            capture_output=True, timeout=30,
        )
        assert second.returncode != 0
        lines = second.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and "already running" in lines[0], lines
        assert bot.poll() is None  # the first one goes on
    finally:
        _stop(bot)


def test_a_burst_under_flood_control_answers_everyone_in_order(
    api: FakeBotApi, tmp_path: Path
) -> None:
    api.sends_per_second = 30  # Telegram's overall limit, simulated: 429 beyond it
    people = [api.person(700_000 + i, f"B{i}") for i in range(100)]
    bot = start_bot(api, tmp_path / "data", tmp_path / "stderr.txt")
    try:
        for person in people:  # 300 updates at once
            person.send("/start")
            person.send("/help")
            person.send("/verify")
        wait_all(api, "300 answers", lambda: all(
            len(texts_to(api, p.id)) >= 3 for p in people), timeout=60)
    finally:
        _stop(bot)
    for person in people:
        said = texts_to(api, person.id)
        assert NOTICE in said[0] and "/language" in said[1] and len(said) == 3, said


def to_languages(person: Person) -> None:
    """/start, past the safety notice, to the language screen."""
    person.send("/start")
    person.wait_for_text(NOTICE)
    person.press("I understand, continue")
    person.wait_for_text(LANGUAGES)


def test_a_keyboard_strip_cut_off_by_a_kill_runs_after_the_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data, err = tmp_path / "data", tmp_path / "stderr.txt"
    person = api.person(930_001, "K")
    bot = start_bot(api, data, err)
    try:
        to_languages(person)
        (screen,) = [m["message_id"] for m in person.keyboards()]
        # Typed text brings a new screen; taking the old keyboard off meets a flood
        # wait, and the bot is killed while the strip waits in the outbox.
        api.fail("editMessageReplyMarkup", 429, "Too Many Requests: retry after 2",
                 retry_after=2)
        person.send("hello")
        api.wait_for_call("editMessageReplyMarkup!429")
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=5)
        assert [m["message_id"] for m in person.keyboards()] == [screen]
        bot = start_bot(api, data, err)
        api.wait_for(
            "the old keyboard gone and the new one shown",
            lambda: [m["message_id"] for m in person.keyboards()] not in ([], [screen])
            and len(person.keyboards()) == 1,
            timeout=20,
        )
        time.sleep(0.5)  # let the sender record what Telegram answered
    finally:
        _stop(bot)
    assert any(c.method == "editMessageReplyMarkup" and c.params.get("message_id") == screen
               for c in api.calls)
    with sqlite3.connect(data / "sp-advisor.db") as db:
        assert db.execute("select op from outbox").fetchall() == []


def test_a_quick_exit_cut_off_by_a_kill_still_clears_the_chat(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data, err = tmp_path / "data", tmp_path / "stderr.txt"
    person = api.person(930_002, "Q")
    bot = start_bot(api, data, err)
    try:
        to_languages(person)
        person.press("English")
        person.wait_for_text("What would you like to do?")
        # The deletion meets a flood wait, and the bot is killed while it waits.
        api.fail("deleteMessages", 429, "Too Many Requests: retry after 2", retry_after=2)
        person.send("/exit")
        api.wait_for_call("deleteMessages!429")
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=5)
        assert not any("Closed." in t for t in texts_to(api, person.id))  # not claimed yet
        bot = start_bot(api, data, err)
        api.wait_for(
            "only 'Closed.' left in the chat",
            lambda: [str(m.get("text")) for (c, _), m in api.messages.items()
                     if c == person.id] == ["Closed."],
            timeout=20,
        )
        wait_all(api, "an empty outbox", lambda: outbox_rows(data) == 0)
    finally:
        _stop(bot)
