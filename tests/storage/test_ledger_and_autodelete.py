from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.model import CountStat, Session
from storage.crypto import Sealer
from storage.store import _DUE_AUTODELETES_FROM_SQL, _DUE_AUTODELETES_SQL, AutoDelete, Store

from .conftest import column_blob, data_files, int_forms, read_only, write_sql

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
CHAT = 918273645501  # a private chat id is the Telegram user id


def _chat_rows(data_dir: Path) -> int:
    with read_only(data_dir) as conn:
        return int(conn.execute("SELECT count(*) FROM chats").fetchone()[0])


# -- ledger ----------------------------------------------------------------


async def test_ledger_record_list_forget(store: Store) -> None:
    assert await store.ledger("o1") == []
    await store.record_messages("o1", [12, 10], now=NOW)
    await store.record_messages("o1", [11], now=NOW + HOUR)
    await store.record_messages("o2", [10], now=NOW)
    # An id already recorded keeps its first time.
    await store.record_messages("o1", [10], now=NOW + 5 * HOUR)
    assert await store.ledger("o1") == [(10, NOW), (11, NOW + HOUR), (12, NOW)]
    assert all(sent.tzinfo == UTC for _, sent in await store.ledger("o1"))

    await store.forget_messages("o1", [10, 12, 999])
    assert await store.ledger("o1") == [(11, NOW + HOUR)]
    assert await store.ledger("o2") == [(10, NOW)]  # the same id of another chat stays
    await store.record_messages("o1", [], now=NOW)
    await store.forget_messages("o1", [])
    assert await store.ledger("o1") == [(11, NOW + HOUR)]


async def test_ledger_naive_now_is_utc(store: Store) -> None:
    await store.record_messages("o1", [1], now=datetime(2025, 3, 12, 10, 0))
    assert await store.ledger("o1") == [(1, NOW)]


async def test_incoming_recorded_with_the_update(store: Store) -> None:
    assert await store.commit_update(
        "o1", Session(state="a"), update_id=5, stats=[], now=NOW, incoming=[100]
    )
    assert await store.ledger("o1") == [(100, NOW)]
    # Redelivered: neither the session nor the ledger changes, nothing twice.
    assert not await store.commit_update(
        "o1", Session(state="b"), update_id=5, stats=[], now=NOW + HOUR, incoming=[100, 101]
    )
    assert await store.ledger("o1") == [(100, NOW)]
    loaded = await store.load_session("o1")
    assert loaded is not None and loaded.state == "a"
    # Also recorded when the session is deleted, or without an update id.
    assert await store.commit_update("o1", None, update_id=None, stats=[], now=NOW, incoming=[102])
    assert [m for m, _ in await store.ledger("o1")] == [100, 102]


async def test_incoming_rolls_back_with_the_update(store: Store) -> None:
    # One transaction: when the update fails late (here: counting its stats),
    # its ledger rows are not kept either.
    def fail_stats() -> None:
        store._database().execute("DROP TABLE stats")

    await store._call(fail_stats)
    with pytest.raises(sqlite3.OperationalError, match="stats"):
        await store.commit_update(
            "o1",
            Session(state="a"),
            update_id=7,
            stats=[CountStat(flow="f", step="s", event="e")],
            now=NOW,
            incoming=[1],
        )
    assert await store.ledger("o1") == []
    assert await store.load_session("o1") is None
    assert not await store.is_processed(7)


# -- auto-delete -------------------------------------------------------------


async def test_autodelete_on_off(store: Store, data_dir: Path) -> None:
    assert await store.autodelete_of("o1") is None
    await store.set_autodelete("o1", CHAT, 3600)
    assert await store.autodelete_of("o1") == 3600
    await store.set_autodelete("o1", CHAT, 600)
    assert await store.autodelete_of("o1") == 600
    assert _chat_rows(data_dir) == 1
    await store.set_autodelete("o1", CHAT, None)
    assert await store.autodelete_of("o1") is None
    # Off and no reminders: nothing needs the chat any more.
    assert _chat_rows(data_dir) == 0


async def test_autodelete_off_keeps_chat_for_reminders(store: Store, data_dir: Path) -> None:
    await store.set_autodelete("o1", CHAT, 3600)
    await store.add_reminder("o1", CHAT, NOW, "follow_up", "es")
    await store.set_autodelete("o1", CHAT, None)
    assert await store.autodelete_of("o1") is None
    assert _chat_rows(data_dir) == 1
    assert await store.due_autodeletes(NOW + 100 * HOUR) == []


@pytest.mark.parametrize("seconds", [0, -5, True])
async def test_autodelete_needs_positive_seconds(store: Store, seconds: int) -> None:
    with pytest.raises(ValueError):
        await store.set_autodelete("o1", CHAT, seconds)
    assert await store.autodelete_of("o1") is None


