"""Operator commands that work on the data folder: `report`, `backup`, `rotate-key`."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.report import build_report, write_report
from bot.runtime import Runtime
from bot.settings import Settings


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
    """Re-seal everything under a new key. With the generated key file in the data
    folder, that file is replaced; a key given by setting needs `--new-key-file`."""
    import os

    from storage.crypto import GENERATED_KEY_FILE, SealError, load_key
    from storage.rekey import new_master_key, rotate, write_key_file

    configured = settings.secret_key is not None or settings.secret_key_file is not None
    if configured and new_key_file is None:
        print(
            "rotate-key: the key comes from SP_ADVISOR_SECRET_KEY(_FILE); give "
            "--new-key-file FILE for the new one",
            file=sys.stderr,
        )
        return 2
    old_key = load_key(
        settings.data_dir,
        settings.secret_key.get_secret_value() if settings.secret_key else None,
        settings.secret_key_file,
    )
    new_key = new_master_key()
    generated = settings.data_dir / GENERATED_KEY_FILE
    # The new key is on disk, durable, before anything is sealed with it.
    staged = new_key_file or generated.with_name(GENERATED_KEY_FILE + ".new")
    try:
        write_key_file(staged, new_key)
    except FileExistsError as exc:
        print(f"rotate-key: {exc}", file=sys.stderr)
        return 2
    try:
        result = rotate(settings.data_dir, old_key, new_key)
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
    if new_key_file is None:
        os.replace(staged, generated)
        where = f"the key file {generated} now holds the new key"
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
