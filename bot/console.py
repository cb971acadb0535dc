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
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.runtime import Runtime
from bot.settings import Settings
from flows.engine.texts import EXIT_ID
from flows.i18n import N_, negotiate, translator
from flows.model import (
    Button,
    DeleteDraftMessages,
    Document,
    Event,
    EventKind,
    QuickExit,
    Reply,
    Wipe,
)
from flows.reminders import fired_text
from storage.faults import DiskFault

logger = logging.getLogger(__name__)
QUIT_WORDS = frozenset({"/quit", "/q"})
# Terminal only: the engine never sees it. Writes the draft last shown to a file.
SAVE_WORD = "/save"
DOCUMENTS = "documents"
# The only local person whose drafts the interactive terminal saves to files.
LOCAL_USER = 1
BUTTON_ID = re.compile(r"menu|[0-9a-f]+\.\S+")
BANNER = N_("sp-advisor: type a number to press a button, /help for commands, /quit to leave.")
SAVED = N_("(document saved to {path})")
DISK_FAILED = N_("Nothing was stored: the disk could not be written. Try again in a moment.")


class ConsoleSession:
    """Turns terminal input into events for one runtime, remembering the buttons last
    shown to each local user so that a label or a number can be pressed."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.last_buttons: dict[int, list[Button]] = {}
        # Kept in memory only, until the person asks for a file (SAVE_WORD).
        self.last_document: dict[int, Document] = {}
        # Set by a quick exit: the interactive terminal clears the screen.
        self.cleared = False

    @property
    def documents_dir(self) -> Path:
        return self.runtime.settings.data_dir / DOCUMENTS

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
                    self.forget_documents(user)
                elif isinstance(effect, QuickExit):
                    self.cleared = True
                    self.forget_documents(user)
                elif isinstance(effect, DeleteDraftMessages):
                    self.forget_documents(user)
        self.tidy()
        self.last_buttons[user] = [b for r in handled.replies for row in r.buttons for b in row]
        for reply in handled.replies:
            if reply.document is not None:
                self.last_document[user] = reply.document
        return handled.replies

    def forget_documents(self, user: int) -> None:
        self.last_document.pop(user, None)
        if user == LOCAL_USER:
            self.delete_documents()

    def tidy(self) -> None:
        """Saved files go SP_ADVISOR_DRAFT_HOURS after they were written, like the
        sealed drafts they were made from; checked at start and on each update."""
        self.delete_documents(older_than=self.runtime.settings.draft_hours * 3600)

    def _saved_files(self) -> list[Path]:
        folder = self.documents_dir
        if not folder.is_dir():
            return []
        return [p for p in folder.iterdir() if p.is_file() and not p.is_symlink()]

    def delete_documents(self, older_than: float | None = None) -> int:
        """Overwrite, then remove, the saved drafts (those older than `older_than`
        seconds, or all). Returns how many were removed."""
        removed = 0
        cutoff = None if older_than is None else time.time() - older_than
        for path in self._saved_files():
            try:
                stat = path.stat()
                if cutoff is not None and stat.st_mtime > cutoff:
                    continue
                # Zeros first, so the words do not stay in the file's blocks for as
                # long as the file system keeps them (an SSD may still keep copies).
                with path.open("r+b") as fh:
                    fh.write(b"\0" * stat.st_size)
                    fh.flush()
                    os.fsync(fh.fileno())
                path.unlink()
            except FileNotFoundError:
                continue
            removed += 1
        return removed

    def save_document(self, user: int = LOCAL_USER) -> Path | None:
        """Write the draft last shown to a new file (mode 0600) when the person asks;
        None when no draft was shown."""
        document = self.last_document.get(user)
        if document is None:
            return None
        folder = self.documents_dir
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = Path(document.name).name or "draft.txt"
        stem, suffix = Path(name).stem, Path(name).suffix or ".txt"
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        while True:
            # A new name every time: a second draft never overwrites the first.
            path = folder / f"{stem}-{stamp}-{secrets.token_hex(3)}{suffix}"
            try:
                fd = os.open(path, flags, 0o600)
            except FileExistsError:
                continue
            break
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(document.text)
        return path


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
        except DiskFault:
            answer = {"replies": [], "error": "the disk could not be written: nothing was "
                      "stored; send the line again"}
        except Exception as exc:  # one bad update must not end the session
            logger.error("a line could not be handled: %s", type(exc).__name__)
            answer = {"replies": [], "error": "internal error: the line could not be handled"}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()


def _print_replies(replies: list[Reply], out: TextIO) -> None:
    number = 0
    for reply in replies:
        out.write("\n" + reply.text + "\n")
        for row in reply.buttons:
            cells = []
            for button in row:
                number += 1
                cells.append(f"[{number}] {button.label}")
            out.write("  " + "   ".join(cells) + "\n")
    for reply in replies:
        if reply.document is not None:
            out.write("\n" + reply.document.text + "\n")
            # The command, not a sentence: the draft stays off the disk unless asked.
            out.write(f"  [{SAVE_WORD}]\n")
    out.flush()


async def run_interactive(
    console: ConsoleSession, inp: TextIO, out: TextIO, lang: str | None
) -> None:
    out.write(translator(negotiate(lang))(BANNER) + "\n")
    for text in await console.due_reminders(1):
        out.write(f"\n* {text}\n")
    loop = asyncio.get_running_loop()
    replies = await console.send(1, "command", "/start", lang)
    _print_replies(replies, out)
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
        if text.lower() == SAVE_WORD:
            path = console.save_document()
            if path is not None:
                out.write("\n" + translator(negotiate(lang))(SAVED, path=path) + "\n")
                continue
        buttons = console.last_buttons.get(1, [])
        kind: EventKind
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            kind, payload = "press", buttons[int(text) - 1].id
        elif text.startswith("/"):
            kind, payload = "command", text
        else:
            kind, payload = "text", text
        try:
            replies = await console.send(1, kind, payload, lang)
        except DiskFault:
            # Nothing was stored. A quick exit still clears the screen and the saved
            # files: whoever asked for it may have no time to try again.
            if _quick_exit(kind, payload):
                console.forget_documents(LOCAL_USER)
                console.cleared = True
            replies = [Reply(text=translator(negotiate(lang))(DISK_FAILED))]
        if console.cleared:
            console.cleared = False
            # Erasing the screen (2J) pushes it into the scrollback in some terminals
            # (tmux, VTE), so the scrollback is erased (3J) after it; then home.
            out.write("\033[2J\033[3J\033[H")
        _print_replies(replies, out)


def _quick_exit(kind: EventKind, payload: str) -> bool:
    if kind == "press":
        return payload == EXIT_ID
    return kind == "command" and payload.split()[0].lower() == "/exit"


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
        # A terminal's store is small: retention applies at once, before the chat.
        await runtime.purge()
        console = ConsoleSession(runtime)
        console.tidy()
        if jsonl:
            await run_jsonl(console, inp or sys.stdin, out or sys.stdout)
        else:
            await run_interactive(console, inp or sys.stdin, out or sys.stdout, lang)
    finally:
        await runtime.close()
    return 0
