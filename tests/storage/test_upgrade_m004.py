"""A store made by the schema before m004 opens with everything kept, and with its
clear per-person details sealed or rounded."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from flows.model import Session
from storage.crypto import Sealer
from storage.rekey import rotate, sealer_for
from storage.store import DB_FILE, Reminder, Store, migrations

from .conftest import data_files, read_only

NOW = datetime(2025, 3, 12, 10, 0, 7, tzinfo=UTC)
CHAT = 918273645501


def _old_store(data_dir: Path, sealer: Sealer) -> None:
    data_dir.mkdir()
    db = Database(data_dir / DB_FILE)
    migrations.apply(db, stop_before="m004_seal_and_coarsen")
    at = int(NOW.timestamp())
    chat = str(CHAT).encode().ljust(32)
    for i, (kind, locale) in enumerate([("sg_deadline", "zh_Hans"), ("database", "ar")]):
        db.execute(
            "INSERT INTO reminders (id, owner, chat, due_at, kind, locale) "
            "VALUES (?, 'o1', ?, ?, ?, ?)",
            [
                i + 1,
                sealer.seal(chat, table="reminders", field="chat", owner="o1"),
                at,
                kind,
                locale,
            ],
        )
    # o1 with a draft begun 30 s after message 5 and changed at NOW; o2 without.
    for owner in ("o1", "o2"):
        # A session as the schema before m004 stored it (old flat slots included:
        # loading migrates them).
        body = json.dumps({"state": "submit.facts", "slots": {"who": owner}, "screen": 7})
        db.execute(
            "INSERT INTO sessions (owner, payload, updated_at) VALUES (?, ?, ?)",
            [owner, sealer.seal(body.encode(), table="sessions", field="payload", owner=owner), at],
        )
    draft = b'{"facts":"V1 was taken"}'.ljust(256)
    db.execute(
        "INSERT INTO drafts (owner, payload, updated_at, created_at) VALUES ('o1', ?, ?, ?)",
        [sealer.seal(draft, table="drafts", field="payload", owner="o1"), at, at - 3600 + 30],
    )
    for message_id, sent in [(5, at - 3600), (6, at - 3600 + 31), (7, at)]:
        db.execute(
            "INSERT INTO ledger (owner, message_id, sent_at) VALUES ('o1', ?, ?)",
            [message_id, sent],
        )
    db.execute(
        "INSERT INTO chats (owner, chat, autodelete_seconds, updated_at) VALUES ('o1', ?, ?, ?)",
        [sealer.seal(chat, table="chats", field="chat", owner="o1"), 3600, at],
    )
    db.execute(
        "INSERT INTO inbox (update_id, owner, payload, received_at) VALUES (9, 'o1', ?, ?)",
        [sealer.seal(b"{}", table="inbox", field="payload", owner="o1"), at],
    )
    db.execute(
        "INSERT INTO outbox (owner, grp, op, payload, not_before, attempts, use_alt, "
        "created_at) VALUES ('o1', 1, 'send', ?, 0, 0, 0, ?)",
        [sealer.seal(b'{"op":"send"}', table="outbox", field="payload", owner="o1"), at + 0.5],
    )
    db.close()


async def test_upgrade_moves_drafts_into_sessions_and_rounds_times(
    data_dir: Path, sealer: Sealer
) -> None:
    _old_store(data_dir, sealer)
    at = int(NOW.timestamp())
    store = await Store.open(data_dir, sealer)
    try:
        await store.checkpoint()
        with read_only(data_dir) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            times = {
                sql: conn.execute(sql).fetchall()
                for sql in (
                    "SELECT updated_at FROM sessions",
                    "SELECT updated_at FROM chats",
                    "SELECT sent_at FROM ledger ORDER BY message_id",
                    "SELECT received_at FROM inbox",
                    "SELECT created_at FROM outbox",
                )
            }
            sizes = {r[0] for r in conn.execute("SELECT length(payload) FROM sessions")}
        assert "drafts" not in tables
        midnight = int(datetime(2025, 3, 13, tzinfo=UTC).timestamp())
        assert times["SELECT updated_at FROM sessions"] == [(midnight,), (midnight,)]
        assert times["SELECT updated_at FROM chats"] == [(midnight,)]
        assert times["SELECT sent_at FROM ledger ORDER BY message_id"] == [
            (at - 7 - 3600 + 60,),
            (at - 7 - 3600 + 60,),
            (at - 7 + 60,),
        ]
        assert times["SELECT received_at FROM inbox"] == [(at - 7,)]
        assert times["SELECT created_at FROM outbox"] == [(float(at - 7),)]
        assert len(sizes) == 1  # with a draft or without
        one = await store.load_session("o1")
        two = await store.load_session("o2")
        assert one is not None and one.draft == {"facts": "V1 was taken"}
        assert two is not None and two.draft is None and two.state == "submit.facts"
        # "Delete this draft" still finds where the draft began: message 6.
        rows = await store.commit(
            "o1",
            Session(state="menu"),
            update_id=20,
            now=NOW,
            calls=[{"op": "delete", "chat": CHAT, "ledger": "draft"}],
        )
        assert rows is not None and [r.call.get("ids") for r in rows] == [[6, 7]]
    finally:
        await store.close()


async def test_upgrade_seals_reminders(data_dir: Path, sealer: Sealer) -> None:
    _old_store(data_dir, sealer)
    store = await Store.open(data_dir, sealer)
    try:
        assert await store.reminders_of("o1") == [
            Reminder(1, "o1", CHAT, NOW, "sg_deadline", "zh_Hans"),
            Reminder(2, "o1", CHAT, NOW, "database", "ar"),
        ]
        await store.checkpoint()
    finally:
        await store.close()
    with read_only(data_dir) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(reminders)")]
        due = {r[0] for r in conn.execute("SELECT due_at FROM reminders")}
    assert columns == ["id", "owner", "payload", "due_at"]
    assert due == {int(NOW.timestamp()) - 7 + 3600}
    for name, content in data_files(data_dir).items():
        for word in (b"sg_deadline", b"zh_Hans", b"database"):
            assert word not in content, (name, word)


async def test_rotating_an_old_store_upgrades_it_first(
    data_dir: Path, master_key: bytes, sealer: Sealer
) -> None:
    _old_store(data_dir, sealer)
    new_key = secrets.token_bytes(32)
    rotate(data_dir, master_key, new_key)
    async with await Store.open(data_dir, sealer_for(data_dir, new_key)) as store:
        one = await store.load_session("o1")
        assert one is not None and one.draft == {"facts": "V1 was taken"}
        assert [r.kind for r in await store.reminders_of("o1")] == ["sg_deadline", "database"]
