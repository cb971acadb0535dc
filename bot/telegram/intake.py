"""Updates in, durably: long polling, the inbox, and handling per person in order.

python-telegram-bot's `Updater` confirms a batch to Telegram (the next
`getUpdates` offset) before it is handled, so a kill loses it. Here a batch is
written to the inbox, sealed, in one transaction first; only the next
`getUpdates` confirms it. Each update leaves the inbox in the transaction that
stores its outcome, so after a kill what is left in the inbox is handled first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence

from telegram import Bot
from telegram.error import Conflict, EndPointNotFound, InvalidToken, RetryAfter, TelegramError

from bot.telegram.sender import retry_after
from storage.crypto import Sealer
from storage.faults import FIRST_WAIT, DiskFault, next_wait
from storage.outbox import Incoming
from storage.store import Store

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates open
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "channel_post")
MAX_POLL_BACKOFF = 30.0


def owner_of(sealer: Sealer, data: Mapping[str, object]) -> str:
    """Whose update this is (a pseudonym): the person for private chats, else the chat.
    Updates of one owner are handled strictly in order."""
    for kind, value in data.items():
        if kind == "update_id" or not isinstance(value, Mapping):
            continue
        person = value.get("from")
        if isinstance(person, Mapping) and isinstance(person.get("id"), int):
            return sealer.pseudonym("telegram", int(person["id"]))
        chat = value.get("chat")
        if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
            return sealer.pseudonym("telegram-chat", int(chat["id"]))
    return "-"


class Dispatcher:
    """Handles inbox updates: one person's strictly in order, people concurrently.
    Holds only what is waiting; nothing per person stays once it is handled."""

    def __init__(self, handle: Callable[[Incoming], Awaitable[None]]) -> None:
        self._handle = handle
        self._queues: dict[str, deque[Incoming]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def enqueue(self, items: Sequence[Incoming]) -> None:
        for item in items:
            queue = self._queues.setdefault(item.owner, deque())
            queue.append(item)
            if item.owner not in self._tasks:
                self._tasks[item.owner] = asyncio.get_running_loop().create_task(
                    self._serve(item.owner)
                )

    async def _serve(self, owner: str) -> None:
        queue = self._queues[owner]
        wait = FIRST_WAIT
        try:
            while queue:
                item = queue[0]
                try:
                    await self._handle(item)
                except DiskFault as exc:
                    # Nothing of it was stored: the same update again, before the
                    # person's next one, once the disk may have recovered.
                    logger.error("storing an update's outcome failed: %s; trying again",
                                 type(exc).__name__)
                    await asyncio.sleep(wait)
                    wait = next_wait(wait)
                    continue
                except Exception as exc:  # the inbox keeps it; logged without content
                    logger.error("an update could not be handled: %s", type(exc).__name__)
                wait = FIRST_WAIT
                queue.popleft()
        finally:
            del self._queues[owner]
            del self._tasks[owner]

    @property
    def busy(self) -> int:
        return sum(len(q) for q in self._queues.values())

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)


class Poller:
    """Long-polls getUpdates; a batch is in the inbox before the next call confirms it."""

    def __init__(self, bot: Bot, store: Store, sealer: Sealer, dispatcher: Dispatcher) -> None:
        self.bot, self.store, self.sealer, self.dispatcher = bot, store, sealer, dispatcher
        self.offset: int | None = None
        self.alive: Callable[[], None] = lambda: None  # told after every poll

    async def accept(self, updates: Sequence[Mapping[str, object]]) -> None:
        batch = [
            (int(u["update_id"]), owner_of(self.sealer, u), dict(u))  # type: ignore[call-overload]
            for u in updates
            if isinstance(u.get("update_id"), int)
        ]
        fresh = await self.store.intake(batch)
        self.dispatcher.enqueue(fresh)
        if batch:
            self.offset = max(update_id for update_id, _, _ in batch) + 1

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        store_wait = FIRST_WAIT
        while not stop.is_set():
            kwargs: dict[str, object] = {
                "timeout": POLL_TIMEOUT,
                "allowed_updates": list(ALLOWED_UPDATES),
            }
            if self.offset is not None:
                kwargs["offset"] = self.offset
            try:
                updates = await self.bot.do_api_request(
                    "getUpdates", api_kwargs=kwargs, read_timeout=POLL_TIMEOUT + 10
                )
            except (InvalidToken, EndPointNotFound) as exc:
                # `do_api_request` reports a refused token (401) as an unknown method;
                # getUpdates is no unknown method. Polling stops: the bot cannot run.
                raise InvalidToken("the Bot API refused the token") from exc
            except Conflict:
                logger.error("another bot is polling with this token: stop it (only one may run)")
                await _sleep(stop, MAX_POLL_BACKOFF)
                continue
            except RetryAfter as exc:
                await _sleep(stop, retry_after(exc))
                continue
            except TelegramError as exc:
                logger.warning("polling failed: %s; retrying", type(exc).__name__)
                await _sleep(stop, backoff)
                backoff = min(MAX_POLL_BACKOFF, backoff * 2)
                continue
            backoff = 1.0
            self.alive()
            if isinstance(updates, list) and updates:
                try:
                    await self.accept([u for u in updates if isinstance(u, Mapping)])
                except DiskFault as exc:
                    # Not stored, so not confirmed: the next getUpdates (same offset)
                    # brings the batch again.
                    logger.error("storing a batch of updates failed: %s; asking again",
                                 type(exc).__name__)
                    await _sleep(stop, store_wait)
                    store_wait = next_wait(store_wait)
                    continue
                store_wait = FIRST_WAIT


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
