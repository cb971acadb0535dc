"""Is it urgent? The decision table, and the flow as a person uses it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.urgency import decide
from tests.flows.chat import Chat

TODAY = date(2026, 11, 22)

# (answers, expected kind, detained, seen, soon, draft_law)
CASES: list[tuple[dict[str, object], str, bool, str | None, bool, bool]] = [
    ({"u_timing": "now", "u_now": ["detained"]}, "urgent_appeal", True, None, False, False),
    ({"u_timing": "now", "u_now": ["torture"]}, "urgent_appeal", False, None, False, False),
    ({"u_timing": "now", "u_now": ["execution"], "u_date_kind": "execution",
      "u_date": "2026-11-29"}, "urgent_appeal", False, None, True, False),
    ({"u_timing": "now", "u_now": ["removal"], "u_date_kind": "removal",
      "u_date": "2027-03-01"}, "urgent_appeal", False, None, False, False),
    ({"u_timing": "now", "u_now": ["missing"], "u_seen": "lt3m"}, "urgent_appeal", False,
     "lt3m", False, False),
    ({"u_timing": "now", "u_now": ["threat"]}, "urgent_appeal", False, None, False, False),
    ({"u_timing": "now", "u_now": ["detained", "torture"]}, "urgent_appeal", True, None,
     False, False),
    ({"u_timing": "past", "u_missing": "no"}, "allegation_letter", False, None, False, False),
    ({"u_timing": "past", "u_missing": "yes", "u_seen": "lt3m"}, "urgent_appeal", False,
     "lt3m", False, False),
    ({"u_timing": "past", "u_missing": "yes", "u_seen": "3to12m"}, "allegation_letter", False,
     "3to12m", False, False),
    ({"u_timing": "past", "u_missing": "yes", "u_seen": "gt12m"}, "allegation_letter", False,
     "gt12m", False, False),
    ({"u_timing": "past", "u_missing": "no", "u_date_kind": "hearing",
      "u_date": "2026-12-01"}, "allegation_letter", False, None, True, False),
    ({"u_timing": "past", "u_missing": "no", "u_date_kind": "execution",
      "u_date": "2027-01-10"}, "urgent_appeal", False, None, False, False),
    ({"u_timing": "past", "u_missing": "no", "situations": ["detention"]},
     "allegation_letter", True, None, False, False),
    ({"u_timing": "law", "u_law_stage": "draft", "u_date_kind": "vote",
      "u_date": "2026-11-25"}, "other_letter", False, None, True, True),
    ({"u_timing": "law", "u_law_stage": "force"}, "other_letter", False, None, False, False),
    ({"u_timing": "law", "u_law_stage": "draft", "u_date_kind": "hrc",
      "u_date": "2027-02-23"}, "other_letter", False, None, False, True),
    ({"u_timing": "past", "u_missing": "no", "u_date_kind": "visit",
      "u_date": "2026-11-22"}, "allegation_letter", False, None, True, False),
]


@pytest.mark.parametrize(("answers", "kind", "detained", "seen", "soon", "draft_law"), CASES)
def test_decision_table(answers: dict[str, object], kind: str, detained: bool,
                        seen: str | None, soon: bool, draft_law: bool) -> None:
    d = decide(answers, TODAY)
    assert (d.kind, d.detained, d.seen, d.soon, d.draft_law) == (
        kind, detained, seen, soon, draft_law)
    assert d.reasons


def test_days_left_are_counted_from_today() -> None:
    d = decide({"u_timing": "now", "u_date_kind": "hearing", "u_date": "2026-12-02"}, TODAY)
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
