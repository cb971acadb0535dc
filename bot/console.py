"""The advisor in a terminal: interactive with numbered buttons, or `--jsonl` for programs.

`--jsonl` reads one JSON object per line and writes exactly one JSON object per
line: {"text": "..."} or {"press": "<button id or its exact label>"}, optional
"user" (integer, default 1) and "lang" (IETF tag). A malformed line gets
{"replies": [], "error": "..."} and the session goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.runtime import Runtime
from bot.settings import Settings
from flows.i18n import N_, negotiate, translator
from flows.model import (
    Button,
    Event,
    EventKind,
    QuickExit,
    Reply,
    Wipe,
)
from flows.reminders import fired_text

logger = logging.getLogger(__name__)
QUIT_WORDS = frozenset({"/quit", "/q"})
BUTTON_ID = re.compile(r"menu|[0-9a-f]+\.\S+")
BANNER = N_("sp-advisor: type a number to press a button, /help for commands, /quit to leave.")
SAVED = N_("(document saved to {path})")


class ConsoleSession:
    """Turns terminal input into events for one runtime, remembering the buttons last
    shown to each local user so that a label or a number can be pressed."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.last_buttons: dict[int, list[Button]] = {}
        # Set by a quick exit: the interactive terminal clears the screen.
        self.cleared = False

    def _event(self, user: int, kind: EventKind, payload: str, lang: str | None) -> Event:
        return Event(
            user=self.runtime.sealer.pseudonym("terminal", user),
            kind=kind,
            payload=payload,
            language=lang,
            channel="terminal",
        )

    async def due_reminders(self, user: int, now: datetime | None = None) -> list[str]:
        """The reminders of this local user that are due: shown once, then deleted."""
        owner = self.runtime.sealer.pseudonym("terminal", user)
        texts = []
        for reminder in await self.runtime.store.due_reminders(now or datetime.now(UTC)):
            if reminder.owner != owner:
                continue
            texts.append(fired_text(translator(reminder.locale), reminder.kind, reminder.due_at))
            await self.runtime.store.delete_reminder(reminder.id)
        return texts

    def resolve_press(self, user: int, wanted: str) -> str | None:
        buttons = self.last_buttons.get(user, [])
        for button in buttons:
            if wanted in (button.id, button.label) or button.label.removeprefix("✓ ") == wanted:
                return button.id
        return None

    async def send(self, user: int, kind: EventKind, payload: str, lang: str | None) -> list[Reply]:
        event = self._event(user, kind, payload, lang)
        advisor = self.runtime.advisor
        async with advisor.lock(event.user):
            # Stored in one transaction with the session: the wipe of every row, the
            # reminders. What stays here is what only the terminal can do.
            handled = await advisor.handle(event)
            if handled is None:
                return []
            for effect in handled.effects:
                if isinstance(effect, Wipe):
                    self.delete_documents()
                elif isinstance(effect, QuickExit):
                    self.cleared = True
        self.last_buttons[user] = [b for r in handled.replies for row in r.buttons for b in row]
        return handled.replies

    def delete_documents(self) -> None:
        """Saved drafts go with "Delete everything" too: overwritten, then removed."""
        folder = self.runtime.settings.data_dir / "documents"
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if path.is_file() and not path.is_symlink():
                size = path.stat().st_size
                with path.open("r+b") as fh:
                    fh.write(b"\0" * size)
                    fh.flush()
                    os.fsync(fh.fileno())
                path.unlink()

    def save_documents(self, replies: list[Reply]) -> list[Path]:
        saved = []
        folder = self.runtime.settings.data_dir / "documents"
        for reply in replies:
            if reply.document is None:
                continue
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / Path(reply.document.name).name
            path.write_text(reply.document.text, encoding="utf-8")
            path.chmod(0o600)
            saved.append(path)
        return saved


def _reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "buttons": [[{"id": b.id, "label": b.label} for b in row] for row in reply.buttons],
        "document": reply.document.model_dump() if reply.document else None,
    }


