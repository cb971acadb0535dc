"""The terminal adapter: interactive numbered buttons and the --jsonl protocol."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from bot.console import run_console
from bot.settings import Settings

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
                      {"press": "1.ok"})
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
