"""Operator commands that work on the data folder: `report`, `backup`, `rotate-key`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.report import build_report, write_report
from bot.runtime import Runtime, unlock
from bot.settings import Settings
from storage import keycheck
from storage.crypto import SealError, read_secret
from storage.lock import FolderLock
from storage.rekey import new_master_key, rotate, write_key_file
from storage.store import DB_FILE


async def run_report(settings: Settings, out: Path | None) -> int:
    runtime = await Runtime.open(settings)
    try:
        report = await build_report(runtime.store, runtime.advisor.engine)
    finally:
        await runtime.close()
    path = out or Path(report.filename)
    write_report(report, path)
    print(report.summary)
    print(f"Written: {path}", file=sys.stderr)
    return 0


def run_backup(settings: Settings, target: Path) -> int:
    from storage.backup import WARNING, backup

    try:
        backup(settings.data_dir, target)
    except (FileExistsError, FileNotFoundError) as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 2
    print(f"Backup written: {target} (sealed, mode 0600).")
    print(f"Warning: {WARNING}", file=sys.stderr)
    return 0


def run_rotate_key(settings: Settings, new_key_file: Path | None) -> int:
    """Re-seal everything under a new key. A key file found by the default search is
    replaced; a key given by SP_ADVISOR_SECRET_KEY(_FILE) needs `--new-key-file`.
    Holds the data folder's lock: no bot or chat may seal anything meanwhile."""
    configured = settings.secret_key is not None or settings.secret_key_file is not None
    if configured and new_key_file is None:
        print(
            "rotate-key: the key comes from SP_ADVISOR_SECRET_KEY(_FILE); give "
            "--new-key-file FILE for the new one",
            file=sys.stderr,
        )
        return 2
    lock = FolderLock(settings.data_dir)
    lock.acquire()
    try:
        return _rotate(settings, new_key_file)
    finally:
        lock.release()


def _rotate(settings: Settings, new_key_file: Path | None) -> int:
    unlocked = unlock(settings)
    current: Path | None = None
    if new_key_file is None:
        # Not configured: the key came from a file the default search found; its path.
        current = read_secret(settings.data_dir, None, None, database_exists=True).path
    new_key = new_master_key()
    # The new key is on disk, durable, before anything is sealed with it.
    if new_key_file is None and current is None:
        print("rotate-key: the key does not come from a file; give --new-key-file FILE",
              file=sys.stderr)
        return 2
    staged = new_key_file or current.with_name(current.name + ".new")  # type: ignore[union-attr]
    try:
        write_key_file(staged, new_key)
    except FileExistsError as exc:
        print(f"rotate-key: {exc}", file=sys.stderr)
        return 2
    try:
        result = rotate(settings.data_dir, unlocked.key, new_key)
        # The store now answers to the new key only: its check says so.
        keycheck.replace(settings.data_dir / DB_FILE, keycheck.record_for(new_key))
    except SealError:
        staged.unlink(missing_ok=True)
        print(
            "rotate-key: the configured key does not open this data folder; nothing changed",
            file=sys.stderr,
        )
        return 2
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if current is not None:
        os.replace(staged, current)
        where = f"the key file {current} now holds the new key"
    else:
        where = (
            f"the new key is in {new_key_file}: point SP_ADVISOR_SECRET_KEY_FILE at it "
            "(and unset SP_ADVISOR_SECRET_KEY) before the next start, then destroy the old key"
        )
    print(f"Re-sealed {result.resealed} values; {where}.")
    if result.unreadable:
        print(
            f"{result.unreadable} stored values could not be opened with the old key "
            "either (damaged); they were left as they were.",
            file=sys.stderr,
        )
    return 0
