from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.model import Answers, Session
from storage.crypto import Sealer
from storage.store import Store

from .conftest import CANARY, canary_forms, column_blob, data_files, read_only, write_sql

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
MONTH = timedelta(days=30)


def _session(draft: dict[str, Any] | None = None, **answers: object) -> Session:
    given = {"submission": Answers(**answers)} if answers else {}
    return Session(
        state="submit.facts", history=["menu"], answers=given, draft=draft, screen=0
    )


def _draft_row(data_dir: Path, owner: str, sealer: Sealer) -> tuple[bytes, int] | None:
    """(the draft's JSON, its last change), as sealed inside the session, or None."""
    with read_only(data_dir) as conn:
        row = conn.execute("SELECT payload FROM sessions WHERE owner = ?", [owner]).fetchone()
    if row is None:
        return None
    plain = sealer.unseal(bytes(row[0]), table="sessions", field="payload", owner=owner)
    head, _body, draft = plain.rstrip(b" ").split(b"\n", 2)
    if not draft:
        return None
    return draft, int(json.loads(head)["u"])


async def test_draft_round_trip_and_kept_apart(
    store: Store, data_dir: Path, sealer: Sealer
) -> None:
    draft = {"victim": "A. B.", "dates": ["2025-03-01"], "nested": {"n": 1, "ok": True}}
    session = _session(draft, country="Narnia")
    assert await store.commit_update("o1", session, update_id=1, stats=[], now=NOW)
    assert await store.load_session("o1") == session
    # The draft is sealed inside the session's row, with its own clock; no other
    # row tells that it exists.
    row = _draft_row(data_dir, "o1", sealer)
    assert row is not None and row[1] == int(NOW.timestamp())
    assert b"victim" in row[0]
    blob = column_blob(data_dir, "sessions", "payload", "o1")
    assert len(blob) == 4096 + 1 + 12 + 16  # padded: version, nonce, tag around 4 KiB


async def test_unchanged_draft_keeps_its_time_and_bytes(
    store: Store, data_dir: Path, sealer: Sealer
) -> None:
    draft = {"b": 2, "a": 1}
    await store.commit_update("o1", _session(draft), update_id=1, stats=[], now=NOW)
    first = _draft_row(data_dir, "o1", sealer)
    # Same answers, other key order, other session state, later: untouched.
    later = NOW + timedelta(hours=5)
    session = _session({"a": 1, "b": 2}, step=3)
    await store.commit_update("o1", session, update_id=2, stats=[], now=later)
    assert _draft_row(data_dir, "o1", sealer) == first
    loaded = await store.load_session("o1")
    assert loaded is not None and loaded.answers["submission"].model_dump() == {"step": 3}
    # A real change moves the clock and re-seals.
    await store.commit_update("o1", _session({"a": 1, "b": 3}), update_id=3, stats=[], now=later)
    changed = _draft_row(data_dir, "o1", sealer)
    assert changed is not None and first is not None
    assert changed[1] == int(later.timestamp())
    assert changed[0] != first[0]


async def test_value_changing_type_counts_as_change(store: Store) -> None:
    # True == 1 in Python; as an answer they differ.
    await store.commit_update("o1", _session({"a": 1}), update_id=1, stats=[], now=NOW)
    await store.commit_update("o1", _session({"a": True}), update_id=2, stats=[], now=NOW)
    loaded = await store.load_session("o1")
    assert loaded is not None and loaded.draft == {"a": True}
    assert loaded.draft["a"] is True


async def test_draft_none_deletes_the_draft(store: Store, data_dir: Path, sealer: Sealer) -> None:
    await store.commit_update("o1", _session({"a": 1}), update_id=1, stats=[], now=NOW)
    assert _draft_row(data_dir, "o1", sealer) is not None
    await store.commit_update("o1", _session(None), update_id=2, stats=[], now=NOW)
    assert _draft_row(data_dir, "o1", sealer) is None
    loaded = await store.load_session("o1")
    assert loaded is not None and loaded.draft is None
    # Deleting the session takes its draft too.
    await store.commit_update("o1", _session({"a": 2}), update_id=3, stats=[], now=NOW)
    await store.commit_update("o1", None, update_id=4, stats=[], now=NOW)
    assert _draft_row(data_dir, "o1", sealer) is None


async def test_redelivered_update_leaves_draft(
    store: Store, data_dir: Path, sealer: Sealer
) -> None:
    await store.commit_update("o1", _session({"a": 1}), update_id=1, stats=[], now=NOW)
    before = _draft_row(data_dir, "o1", sealer)
    later = NOW + timedelta(hours=1)
    assert not await store.commit_update("o1", _session({"a": 9}), update_id=1, stats=[], now=later)
    assert not await store.commit_update("o1", _session(None), update_id=1, stats=[], now=later)
    assert _draft_row(data_dir, "o1", sealer) == before


