"""Work that no update asks for: reminders that are due, auto-deletes, retention.

Each step is a short transaction that queues Bot API calls in the outbox (the
sender carries them out, retried until done) or deletes a small batch of rows, so
housekeeping never holds an update for long, and it resumes after a restart
because everything it needs is in the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from bot.telegram.sender import Sender
from flows.i18n import translator
from flows.reminders import fired_text
from storage.store import yield_to_updates

logger = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = timedelta(minutes=1)
PURGE_EVERY = timedelta(hours=1)
# The first purge waits a little after start: polling and the inbox come first.
FIRST_PURGE_AFTER = timedelta(seconds=30)


def _reminder_line(locale: str, kind: str, due: datetime) -> str:
    return fired_text(translator(locale), kind, due)


class Housekeeping:
    def __init__(self, runtime: Runtime, sender: Sender) -> None:
        self.runtime = runtime
        self.sender = sender
        self.purge_due: datetime | None = None
        self.alive: Callable[[], None] = lambda: None  # told after every round

    async def once(self, now: datetime | None = None) -> None:
        """Queue due reminders and auto-deletes; purge when an hour has passed."""
        now = now or datetime.now(UTC)
        store = self.runtime.store
        if self.purge_due is None:
            self.purge_due = now + FIRST_PURGE_AFTER
        if now >= self.purge_due:
            counts = await self.runtime.purge(now)
            self.purge_due = now + PURGE_EVERY
            logger.info("purge: %d sessions, %d drafts removed", counts.sessions, counts.drafts)
        while rows := await store.queue_reminders(now, _reminder_line):
            self.sender.wake(rows)
            await yield_to_updates()
        after = ""
        while rows := await store.queue_autodeletes(now, after=after):
            self.sender.wake(rows)
            after = max(row.owner for row in rows)
            await yield_to_updates()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.once()
                self.alive()
            except Exception as exc:  # keep the loop alive; nothing personal in the log
                logger.error("housekeeping failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HOUSEKEEPING_EVERY.total_seconds())