async def test_due_autodeletes(store: Store) -> None:
    await store.set_autodelete("a", 1001, 3600)
    await store.set_autodelete("b", 1002, 24 * 3600)
    await store.set_autodelete("c", 1003, 3600)
    await store.set_autodelete("c", 1003, None)  # turned off again
    for owner in ("a", "b", "c", "nobody"):
        await store.record_messages(owner, [1, 2], now=NOW - 2 * HOUR)
        await store.record_messages(owner, [3], now=NOW - HOUR)
        await store.record_messages(owner, [4], now=NOW - HOUR / 2)
    due = await store.due_autodeletes(NOW)
    # At least as old as the setting: message 3, exactly one hour old, is due.
    assert due == [AutoDelete(owner="a", chat_id=1001, message_ids=[1, 2, 3])]
    later = await store.due_autodeletes(NOW + 22 * HOUR)
    assert later == [
        AutoDelete(owner="a", chat_id=1001, message_ids=[1, 2, 3, 4]),
        AutoDelete(owner="b", chat_id=1002, message_ids=[1, 2]),
    ]
    # Once deleted, they are forgotten and no longer due.
    await store.forget_messages("a", [1, 2, 3])
    assert await store.due_autodeletes(NOW) == []
    # The repr never names the person or the chat.
    assert "1001" not in repr(later[0]) and "'a'" not in repr(later[0])


async def test_due_autodeletes_never_scans_the_ledger(store: Store) -> None:
    def plan() -> str:
        rows = store._database().execute("EXPLAIN QUERY PLAN " + _DUE_AUTODELETES_SQL, [0])
        return "\n".join(str(row[-1]) for row in rows)

    text = await store._call(plan)
    assert "SEARCH l USING PRIMARY KEY (owner=?)" in text, text
    assert "SCAN l" not in text, text


async def test_queue_autodeletes_goes_on_from_the_last_owner(store: Store) -> None:
    for owner, chat in (("a", 1001), ("b", 1002), ("c", 1003)):
        await store.set_autodelete(owner, chat, 3600)
        await store.record_messages(owner, [1, 2, 3], now=NOW - 2 * HOUR)
    first = await store.queue_autodeletes(NOW, limit=4)
    assert [(r.owner, r.call.get("ids")) for r in first] == [("a", [1, 2, 3]), ("b", [1])]
    # From "b" on: b's rest and c, never a again (and a's ids are pending anyway).
    rest = await store.queue_autodeletes(NOW, after="b")
    assert [(r.owner, r.call.get("ids")) for r in rest] == [("b", [2, 3]), ("c", [1, 2, 3])]
    assert await store.queue_autodeletes(NOW, after="c") == []

    def plan() -> str:
        rows = store._database().execute(
            "EXPLAIN QUERY PLAN " + _DUE_AUTODELETES_FROM_SQL, ["", 0]
        )
        return "\n".join(str(row[-1]) for row in rows)

    text = await store._call(plan)
    assert "SEARCH c USING PRIMARY KEY (owner>?)" in text, text
    assert "SCAN l" not in text, text


async def test_due_autodelete_with_unreadable_chat_is_skipped(
    store: Store, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await store.set_autodelete("victim", CHAT, 60)
    await store.set_autodelete("attacker", 1, 60)
    await store.checkpoint()
    stolen = column_blob(data_dir, "chats", "chat", "victim")
    write_sql(data_dir, "UPDATE chats SET chat = ? WHERE owner = 'attacker'", [stolen])
    for owner in ("victim", "attacker"):
        await store.record_messages(owner, [1], now=NOW - HOUR)
    assert await store.due_autodeletes(NOW) == [
        AutoDelete(owner="victim", chat_id=CHAT, message_ids=[1])
    ]
    assert "could not be opened" in caplog.text
    assert "attacker" not in caplog.text and "victim" not in caplog.text


async def test_chat_id_never_in_clear(
    store: Store, data_dir: Path, sealer: Sealer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = sealer.pseudonym("telegram", CHAT)
    await store.set_autodelete(owner, CHAT, 3600)
    await store.set_autodelete(owner, CHAT, 7200)
    await store.record_messages(owner, [5], now=NOW - 3 * HOUR)
    assert await store.due_autodeletes(NOW) == [
        AutoDelete(owner=owner, chat_id=CHAT, message_ids=[5])
    ]
    files = data_files(data_dir)
    assert len(files) == 3
    for name, content in files.items():
        for form in int_forms(CHAT):
            assert form not in content, name
    assert str(CHAT) not in caplog.text and owner not in caplog.text
    # Sealed to one fixed size, whatever the id.
    with read_only(data_dir) as conn:
        sizes = {r[0] for r in conn.execute("SELECT length(chat) FROM chats")}
    await store.set_autodelete("short", 7, 60)
    with read_only(data_dir) as conn:
        assert {r[0] for r in conn.execute("SELECT length(chat) FROM chats")} == sizes
