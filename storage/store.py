"""Everything the bot keeps on disk, in one SQLite file.

One connection, opened inside one dedicated worker thread and used only there:
SQLite has a single writer anyway, and funnelling every call through one thread
gives a total order of reads and writes, so a session written for one update is
always what the next update of that person loads, even if an awaiting task was
cancelled after its write was queued.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from flows.model import CountStat, Session
from storage._fs import ensure_private_dir, ensure_private_file
from storage.crypto import Sealer, SealError

__all__ = [
    "DB_FILE",
    "OWNED_TABLES",
    "AutoDelete",
    "PurgeCounts",
    "Reminder",
    "Store",
    "StoreClosedError",
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
    ("drafts", "owner"),
    ("ledger", "owner"),
    ("chats", "owner"),
    ("reminders", "owner"),
)

# Stats must stay anonymous by construction: flows count fixed identifiers, and
# anything that looks like free text is refused rather than stored in clear.
_STAT_NAME_RE = re.compile(r"[A-Za-z0-9_.:/-]{0,64}")

# Reminders are stored with their kind and locale in clear (the scheduler must
# read them without the person), so both must be fixed identifiers, never text.
_KIND_RE = re.compile(r"[a-z0-9_]{1,32}")
# A language, optionally with one script or region subtag (at most 8 letters,
# as in BCP 47): "es", "ast", "pt_BR", "zh_Hans".
_LOCALE_RE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z]{1,8})?")

# Sealed payloads are padded to a multiple of this, so the size of a stored row
# does not tell how much someone typed. JSON ignores trailing whitespace.
_PAD_TO = 256

# A sealed chat id is padded to this many bytes, so an empty marker (terminal)
# and ids of any length all seal to the same size.
_CHAT_PAD = 32

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


# Due auto-deletes in one statement. CROSS JOIN pins chats as the outer loop
# (SQLite never reorders it): the few owners with auto-delete on, each followed
# by a range of the ledger's primary key, never a scan of the whole ledger.
_DUE_AUTODELETES_SQL = """
    SELECT c.owner, c.chat, l.message_id
    FROM chats AS c CROSS JOIN ledger AS l ON l.owner = c.owner
    WHERE c.autodelete_seconds IS NOT NULL
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


def _iso_week(moment: datetime) -> str:
    return _utc(moment).strftime("%G-W%V")


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


def _pad(data: bytes) -> bytes:
    return data + b" " * (-len(data) % _PAD_TO)


def _encode_session(session: Session) -> bytes:
    # The draft is stored in its own table; the session row never holds it.
    return _pad(session.model_copy(update={"draft": None}).model_dump_json().encode("utf-8"))


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


def _check_seconds(seconds: int | None) -> None:
    if seconds is not None and (isinstance(seconds, bool) or seconds <= 0):
        raise ValueError("auto-delete seconds must be a positive number, or None for off")


