"""The two kinds of update that are nearly all of a bot's traffic - a text message in
a private chat and a button press - read straight from the raw update.

python-telegram-bot builds a tree of objects for every update (`Update.de_json`,
about 0.2 ms for a one-line message: a fifth of the time an update takes) and then
asks each handler's filters about it. For these two kinds the handler is known from
two fields, and the adapter needs six values, so they skip both; every other kind
(edited messages, photos, group chats, service messages...) still goes through PTB's
routing. `tests/bot/test_route.py` checks on samples that both ways pick the same
handler.

A raw update comes from Telegram or from the inbox: every value is checked for its
type, and anything unexpected goes the slow way, where PTB decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextIn:
    """A text message (or a command) in a private chat."""

    update_id: int
    user_id: int
    language: str | None
    chat_id: int
    message_id: int
    text: str


@dataclass(frozen=True, slots=True)
class PressIn:
    """A button press. `chat_id` and `private` describe the message pressed (None,
    False when Telegram did not send it); `message_id` is None when that message is
    no longer accessible."""

    update_id: int
    user_id: int
    language: str | None
    query_id: str
    chat_id: int | None
    private: bool
    message_id: int | None
    data: str | None


def _map(value: object) -> Mapping[str, object] | None:
    return value if isinstance(value, Mapping) else None


def _int(value: object) -> int | None:
    # bool is an int in Python, never in a Telegram id.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _person(value: object) -> tuple[int, str | None] | None:
    person = _map(value)
    if person is None:
        return None
    user_id = _int(person.get("id"))
    if user_id is None:
        return None
    return user_id, _str(person.get("language_code"))


def hot(data: Mapping[str, object]) -> TextIn | PressIn | None:
    """The update as one of the two common kinds, or None: PTB routes it."""
    update_id = _int(data.get("update_id"))
    if update_id is None:
        return None
    if "callback_query" in data:
        return _press(update_id, _map(data["callback_query"]))
    message = _map(data.get("message"))
    if message is None or len(data) != 2:
        return None
    chat = _map(message.get("chat"))
    text = _str(message.get("text"))
    person = _person(message.get("from"))
    chat_id = None if chat is None else _int(chat.get("id"))
    message_id = _int(message.get("message_id"))
    if (
        chat is None
        or chat.get("type") != "private"
        or not text
        or person is None
        or chat_id is None
        or message_id is None
    ):
        return None
    return TextIn(update_id, person[0], person[1], chat_id, message_id, text)


def _press(update_id: int, query: Mapping[str, object] | None) -> PressIn | None:
    if query is None:
        return None
    person = _person(query.get("from"))
    query_id = _str(query.get("id"))
    if person is None or query_id is None:
        return None
    chat_id: int | None = None
    private = False
    message_id: int | None = None
    message = query.get("message")
    if message is not None:
        pressed = _map(message)
        chat = None if pressed is None else _map(pressed.get("chat"))
        if pressed is None or chat is None:
            return None
        chat_id = _int(chat.get("id"))
        date = _int(pressed.get("date"))
        message_id = _int(pressed.get("message_id"))
        if chat_id is None or date is None or message_id is None:
            return None
        private = chat.get("type") == "private"
        # Telegram sends date 0 for a message the bot can no longer access.
        if date == 0:
            message_id = None
    return PressIn(
        update_id,
        person[0],
        person[1],
        query_id,
        chat_id,
        private,
        message_id,
        _str(query.get("data")),
    )
