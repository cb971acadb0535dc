"""Is it urgent? The decision table, and the flow as a person uses it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.urgency import UrgencyAnswers, decide
from tests.flows.chat import Chat

TODAY = date(2026, 11, 22)

# (answers, situations pressed in the finder, expected kind, detained, seen, soon, draft_law)
CASES: list[tuple[UrgencyAnswers, list[str] | tuple[()], str, bool, str | None, bool, bool]] = [
    (UrgencyAnswers(timing="now", now=["detained"]), (), "urgent_appeal", True, None, False, False),
    (UrgencyAnswers(timing="now", now=["torture"]), (), "urgent_appeal", False, None, False, False),
    (UrgencyAnswers(timing="now", now=["execution"], date_kind="execution",
      when=date(2026, 11, 29)), (), "urgent_appeal", False, None, True, False),
    (UrgencyAnswers(timing="now", now=["removal"], date_kind="removal",
      when=date(2027, 3, 1)), (), "urgent_appeal", False, None, False, False),
    (UrgencyAnswers(timing="now", now=["missing"], seen="lt3m"), (), "urgent_appeal", False,
     "lt3m", False, False),
    (UrgencyAnswers(timing="now", now=["threat"]), (), "urgent_appeal", False, None, False, False),
    (UrgencyAnswers(timing="now", now=["detained", "torture"]), (), "urgent_appeal", True, None,
     False, False),
    (UrgencyAnswers(timing="past", missing="no"), (), "allegation_letter", False, None, False,
     False),
    (UrgencyAnswers(timing="past", missing="yes", seen="lt3m"), (), "urgent_appeal", False,
     "lt3m", False, False),
    (UrgencyAnswers(timing="past", missing="yes", seen="3to12m"), (), "allegation_letter", False,
     "3to12m", False, False),
    (UrgencyAnswers(timing="past", missing="yes", seen="gt12m"), (), "allegation_letter", False,
     "gt12m", False, False),
    (UrgencyAnswers(timing="past", missing="no", date_kind="hearing",
      when=date(2026, 12, 1)), (), "allegation_letter", False, None, True, False),
    (UrgencyAnswers(timing="past", missing="no", date_kind="execution",
      when=date(2027, 1, 10)), (), "urgent_appeal", False, None, False, False),
    (UrgencyAnswers(timing="past", missing="no"), ["detention"],
     "allegation_letter", True, None, False, False),
    (UrgencyAnswers(timing="law", law_stage="draft", date_kind="vote",
      when=date(2026, 11, 25)), (), "other_letter", False, None, True, True),
    (UrgencyAnswers(timing="law", law_stage="force"), (), "other_letter", False, None, False,
     False),
    (UrgencyAnswers(timing="law", law_stage="draft", date_kind="hrc",
      when=date(2027, 2, 23)), (), "other_letter", False, None, False, True),
    (UrgencyAnswers(timing="past", missing="no", date_kind="visit",
      when=date(2026, 11, 22)), (), "allegation_letter", False, None, True, False),
]


@pytest.mark.parametrize(
    ("answers", "situations", "kind", "detained", "seen", "soon", "draft_law"), CASES
)
def test_decision_table(answers: UrgencyAnswers, situations: list[str], kind: str,
                        detained: bool, seen: str | None, soon: bool, draft_law: bool) -> None:
    d = decide(answers, TODAY, situations)
    assert (d.kind, d.detained, d.seen, d.soon, d.draft_law) == (
        kind, detained, seen, soon, draft_law)
    assert d.reasons


def test_days_left_are_counted_from_today() -> None:
    answers = UrgencyAnswers(timing="now", date_kind="hearing", when=date(2026, 12, 2))
    d = decide(answers, TODAY)
    assert d.days_left == 10 and d.when == date(2026, 12, 2)


def urgent(lang: str = "en") -> Chat:
    chat = Chat(lang=lang, today=TODAY)
    chat.start(NATIVE_NAMES[lang])
    return chat.press(translator(lang)("Is it urgent?"))


def test_detained_now_with_a_hearing_date() -> None:
    chat = urgent().press("Yes, now or very soon").press("Someone is detained")
    chat.press("Done (1 chosen)").press("A hearing or trial").send("2 December 2026")
    chat.expect("urgent appeal", "Your date: December 2, 2026, in 10 days.", "That is soon",
                "60 days", "https://spcommreports.ohchr.org/", "Working Group on Arbitrary "
                "Detention can also examine the case", "24 hours")
    assert "Next: consent and risk" in chat.labels


def test_a_recent_disappearance_gets_the_urgent_procedure() -> None:
    chat = urgent().press("It already happened and ended").press("Yes")
    chat.press("Less than 3 months ago").press("No date")
    chat.expect("urgent appeal", "still missing", "Urgent procedure")


def test_a_draft_law_with_a_vote() -> None:
    chat = urgent().press("It is about a law or policy").press("A draft")
    chat.press("A vote on a law").send("25/11/2026")
    chat.expect("letter about the law or policy", "as little as 48 hours", "in 3 days",
                "well before the vote")


def test_an_unreadable_or_past_date_is_asked_again() -> None:
    chat = urgent().press("It already happened and ended").press("No")
    chat.press("A hearing or trial").send("next tuesday-ish")
    chat.expect("I could not read “next tuesday-ish” as a date")
    chat.send("1 January 2020").expect("has already passed")
    chat.press("Skip").expect("allegation letter")


def test_the_label_does_not_matter_for_advocacy() -> None:
    urgent().press("Yes, now or very soon").press("Something else").press(
        "Done (1 chosen)").press("No date").expect("no practical difference")


@pytest.mark.parametrize("lang", SHIPPED)
def test_dates_are_shown_in_the_persons_language(lang: str) -> None:
    t = translator(lang)
    when = TODAY + timedelta(days=30)
    chat = urgent(lang).press(t("It already happened and ended")).press(t("No"))
    chat.press(t("A hearing or trial")).send(when.strftime("%d/%m/%Y"))
    chat.expect(t.date(when), t.n(("Your date: {date}, in {count} day.",
                                   "Your date: {date}, in {count} days."), 30,
                                  date=t.date(when)))