async def _jsonl_line(console: ConsoleSession, line: str) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"replies": [], "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(message, dict):
        return {"replies": [], "error": "each line must be a JSON object"}
    user = message.get("user", 1)
    if not isinstance(user, int) or isinstance(user, bool) or user < 0:
        return {"replies": [], "error": '"user" must be a non-negative integer'}
    lang = message.get("lang")
    if lang is not None and not isinstance(lang, str):
        return {"replies": [], "error": '"lang" must be a string such as "fr"'}
    has_text, has_press = "text" in message, "press" in message
    if has_text == has_press:
        return {"replies": [], "error": 'give exactly one of "text" or "press"'}
    value = message["text"] if has_text else message["press"]
    if not isinstance(value, str) or not value.strip():
        field = "text" if has_text else "press"
        return {"replies": [], "error": f'"{field}" must be a non-empty string'}
    if has_press:
        button = console.resolve_press(user, value)
        if button is None and BUTTON_ID.fullmatch(value):
            # An id from an earlier run: the engine knows whether it is still valid.
            button = value
        if button is None:
            return {"replies": [], "error": "no button with that id or label is on screen"}
        replies = await console.send(user, "press", button, lang)
    else:
        kind: EventKind = "command" if value.startswith("/") else "text"
        replies = await console.send(user, kind, value, lang)
    return {"replies": [_reply_json(r) for r in replies], "error": None}


async def run_jsonl(console: ConsoleSession, inp: TextIO, out: TextIO) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, inp.readline)
        if not line:
            return
        if not line.strip():
            continue
        try:
            answer = await _jsonl_line(console, line)
        except Exception as exc:  # one bad update must not end the session
            logger.error("a line could not be handled: %s", type(exc).__name__)
            answer = {"replies": [], "error": "internal error: the line could not be handled"}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()


def _print_replies(replies: list[Reply], out: TextIO, saved: list[Path], lang: str | None) -> None:
    number = 0
    for reply in replies:
        out.write("\n" + reply.text + "\n")
        for row in reply.buttons:
            cells = []
            for button in row:
                number += 1
                cells.append(f"[{number}] {button.label}")
            out.write("  " + "   ".join(cells) + "\n")
    t = translator(negotiate(lang))
    for reply in replies:
        if reply.document is not None:
            out.write("\n" + reply.document.text)
    for path in saved:
        out.write("\n" + t(SAVED, path=path) + "\n")
    out.flush()


async def run_interactive(
    console: ConsoleSession, inp: TextIO, out: TextIO, lang: str | None
) -> None:
    out.write(translator(negotiate(lang))(BANNER) + "\n")
    for text in await console.due_reminders(1):
        out.write(f"\n* {text}\n")
    loop = asyncio.get_running_loop()
    replies = await console.send(1, "command", "/start", lang)
    _print_replies(replies, out, console.save_documents(replies), lang)
    while True:
        out.write("\n> ")
        out.flush()
        line = await loop.run_in_executor(None, inp.readline)
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        if text.lower() in QUIT_WORDS:
            return
        buttons = console.last_buttons.get(1, [])
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            replies = await console.send(1, "press", buttons[int(text) - 1].id, lang)
        elif text.startswith("/"):
            replies = await console.send(1, "command", text, lang)
        else:
            replies = await console.send(1, "text", text, lang)
        if console.cleared:
            console.cleared = False
            # Clear the screen and the scrollback, then home the cursor.
            out.write("\033[3J\033[2J\033[H")
        _print_replies(replies, out, console.save_documents(replies), lang)


async def run_console(
    settings: Settings,
    *,
    jsonl: bool,
    lang: str | None = None,
    inp: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    runtime = await Runtime.open(settings, lock=True)
    try:
        console = ConsoleSession(runtime)
        if jsonl:
            await run_jsonl(console, inp or sys.stdin, out or sys.stdout)
        else:
            await run_interactive(console, inp or sys.stdin, out or sys.stdout, lang)
    finally:
        await runtime.close()
    return 0
