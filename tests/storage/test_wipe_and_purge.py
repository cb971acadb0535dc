from __future__ import annotations

import itertools
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from flows.model import Answers, Session
from storage import store as store_module
from storage.crypto import Sealer
from storage.store import DB_FILE, OWNED_TABLES, PurgeCounts, Store, migrations

from .conftest import (
    CANARY,
    canary_forms,
    column_blob,
    data_files,
    int_forms,
    read_only,
    windows,
)

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MONTH = timedelta(days=30)

# Where each sealed value of a person lives: (table, column).
_SEALED = (
    ("sessions", "payload"),
    ("chats", "chat"),
    ("reminders", "payload"),
)


def _sealed_of(data_dir: Path, owner: str) -> set[bytes]:
    found: set[bytes] = set()
    with read_only(data_dir) as conn:
        for table, column in _SEALED:
            rows = conn.execute(f"SELECT {column} FROM {table} WHERE owner = ?", [owner])
            found.update(bytes(row[0]) for row in rows)
    return found


def _rows_of(data_dir: Path, owner: str) -> dict[str, int]:
    with read_only(data_dir) as conn:
        return {
            table: int(
                conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = ?", [owner]
                ).fetchone()[0]
            )
            for table, column in OWNED_TABLES
        }


def test_owned_tables_cover_every_table_with_an_owner(tmp_path: Path) -> None:
    db = Database(tmp_path / "schema.db")
    migrations.apply(db)
    with_owner = {t.name for t in db.tables if "owner" in t.columns_dict}
    # The inbox keeps the person's next updates (they still need an answer) and the
    # outbox its queued deletions (they still need doing): a wipe treats both apart.
    assert with_owner == {table for table, _ in OWNED_TABLES} | {"inbox", "outbox"}
    assert with_owner == {
        "sessions", "ledger", "chats", "reminders", "ledger_old", "inbox", "outbox"
    }
    db.close()


