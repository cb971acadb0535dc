"""Old keyboards do not stay live: a screen that arrives as a new message takes the
keyboard off the one it replaces (`editMessageReplyMarkup`, a durable outbox row
resolved when it is carried out), under Telegram's faults too. A press edits the
message pressed (no strip needed); a stale press or a hint is one short line."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest

from bot.telegram.render import calls_for
from flows.model import Button, Document, Reply
from storage import store as store_module
from storage.store import DB_FILE
from tests.bot.fake_telegram import Harness, RecordingRequest, TgUser

USER_ID = 640_221_907
STRIP = "editMessageReplyMarkup"


async def to_menu(harness: Harness) -> TgUser:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press("English")
    user.expect("What would you like to do?")
    return user


async def to_result(harness: Harness) -> TgUser:
    """The finder's result for detention in Belarus, its buttons the live ones."""
    user = await to_menu(harness)
    await user.press("Find the right UN expert")
    await user.press("Detention or arrest")
    await user.press("Done (1 chosen)")
    await user.send("Belarus")
    return user


def live(user: TgUser) -> list[int]:
    """The ids of the bot's messages in the chat that still show buttons."""
    return [int(m["message_id"]) for m in user.my_messages() if m.get("reply_markup")]


def strips(harness: Harness, since: int = 0) -> list[dict[str, Any]]:
    return [c.params for c in harness.request.calls[since:] if c.method == STRIP]


def flagged(harness: Harness, user: TgUser) -> list[int]:
    """The ledger's messages of the person marked as showing buttons."""
    path = harness.runtime.settings.data_dir / DB_FILE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT message_id FROM ledger WHERE owner = ? AND keyboard = 1 ORDER BY 1",
            [user.pseudonym()],
        ).fetchall()
    return [int(r[0]) for r in rows]


def sender_of(harness: Harness) -> Any:
    return harness.app.adapter.sender_for(harness.app.bot)  # type: ignore[attr-defined]


async def test_after_typed_text_the_previous_keyboard_is_gone(harness: Harness) -> None:
    user = await to_menu(harness)
    menu = user.last_keyboard()["message_id"]
    await user.send("hello")  # a hint, as a new message with the menu's buttons
    (newest,) = live(user)
    assert newest != menu
    assert [p["message_id"] for p in strips(harness, user.since)] == [menu]
    assert strips(harness, user.since)[0]["reply_markup"] == {"inline_keyboard": []}
    # The message itself stays (only its keyboard goes), and the ledger knows no
    # keyboard but the newest.
    assert any(m["message_id"] == menu for m in user.my_messages())
    assert await harness.runtime.store.keyboard_message(user.pseudonym()) == newest
    assert flagged(harness, user) == [newest]


async def test_one_live_keyboard_along_presses_text_commands_and_a_long_result(
    harness: Harness,
) -> None:
    user = await to_menu(harness)
    steps = [
        ("press", "Find the right UN expert"),
        ("text", "not a button"),
        ("press", "Detention or arrest"),
        ("press", "Done (1 chosen)"),
        ("text", "Belarus"),  # a result of several messages, buttons on the last
        ("text", "/nonsense"),
        ("text", "/help"),
        ("press", "Main menu"),
    ]
    for kind, value in steps:
        if kind == "press":
            await user.press(value)
        else:
            await user.send(value)
        assert len(live(user)) == 1, (value, live(user))
        assert live(user)[0] == user.last_keyboard()["message_id"]
    assert await harness.runtime.store.outbox_owners(1e12) == []


async def test_presses_that_edit_make_no_strip_calls(harness: Harness) -> None:
    user = await to_menu(harness)
    since = len(harness.request.calls)
    await user.press("Find the right UN expert")
    await user.press("Detention or arrest")
    await user.press("Back")
    assert [c.method for c in harness.request.calls[since:]].count("editMessageText") >= 3
    assert strips(harness, since) == []
    assert len(live(user)) == 1


@pytest.mark.parametrize("edit_answered", [True, False], ids=["edited", "not-modified"])
async def test_a_press_above_a_resent_copy_takes_the_copys_keyboard_off(
    harness: Harness, edit_answered: bool
) -> None:
    # A kill cut off Telegram's answer to the notice: the bot sent it again after the
    # restart (and recorded that copy), while the person pressed on the first one.
    # The press edits the message pressed; the copy below it must not stay live. Also
    # when the edit had gone through before a kill, and its retry is "not modified".
    user = harness.user(USER_ID)
    await user.send("/start")
    first = user.last_keyboard()
    copy = harness.request._message(
        USER_ID, text=first["text"], reply_markup=first["reply_markup"]
    )
    store = harness.runtime.store
    store._database().execute(
        "INSERT INTO ledger (owner, message_id, sent_at, keyboard) VALUES (?, ?, ?, 1)",
        [user.pseudonym(), copy["message_id"], store_module._ledger_time(int(time.time()))],
    )
    if not edit_answered:
        harness.request.fail_next(
            "editMessageText", 400, "Bad Request: message is not modified: specified new "
            "message content and reply markup are exactly the same as a current content "
            "and reply markup of the message",
        )
    await user.press("I understand, continue", message=first)
    await sender_of(harness).drain()
    assert [p["message_id"] for p in strips(harness, user.since)] == [copy["message_id"]]
    assert live(user) == [first["message_id"]]
    assert flagged(harness, user) == [first["message_id"]]


