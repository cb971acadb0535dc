"""The texts shown before Start fit Telegram's limits in every language and carry
the safety essentials."""

from __future__ import annotations

from bot.telegram.descriptions import (
    DESCRIPTION_LIMIT,
    SHORT_DESCRIPTION_LIMIT,
    bot_descriptions,
)
from flows.i18n import SHIPPED


def _telegram_length(text: str) -> int:
    # Telegram counts UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def test_every_language_fits_and_is_translated() -> None:
    found = bot_descriptions()
    assert [d.language_code for d in found] == [None, *SHIPPED[1:]]
    english = found[0]
    for d in found:
        assert 0 < _telegram_length(d.description) <= DESCRIPTION_LIMIT, d.language_code
        assert 0 < _telegram_length(d.short_description) <= SHORT_DESCRIPTION_LIMIT, d.language_code
        if d.language_code is not None:
            assert d.description != english.description, d.language_code
            assert d.short_description != english.short_description, d.language_code


def test_the_safety_essentials_are_there() -> None:
    english = bot_descriptions()[0]
    for fragment in (
        "not end-to-end encrypted",
        "Do not send names, places or documents here",
        "never sends anything to the UN",
        "OHCHR online form",
    ):
        assert fragment in english.description
    assert "Not end-to-end encrypted" in english.short_description
    assert "no names, places or documents" in english.short_description
    # The same in each language, by the terms its catalog uses elsewhere.
    by_code = {d.language_code: d for d in bot_descriptions()}
    assert "HCDH" in by_code["fr"].description
    assert "ACNUDH" in by_code["es"].description
    assert "УВКПЧ" in by_code["ru"].description
    assert "人权高专办" in by_code["zh"].description
    assert "المفوضية" in by_code["ar"].description