async def test_draft_purged_after_48h_while_session_stays(
    store: Store, data_dir: Path, sealer: Sealer
) -> None:
    draft = {"facts": "…"}
    await store.commit_update("o1", _session(draft), update_id=1, stats=[], now=NOW)
    # Active again 30 h later without touching the draft: it still ages from NOW.
    await store.commit_update(
        "o1", _session(draft, x=1), update_id=2, stats=[], now=NOW + timedelta(hours=30)
    )
    counts = await store.purge(NOW + timedelta(hours=47), session_max_age=MONTH)
    assert counts.drafts == 0
    counts = await store.purge(NOW + timedelta(hours=49), session_max_age=MONTH)
    assert counts.drafts == 1 and counts.sessions == 0
    assert _draft_row(data_dir, "o1", sealer) is None
    assert await store.load_session("o1") == _session(None, x=1)


async def test_draft_goes_with_its_purged_session(
    store: Store, data_dir: Path, sealer: Sealer
) -> None:
    await store.commit_update("o1", _session({"a": 1}), update_id=1, stats=[], now=NOW)
    # A session kept for less time than a draft: the draft must not outlive it.
    # The session's clear time is rounded up to the next midnight: 1 hour idle
    # counts from there.
    counts = await store.purge(
        NOW + timedelta(hours=16), session_max_age=timedelta(hours=1), draft_max_age=MONTH
    )
    assert counts.sessions == 1
    assert _draft_row(data_dir, "o1", sealer) is None


async def test_draft_that_does_not_open_is_dropped_quietly(
    store: Store, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await store.commit_update("victim", _session({"a": CANARY}), update_id=1, stats=[], now=NOW)
    await store.commit_update("attacker", _session(None, s=1), update_id=2, stats=[], now=NOW)
    await store.checkpoint()
    # Someone copies a sealed session (with its draft) into another person's row.
    stolen = column_blob(data_dir, "sessions", "payload", "victim")
    write_sql(data_dir, "UPDATE sessions SET payload = ? WHERE owner = 'attacker'", [stolen])
    assert await store.load_session("attacker") is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "could not be opened" in warnings[0].getMessage()
    assert "attacker" not in caplog.text and "victim" not in caplog.text
    assert CANARY not in caplog.text
    # The next commit replaces the unreadable session instead of keeping it.
    await store.commit_update("attacker", _session({"b": 2}), update_id=3, stats=[], now=NOW)
    loaded = await store.load_session("attacker")
    assert loaded is not None and loaded.draft == {"b": 2}


async def test_draft_no_longer_valid_is_dropped_quietly(
    store: Store, sealer: Sealer, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await store.commit_update("o1", _session(None, s=1), update_id=1, stats=[], now=NOW)
    body = _session(None, s=1).model_dump_json().encode()
    bad = b'{"c":0,"u":0,"f":0}\n' + body + b'\n["' + CANARY.encode() + b'"]'
    write_sql(
        data_dir,
        "UPDATE sessions SET payload = ? WHERE owner = 'o1'",
        [sealer.seal(bad, table="sessions", field="payload", owner="o1")],
    )
    loaded = await store.load_session("o1")
    assert loaded is not None and loaded.draft is None
    assert loaded.answers == _session(None, s=1).answers
    assert "no longer fits" in caplog.text
    assert CANARY not in caplog.text


async def test_a_draft_does_not_change_the_size(store: Store, data_dir: Path) -> None:
    await store.commit_update("a", _session({"x": "hi"}), update_id=None, stats=[])
    await store.commit_update(
        "b", _session({"x": "hi, a bit longer" * 20}), update_id=None, stats=[]
    )
    await store.commit_update("c", _session(None), update_id=None, stats=[])
    await store.checkpoint()
    with read_only(data_dir) as conn:
        sizes = {r[0] for r in conn.execute("SELECT length(payload) FROM sessions")}
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert len(sizes) == 1
    assert "drafts" not in tables


async def test_draft_canary_never_in_clear(
    store: Store, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for i in range(3):
        draft = {"victim": CANARY, "note": CANARY * (i + 1)}
        await store.commit_update("o1", _session(draft), update_id=i, stats=[], now=NOW)
    for name, content in data_files(data_dir).items():
        for form in canary_forms():
            assert form not in content, name
    assert CANARY not in caplog.text
