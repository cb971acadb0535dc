"""One process per data folder: a second `chat` or `run` on the same folder would
interleave two writers' views of the same people and lose updates."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from storage._fs import ensure_private_dir

LOCK_FILE = "sp-advisor.lock"


class AlreadyRunning(RuntimeError):
    """Another process holds the data folder."""


class FolderLock:
    """An exclusive `flock` on a file in the data folder, held while the process runs.
    The kernel releases it when the process ends, however it ends (even `kill -9`),
    so a crash never leaves a stale lock behind."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        ensure_private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(
                f"another sp-advisor is already running on the data folder {self.path.parent}"
            ) from None
        # Who holds it, for `sp-advisor health` (which must not take the lock itself:
        # a bot starting at that moment would then be refused).
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def holder(data_dir: Path) -> int | None:
    """The process id written by the process holding the lock, if it still runs."""
    try:
        pid = int((data_dir / LOCK_FILE).read_text(encoding="ascii").strip() or "0")
    except (FileNotFoundError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # it runs, as another user
    return pid
