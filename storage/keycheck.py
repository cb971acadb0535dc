"""Which key a store was made with: refuse any other, before anything is written.

Without this, a wrong or lost key opened the old database as if it were empty:
every session "failed to open" one by one, new rows were sealed under the new
key beside the old ones, and a wipe under the new key could not find the old
rows (their owners are pseudonyms of the old key). So the store keeps one row,
`keycheck`, written when it is created:

* how the master key is derived (`raw` for a base64 key, `scrypt` with its salt
  and cost for a passphrase, `hkdf-v1` for passphrase stores made before scrypt),
* an HMAC of a fixed label under the master key, which tells a right key from a
  wrong one without holding anything a person typed.

A store made before this row existed is checked against one of its sealed
values, and the row is then added. The row is kept by this module (not by a
migration of `storage.store`) so that the check runs on the database file
before the store opens it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from storage.crypto import (
    KeyConfigError,
    Sealer,
    SealError,
    Secret,
    legacy_passphrase_key,
    scrypt_key,
)
from storage.store import migrations

__all__ = [
    "SCRYPT_N",
    "SCRYPT_P",
    "SCRYPT_R",
    "DatabaseStateError",
    "Existing",
    "KeyCheckError",
    "Record",
    "Unlocked",
    "inspect",
    "save",
    "unlock",
]

logger = logging.getLogger(__name__)

# n = 2**17, r = 8: 128 MiB and about 0.4 s on the 2-core development machine
# (README, "Benchmarks"). Stored per store, so raising it later keeps old stores open.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
_CHECK_LABEL = b"sp-advisor/v1/key-check"

# A sealed value of each per-person table, to test a key on a store made before
# the keycheck row: (table, sealed column); the owner column is always `owner`.
_SEALED: tuple[tuple[str, str, str], ...] = (
    ("sessions", "payload", "SELECT owner, payload FROM sessions LIMIT 1"),
    ("drafts", "payload", "SELECT owner, payload FROM drafts LIMIT 1"),
    ("chats", "chat", "SELECT owner, chat FROM chats LIMIT 1"),
    ("reminders", "payload", "SELECT owner, payload FROM reminders LIMIT 1"),
    # Stores from before m004 sealed only the chat of a reminder.
    ("reminders", "chat", "SELECT owner, chat FROM reminders LIMIT 1"),
)


class KeyCheckError(KeyConfigError):
    """The key is not the one the store was made with."""


class DatabaseStateError(Exception):
    """The database file cannot be used: damaged, or from a newer version."""


@dataclass(frozen=True)
class Record:
    kdf: str  # "raw", "scrypt" or "hkdf-v1"
    check: bytes
    salt: bytes | None = None
    n: int | None = None
    r: int | None = None
    p: int | None = None


@dataclass(frozen=True)
class Existing:
    """What an existing database says about its key."""

    record: Record | None
    # (table, field, owner, blob): one sealed value, when there is no record.
    sample: tuple[str, str, str, bytes] | None


@dataclass(frozen=True, repr=False)
class Unlocked:
    key: bytes
    record: Record
    # The record is not in the database yet: `save` it once the store is open.
    new: bool


def _check_value(key: bytes) -> bytes:
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()


@contextlib.contextmanager
def _connect(db_path: Path) -> Iterator[sqlite3.Connection]:
    # mode=rw: never create the file here; the store creates it private.
    # Quoted: a folder name with "?" or "#" would otherwise end the path early.
    uri = f"file:{quote(str(db_path))}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        yield conn
    finally:
        conn.close()


def _damaged(db_path: Path) -> DatabaseStateError:
    return DatabaseStateError(
        f"the database {db_path} is damaged or is not an sp-advisor database; "
        "restore it from a backup or move it away to start a new one"
    )


def inspect(db_path: Path) -> Existing | None:
    """Read what the database holds about its key; None when there is no database yet.

    Also refuses a damaged file and a schema from a newer version of sp-advisor,
    before the store would migrate or write anything.
    """
    try:
        if db_path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    try:
        with _connect(db_path) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if "_sqlite_migrations" in tables:
                applied = {
                    row[0]
                    for row in conn.execute(
                        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                        [migrations.name],
                    )
                }
                # sqlite-utils keeps the registered migrations private; reading
                # them is the only way to learn which names this code knows.
                unknown = applied - {m.name for m in migrations._migrations}
                if unknown:
                    raise DatabaseStateError(
                        f"the database {db_path} was made by a newer version of sp-advisor "
                        f"(schema {', '.join(sorted(unknown))}); run that version or a later one"
                    )
            if "keycheck" in tables:
                row = conn.execute(
                    "SELECT kdf, check_value, salt, n, r, p FROM keycheck WHERE id = 1"
                ).fetchone()
                if row is not None:
                    return Existing(Record(row[0], bytes(row[1]), row[2], *row[3:]), None)
            for table, field, query in _SEALED:
                if table not in tables:
                    continue
                try:
                    found = conn.execute(query).fetchone()
                except sqlite3.OperationalError:
                    continue  # a column of another schema version
                if found is not None:
                    return Existing(None, (table, field, str(found[0]), bytes(found[1])))
            return Existing(None, None)
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            raise _damaged(db_path) from None
        raise


def _wrong_key(origin: str) -> KeyCheckError:
    return KeyCheckError(
        f"{origin} is not the key this database was made with; start with the right key "
        "(a new key cannot read or wipe what is stored)"
    )


def _fits(key: bytes, existing: Existing) -> bool:
    if existing.record is not None:
        return hmac.compare_digest(_check_value(key), existing.record.check)
    if existing.sample is None:
        return True
    table, field, owner, blob = existing.sample
    try:
        Sealer(key).unseal(blob, table=table, field=field, owner=owner)
    except SealError:
        return False
    return True


def _new_record(secret: Secret) -> tuple[bytes, Record]:
    if not secret.passphrase:
        return secret.material, Record("raw", _check_value(secret.material))
    salt = os.urandom(SALT_BYTES)
    key = scrypt_key(secret.material, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return key, Record("scrypt", _check_value(key), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)


def unlock(secret: Secret, existing: Existing | None) -> Unlocked:
    """The master key for this store, or `KeyCheckError` if the secret does not fit."""
    unlocked = _unlock(secret, existing, secret.origin)
    if unlocked.record.kdf == "hkdf-v1":
        # Still opened, so that nobody is locked out of their store by an upgrade.
        logger.warning(
            "this store's passphrase key is derived without a salt or work factor (made "
            "before scrypt): move it to a new key with `sp-advisor rotate-key`"
        )
    return unlocked


def _unlock(secret: Secret, existing: Existing | None, origin: str) -> Unlocked:
    if existing is None or (existing.record is None and existing.sample is None):
        key, fresh = _new_record(secret)
        return Unlocked(key, fresh, new=True)
    record = existing.record
    if record is not None:
        if record.kdf == "raw" and not secret.passphrase:
            key = secret.material
        elif record.kdf == "scrypt" and secret.passphrase:
            if record.salt is None or None in (record.n, record.r, record.p):
                raise DatabaseStateError("the database's key check record is damaged")
            key = scrypt_key(
                secret.material, bytes(record.salt),
                n=int(record.n or 0), r=int(record.r or 0), p=int(record.p or 0),
            )
        elif record.kdf == "hkdf-v1" and secret.passphrase:
            key = legacy_passphrase_key(secret.material)
        else:
            raise _wrong_key(origin)
        if not _fits(key, existing):
            raise _wrong_key(origin)
        return Unlocked(key, record, new=False)
    # Made before the key check: its rows tell whether the key fits.
    if secret.passphrase:
        key, kdf = legacy_passphrase_key(secret.material), "hkdf-v1"
    else:
        key, kdf = secret.material, "raw"
    if not _fits(key, existing):
        raise _wrong_key(origin)
    return Unlocked(key, Record(kdf, _check_value(key)), new=True)


def save(db_path: Path, record: Record) -> None:
    """Write the record once; if another process wrote one first, it must agree."""
    with _connect(db_path) as conn:
        conn.execute(
            """CREATE TABLE IF NOT EXISTS keycheck (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                kdf TEXT NOT NULL,
                check_value BLOB NOT NULL,
                salt BLOB,
                n INTEGER,
                r INTEGER,
                p INTEGER
            )"""
        )
        conn.execute(
            "INSERT INTO keycheck (id, kdf, check_value, salt, n, r, p) "
            "VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            [record.kdf, record.check, record.salt, record.n, record.r, record.p],
        )
        stored = conn.execute("SELECT check_value FROM keycheck WHERE id = 1").fetchone()
    if not hmac.compare_digest(bytes(stored[0]), record.check):
        raise _wrong_key("the key")


def record_for(key: bytes) -> Record:
    """The record of a generated (raw) master key, as after a key rotation."""
    return Record("raw", _check_value(key))


def replace(db_path: Path, record: Record) -> None:
    """Overwrite the record: the store now answers to another key (rotate-key)."""
    save(db_path, record)
    with _connect(db_path) as conn:
        conn.execute(
            "UPDATE keycheck SET kdf = ?, check_value = ?, salt = ?, n = ?, r = ?, p = ? "
            "WHERE id = 1",
            [record.kdf, record.check, record.salt, record.n, record.r, record.p],
        )
