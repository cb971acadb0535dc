"""A scripted crowd for report tests: many people through the real engine, their
anonymous counters committed to a real store over several weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.i18n import NATIVE_NAMES
from flows.model import Channel
from storage.store import Store
from tests.flows.chat import Chat

MONDAY = datetime(2026, 11, 2, 12, tzinfo=UTC)
LANGS = ("en", "fr", "es", "en", "fr", "es", "ar")
PD_ANSWERS = ("!r", "!u")


def _press_ending(chat: Chat, suffix: str) -> Chat:
    return chat.press_id(next(b.id for b in chat.buttons if b.id.endswith(suffix)))


def conversation(i: int) -> Chat:
    lang = LANGS[i % len(LANGS)]
    channel: Channel = "telegram" if i % 3 else "terminal"
    chat = Chat(user=f"p{i}", lang=lang, channel=channel).start(NATIVE_NAMES[lang])
    _press_ending(chat, ".mandate")
    chat.press_id(chat.buttons[i % 4].id)  # one of the situations
    _press_ending(chat, ".>")
    if i % 4 == 0:
        chat.send("Jean Dupont, 12 rue de la Paix, +33 6 12 34 56 78")
        _press_ending(chat, PD_ANSWERS[(i // 4) % 2])
    if chat.session.state == "mandate.country":
        chat.send("France")
    if i % 6 == 5:
        chat.press_id("exit")
    elif i % 10 == 7:
        chat.send("/safety")
        _press_ending(chat, ".wipe")
        _press_ending(chat, ".yes")
    return chat


async def fill(store: Store, people: int = 120) -> None:
    for i in range(people):
        chat = conversation(i)
        await store.commit_update(
            f"p{i}",
            None,
            update_id=None,
            stats=chat.stats,
            now=MONDAY + timedelta(weeks=i % 3),
        )
