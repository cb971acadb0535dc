"""Every shipped language works everywhere: a catalog, its own dates, its own country names.

The list is `flows.i18n.SHIPPED`; every part reads it. Adding a language is one entry
there plus its catalog, and these tests then demand what else it needs.
"""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date

from flows import countries, dates
from flows.countries import COUNTRY_CODES, country_name, match_country
from flows.dates import parse_date, parse_month_year
from flows.i18n import DEFAULT, NATIVE_NAMES, SHIPPED, locales_dir, translator
from tests.flows.chat import Chat

TODAY = date(2026, 1, 1)
SAMPLE_DATES = (date(2027, 3, 15), date(2026, 12, 1), date(2028, 2, 29), date(2026, 9, 30))


def test_every_part_reads_the_one_list() -> None:
    assert dates.LANGUAGES == SHIPPED
    assert countries.LANGUAGES == SHIPPED
    assert set(NATIVE_NAMES) == set(SHIPPED)
    assert DEFAULT in SHIPPED


@pytest.mark.parametrize("lang", [code for code in SHIPPED if code != DEFAULT])
def test_each_shipped_language_has_a_catalog(lang: str) -> None:
    assert (locales_dir() / lang / "LC_MESSAGES" / "messages.po").is_file()


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("width", ["long", "medium"])
def test_each_shipped_language_reads_its_own_dates(lang: str, width: str) -> None:
    for day in SAMPLE_DATES:
        written = format_date(day, format=width, locale=lang)
        assert parse_date(written, TODAY) == day, written


@pytest.mark.parametrize("lang", SHIPPED)
def test_each_shipped_language_reads_its_own_months(lang: str) -> None:
    for month in range(1, 13):
        written = format_date(date(2026, month, 1), format="LLLL y", locale=lang)
        assert parse_month_year(written) == (2026, month), written


@pytest.mark.parametrize("lang", SHIPPED)
def test_each_shipped_language_reads_its_own_country_names(lang: str) -> None:
    unread = []
    for code in sorted(COUNTRY_CODES):
        name = country_name(code, lang)
        found = match_country(name)
        if found.iso2 != code and code not in found.suggestions:
            unread.append(f"{code} {name!r}")
    assert not unread


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_screen_after_a_language_choice_is_in_the_new_language(lang: str) -> None:
    other = "fr" if lang == "en" else "en"
    chat = Chat(lang=other).send("/start")
    chat.press_id(chat.buttons[0].id).press(NATIVE_NAMES[lang])
    chat.expect(translator(lang)("What would you like to do?"))
    chat.press(translator(lang)("Language")).press(NATIVE_NAMES[other])
    chat.expect(translator(other)("What would you like to do?"))
