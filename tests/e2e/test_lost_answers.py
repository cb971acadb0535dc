"""A send that Telegram carried out but whose answer never reached the bot (the
connection dropped, or the bot was killed) is sent again: the first copy is then in
the chat, recorded nowhere, its buttons live. The bot finds it among the ids just
below the second copy (it can edit only its own messages) and deletes it, so the chat
shows one copy and everything in it is in the ledger, for a wipe to delete.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from storage.crypto import Sealer, load_key
from tests.e2e.fake_bot_api import FakeBotApi, Person
from tests.e2e.test_kill import start_bot
from tests.e2e.test_polling import _stop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

NOTICE = "not end-to-end encrypted"


def notices(api: FakeBotApi, person: Person) -> list[int]:
    """The notice messages in the person's chat now."""
    with api._cond:
        return sorted(
            mid for (chat, mid), m in api.messages.items()
            if chat == person.id and NOTICE in str(m.get("text", ""))
        )


def sent_notices(api: FakeBotApi, person: Person) -> int:
    with api._cond:
        return sum(
            1 for c in api.calls
            if c.method == "sendMessage" and c.params.get("chat_id") == person.id
            and NOTICE in str(c.params.get("text", ""))
        )


def unrecorded(api: FakeBotApi, data: Path, person: Person) -> list[int]:
    sealer = Sealer(load_key(data, None, None))
    owner = sealer.pseudonym("telegram", person.id)
    with sqlite3.connect(data / "sp-advisor.db") as db:
        recorded = {int(m) for (m,) in db.execute(
            "SELECT message_id FROM ledger WHERE owner = ?", [owner])}
    with api._cond:
        shown = [mid for (chat, mid) in api.messages if chat == person.id]
    return [mid for mid in shown if mid not in recorded]


@pytest.mark.parametrize("killed", [
    pytest.param(False, id="connection-dropped"),
    pytest.param(True, id="killed"),
])
def test_a_send_whose_answer_was_lost_leaves_one_copy(
    api: FakeBotApi, tmp_path: Path, killed: bool
) -> None:
    data, err = tmp_path / "data", tmp_path / "stderr.txt"
    bot = start_bot(api, data, err)
    person = api.person(880_001)
    try:
        # Telegram carries out the send; the connection drops before its answer.
        api.lose_answer("sendMessage")
        person.send("/start")
        api.wait_for("the notice sent", lambda: sent_notices(api, person) == 1, 15)
        if killed:
            # ...and the bot is killed before its retry (that comes after a backoff):
            # the next run knows only that the row may have been sent.
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=5)
            assert notices(api, person) == [3]  # /start is 2: one sequence for the chat
            bot = start_bot(api, data, err)
        api.wait_for("the notice sent again", lambda: sent_notices(api, person) == 2, 15)
        api.wait_for("one copy left", lambda: notices(api, person) == [4], 15)
        api.wait_for_call("deleteMessages", 0, lambda c: c.params.get("message_ids") == [3], 5)
        # The person's own message (2) was never probed: the ledger holds it.
        probed = [int(c.params["message_id"]) for c in api.calls_of("editMessageReplyMarkup")]
        assert 3 in probed and 2 not in probed
        person.press("I understand, continue")
        person.wait_for_text("Choose your language", 10)
        time.sleep(0.3)
    finally:
        _stop(bot)
    assert unrecorded(api, data, person) == []
