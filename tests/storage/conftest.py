from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest

from storage.crypto import Sealer
from storage.store import DB_FILE, Store

CANARY = "Zebulon Quixotevna 4471"


def canary_forms(text: str = CANARY) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le")]


def data_files(data_dir: Path) -> dict[str, bytes]:
    """Every file in the data folder as raw bytes, as someone seizing the disk would see it."""
    return {p.name: p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def master_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def sealer(master_key: bytes) -> Sealer:
    return Sealer(master_key)


@pytest.fixture
async def store(data_dir: Path, sealer: Sealer) -> AsyncIterator[Store]:
    opened = await Store.open(data_dir, sealer)
    try:
        yield opened
    finally:
        await opened.close()


@contextlib.contextmanager
def read_only(data_dir: Path) -> Iterator[sqlite3.Connection]:
    """A second connection, as an inspector would open; closed at once so it
    never holds a snapshot that would block the store's checkpoints."""
    conn = sqlite3.connect(f"file:{data_dir / DB_FILE}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def column_blob(data_dir: Path, table: str, column: str, owner: str) -> bytes:
    with read_only(data_dir) as conn:
        row = conn.execute(
            f"SELECT {column} FROM {table} WHERE owner = ?",  # test-chosen names only
            [owner],
        ).fetchone()
    assert row is not None, (table, column)
    return bytes(row[0])


def write_sql(data_dir: Path, sql: str, params: Sequence[object] = ()) -> None:
    """Write behind the store's back, as someone tampering with the file would."""
    conn = sqlite3.connect(data_dir / DB_FILE, isolation_level=None)
    try:
        conn.execute(sql, params)
    finally:
        conn.close()


def int_forms(value: int) -> list[bytes]:
    """How an integer could lie on disk in clear: decimal text, the 8-byte
    little- and big-endian forms, and SQLite's own shortest big-endian form."""
    forms = [str(value).encode("ascii")]
    forms += [value.to_bytes(8, order, signed=True) for order in ("little", "big")]
    for size in (6, 4):  # SQLite record integers: 1, 2, 3, 4, 6 or 8 bytes
        try:
            forms.append(value.to_bytes(size, "big", signed=True))
        except OverflowError:
            continue
    return forms


def windows(blob: bytes, size: int = 16, step: int = 8) -> list[bytes]:
    """Windows of a sealed value (nonce + ciphertext, skipping the version byte)."""
    return [blob[start : start + size] for start in range(1, len(blob) - size + 1, step)]
