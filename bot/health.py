"""`sp-advisor health`: is a bot running on this data folder, and are its loops alive?

The running bot holds the folder's lock and, while its loops run (polling or the
webhook, the sender, housekeeping), rewrites a heartbeat file every few seconds.
Healthy means both: the lock is held by a process, and the heartbeat is fresh. A
stuck loop stops the heartbeat, so a container orchestrator restarts the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from storage.lock import holder

logger = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
BEAT_EVERY = 10.0  # seconds
STALE_AFTER = 120.0  # seconds without a beat: unhealthy


class Heartbeat:
    """Loops report that they ran; the beat is written only while all of them do."""

    def __init__(self, data_dir: Path, loops: Iterable[str]) -> None:
        self.path = data_dir / HEARTBEAT_FILE
        self.seen = {name: time.monotonic() for name in loops}

    def alive(self, loop: str) -> None:
        self.seen[loop] = time.monotonic()

    def beat(self) -> bool:
        now = time.monotonic()
        if any(now - seen > STALE_AFTER for seen in self.seen.values()):
            return False
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(f"{time.time():.0f}\n", encoding="ascii")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                self.beat()
            except OSError as exc:
                # A full or failing disk: this beat is missed (and `health` tells once
                # it is stale); the bot itself goes on, as its store waits the disk out.
                logger.warning("heartbeat not written: %s", errno.errorcode.get(
                    exc.errno or 0, type(exc).__name__))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BEAT_EVERY)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def check(data_dir: Path, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one line saying why)."""
    if holder(data_dir) is None:
        return False, "no bot is running on this data folder"
    try:
        age = (now or time.time()) - (data_dir / HEARTBEAT_FILE).stat().st_mtime
    except FileNotFoundError:
        return False, "the bot is running but has not reported that its loops run"
    if age > STALE_AFTER:
        return False, f"the bot's loops have not run for {age:.0f} s"
    return True, f"ok: the bot's loops ran {age:.0f} s ago"
