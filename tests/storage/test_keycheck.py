"""The store remembers which key made it and refuses any other."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest

from flows.model import Session
from storage import keycheck
from storage.crypto import Sealer, Secret, legacy_passphrase_key
from storage.keycheck import DatabaseStateError, KeyCheckError
from storage.store import DB_FILE, Store
from tests.storage.conftest import write_sql

PHRASE = Secret(b"correct horse battery staple 42", passphrase=True)


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cost is stored with each store, so a cheap one here tests the same path.
    monkeypatch.setattr(keycheck, "SCRYPT_N", 2**10)


def raw() -> Secret:
    return Secret(secrets.token_bytes(32), passphrase=False)


async def open_store(data_dir: Path, secret: Secret, *, person: str | None = None) -> bytes:
    """What `Runtime.open` does; returns the master key."""
    db = data_dir / DB_FILE
    unlocked = keycheck.unlock(secret, keycheck.inspect(db))
    store = await Store.open(data_dir, Sealer(unlocked.key))
    try:
        if unlocked.new:
            keycheck.save(db, unlocked.record)
        if person is not None:
            await store.commit_update(person, Session(state="menu.main"), update_id=None, stats=[])
    finally:
        await store.close()
    return unlocked.key


async def test_a_raw_key_store_opens_again_and_refuses_another_key(data_dir: Path) -> None:
    secret = raw()
    key = await open_store(data_dir, secret, person="p1")
    assert await open_store(data_dir, secret) == key
    before = (data_dir / DB_FILE).read_bytes()
    with pytest.raises(KeyCheckError, match="not the key this database was made with"):
        await open_store(data_dir, raw())
    with pytest.raises(KeyCheckError):
        await open_store(data_dir, PHRASE)
    assert (data_dir / DB_FILE).read_bytes() == before


async def test_a_passphrase_is_stretched_with_scrypt_and_a_stored_salt(data_dir: Path) -> None:
    key = await open_store(data_dir, PHRASE, person="p1")
    existing = keycheck.inspect(data_dir / DB_FILE)
    assert existing is not None and existing.record is not None
    record = existing.record
    assert record.kdf == "scrypt" and record.n == 2**10 and record.salt is not None
    assert len(record.salt) == keycheck.SALT_BYTES
    assert key != legacy_passphrase_key(PHRASE.material)
    assert await open_store(data_dir, PHRASE) == key
    with pytest.raises(KeyCheckError):
        await open_store(data_dir, Secret(b"correct horse battery staple 43", passphrase=True))
    # Another store, the same passphrase: another salt, so another key.
    assert await open_store(data_dir.parent / "other", PHRASE) != key


def test_the_default_cost_is_the_measured_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    assert (keycheck.SCRYPT_N, keycheck.SCRYPT_R, keycheck.SCRYPT_P) == (2**17, 8, 1)


async def test_a_store_made_before_the_check_is_checked_against_its_rows(data_dir: Path) -> None:
    secret = raw()
    store = await Store.open(data_dir, Sealer(secret.material))
    await store.commit_update("p1", Session(state="menu.main"), update_id=None, stats=[])
    await store.close()
    with pytest.raises(KeyCheckError):
        await open_store(data_dir, raw())
    await open_store(data_dir, secret)
    existing = keycheck.inspect(data_dir / DB_FILE)
    assert existing is not None and existing.record is not None
    assert existing.record.kdf == "raw"


async def test_an_old_passphrase_store_still_opens_and_is_told_to_rotate(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(data_dir, Sealer(legacy_passphrase_key(PHRASE.material)))
    await store.commit_update("p1", Session(state="menu.main"), update_id=None, stats=[])
    await store.close()
    assert await open_store(data_dir, PHRASE) == legacy_passphrase_key(PHRASE.material)
    assert "rotate-key" in caplog.text
    caplog.clear()
    # The record now says how: the same on the next start, without guessing.
    assert await open_store(data_dir, PHRASE) == legacy_passphrase_key(PHRASE.material)
    assert "rotate-key" in caplog.text
    with pytest.raises(KeyCheckError):
        await open_store(data_dir, Secret(b"another passphrase entirely", passphrase=True))


async def test_an_empty_old_store_takes_any_key(data_dir: Path) -> None:
    store = await Store.open(data_dir, Sealer(secrets.token_bytes(32)))
    await store.close()
    await open_store(data_dir, PHRASE)


async def test_a_newer_schema_is_refused_before_anything_is_written(data_dir: Path) -> None:
    await open_store(data_dir, raw())
    write_sql(data_dir, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                        "VALUES ('sp-advisor', 'm999_from_the_future', '2030-01-01')")
    with pytest.raises(DatabaseStateError, match="newer version"):
        keycheck.inspect(data_dir / DB_FILE)


def test_a_damaged_file_is_refused(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / DB_FILE).write_bytes(b"\x13garbage" * 1000)
    with pytest.raises(DatabaseStateError, match="damaged"):
        keycheck.inspect(data_dir / DB_FILE)


def test_no_database_yet(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert keycheck.inspect(data_dir / DB_FILE) is None
    assert not data_dir.exists()


async def test_a_folder_name_that_looks_like_a_uri_part(tmp_path: Path) -> None:
    data_dir = tmp_path / "a#b?mode=ro%20" / "data"
    secret = raw()
    await open_store(data_dir, secret, person="p1")
    with pytest.raises(KeyCheckError):
        await open_store(data_dir, raw())
