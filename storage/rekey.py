"""Key rotation: every sealed value re-sealed under a new key, nobody lost.

Sealing and pseudonyms both come from the one master key (HKDF subkeys, see
`storage/crypto.py`). The pseudonym of a person is the owner of their rows and
part of what every sealed value is bound to; it can only be computed from their
Telegram id, which is stored nowhere. So a new master key cannot give anyone a
new pseudonym: rotation changes the *sealing* key only, and keeps the pseudonym
subkey of the first key, stored in the database's `keyring` table, sealed under
the current master key (and re-sealed at each rotation). The retired master key
then opens nothing; what it still gives is the pseudonym of a *known* id, i.e.
whether someone holding that id has rows here, as before the rotation.

The walk lists every sealed column in `SEALED`; `unlisted_blob_columns` finds
any BLOB column of the schema that is not in it, and a test fails on one, so a
new sealed column cannot be forgotten by the rotation.

Run it with the bot stopped: a value sealed by a running bot with the old key
during the rotation would not open afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from storage._fs import ensure_private_file
from storage.crypto import KEY_BYTES, Sealer, SealError
from storage.store import BUSY_TIMEOUT_MS, DB_FILE, apply_migrations

__all__ = [
    "KEYRING",
    "SEALED",
    "Rotated",
    "SealedColumn",
    "new_master_key",
    "rotate",
    "sealer_for",
    "unlisted_blob_columns",
    "write_key_file",
]


@dataclass(frozen=True, slots=True)
class SealedColumn:
    table: str
    column: str
    owner: str  # the column whose value is the `owner` of the seal
    key: str  # the row's primary key, to write the new value back


# Every column that holds a sealed value, with how each is bound (table, field, owner).
SEALED: tuple[SealedColumn, ...] = (
    SealedColumn("sessions", "payload", owner="owner", key="owner"),
    SealedColumn("chats", "chat", owner="owner", key="owner"),
    SealedColumn("reminders", "payload", owner="owner", key="id"),
    SealedColumn("inbox", "payload", owner="owner", key="update_id"),
    SealedColumn("outbox", "payload", owner="owner", key="id"),
)
# The keyring holds keys, not people: re-sealed by `rotate` on its own.
KEYRING = SealedColumn("keyring", "value", owner="name", key="name")
_PSEUDONYM = "pseudonym"
_BATCH = 500

_KEYRING_SQL = """
    CREATE TABLE IF NOT EXISTS keyring (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID
"""


class _KeptPseudonyms(Sealer):
    """A sealer whose pseudonyms come from an earlier key (see the module docstring)."""

    __slots__ = ()

    def __init__(self, master_key: bytes, pseudonym_key: bytes) -> None:
        super().__init__(master_key)
        self._mac_key = pseudonym_key


def _pseudonym_key(sealer: Sealer) -> bytes:
    # The subkey as the sealer holds it; crypto.py keeps it private to that class.
    return sealer._mac_key


@contextlib.contextmanager
def _connect(data_dir: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(data_dir / DB_FILE, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # The old sealed values are overwritten in place, not left in free pages.
        conn.execute("PRAGMA secure_delete=ON")
        yield conn
    finally:
        conn.close()


def _stored_pseudonym_key(conn: sqlite3.Connection, master: Sealer) -> bytes | None:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keyring'"
    ).fetchone()
    if exists is None:
        return None
    row = conn.execute("SELECT value FROM keyring WHERE name = ?", [_PSEUDONYM]).fetchone()
    if row is None:
        return None
    return master.unseal(bytes(row[0]), table="keyring", field="value", owner=_PSEUDONYM)


def sealer_for(data_dir: Path, master_key: bytes) -> Sealer:
    """The sealer for this data folder: after a rotation, pseudonyms of the first key.

    Raises `SealError` when the stored pseudonym key does not open with this key
    (the wrong key is configured): starting anyway would lose everyone.
    """
    plain = Sealer(master_key)
    if not (data_dir / DB_FILE).exists():
        return plain
    with _connect(data_dir) as conn:
        kept = _stored_pseudonym_key(conn, plain)
    return plain if kept is None else _KeptPseudonyms(master_key, kept)


def new_master_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True, slots=True)
class Rotated:
    resealed: int
    unreadable: int  # already unopenable with the old key (damaged); left as they were


def _rows(conn: sqlite3.Connection, col: SealedColumn) -> Iterator[list[tuple[object, str, bytes]]]:
    # Names come from SEALED above, never from input. Keyset pages, so the walk
    # never holds a whole table in memory and never reads a row it has rewritten.
    sql = (
        f"SELECT {col.key}, {col.owner}, {col.column} FROM {col.table} "  # noqa: S608
        f"WHERE ?1 IS NULL OR {col.key} > ?1 ORDER BY {col.key} LIMIT {_BATCH}"
    )
    # No typed start value: integers sort before any text in SQLite, so a text
    # start ("") would skip every row of an integer key.
    last: object = None
    while True:
        page = [(k, str(o), bytes(v)) for k, o, v in conn.execute(sql, [last])]
        if not page:
            return
        yield page
        last = page[-1][0]


def rotate(data_dir: Path, old_key: bytes, new_key: bytes) -> Rotated:
    """Re-seal every sealed value under `new_key`, in one transaction.

    Pseudonyms stay those of the data folder's current sealer. Nothing changes
    when any step fails.
    """
    if len(new_key) != KEY_BYTES or new_key == old_key:
        raise ValueError("the new key must be 32 new bytes")
    old = sealer_for(data_dir, old_key)
    new = Sealer(new_key)
    resealed = unreadable = 0
    with _connect(data_dir) as conn:
        # SEALED lists the current schema's columns: a store of an older version
        # (rotated before the new version ever opened it) is brought up to date
        # first, or its old columns would keep values of the retired key.
        apply_migrations(Database(conn, execute_plugins=False), old)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_KEYRING_SQL)
            for col in SEALED:
                update = f"UPDATE {col.table} SET {col.column} = ? WHERE {col.key} = ?"  # noqa: S608
                for page in _rows(conn, col):
                    for key, owner, blob in page:
                        where = {"table": col.table, "field": col.column, "owner": owner}
                        try:
                            plaintext = old.unseal(blob, **where)
                        except SealError:
                            unreadable += 1
                            continue
                        conn.execute(update, [new.seal(plaintext, **where), key])
                        resealed += 1
            if unreadable and not resealed:
                # Most likely the wrong old key: going on would store a keyring
                # of wrong pseudonyms and lose everyone.
                raise SealError("the current key opens none of the stored values")
            kept = new.seal(_pseudonym_key(old), table="keyring", field="value", owner=_PSEUDONYM)
            conn.execute(
                "INSERT INTO keyring (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [_PSEUDONYM, kept],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        # Old page images must leave the write-ahead log too.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Rotated(resealed=resealed, unreadable=unreadable)


def unlisted_blob_columns(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """BLOB columns of the schema that the rotation does not know of."""
    listed = {(c.table, c.column) for c in (*SEALED, KEYRING)}
    found: list[tuple[str, str]] = []
    tables = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != '_sqlite_migrations' ORDER BY name"
    ).fetchall()
    for (table,) in tables:
        for _cid, name, kind, *_rest in conn.execute(f"PRAGMA table_info({table})"):
            if str(kind).upper() == "BLOB" and (table, name) not in listed:
                found.append((table, name))
    return found


def write_key_file(path: Path, key: bytes) -> None:
    """Write a key as the key-file format reads it (base64), mode 0600, durable.
    Refuses to overwrite: an existing file may be the only copy of a key."""
    if path.exists():
        raise FileExistsError(f"{path} exists; choose a new file for the new key")
    ensure_private_file(path)
    with path.open("wb") as handle:
        handle.write(base64.urlsafe_b64encode(key) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
