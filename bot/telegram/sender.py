"""The sender: carries out the outbox, per person in order, people in parallel.

Pacing follows Telegram's limits with the same rule as python-telegram-bot's
`AIORateLimiter` (about 30 messages a second overall, about one a second per
chat), written here as two token buckets instead of using that class: it needs
the `aiolimiter` extra, and it retries inside the call, while here a row that
must wait goes back to the store with the time it may run again — so a flood
wait holds nothing in memory, survives a restart, and never blocks other people.

A row ends only when Telegram confirmed it (the ids of what it sent are recorded
in the same transaction) or refused it for good (403: the person blocked the bot;
400: too old, not found, cannot be edited). Network trouble, 5xx and 429 are
retried: 429 after exactly `retry_after`, the rest with exponential backoff.

A send whose earlier try may have gone through (the run before was killed, or the
connection dropped before Telegram answered) leaves a first copy in the chat that no
row recorded. When the second copy is confirmed, claim rows probe the ids just below
it: Telegram lets a bot edit only its own messages, so the one whose keyboard can be
taken off is that copy, and it is deleted.
Logs name the method and the reason only, never a text, an id or the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Literal

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.telegram.render import markup
from storage.faults import FIRST_WAIT, DiskFault, next_wait
from storage.outbox import Call, OutRow
from storage.store import Store

logger = logging.getLogger(__name__)

# `do_api_request` warns when a method has its own wrapper; plain dicts are the point.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

MAX_BACKOFF = 60.0  # seconds between retries of one row, at most
GIVE_UP_SENDS_AFTER = 40  # attempts (~35 minutes): an answer that late helps nobody
DELETE_WINDOW = timedelta(hours=48).total_seconds()
# What per-chat pacing applies to.
_COUNTED = frozenset({"send", "edit", "document", "strip", "claim"})
_RECENT_CHATS = 10_000  # per-chat pacing state kept, at most (oldest forgotten)
_READ_BATCH = 20  # rows of one person read from the store at a time

Outcome = Literal["done", "retry", "gone"]


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are handled.
        warnings.simplefilter("ignore")
        return _seconds(exc.retry_after)


@dataclass
class Pace:
    """Token buckets: `overall` calls a second for the bot, `per_chat` a second per chat
    after a burst of `burst`. None: no pacing (tests that count calls, benches)."""

    overall: float | None = 30.0
    per_chat: float | None = 1.0
    burst: int = 3
    backoff: float = 1.0  # seconds before the first retry of a failed call; doubles after


class _Bucket:
    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens, self.at = capacity, now

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0: take it now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Sender:
    def __init__(
        self,
        store: Store,
        bot: Bot,
        *,
        pace: Pace | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bot = bot
        self.pace = pace or Pace()
        self.clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # People whose task must read the store again before it ends (held only while
        # their task runs).
        self._stale: set[str] = set()
        # Answered buttons and done strips, whose rows end with the person's next
        # confirmed send (one transaction less), or when their task ends. Held only
        # while it runs.
        self._answered: dict[str, list[OutRow]] = {}
        self._wake = asyncio.Event()
        self._paused_until = 0.0  # a 429 pauses every call, as Telegram asks
        now = clock()
        self._overall = (
            _Bucket(self.pace.overall, self.pace.overall, now) if self.pace.overall else None
        )
        self._chats: OrderedDict[int, _Bucket] = OrderedDict()
        # Rows whose last try ended without Telegram's answer (network trouble, 5xx, or
        # a kill of the run before): their call may have been carried out. Ids only,
        # dropped when the row ends.
        self._unsure: set[int] = set(store.maybe_sent)
        self._disk_wait = FIRST_WAIT  # before trying again after a disk fault
        self.alive: Callable[[], None] = lambda: None  # told on every turn of `run`

    # -- scheduling --------------------------------------------------------------

    def wake(self, rows: list[OutRow]) -> None:
        """New rows were committed: serve their people now. Rows that are their owner's
        whole queue (`OutRow.first`) are carried out as handed over, not read back."""
        handed: dict[str, list[OutRow]] = {}
        for row in rows:
            handed.setdefault(row.owner, []).append(row)
        for owner, mine in handed.items():
            self._serve(owner, mine)

    def _serve(self, owner: str, handed: list[OutRow] | None = None) -> None:
        task = self._tasks.get(owner)
        if task is None or task.done():
            start = handed if handed and handed[0].first else None
            task = asyncio.get_running_loop().create_task(self._drain_owner(owner, start))
            self._tasks[owner] = task
            # Nothing of the person stays once their rows are done (the run loop's
            # sweep comes only every so often, and tests and benches run without it).
            task.add_done_callback(functools.partial(self._forget, owner))
        else:
            # Rows came while the person is being served: read the store before ending.
            self._stale.add(owner)

    def _forget(self, owner: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(owner) is task:
            del self._tasks[owner]

    async def run(self, stop: asyncio.Event) -> None:
        """Serve everyone with rows waiting (after a restart, after a retry is due)."""
        while not stop.is_set():
            self.alive()
            self._wake.clear()
            now = self.clock()
            soonest = now + 30.0
            try:
                owners = await self.store.outbox_owners(now)
            except DiskFault as exc:
                logger.error("outbox: reading it failed: %s; trying again", type(exc).__name__)
                await self._disk_pause(stop)
                continue
            for owner, not_before in owners:
                if owner in self._tasks and not self._tasks[owner].done():
                    continue
                if not_before <= now:
                    self._serve(owner)
                else:
                    soonest = min(soonest, not_before)
            self._tasks = {o: t for o, t in self._tasks.items() if not t.done()}
            waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(
                waits, timeout=max(0.05, soonest - now), return_when="FIRST_COMPLETED"
            )
            for waiter in waits:
                waiter.cancel()

    async def drain(self, timeout: float = 30.0) -> None:
        """Carry out every row now, waiting out retries (tests, and a clean stop)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [t for t in self._tasks.values() if not t.done()]
            if busy:
                await asyncio.wait(busy, timeout=deadline - time.monotonic())
                continue
            owners = await self.store.outbox_owners(self.clock())
            if not owners:
                return
            now = self.clock()
            ready = [owner for owner, when in owners if when <= now]
            if not ready:
                await asyncio.sleep(min(0.5, min(w for _, w in owners) - now))
                continue
            for owner in ready:
                self._serve(owner)
        raise TimeoutError("the outbox did not empty in time")

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()

    # -- one person --------------------------------------------------------------

    async def _drain_owner(self, owner: str, handed: list[OutRow] | None = None) -> None:
        """Carry out the person's rows in order. `handed`: the whole queue, just stored
        (no need to read it back); the store is read again before ending only when more
        rows were woken meanwhile, or a batch read may have left some behind."""
        try:
            while True:
                try:
                    await self._drain_rows(owner, handed)
                    self._disk_wait = FIRST_WAIT
                    return
                except DiskFault as exc:
                    # What Telegram answered could not be stored: the row stays, and is
                    # tried again once the disk may have recovered (a send that went
                    # through is sent again, and its first copy found, as after a lost
                    # answer).
                    logger.error("outbox: storing a result failed: %s; trying again",
                                 type(exc).__name__)
                    handed = None  # read from the store again
                    await self._disk_pause()
        finally:
            self._stale.discard(owner)
            answered = self._answered.pop(owner, None)
            if answered:
                await self.store.outbox_done(answered)

    async def _drain_rows(self, owner: str, handed: list[OutRow] | None) -> None:
        rows = handed
        complete = handed is not None
        while True:
            if rows is None:
                self._stale.discard(owner)
                rows = await self.store.outbox_rows(owner, _READ_BATCH)
                complete = len(rows) < _READ_BATCH
            if not rows:
                return
            for row in rows:
                if owner in self._stale:
                    # New rows came; an update may also have dropped some of these
                    # (a quick exit drops replies still waiting): read them anew.
                    complete = False
                    break
                if row.not_before > self.clock():
                    self._wake.set()  # the run loop waits for it
                    return
                outcome = await self._carry_out(row)
                if outcome != "retry":
                    self._unsure.discard(row.id)
                if outcome == "gone":
                    await self.store.outbox_chat_gone(owner)
                    return
                if outcome == "retry":
                    self._wake.set()
                    return
                if row.call.get("op") in ("delete", "claim"):
                    # Its outcome may change what the next rows say, or add one:
                    # read them anew.
                    complete = False
                    break
            if complete and owner not in self._stale:
                return
            rows = None

    async def _disk_pause(self, stop: asyncio.Event | None = None) -> None:
        """Wait before trying the store again: half a second, doubling to 30 s while
        the disk keeps failing."""
        wait, self._disk_wait = self._disk_wait, next_wait(self._disk_wait)
        if stop is None:
            await asyncio.sleep(wait)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)

    async def _paced(self, call: Call) -> None:
        while True:
            now = self.clock()
            wait = max(0.0, self._paused_until - now)
            if not wait and self._overall is not None:
                wait = self._overall.wait(now)
            if not wait and call["op"] in _COUNTED and self.pace.per_chat:
                chat = int(call["chat"])
                bucket = self._chats.pop(chat, None) or _Bucket(
                    self.pace.per_chat, self.pace.burst, now
                )
                self._chats[chat] = bucket
                if len(self._chats) > _RECENT_CHATS:
                    self._chats.popitem(last=False)
                wait = bucket.wait(now)
            if not wait:
                return
            await asyncio.sleep(wait)

    async def _carry_out(self, row: OutRow) -> Outcome:
        call = row.call
        op = call.get("op")
        method = _METHODS.get(op or "", "unknown")
        if op is None or method == "unknown":
            await self.store.outbox_refused(row)
            return "done"
        if op == "delete" and row.attempts and self._too_late(row):
            logger.info("outbox: %s ended: too old to delete", method)
            await self.store.outbox_deleted(row, done=False)
            return "done"
        if op == "claim" and await self.store.recorded(row.owner, call.get("message_id", 0)):
            # Recorded since (an edit of that very message): it is a screen, not a copy.
            await self.store.outbox_refused(row)
            return "done"
        if op == "strip":
            resolved = await self._strip_target(row)
            if resolved is None:
                return "done"
            row, call = resolved, resolved.call
        text = call.get("alt", call.get("text", "")) if row.use_alt else call.get("text", "")
        if op == "send" and not text:
            await self.store.outbox_refused(row)  # said only if a deletion had failed
            return "done"
        await self._paced(call)
        try:
            result = await self._request(op, call, text)
        except RetryAfter as exc:
            wait = retry_after(exc)
            self._paused_until = max(self._paused_until, self.clock() + wait)
            logger.info("outbox: %s postponed: flood control (%.0f s)", method, wait)
            await self.store.outbox_retry(row, self.clock() + wait)
            return "retry"
        except Forbidden:
            logger.info("outbox: %s ended: the person blocked the bot", method)
            return "gone"
        except BadRequest as exc:
            return await self._refused(row, op, method, text, exc)
        except TelegramError as exc:  # network trouble, time-outs, 5xx
            return await self._later(row, method, type(exc).__name__)
        if op == "delete":
            await self.store.outbox_deleted(row, done=True)
        elif op == "claim":
            await self._claimed(row)
        elif op in ("answer", "strip"):
            # Nothing to record: the row ends with the next confirmed send of the person
            # (a kill before that only makes Telegram answer the button, or take off a
            # keyboard already gone, once more: "not modified" ends it then).
            self._answered.setdefault(row.owner, []).append(row)
        else:
            await self._sent(row, result)
        return "done"

    async def _claimed(self, row: OutRow) -> None:
        logger.info("outbox: a copy sent twice found; deleting it")
        await self.store.outbox_claimed(row)

    def _too_late(self, row: OutRow) -> bool:
        return row.created_at > 0 and self.clock() - row.created_at >= DELETE_WINDOW

    async def _later(self, row: OutRow, method: str, why: str) -> Outcome:
        self._unsure.add(row.id)
        if row.call.get("op") != "delete" and row.attempts >= GIVE_UP_SENDS_AFTER:
            logger.warning("outbox: %s ended: still failing after %d tries", method, row.attempts)
            await self.store.outbox_refused(row)
            return "done"
        jitter = random.uniform(0.5, 1.0)  # noqa: S311 - spreads retries, not a secret
        backoff = min(MAX_BACKOFF, self.pace.backoff * 2.0 ** min(row.attempts, 6)) * jitter
        logger.info("outbox: %s retried in %.1f s: %s", method, backoff, why)
        await self.store.outbox_retry(row, self.clock() + backoff)
        return "retry"

    async def _refused(
        self, row: OutRow, op: str, method: str, text: str, exc: BadRequest
    ) -> Outcome:
        reason = exc.message.lower()
        if op == "edit":
            if "not modified" in reason:
                await self.store.outbox_sent(row, [], ended=self._answered.pop(row.owner, []))
                return "done"
            # Too old, deleted, or not text: show it as a new message instead.
            try:
                result = await self._request("send", row.call, text)
            except RetryAfter as retry:
                wait = retry_after(retry)
                await self.store.outbox_retry(row, self.clock() + wait)
                return "retry"
            except Forbidden:
                return "gone"
            except BadRequest:
                pass
            except TelegramError as error:
                return await self._later(row, method, type(error).__name__)
            else:
                await self._sent(row, result)
                return "done"
        if op == "delete":
            # "message to delete not found": already gone, which is what was asked.
            gone = "not found" in reason
            logger.info("outbox: %s ended: %s", method, "already gone" if gone else "refused")
            await self.store.outbox_deleted(row, done=gone)
            return "done"
        if op == "claim":
            if "not modified" in reason:  # the bot's, with no keyboard to take off
                await self._claimed(row)
            else:  # the person's message, or gone: not a copy
                await self.store.outbox_refused(row)
            return "done"
        if op == "strip":
            # Not modified (no keyboard left), not found, too old: nothing more to do.
            logger.info("outbox: %s ended: nothing to remove", method)
            await self.store.outbox_stripped(row, row.call.get("message_id"))
            return "done"
        logger.info("outbox: %s ended: refused (BadRequest)", method)
        await self.store.outbox_refused(row)
        return "done"

    async def _strip_target(self, row: OutRow) -> OutRow | None:
        """The strip row with the message whose keyboard goes; None when the chat shows
        none (the row has then ended). Resolved now, not when the row was stored: that
        message may have been sent by an earlier row of this very outbox."""
        if "message_id" in row.call:
            return row
        target = await self.store.keyboard_message(row.owner)
        if target is None:  # ends with the person's next confirmed send
            self._answered.setdefault(row.owner, []).append(row)
            return None
        return replace(row, call={**row.call, "message_id": target})

    async def _sent(self, row: OutRow, result: object) -> None:
        message_id = result.get("message_id") if isinstance(result, dict) else None
        ids = [message_id] if isinstance(message_id, int) else []
        answered = self._answered.pop(row.owner, [])
        unsure = row.id in self._unsure
        # Shown in the chat: should recording it fail, the next try sends it again.
        self._unsure.add(row.id)
        cleanup = await self.store.outbox_sent(row, ids, ended=answered, unsure=unsure)
        if cleanup:  # a wipe came while it was on its way: delete it too
            self.wake(cleanup)

    async def _request(self, op: str, call: Call, text: str) -> object:
        chat = int(call["chat"])
        kwargs: dict[str, object]
        if op == "answer":
            kwargs = {"callback_query_id": call.get("query", "")}
        elif op == "delete":
            kwargs = {"chat_id": chat, "message_ids": list(call.get("ids", []))}
        elif op == "edit":
            kwargs = {
                "chat_id": chat,
                "message_id": call.get("message_id"),
                "text": text,
                "reply_markup": markup(call.get("buttons", [])),
            }
        elif op in ("strip", "claim"):
            kwargs = {"chat_id": chat, "message_id": call.get("message_id"),
                      "reply_markup": markup([])}
        elif op == "document":
            kwargs = {
                "chat_id": chat,
                "document": InputFile(
                    call.get("body", "").encode("utf-8"), filename=call.get("name", "draft.txt")
                ),
                "protect_content": call.get("protect", True),
            }
            if text:
                kwargs["caption"] = text
            if call.get("buttons"):
                kwargs["reply_markup"] = markup(call.get("buttons", []))
        else:
            kwargs = {"chat_id": chat, "text": text, "protect_content": call.get("protect", True)}
            if call.get("buttons"):
                kwargs["reply_markup"] = markup(call.get("buttons", []))
        result: object = await self.bot.do_api_request(_METHODS[op], api_kwargs=kwargs)
        return result


_METHODS = {
    "send": "sendMessage",
    "edit": "editMessageText",
    "document": "sendDocument",
    "delete": "deleteMessages",
    "answer": "answerCallbackQuery",
    "strip": "editMessageReplyMarkup",
    "claim": "editMessageReplyMarkup",
}
