"""Key rotation and backups: everyone survives a new key; a backup equals its source."""

from __future__ import annotations

import base64
import secrets
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from flows.model import Answers, Session
from storage.backup import backup
from storage.crypto import GENERATED_KEY_FILE, Sealer, SealError, load_key
from storage.rekey import SEALED, rotate, sealer_for, unlisted_blob_columns
from storage.store import DB_FILE, Store

from .conftest import read_only

DUE = datetime(2030, 1, 1, tzinfo=UTC)
PEOPLE = range(1, 8)


async def _fill(data_dir: Path, sealer: Sealer) -> dict[str, Session]:
    sessions: dict[str, Session] = {}
    async with await Store.open(data_dir, sealer) as store:
        for user in PEOPLE:
            owner = sealer.pseudonym("telegram", user)
            session = Session(
                state="menu.main",
                locale="fr",
                answers={"menu": Answers(n=user)},
                draft={"what": f"draft {user}"},
            )
            await store.commit_update(owner, session, update_id=user, stats=[])
            await store.set_autodelete(owner, 1000 + user, 3600)
            await store.add_reminder(
                owner, 1000 + user, DUE + timedelta(days=user), "database", "fr"
            )
            # A waiting update and a queued reply: sealed too, so re-sealed too.
            await store.intake([(10_000 + user, owner, {"update_id": 10_000 + user})])
            await store.commit(
                owner, None, update_id=None, keep_session=True,
                calls=[{"op": "send", "chat": 1000 + user, "text": "queued"}],
            )
            sessions[owner] = session
    return sessions


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    finally:
        conn.close()


async def test_every_blob_column_of_the_schema_is_known_to_the_rotation(
    data_dir: Path, master_key: bytes, sealer: Sealer
) -> None:
    await _fill(data_dir, sealer)
    rotate(data_dir, master_key, secrets.token_bytes(32))  # adds the keyring
    with read_only(data_dir) as conn:
        assert unlisted_blob_columns(conn) == []
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        conn.execute("CREATE TABLE newly_sealed (owner TEXT, payload BLOB)")
        assert unlisted_blob_columns(conn) == [("newly_sealed", "payload")]
    finally:
        conn.close()


async def test_after_rotation_everyone_opens_with_the_new_key_and_no_one_with_the_old(
    data_dir: Path, master_key: bytes, sealer: Sealer
) -> None:
    sessions = await _fill(data_dir, sealer)
    new_key = secrets.token_bytes(32)
    result = rotate(data_dir, master_key, new_key)
    assert result.resealed == 5 * len(PEOPLE) and result.unreadable == 0

    rotated = sealer_for(data_dir, new_key)
    for user in PEOPLE:
        # Telegram ids still lead to the same rows.
        assert rotated.pseudonym("telegram", user) == sealer.pseudonym("telegram", user)
    async with await Store.open(data_dir, rotated) as store:
        for owner, session in sessions.items():
            loaded = await store.load_session(owner)
            assert loaded is not None and loaded.answers == session.answers
            assert loaded.draft == session.draft
            assert [r.chat_id for r in await store.reminders_of(owner)]
        assert len(await store.due_autodeletes(DUE)) == 0  # chats open; nothing is due
        assert len(await store.due_reminders(DUE + timedelta(days=99))) == len(PEOPLE)

    with read_only(data_dir) as conn:
        for col in SEALED:
            rows = conn.execute(f"SELECT {col.owner}, {col.column} FROM {col.table}").fetchall()
            assert len(rows) == len(PEOPLE)
            for owner, blob in rows:
                where = {"table": col.table, "field": col.column, "owner": owner}
                rotated.unseal(bytes(blob), **where)
                with pytest.raises(SealError):
                    sealer.unseal(bytes(blob), **where)
    # The old key no longer opens the keyring either: it cannot start the bot.
    with pytest.raises(SealError):
        sealer_for(data_dir, master_key)


async def test_a_second_rotation_keeps_the_first_pseudonyms(
    data_dir: Path, master_key: bytes, sealer: Sealer
) -> None:
    sessions = await _fill(data_dir, sealer)
    second, third = secrets.token_bytes(32), secrets.token_bytes(32)
    rotate(data_dir, master_key, second)
    rotate(data_dir, second, third)
    latest = sealer_for(data_dir, third)
    assert latest.pseudonym("telegram", 1) == sealer.pseudonym("telegram", 1)
    async with await Store.open(data_dir, latest) as store:
        for owner in sessions:
            assert await store.load_session(owner) is not None


