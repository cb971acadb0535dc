from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from flows.model import Answers, CountStat, Session
from storage.crypto import Sealer
from storage.store import DB_FILE, Store, StoreClosedError

from .conftest import CANARY, canary_forms, data_files

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)  # ISO week 2025-W11


def _session(**answers: object) -> Session:
    return Session(
        state="urgency.date",
        history=["menu", "urgency.timing"],
        answers={"urgency": Answers(**answers)},
        screen=0,
    )


def _stat(event: str = "shown", step: str = "timing") -> CountStat:
    return CountStat(flow="urgency", step=step, event=event)


@contextlib.contextmanager
def _read_only(data_dir: Path) -> Iterator[sqlite3.Connection]:
    # A second connection, as an inspector would open; closed at once so it
    # never holds a snapshot that would block the store's checkpoints.
    conn = sqlite3.connect(f"file:{data_dir / DB_FILE}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def _payload(data_dir: Path, owner: str) -> bytes:
    with _read_only(data_dir) as conn:
        row = conn.execute("SELECT payload FROM sessions WHERE owner = ?", [owner]).fetchone()
    return bytes(row[0])


def _write(data_dir: Path, sql: str, blob: bytes) -> None:
    conn = sqlite3.connect(data_dir / DB_FILE, isolation_level=None)
    try:
        conn.execute(sql, [blob])
    finally:
        conn.close()


# -- lifecycle and files -------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
async def test_files_are_private(tmp_path: Path, sealer: Sealer) -> None:
    data_dir = tmp_path / "data"
    store = await Store.open(data_dir, sealer)
    await store.commit_update("o1", _session(), update_id=1, stats=[])
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm"):
        path = data_dir / name
        assert path.exists(), name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    await store.close()


async def test_pragmas_and_schema(store: Store, data_dir: Path) -> None:
    def pragmas() -> dict[str, object]:
        db = store._database()
        names = ("secure_delete", "synchronous", "foreign_keys", "busy_timeout", "temp_store")
        return {name: db.execute(f"PRAGMA {name}").fetchone()[0] for name in names}

    assert await store._call(pragmas) == {
        "secure_delete": 1,
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "temp_store": 2,  # MEMORY
    }
    await store.checkpoint()
    with _read_only(data_dir) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sessions", "updates", "stats", "_sqlite_migrations"} <= tables
        stats_columns = [r[1] for r in conn.execute("PRAGMA table_info(stats)")]
    assert stats_columns == ["week", "flow", "step", "event", "count"]
    assert not any("owner" in c or "user" in c for c in stats_columns)


async def test_db_calls_run_on_the_loop_thread_and_checkpoints_beside_it(store: Store) -> None:
    # Statements of an update run where the update runs (no thread hop); the slow
    # checkpoint runs on its own thread with its own connection.
    here = threading.current_thread().name
    names = {await store._call(lambda: threading.current_thread().name) for _ in range(3)}
    assert names == {here}
    side = await store._in_thread(lambda conn: threading.current_thread().name)
    assert side.startswith("sp-checkpoint")


async def test_close_is_idempotent_and_final(store: Store) -> None:
    await store.close()
    await store.close()
    with pytest.raises(StoreClosedError):
        await store.count_sessions()


async def test_reopen_applies_migrations_once(data_dir: Path, sealer: Sealer) -> None:
    for _ in range(2):
        store = await Store.open(data_dir, sealer)
        await store.close()
    with _read_only(data_dir) as conn:
        # One row per migration (m001 to m006), each applied once.
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 6


# -- sessions --------------------------------------------------------------


async def test_session_round_trip(store: Store) -> None:
    assert await store.load_session("o1") is None
    session = _session(country="Narnia", count=3, nested={"a": [1, 2]})
    session.locale = "ar"
    session.screen = 7
    assert await store.commit_update("o1", session, update_id=10, stats=[], now=NOW)
    assert await store.load_session("o1") == session
    assert await store.load_session("o2") is None
    assert await store.count_sessions() == 1


async def test_session_survives_restart(data_dir: Path, sealer: Sealer, master_key: bytes) -> None:
    store = await Store.open(data_dir, sealer)
    session = _session(timing="now")
    await store.commit_update("o1", session, update_id=1, stats=[_stat()])
    await store.close()

    reopened = await Store.open(data_dir, Sealer(master_key))
    try:
        assert await reopened.load_session("o1") == session
        assert await reopened.is_processed(1)
        updated = session.model_copy(update={"state": "urgency.result"})
        assert await reopened.commit_update("o1", updated, update_id=2, stats=[])
        assert await reopened.load_session("o1") == updated
    finally:
        await reopened.close()


async def test_session_none_deletes(store: Store) -> None:
    await store.commit_update("o1", _session(), update_id=1, stats=[])
    assert await store.commit_update("o1", None, update_id=2, stats=[_stat("wiped")])
    assert await store.load_session("o1") is None
    assert await store.count_sessions() == 0


async def test_commit_without_update_id(store: Store) -> None:
    assert await store.commit_update("o1", _session(), update_id=None, stats=[])
    assert await store.commit_update("o1", _session(a=1), update_id=None, stats=[])
    assert await store.load_session("o1") == _session(a=1)


async def test_wrong_key_loads_nothing(
    data_dir: Path, sealer: Sealer, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(data_dir, sealer)
    await store.commit_update("owner-x", _session(), update_id=1, stats=[])
    await store.close()
    other = await Store.open(data_dir, Sealer(os.urandom(32)))
    try:
        assert await other.load_session("owner-x") is None
    finally:
        await other.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "owner-x" not in caplog.text


async def test_session_moved_to_another_owner_does_not_open(
    store: Store, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await store.commit_update("victim", _session(secret="x"), update_id=1, stats=[])
    await store.checkpoint()
    # Simulate someone copying a sealed payload into another person's row.
    _write(data_dir, "INSERT INTO sessions VALUES ('attacker', ?, 0)", _payload(data_dir, "victim"))
    assert await store.load_session("attacker") is None
    assert "attacker" not in caplog.text and "victim" not in caplog.text


async def test_payload_no_longer_valid_is_dropped_quietly(
    store: Store, sealer: Sealer, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bad = sealer.seal(
        b'{"state": ["' + CANARY.encode() + b'"]}', table="sessions", field="payload", owner="o1"
    )
    _write(data_dir, "INSERT INTO sessions VALUES ('o1', ?, 0)", bad)
    assert await store.load_session("o1") is None
    assert CANARY not in caplog.text
    assert "no longer fits" in caplog.text


async def test_stored_size_does_not_track_text_length(store: Store, data_dir: Path) -> None:
    # A filler puts the short one at the start of a padding block, whatever the
    # session's own fields weigh.
    filler = "-" * ((1 - len(_session(x="hi", y="").model_dump_json())) % 256)
    short, longer = _session(x="hi", y=filler), _session(x="hi there, a bit longer", y=filler)
    await store.commit_update("a", short, update_id=None, stats=[])
    await store.commit_update("b", longer, update_id=None, stats=[])
    await store.checkpoint()
    with _read_only(data_dir) as conn:
        sizes = {r[0] for r in conn.execute("SELECT length(payload) FROM sessions")}
    assert len(sizes) == 1


async def test_concurrent_commits_all_land(store: Store) -> None:
    results = await asyncio.gather(
        *(
            store.commit_update(f"o{i}", _session(i=i), update_id=i, stats=[_stat()], now=NOW)
            for i in range(50)
        )
    )
    assert all(results)
    assert await store.count_sessions() == 50
    assert await store.stats_rows() == [("2025-W11", "urgency", "timing", "shown", 50)]


# -- redelivered updates ---------------------------------------------------


async def test_redelivered_update_changes_nothing(store: Store) -> None:
    first = _session(answer="first")
    assert not await store.is_processed(77)
    assert await store.commit_update("o1", first, update_id=77, stats=[_stat()], now=NOW)
    assert await store.is_processed(77)

    second = _session(answer="second")
    again = await store.commit_update(
        "o1", second, update_id=77, stats=[_stat(), _stat("other")], now=NOW
    )
    assert again is False
    assert await store.load_session("o1") == first
    assert await store.stats_rows() == [("2025-W11", "urgency", "timing", "shown", 1)]

    # A redelivered "delete" must not delete either.
    assert await store.commit_update("o1", None, update_id=77, stats=[]) is False
    assert await store.load_session("o1") == first


# -- stats -----------------------------------------------------------------


async def test_stats_accumulate_per_iso_week(store: Store) -> None:
    monday = datetime(2024, 12, 30, 0, 0, 1, tzinfo=UTC)  # belongs to 2025-W01
    sunday_before = datetime(2024, 12, 29, 23, 59, tzinfo=UTC)  # 2024-W52
    for i, when in enumerate([monday, monday, sunday_before]):
        await store.commit_update(
            "o1", _session(), update_id=i, stats=[_stat(), _stat("back")], now=when
        )
    await store.commit_update("o2", None, update_id=9, stats=[_stat(), _stat()], now=monday)
    assert await store.stats_rows() == [
        ("2024-W52", "urgency", "timing", "back", 1),
        ("2024-W52", "urgency", "timing", "shown", 1),
        ("2025-W01", "urgency", "timing", "back", 2),
        ("2025-W01", "urgency", "timing", "shown", 4),
    ]


async def test_stats_week_uses_utc(store: Store) -> None:
    plus5 = timezone(timedelta(hours=5))
    # Monday 02:00 at +05:00 is still Sunday 21:00 UTC: week 1, not week 2.
    await store.commit_update(
        "o", None, update_id=None, stats=[_stat()], now=datetime(2025, 1, 6, 2, 0, tzinfo=plus5)
    )
    # Monday 06:00 at +05:00 is Monday 01:00 UTC: week 2.
    await store.commit_update(
        "o", None, update_id=None, stats=[_stat()], now=datetime(2025, 1, 6, 6, 0, tzinfo=plus5)
    )
    # A naive datetime is taken as UTC.
    await store.commit_update(
        "o", None, update_id=None, stats=[_stat()], now=datetime(2025, 1, 5, 23, 0)
    )
    assert await store.stats_rows() == [
        ("2025-W01", "urgency", "timing", "shown", 2),
        ("2025-W02", "urgency", "timing", "shown", 1),
    ]


async def test_small_counts_are_suppressed(store: Store) -> None:
    stats = [_stat("shown")] * 5 + [_stat("rare")]
    await store.commit_update("o1", None, update_id=1, stats=stats, now=NOW)
    assert await store.stats_rows(min_count=5) == [("2025-W11", "urgency", "timing", "shown", 5)]
    assert await store.stats_rows(min_count=6) == []
    assert len(await store.stats_rows()) == 2


async def test_free_text_in_stats_is_refused(store: Store) -> None:
    with pytest.raises(ValueError) as info:
        await store.commit_update(
            "o1", _session(), update_id=1, stats=[_stat(event=CANARY)], now=NOW
        )
    assert CANARY not in str(info.value)
    # Refused before anything was written.
    assert not await store.is_processed(1)
    assert await store.load_session("o1") is None
    assert await store.stats_rows() == []


# -- retention -------------------------------------------------------------


async def test_purge_removes_idle_sessions_only(store: Store) -> None:
    old = NOW - timedelta(days=40)
    await store.commit_update("idle", _session(), update_id=1, stats=[], now=old)
    await store.commit_update("active", _session(), update_id=2, stats=[], now=NOW)
    counts = await store.purge(NOW + timedelta(hours=1), session_max_age=timedelta(days=30))
    removed = counts.sessions
    assert removed == 1
    assert await store.load_session("idle") is None
    assert await store.load_session("active") == _session()
    assert await store.count_sessions() == 1
    # Old update ids go, recent ones stay (redelivery protection still works).
    assert not await store.is_processed(1)
    assert await store.is_processed(2)
    assert (await store.purge(NOW, session_max_age=timedelta(days=30))).sessions == 0


# -- the canary: what a user typed never lies on disk or in logs in clear ---


async def test_canary_never_in_clear(
    tmp_path: Path, sealer: Sealer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    raw_user_id = 918273645501
    owner = sealer.pseudonym("telegram", raw_user_id)
    store = await Store.open(data_dir, sealer)
    session = _session(victim=CANARY, note=f"call {CANARY} at dawn", list=[CANARY])
    await store.commit_update(owner, session, update_id=5, stats=[_stat()], now=NOW)
    # Several versions, so old page images pile up in the write-ahead log.
    for i in range(3):
        session.answers[f"more{i}"] = Answers(text=CANARY * (i + 1))
        await store.commit_update(owner, session, update_id=6 + i, stats=[], now=NOW)
    assert await store.load_session(owner) == session

    def check() -> None:
        files = data_files(data_dir)
        assert DB_FILE in files and DB_FILE + "-wal" in files and DB_FILE + "-shm" in files
        assert len(files[DB_FILE + "-wal"]) > 0  # the log really has content
        for name, content in files.items():
            for form in canary_forms():
                assert form not in content, name
            assert str(raw_user_id).encode() not in content, name

    check()  # live, with data still in the log
    await store.close()
    check_closed = data_files(data_dir)
    for name, content in check_closed.items():
        for form in canary_forms():
            assert form not in content, name

    assert CANARY not in caplog.text
    assert owner not in caplog.text
    assert str(raw_user_id) not in caplog.text
    for record in caplog.records:
        assert CANARY not in repr(record.args)


# -- wipe: the bytes leave the files ---------------------------------------


@pytest.mark.parametrize("size", [1, 400])  # 400 copies overflow several pages
async def test_wipe_removes_every_byte(
    store: Store, data_dir: Path, sealer: Sealer, caplog: pytest.LogCaptureFixture, size: int
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = sealer.pseudonym("telegram", 5550001)
    neighbour = sealer.pseudonym("telegram", 5550002)
    await store.commit_update(owner, _session(name=CANARY * size), update_id=1, stats=[], now=NOW)
    first_blob = _payload(data_dir, owner)
    await store.commit_update(neighbour, _session(name="other"), update_id=2, stats=[], now=NOW)
    await store.commit_update(
        owner, _session(name=CANARY * size, step=2), update_id=3, stats=[_stat()], now=NOW
    )
    blob = _payload(data_dir, owner)
    await store.checkpoint()
    db_bytes = (data_dir / DB_FILE).read_bytes()
    assert blob[1:33] in db_bytes  # sanity: the scan can see sealed bytes
    assert owner.encode() in db_bytes

    await store.delete_user(owner)

    files = data_files(data_dir)
    assert files.get(DB_FILE + "-wal", b"") == b""
    for name, content in files.items():
        assert owner.encode() not in content, name
        # Any 32-byte window of every sealed version (nonce + ciphertext).
        for sealed in (first_blob, blob):
            for start in range(1, len(sealed) - 32, 97):
                assert sealed[start : start + 32] not in content, name
        for form in canary_forms():
            assert form not in content, name

    assert await store.load_session(owner) is None
    assert await store.load_session(neighbour) == _session(name="other")
    assert await store.stats_rows() == [("2025-W11", "urgency", "timing", "shown", 1)]
    assert owner not in caplog.text


async def test_begin_update_reads_processed_flag_and_session_together(tmp_path: Path) -> None:
    from storage.crypto import Sealer

    store = await Store.open(tmp_path, Sealer(bytes(32)))
    try:
        assert await store.begin_update("owner", 7) == (False, None)
        session = Session(state="menu.main", answers={"menu": Answers(x=1)})
        assert await store.commit_update("owner", session, update_id=7, stats=[])
        assert await store.begin_update("owner", 7) == (True, None)
        processed, loaded = await store.begin_update("owner", 8)
        assert not processed and loaded is not None
        assert loaded.answers["menu"].model_dump() == {"x": 1}
    finally:
        await store.close()
