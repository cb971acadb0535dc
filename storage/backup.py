"""`sp-advisor backup FILE`: a consistent copy of the database, still sealed.

`VACUUM INTO` reads one snapshot (the bot may keep running; it is not blocked)
and writes only live pages: nothing already deleted, zeroed or not, is carried
over into the copy. The copy is created empty with mode 0600 first, so it is
never readable by others, not even for a moment.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from storage._fs import ensure_private_file
from storage.store import BUSY_TIMEOUT_MS, DB_FILE

__all__ = ["WARNING", "backup"]

WARNING = (
    "A backup keeps what a later wipe removes: anyone who deletes their data "
    "afterwards is still in this copy. Keep it apart from the key, and delete it "
    "when it is older than SP_ADVISOR_SESSION_DAYS (30 days by default)."
)


def backup(data_dir: Path, target: Path) -> None:
    source = data_dir / DB_FILE
    if not source.exists():
        raise FileNotFoundError(f"no database in {data_dir}")
    if target.exists():
        raise FileExistsError(f"{target} exists; a backup never overwrites a file")
    ensure_private_file(target)
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("VACUUM INTO ?", [str(target)])
        finally:
            conn.close()
        # One self-contained file: no write-ahead log beside it.
        copy = sqlite3.connect(target, isolation_level=None)
        try:
            copy.execute("PRAGMA journal_mode=DELETE")
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the backup failed its integrity check")
        finally:
            copy.close()
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
