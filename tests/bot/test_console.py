"""The terminal adapter: interactive numbered buttons and the --jsonl protocol."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.console import run_console
from bot.settings import Settings
from storage.store import Store

CANARY = "Zebulon Quixotevna 4471"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="correct horse battery staple 42")


async def jsonl(settings: Settings, *lines: object) -> list[dict[str, object]]:
    raw = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    out = io.StringIO()
    await run_console(settings, jsonl=True, inp=io.StringIO(raw), out=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def texts(answer: dict[str, object]) -> str:
    return "\n".join(r["text"] for r in answer["replies"])  # type: ignore[index, union-attr]


async def test_one_output_line_per_input_line_and_errors_do_not_end_the_session(
    settings: Settings,
) -> None:
    out = await jsonl(
        settings,
        {"text": "/start"},
        "this is not json",
        "[1, 2]",
        {"press": "I understand, continue"},
        {"text": "a", "press": "b"},
        {"press": "no such button"},
        {"user": "x", "text": "hi"},
        {"press": "English"},
    )
    assert len(out) == 8
    assert [o["error"] is None for o in out] == [True, False, False, True, False, False, False,
                                                 True]
    assert "not valid JSON" in out[1]["error"]  # type: ignore[operator]
    assert "What would you like to do?" in texts(out[7])


async def test_press_by_id_or_label_and_buttons_are_listed(settings: Settings) -> None:
    out = await jsonl(settings, {"text": "/start"}, {"press": "I understand, continue"})
    buttons = out[1]["replies"][-1]["buttons"]  # type: ignore[index]
    ids = [b["id"] for row in buttons for b in row]
    assert any(i.endswith(".fr") for i in ids)
    out = await jsonl(settings, {"press": next(i for i in ids if i.endswith(".fr"))})
    assert out[0]["error"] is None


async def test_users_are_separate(settings: Settings) -> None:
    out = await jsonl(
        settings,
        {"text": "/start", "user": 1},
        {"press": "I understand, continue", "user": 1},
        {"text": "/start", "user": 2},
        {"press": "English", "user": 1},
        {"press": "English", "user": 2},
    )
    assert "What would you like to do?" in texts(out[3])
    assert out[4]["error"] is not None  # user 2 never saw the language buttons


async def test_lang_tag_preselects_a_shipped_language(settings: Settings) -> None:
    out = await jsonl(settings, {"text": "/start", "lang": "es-419"},
                      {"press": "Entiendo, continuar"})
    labels = [b["label"] for row in out[1]["replies"][-1]["buttons"] for b in row]  # type: ignore[index]
    assert "✓ Español" in labels


async def test_a_whole_finder_conversation_leaves_no_plain_text_on_disk_or_in_logs(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    out = await jsonl(
        settings,
        {"text": "/start"},
        {"press": "I understand, continue"},
        {"press": "English"},
        {"text": f"my brother {CANARY} was taken"},
        {"press": "Find the right UN expert"},
        {"press": "Disappearance"},
        {"press": "Done (1 chosen)"},
        {"text": CANARY},
        {"text": "Myanmar"},
    )
    assert all(o["error"] is None for o in out), out
    assert "Enforced or Involuntary Disappearances" in texts(out[-1])
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in (CANARY, "Zebulon", "Quixotevna"):
                assert needle.encode() not in data, path
                assert needle.encode("utf-16-le") not in data, path
    assert "Zebulon" not in caplog.text


async def test_a_session_survives_a_restart_mid_flow(settings: Settings) -> None:
    await jsonl(settings, {"text": "/start"}, {"press": "I understand, continue"},
                {"press": "English"}, {"press": "Find the right UN expert"},
                {"press": "Detention or arrest"}, {"press": "Done (1 chosen)"})
    # A new process: the runtime is opened again from the same data folder.
    out = await jsonl(settings, {"text": "Iran"})
    assert "Working Group on Arbitrary Detention" in texts(out[0])
    assert "Islamic Republic of Iran" in texts(out[0])


async def test_interactive_mode_numbers_buttons(settings: Settings) -> None:
    out = io.StringIO()
    await run_console(settings, jsonl=False, inp=io.StringIO("1\n2\n/quit\n"), out=out)
    screen = out.getvalue()
    assert "[1] I understand, continue" in screen
    assert "[2] Français" in screen
    assert "Que souhaitez-vous faire" in screen or "What would you like" in screen


async def test_a_number_no_button_has_gets_one_short_line_not_the_screen_again(
    settings: Settings,
) -> None:
    # Numbers are per screen: one beyond the screen's buttons (say, from the screen
    # before) is typed text, answered by a one-line hint above the same buttons.
    out = io.StringIO()
    await run_console(settings, jsonl=False, inp=io.StringIO("1\n1\n99\n/quit\n"), out=out)
    screen = out.getvalue()
    _, _, after = screen.partition("What would you like to do?")
    assert after and "What would you like to do?" not in after
    hint = after.split("> ")[1].strip().splitlines()
    assert hint[0] == "Please answer with the buttons below. There is no need to type details here."
    assert all(line.lstrip().startswith("[") for line in hint[1:]), hint
    assert "[1] Find the right UN expert" in hint[1]


async def test_builder_answers_are_never_on_disk_in_plain_text_nor_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gate = [
        {"press": "Continue"}, {"press": "1"}, {"press": "Yes"}, {"press": "No"},
        {"press": "The person"}, {"press": "Yes"}, {"press": "Nobody else"},
        {"press": "Done (1 chosen)"}, {"press": "Yes, with all of them"}, {"press": "Yes"},
        {"press": "Nothing"}, {"press": "Done (1 chosen)"}, {"press": "No"},
        {"press": "Neither"}, {"press": "Done (1 chosen)"},
        {"press": "Next: prepare the submission"}, {"press": "Start"}, {"press": "English"},
    ]
    answers = [{"text": f"answer {i} about V1 and the {CANARY.split()[1]} case"}
               for i in range(8)]
    out = await jsonl(
        settings, {"text": "/start"}, {"press": "I understand, continue"}, {"press": "English"},
        {"press": "Prepare a submission"}, *gate, *answers, {"press": "Create the draft"},
    )
    assert all(o["error"] is None for o in out), [o["error"] for o in out]
    document = next(r["document"] for o in out for r in o["replies"] if r["document"])
    assert "Quixotevna" in document["text"]
    # --jsonl hands the document to the program; only the interactive chat saves files.
    assert not (settings.data_dir / "documents").exists()
    for path in settings.data_dir.rglob("*"):
        if path.is_file() and path.parent.name != "documents":
            data = path.read_bytes()
            assert b"Quixotevna" not in data and "Quixotevna".encode("utf-16-le") not in data
    assert "Quixotevna" not in caplog.text


async def test_the_interactive_chat_prints_documents_and_saves_them_only_when_asked(
    settings: Settings,
) -> None:
    from bot.console import ConsoleSession, _print_replies
    from bot.runtime import Runtime
    from flows.model import Document, Reply

    runtime = await Runtime.open(settings)
    try:
        console = ConsoleSession(runtime)
        replies = [Reply(text="Your draft", document=Document(name="../x/draft.txt", text="D1"))]
        out = io.StringIO()
        _print_replies(replies, out)
        assert "D1" in out.getvalue() and "[/save]" in out.getvalue()
        assert not (settings.data_dir / "documents").exists()
        console.last_document[1] = replies[0].document  # type: ignore[assignment]
        saved = console.save_document()
        assert saved is not None and saved.parent == settings.data_dir / "documents"
        assert saved.name.startswith("draft-") and saved.suffix == ".txt"
        assert saved.read_text() == "D1" and saved.stat().st_mode & 0o777 == 0o600
    finally:
        await runtime.close()


async def test_an_internal_error_answers_the_line_and_the_session_goes_on(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.registry import ENGINE

    real = ENGINE.handle
    calls = {"n": 0}

    def flaky(session: object, event: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom")
        return real(session, event)  # type: ignore[arg-type]

    monkeypatch.setattr(ENGINE, "handle", flaky)
    out = await jsonl(settings, {"text": "/start"}, {"text": "/start"}, {"text": "/start"})
    assert [o["error"] is None for o in out] == [True, False, True]


async def test_delete_everything_in_the_terminal_also_removes_saved_drafts(
    settings: Settings,
) -> None:
    from bot.console import ConsoleSession
    from bot.runtime import Runtime
    from flows.model import Document

    runtime = await Runtime.open(settings)
    try:
        console = ConsoleSession(runtime)
        console.last_document[1] = Document(name="d.txt", text=CANARY)
        saved = console.save_document()
        assert saved is not None
        await console.send(1, "command", "/start", None)
        await console.send(1, "press", console.resolve_press(1, "I understand, continue") or "",
                           None)
        await console.send(1, "press", console.resolve_press(1, "English") or "", None)
        await console.send(1, "command", "/wipe", None)
        await console.send(1, "press", console.resolve_press(1, "Yes, delete everything") or "",
                           None)
        assert not saved.exists()
        assert await runtime.store.count_sessions() == 0
    finally:
        await runtime.close()


def test_a_second_process_on_the_same_data_folder_refuses_to_start(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SP_ADVISOR_")}
    env.update(SP_ADVISOR_DATA_DIR=str(tmp_path / "data"), SP_ADVISOR_SECRET_KEY="k" * 24)
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--jsonl"], env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert first.stdin is not None and first.stdout is not None
        first.stdin.write(b'{"text": "/start"}\n')
        first.stdin.flush()
        assert b"replies" in first.stdout.readline()  # the first one is serving
        second = subprocess.run(
            [sys.executable, "-m", "bot", "chat", "--jsonl"], env=env, input=b"",
            capture_output=True, timeout=30,
        )
        assert second.returncode != 0
        lines = second.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and "already running" in lines[0], lines
    finally:
        first.kill()
        first.wait()


async def test_the_terminal_applies_retention_when_it_starts(settings: Settings) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.runtime import Runtime
    from flows.model import Session

    runtime = await Runtime.open(settings)
    old = datetime.now(UTC) - timedelta(days=settings.session_days + 1)
    await runtime.store.commit_update("idle", Session(), update_id=None, stats=[], now=old)
    await runtime.close()
    await jsonl(settings)  # starts, reads no line, stops
    runtime = await Runtime.open(settings)
    try:
        assert await runtime.store.count_sessions() == 0
    finally:
        await runtime.close()


async def test_a_disk_error_is_one_error_line_and_the_line_can_be_sent_again(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = Store.commit
    failed: list[int] = []

    async def once(self: Store, *args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(1)
            raise sqlite3.OperationalError("disk I/O error")
        return await inner(self, *args, **kwargs)

    monkeypatch.setattr(Store, "commit", once)
    refused, again = await jsonl(settings, {"text": "/start"}, {"text": "/start"})
    assert refused == {"replies": [], "error": "the disk could not be written: nothing was "
                       "stored; send the line again"}
    assert "a word on safety" in texts(again) and again["error"] is None
