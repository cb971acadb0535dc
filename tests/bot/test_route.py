"""Text messages and presses skip PTB's object tree (`bot.telegram.route`): on every
sample here, the raw reading and PTB's own routing must pick the same handler with the
same values, and whatever the raw reading does not take must be left to PTB."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from telegram import Update

from bot.telegram.route import PressIn, TextIn, hot
from tests.bot.fake_telegram import Harness

PERSON = {"id": 4242, "is_bot": False, "first_name": "Amina", "language_code": "fr"}
BOT = {"id": 987654, "is_bot": True, "first_name": "SP Advisor"}
PRIVATE = {"id": 4242, "type": "private", "first_name": "Amina"}
GROUP = {"id": -100123, "type": "supergroup", "title": "A group"}
OTHER = {"id": 777, "type": "private", "first_name": "Other"}


def message(chat: dict[str, Any] = PRIVATE, **fields: Any) -> dict[str, Any]:
    return {"message_id": 31, "date": 1_777_000_000, "chat": chat, "from": PERSON, **fields}


def press(pressed: dict[str, Any] | None, data: str | None = "1a.go") -> dict[str, Any]:
    query: dict[str, Any] = {"id": "cbq-1", "from": PERSON, "chat_instance": "ci"}
    if data is not None:
        query["data"] = data
    if pressed is not None:
        query["message"] = pressed
    return {"update_id": 9, "callback_query": query}


SAMPLES: dict[str, dict[str, Any]] = {
    "text": {"update_id": 9, "message": message(text="Belarus")},
    "command": {
        "update_id": 9,
        "message": message(
            text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}]
        ),
    },
    "no language": {
        "update_id": 9,
        "message": {**message(text="hi"), "from": {"id": 4242, "is_bot": False, "first_name": "A"}},
    },
    "group text": {"update_id": 9, "message": message(GROUP, text="hello")},
    "channel post": {
        "update_id": 9,
        "channel_post": {
            "message_id": 3,
            "date": 1,
            "chat": {"id": -5, "type": "channel"},
            "text": "x",
        },
    },
    "photo": {
        "update_id": 9,
        "message": message(
            photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
        ),
    },
    "caption only": {
        "update_id": 9,
        "message": message(document={"file_id": "f", "file_unique_id": "u"}, caption="a caption"),
    },
    "service": {
        "update_id": 9,
        "message": message(pinned_message={"message_id": 3, "date": 0, "chat": PRIVATE}),
    },
    "edited": {"update_id": 9, "edited_message": {**message(text="x"), "edit_date": 2}},
    "no sender": {
        "update_id": 9,
        "message": {k: v for k, v in message(text="x").items() if k != "from"},
    },
    "press": press(message(text="screen", **{"from": BOT})),
    "press, inaccessible": press({"message_id": 31, "date": 0, "chat": PRIVATE}),
    "press, inline (no message)": press(None),
    "press, in a group": press(message(GROUP, text="screen", **{"from": BOT})),
    "press, another chat": press(message(OTHER, text="screen", **{"from": BOT})),
    "press, no data": press(message(text="screen", **{"from": BOT}), data=None),
}

# Hostile shapes: whatever the raw reading cannot trust, it leaves to PTB.
MALFORMED: dict[str, dict[str, Any]] = {
    "id as text": {
        "update_id": 9,
        "message": {**message(text="x"), "from": {**PERSON, "id": "4242"}},
    },
    "id as bool": {"update_id": True, "message": message(text="x")},
    "chat not a map": {"update_id": 9, "message": {**message(text="x"), "chat": [1]}},
    "two kinds": {
        "update_id": 9,
        "message": message(text="x"),
        "edited_message": {**message(text="y"), "edit_date": 2},
    },
    "query not a map": {"update_id": 9, "callback_query": "x"},
    "query without sender": {"update_id": 9, "callback_query": {"id": "q", "data": "d"}},
}


class Captured:
    def __init__(self) -> None:
        self.seen: list[tuple[str, TextIn | PressIn | None]] = []


def install_capture(harness: Harness) -> Captured:
    """The adapter's entry points replaced by recorders: PTB's handlers still do their
    own reading and then call these."""
    captured = Captured()
    adapter = harness.app.adapter  # type: ignore[attr-defined]

    async def text(bot: object, routed: TextIn) -> None:
        captured.seen.append(("text", routed))

    async def pressed(bot: object, routed: PressIn) -> None:
        captured.seen.append(("press", routed))

    async def other(update: object, context: object) -> None:
        captured.seen.append(("other", None))

    adapter.text, adapter.press = text, pressed
    for name in ("on_unreadable", "on_edited", "on_group"):
        setattr(adapter, name, other)
    # PTB's handlers hold the bound methods they were installed with.
    for handler in harness.app.handlers[0]:
        name = getattr(handler.callback, "__name__", "")
        if name in ("on_unreadable", "on_edited", "on_group"):
            handler.callback = other
    return captured


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_the_raw_reading_and_ptb_agree(harness: Harness, name: str) -> None:
    data = SAMPLES[name]
    captured = install_capture(harness)
    await harness.app.process_update(Update.de_json(copy.deepcopy(data), harness.app.bot))
    by_ptb = captured.seen
    routed = hot(copy.deepcopy(data))
    if routed is None:
        # Left to PTB: nothing to compare (PTB's own routing runs).
        assert by_ptb == [] or by_ptb[0][0] in ("other", "text", "press")
        assert name not in ("text", "command", "no language", "press")
        return
    assert by_ptb == [("text" if isinstance(routed, TextIn) else "press", routed)]


def test_the_common_kinds_are_read_raw() -> None:
    for name in (
        "text",
        "command",
        "no language",
        "press",
        "press, inaccessible",
        "press, inline (no message)",
        "press, in a group",
        "press, another chat",
        "press, no data",
    ):
        assert hot(SAMPLES[name]) is not None, name
    for name in (
        "group text",
        "channel post",
        "photo",
        "caption only",
        "service",
        "edited",
        "no sender",
    ):
        assert hot(SAMPLES[name]) is None, name


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_untrusted_shapes_go_to_ptb(name: str) -> None:
    assert hot(MALFORMED[name]) is None


def test_an_inaccessible_pressed_message_has_no_id() -> None:
    routed = hot(SAMPLES["press, inaccessible"])
    assert isinstance(routed, PressIn)
    assert routed.message_id is None and routed.private and routed.chat_id == 4242