async def test_backup_is_private_opens_and_equals_its_source(
    data_dir: Path, sealer: Sealer, tmp_path: Path
) -> None:
    sessions = await _fill(data_dir, sealer)
    target = tmp_path / "copy" / DB_FILE
    target.parent.mkdir()
    backup(data_dir, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _dump(target) == _dump(data_dir / DB_FILE)
    async with await Store.open(target.parent, sealer) as store:
        for owner in sessions:
            assert await store.load_session(owner) is not None
    with pytest.raises(FileExistsError):
        backup(data_dir, target)


async def test_cli_rotates_the_generated_key_file_and_backs_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    for name in ("SP_ADVISOR_SECRET_KEY", "SP_ADVISOR_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SP_ADVISOR_DATA_DIR", str(data_dir))
    old_key = load_key(data_dir, None, None)
    sessions = await _fill(data_dir, Sealer(old_key))

    assert main(["backup", str(tmp_path / "b.db")]) == 0
    assert "keeps what a later wipe removes" in capsys.readouterr().err
    assert main(["rotate-key"]) == 0
    new_key = load_key(data_dir, None, None)
    assert new_key != old_key
    assert not (data_dir / (GENERATED_KEY_FILE + ".new")).exists()
    async with await Store.open(data_dir, sealer_for(data_dir, new_key)) as store:
        for owner in sessions:
            assert await store.load_session(owner) is not None
    # A key given by variable cannot be rewritten: the new one needs a file.
    monkeypatch.setenv("SP_ADVISOR_SECRET_KEY", "correct horse battery staple 42")
    assert main(["rotate-key"]) == 2


async def test_cli_with_a_key_set_by_variable_writes_the_new_key_to_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    # A generated key given by variable (a passphrase is stretched with the store's
    # salt, through the key check, so `load_key` does not take one).
    passphrase = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("SP_ADVISOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SP_ADVISOR_SECRET_KEY", passphrase)
    monkeypatch.delenv("SP_ADVISOR_SECRET_KEY_FILE", raising=False)
    sessions = await _fill(data_dir, Sealer(load_key(data_dir, passphrase, None)))
    new_file = tmp_path / "new.key"
    assert main(["rotate-key", "--new-key-file", str(new_file)]) == 0
    assert "SP_ADVISOR_SECRET_KEY_FILE" in capsys.readouterr().out
    assert stat.S_IMODE(new_file.stat().st_mode) == 0o600
    assert not (data_dir / GENERATED_KEY_FILE).exists()
    new_key = load_key(data_dir, None, new_file)
    async with await Store.open(data_dir, sealer_for(data_dir, new_key)) as store:
        for owner in sessions:
            assert await store.load_session(owner) is not None
    # Never over an existing file: it may be the only copy of a key.
    assert main(["rotate-key", "--new-key-file", str(new_file)]) == 2


async def test_the_wrong_old_key_changes_nothing(
    data_dir: Path, master_key: bytes, sealer: Sealer
) -> None:
    await _fill(data_dir, sealer)
    before = _dump(data_dir / DB_FILE)
    with pytest.raises(SealError):
        rotate(data_dir, secrets.token_bytes(32), secrets.token_bytes(32))
    assert _dump(data_dir / DB_FILE) == before
    assert sealer_for(data_dir, master_key).pseudonym("telegram", 1) == sealer.pseudonym(
        "telegram", 1
    )


async def test_rotate_key_refuses_while_the_folder_is_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.lock import FolderLock

    data_dir = tmp_path / "data"
    monkeypatch.setenv("SP_ADVISOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SP_ADVISOR_SECRET_KEY", base64.urlsafe_b64encode(bytes(32)).decode())
    lock = FolderLock(data_dir)
    lock.acquire()  # a running bot
    try:
        assert main(["rotate-key", "--new-key-file", str(tmp_path / "k")]) == 1
        assert "already running" in capsys.readouterr().err
        assert not (tmp_path / "k").exists()
    finally:
        lock.release()
