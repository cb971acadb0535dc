"""The way of an update, shared by the Telegram and terminal adapters:
lock the person, load their sealed session, run the engine, store the result in
one transaction, hand back the replies."""

from __future__ import annotations

import asyncio
import weakref

from flows.engine import Engine
from flows.model import CountStat, Event, Reply, Session
from storage.store import Store


class Advisor:
    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        # A lock lives only while an update of that person is being handled, so
        # memory does not grow with the number of people who ever wrote.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, user: str) -> asyncio.Lock:
        lock = self._locks.get(user)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user] = lock
        return lock

    async def handle(self, event: Event) -> list[Reply] | None:
        """The replies to send, or None when this update was already handled."""
        async with self._lock(event.user):
            if event.update_id is not None and await self.store.is_processed(event.update_id):
                return None
            session = await self.store.load_session(event.user) or Session()
            outcome = self.engine.handle(session, event)
            stats = [e for e in outcome.effects if isinstance(e, CountStat)]
            committed = await self.store.commit_update(
                event.user, outcome.session, update_id=event.update_id, stats=stats
            )
            return outcome.replies if committed else None
