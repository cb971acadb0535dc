"""Everything the bot keeps on disk, in one SQLite file.

Two connections. The event loop's reads and writes every update, on the loop's own
thread: each call runs to its end before the loop moves on, so there is a total
order of reads and writes, and a session written for one update is always what the
next update of that person loads. The checkpoint thread's copies the write-ahead
log into the database and lets the log start over, the two steps whose cost grows
with the log, so that no update waits for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import re
import secrets
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from flows.model import AddReminder, CancelReminder, CountStat, Session, SetAutoDelete
from storage import outbox
from storage._fs import ensure_private_dir, ensure_private_file
from storage.batching import BatchSize
from storage.crypto import Sealer, SealError

__all__ = [
    "DB_FILE",
    "OWNED_TABLES",
    "AutoDelete",
    "PurgeCounts",
    "Reminder",
    "Store",
    "StoreClosedError",
    "apply_migrations",
    "migrations",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DB_FILE = "sp-advisor.db"
BUSY_TIMEOUT_MS = 5_000

# Every (table, owner column) holding rows of one person. `delete_user` wipes
# exactly these, so a new per-person table is only wiped if it is listed here.
OWNED_TABLES: tuple[tuple[str, str], ...] = (
    ("sessions", "owner"),
    ("ledger", "owner"),
    ("chats", "owner"),
    ("reminders", "owner"),
    ("ledger_old", "owner"),
)

# Stats must stay anonymous by construction: flows count fixed identifiers, and
# anything that looks like free text is refused rather than stored in clear.
_STAT_NAME_RE = re.compile(r"[A-Za-z0-9_.:/-]{0,64}")

# A reminder's kind and locale are sealed with its chat, but they are still
# only ever fixed identifiers: nothing a person typed can reach them.
_KIND_RE = re.compile(r"[a-z0-9_]{1,32}")
# A language, optionally with one script or region subtag (at most 8 letters,
# as in BCP 47): "es", "ast", "pt_BR", "zh_Hans".
_LOCALE_RE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z]{1,8})?")

# Sealed payloads are padded to a multiple of this, so the size of a stored row
# does not tell how much someone typed. JSON ignores trailing whitespace.
_PAD_TO = 256

# A session is sealed with its draft, padded to a multiple of this: nearly every
# session, with a draft or without, seals to the same size (README, "Safety
# model"; the sizes are measured in tests/storage/test_sealed_metadata.py).
_SESSION_BLOCK = 4096

# A sealed chat id is padded to this many bytes, so an empty marker (terminal)
# and ids of any length all seal to the same size.
_CHAT_PAD = 32

# A reminder's sealed chat, kind, locale and exact time are padded to this many
# bytes, so the blob's size does not tell the kind or the language either.
_REMINDER_PAD = 128

# Clear times are kept only as precisely as the work that reads them needs
# (README, "Safety model"): a to-the-second time of someone's activity can be
# matched with network logs or with the time of an arrest.
MINUTE = 60
HOUR = 3_600
DAY = 86_400

_DRAFT_ADAPTER: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])

migrations = Migrations("sp-advisor")


@migrations()
def m001_initial(db: Database) -> None:
    # WITHOUT ROWID: the owner is stored once (no separate primary-key index
    # holding a second copy), which also leaves one place for a wipe to clear.
    db.execute(
        """
        CREATE TABLE sessions (
            owner TEXT PRIMARY KEY,
            payload BLOB NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    )
    # Purging idle sessions and old update ids must not scan every row.
    db.execute("CREATE INDEX sessions_updated_at ON sessions(updated_at)")
    db.execute(
        """
        CREATE TABLE updates (
            update_id INTEGER PRIMARY KEY,
            seen_at INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX updates_seen_at ON updates(seen_at)")
    db.execute(
        """
        CREATE TABLE stats (
            week TEXT NOT NULL,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            event TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (week, flow, step, event)
        ) WITHOUT ROWID
        """
    )


@migrations()
def m002_drafts_ledger_chats_reminders(db: Database) -> None:
    # A draft expires long before its session (48 hours after its last change),
    # so it lives in its own row with its own clock.
    db.execute(
        """
        CREATE TABLE drafts (
            owner TEXT PRIMARY KEY,
            payload BLOB NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX drafts_updated_at ON drafts(updated_at)")
    # The ids of this chat's messages, so they can be deleted later. Auto-delete
    # walks one owner's rows by the primary key (at most 48 hours of messages:
    # the purge sees to that); the purge itself uses the sent_at index, whose
    # entries also hold the owner, so a wipe clears them too (secure_delete).
    db.execute(
        """
        CREATE TABLE ledger (
            owner TEXT NOT NULL,
            message_id INTEGER NOT NULL,
            sent_at INTEGER NOT NULL,
            PRIMARY KEY (owner, message_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX ledger_sent_at ON ledger(sent_at)")
    # The chat id equals the Telegram user id for a private chat: sealed only.
    db.execute(
        """
        CREATE TABLE chats (
            owner TEXT PRIMARY KEY,
            chat BLOB NOT NULL,
            autodelete_seconds INTEGER,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    )
    # Only what a reminder needs to be sent: whom (sealed), when, which fixed
    # kind of message, in which language. No case details.
    db.execute(
        """
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            chat BLOB NOT NULL,
            due_at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            locale TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX reminders_due_at ON reminders(due_at)")
    db.execute("CREATE INDEX reminders_owner ON reminders(owner)")


@migrations()
def m003_inbox_outbox(db: Database) -> None:
    # Updates land here, sealed, before Telegram is told they arrived; each leaves in
    # the transaction that stores its outcome. The owner orders them per person.
    db.execute(
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            payload BLOB NOT NULL,
            received_at INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX inbox_owner ON inbox(owner, update_id)")
    # Bot API calls still to make, per person in id order. `op` is in clear so a
    # wipe can keep the deletions and drop everything else without opening rows.
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner TEXT NOT NULL,
            grp INTEGER NOT NULL,
            op TEXT NOT NULL,
            payload BLOB NOT NULL,
            not_before REAL NOT NULL,
            attempts INTEGER NOT NULL,
            use_alt INTEGER NOT NULL,
            created_at REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX outbox_owner ON outbox(owner, id)")
    # A deletion is queued for these ids: auto-delete must not queue them twice.
    db.execute("ALTER TABLE ledger ADD COLUMN pending INTEGER NOT NULL DEFAULT 0")
    # How many of a person's messages became too old for the bot to delete: the ids
    # themselves are of no use after 48 hours, only the count a wipe reports.
    db.execute(
        """
        CREATE TABLE ledger_old (
            owner TEXT PRIMARY KEY,
            count INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    )
    # When the draft began: "Delete this draft" deletes the chat's messages since.
    db.execute("ALTER TABLE drafts ADD COLUMN created_at INTEGER")
    db.execute("UPDATE drafts SET created_at = updated_at")


# m004 re-seals rows, so it needs the key: `Store` sets this around `apply`.
_MIGRATION_SEALER: ContextVar[Sealer | None] = ContextVar("_MIGRATION_SEALER", default=None)


def apply_migrations(db: Database, sealer: Sealer) -> None:
    """Bring the schema up to date; `sealer` re-seals what a migration rewrites."""
    token = _MIGRATION_SEALER.set(sealer)
    try:
        migrations.apply(db)
    finally:
        _MIGRATION_SEALER.reset(token)


@migrations()
def m004_seal_and_coarsen(db: Database) -> None:
    # What was in clear per person (reminder kind and language, exact times)
    # is sealed or rounded; see README, "Safety model".
    _m004_reminders(db)
    # Before the times are rounded: a draft's first message is found by the
    # ledger's exact times.
    _m004_drafts_into_sessions(db)
    _m004_round_times(db)


def _m004_sealer(rows: Sequence[object]) -> Sealer:
    sealer = _MIGRATION_SEALER.get()
    if sealer is None and rows:
        raise RuntimeError("this migration re-seals rows: open the database with Store.open")
    # Without rows to re-seal, an empty schema may be migrated without the key.
    return sealer or Sealer(bytes(32))


def _m004_drafts_into_sessions(db: Database) -> None:
    # Whether someone has a draft was told by a row of theirs in `drafts`: the
    # draft now goes, with its clock, inside their sealed session.
    sessions = db.execute("SELECT owner, payload FROM sessions").fetchall()
    sealer = _m004_sealer(sessions)
    for owner, blob in sessions:
        owner = str(owner)
        try:
            body = sealer.unseal(bytes(blob), table="sessions", field="payload", owner=owner)
        except SealError:
            continue  # unreadable before too: started afresh when next used
        body = body.rstrip(b" ")
        draft: bytes | None = None
        clock: _DraftClock | None = None
        row = db.execute(
            "SELECT payload, updated_at, created_at FROM drafts WHERE owner = ?", [owner]
        ).fetchone()
        if row is not None:
            try:
                draft = sealer.unseal(
                    bytes(row[0]), table="drafts", field="payload", owner=owner
                ).rstrip(b" ")
            except SealError:
                draft = None
        if draft is not None and row is not None:
            created = int(row[2] if row[2] is not None else row[1])
            first = db.execute(
                "SELECT coalesce(min(message_id), "
                "(SELECT coalesce(max(message_id), -1) + 1 FROM ledger WHERE owner = ?1)) "
                "FROM ledger WHERE owner = ?1 AND sent_at >= ?2",
                [owner, created],
            ).fetchone()[0]
            clock = _DraftClock(created, int(row[1]), int(first))
        db.execute(
            "UPDATE sessions SET payload = ? WHERE owner = ?",
            [
                sealer.seal(
                    _session_plaintext(body, draft, clock),
                    table="sessions",
                    field="payload",
                    owner=owner,
                ),
                owner,
            ],
        )
    db.execute("DROP TABLE drafts")


def _m004_round_times(db: Database) -> None:
    # As the code now writes them; see `_session_time`, `_ledger_time` and
    # `outbox.insert_rows` for the direction of each rounding.
    db.execute("UPDATE sessions SET updated_at = (updated_at + ?1 - 1) / ?1 * ?1", [DAY])
    db.execute("UPDATE chats SET updated_at = (updated_at + ?1 - 1) / ?1 * ?1", [DAY])
    db.execute("UPDATE ledger SET sent_at = (sent_at + ?1 - 1) / ?1 * ?1", [MINUTE])
    db.execute("UPDATE updates SET seen_at = seen_at / ?1 * ?1", [MINUTE])
    db.execute("UPDATE inbox SET received_at = received_at / ?1 * ?1", [HOUR])
    db.execute(
        "UPDATE outbox SET created_at = CAST(CAST(created_at AS INTEGER) / ?1 * ?1 AS REAL)",
        [MINUTE],
    )


def _m004_reminders(db: Database) -> None:
    old = db.execute("SELECT id, owner, chat, due_at, kind, locale FROM reminders").fetchall()
    sealer = _m004_sealer(old)
    # A new table, not DROP COLUMN: the old pages (with the clear kinds) are
    # freed whole, and secure_delete zeroes them.
    db.execute("DROP INDEX reminders_due_at")
    db.execute("DROP INDEX reminders_owner")
    db.execute("ALTER TABLE reminders RENAME TO reminders_old")
    # Whom to write, in which language and which kind of line: sealed together.
    # Only the hour it is due stays in clear, for the scheduler's index.
    db.execute(
        """
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            payload BLOB NOT NULL,
            due_at INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX reminders_due_at ON reminders(due_at)")
    db.execute("CREATE INDEX reminders_owner ON reminders(owner)")
    for reminder_id, owner, chat, due_at, kind, locale in old:
        try:
            chat_id = _decode_chat(
                sealer.unseal(bytes(chat), table="reminders", field="chat", owner=str(owner))
            )
        except (SealError, ValueError):
            # Could not be sent before either; nothing to keep.
            continue
        blob = sealer.seal(
            _encode_reminder(chat_id, int(due_at), str(kind), str(locale)),
            table="reminders",
            field="payload",
            owner=str(owner),
        )
        db.execute(
            "INSERT INTO reminders (id, owner, payload, due_at) VALUES (?, ?, ?, ?)",
            [reminder_id, owner, blob, _ceil(int(due_at), HOUR)],
        )
    db.execute("DROP TABLE reminders_old")


@migrations()
def m005_chats_updated_at(db: Database) -> None:
    # The purge looks for chat rows of nobody that have been idle long enough: without
    # this index every purge batch walked every chat row (10,000 at a million people).
    db.execute("CREATE INDEX chats_updated_at ON chats(updated_at)")


@migrations()
def m006_ledger_keyboard(db: Database) -> None:
    # Which of the chat's messages still shows buttons, so that the one a new screen
    # replaces loses them (a flag only: the ledger already holds the id, and no text).
    db.execute("ALTER TABLE ledger ADD COLUMN keyboard INTEGER NOT NULL DEFAULT 0")


# The sender carries out one row of a person at a time, in order; answered buttons and
# strips stay until the next send ends them. So the one row of a person an earlier run
# may have had on its way is their first other row: a send, if it is one.
_MAYBE_SENT_SQL = """
    SELECT id FROM outbox AS o
    WHERE op IN ('send', 'document', 'edit') AND id = (
        SELECT min(id) FROM outbox WHERE owner = o.owner AND op NOT IN ('answer', 'strip'))
"""

# Due auto-deletes in one statement. CROSS JOIN pins chats as the outer loop
# (SQLite never reorders it): the few owners with auto-delete on, each followed
# by a range of the ledger's primary key, never a scan of the whole ledger.
_DUE_AUTODELETES_SQL = """
    SELECT c.owner, c.chat, l.message_id
    FROM chats AS c CROSS JOIN ledger AS l ON l.owner = c.owner
    WHERE c.autodelete_seconds IS NOT NULL
      AND l.pending = 0
      AND l.sent_at <= ? - c.autodelete_seconds
    ORDER BY c.owner, l.message_id
"""


# The same, for the people from a given pseudonym on (the housekeeping's batches).
_DUE_AUTODELETES_FROM_SQL = """
    SELECT c.owner, c.chat, l.message_id
    FROM chats AS c CROSS JOIN ledger AS l ON l.owner = c.owner
    WHERE c.owner >= ?
      AND c.autodelete_seconds IS NOT NULL
      AND l.pending = 0
      AND l.sent_at <= ? - c.autodelete_seconds
    ORDER BY c.owner, l.message_id
"""


@dataclass(frozen=True, slots=True)
class AutoDelete:
    """The messages of one chat that are due for deletion."""

    # Out of repr, so logging one by mistake does not name the person.
    owner: str = field(repr=False)
    chat_id: int = field(repr=False)
    message_ids: list[int]


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    owner: str = field(repr=False)
    chat_id: int | None = field(repr=False)  # None: the terminal channel
    due_at: datetime
    kind: str
    locale: str


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """Rows removed by one `purge`, per table."""

    sessions: int = 0
    drafts: int = 0
    updates: int = 0
    ledger: int = 0
    chats: int = 0


async def yield_to_updates() -> None:
    """Between two batches of housekeeping: a real pause, not `sleep(0)`. An update that
    arrived during a batch needs a few turns of the event loop (socket, future, task)
    before it runs; `sleep(0)` gives it one, so it waited behind two or three batches.
    During this pause the loop runs everything that is ready."""
    await asyncio.sleep(HOUSEKEEPING_PAUSE)


@contextlib.contextmanager
def _writing(db: Database) -> Iterator[Database]:
    """One write transaction, begun IMMEDIATE: it holds the write lock from its first
    read. The checkpoint thread's connection writes too (`Store._restart_log`); a
    transaction begun deferred that read before that write and wrote after it would
    find its snapshot outdated and fail at once (SQLITE_BUSY, no waiting). Inside an
    open transaction it joins it."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _passive_checkpoint(conn: sqlite3.Connection) -> None:
    # PASSIVE never waits for the writer: the update path is never held by it.
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()


def _truncate_log(conn: sqlite3.Connection) -> None:
    # TRUNCATE holds the writer lock while it copies the log into the database, so an
    # update committing then waits for all of it (a purge leaves a long log: 0.2 s and
    # more). A PASSIVE pass first copies the log without blocking anyone; TRUNCATE then
    # has only what was written since to copy before it empties the log.
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    busy, _log_frames, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        # Another process is reading (e.g. the stats command): the log is
        # emptied at the next checkpoint instead.
        logger.warning("the write-ahead log could not be emptied now; will retry later")


# Telegram lets a bot delete a message only during its first 48 hours.
DELETE_WINDOW = timedelta(hours=48)
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
# Ids probed below a message sent again after its first answer was lost: the first copy,
# plus what the person may have typed while the bot was down.
CLAIM_SPAN = 4

CHECKPOINT_EVERY = 1.0  # seconds

_PURGE_FIELDS = ("sessions", "drafts", "updates", "ledger", "chats")
# Rows of each kind per purge transaction: small enough that an update waits at
# most a few milliseconds behind one (measured in bench/storage.py).
# Tries of `settle` before it falls back to a TRUNCATE checkpoint, and the pause
# between two (a gap between updates is what it waits for); the log's header and each
# frame's (a frame is one page), to tell that the log started over.
SETTLE_TRIES = 50
SETTLE_PAUSE = 0.01
# After a purge batch, once the log is this long: tries to let it start over (one
# pass of the loop between two).
PURGE_LOG_AT = 4 * 2**20
PURGE_LOG_TRIES = 3
# The most of the log one start-over truncates: ~4 ms on the 2-core machine.
LOG_TRUNCATE_STEP = 8 * 2**20
_WAL_HEADER = 32
_WAL_FRAME_HEADER = 24
# The most rows of each kind one purge transaction deletes (`BatchSize` makes it fewer
# while transactions take long).
PURGE_BATCH = 100
# Idle people per purge transaction at PURGE_BATCH rows, in proportion below it: each
# costs a few deletions in several tables, so fewer of them than rows of one kind
# keep a batch within a few milliseconds.
PURGE_OWNERS = 25
# The pause between two housekeeping batches, seconds (see `yield_to_updates`).
HOUSEKEEPING_PAUSE = 0.001
# Sessions opened per transaction when looking for expired drafts: about 5 ms
# for 100 (9 ms when each is re-sealed), measured on the 2-core machine.
DRAFT_SCAN_BATCH = 100


class StoreClosedError(RuntimeError):
    """The store was used after `close()`."""


@dataclass(frozen=True, slots=True)
class _Cutoffs:
    session: int
    draft: int
    update: int
    ledger: int


def _utc(moment: datetime) -> datetime:
    # Naive datetimes are taken as UTC: the host's local zone must not shift
    # retention or stats weeks.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_week(moment: datetime) -> str:
    """The ISO week of `moment` in UTC, as the counters name it ("2026-W49")."""
    year, week, _ = _utc(moment).isocalendar()
    return f"{year}-W{week:02d}"


def _check_stat(stat: CountStat) -> tuple[str, str, str]:
    key = (stat.flow, stat.step, stat.event)
    if not all(_STAT_NAME_RE.fullmatch(part) for part in key):
        # The value is not echoed: if it is free text, it may be the user's.
        raise ValueError("stats names must be short identifiers (letters, digits, _ . : / -)")
    return key


def _timestamp(moment: datetime) -> int:
    return int(_utc(moment).timestamp())


def _now_or(now: datetime | None) -> datetime:
    return _utc(now) if now is not None else datetime.now(UTC)


def _from_timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _floor(timestamp: int, step: int) -> int:
    return timestamp - timestamp % step


def _ceil(timestamp: int, step: int) -> int:
    return -(-timestamp // step) * step


def _session_time(timestamp: int) -> int:
    # Rounded up to the next midnight (UTC): a session is purged when this is
    # older than its setting, so it lives at most a day longer, never shorter.
    return _ceil(timestamp, DAY)


def _ledger_time(timestamp: int) -> int:
    # Rounded up to the minute: auto-delete (`sent_at <= now - setting`) is then
    # never early. The 48-hour checks allow for it (see `_deletable_since`).
    return _ceil(timestamp, MINUTE)


def _deletable_since(timestamp: int) -> int:
    # A ledger time stands for a moment up to 59 s earlier: only rows at or
    # after this are surely within Telegram's 48 hours. A message of the minute
    # in doubt is counted as too old (the person is told to delete it by hand),
    # never reported deletable.
    return timestamp - int(DELETE_WINDOW.total_seconds()) + MINUTE - 1


def _loose_group() -> int:
    # Calls made without an update (housekeeping) need a group of their own;
    # a random one, as the time was, stored beside the person's pseudonym.
    return -1 - secrets.randbelow(2**52)


def _encode_reminder(chat_id: int | None, due_at: int, kind: str, locale: str) -> bytes:
    if isinstance(chat_id, bool):
        raise TypeError("a chat id must be an int")
    data = json.dumps(
        {"c": None if chat_id is None else int(chat_id), "d": due_at, "k": kind, "l": locale},
        separators=(",", ":"),
    ).encode("ascii")
    return data + b" " * (_REMINDER_PAD - len(data))


def _decode_reminder(plaintext: bytes) -> tuple[int | None, int, str, str]:
    data = json.loads(plaintext)
    chat = data["c"]
    return (
        None if chat is None else int(chat),
        int(data["d"]),
        str(data["k"]),
        str(data["l"]),
    )


def _shown_by(incoming: Sequence[int], calls: Sequence[outbox.Call]) -> list[int]:
    """The chat's messages an update answers with or on: the person's own, and the one
    it edits. A draft begun by a press begins on the pressed message, which the press
    turns into the draft's first question (sent before the draft, but part of it)."""
    edited = [int(c["message_id"]) for c in calls if c.get("op") == "edit" and "message_id" in c]
    return [int(i) for i in incoming] + edited


def _pad(data: bytes) -> bytes:
    return data + b" " * (-len(data) % _PAD_TO)


@dataclass(frozen=True, slots=True)
class _DraftClock:
    """When the draft began, when it last changed, and the first message id of
    the chat that belongs to it. Sealed with the session: in clear, any of them
    would tell who has a draft."""

    created: int
    updated: int
    first_message: int


def _session_plaintext(body: bytes, draft: bytes | None, clock: _DraftClock | None) -> bytes:
    # Three lines: the draft's clock, the session, the draft. JSON never holds a
    # raw newline, so the purge reads the clock without parsing the rest.
    head = b"{}" if clock is None or draft is None else json.dumps(
        {"c": clock.created, "u": clock.updated, "f": clock.first_message},
        separators=(",", ":"),
    ).encode("ascii")
    data = b"\n".join((head, body, draft or b""))
    return data + b" " * (-len(data) % _SESSION_BLOCK)


def _split_session(plaintext: bytes) -> tuple[_DraftClock | None, bytes, bytes | None]:
    head, body, padded = plaintext.split(b"\n", 2)
    # The padding is spaces and JSON never ends in whitespace: rstrip() without an
    # argument takes CPython's whitespace fast path (4x faster on 4 KiB of padding).
    draft = padded.rstrip()
    meta = json.loads(head)
    if not meta or not draft:
        return None, body, None
    return _DraftClock(int(meta["c"]), int(meta["u"]), int(meta["f"])), body, draft


def _session_body(session: Session) -> bytes:
    # The draft is sealed beside it (`_session_plaintext`); left out here, it reads
    # back as None.
    return session.model_dump_json(exclude={"draft"}).encode("utf-8")


def _draft_json(draft: dict[str, Any]) -> bytes:
    # Canonical (sorted keys, no spaces), so the same answers always give the
    # same bytes and "unchanged" can be decided by comparing them. Compared as
    # text, not as Python values: True == 1 in Python, but not as an answer.
    data = _DRAFT_ADAPTER.dump_python(draft, mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _encode_chat(chat_id: int | None) -> bytes:
    if isinstance(chat_id, bool):
        raise TypeError("a chat id must be an int")
    text = b"" if chat_id is None else str(int(chat_id)).encode("ascii")
    return text + b" " * (_CHAT_PAD - len(text))


def _decode_chat(plaintext: bytes) -> int | None:
    text = plaintext.strip()
    return int(text) if text else None


def _check_reminder(kind: str, locale: str) -> None:
    if not isinstance(kind, str) or not _KIND_RE.fullmatch(kind):
        raise ValueError("a reminder kind must be a short identifier (a-z, 0-9, _)")
    if not isinstance(locale, str) or not _LOCALE_RE.fullmatch(locale):
        raise ValueError("a reminder locale must be a language code such as es or pt_BR")


def _check_seconds(seconds: int | None) -> None:
    if seconds is not None and (isinstance(seconds, bool) or seconds <= 0):
        raise ValueError("auto-delete seconds must be a positive number, or None for off")


class Store:
    """The bot's storage. Create with `await Store.open(...)`, end with `await close()`."""

    def __init__(self, executor: ThreadPoolExecutor, sealer: Sealer) -> None:
        self._executor = executor
        self._sealer = sealer
        # The event loop's connection; the executor's thread has its own (`_side`),
        # used only for checkpoints, so they never hold an update.
        self._db: Database | None = None
        self._side: sqlite3.Connection | None = None
        self._path: Path | None = None
        self._checkpointing: asyncio.Task[bool] | None = None
        self._checkpointed_at = 0.0
        # One checkpoint at a time: a log can start over only while no checkpoint is
        # reading it, so the write of `_restart_log` must not meet another's PASSIVE.
        self._log_lock = asyncio.Lock()
        self._closed = False
        # Sends left by an earlier run that it may have carried out before it was killed,
        # Telegram's answer lost (`outbox_sent`, unsure): at most one per person.
        self.maybe_sent: frozenset[int] = frozenset()

    # -- lifecycle -------------------------------------------------------

    @classmethod
    async def open(cls, data_dir: Path, sealer: Sealer) -> Store:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sp-checkpoint")
        store = cls(executor, sealer)
        try:
            store._open_on_thread(data_dir)
        except BaseException:
            store._closed = True
            executor.shutdown(wait=True)
            raise
        return store

    async def close(self) -> None:
        if self._closed:
            return
        try:
            if self._checkpointing is not None:
                await self._checkpointing
            side, self._side = self._side, None
            if side is not None:
                await asyncio.get_running_loop().run_in_executor(self._executor, side.close)
            self._close_on_thread()
        finally:
            self._closed = True
            self._executor.shutdown(wait=True)

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- sessions and updates -------------------------------------------

    async def load_session(self, owner: str) -> Session | None:
        """The person's session with its draft merged back, or None."""
        blob = await self._call(lambda: self._load_payload(owner))
        return self._opened(owner, blob)

    async def begin_update(self, owner: str, update_id: int | None) -> tuple[bool, Session | None]:
        """(already processed?, session) in one trip to the storage thread: the start of
        every update, so it is worth one thread hop less."""

        def read() -> tuple[bool, bytes | None]:
            # One statement: whether the update was handled, and the session.
            row = self._database().execute(
                "SELECT (SELECT 1 FROM updates WHERE update_id = ?), "
                "(SELECT payload FROM sessions WHERE owner = ?)",
                [update_id, owner],
            ).fetchone()
            if row[0] is not None:
                return True, None
            return False, None if row[1] is None else bytes(row[1])

        processed, blob = await self._call(read)
        return processed, None if processed else self._opened(owner, blob)

    def _opened(self, owner: str, blob: bytes | None) -> Session | None:
        if blob is None:
            return None
        opened = self._open_session(owner, blob)
        if opened is None:
            return None
        session, draft = opened
        session.draft = None if draft is None else self._open_draft(draft)
        return session

    def _unseal_session(
        self, owner: str, blob: bytes
    ) -> tuple[_DraftClock | None, bytes, bytes | None]:
        """(draft clock, session JSON, draft JSON); `SealError` when it does not open,
        `ValueError` when it opens but is not laid out as `_session_plaintext` writes."""
        plaintext = self._sealer.unseal(blob, table="sessions", field="payload", owner=owner)
        try:
            return _split_session(plaintext)
        except (ValueError, KeyError, TypeError):
            raise ValueError("a sealed session of an unknown layout") from None

    def _open_session(self, owner: str, blob: bytes) -> tuple[Session, bytes | None] | None:
        try:
            _clock, body, draft = self._unseal_session(owner, blob)
        except ValueError:
            body, draft = b"", None  # reported below as no longer fitting
        except SealError:
            logger.warning(
                "a stored session could not be opened (damaged, or sealed with another "
                "key); starting that conversation afresh"
            )
            return None
        try:
            return Session.model_validate_json(body), draft
        except ValidationError:
            # Never log or re-raise the error itself: pydantic quotes the input,
            # which is what the person typed.
            logger.warning(
                "a stored session no longer fits the current format; starting that "
                "conversation afresh"
            )
            return None

    def _open_draft(self, plaintext: bytes) -> dict[str, Any] | None:
        try:
            return _DRAFT_ADAPTER.validate_json(plaintext)
        except ValidationError:
            # As for sessions: the error quotes the input, so it is not logged.
            logger.warning(
                "a stored draft no longer fits the current format; continuing without it"
            )
            return None

    async def is_processed(self, update_id: int) -> bool:
        return await self._call(lambda: self._is_processed(update_id))

    async def commit_update(
        self,
        owner: str,
        session: Session | None,
        *,
        update_id: int | None,
        stats: list[CountStat],
        now: datetime | None = None,
        incoming: Sequence[int] = (),
    ) -> bool:
        """Store the outcome of one update in one transaction.

        Returns False, changing nothing, when `update_id` was already committed
        (Telegram redelivers updates after a crash or a timeout). A `None`
        session deletes the person's session row and draft.

        `session.draft` goes, sealed, to its own row, whose `updated_at` moves
        only when the draft's content changes; a `None` draft deletes the row.
        `incoming` are the ids of the person's messages of this update, added
        to the message ledger at `now`.
        """
        rows = await self.commit(
            owner, session, update_id=update_id, stats=stats, now=now, incoming=incoming
        )
        return rows is not None

    # -- the durable way of an update --------------------------------------

    async def intake(
        self, updates: Sequence[tuple[int, str, dict[str, object]]], now: datetime | None = None
    ) -> list[outbox.Incoming]:
        """Keep a batch of updates (update id, owner, raw update), sealed, in one
        transaction: only then may Telegram be told they arrived. Returns the ones new
        here (neither handled already nor waiting)."""
        timestamp = _timestamp(_now_or(now))
        sealed = [
            (update_id, owner, data, outbox.seal_update(self._sealer, owner, data))
            for update_id, owner, data in updates
        ]

        def write() -> list[outbox.Incoming]:
            db = self._database()
            fresh: list[outbox.Incoming] = []
            with _writing(db):
                for update_id, owner, data, blob in sealed:
                    # Neither handled already (in `updates`) nor waiting (in the inbox).
                    cursor = db.conn.execute(
                        "INSERT OR IGNORE INTO inbox (update_id, owner, payload, received_at) "
                        "SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                        "(SELECT 1 FROM updates WHERE update_id = ?)",
                        [update_id, owner, blob, _floor(timestamp, HOUR), update_id],
                    )
                    if cursor.rowcount:
                        fresh.append(outbox.Incoming(update_id, owner, data))
            return fresh

        return await self._call(write)

    async def inbox(self) -> list[outbox.Incoming]:
        """Every update still waiting, oldest first (at start: handled before polling)."""

        def read() -> list[tuple[int, str, bytes]]:
            cursor = self._database().execute(
                "SELECT update_id, owner, payload FROM inbox ORDER BY update_id"
            )
            return [(int(u), str(o), bytes(p)) for u, o, p in cursor]

        waiting: list[outbox.Incoming] = []
        for update_id, owner, blob in await self._call(read):
            data = outbox.open_update(self._sealer, owner, blob)
            if data is None:
                logger.warning("a waiting update could not be opened; dropping it")
                await self.drop_update(update_id)
                continue
            waiting.append(outbox.Incoming(update_id, owner, data))
        return waiting

    async def drop_update(self, update_id: int, now: datetime | None = None) -> None:
        """An update that needs no answer (or cannot be read) leaves the inbox as handled."""
        timestamp = _timestamp(_now_or(now))

        def write() -> None:
            db = self._database()
            with _writing(db):
                db.execute("DELETE FROM inbox WHERE update_id = ?", [update_id])
                db.execute(
                    "INSERT OR IGNORE INTO updates (update_id, seen_at) VALUES (?, ?)",
                    [update_id, _floor(timestamp, MINUTE)],
                )

        await self._call(write)

    async def commit(
        self,
        owner: str,
        session: Session | None,
        *,
        update_id: int | None,
        stats: Sequence[CountStat] = (),
        now: datetime | None = None,
        incoming: Sequence[int] = (),
        calls: Sequence[outbox.Call] = (),
        wipe: bool = False,
        settings: Sequence[SetAutoDelete] = (),
        reminders: Sequence[AddReminder | CancelReminder] = (),
        chat_id: int | None = None,
        keep_session: bool = False,
    ) -> list[outbox.OutRow] | None:
        """Store the whole outcome of one update in one transaction: the session (None
        deletes it), the draft, counters, the person's message ids, the Bot API calls
        to make (the outbox), and the update leaving the inbox. None, changing
        nothing, when the update was already handled.

        A deletion call with `ledger` is resolved here against the message ledger
        (every id the bot may still delete, or those since the draft began) and the
        ids are marked pending. With `wipe`, every row of the person goes in the same
        transaction; only the queued deletions stay, sealed, until done.
        `settings` and `reminders` are the engine's effects on the person's chat row
        and reminders (`chat_id`: their Telegram chat; None for the terminal).
        `keep_session` leaves the session and draft as they are (a fixed answer).
        """
        for reminder in reminders:
            if isinstance(reminder, AddReminder):
                _check_reminder(reminder.reminder, reminder.locale)
        # The chat id is sealed only when a setting keeps it.
        sealed_chat = (
            self._sealer.seal(_encode_chat(chat_id), table="chats", field="chat", owner=owner)
            if settings
            else b""
        )
        sealed_reminders = [
            (change, self._seal_reminder(owner, chat_id, change))
            if isinstance(change, AddReminder)
            else (change, None)
            for change in reminders
        ]
        moment = _now_or(now)
        timestamp = int(moment.timestamp())
        counts = Counter(_check_stat(stat) for stat in stats)
        body: bytes | None = None
        draft: bytes | None = None
        if session is not None and not wipe:
            body = _session_body(session)
            if session.draft is not None:
                draft = _draft_json(session.draft)
        # The stored draft's clock is sealed in the session: opened only when the
        # new one depends on it or "Delete this draft" needs where it began.
        needs_stored = draft is not None or any(
            call.get("op") == "delete" and call.get("ledger") == "draft" for call in calls
        )
        window = _deletable_since(timestamp)
        clears = wipe or any(call.get("op") == "delete" and call.get("ledger") for call in calls)

        def write() -> list[outbox.OutRow] | None:
            db = self._database()
            with _writing(db):
                if update_id is not None:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO updates (update_id, seen_at) VALUES (?, ?)",
                        [update_id, _floor(timestamp, MINUTE)],
                    )
                    if cursor.rowcount == 0:
                        return None
                    db.execute("DELETE FROM inbox WHERE update_id = ?", [update_id])
                stored, stored_draft = (
                    self._stored_draft(db, owner) if needs_stored else (None, None)
                )
                clock = self._draft_clock(
                    db, owner, draft, stored, stored_draft, timestamp, _shown_by(incoming, calls)
                )
                # The person's own message of this update is in the ledger before a
                # quick exit or a wipe looks for what to delete.
                self._insert_ledger(db, owner, [int(i) for i in incoming], timestamp)
                resolved = self._resolve_deletions(
                    db, owner, calls, window, None if stored is None else stored.first_message
                )
                if clears:
                    # Replies still waiting (a flood wait) would be sent after the ids
                    # to delete were read from the ledger, and stay in the chat: they are
                    # not sent at all. One already on its way is deleted once it is
                    # confirmed (`outbox_sent`: its row is gone).
                    outbox.drop_sends_of(db.conn, owner, replies_only=not wipe)
                if wipe:
                    for table, column in OWNED_TABLES:
                        db.execute(f"DELETE FROM {table} WHERE {column} = ?", [owner])  # noqa: S608
                elif not keep_session:
                    if body is None:
                        db.execute("DELETE FROM sessions WHERE owner = ?", [owner])
                    else:
                        payload = self._sealer.seal(
                            _session_plaintext(body, draft, clock),
                            table="sessions",
                            field="payload",
                            owner=owner,
                        )
                        db.execute(
                            """
                            INSERT INTO sessions (owner, payload, updated_at) VALUES (?, ?, ?)
                            ON CONFLICT (owner) DO UPDATE
                            SET payload = excluded.payload, updated_at = excluded.updated_at
                            """,
                            [owner, payload, _session_time(timestamp)],
                        )
                if not wipe:
                    for setting in settings:
                        if chat_id is not None:
                            self._set_autodelete(owner, sealed_chat, setting.seconds, timestamp)
                    for change, blob in sealed_reminders:
                        self._change_reminder(db, owner, change, blob)
                self._add_counts(db, iso_week(moment), counts.items())
                group = update_id if update_id is not None else _loose_group()
                return outbox.insert_rows(db.conn, self._sealer, owner, group, resolved)

        rows = await self._call(write)
        if wipe and rows is not None:
            await self.checkpoint()
        else:
            self.checkpoint_soon()
        return rows

    def checkpoint_soon(self) -> None:
        """Copy the log into the database on the checkpoint thread, at most once a
        second and never inside an update: the connection's automatic checkpoint is
        off, because it ran inside a commit and made that update wait."""
        if self._checkpointing is not None and not self._checkpointing.done():
            return
        now = time.monotonic()
        if now - self._checkpointed_at < CHECKPOINT_EVERY:
            return
        self._checkpointed_at = now
        self._checkpointing = asyncio.get_running_loop().create_task(self._copy_log())

    async def _copy_log(self) -> bool:
        """A PASSIVE checkpoint, then let the log start over if nothing was written
        meanwhile (`_restart_log`), both on the checkpoint thread: the log stays
        short, and no update waits while it is truncated. True when it started over."""
        async with self._log_lock:
            await self._in_thread(_passive_checkpoint)
            return await self._in_thread(self._restart_log)

    def _resolve_deletions(
        self,
        db: Database,
        owner: str,
        calls: Sequence[outbox.Call],
        window: int,
        draft_from: int | None = None,
    ) -> list[outbox.Call]:
        resolved: list[outbox.Call] = []
        for call in calls:
            if call.get("op") != "delete":
                resolved.append(call)
                continue
            which = call.get("ledger")
            if which is None:
                ids = sorted({int(i) for i in call.get("ids", [])})
            else:
                first = 0
                if which == "draft":
                    if draft_from is None:
                        continue
                    # By message id, not by time: a chat's ids only grow, and the
                    # ledger's minutes could not tell the draft's first message
                    # from the one just before it.
                    first = draft_from
                ids = [
                    int(m)
                    for (m,) in db.execute(
                        "SELECT message_id FROM ledger WHERE owner = ? AND sent_at >= ? "
                        "AND message_id >= ? AND pending = 0 ORDER BY message_id",
                        [owner, window, first],
                    )
                ]
            db.conn.executemany(
                "UPDATE ledger SET pending = 1 WHERE owner = ? AND message_id = ?",
                [(owner, i) for i in ids],
            )
            for start in range(0, len(ids), DELETE_BATCH):
                resolved.append(
                    {
                        "op": "delete",
                        "chat": int(call["chat"]),
                        "ids": ids[start : start + DELETE_BATCH],
                    }
                )
        return resolved

    def _seal_reminder(self, owner: str, chat_id: int | None, change: AddReminder) -> bytes:
        plaintext = _encode_reminder(
            chat_id, _timestamp(change.due), change.reminder, change.locale
        )
        return self._sealer.seal(plaintext, table="reminders", field="payload", owner=owner)

    def _change_reminder(
        self,
        db: Database,
        owner: str,
        change: AddReminder | CancelReminder,
        blob: bytes | None,
    ) -> None:
        due = _timestamp(change.due)
        if blob is not None:
            self._add_reminder(owner, blob, due)
            return
        # The kind is sealed: the person's few reminders of that hour are opened
        # here to find the one to cancel.
        for reminder in self._open_reminders(self._reminders_of(owner)):
            if reminder.kind == change.reminder and _timestamp(reminder.due_at) == due:
                db.execute("DELETE FROM reminders WHERE id = ?", [reminder.id])

    async def undeletable(self, owner: str, now: datetime | None = None) -> int:
        """How many of the person's messages are too old for the bot to delete."""
        window = _deletable_since(_timestamp(_now_or(now)))

        def read() -> int:
            db = self._database()
            old = db.execute("SELECT count FROM ledger_old WHERE owner = ?", [owner]).fetchone()
            stale = db.execute(
                "SELECT count(*) FROM ledger WHERE owner = ? AND sent_at < ?", [owner, window]
            ).fetchone()
            return (int(old[0]) if old else 0) + int(stale[0])

        return await self._call(read)

    # -- the sender's side of the outbox ----------------------------------

    async def outbox_rows(self, owner: str, limit: int = 20) -> list[outbox.OutRow]:
        """The person's next calls, in order."""
        return await self._call(
            lambda: outbox.rows_of(self._database().conn, self._sealer, owner, limit)
        )

    async def outbox_owners(self, now: float, limit: int = 1000) -> list[tuple[str, float]]:
        """People with calls waiting, with when the first may run (a Unix time)."""
        return await self._call(lambda: outbox.owners_due(self._database().conn, now, limit))

    async def outbox_sent(
        self,
        row: outbox.OutRow,
        message_ids: Sequence[int],
        now: datetime | None = None,
        *,
        ended: Sequence[outbox.OutRow] = (),
        unsure: bool = False,
    ) -> list[outbox.OutRow]:
        """Telegram confirmed a send or an edit: the row ends and the ids of what it sent
        go to the ledger in the same transaction. When a wipe took the row meanwhile,
        the message is deleted instead (the rows returned; also a strip row, when an
        edit had to be sent as a new message). `ended`: earlier rows that
        Telegram already confirmed and that have nothing to record (answered buttons),
        ended in the same transaction. `unsure`: an earlier try of this row may have
        sent it already (a kill or a dropped connection cut off Telegram's answer):
        claim rows look for that first copy (`_claims`)."""
        timestamp = _timestamp(_now_or(now))
        ids = [int(i) for i in message_ids]
        gone: list[bool] = []
        fresh = [i for i in ids if i != row.call.get("message_id")]

        def outcome(db: Database) -> list[outbox.OutRow]:
            if outbox.finish(db.conn, row):
                if row.call.get("record", True):
                    return self._keyboards_sent(db, row, ids, timestamp)
                if self._gone(db, row.owner) and not (unsure and fresh):
                    gone.append(True)
                return []
            if not ids:
                return []
            return outbox.insert_rows(
                db.conn,
                self._sealer,
                row.owner,
                row.group,
                [{"op": "delete", "chat": int(row.call["chat"]), "ids": ids}],
            )

        def write() -> list[outbox.OutRow]:
            db = self._database()
            with _writing(db):
                for done in ended:
                    self._end_quietly(db, done)
                rows = outcome(db)
                if unsure and fresh:
                    rows += self._claims(db, row, min(fresh))
                return rows

        rows = await self._call(write)
        if gone:
            await self.checkpoint()
        return rows

    def _keyboards_sent(
        self, db: Database, row: outbox.OutRow, ids: Sequence[int], timestamp: int
    ) -> list[outbox.OutRow]:
        """Record the ids in the ledger, marking whether what was just sent or edited
        shows buttons (an edit always carries its keyboard, empty or not; an edited
        message keeps the time it was first sent). An edit that became a new message
        left the pressed message's keyboard behind: a strip row for it is returned; an
        edit of the pressed message returns strip rows for live keyboards below it."""
        call = row.call
        if call.get("op") == "edit" and not ids and call.get("message_id") is not None:
            # "Not modified": the message already shows this screen (the edit went
            # through before a kill cut off Telegram's answer).
            return self._strip_below(db, row, int(call["message_id"]))
        if call.get("op") not in ("send", "edit", "document") or not ids:
            self._insert_ledger(db, row.owner, [int(i) for i in ids], timestamp)
            return []
        db.conn.executemany(
            "INSERT INTO ledger (owner, message_id, sent_at, keyboard) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (owner, message_id) DO UPDATE SET keyboard = excluded.keyboard",
            [
                (row.owner, int(i), _ledger_time(timestamp), int(bool(call.get("buttons"))))
                for i in ids
            ],
        )
        pressed = call.get("message_id")
        if call.get("op") != "edit" or pressed is None:
            return []
        if pressed in ids:
            return self._strip_below(db, row, int(pressed))
        shows = db.execute(
            "SELECT 1 FROM ledger WHERE owner = ? AND message_id = ? AND keyboard = 1",
            [row.owner, pressed],
        ).fetchone()
        if shows is None:
            return []
        strip: outbox.Call = {"op": "strip", "chat": int(call["chat"]), "message_id": pressed}
        return outbox.insert_rows(db.conn, self._sealer, row.owner, row.group, [strip])

    def _claims(self, db: Database, row: outbox.OutRow, sent: int) -> list[outbox.OutRow]:
        """`sent` may be the second copy of a message: the first, whose answer was lost,
        is in the chat under an id just below, unrecorded, its buttons live. Telegram
        numbers a private chat's messages, the person's and the bot's, in one sequence:
        a claim row for each of the `CLAIM_SPAN` ids below `sent` that the ledger does
        not hold. The sender asks Telegram which of them is the bot's (a bot can edit
        only its own messages) and deletes it."""
        below = range(max(1, sent - CLAIM_SPAN), sent)
        known = {
            int(m)
            for (m,) in db.execute(
                "SELECT message_id FROM ledger WHERE owner = ? AND message_id >= ? "
                "AND message_id < ?",
                [row.owner, below.start, sent],
            )
        }
        calls: list[outbox.Call] = [
            {"op": "claim", "chat": int(row.call["chat"]), "message_id": i}
            for i in reversed(below)
            if i not in known
        ]
        return outbox.insert_rows(db.conn, self._sealer, row.owner, _loose_group(), calls)

    async def recorded(self, owner: str, message_id: int) -> bool:
        """The ledger holds this message of the person's chat."""

        def read() -> bool:
            return (
                self._database().execute(
                    "SELECT 1 FROM ledger WHERE owner = ? AND message_id = ?",
                    [owner, message_id],
                ).fetchone()
                is not None
            )

        return await self._call(read)

    async def outbox_claimed(self, row: outbox.OutRow) -> list[outbox.OutRow]:
        """A claim row found the bot's unrecorded copy: the row ends and a deletion of
        that message is queued in the same transaction (returned)."""

        def write() -> list[outbox.OutRow]:
            db = self._database()
            with _writing(db):
                if not outbox.finish(db.conn, row):
                    return []
                delete: outbox.Call = {
                    "op": "delete",
                    "chat": int(row.call["chat"]),
                    "ids": [int(row.call["message_id"])],
                }
                return outbox.insert_rows(
                    db.conn, self._sealer, row.owner, _loose_group(), [delete]
                )

        return await self._call(write)

    def _strip_below(self, db: Database, row: outbox.OutRow, edited: int) -> list[outbox.OutRow]:
        """The pressed message now shows the current screen: any newer message still
        showing buttons is an older screen sent again after a kill cut off Telegram's
        answer. A strip row for each (none in the usual case)."""
        below = db.execute(
            "SELECT message_id FROM ledger WHERE owner = ? AND message_id > ? "
            "AND keyboard = 1 AND pending = 0",
            [row.owner, edited],
        ).fetchall()
        strips: list[outbox.Call] = [
            {"op": "strip", "chat": int(row.call["chat"]), "message_id": int(found[0])}
            for found in below
        ]
        if not strips:
            return []
        return outbox.insert_rows(db.conn, self._sealer, row.owner, row.group, strips)

    async def keyboard_message(self, owner: str) -> int | None:
        """The chat's newest message still showing buttons that no deletion is queued
        for: the one a new screen replaces (a strip row is resolved here when it is
        carried out, since that message may have been sent only just before)."""

        def read() -> int | None:
            found = self._database().execute(
                "SELECT max(message_id) FROM ledger WHERE owner = ? AND keyboard = 1 "
                "AND pending = 0",
                [owner],
            ).fetchone()
            return None if found is None or found[0] is None else int(found[0])

        return await self._call(read)

    async def outbox_stripped(self, row: outbox.OutRow, message_id: int | None) -> None:
        """A strip row ended (the keyboard is gone, was gone already, or there was none):
        the message no longer counts as showing buttons."""
        ended = row if message_id is None else replace(
            row, call={**row.call, "message_id": message_id}
        )
        await self.outbox_done([ended])

    @staticmethod
    def _end_quietly(db: Database, row: outbox.OutRow) -> None:
        """End a row that has nothing to record: an answered button, or a strip (whose
        message no longer counts as showing buttons)."""
        outbox.finish(db.conn, row)
        message_id = row.call.get("message_id")
        if row.call.get("op") == "strip" and message_id is not None:
            db.execute(
                "UPDATE ledger SET keyboard = 0 WHERE owner = ? AND message_id = ?",
                [row.owner, int(message_id)],
            )

    async def outbox_deleted(self, row: outbox.OutRow, *, done: bool) -> None:
        """A deletion ended: done, or impossible (too old, refused for good). Either
        way its ids leave the ledger; when it failed, the rest of the update's replies
        say so (their `alt` text)."""
        ids = [int(i) for i in row.call.get("ids", [])]

        def write() -> bool:
            db = self._database()
            with _writing(db):
                outbox.finish(db.conn, row)
                db.conn.executemany(
                    "DELETE FROM ledger WHERE owner = ? AND message_id = ?",
                    [(row.owner, i) for i in ids],
                )
                if not done:
                    outbox.use_alt_after(db.conn, row)
                return self._gone(db, row.owner)

        if await self._call(write):
            await self.checkpoint()

    @staticmethod
    def _gone(db: Database, owner: str) -> bool:
        """Nothing of the person is left (after a wipe, once its queued calls ended):
        the caller empties the log, so that their last rows leave its page images."""
        return not db.execute(
            "SELECT 1 FROM sessions WHERE owner = ? UNION ALL "
            "SELECT 1 FROM outbox WHERE owner = ? LIMIT 1",
            [owner, owner],
        ).fetchone()

    async def outbox_refused(self, row: outbox.OutRow) -> None:
        """The row ends without anything to record: refused for good (the reason is
        logged by the sender), or a call that sends nothing (answering a button)."""

        def write() -> bool:
            db = self._database()
            with _writing(db):
                outbox.finish(db.conn, row)
                return self._gone(db, row.owner)

        if await self._call(write):
            await self.checkpoint()

    async def outbox_done(self, rows: Sequence[outbox.OutRow]) -> None:
        """Rows Telegram confirmed that have nothing to record (answered buttons, strips),
        ended in one transaction."""

        def write() -> bool:
            db = self._database()
            with _writing(db):
                for row in rows:
                    self._end_quietly(db, row)
                return any(self._gone(db, owner) for owner in {row.owner for row in rows})

        if await self._call(write):  # the last rows of someone wiped
            await self.checkpoint()

    async def outbox_retry(self, row: outbox.OutRow, not_before: float) -> None:
        await self._call(lambda: outbox.postpone(self._database().conn, row, not_before))

    async def outbox_chat_gone(self, owner: str) -> int:
        """The person blocked the bot: nothing can be sent or deleted there any more."""

        def write() -> int:
            db = self._database()
            with _writing(db):
                db.execute("DELETE FROM ledger WHERE owner = ?", [owner])
                return outbox.drop_owner(db.conn, owner)

        return await self._call(write)

    async def queue_autodeletes(
        self, now: datetime, limit: int = 500, *, after: str = ""
    ) -> list[outbox.OutRow]:
        """Queue the deletions that auto-delete asks for now (at most `limit` ids), for
        the people from `after` on (by pseudonym): a scan passes the last owner of one
        batch to the next, so each batch goes on where the last stopped instead of
        walking again past everyone already queued."""
        timestamp = _timestamp(now)

        def write() -> list[outbox.OutRow]:
            db = self._database()
            rows: list[outbox.OutRow] = []
            with _writing(db):
                due = db.execute(
                    _DUE_AUTODELETES_FROM_SQL + " LIMIT ?", [after, timestamp, limit]
                ).fetchall()
                grouped: dict[str, tuple[bytes, list[int]]] = {}
                for owner, chat, message_id in due:
                    grouped.setdefault(str(owner), (bytes(chat), []))[1].append(int(message_id))
                for owner, (blob, ids) in grouped.items():
                    chat_id = self._open_chat(owner, blob, table="chats")
                    if chat_id is None:
                        continue
                    rows += outbox.insert_rows(
                        db.conn,
                        self._sealer,
                        owner,
                        _loose_group(),
                        self._resolve_deletions(
                            db, owner, [{"op": "delete", "chat": chat_id, "ids": ids}], 0
                        ),
                    )
            return rows

        return await self._call(write)

    async def queue_reminders(
        self, now: datetime, text: Callable[[str, str, datetime], str], limit: int = 50
    ) -> list[outbox.OutRow]:
        """Turn due Telegram reminders into sends, in the transaction that removes them
        (`text(locale, kind, due)` writes the line). Terminal reminders wait for the
        terminal."""
        timestamp = _timestamp(now)

        def write() -> list[outbox.OutRow]:
            db = self._database()
            rows: list[outbox.OutRow] = []
            with _writing(db):
                for reminder in self._open_reminders(self._due_reminders(timestamp, limit)):
                    if reminder.chat_id is None:
                        continue
                    db.execute("DELETE FROM reminders WHERE id = ?", [reminder.id])
                    call: outbox.Call = {
                        "op": "send",
                        "chat": reminder.chat_id,
                        "text": text(reminder.locale, reminder.kind, reminder.due_at),
                    }
                    rows += outbox.insert_rows(
                        db.conn, self._sealer, reminder.owner, _loose_group(), [call]
                    )
            return rows

        return await self._call(write)

    # -- message ledger --------------------------------------------------

    async def record_messages(
        self, owner: str, message_ids: Sequence[int], now: datetime | None = None
    ) -> None:
        """Add message ids of this chat (the bot's or the person's) to the ledger.

        An id already recorded keeps its first time.
        """
        timestamp = _timestamp(_now_or(now))
        ids = [int(message_id) for message_id in message_ids]
        await self._call(lambda: self._record_messages(owner, ids, timestamp))

    async def ledger(self, owner: str) -> list[tuple[int, datetime]]:
        """The recorded messages as (message_id, sent_at in UTC), by message id."""
        rows = await self._call(lambda: self._ledger(owner))
        return [(message_id, _from_timestamp(sent_at)) for message_id, sent_at in rows]

    async def forget_messages(self, owner: str, message_ids: Sequence[int]) -> None:
        """Drop message ids from the ledger (deleted, or no longer deletable)."""
        ids = [int(message_id) for message_id in message_ids]
        await self._call(lambda: self._forget_messages(owner, ids))

    # -- chats and auto-delete ------------------------------------------

    async def set_autodelete(
        self, owner: str, chat_id: int, seconds: int | None, *, now: datetime | None = None
    ) -> None:
        """Delete the person's messages `seconds` after they were sent (None: off).

        Stores the chat id, sealed, so the bot can act without an update. When
        turned off and no reminder of the person remains, the chat row goes.
        """
        _check_seconds(seconds)
        if chat_id is None:
            raise TypeError("auto-delete needs a chat id")
        chat = self._sealer.seal(_encode_chat(chat_id), table="chats", field="chat", owner=owner)
        timestamp = _timestamp(_now_or(now))
        await self._call(lambda: self._set_autodelete(owner, chat, seconds, timestamp))

    async def autodelete_of(self, owner: str) -> int | None:
        return await self._call(lambda: self._autodelete_of(owner))

    async def due_autodeletes(self, now: datetime) -> list[AutoDelete]:
        """For every person with auto-delete on: their ledger messages at least
        as old as their setting, by owner then message id."""
        timestamp = _timestamp(now)
        rows = await self._call(lambda: self._due_autodeletes(timestamp))
        due: list[AutoDelete] = []
        for owner, blob, message_ids in rows:
            chat_id = self._open_chat(owner, blob, table="chats")
            if chat_id is None:
                continue
            due.append(AutoDelete(owner=owner, chat_id=chat_id, message_ids=message_ids))
        return due

    # -- reminders -------------------------------------------------------

    async def add_reminder(
        self, owner: str, chat_id: int | None, due_at: datetime, kind: str, locale: str
    ) -> int:
        """Schedule a reminder and return its id. `chat_id` None: the terminal.

        `kind` and `locale` are sealed with the chat; only fixed identifiers are
        accepted (`ValueError` otherwise, without echoing the value).
        """
        _check_reminder(kind, locale)
        timestamp = _timestamp(due_at)
        blob = self._sealer.seal(
            _encode_reminder(chat_id, timestamp, kind, locale),
            table="reminders",
            field="payload",
            owner=owner,
        )
        return await self._call(lambda: self._add_reminder(owner, blob, timestamp))

    async def reminders_of(self, owner: str) -> list[Reminder]:
        """The person's reminders, soonest first."""
        opened = self._open_reminders(await self._call(lambda: self._reminders_of(owner)))
        # The clear column is rounded to the hour: the sealed time orders them.
        return sorted(opened, key=lambda reminder: (reminder.due_at, reminder.id))

    async def cancel_reminder(self, owner: str, reminder_id: int) -> bool:
        """Delete one of the person's own reminders; False if there is no such one."""
        return await self._call(lambda: self._cancel_reminder(owner, reminder_id))

    async def due_reminders(self, now: datetime) -> list[Reminder]:
        """Every reminder due at `now` or earlier, soonest first."""
        timestamp = _timestamp(now)
        return self._open_reminders(await self._call(lambda: self._due_reminders(timestamp)))

    async def delete_reminder(self, reminder_id: int) -> None:
        """Delete a reminder that has been sent."""
        await self._call(lambda: self._delete_reminder(reminder_id))

    def _open_chat(self, owner: str, blob: bytes, *, table: str) -> int | None:
        """The chat id in `blob`, or None when it cannot be opened (logged)."""
        try:
            return _decode_chat(self._sealer.unseal(blob, table=table, field="chat", owner=owner))
        except (SealError, ValueError):
            logger.warning(
                "a stored chat could not be opened (damaged, or sealed with another key); "
                "skipping it"
            )
            return None

    def _open_reminders(self, rows: list[tuple[int, str, bytes]]) -> list[Reminder]:
        reminders: list[Reminder] = []
        for reminder_id, owner, blob in rows:
            try:
                plaintext = self._sealer.unseal(
                    blob, table="reminders", field="payload", owner=owner
                )
                chat_id, due_at, kind, locale = _decode_reminder(plaintext)
            except (SealError, ValueError, KeyError, TypeError):
                logger.warning(
                    "a stored reminder could not be opened (damaged, or sealed with another "
                    "key); skipping it"
                )
                continue
            reminders.append(
                Reminder(
                    id=reminder_id,
                    owner=owner,
                    chat_id=chat_id,
                    due_at=_from_timestamp(due_at),
                    kind=kind,
                    locale=locale,
                )
            )
        return reminders

    async def delete_user(self, owner: str) -> None:
        """Delete every row of `owner` and push the bytes out of the files. Queued
        deletions of their messages stay (sealed) until Telegram has done them."""
        await self._call(lambda: self._delete_user(owner))
        # secure_delete zeroes the rows in the log's page images, but the log still
        # holds earlier images until it is checkpointed and emptied.
        await self.checkpoint()

    async def purge(
        self,
        now: datetime,
        *,
        session_max_age: timedelta,
        draft_max_age: timedelta = timedelta(hours=48),
        update_max_age: timedelta = timedelta(days=2),
        ledger_max_age: timedelta = timedelta(hours=48),
    ) -> PurgeCounts:
        """Delete what is no longer needed, then empty the write-ahead log.

        * sessions idle longer than `session_max_age`, with their drafts, and
          their chat rows unless reminders of theirs remain (chat rows of
          nobody, idle as long and without reminders, go too);
        * drafts unchanged for longer than `draft_max_age`;
        * update ids older than `update_max_age`;
        * ledger rows older than `ledger_max_age`: Telegram lets a bot delete
          messages only for 48 hours, so keeping them longer serves nothing.

        Reminders stay until sent or cancelled.
        """
        moment = _utc(now)
        cutoffs = _Cutoffs(
            session=int((moment - session_max_age).timestamp()),
            draft=int((moment - draft_max_age).timestamp()),
            update=int((moment - update_max_age).timestamp()),
            ledger=int((moment - ledger_max_age).timestamp()),
        )
        total = PurgeCounts()
        # Small first: the first batches read pages no cache holds yet.
        size = BatchSize(PURGE_BATCH, start=PURGE_BATCH // 4)
        while True:
            done = await self._call(
                lambda: size.run(functools.partial(self._purge_batch, cutoffs))
            )
            total = PurgeCounts(
                **{name: getattr(total, name) + getattr(done, name) for name in _PURGE_FIELDS}
            )
            if not any(getattr(done, name) for name in _PURGE_FIELDS):
                break
            # Updates run between batches: none waits behind the whole purge. Once
            # the log is a few MiB long it is copied and starts over, on the
            # checkpoint thread (the loop serves updates meanwhile).
            await self._keep_log_short()
        after: str | None = ""
        drafts = 0
        size = BatchSize(DRAFT_SCAN_BATCH, start=DRAFT_SCAN_BATCH // 4)
        while after is not None:
            after, removed = await self._call(
                functools.partial(
                    size.run, functools.partial(self._expire_drafts_batch, cutoffs.draft, after)
                )
            )
            drafts += removed
            await self._keep_log_short()
        total = PurgeCounts(
            **{name: getattr(total, name) for name in _PURGE_FIELDS if name != "drafts"},
            drafts=drafts,
        )
        await self.settle()
        return total

    async def settle(self) -> None:
        """Leave no image of deleted rows in the log, without holding updates back.

        A TRUNCATE checkpoint holds every writer while it copies the log and syncs
        the file (a purge's closing one held an update 132 ms at a million people). Here
        a PASSIVE checkpoint copies the log on the checkpoint thread without blocking
        anyone; then one write of the same header value, on that thread too, lets the
        log start over and truncates it (`_restart_log`: a long log in several steps).
        An update that wrote in between leaves frames the checkpoint did not copy, and
        the log cannot start over: the pair is tried again a little later (each time
        there is only that little to copy). If updates leave no gap for about a
        second, a TRUNCATE checkpoint ends it, as before."""
        log = self._log_path()
        steps = (log.stat().st_size if log.exists() else 0) // LOG_TRUNCATE_STEP
        if not await self._start_log_over(SETTLE_TRIES + steps):
            await self.checkpoint()

    async def _keep_log_short(self) -> None:
        """Between two purge batches: once the log is PURGE_LOG_AT long, copy it and let
        it start over (a couple of quick tries). Not after every batch: each copy
        syncs the files, and on the 2-core machine's disk an update that commits
        during a sync waits for it."""
        log = self._log_path()
        if log.exists() and log.stat().st_size >= PURGE_LOG_AT:
            await self._start_log_over(PURGE_LOG_TRIES, pause=0.0)
        else:
            await asyncio.sleep(HOUSEKEEPING_PAUSE)

    async def _start_log_over(self, tries: int, pause: float = SETTLE_PAUSE) -> bool:
        """Copy the log and let it start over, trying again after `pause` while
        updates keep writing in between; True once it started over."""
        for attempt in range(tries):
            if attempt:
                await asyncio.sleep(pause)
            if await self._copy_log():
                return True
        return False

    def _restart_log(self, conn: sqlite3.Connection) -> bool:
        """One write of the same header value, so that a fully copied log starts over
        and is truncated; True when nothing but that write is left in it.

        On the checkpoint thread's connection, and at most LOG_TRUNCATE_STEP bytes at
        a time: truncating costs about half a millisecond per MiB on the 2-core
        machine, and an update committing meanwhile waits for this transaction (a log
        grown to 230 MB held the loop 89 ms when it went in one piece). A longer log
        takes several calls."""
        log = self._log_path()
        size = log.stat().st_size if log.exists() else 0
        conn.execute(f"PRAGMA journal_size_limit={max(0, size - LOG_TRUNCATE_STEP)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            return False  # the write lock stayed taken (another process?): later
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        # Started over: the log holds at most this one page (header and one frame).
        return not log.exists() or log.stat().st_size <= _WAL_HEADER + _WAL_FRAME_HEADER + page

    def _log_path(self) -> Path:
        assert self._path is not None
        return self._path.with_name(self._path.name + "-wal")

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty the log, on the
        checkpoint thread: deleted rows were zeroed in the log's page images
        (secure_delete); this puts those pages over the old ones in the file and
        leaves no earlier image in the log."""
        async with self._log_lock:
            await self._in_thread(_truncate_log)

    # -- reports ---------------------------------------------------------

    async def stats_rows(self, min_count: int = 1) -> list[tuple[str, str, str, str, int]]:
        """Counters as (week, flow, step, event, count); counts below `min_count`
        are left out, so a report cannot single out one person's path."""
        return await self._call(lambda: self._stats_rows(min_count))

    async def count_sessions(self) -> int:
        return await self._call(self._count_sessions)

    # -- worker thread ---------------------------------------------------

    async def _call(self, fn: Callable[[], T]) -> T:
        # Run on the event loop's own thread: a statement here takes tens of
        # microseconds (no fsync on commit in WAL mode with synchronous=NORMAL), less
        # than a hop to a worker thread and back. Slow work (checkpoints) goes to
        # `_in_thread`; housekeeping is cut into small batches.
        if self._closed:
            raise StoreClosedError("the store is closed")
        return fn()

    async def _in_thread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` on the checkpoint thread, on that thread's own connection."""
        if self._closed:
            raise StoreClosedError("the store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._side_connection()))

    def _side_connection(self) -> sqlite3.Connection:
        if self._side is None:
            assert self._path is not None
            conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA secure_delete=ON")
            # Per connection, as on the loop's: this one writes when it lets the log
            # start over (`_restart_log`, which sets how much to truncate).
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            self._side = conn
        return self._side

    def _database(self) -> Database:
        if self._db is None:
            raise StoreClosedError("the store is closed")
        return self._db

    def _open_on_thread(self, data_dir: Path) -> None:
        ensure_private_dir(data_dir)
        path = data_dir / DB_FILE
        ensure_private_file(path)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise RuntimeError("the database could not be switched to WAL mode")
            conn.execute("PRAGMA synchronous=NORMAL")
            # No checkpoint inside an update's commit: `checkpoint()` runs them on
            # another thread, between updates.
            conn.execute("PRAGMA wal_autocheckpoint=0")
            # When this connection's write lets the log start over (the first write
            # after a checkpoint copied all of it), the file is not truncated here: it
            # would hold this update as long as a long log takes. The checkpoint
            # thread truncates it, a step at a time (`_restart_log`), and `settle`
            # goes on until no page image older than the database's is left in it.
            conn.execute("PRAGMA journal_size_limit=-1")
            # The wipe promise rests on this: deleted rows are overwritten with
            # zeros instead of lingering in free pages. Refuse to run without it.
            secure = conn.execute("PRAGMA secure_delete=ON").fetchone()[0]
            if secure != 1:
                raise RuntimeError("this SQLite build cannot enable secure_delete")
            conn.execute("PRAGMA foreign_keys=ON")
            # Sorts and temporary tables stay in memory, never in temp files.
            conn.execute("PRAGMA temp_store=MEMORY")
            # Plugins could hook the connection that holds everyone's data.
            db = Database(conn, execute_plugins=False)
            apply_migrations(db, self._sealer)
            self.maybe_sent = frozenset(int(i) for (i,) in conn.execute(_MAYBE_SENT_SQL))
            self._db = db
            self._path = path
            # A crash can leave old frames in the log; start from an empty one.
            self._checkpoint()
        except BaseException:
            self._db = None
            conn.close()
            raise

    def _close_on_thread(self) -> None:
        db = self._database()
        try:
            self._checkpoint()
        finally:
            self._db = None
            db.close()

    def _checkpoint(self) -> None:
        _truncate_log(self._database().conn)

    def _load_payload(self, owner: str) -> bytes | None:
        db = self._database()
        row = db.execute("SELECT payload FROM sessions WHERE owner = ?", [owner]).fetchone()
        return None if row is None else bytes(row[0])

    def _is_processed(self, update_id: int) -> bool:
        row = (
            self._database()
            .execute("SELECT 1 FROM updates WHERE update_id = ?", [update_id])
            .fetchone()
        )
        return row is not None

    def _stored_draft(
        self, db: Database, owner: str
    ) -> tuple[_DraftClock | None, bytes | None]:
        row = db.execute("SELECT payload FROM sessions WHERE owner = ?", [owner]).fetchone()
        if row is None:
            return None, None
        try:
            clock, _body, draft = self._unseal_session(owner, bytes(row[0]))
        except (SealError, ValueError):
            return None, None  # unreadable: replaced by this update
        return clock, draft

    @staticmethod
    def _draft_clock(
        db: Database,
        owner: str,
        draft: bytes | None,
        stored: _DraftClock | None,
        stored_draft: bytes | None,
        timestamp: int,
        incoming: Sequence[int],
    ) -> _DraftClock | None:
        if draft is None:
            return None
        if stored is not None:
            # Unchanged answers (compared as canonical text) keep the clock, so the
            # draft ages from its last real change.
            updated = stored.updated if stored_draft == draft else timestamp
            return _DraftClock(stored.created, updated, stored.first_message)
        # A new draft: its messages are this update's own and every later one.
        if incoming:
            first = min(int(i) for i in incoming)
        else:
            row = db.execute(
                "SELECT coalesce(max(message_id), -1) + 1 FROM ledger WHERE owner = ?", [owner]
            ).fetchone()
            first = int(row[0])
        return _DraftClock(timestamp, timestamp, first)

    @staticmethod
    def _insert_ledger(db: Database, owner: str, message_ids: list[int], timestamp: int) -> None:
        if message_ids:
            db.conn.executemany(
                "INSERT OR IGNORE INTO ledger (owner, message_id, sent_at) VALUES (?, ?, ?)",
                [(owner, message_id, _ledger_time(timestamp)) for message_id in message_ids],
            )

    def _record_messages(self, owner: str, message_ids: list[int], timestamp: int) -> None:
        db = self._database()
        with _writing(db):
            self._insert_ledger(db, owner, message_ids, timestamp)

    def _ledger(self, owner: str) -> list[tuple[int, int]]:
        cursor = self._database().execute(
            "SELECT message_id, sent_at FROM ledger WHERE owner = ? ORDER BY message_id", [owner]
        )
        return [(int(message_id), int(sent_at)) for message_id, sent_at in cursor]

    def _forget_messages(self, owner: str, message_ids: list[int]) -> None:
        db = self._database()
        with _writing(db):
            db.conn.executemany(
                "DELETE FROM ledger WHERE owner = ? AND message_id = ?",
                [(owner, message_id) for message_id in message_ids],
            )

    def _set_autodelete(self, owner: str, chat: bytes, seconds: int | None, timestamp: int) -> None:
        db = self._database()
        with _writing(db):
            if seconds is None and not self._has_reminders(db, owner):
                db.execute("DELETE FROM chats WHERE owner = ?", [owner])
                return
            db.execute(
                """
                INSERT INTO chats (owner, chat, autodelete_seconds, updated_at)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (owner) DO UPDATE
                SET chat = excluded.chat,
                    autodelete_seconds = excluded.autodelete_seconds,
                    updated_at = excluded.updated_at
                """,
                [owner, chat, seconds, _session_time(timestamp)],
            )

    @staticmethod
    def _has_reminders(db: Database, owner: str) -> bool:
        row = db.execute("SELECT 1 FROM reminders WHERE owner = ? LIMIT 1", [owner]).fetchone()
        return row is not None

    def _autodelete_of(self, owner: str) -> int | None:
        row = (
            self._database()
            .execute("SELECT autodelete_seconds FROM chats WHERE owner = ?", [owner])
            .fetchone()
        )
        return None if row is None or row[0] is None else int(row[0])

    def _due_autodeletes(self, timestamp: int) -> list[tuple[str, bytes, list[int]]]:
        grouped: list[tuple[str, bytes, list[int]]] = []
        for owner, chat, message_id in self._database().execute(_DUE_AUTODELETES_SQL, [timestamp]):
            if not grouped or grouped[-1][0] != owner:
                grouped.append((str(owner), bytes(chat), []))
            grouped[-1][2].append(int(message_id))
        return grouped

    def _add_reminder(self, owner: str, blob: bytes, due_at: int) -> int:
        db = self._database()
        with _writing(db):
            # Reminders fire at 08:00 UTC on a day, so the clear hour loses nothing;
            # rounded up, a reminder never fires before its time (the exact time
            # is in the sealed blob, for the line that is sent).
            cursor = db.execute(
                "INSERT INTO reminders (owner, payload, due_at) VALUES (?, ?, ?)",
                [owner, blob, _ceil(due_at, HOUR)],
            )
        if cursor.lastrowid is None:  # pragma: no cover - an INSERT always sets it
            raise RuntimeError("the reminder was not stored")
        return cursor.lastrowid

    @staticmethod
    def _reminder_rows(cursor: Iterable[Any]) -> list[tuple[int, str, bytes]]:
        return [(int(i), str(owner), bytes(blob)) for i, owner, blob in cursor]

    def _reminders_of(self, owner: str) -> list[tuple[int, str, bytes]]:
        return self._reminder_rows(
            self._database().execute(
                "SELECT id, owner, payload FROM reminders WHERE owner = ? ORDER BY due_at, id",
                [owner],
            )
        )

    def _due_reminders(self, timestamp: int, limit: int = -1) -> list[tuple[int, str, bytes]]:
        return self._reminder_rows(
            self._database().execute(
                "SELECT id, owner, payload FROM reminders WHERE due_at <= ? "
                "ORDER BY due_at, id LIMIT ?",
                [timestamp, limit],
            )
        )

    def _cancel_reminder(self, owner: str, reminder_id: int) -> bool:
        db = self._database()
        with _writing(db):
            cursor = db.execute(
                "DELETE FROM reminders WHERE id = ? AND owner = ?", [reminder_id, owner]
            )
        return bool(cursor.rowcount)

    def _delete_reminder(self, reminder_id: int) -> None:
        db = self._database()
        with _writing(db):
            db.execute("DELETE FROM reminders WHERE id = ?", [reminder_id])

    @staticmethod
    def _add_counts(
        db: Database, week: str, counts: Iterable[tuple[tuple[str, str, str], int]]
    ) -> None:
        for (flow, step, event), count in counts:
            db.execute(
                """
                INSERT INTO stats (week, flow, step, event, count) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (week, flow, step, event) DO UPDATE
                SET count = count + excluded.count
                """,
                [week, flow, step, event, count],
            )

    def _delete_user(self, owner: str) -> None:
        db = self._database()
        with _writing(db):
            for table, column in OWNED_TABLES:
                # Names come from the constant above, never from input.
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", [owner])  # noqa: S608
            outbox.drop_sends_of(db.conn, owner)

    def _purge_batch(self, cutoffs: _Cutoffs, limit: int) -> PurgeCounts:
        """At most `limit` rows of each kind, in one short transaction."""
        db = self._database()
        conn = db.conn
        with _writing(db):
            owners = [
                str(owner)
                for (owner,) in conn.execute(
                    "SELECT owner FROM sessions WHERE updated_at < ? LIMIT ?",
                    [cutoffs.session, max(1, limit * PURGE_OWNERS // PURGE_BATCH)],
                )
            ]
            chats = sessions = ledger = 0
            for owner in owners:
                if not self._has_reminders(db, owner):
                    chats += conn.execute("DELETE FROM chats WHERE owner = ?", [owner]).rowcount
                ledger += conn.execute("DELETE FROM ledger WHERE owner = ?", [owner]).rowcount
                conn.execute("DELETE FROM ledger_old WHERE owner = ?", [owner])
                sessions += conn.execute("DELETE FROM sessions WHERE owner = ?", [owner]).rowcount
            # Chat rows of nobody (a wipe left reminders that have since fired).
            chats += conn.execute(
                """
                DELETE FROM chats WHERE owner IN (
                    SELECT owner FROM chats
                    WHERE updated_at < ?
                      AND owner NOT IN (SELECT owner FROM sessions)
                      AND owner NOT IN (SELECT owner FROM reminders)
                    LIMIT ?)
                """,
                [cutoffs.session, limit],
            ).rowcount
            updates = conn.execute(
                """
                DELETE FROM updates WHERE update_id IN (
                    SELECT update_id FROM updates WHERE seen_at < ? LIMIT ?)
                """,
                [cutoffs.update, limit],
            ).rowcount
            # Past 48 hours a message id is of no use to the bot: only how many
            # there were, so that a wipe can say how many to delete by hand.
            old = conn.execute(
                """
                SELECT owner, message_id FROM ledger
                WHERE sent_at < ? ORDER BY sent_at LIMIT ?
                """,
                [cutoffs.ledger, limit],
            ).fetchall()
            per_owner = Counter(str(owner) for owner, _ in old)
            for owner, count in per_owner.items():
                conn.execute(
                    """
                    INSERT INTO ledger_old (owner, count) VALUES (?, ?)
                    ON CONFLICT (owner) DO UPDATE SET count = count + excluded.count
                    """,
                    [owner, count],
                )
            conn.executemany(
                "DELETE FROM ledger WHERE owner = ? AND message_id = ?",
                [(owner, message_id) for owner, message_id in old],
            )
        return PurgeCounts(
            sessions=sessions,
            updates=int(updates),
            ledger=ledger + len(old),
            chats=chats,
        )

    def _expire_drafts_batch(self, cutoff: int, after: str, limit: int) -> tuple[str | None, int]:
        """Drop drafts unchanged since before `cutoff` from `limit` sessions after
        `after` (by owner); returns where to go on (None: done) and how many went.

        Which sessions hold a draft is sealed, so every session is opened: about
        a microsecond's AES per session, no parsing (the clock is the first line).
        """
        db = self._database()
        with _writing(db):
            rows = db.execute(
                "SELECT owner, payload FROM sessions WHERE owner > ? ORDER BY owner LIMIT ?",
                [after, limit],
            ).fetchall()
            removed = 0
            for owner, blob in rows:
                try:
                    clock, body, _draft = self._unseal_session(str(owner), bytes(blob))
                except (SealError, ValueError):
                    continue
                if clock is None or clock.updated >= cutoff:
                    continue
                # Re-sealed without it, to the same size; the session's clear time
                # stays as it was, so nothing on disk shows that a draft went.
                payload = self._sealer.seal(
                    _session_plaintext(body, None, None),
                    table="sessions",
                    field="payload",
                    owner=str(owner),
                )
                db.execute("UPDATE sessions SET payload = ? WHERE owner = ?", [payload, owner])
                removed += 1
        going_on = str(rows[-1][0]) if len(rows) == limit else None
        return going_on, removed

    def _stats_rows(self, min_count: int) -> list[tuple[str, str, str, str, int]]:
        cursor = self._database().execute(
            """
            SELECT week, flow, step, event, count FROM stats
            WHERE count >= ?
            ORDER BY week, flow, step, event
            """,
            [min_count],
        )
        return [(str(w), str(f), str(s), str(e), int(c)) for w, f, s, e, c in cursor]

    def _count_sessions(self) -> int:
        row = self._database().execute("SELECT count(*) FROM sessions").fetchone()
        return int(row[0])

    # -- stats retention -------------------------------------------------

    async def purge_stats(self, before: datetime, *, batch: int = 500) -> int:
        """Delete counters of ISO weeks that ended before `before`; returns how many.

        In batches of `batch` rows, each its own short transaction, so an update
        never waits behind one long delete.
        """
        cutoff = iso_week(before)
        removed = 0
        while True:
            done = await self._call(lambda: self._purge_stats_batch(cutoff, batch))
            removed += done
            if done < batch:
                return removed

    def _purge_stats_batch(self, cutoff: str, batch: int) -> int:
        db = self._database()
        with _writing(db):
            # "%G-W%V" strings sort as the weeks do; the week whose span holds the
            # cutoff is kept whole.
            cursor = db.execute(
                """
                DELETE FROM stats WHERE (week, flow, step, event) IN (
                    SELECT week, flow, step, event FROM stats WHERE week < ? LIMIT ?
                )
                """,
                [cutoff, batch],
            )
        return int(cursor.rowcount)
