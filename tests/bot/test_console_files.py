"""Draft files in the terminal: written only when asked, never overwritten, private,
and gone with the draft, a quick exit, a wipe, or after the draft retention."""

from __future__ import annotations

import io
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.console import ConsoleSession, run_interactive
from bot.runtime import Runtime
from bot.settings import Settings
from storage.store import Store

Step = tuple[str, Any]
CANARY = "Quixotevna"  # one word: a full name would stop at the personal-data warning
GATE = ["Continue", "1", "Yes", "No", "The person", "Yes", "Nobody else", "Done (1 chosen)",
        "Yes, with all of them", "Yes", "Nothing", "Done (1 chosen)", "No", "Neither",
        "Done (1 chosen)", "Next: prepare the submission", "Start", "English"]
TO_DRAFT: list[Step] = [
    ("press", s) for s in ["I understand, continue", "English", "Prepare a submission", *GATE]
]
TO_DRAFT += [("text", f"answer {i} about V1 and the {CANARY} case") for i in range(8)]
TO_DRAFT += [("press", "Create the draft")]


class Script:
    """Types into the interactive terminal; a press becomes the button's number, and a
    check runs between two lines, while the chat waits for the next one."""

    def __init__(self, console: ConsoleSession, steps: list[Step]) -> None:
        self.console = console
        self.steps = list(steps)

    def readline(self) -> str:
        while self.steps and self.steps[0][0] == "check":
            self.steps.pop(0)[1]()
        if not self.steps:
            return ""
        kind, value = self.steps.pop(0)
        if kind == "text":
            return value + "\n"
        buttons = self.console.last_buttons.get(1, [])
        for number, button in enumerate(buttons, 1):
            if value in (button.label, button.label.removeprefix("✓ ")):
                return f"{number}\n"
        raise AssertionError(f"no button {value!r} among {[b.label for b in buttons]}")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key=os.urandom(32).hex())


@pytest.fixture
async def console(settings: Settings) -> AsyncIterator[ConsoleSession]:
    runtime = await Runtime.open(settings)
    try:
        yield ConsoleSession(runtime)
    finally:
        await runtime.close()


async def chat(console: ConsoleSession, steps: list[Step]) -> str:
    out = io.StringIO()
    await run_interactive(console, Script(console, steps), out, "en")  # type: ignore[arg-type]
    return out.getvalue()


def saved(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "documents"
    return sorted(folder.iterdir()) if folder.exists() else []


def save() -> Step:
    return ("text", "/save")


async def test_a_draft_is_saved_only_when_asked_under_a_new_name_each_time(
    console: ConsoleSession, settings: Settings
) -> None:
    def nothing_yet() -> None:
        assert saved(settings) == []

    screen = await chat(console, [*TO_DRAFT, ("check", nothing_yet), save(), save()])
    assert CANARY in screen and "[/save]" in screen
    first, second = saved(settings)
    for path in (first, second):
        assert f"(document saved to {path})" in screen
        assert CANARY in path.read_text()
        assert path.stat().st_mode & 0o777 == 0o600
    assert (settings.data_dir / "documents").stat().st_mode & 0o777 == 0o700


async def test_save_without_a_draft_writes_nothing(
    console: ConsoleSession, settings: Settings
) -> None:
    screen = await chat(console, [save()])
    assert "document saved" not in screen
    assert saved(settings) == []


@pytest.mark.parametrize(
    "leave",
    [
        [("press", "Delete this draft"), ("press", "Yes, delete the draft")],
        [("press", "Main menu"), ("press", "Prepare a submission"), ("press", "Delete this draft"),
         ("press", "Yes, delete the draft")],
        [("text", "/exit")],
        [("text", "/wipe"), ("press", "Yes, delete everything")],
    ],
    ids=["delete this draft", "delete it later", "quick exit", "delete everything"],
)
async def test_the_saved_files_go_with_the_draft(
    console: ConsoleSession, settings: Settings, leave: list[Step]
) -> None:
    def two() -> None:
        assert len(saved(settings)) == 2

    await chat(console, [*TO_DRAFT, save(), save(), ("check", two), *leave])
    assert saved(settings) == []


async def test_the_saved_files_stay_when_the_person_goes_elsewhere(
    console: ConsoleSession, settings: Settings
) -> None:
    await chat(console, [*TO_DRAFT, save(), ("press", "Main menu"),
                         ("press", "Learn how the UN experts work")])
    assert len(saved(settings)) == 1


async def test_quick_exit_clears_the_scrollback_after_the_screen(
    console: ConsoleSession,
) -> None:
    screen = await chat(console, [("text", "/exit")])
    assert "\033[2J\033[3J\033[H" in screen


async def test_saved_files_are_removed_after_the_draft_retention(
    settings: Settings,
) -> None:
    runtime = await Runtime.open(settings)
    try:
        console = ConsoleSession(runtime)
        await chat(console, [*TO_DRAFT, save(), save()])
    finally:
        await runtime.close()
    old, fresh = saved(settings)
    hours = settings.draft_hours
    then = time.time() - hours * 3600 - 60
    os.utime(old, (then, then))
    runtime = await Runtime.open(settings)  # a later start of the terminal
    try:
        console = ConsoleSession(runtime)
        await chat(console, [])
        assert saved(settings) == [fresh]
    finally:
        await runtime.close()


@pytest.mark.parametrize("step", [("text", "/exit"), ("press", "Quick exit")])
async def test_a_quick_exit_the_disk_refuses_still_clears_the_screen_and_the_files(
    console: ConsoleSession, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    step: Step,
) -> None:
    async def refused(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    def break_the_disk() -> None:
        monkeypatch.setattr(Store, "commit", refused)

    screen = await chat(console, [*TO_DRAFT, save(), ("check", break_the_disk), step])
    assert saved(settings) == []
    clear = "\033[2J\033[3J\033[H"
    after = screen[screen.rindex(clear) + len(clear):]
    # Only the truth follows the cleared screen: nothing was stored.
    assert after.replace(">", "").strip() == (
        "Nothing was stored: the disk could not be written. Try again in a moment."
    )


async def test_a_step_the_disk_refuses_is_said_and_the_chat_goes_on(
    console: ConsoleSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = Store.commit
    failed: list[int] = []

    async def once(self: Store, *args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(1)
            raise sqlite3.OperationalError("database or disk is full")
        return await inner(self, *args, **kwargs)

    def break_the_disk() -> None:
        monkeypatch.setattr(Store, "commit", once)

    screen = await chat(console, [("check", break_the_disk), ("press", "I understand, continue"),
                                  ("press", "I understand, continue")])
    assert "Nothing was stored: the disk could not be written." in screen
    assert "Choose your language" in screen.split("Nothing was stored")[1]
