"""From the engine's `Reply`s to Bot API calls, as plain data: what is stored in the
outbox and what the sender posts. Telegram's limits live here (callback data,
captions); nothing here talks to the network."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.telegram.split import split_long
from flows.model import Button, Reply
from storage.outbox import ButtonRow, Call

logger = logging.getLogger(__name__)

CALLBACK_DATA_LIMIT = 64  # bytes, Bot API limit for callback_data
CAPTION_LIMIT = 1024  # characters, Bot API limit for a document caption

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# What a person must be able to copy or keep: an address, a link. Telegram's content
# protection stops forwarding and saving, and in practice copying and screenshots.
_ADDRESS = re.compile(r"https?://|www\.|\S@\S")


def protect(reply: Reply, text: str) -> bool:
    """Content protection, except where it would stop the person using what they are
    given: a document (the draft is to be saved and completed offline) and any message
    that carries an address or a link (to be copied into a mail or a browser)."""
    return reply.document is None and not _ADDRESS.search(text)


def _fits(button: Button) -> bool:
    return 0 < len(button.id.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def button_rows(rows: Sequence[Sequence[Button]]) -> list[list[ButtonRow]]:
    """The reply's buttons that Telegram can carry (callback data is the button id)."""
    out: list[list[ButtonRow]] = []
    dropped = 0
    for row in rows:
        line: list[ButtonRow] = [{"id": b.id, "label": b.label} for b in row if _fits(b)]
        dropped += len(row) - len(line)
        if line:
            out.append(line)
    if dropped:
        logger.warning(
            "left out %d button(s) whose id does not fit Telegram's callback data", dropped
        )
    return out


def markup(buttons: Sequence[Sequence[ButtonRow]]) -> dict[str, object]:
    """An inline keyboard as the Bot API takes it. Always sent, even empty: an edit
    without one keeps the old keyboard, and an old keyboard must not stay live."""
    return {
        "inline_keyboard": [
            [{"text": b["label"], "callback_data": b["id"]} for b in row] for row in buttons
        ]
    }


def txt_name(name: str) -> str:
    stem = _UNSAFE_NAME.sub("-", name).strip("-.")[:60] or "sp-advisor"
    return stem if stem.lower().endswith(".txt") else f"{stem}.txt"


def calls_for(chat_id: int, replies: Sequence[Reply], *, pressed: int | None = None) -> list[Call]:
    """One call per message; the first reply marked `edit` replaces the pressed message.
    A screen that arrives as a new message replaces the one before it: that one's
    keyboard goes first (`strip`)."""
    calls = _calls(chat_id, replies, pressed)
    return [*_strip_before(chat_id, calls), *calls]


def _strip_before(chat_id: int, calls: Sequence[Call]) -> list[Call]:
    """A strip call when these calls send a new message with buttons, unless they edit
    the pressed message (the screen with buttons, whose keyboard the edit replaces)."""
    news_buttons = any(c["op"] in ("send", "document") and c.get("buttons") for c in calls)
    edits = any(c["op"] == "edit" for c in calls)
    return [{"op": "strip", "chat": chat_id}] if news_buttons and not edits else []


def _calls(chat_id: int, replies: Sequence[Reply], pressed: int | None) -> list[Call]:
    calls: list[Call] = []
    target = pressed
    for reply in split_long(replies):
        text = reply.text.strip()
        alt = (reply.alt or "").strip()
        buttons = button_rows(reply.buttons)
        call: Call = {"op": "send", "chat": chat_id, "text": text, "buttons": buttons,
                      "protect": protect(reply, text)}
        if alt:
            call["alt"] = alt
        if reply.document is not None:
            caption_fits = len(text) <= CAPTION_LIMIT and len(alt) <= CAPTION_LIMIT
            if text and not caption_fits:
                calls.append({"op": "send", "chat": chat_id, "text": text,
                              "protect": not _ADDRESS.search(text)})
                call = {"op": "send", "chat": chat_id, "text": "", "buttons": buttons}
            call["protect"] = False
            call["op"] = "document"
            call["name"] = txt_name(reply.document.name)
            call["body"] = reply.document.text
        elif reply.edit and target is not None and text:
            call["op"] = "edit"
            call["message_id"] = target
            target = None
        if call["op"] == "send" and not text and not alt:
            continue
        calls.append(call)
    return calls
