"""The bot's own disk failing for a moment (an I/O error, a full disk, a lock held too
long), with `serve` running in this process against the fake Bot API over HTTP.

SQLite reports each of these as `sqlite3.OperationalError`. None of them may lose an
update, answer "Something went wrong" for an update that can simply be handled a
moment later, stop a loop for good, or leave a message in the chat that no ledger
holds.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.telegram.app import serve
from bot.telegram.sender import Pace
from bot.telegram.webhook import WebhookServer
from storage.store import Store
from tests.e2e.fake_bot_api import FakeBotApi, Person
from tests.e2e.test_kill import NOTICE, texts_to
from tests.e2e.test_lost_answers import notices, unrecorded
from tests.e2e.test_polling import TOKEN
from tests.e2e.test_webhook import SECRET, free_port, post

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")

SORRY = "Something went wrong"


def fail_once(monkeypatch: pytest.MonkeyPatch, method: str, after: bool = False) -> list[int]:
    """`Store.<method>` raises a disk error on its first call (`after`: once it has done
    its work, as when the commit's last write fails); returns a list that counts the
    failures."""
    inner: Callable[..., Awaitable[Any]] = getattr(Store, method)
    failed: list[int] = []

    async def flaky(self: Store, *args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(1)
            if after:
                await inner(self, *args, **kwargs)
            raise sqlite3.OperationalError("disk I/O error")
        return await inner(self, *args, **kwargs)

    monkeypatch.setattr(Store, method, flaky)
    return failed


class Running:
    """`serve` in this event loop; the fake API's blocking waits go to a thread."""

    def __init__(self, api: FakeBotApi, data: Path) -> None:
        self.api = api
        self.data = data
        self.settings = Settings(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=api.base_url,
            data_dir=data,  # the key: a key file generated under this test's config home
        )
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(serve(self.settings, self.stop, pace=Pace()))
        await self.until("the first poll", lambda: self.api.calls_of("getUpdates"), 15)

    async def until(self, what: str, found: Callable[[], object], timeout: float = 10) -> None:
        assert self.task is not None
        waiting = asyncio.create_task(asyncio.to_thread(self.api.wait_for, what, found, timeout))
        done, _ = await asyncio.wait({waiting, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            waiting.cancel()
            raise AssertionError(f"serve ended while waiting for {what}: {self.task!r}")
        await waiting

    async def says(self, person: Person, fragment: str, timeout: float = 10) -> None:
        await asyncio.to_thread(person.wait_for_text, fragment, timeout)

    async def close(self) -> None:
        assert self.task is not None
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Running]:
    running = Running(api, tmp_path / "data")
    yield running
    if running.task is not None and not running.task.done():
        await running.close()


async def test_a_disk_error_while_storing_a_batch_loses_nothing(
    api: FakeBotApi, bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = fail_once(monkeypatch, "intake")
    await bot.start()
    person = api.person(622_301, "Ines")
    person.send("/start")
    await bot.says(person, NOTICE, 15)  # the batch was not confirmed: polled again
    assert failed
    person.send("/help")
    await bot.says(person, "/language")
    await bot.close()
    said = texts_to(api, person.id)
    assert len(said) == 2 and NOTICE in said[0], said


async def test_a_disk_error_while_storing_an_outcome_is_retried_in_order(
    api: FakeBotApi, bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.start()
    person = api.person(622_302, "Ines")
    person.send("/start")
    await bot.says(person, NOTICE)
    failed = fail_once(monkeypatch, "commit")
    person.press("I understand, continue")
    person.send("/help")  # comes while the press waits for the disk
    await bot.until("the /help answer", lambda: any(
        "this list" in t for t in texts_to(api, person.id)), 15)
    assert failed
    await bot.close()
    said = texts_to(api, person.id)
    assert not [t for t in said if SORRY in t], said
    # The press was handled, then /help: in the order the person acted.
    assert "Choose your language" in said[1] and "this list" in said[2], said


async def test_a_disk_error_in_the_sender_loop_does_not_stop_retries(
    api: FakeBotApi, bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = fail_once(monkeypatch, "outbox_owners")
    await bot.start()
    person = api.person(622_303, "Ines")
    # The reply meets a flood wait: only the sender's loop tries it again.
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    person.send("/start")
    await bot.says(person, NOTICE, 15)
    assert failed
    await bot.close()


async def test_a_disk_error_recording_a_sent_message_leaves_no_copy_behind(
    api: FakeBotApi, bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.start()
    person = api.person(622_304, "Ines")
    failed = fail_once(monkeypatch, "outbox_sent")
    person.send("/start")  # sent, but its id cannot be recorded: it is sent again
    await bot.until("one copy of the notice", lambda: notices(api, person) == [4], 40)
    assert failed
    await bot.close()
    assert unrecorded(api, bot.data, person) == []


async def test_a_disk_error_storing_a_posted_update_asks_telegram_to_post_it_again(
    unused_port: int,
) -> None:
    stored: list[int] = []

    async def accept(updates: Sequence[Mapping[str, object]]) -> None:
        if not stored:
            stored.append(0)
            raise sqlite3.OperationalError("database or disk is full")
        stored.extend(int(u["update_id"]) for u in updates)  # type: ignore[call-overload]

    server = WebhookServer(accept, secret=SECRET, path="/tg/hook")
    await server.start("127.0.0.1", unused_port)
    try:
        update = {"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "/start",
                  "chat": {"id": 1, "type": "private"}}}
        # Not stored: not 200, so Telegram posts it again; then it is.
        assert await asyncio.to_thread(post, unused_port, update, SECRET) == 503
        assert await asyncio.to_thread(post, unused_port, update, SECRET) == 200
    finally:
        await server.stop()
    assert stored == [0, 7]


async def test_a_disk_error_while_deleting_a_photo_is_retried_until_it_is_gone(
    api: FakeBotApi, bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Photos go through PTB's routing, whose error handler ends an update: the fault
    # must still come back to the dispatcher, or the photo stays in the chat.
    await bot.start()
    person = api.person(622_305, "Ines")
    person.send("/start")
    await bot.says(person, NOTICE)
    failed = fail_once(monkeypatch, "commit")
    photo_id = api.next_message_id(person.id)
    api.enqueue({"message": {
        "message_id": photo_id, "date": 1_777_000_000, "chat": person._chat(),
        "from": person._user(),
        "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}],
    }})
    await bot.until("the photo deleted", lambda: any(
        c.method == "deleteMessages" and photo_id in c.params.get("message_ids", [])
        for c in api.calls), 15)
    assert failed
    await bot.close()
    assert not [t for t in texts_to(api, person.id) if SORRY in t]
