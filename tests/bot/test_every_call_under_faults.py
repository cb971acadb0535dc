"""Every kind of Bot API call the bot makes to answer a person, under every fault
Telegram produces: a flood wait (429 with retry_after), a 502, a dropped connection,
and an answer lost after Telegram carried the call out. Each step must leave the
chat exactly as the same step does without a fault (the same messages, texts and
buttons, nothing twice), every message in the ledger and nothing waiting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.telegram.render import calls_for
from flows.model import Button, Document, Reply
from tests.bot.fake_telegram import Harness, RecordingRequest, TgUser, labels
from tests.bot.test_faults import FAULTS, Fault

CLEAN, FAULTED = 626_001, 626_002


def lost(request: RecordingRequest, method: str) -> None:
    request.lose_answer_next(method)


EVERY_FAULT = [*FAULTS, pytest.param(lost, id="answer-lost")]


async def to_menu(user: TgUser) -> None:
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press("English")


async def press_safety(harness: Harness, user: TgUser) -> None:
    await user.press("Safety")  # answerCallbackQuery, then editMessageText


async def type_help(harness: Harness, user: TgUser) -> None:
    # The menu's keyboard is taken off (editMessageReplyMarkup), /help is sent anew.
    await user.send("/help")


async def get_a_document(harness: Harness, user: TgUser) -> None:
    reply = Reply(
        text="Your draft, with placeholders instead of names:",
        buttons=[[Button(id="menu", label="Main menu")]],
        document=Document(name="draft letter", text="Dear Special Rapporteur, V1 ..."),
    )
    rows = await harness.runtime.store.commit(
        user.pseudonym(), None, update_id=None, keep_session=True,
        calls=calls_for(user.id, [reply]),
    )
    sender = harness.app.adapter.sender_for(harness.app.bot)  # type: ignore[attr-defined]
    sender.wake(rows or [])
    await sender.drain()


Step = Callable[[Harness, TgUser], Awaitable[None]]
STEPS: list[tuple[str, Step]] = [
    ("answerCallbackQuery", press_safety),
    ("editMessageText", press_safety),
    ("editMessageReplyMarkup", type_help),
    ("sendMessage", type_help),
    ("sendDocument", get_a_document),
]


def chat(harness: Harness, chat_id: int) -> list[tuple[str, list[str], str]]:
    """What the person sees, oldest first: each message's text (or caption), its
    buttons and the name of its file."""
    shown = sorted(
        (m for (c, _), m in harness.request.messages.items() if c == chat_id),
        key=lambda m: int(m["message_id"]),
    )
    return [
        (
            str(m.get("text", m.get("caption", ""))),
            labels(m.get("reply_markup")),
            str(m.get("document", {}).get("file_name", "")),
        )
        for m in shown
    ]


@pytest.mark.parametrize("fault", EVERY_FAULT)
@pytest.mark.parametrize(("method", "step"), STEPS, ids=[method for method, _ in STEPS])
async def test_every_call_under_every_fault_leaves_the_chat_as_without_it(
    harness: Harness, method: str, step: Step, fault: Fault
) -> None:
    clean, faulted = harness.user(CLEAN, "Ines"), harness.user(FAULTED, "Ines")
    await to_menu(clean)
    await step(harness, clean)
    await to_menu(faulted)
    since = len(harness.request.calls)
    fault(harness.request, method)
    await step(harness, faulted)
    assert f"{method}" in [c.method for c in harness.request.calls[since:]]
    assert not harness.request.failures.get(method)  # the fault was met
    assert chat(harness, FAULTED) == chat(harness, CLEAN)
    sent = {mid for (c, mid) in harness.request.messages if c == FAULTED}
    ledger = {m for m, _ in await harness.runtime.store.ledger(faulted.pseudonym())}
    assert sent <= ledger
    assert await harness.runtime.store.outbox_owners(1e12) == []
