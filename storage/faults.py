"""What the store raises when the disk under it fails for a moment."""

from __future__ import annotations

import sqlite3

# SQLite's error for an I/O error, a full disk, a lock held past the busy timeout or a
# file system turned read-only. Nothing was stored and the same work can succeed a
# moment later, so callers wait and try it again, in order, rather than drop an update
# or tell the person that something went wrong.
DiskFault = sqlite3.OperationalError

# Waits between tries while the disk keeps failing, in seconds: doubled each time.
FIRST_WAIT = 0.5
MOST_WAIT = 30.0


def next_wait(wait: float) -> float:
    return min(MOST_WAIT, wait * 2)
