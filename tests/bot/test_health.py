"""The heartbeat behind `sp-advisor health`: written only while every loop reports."""

from __future__ import annotations

import asyncio
import errno
import os
import time
from pathlib import Path

import pytest

from bot import health
from storage.lock import FolderLock


def test_a_stuck_loop_stops_the_heartbeat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    beat = health.Heartbeat(tmp_path, ("updates", "sender"))
    assert beat.beat()
    clock = time.monotonic() + health.STALE_AFTER + 1
    monkeypatch.setattr(health.time, "monotonic", lambda: clock)
    beat.alive("updates")  # the sender never reports again
    assert not beat.beat()


def test_health_needs_a_running_holder_and_a_fresh_beat(tmp_path: Path) -> None:
    assert health.check(tmp_path) == (False, "no bot is running on this data folder")
    lock = FolderLock(tmp_path)
    lock.acquire()  # this process plays the running bot
    try:
        healthy, why = health.check(tmp_path)
        assert not healthy and "has not reported" in why
        health.Heartbeat(tmp_path, ()).beat()
        assert health.check(tmp_path)[0]
        old = time.time() - health.STALE_AFTER - 5
        os.utime(tmp_path / health.HEARTBEAT_FILE, (old, old))
        healthy, why = health.check(tmp_path)
        assert not healthy and "have not run" in why
    finally:
        lock.release()


def test_a_bad_webhook_listen_address_is_one_configuration_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SP_ADVISOR_")}
    env.update(SP_ADVISOR_DATA_DIR=str(tmp_path), SP_ADVISOR_WEBHOOK_LISTEN="nowhere",
               TELEGRAM_BOT_TOKEN="1:x")
    done = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                          text=True, timeout=30)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1, lines
    assert "SP_ADVISOR_WEBHOOK_LISTEN must be host:port" in lines[0]


async def test_a_full_disk_skips_beats_and_does_not_end_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A loop that fails ends `run`; the heartbeat must not, on a full disk, end a bot
    # whose store waits the disk out. A missed beat goes stale: `health` tells.
    beats: list[bool] = []
    full = [True]

    def beat(self: health.Heartbeat) -> bool:
        beats.append(full[0])
        if full[0]:
            full[0] = False
            raise OSError(errno.ENOSPC, "No space left on device")
        stop.set()
        return True

    monkeypatch.setattr(health.Heartbeat, "beat", beat)
    monkeypatch.setattr(health, "BEAT_EVERY", 0.01)
    stop = asyncio.Event()
    await asyncio.wait_for(health.Heartbeat(tmp_path, ["updates"]).run(stop), 5)
    assert beats == [True, False]
