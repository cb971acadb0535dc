"""Everything the bot keeps on disk, in one SQLite file.

One connection, opened inside one dedicated worker thread and used only there:
SQLite has a single writer anyway, and funnelling every call through one thread
gives a total order of reads and writes, so a session written for one update is
always what the next update of that person loads, even if an awaiting task was
cancelled after its write was queued.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from pydantic import ValidationError
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from flows.model import CountStat, Session
from storage._fs import ensure_private_dir, ensure_private_file
from storage.crypto import Sealer, SealError

__all__ = ["DB_FILE", "OWNED_TABLES", "Store", "StoreClosedError", "migrations"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DB_FILE = "sp-advisor.db"
BUSY_TIMEOUT_MS = 5_000

# Every (table, owner column) holding rows of one person. `delete_user` wipes
# exactly these, so a new per-person table is only wiped if it is listed here.
OWNED_TABLES: tuple[tuple[str, str], ...] = (("sessions", "owner"),)

# Stats must stay anonymous by construction: flows count fixed identifiers, and
# anything that looks like free text is refused rather than stored in clear.
_STAT_NAME_RE = re.compile(r"[A-Za-z0-9_.:/-]{0,64}")

# Sealed payloads are padded to a multiple of this, so the size of a stored row
# does not tell how much someone typed. JSON ignores trailing whitespace.
_PAD_TO = 256

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


class StoreClosedError(RuntimeError):
    """The store was used after `close()`."""


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


def _encode_session(session: Session) -> bytes:
    data = session.model_dump_json().encode("utf-8")
    return data + b" " * (-len(data) % _PAD_TO)


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
        blob = await self._call(lambda: self._load_payload(owner))
        if blob is None:
            return None
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
    ) -> bool:
        """Store the outcome of one update in one transaction.

        Returns False, changing nothing, when `update_id` was already committed
        (Telegram redelivers updates after a crash or a timeout). A `None`
        session deletes the person's session row.
        """
        moment = _utc(now) if now is not None else datetime.now(UTC)
        counts = Counter(_check_stat(stat) for stat in stats)
        payload = (
            None
            if session is None
            else self._sealer.seal(
                _encode_session(session), table="sessions", field="payload", owner=owner
            )
        )
        return await self._call(
            lambda: self._commit(
                owner,
                payload,
                update_id=update_id,
                counts=counts,
                week=_iso_week(moment),
                timestamp=int(moment.timestamp()),
            )
        )

    async def delete_user(self, owner: str) -> None:
        """Delete every row of `owner` and push the bytes out of the files."""
        await self._call(lambda: self._delete_user(owner))

    async def purge(
        self,
        now: datetime,
        *,
        session_max_age: timedelta,
        update_max_age: timedelta = timedelta(days=2),
    ) -> int:
        """Delete sessions idle longer than `session_max_age` and old update ids.

        Returns the number of sessions removed.
        """
        moment = _utc(now)
        session_cutoff = int((moment - session_max_age).timestamp())
        update_cutoff = int((moment - update_max_age).timestamp())
        return await self._call(lambda: self._purge(session_cutoff, update_cutoff))

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

    def _load_payload(self, owner: str) -> bytes | None:
        row = (
            self._database()
            .execute("SELECT payload FROM sessions WHERE owner = ?", [owner])
            .fetchone()
        )
        return None if row is None else bytes(row[0])

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
        update_id: int | None,
        counts: Counter[tuple[str, str, str]],
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
            self._add_counts(db, week, counts.items())
        return True

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

    def _purge(self, session_cutoff: int, update_cutoff: int) -> int:
        db = self._database()
        with db.atomic():
            removed = db.execute(
                "DELETE FROM sessions WHERE updated_at < ?", [session_cutoff]
            ).rowcount
            db.execute("DELETE FROM updates WHERE seen_at < ?", [update_cutoff])
        self._checkpoint()
        return removed

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