async def test_wipe_removes_every_trace(
    store: Store, data_dir: Path, sealer: Sealer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chat = 918273645501
    owner = sealer.pseudonym("telegram", chat)
    neighbours = [sealer.pseudonym("telegram", chat + i) for i in range(1, 4)]
    sealed: set[bytes] = set()

    async def commit(who: str, update_id: int, draft: dict[str, object] | None) -> None:
        session = Session(
            state="submit.facts", answers={"submission": Answers(name=CANARY)}, draft=draft
        )
        await store.commit_update(
            who, session, update_id=update_id, stats=[], now=NOW, incoming=[update_id]
        )

    # Everyone's rows interleaved, so the owner's share pages with others' and
    # the ledger splits across many pages of both the table and its index.
    for i in range(150):
        for who in [owner, *neighbours]:
            await store.record_messages(who, [10_000 + i], now=NOW - HOUR + timedelta(seconds=i))
    update_id = 0
    for round_ in range(3):
        for who in [owner, *neighbours]:
            update_id += 1
            await commit(who, update_id, {"facts": CANARY * (round_ + 1), "r": round_})
            await store.set_autodelete(who, chat if who == owner else 7, 3600 + round_)
            await store.add_reminder(who, chat if who == owner else 7, NOW, "follow_up", "es")
        sealed |= _sealed_of(data_dir, owner)
        if round_ == 1:
            await store.checkpoint()  # some versions in the file, later ones in the log
    assert len(sealed) >= 3 * 3  # session (with its draft), chat, reminder

    db_bytes = (data_dir / DB_FILE).read_bytes()
    wal_bytes = (data_dir / (DB_FILE + "-wal")).read_bytes()
    # Sanity: the scan can see what it looks for.
    assert owner.encode() in db_bytes and owner.encode() in wal_bytes
    assert any(w in db_bytes + wal_bytes for blob in sealed for w in windows(blob))
    assert sum(rows for rows in _rows_of(data_dir, owner).values()) > 100 + 4
    assert _rows_of(data_dir, owner)["ledger"] == 150 + 3

    await store.delete_user(owner)

    assert _rows_of(data_dir, owner) == {table: 0 for table, _ in OWNED_TABLES}
    files = data_files(data_dir)
    assert files.get(DB_FILE + "-wal", b"") == b""
    for name, content in files.items():
        assert owner.encode() not in content, name
        for blob in sealed:
            for window in windows(blob):
                assert window not in content, name
        for form in int_forms(chat):
            assert form not in content, name
    assert owner not in caplog.text and str(chat) not in caplog.text

    # The neighbours keep everything.
    for who in neighbours:
        assert who.encode() in files[DB_FILE]
        assert len(await store.ledger(who)) == 150 + 3
        loaded = await store.load_session(who)
        assert loaded is not None and loaded.draft == {"facts": CANARY * 3, "r": 2}
        assert await store.autodelete_of(who) == 3602
        assert [r.chat_id for r in await store.reminders_of(who)] == [7, 7, 7]
    for name, content in files.items():
        for form in canary_forms():
            assert form not in content, name


async def test_purge_counts(store: Store, data_dir: Path) -> None:
    old = NOW - 40 * 24 * HOUR
    draft = {"a": 1}
    # Idle sessions: one with a draft and a chat, one whose chat a reminder needs.
    await store.commit_update("idle", Session(draft=draft), update_id=1, stats=[], now=old)
    await store.set_autodelete("idle", 1, 60, now=old)
    await store.commit_update("idle2", Session(), update_id=2, stats=[], now=old)
    await store.set_autodelete("idle2", 2, 60, now=old)
    await store.add_reminder("idle2", 2, NOW + 24 * HOUR, "follow_up", "es")
    # A chat nobody's session holds, idle as long, without reminders.
    await store.set_autodelete("orphan", 3, 60, now=old)
    # Active: a draft untouched for 3 days, a chat, fresh and old messages.
    await store.commit_update(
        "active", Session(draft=draft), update_id=3, stats=[], now=NOW - 72 * HOUR
    )
    await store.commit_update(
        "active", Session(draft=draft, screen=0), update_id=4, stats=[], now=NOW
    )
    await store.set_autodelete("active", 4, 60, now=old)
    await store.record_messages("active", [1, 2], now=NOW - 49 * HOUR)
    await store.record_messages("active", [3], now=NOW - 47 * HOUR)
    await store.record_messages("idle", [1], now=old)

    purged = [column_blob(data_dir, "sessions", "payload", o) for o in ("idle", "idle2")]
    counts = await store.purge(NOW, session_max_age=MONTH)
    # The idle session's draft went with it (sealed inside): counted as a session.
    assert counts == PurgeCounts(sessions=2, drafts=1, updates=3, ledger=3, chats=2)

    assert await store.autodelete_of("idle") is None
    assert await store.autodelete_of("orphan") is None
    assert await store.autodelete_of("active") == 60  # its session is active
    assert [r.chat_id for r in await store.reminders_of("idle2")] == [2]
    assert await store.autodelete_of("idle2") == 60  # kept: a reminder remains
    assert [m for m, _ in await store.ledger("active")] == [3]
    loaded = await store.load_session("active")
    assert loaded == Session(draft=None, screen=0)
    assert not await store.is_processed(3)
    assert await store.is_processed(4)
    # The log starts over after a purge, without holding updates back: at most the
    # header page `settle` wrote is in it, and nothing of the purged rows is on disk.
    wal = (data_dir / (DB_FILE + "-wal")).read_bytes()
    assert len(wal) <= 32 + 24 + 4096
    for blob in purged:
        assert all(blob[:64] not in content for content in data_files(data_dir).values())

    assert await store.purge(NOW, session_max_age=MONTH) == PurgeCounts()


async def test_upgrade_from_first_migration(data_dir: Path, sealer: Sealer) -> None:
    # A database written before drafts, ledger, chats and reminders existed.
    data_dir.mkdir()
    db = Database(data_dir / DB_FILE)
    migrations.apply(db, stop_before="m002_drafts_ledger_chats_reminders")
    assert "drafts" not in db.table_names()
    old = Session(state="urgency.date", answers={"urgency": Answers(a=1)})
    payload = old.model_dump_json(exclude={"draft"}).encode()
    blob = sealer.seal(payload, table="sessions", field="payload", owner="o1")
    db.execute("INSERT INTO sessions VALUES ('o1', ?, 0)", [blob])
    db.close()

    store = await Store.open(data_dir, sealer)
    try:
        assert await store.load_session("o1") == old
        await store.record_messages("o1", [1], now=NOW)
        assert await store.ledger("o1") == [(1, NOW)]
    finally:
        await store.close()
    with read_only(data_dir) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == [
        "m001_initial",
        "m002_drafts_ledger_chats_reminders",
        "m003_inbox_outbox",
        "m004_seal_and_coarsen",
        "m005_chats_updated_at",
        "m006_ledger_keyboard",
    ]


def _log_size(data_dir: Path) -> int:
    log = data_dir / (DB_FILE + "-wal")
    return log.stat().st_size if log.exists() else 0


async def _busy_log(store: Store, owner: str) -> None:
    # Enough rows that the log is far longer than the one page `settle` leaves; the
    # background checkpoint after commits is held off, so only `settle` copies.
    if store._checkpointing is not None:
        await store._checkpointing
    store._checkpointed_at = float("inf")
    for i in range(40):
        await store.commit_update(owner, Session(screen=i), update_id=1000 + i, stats=[], now=NOW)


def _updates_after_checkpoints(
    store: Store, monkeypatch: pytest.MonkeyPatch, how_many: int
) -> list[int]:
    """Make an update commit right after each of the first `how_many` PASSIVE
    checkpoints of the store (before the write that would let the log start over);
    returns the list that counts the checkpoints."""
    real = store._in_thread
    seen: list[int] = []

    async def checkpoint_then_update(fn: object) -> object:
        result = await real(fn)  # type: ignore[arg-type]
        if fn is store_module._passive_checkpoint:
            seen.append(1)
            if len(seen) <= how_many:
                await store.commit_update(
                    "other", Session(screen=len(seen)), update_id=2000 + len(seen),
                    stats=[], now=NOW,
                )
        return result

    monkeypatch.setattr(store, "_in_thread", checkpoint_then_update)
    return seen


async def test_settle_starts_the_log_over_even_when_an_update_comes_in_between(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _busy_log(store, "someone")
    seen = _updates_after_checkpoints(store, monkeypatch, 1)
    assert _log_size(data_dir) > 8 * 4096
    await store.settle()
    assert len(seen) == 2  # the second pair found nothing written between its two steps
    assert 0 < _log_size(data_dir) <= 32 + 24 + 4096


async def test_settle_falls_back_to_truncate_when_updates_leave_no_gap(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _busy_log(store, "someone")
    seen = _updates_after_checkpoints(store, monkeypatch, store_module.SETTLE_TRIES)
    await store.settle()
    assert len(seen) == store_module.SETTLE_TRIES
    assert _log_size(data_dir) == 0  # the TRUNCATE emptied it


async def test_the_loop_connection_never_writes_to_start_the_log_over(
    store: Store, data_dir: Path
) -> None:
    # Starting over truncates the log, which costs about half a millisecond per MiB:
    # done by the loop's connection, a long log held every update that long.
    await _busy_log(store, "someone")
    written: list[str] = []
    store._database().conn.set_trace_callback(written.append)
    try:
        await store.settle()
    finally:
        store._database().conn.set_trace_callback(None)
    assert 0 < _log_size(data_dir) <= 32 + 24 + 4096
    assert written == []


async def test_the_log_stays_short_through_a_purge_while_updates_keep_writing(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each purge batch's first copy meets an update written during it: the log can
    # start over only at a later try, before the next batch.
    monkeypatch.setattr(store_module, "PURGE_LOG_AT", 1)  # after every batch
    old = NOW - 40 * 24 * HOUR
    store._checkpointed_at = float("inf")
    idle = store_module.PURGE_OWNERS * 6
    for i in range(idle):
        await store.commit_update(f"idle{i}", Session(draft={"a": "x" * 900}),
                                  update_id=i, stats=[], now=old)
    await store.checkpoint()
    sizes: list[int] = []
    fresh = {"batch": False}
    real_batch = store._purge_batch
    real_thread = store._in_thread

    def batch(*args: object) -> store_module.PurgeCounts:
        sizes.append(_log_size(data_dir))
        fresh["batch"] = True
        return real_batch(*args)  # type: ignore[arg-type]

    async def update_during_first_copy(fn: object) -> object:
        result = await real_thread(fn)  # type: ignore[arg-type]
        if fn is store_module._passive_checkpoint and fresh["batch"]:
            fresh["batch"] = False
            await store.commit_update("talker", Session(screen=len(sizes)),
                                      update_id=10_000 + len(sizes), stats=[], now=NOW)
        return result

    monkeypatch.setattr(store, "_purge_batch", batch)
    monkeypatch.setattr(store, "_in_thread", update_during_first_copy)
    counts = await store.purge(NOW, session_max_age=MONTH)
    assert counts.sessions == idle
    assert len(sizes) > 6
    # Every batch starts on a log that started over after the one before.
    assert max(sizes[1:]) <= 32 + 24 + 4096


async def test_a_purge_transaction_is_not_broken_by_the_log_starting_over_meanwhile(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The checkpoint thread writes to let the log start over. Were a transaction
    # that read first begun deferred, that write between its read and its own write
    # would make it fail ("database is locked") instead of waiting for it.
    old = NOW - 72 * HOUR
    store._checkpointed_at = float("inf")  # no background checkpoint meanwhile
    await store.commit_update("drafty", Session(draft={"a": 1}), update_id=1, stats=[], now=old)
    side = store._side_connection()
    side.execute("PRAGMA busy_timeout=50")
    attempts: list[bool] = []
    real_unseal = store._unseal_session

    def unseal_while_the_log_starts_over(owner: str, blob: bytes) -> object:
        # The purge's transaction holds the write lock: this write waits, then gives up.
        attempts.append(store._restart_log(side))
        return real_unseal(owner, blob)

    monkeypatch.setattr(store, "_unseal_session", unseal_while_the_log_starts_over)
    counts = await store.purge(NOW, session_max_age=MONTH)
    side.execute(f"PRAGMA busy_timeout={store_module.BUSY_TIMEOUT_MS}")
    assert counts.drafts == 1
    assert attempts == [False]
    loaded = await store.load_session("drafty")
    assert loaded is not None and loaded.draft is None


async def test_a_long_log_is_truncated_a_step_at_a_time(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each start-over truncates at most one step (an update waits while it does), and
    # `settle` goes on until only its own page is left.
    step = 16 * 4096
    monkeypatch.setattr(store_module, "LOG_TRUNCATE_STEP", step)
    await _busy_log(store, "someone")
    sizes = [_log_size(data_dir)]
    assert sizes[0] > 3 * step
    real = store._restart_log

    def restart(conn: sqlite3.Connection) -> bool:
        done = real(conn)
        sizes.append(_log_size(data_dir))
        return done

    monkeypatch.setattr(store, "_restart_log", restart)
    await store.settle()
    assert all(before - after <= step for before, after in itertools.pairwise(sizes))
    assert len(sizes) > 3
    assert 0 < sizes[-1] <= 32 + 24 + 4096


async def test_an_update_that_lets_the_log_start_over_does_not_truncate_it(
    store: Store, data_dir: Path
) -> None:
    await _busy_log(store, "someone")
    long = _log_size(data_dir)
    await store._in_thread(store_module._passive_checkpoint)
    # This update's write lets the fully copied log start over, on the loop.
    await store.commit_update("someone", Session(screen=99), update_id=5000, stats=[], now=NOW)
    assert _log_size(data_dir) == long
