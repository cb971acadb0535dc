from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.crypto import Sealer
from storage.store import Reminder, Store

from .conftest import CANARY, column_blob, data_files, int_forms, read_only, write_sql

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CHAT = 918273645501


async def test_add_list_cancel_due_delete(store: Store) -> None:
    late = await store.add_reminder("o1", CHAT, NOW + 7 * DAY, "follow_up", "es")
    soon = await store.add_reminder("o1", None, NOW + DAY, "deadline_2", "pt_BR")
    other = await store.add_reminder("o2", 42, NOW, "follow_up", "ar")
    assert len({late, soon, other}) == 3

    assert await store.reminders_of("o1") == [
        Reminder(soon, "o1", None, NOW + DAY, "deadline_2", "pt_BR"),
        Reminder(late, "o1", CHAT, NOW + 7 * DAY, "follow_up", "es"),
    ]
    assert all(r.due_at.tzinfo == UTC for r in await store.reminders_of("o1"))

    # Nobody cancels another person's reminder, even knowing its id.
    assert not await store.cancel_reminder("o1", other)
    assert [r.id for r in await store.reminders_of("o2")] == [other]
    assert await store.cancel_reminder("o1", late)
    assert not await store.cancel_reminder("o1", late)
    assert [r.id for r in await store.reminders_of("o1")] == [soon]

    assert await store.due_reminders(NOW - DAY) == []
    assert [r.id for r in await store.due_reminders(NOW)] == [other]
    due = await store.due_reminders(NOW + DAY)
    assert [(r.id, r.owner, r.chat_id) for r in due] == [(other, "o2", 42), (soon, "o1", None)]

    await store.delete_reminder(other)  # sent
    await store.delete_reminder(other)  # twice is harmless
    assert [r.id for r in await store.due_reminders(NOW + 30 * DAY)] == [soon]
    assert await store.reminders_of("o2") == []


@pytest.mark.parametrize(
    ("kind", "locale"),
    [
        ("Follow_up", "es"),
        ("follow up", "es"),
        ("", "es"),
        ("x" * 33, "es"),
        ("follow_up\n", "es"),
        (CANARY, "es"),
        ("follow_up", "e"),
        ("follow_up", "spanish"),
        ("follow_up", "ES"),
        ("follow_up", "es-ES"),
        ("follow_up", "es_"),
        ("follow_up", "es_" + "A" * 9),
        ("follow_up", "es\n"),
        ("follow_up", CANARY),
    ],
)
async def test_kind_and_locale_must_be_identifiers(store: Store, kind: str, locale: str) -> None:
    with pytest.raises(ValueError) as info:
        await store.add_reminder("o1", CHAT, NOW, kind, locale)
    # The refused value is never echoed: it may be free text.
    assert CANARY not in str(info.value)
    assert await store.reminders_of("o1") == []


@pytest.mark.parametrize("locale", ["es", "ast", "pt_BR", "zh_Hans", "sr_Latn"])
async def test_valid_locales(store: Store, locale: str) -> None:
    await store.add_reminder("o1", None, NOW, "a_1", locale)
    assert [r.locale for r in await store.reminders_of("o1")] == [locale]


async def test_moved_chat_does_not_open(
    store: Store, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await store.add_reminder("victim", CHAT, NOW, "follow_up", "es")
    mine = await store.add_reminder("attacker", 1, NOW, "follow_up", "es")
    await store.checkpoint()
    stolen = column_blob(data_dir, "reminders", "payload", "victim")
    write_sql(data_dir, "UPDATE reminders SET payload = ? WHERE owner = 'attacker'", [stolen])
    assert await store.reminders_of("attacker") == []
    due = await store.due_reminders(NOW)
    assert [(r.owner, r.chat_id) for r in due] == [("victim", CHAT)]
    assert "could not be opened" in caplog.text
    assert "attacker" not in caplog.text and "victim" not in caplog.text
    assert await store.cancel_reminder("attacker", mine)


async def test_chat_id_never_in_clear(
    store: Store, data_dir: Path, sealer: Sealer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = sealer.pseudonym("telegram", CHAT)
    await store.add_reminder(owner, CHAT, NOW, "follow_up", "es")
    await store.add_reminder(owner, None, NOW, "follow_up", "es")
    assert [r.chat_id for r in await store.due_reminders(NOW)] == [CHAT, None]
    for name, content in data_files(data_dir).items():
        for form in int_forms(CHAT):
            assert form not in content, name
    assert str(CHAT) not in caplog.text and owner not in caplog.text
    # The terminal marker seals to the same size as a real chat id.
    with read_only(data_dir) as conn:
        assert len({r[0] for r in conn.execute("SELECT length(payload) FROM reminders")}) == 1
    # Only the hour it is due is in clear; whom, which kind, which language are sealed.
    with read_only(data_dir) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(reminders)")]
    assert columns == ["id", "owner", "payload", "due_at"]
    # Nor does a reminder's repr name the person or the chat, if logged by mistake.
    text = repr((await store.reminders_of(owner))[0])
    assert owner not in text and str(CHAT) not in text


async def test_kind_and_locale_sealed_and_due_hour_rounded_up(
    store: Store, data_dir: Path
) -> None:
    due = NOW + timedelta(minutes=20, seconds=7)
    short = await store.add_reminder("o1", CHAT, NOW, "sg_deadline", "zh_Hans")
    long = await store.add_reminder("o2", 1, NOW, "x" * 32, "es")
    later = await store.add_reminder("o1", None, due, "database", "ar")
    await store.checkpoint()
    with read_only(data_dir) as conn:
        rows = dict(conn.execute("SELECT id, due_at FROM reminders").fetchall())
        sizes = {r[0] for r in conn.execute("SELECT length(payload) FROM reminders")}
    # The hour, never earlier than asked: the reminder does not fire before its time.
    assert rows[later] == int((NOW + timedelta(hours=1)).timestamp())
    assert rows[short] == int(NOW.timestamp())
    # Any kind and language seal to the same size.
    assert len(sizes) == 1 and long
    for name, content in data_files(data_dir).items():
        for word in (b"sg_deadline", b"zh_Hans", b"database", b"xxxxxxxx"):
            assert word not in content, (name, word)
    assert await store.due_reminders(due) == [
        Reminder(short, "o1", CHAT, NOW, "sg_deadline", "zh_Hans"),
        Reminder(long, "o2", 1, NOW, "x" * 32, "es"),
    ]
    fired = await store.due_reminders(NOW + timedelta(hours=1))
    assert fired[-1] == Reminder(later, "o1", None, due, "database", "ar")


async def test_queue_reminders_reads_only_one_batch(store: Store) -> None:
    for i in range(5):
        await store.add_reminder(f"o{i}", CHAT + i, NOW - DAY + i * timedelta(minutes=1),
                                 "database", "en")
    statements: list[str] = []
    store._database().conn.set_trace_callback(statements.append)
    try:
        first = await store.queue_reminders(NOW, lambda locale, kind, due: "line", limit=2)
    finally:
        store._database().conn.set_trace_callback(None)
    assert [r.owner for r in first] == ["o0", "o1"]
    assert any("LIMIT 2" in s for s in statements), statements  # not every due row, then cut
    assert [r.owner for r in await store.queue_reminders(NOW, lambda *a: "line", limit=2)] == [
        "o2", "o3"]
    assert [r.owner for r in await store.queue_reminders(NOW, lambda *a: "line")] == ["o4"]
