"""Every deletion under Telegram's faults, through the real Application: a flood wait
(429 with retry_after), a 502, a dropped connection. Each must end with nothing left
in the chat and no reply that claims more than happened; refusals for good (400, 403)
end the row and the person is told the truth."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.telegram.app import handle_incoming
from bot.telegram.housekeeping import Housekeeping
from storage.outbox import Incoming
from storage.store import DB_FILE
from tests.bot.fake_telegram import Harness, RecordingRequest, TgUser

USER_ID = 515_151

Fault = Callable[[RecordingRequest, str], None]


def flood(request: RecordingRequest, method: str) -> None:
    request.fail_next(method, 429, "Too Many Requests: retry after 1", retry_after=1)


def bad_gateway(request: RecordingRequest, method: str) -> None:
    request.fail_next(method, 502, "Bad Gateway")


def dropped(request: RecordingRequest, method: str) -> None:
    request.drop_next(method)


FAULTS = [pytest.param(flood, id="429"), pytest.param(bad_gateway, id="502"),
          pytest.param(dropped, id="dropped")]


async def menu(harness: Harness) -> TgUser:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press("English")
    await user.send("hello")  # a message of the person's own, in the chat
    return user


def in_chat(harness: Harness) -> list[dict[str, object]]:
    """The bot's messages still in the chat (the person's are not modelled there)."""
    return [m for (chat, _), m in harness.request.messages.items() if chat == USER_ID]


def deleted(harness: Harness, since: int) -> set[int]:
    return {
        int(i)
        for c in harness.request.calls[since:]
        if c.method == "deleteMessages"
        for i in c.params["message_ids"]
    }


def successful_delete_index(harness: Harness, since: int) -> int:
    """The index of the last deleteMessages call (the one that went through)."""
    return max(i for i, c in enumerate(harness.request.calls) if c.method == "deleteMessages"
               and i >= since)


def index_of_text(harness: Harness, fragment: str, since: int) -> int:
    for i, call in enumerate(harness.request.calls[since:], start=since):
        if call.method == "sendMessage" and fragment in str(call.params.get("text", "")):
            return i
    raise AssertionError(f"{fragment!r} was never sent")


@pytest.mark.parametrize("fault", FAULTS)
async def test_quick_exit_under_a_fault_deletes_everything_before_closing(
    harness: Harness, fault: Fault
) -> None:
    user = await menu(harness)
    shown = {int(m["message_id"]) for m in in_chat(harness)}  # type: ignore[call-overload]
    since = len(harness.request.calls)
    fault(harness.request, "deleteMessages")
    await user.send("/exit")
    assert shown <= deleted(harness, since)
    # "Closed." comes only after the deletion went through, and is all that is left.
    assert index_of_text(harness, "Closed.", since) > successful_delete_index(harness, since)
    assert [m.get("text") for m in in_chat(harness)] == ["Closed."]
    assert await harness.runtime.store.outbox_owners(1e12) == []


@pytest.mark.parametrize("fault", FAULTS)
async def test_wipe_under_a_fault_deletes_the_chat_then_confirms(
    harness: Harness, fault: Fault
) -> None:
    user = await menu(harness)
    await user.send("/wipe")
    shown = {int(m["message_id"]) for m in in_chat(harness)}  # type: ignore[call-overload]
    since = len(harness.request.calls)
    fault(harness.request, "deleteMessages")
    await user.press("Yes, delete everything")
    assert shown <= deleted(harness, since)
    done = index_of_text(harness, "Everything this bot stored about you", since)
    assert done > successful_delete_index(harness, since)
    assert [m.get("text") for m in in_chat(harness)] == [
        "Done. Everything this bot stored about you has been deleted."
    ]
    # Nothing of the person is left on disk once the deletions are done.
    import sqlite3

    with sqlite3.connect(harness.runtime.settings.data_dir / DB_FILE) as db:
        for table in ("sessions", "ledger", "ledger_old", "chats", "reminders",
                      "outbox", "inbox"):
            assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
    # ...nor in the write-ahead log's old page images: it was emptied after the last one.
    wal = harness.runtime.settings.data_dir / (DB_FILE + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.parametrize("fault", FAULTS)
async def test_auto_delete_under_a_fault_is_retried_until_done(
    harness: Harness, fault: Fault
) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("Continue, auto-delete after 1 hour")
    await user.press("English")
    assert in_chat(harness)
    fault(harness.request, "deleteMessages")
    sender = harness.app.adapter.sender_for(harness.app.bot)  # type: ignore[attr-defined]
    later = datetime.now(UTC) + timedelta(hours=2)
    await Housekeeping(harness.runtime, sender).once(later)
    await sender.drain()
    assert in_chat(harness) == []
    assert await harness.runtime.store.ledger(user.pseudonym()) == []
    # A second scan finds nothing more to do (no id queued twice, none forgotten).
    await Housekeeping(harness.runtime, sender).once(later)
    assert await harness.runtime.store.outbox_owners(1e12) == []


async def to_builder(user: TgUser, language: str | None = "English") -> None:
    await user.press("Prepare a submission")
    await user.press("Continue")
    await user.press("1")
    for label in ("Yes", "No", "The person", "Yes"):
        await user.press(label)
    for label in ("Family", "Done", "Yes, with all of them", "Yes", "That I am the source",
                  "Done", "No", "Signal", "Done", "Next: prepare the submission", "Start"):
        await user.press(label)
    if language is not None:
        await user.press(language)


@pytest.mark.parametrize("fault", FAULTS)
async def test_delete_this_draft_under_a_fault_removes_its_messages(
    harness: Harness, fault: Fault
) -> None:
    user = await menu(harness)
    await to_builder(user)
    # The draft begins with the press of its language, which turns the pressed message
    # into the first question: from that message on, everything is the builder's.
    builder = int(user.last_keyboard()["message_id"])
    await user.send("A human rights organisation based in L1.")
    await user.send("V1, a journalist.")
    before_draft = {int(m["message_id"]) for m in in_chat(harness)}  # type: ignore[call-overload]
    await user.press("Delete this draft")
    user.expect("save it somewhere safe first")
    since = len(harness.request.calls)
    fault(harness.request, "deleteMessages")
    await user.press("Yes, delete the draft")
    gone = deleted(harness, since)
    assert gone, "the draft's messages were not deleted"
    assert index_of_text(harness, "The draft is deleted.", since) > successful_delete_index(
        harness, since
    )
    left = {int(m["message_id"]): str(m.get("text", "")) for m in in_chat(harness)}  # type: ignore[call-overload]
    # Nothing of the builder is left, not even its first question: only what came
    # before it, and the line that says the draft is deleted.
    assert [t for i, t in left.items() if i >= builder] == ["The draft is deleted."], left
    assert builder in gone and before_draft & gone


async def without_waiting(user: TgUser, data: dict[str, object]) -> None:
    """The update is handled and its rows stored; the sender is not waited for."""
    await handle_incoming(user.h.app, Incoming(int(data["update_id"]), "-", data))  # type: ignore[call-overload]


async def test_a_reply_still_waiting_is_not_left_behind_by_a_quick_exit(
    harness: Harness,
) -> None:
    user = await menu(harness)
    # A reply waits out a flood wait when the person leaves: it must not come after.
    harness.request.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await without_waiting(user, user.text_update("/help"))
    await asyncio.sleep(0.1)
    assert harness.request.calls[-1].method == "sendMessage"  # refused: it waits
    await user.send("/exit")
    assert [m.get("text") for m in in_chat(harness)] == ["Closed."]
    assert await harness.runtime.store.outbox_owners(1e12) == []


async def test_a_refused_deletion_is_told_not_claimed(harness: Harness) -> None:
    user = await menu(harness)
    harness.request.fail_next("deleteMessages", 400, "Bad Request: message can't be deleted")
    since = len(harness.request.calls)
    await user.send("/exit")
    texts = harness.request.texts(since)
    assert any("could not be deleted by the bot" in t for t in texts)
    assert await harness.runtime.store.outbox_owners(1e12) == []


async def test_a_blocked_bot_ends_every_row_of_that_chat(harness: Harness) -> None:
    user = await menu(harness)
    harness.request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await user.send("/help")
    assert await harness.runtime.store.outbox_owners(1e12) == []
    # Nothing can be deleted in a chat the bot cannot reach: no ids are kept for it.
    assert await harness.runtime.store.ledger(user.pseudonym()) == []


async def test_every_sent_message_is_in_the_ledger(harness: Harness) -> None:
    user = await menu(harness)
    await user.press("Find the right UN expert")
    sent = {
        int(m["message_id"])  # type: ignore[call-overload]
        for m in in_chat(harness)
    }
    ledger = {m for m, _ in await harness.runtime.store.ledger(user.pseudonym())}
    assert sent <= ledger


async def test_a_screen_whose_answer_was_lost_is_shown_once_and_recorded(
    harness: Harness,
) -> None:
    user = await menu(harness)
    # Telegram shows the screen, but the connection drops before its answer: the bot
    # sends it again, then finds the first copy (its keyboard can be taken off: it is
    # the bot's) and deletes it.
    harness.request.lose_answer_next("sendMessage")
    since = len(harness.request.calls)
    await user.send("/help")
    copies = [c for c in harness.request.sends(since) if c.method == "sendMessage"]
    assert len(copies) == 2 and copies[0].params["text"] == copies[1].params["text"]
    texts = [m.get("text") for m in in_chat(harness)]
    assert texts.count(copies[0].params["text"]) == 1
    sent = {int(m["message_id"]) for m in in_chat(harness)}  # type: ignore[call-overload]
    ledger = {m for m, _ in await harness.runtime.store.ledger(user.pseudonym())}
    assert sent <= ledger
    assert await harness.runtime.store.outbox_owners(1e12) == []


async def test_a_claim_never_touches_a_message_the_ledger_holds(harness: Harness) -> None:
    """The first copy of a resent screen may be pressed and edited into the current
    screen before its claim runs: it is recorded then, and stays as it is."""
    user = await menu(harness)
    screen = user.last_keyboard()
    since = len(harness.request.calls)
    rows = await harness.runtime.store.commit(
        user.pseudonym(), None, update_id=None, keep_session=True,
        calls=[{"op": "claim", "chat": USER_ID, "message_id": int(screen["message_id"])}],
    )
    assert rows
    await harness.app.adapter.sender_for(harness.app.bot).drain()  # type: ignore[attr-defined]
    assert harness.request.calls[since:] == []
    assert user.last_keyboard() == screen
    assert await harness.runtime.store.outbox_owners(1e12) == []


# --- buttons and chats ---------------------------------------------------------------


async def test_a_stale_button_after_a_wipe_stays_dead(harness: Harness) -> None:
    user = await menu(harness)
    await user.send("/wipe")
    confirm = user.last_keyboard()  # "Yes, delete everything" / "No, keep everything"
    await user.press("Yes, delete everything")
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press("English")
    await user.send("hello")  # the same steps as before: a counter from 0 would match
    await user.send("/wipe")
    # The old "No, keep everything" must not answer the new question.
    texts = await user.press("No, keep everything", message=confirm)
    assert any("belongs to an earlier message" in t for t in texts)


async def test_a_press_claiming_another_chat_is_only_answered(harness: Harness) -> None:
    alice = await menu(harness)
    mallory = harness.user(USER_ID + 1, "Mallory")
    await mallory.send("/start")
    message = alice.last_keyboard()
    forged = mallory.press_update(alice.find_button("Safety", message), message)
    forged["callback_query"]["message"]["chat"] = alice.chat_json()
    session_before = await harness.runtime.store.load_session(mallory.pseudonym())
    since = await harness.feed(forged)
    assert [c.method for c in harness.request.calls[since:]] == ["answerCallbackQuery"]
    assert await harness.runtime.store.load_session(mallory.pseudonym()) == session_before


@pytest.mark.parametrize("fault", FAULTS)
async def test_delete_this_draft_removes_the_language_screen_typed_on(
    harness: Harness, fault: Fault
) -> None:
    """The draft language is the builder's first screen: text typed there before the
    choice (and the bot's one-line hint) goes with the draft, and so does the screen."""
    user = await menu(harness)
    await to_builder(user, language=None)
    language_screen = int(user.last_keyboard()["message_id"])
    await user.send("A human rights organisation based in L1.")
    user.expect("")  # the one-line hint
    await user.press("English")
    await user.send("V1, a journalist.")
    await user.press("Delete this draft")
    since = len(harness.request.calls)
    fault(harness.request, "deleteMessages")
    await user.press("Yes, delete the draft")
    gone = deleted(harness, since)
    left = {int(m["message_id"]): str(m.get("text", "")) for m in in_chat(harness)}  # type: ignore[call-overload]
    assert [t for i, t in left.items() if i >= language_screen] == ["The draft is deleted."], left
    assert language_screen in gone