async def test_a_stale_press_is_one_short_line_with_the_current_buttons(
    harness: Harness,
) -> None:
    user = await to_result(harness)
    result = user.last_keyboard()
    await user.send("/help")  # another screen, so the result's buttons are old
    current = set(user.buttons())
    texts = await user.press("Why these experts", message=result)
    sends = harness.request.sends(user.since)
    assert len(sends) == 1 and len(texts) == 1, texts
    assert "earlier message" in texts[0] and "\n" not in texts[0].strip()
    assert "Lead expert" not in texts[0]
    # Under it, the buttons of the screen the person is on, the only live ones.
    assert set(user.buttons()) == current
    assert len(live(user)) == 1


async def test_typed_text_or_an_unknown_command_on_a_result_is_one_short_line(
    harness: Harness,
) -> None:
    user = await to_result(harness)
    current = set(user.buttons())
    for typed in ("hello", "/nonsense"):
        texts = await user.send(typed)
        assert len(harness.request.sends(user.since)) == 1 and len(texts) == 1, texts
        assert "\n" not in texts[0].strip() and "Lead expert" not in texts[0], texts
        assert set(user.buttons()) == current and len(live(user)) == 1


def test_calls_for_strips_only_when_a_new_message_brings_buttons() -> None:
    buttons = [[Button(id="1.x", label="X")]]
    typed = calls_for(7, [Reply(text="a"), Reply(text="b", buttons=buttons)])
    assert [c["op"] for c in typed] == ["strip", "send", "send"]
    assert typed[0] == {"op": "strip", "chat": 7}
    pressed = calls_for(7, [Reply(text="a", buttons=buttons, edit=True)], pressed=3)
    assert [c["op"] for c in pressed] == ["edit"]
    several = calls_for(7, [Reply(text="a", edit=True), Reply(text="b", buttons=buttons)],
                        pressed=3)
    assert [c["op"] for c in several] == ["edit", "send"]
    assert [c["op"] for c in calls_for(7, [Reply(text="no buttons")])] == ["send"]
    document = Reply(text="d", buttons=buttons, document=Document(name="d", text="x"))
    assert [c["op"] for c in calls_for(7, [document])] == ["strip", "document"]


# --- faults ----------------------------------------------------------------------


def flood(request: RecordingRequest) -> None:
    request.fail_next(STRIP, 429, "Too Many Requests: retry after 1", retry_after=1)


def bad_gateway(request: RecordingRequest) -> None:
    request.fail_next(STRIP, 502, "Bad Gateway")


def dropped(request: RecordingRequest) -> None:
    request.drop_next(STRIP)


@pytest.mark.parametrize(
    "fault",
    [pytest.param(flood, id="429"), pytest.param(bad_gateway, id="502"),
     pytest.param(dropped, id="dropped")],
)
async def test_a_strip_under_a_fault_is_retried_until_it_lands(
    harness: Harness, fault: Any
) -> None:
    user = await to_menu(harness)
    menu = user.last_keyboard()["message_id"]
    fault(harness.request)
    await user.send("hello")
    assert [p["message_id"] for p in strips(harness, user.since)] == [menu, menu]
    assert len(live(user)) == 1 and menu not in live(user)
    # In order: the new screen comes only after the old keyboard went.
    methods = [c.method for c in harness.request.calls[user.since:]]
    assert methods.index("sendMessage") > max(i for i, m in enumerate(methods) if m == STRIP)
    assert await harness.runtime.store.outbox_owners(1e12) == []


@pytest.mark.parametrize(
    "reason",
    ["Bad Request: message to edit not found",
     "Bad Request: message is not modified: specified new message content and reply "
     "markup are exactly the same as a current content and reply markup of the message",
     "Bad Request: message can't be edited"],
)
async def test_a_strip_refused_for_good_ends_quietly(harness: Harness, reason: str) -> None:
    user = await to_menu(harness)
    harness.request.fail_next(STRIP, 400, reason)
    await user.send("hello")
    assert len(strips(harness, user.since)) == 1  # not retried
    user.expect("buttons")  # the hint still came
    assert await harness.runtime.store.outbox_owners(1e12) == []
    # The refused message no longer counts as showing buttons: the ledger flags only
    # the hint, and the next strip goes to the hint's keyboard.
    hint = user.last_keyboard()["message_id"]
    assert flagged(harness, user) == [hint]
    await user.send("hello again")
    assert [p["message_id"] for p in strips(harness, user.since)] == [hint]


async def test_a_document_that_cannot_be_edited_loses_its_keyboard(harness: Harness) -> None:
    owner = harness.runtime.sealer.pseudonym("telegram", USER_ID)
    buttons = [[Button(id="1.remind", label="Remind me")]]
    document = Reply(text="Your draft", buttons=buttons,
                     document=Document(name="draft", text="body"))
    await deliver(harness, owner, calls_for(USER_ID, [document]))
    (doc,) = [k for (chat, k), m in harness.request.messages.items()
              if chat == USER_ID and m.get("reply_markup")]
    # A press on the document edits it: Telegram refuses (no text), the screen is sent
    # as a new message, and the document's keyboard must not stay live.
    harness.request.fail_next(
        "editMessageText", 400, "Bad Request: there is no text in the message to edit"
    )
    edit = Reply(text="When?", buttons=[[Button(id="2.x", label="X")]], edit=True)
    await deliver(harness, owner, calls_for(USER_ID, [edit], pressed=doc))
    assert [p["message_id"] for p in strips(harness)] == [doc]
    shown = [k for (chat, k), m in harness.request.messages.items()
             if chat == USER_ID and m.get("reply_markup")]
    assert len(shown) == 1 and shown != [doc]


async def deliver(harness: Harness, owner: str, calls: list[Any]) -> None:
    rows = await harness.runtime.store.commit(
        owner, None, update_id=None, calls=calls, keep_session=True
    )
    sender = sender_of(harness)
    sender.wake(rows or [])
    await sender.drain()
