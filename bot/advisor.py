"""The way of an update, shared by the Telegram and terminal adapters:
lock the person, load their sealed session, run the engine, store the result in
one transaction, hand back the replies and what the adapter must do."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from flows.engine import Engine
from flows.model import (
    AddReminder,
    CancelReminder,
    CountStat,
    Effect,
    Event,
    Reply,
    Session,
    Wipe,
)
from storage.store import Store

# Telegram lets a bot delete a message only during its first 48 hours.
DELETE_WINDOW = timedelta(hours=48)
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


@dataclass
class Handled:
    replies: list[Reply]
    effects: list[Effect] = field(default_factory=list)  # never counters


@dataclass
class Deleted:
    deleted: int = 0
    failed: int = 0
    too_old: int = 0


class Chat(Protocol):
    """What an adapter can do to the conversation it serves."""

    async def delete(self, message_ids: list[int]) -> bool:
        """Delete up to DELETE_BATCH messages; False when the platform refused."""
        ...


class Advisor:
    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        # A lock lives only while an update of that person is being handled, so
        # memory does not grow with the number of people who ever wrote.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def lock(self, user: str) -> asyncio.Lock:
        lock = self._locks.get(user)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user] = lock
        return lock

    async def handle(self, event: Event) -> Handled | None:
        """The replies to send and effects to perform, or None when this update was
        already handled. Callers that must keep replies in order hold `lock(user)`."""
        processed, stored = await self.store.begin_update(event.user, event.update_id)
        if processed:
            return None
        session = stored or Session()
        outcome = self.engine.handle(session, event)
        stats = [e for e in outcome.effects if isinstance(e, CountStat)]
        effects: list[Effect] = [e for e in outcome.effects if not isinstance(e, CountStat)]
        wipe = any(isinstance(e, Wipe) for e in effects)
        incoming = [event.message_id] if event.message_id is not None and not wipe else []
        committed = await self.store.commit_update(
            event.user,
            None if wipe else outcome.session,
            update_id=event.update_id,
            stats=stats,
            incoming=incoming,
        )
        return Handled(outcome.replies, effects) if committed else None

    async def delete_messages(
        self, owner: str, chat: Chat, only: list[int] | None = None, now: datetime | None = None
    ) -> Deleted:
        """Delete this person's tracked messages (all, or `only` these) that the platform
        still allows, forgetting them from the ledger. Failures are counted, not logged
        with anything that identifies the person."""
        now = now or datetime.now(UTC)
        result = Deleted()
        ledger = await self.store.ledger(owner)
        wanted = set(only) if only is not None else None
        fresh: list[int] = []
        for message_id, sent_at in ledger:
            if wanted is not None and message_id not in wanted:
                continue
            if now - sent_at >= DELETE_WINDOW:
                result.too_old += 1
            else:
                fresh.append(message_id)
        if wanted is not None:
            # Not in the ledger (e.g. a message of this very update): still try.
            fresh += sorted(wanted - {m for m, _ in ledger})
        for start in range(0, len(fresh), DELETE_BATCH):
            batch = fresh[start : start + DELETE_BATCH]
            if await chat.delete(batch):
                result.deleted += len(batch)
            else:
                result.failed += len(batch)
        await self.store.forget_messages(owner, fresh)
        return result

    async def wipe(self, owner: str, chat: Chat | None) -> Deleted:
        """Delete the chat's messages where possible, then every stored row of the person,
        so that the bytes leave the disk (the store checkpoints after deleting)."""
        result = Deleted()
        if chat is not None:
            try:
                result = await self.delete_messages(owner, chat)
            finally:
                await self.store.delete_user(owner)
        else:
            await self.store.delete_user(owner)
        return result

    async def schedule(
        self, owner: str, chat_id: int | None, effect: AddReminder | CancelReminder
    ) -> None:
        """Keep the reminder schedule in the database: it survives restarts."""
        if isinstance(effect, AddReminder):
            await self.store.add_reminder(
                owner, chat_id, effect.due, effect.reminder, effect.locale
            )
            return
        for reminder in await self.store.reminders_of(owner):
            if reminder.kind == effect.reminder and reminder.due_at == effect.due:
                await self.store.cancel_reminder(owner, reminder.id)
