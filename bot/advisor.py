"""The way of an update, shared by the Telegram and terminal adapters: load the
person's sealed session, run the engine, and store the whole outcome in one
transaction — session, counters, reminders, settings and, on Telegram, every Bot
API call still to make (the outbox). Nothing is done to the outside world here:
the sender carries out the outbox afterwards, so a crash at any point leaves what
remains to be done on disk."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flows.engine import Engine
from flows.model import (
    AddReminder,
    CancelReminder,
    CountStat,
    DeleteDraftMessages,
    DeleteMessages,
    Effect,
    Event,
    QuickExit,
    Reply,
    Session,
    SetAutoDelete,
    Wipe,
)
from storage.outbox import Call, OutRow
from storage.store import Store, iso_week

# Turns the engine's replies into Bot API calls for one chat (the Telegram adapter's).
ToCalls = Callable[[Sequence[Reply]], list[Call]]


@dataclass
class Handled:
    replies: list[Reply]
    effects: list[Effect] = field(default_factory=list)  # never counters
    rows: list[OutRow] = field(default_factory=list)  # queued Bot API calls


@dataclass(frozen=True)
class Chat:
    """Where the replies go on Telegram: the chat, how replies become calls, and the
    calls that come first (answering the pressed button)."""

    chat_id: int
    to_calls: ToCalls
    first: tuple[Call, ...] = ()


class Advisor:
    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        # A lock lives only while an update of that person is being handled, so
        # memory does not grow with the number of people who ever wrote.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, user: str) -> asyncio.Lock:
        lock = self._locks.get(user)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user] = lock
        return lock

    async def handle(
        self, event: Event, chat: Chat | None = None, *, now: datetime | None = None
    ) -> Handled | None:
        """Run one update and store its outcome; None when it was handled before (a
        redelivery). `chat` None: the terminal, where replies are shown at once."""
        moment = now or datetime.now(UTC)
        processed, stored = await self.store.begin_update(event.user, event.update_id)
        if processed:
            return None
        session = stored or Session()
        outcome = self.engine.handle(session, event)
        stats = _once_a_week(
            session, outcome.session, [e for e in outcome.effects if isinstance(e, CountStat)],
            moment,
        )
        effects: list[Effect] = [e for e in outcome.effects if not isinstance(e, CountStat)]
        wipe = any(isinstance(e, Wipe) for e in effects)
        replies = list(outcome.replies)
        calls: list[Call] = []
        if chat is not None:
            if wipe:
                left = await self.store.undeletable(event.user, moment)
                if left:
                    replies.append(self.engine.wipe_left(session.locale or event.language, left))
            calls = [*chat.first, *_deletions(effects, chat.chat_id), *chat.to_calls(replies)]
            if wipe:
                # Nothing sent after a wipe is recorded: nothing of the person stays.
                calls = [c if c["op"] == "delete" else {**c, "record": False} for c in calls]
        incoming = [event.message_id] if event.message_id is not None else []
        rows = await self.store.commit(
            event.user,
            outcome.session,
            update_id=event.update_id,
            stats=stats,
            now=moment,
            incoming=incoming,
            calls=calls,
            wipe=wipe,
            settings=[e for e in effects if isinstance(e, SetAutoDelete)],
            reminders=[e for e in effects if isinstance(e, AddReminder | CancelReminder)],
            chat_id=None if chat is None else chat.chat_id,
        )
        if rows is None:
            return None
        return Handled(replies, effects, rows)

    async def fixed(
        self,
        owner: str,
        update_id: int | None,
        chat: Chat,
        replies: Sequence[Reply],
        *,
        delete: Sequence[int] = (),
        record: bool = True,
    ) -> list[OutRow] | None:
        """A fixed answer outside the conversation (a photo deleted, an edited message):
        no session, but the same single transaction and the outbox."""
        calls = [*chat.first, *_deletions([DeleteMessages(message_ids=list(delete))], chat.chat_id)]
        calls += [c if record else {**c, "record": False} for c in chat.to_calls(replies)]
        return await self.store.commit(
            owner, None, update_id=update_id, calls=calls, keep_session=True
        )


def _once_a_week(
    before: Session, after: Session, stats: Sequence[CountStat], moment: datetime
) -> list[CountStat]:
    """The counters this person has not added yet this week; `after` remembers them."""
    week = iso_week(moment)
    seen = set(before.counted) if before.counted_week == week else set()
    fresh: list[CountStat] = []
    for stat in stats:
        key = f"{stat.flow}/{stat.step}/{stat.event}"
        if key not in seen:
            seen.add(key)
            fresh.append(stat)
    after.counted_week, after.counted = week, sorted(seen)
    return fresh


def _deletions(effects: Sequence[Effect], chat_id: int) -> list[Call]:
    calls: list[Call] = []
    for effect in effects:
        if isinstance(effect, DeleteMessages) and effect.message_ids:
            calls.append({"op": "delete", "chat": chat_id, "ids": list(effect.message_ids)})
        elif isinstance(effect, QuickExit | Wipe):
            calls.append({"op": "delete", "chat": chat_id, "ledger": "all"})
        elif isinstance(effect, DeleteDraftMessages):
            calls.append({"op": "delete", "chat": chat_id, "ledger": "draft"})
    return calls
