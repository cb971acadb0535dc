"""Private file-system helpers: the data folder holds sealed data and the key."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) readable by the owner only.

    An existing folder keeps its permissions: the operator may have chosen them
    on purpose (a shared group, a mounted volume), and silently changing them
    could break their setup.
    """
    if path.is_dir():
        return
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    # mkdir's mode is filtered through the umask; set it exactly.
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_DIR_MODE)


def ensure_private_file(path: Path) -> None:
    """Make sure `path` exists with mode 0600 before anything writes to it.

    SQLite gives its -wal and -shm files the permissions of the database file,
    so creating the database file private first keeps all three private.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    # Some file systems (FAT, some network mounts) cannot store modes.
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_FILE_MODE)


def fsync_dir(path: Path) -> None:
    """Make a newly created directory entry durable (POSIX only)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
