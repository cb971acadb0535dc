"""Typed dates: the 66 everyday forms (tests/flows/dates_everyday.py), and no typed
text makes the date step fail."""

from __future__ import annotations

import pytest

from flows.dates import parse_date, parse_month_year
from flows.i18n import NATIVE_NAMES, translator
from tests.flows.chat import Chat
from tests.flows.dates_everyday import FORMS, TODAY, misread

READ_AT_LEAST = 60


def test_everyday_forms_are_read() -> None:
    wrong = misread()
    read = len(FORMS) - len(wrong)
    print(f"everyday date forms read: {read} / {len(FORMS)}")
    assert len(FORMS) == 66
    assert {lang for lang, _, _ in FORMS} == set(NATIVE_NAMES)
    assert read >= READ_AT_LEAST, wrong


HUGE = [
    "15 March 99999999999999999999",
    "99999999999999999999/03/2027",
    "in 99999999999 days",
    "in 99999 weeks",
    "9" * 5000,
    "15/03/99999",
    "March 999999999999999999",
    "١٥ مارس ٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩",
]


@pytest.mark.parametrize("text", HUGE)
def test_huge_numbers_are_no_date(text: str) -> None:
    assert parse_date(text, TODAY) is None
    assert parse_month_year(text) is None


# (Those the personal-data check does not take for a phone number.)
@pytest.mark.parametrize("text", ["15 March 99999999999999999999", "99999999999999999999/03/2027",
                                  "9" * 5000, "in 99999 weeks"])
def test_a_huge_number_is_asked_again_not_an_error(text: str) -> None:
    chat = Chat(today=TODAY)
    chat.start(NATIVE_NAMES["en"])
    chat.press(translator("en")("Is it urgent?")).press("It already happened").press("No")
    chat.press("A hearing or trial").send(text)
    chat.expect("I could not read").expect_not("something went wrong")
    chat.send("tomorrow").expect("Your date: November 23, 2026, in 1 day.")
