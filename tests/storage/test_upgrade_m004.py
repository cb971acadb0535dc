"""A store made by the schema before m004 opens with everything kept, and with its
clear per-person details sealed or rounded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.crypto import Sealer
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
            [i + 1, sealer.seal(chat, table="reminders", field="chat", owner="o1"),
             at, kind, locale],
        )
    db.close()


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
