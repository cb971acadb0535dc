"""What someone holding the disk (without the key) learns per person, after real
conversations on Telegram: no reminder kind or language in clear, no time to the
second, and no way to tell someone with a draft from someone without."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from flows.i18n import SHIPPED
from storage.store import DB_FILE
from tests.bot.fake_telegram import Harness, TgUser
from tests.bot.test_faults import to_builder

# Every clear time column of a table with a person's rows (or an update's), and the
# step it is rounded to, in seconds.
PRECISION = {
    ("sessions", "updated_at"): 86_400,
    ("chats", "updated_at"): 86_400,
    ("reminders", "due_at"): 3_600,
    ("ledger", "sent_at"): 60,
    ("inbox", "received_at"): 3_600,
    ("outbox", "created_at"): 60,
    ("updates", "seen_at"): 60,
}
KINDS = ("database", "sg_deadline", "date")


async def start(harness: Harness, user_id: int, language: str) -> TgUser:
    user = harness.user(user_id)
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press(language)
    return user


def tables(db: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: [c[1] for c in db.execute(f"PRAGMA table_info({n})")] for n in names}


def profile(db: sqlite3.Connection, owner: str) -> dict[str, list[tuple[object, ...]]]:
    """Everything in clear about one person except their message ledger: per table
    with an owner, the size of each sealed value and every other column."""
    found: dict[str, list[tuple[object, ...]]] = {}
    for table, columns in tables(db).items():
        if "owner" not in columns or table in ("ledger", "outbox", "inbox"):
            continue
        shown = ", ".join(
            f"length({c})" if c in ("payload", "chat") else c
            for c in columns
            if c not in ("owner", "id")
        )
        found[table] = sorted(
            db.execute(f"SELECT {shown} FROM {table} WHERE owner = ?", [owner]).fetchall()
        )
    return found


async def test_the_disk_tells_no_kind_language_second_or_draft(harness: Harness) -> None:
    # One person writes a draft and sets a reminder, in English; the other only
    # looks at the menu, in French. Both on the same day.
    drafter = await start(harness, 5001, "English")
    await to_builder(drafter)
    await drafter.send("A human rights organisation based in L1.")
    await drafter.send("V1, a journalist.")
    looker = await start(harness, 5002, "Français")
    # Reminders of every kind, in two languages.
    when = datetime.now(UTC) + timedelta(days=3, minutes=17, seconds=5)
    for owner, kind, locale in [
        (drafter.pseudonym(), "sg_deadline", "en"),
        (looker.pseudonym(), "date", "fr"),
        (looker.pseudonym(), "database", "zh_Hans"),
    ]:
        await harness.runtime.store.add_reminder(owner, 1, when, kind, locale)
    await harness.runtime.store.checkpoint()

    path = harness.runtime.settings.data_dir / DB_FILE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        schema = tables(db)
        assert "drafts" not in schema
        assert not {"kind", "locale", "lang", "language"} & {
            c for columns in schema.values() for c in columns
        }
        # No clear value anywhere (but the anonymous weekly counters) is a
        # language or a reminder kind.
        words = {*KINDS, *SHIPPED, "zh_Hans"}
        for table in schema:
            if table in ("stats", "_sqlite_migrations"):
                continue
            for row in db.execute(f"SELECT * FROM {table}"):
                assert not words & {v for v in row if isinstance(v, str)}, table
        # Every clear time is rounded; none is to the second.
        for table, columns in schema.items():
            if table == "_sqlite_migrations":
                continue  # when the schema was made, not a person
            for column in columns:
                if column.endswith("_at"):
                    step = PRECISION[(table, column)]
                    for (value,) in db.execute(f"SELECT {column} FROM {table}"):
                        assert int(value) % step == 0 and value == int(value), (table, column)
        assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
        # A draft: nothing in clear differs between the two people but their
        # reminders (how many; the kind and language are sealed).
        one, two = profile(db, drafter.pseudonym()), profile(db, looker.pseudonym())
        assert one["sessions"] == two["sessions"]
        assert {k: v for k, v in one.items() if k != "reminders"} == {
            k: v for k, v in two.items() if k != "reminders"
        }
        assert len(one["reminders"]) == 1 and len(two["reminders"]) == 2
        assert len(set(one["reminders"] + two["reminders"])) == 1
    loaded = await harness.runtime.store.load_session(drafter.pseudonym())
    assert loaded is not None and loaded.draft