class Store:
    """The bot's storage. Create with `await Store.open(...)`, end with `await close()`."""

    def __init__(self, executor: ThreadPoolExecutor, sealer: Sealer) -> None:
        self._executor = executor
        self._sealer = sealer
        # Only ever touched on the worker thread.
        self._db: Database | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------

    @classmethod
    async def open(cls, data_dir: Path, sealer: Sealer) -> Store:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sp-storage")
        store = cls(executor, sealer)
        try:
            await store._call(lambda: store._open_on_thread(data_dir))
        except BaseException:
            store._closed = True
            executor.shutdown(wait=True)
            raise
        return store

    async def close(self) -> None:
        if self._closed:
            return
        try:
            await self._call(self._close_on_thread)
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
        blob, draft_blob = await self._call(lambda: self._load_payloads(owner))
        return self._opened(owner, blob, draft_blob)

    async def begin_update(self, owner: str, update_id: int | None) -> tuple[bool, Session | None]:
        """(already processed?, session) in one trip to the storage thread: the start of
        every update, so it is worth one thread hop less."""

        def read() -> tuple[bool, bytes | None, bytes | None]:
            if update_id is not None and self._is_processed(update_id):
                return True, None, None
            return False, *self._load_payloads(owner)

        processed, blob, draft_blob = await self._call(read)
        return processed, None if processed else self._opened(owner, blob, draft_blob)

    def _opened(self, owner: str, blob: bytes | None, draft_blob: bytes | None) -> Session | None:
        if blob is None:
            return None
        session = self._open_session(owner, blob)
        if session is None:
            return None
        session.draft = None if draft_blob is None else self._open_draft(owner, draft_blob)
        return session

    def _open_session(self, owner: str, blob: bytes) -> Session | None:
        try:
            plaintext = self._sealer.unseal(blob, table="sessions", field="payload", owner=owner)
        except SealError:
            logger.warning(
                "a stored session could not be opened (damaged, or sealed with another "
                "key); starting that conversation afresh"
            )
            return None
        try:
            return Session.model_validate_json(plaintext)
        except ValidationError:
            # Never log or re-raise the error itself: pydantic quotes the input,
            # which is what the person typed.
            logger.warning(
                "a stored session no longer fits the current format; starting that "
                "conversation afresh"
            )
            return None

    def _open_draft(self, owner: str, blob: bytes) -> dict[str, Any] | None:
        try:
            plaintext = self._sealer.unseal(blob, table="drafts", field="payload", owner=owner)
        except SealError:
            logger.warning(
                "a stored draft could not be opened (damaged, or sealed with another key); "
                "continuing without it"
            )
            return None
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
        moment = _now_or(now)
        counts = Counter(_check_stat(stat) for stat in stats)
        message_ids = [int(message_id) for message_id in incoming]
        payload: bytes | None = None
        draft: tuple[bytes, bytes] | None = None
        if session is not None:
            payload = self._sealer.seal(
                _encode_session(session), table="sessions", field="payload", owner=owner
            )
            if session.draft is not None:
                plaintext = _draft_json(session.draft)
                sealed = self._sealer.seal(
                    _pad(plaintext), table="drafts", field="payload", owner=owner
                )
                draft = (plaintext, sealed)
        return await self._call(
            lambda: self._commit(
                owner,
                payload,
                draft=draft,
                update_id=update_id,
                counts=counts,
                incoming=message_ids,
                week=_iso_week(moment),
                timestamp=int(moment.timestamp()),
            )
        )

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

        `kind` and `locale` are stored in clear, so only fixed identifiers are
        accepted (`ValueError` otherwise, without echoing the value).
        """
        if not isinstance(kind, str) or not _KIND_RE.fullmatch(kind):
            raise ValueError("a reminder kind must be a short identifier (a-z, 0-9, _)")
        if not isinstance(locale, str) or not _LOCALE_RE.fullmatch(locale):
            raise ValueError("a reminder locale must be a language code such as es or pt_BR")
        chat = self._sealer.seal(
            _encode_chat(chat_id), table="reminders", field="chat", owner=owner
        )
        timestamp = _timestamp(due_at)
        return await self._call(lambda: self._add_reminder(owner, chat, timestamp, kind, locale))

    async def reminders_of(self, owner: str) -> list[Reminder]:
        """The person's reminders, soonest first."""
        return self._open_reminders(await self._call(lambda: self._reminders_of(owner)))

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

    def _open_reminders(self, rows: list[tuple[int, str, bytes, int, str, str]]) -> list[Reminder]:
        reminders: list[Reminder] = []
        for reminder_id, owner, blob, due_at, kind, locale in rows:
            try:
                plaintext = self._sealer.unseal(blob, table="reminders", field="chat", owner=owner)
                chat_id = _decode_chat(plaintext)
            except (SealError, ValueError):
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
        """Delete every row of `owner` and push the bytes out of the files."""
        await self._call(lambda: self._delete_user(owner))

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
        return await self._call(lambda: self._purge(cutoffs))

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty the log."""
        await self._call(self._checkpoint)

    # -- reports ---------------------------------------------------------

    async def stats_rows(self, min_count: int = 1) -> list[tuple[str, str, str, str, int]]:
        """Counters as (week, flow, step, event, count); counts below `min_count`
        are left out, so a report cannot single out one person's path."""
        return await self._call(lambda: self._stats_rows(min_count))

    async def count_sessions(self) -> int:
        return await self._call(self._count_sessions)

    # -- worker thread ---------------------------------------------------

    async def _call(self, fn: Callable[[], T]) -> T:
        if self._closed:
            raise StoreClosedError("the store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn)

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
            migrations.apply(db)
            self._db = db
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
        busy, _log_frames, _done = (
            self._database().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        )
        if busy:
            # Another process is reading (e.g. the stats command): the log is
            # emptied at the next checkpoint instead.
            logger.warning("the write-ahead log could not be emptied now; will retry later")

    def _load_payloads(self, owner: str) -> tuple[bytes | None, bytes | None]:
        # One call on the worker, so the session and its draft are one snapshot.
        db = self._database()
        row = db.execute("SELECT payload FROM sessions WHERE owner = ?", [owner]).fetchone()
        if row is None:
            return None, None
        draft = db.execute("SELECT payload FROM drafts WHERE owner = ?", [owner]).fetchone()
        return bytes(row[0]), None if draft is None else bytes(draft[0])

    def _is_processed(self, update_id: int) -> bool:
        row = (
            self._database()
            .execute("SELECT 1 FROM updates WHERE update_id = ?", [update_id])
            .fetchone()
        )
        return row is not None

    def _commit(
        self,
        owner: str,
        payload: bytes | None,
        *,
        draft: tuple[bytes, bytes] | None,
        update_id: int | None,
        counts: Counter[tuple[str, str, str]],
        incoming: list[int],
        week: str,
        timestamp: int,
    ) -> bool:
        db = self._database()
        with db.atomic():
            if update_id is not None:
                # Recording the id first makes the duplicate check and the
                # write lock one statement: nothing else can slip in between.
                cursor = db.execute(
                    "INSERT OR IGNORE INTO updates (update_id, seen_at) VALUES (?, ?)",
                    [update_id, timestamp],
                )
                if cursor.rowcount == 0:
                    return False
            if payload is None:
                db.execute("DELETE FROM sessions WHERE owner = ?", [owner])
            else:
                db.execute(
                    """
                    INSERT INTO sessions (owner, payload, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (owner) DO UPDATE
                    SET payload = excluded.payload, updated_at = excluded.updated_at
                    """,
                    [owner, payload, timestamp],
                )
            self._write_draft(db, owner, draft, timestamp)
            self._insert_ledger(db, owner, incoming, timestamp)
            self._add_counts(db, week, counts.items())
        return True

    def _write_draft(
        self, db: Database, owner: str, draft: tuple[bytes, bytes] | None, timestamp: int
    ) -> None:
        if draft is None:
            db.execute("DELETE FROM drafts WHERE owner = ?", [owner])
            return
        plaintext, sealed = draft
        row = db.execute("SELECT payload FROM drafts WHERE owner = ?", [owner]).fetchone()
        if row is not None:
            # Unchanged answers keep the row as it is, so the draft ages from its
            # last real change. Comparing the opened plaintext adds nothing to
            # the disk (a stored hash would be one more value tied to the person).
            try:
                stored = self._sealer.unseal(
                    bytes(row[0]), table="drafts", field="payload", owner=owner
                )
            except SealError:
                stored = None  # unreadable: replaced below
            if stored is not None and stored.rstrip(b" ") == plaintext:
                return
        db.execute(
            """
            INSERT INTO drafts (owner, payload, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (owner) DO UPDATE
            SET payload = excluded.payload, updated_at = excluded.updated_at
            """,
            [owner, sealed, timestamp],
        )

    @staticmethod
    def _insert_ledger(db: Database, owner: str, message_ids: list[int], timestamp: int) -> None:
        if message_ids:
            db.conn.executemany(
                "INSERT OR IGNORE INTO ledger (owner, message_id, sent_at) VALUES (?, ?, ?)",
                [(owner, message_id, timestamp) for message_id in message_ids],
            )

    def _record_messages(self, owner: str, message_ids: list[int], timestamp: int) -> None:
        db = self._database()
        with db.atomic():
            self._insert_ledger(db, owner, message_ids, timestamp)

    def _ledger(self, owner: str) -> list[tuple[int, int]]:
        cursor = self._database().execute(
            "SELECT message_id, sent_at FROM ledger WHERE owner = ? ORDER BY message_id", [owner]
        )
        return [(int(message_id), int(sent_at)) for message_id, sent_at in cursor]

    def _forget_messages(self, owner: str, message_ids: list[int]) -> None:
        db = self._database()
        with db.atomic():
            db.conn.executemany(
                "DELETE FROM ledger WHERE owner = ? AND message_id = ?",
                [(owner, message_id) for message_id in message_ids],
            )

    def _set_autodelete(self, owner: str, chat: bytes, seconds: int | None, timestamp: int) -> None:
        db = self._database()
        with db.atomic():
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
                [owner, chat, seconds, timestamp],
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

    def _add_reminder(self, owner: str, chat: bytes, due_at: int, kind: str, locale: str) -> int:
        db = self._database()
        with db.atomic():
            cursor = db.execute(
                """
                INSERT INTO reminders (owner, chat, due_at, kind, locale)
                VALUES (?, ?, ?, ?, ?)
                """,
                [owner, chat, due_at, kind, locale],
            )
        if cursor.lastrowid is None:  # pragma: no cover - an INSERT always sets it
            raise RuntimeError("the reminder was not stored")
        return cursor.lastrowid

    @staticmethod
    def _reminder_rows(cursor: Iterable[Any]) -> list[tuple[int, str, bytes, int, str, str]]:
        return [
            (int(i), str(owner), bytes(chat), int(due_at), str(kind), str(locale))
            for i, owner, chat, due_at, kind, locale in cursor
        ]

    def _reminders_of(self, owner: str) -> list[tuple[int, str, bytes, int, str, str]]:
        return self._reminder_rows(
            self._database().execute(
                """
                SELECT id, owner, chat, due_at, kind, locale FROM reminders
                WHERE owner = ? ORDER BY due_at, id
                """,
                [owner],
            )
        )

    def _due_reminders(self, timestamp: int) -> list[tuple[int, str, bytes, int, str, str]]:
        return self._reminder_rows(
            self._database().execute(
                """
                SELECT id, owner, chat, due_at, kind, locale FROM reminders
                WHERE due_at <= ? ORDER BY due_at, id
                """,
                [timestamp],
            )
        )

    def _cancel_reminder(self, owner: str, reminder_id: int) -> bool:
        db = self._database()
        with db.atomic():
            cursor = db.execute(
                "DELETE FROM reminders WHERE id = ? AND owner = ?", [reminder_id, owner]
            )
        return bool(cursor.rowcount)

    def _delete_reminder(self, reminder_id: int) -> None:
        db = self._database()
        with db.atomic():
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
        with db.atomic():
            for table, column in OWNED_TABLES:
                # Names come from the constant above, never from input.
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", [owner])  # noqa: S608
        # secure_delete zeroes the rows in the database pages, but the log
        # still holds earlier page images until it is checkpointed and emptied.
        self._checkpoint()

    def _purge(self, cutoffs: _Cutoffs) -> PurgeCounts:
        db = self._database()
        with db.atomic():
            # Chats and drafts of the sessions about to go, while those are
            # still there to be found by the session index.
            chats = db.execute(
                """
                DELETE FROM chats
                WHERE owner NOT IN (SELECT owner FROM reminders)
                  AND (owner IN (SELECT owner FROM sessions WHERE updated_at < :cut)
                       OR (updated_at < :cut AND owner NOT IN (SELECT owner FROM sessions)))
                """,
                {"cut": cutoffs.session},
            ).rowcount
            drafts = db.execute(
                """
                DELETE FROM drafts
                WHERE owner IN (SELECT owner FROM sessions WHERE updated_at < ?)
                """,
                [cutoffs.session],
            ).rowcount
            sessions = db.execute(
                "DELETE FROM sessions WHERE updated_at < ?", [cutoffs.session]
            ).rowcount
            drafts += db.execute(
                "DELETE FROM drafts WHERE updated_at < ?", [cutoffs.draft]
            ).rowcount
            updates = db.execute("DELETE FROM updates WHERE seen_at < ?", [cutoffs.update]).rowcount
            ledger = db.execute("DELETE FROM ledger WHERE sent_at < ?", [cutoffs.ledger]).rowcount
        self._checkpoint()
        return PurgeCounts(
            sessions=int(sessions),
            drafts=int(drafts),
            updates=int(updates),
            ledger=int(ledger),
            chats=int(chats),
        )

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
        cutoff = _iso_week(before)
        removed = 0
        while True:
            done = await self._call(lambda: self._purge_stats_batch(cutoff, batch))
            removed += done
            if done < batch:
                return removed

    def _purge_stats_batch(self, cutoff: str, batch: int) -> int:
        db = self._database()
        with db.atomic():
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
