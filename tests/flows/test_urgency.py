"""Is it urgent? The decision table, and the flow as a person uses it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.emergency import emergency
from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.model import View
from flows.urgency import FIRST_MAX, UrgencyAnswers, decide, result
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
    (UrgencyAnswers(timing="past", missing="yes", seen="3to12m"), (), "urgent_appeal", False,
     "3to12m", False, False),
    (UrgencyAnswers(timing="past", missing="yes", seen="gt12m"), (), "urgent_appeal", False,
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
    chat.expect("urgent appeal", "Your date: December 2, 2026, in 10 days.", "That is soon")
    assert "Next: consent and risk" in chat.labels
    chat.press("More detail").expect(
        "60 days", "https://spcommreports.ohchr.org/", "Working Group on Arbitrary "
        "Detention can also examine the case", "24 hours")
    assert "Next: consent and risk" in chat.labels


def test_a_recent_disappearance_gets_the_urgent_procedure() -> None:
    chat = urgent().press("It already happened").press("Yes")
    chat.press("Less than 3 months ago").press("No date")
    chat.expect("urgent appeal").press("More detail").expect("still missing", "Urgent procedure")


def test_a_draft_law_with_a_vote() -> None:
    chat = urgent().press("It is about a law or policy").press("A draft")
    chat.press("A vote on a law").send("25/11/2026")
    chat.expect("letter about the law or policy", "in 3 days")
    chat.press("More detail").expect("as little as 48 hours", "well before the vote")


def test_an_unreadable_or_past_date_is_asked_again() -> None:
    chat = urgent().press("It already happened").press("No")
    chat.press("A hearing or trial").send("next tuesday-ish")
    chat.expect("I could not read “next tuesday-ish” as a date")
    chat.send("1 January 2020").expect("has already passed")
    chat.press("Skip").expect("allegation letter")


def test_the_label_does_not_matter_for_advocacy() -> None:
    urgent().press("Yes, now or very soon").press("Something else").press(
        "Done (1 chosen)").press("No date").press("More detail").expect("no practical difference")


@pytest.mark.parametrize("lang", SHIPPED)
def test_dates_are_shown_in_the_persons_language(lang: str) -> None:
    t = translator(lang)
    when = TODAY + timedelta(days=30)
    chat = urgent(lang).press(t("It already happened")).press(t("No"))
    chat.press(t("A hearing or trial")).send(when.strftime("%d/%m/%Y"))
    chat.expect(t.date(when), t.n(("Your date: {date}, in {count} day.",
                                   "Your date: {date}, in {count} days."), 30,
                                  date=t.date(when)))


# Issue 10, finding 1: the answer leads with what to do now, short; details behind a button.
def test_an_execution_next_week_says_where_and_how_to_send_first() -> None:
    chat = urgent().press("Yes, now or very soon").press("An execution is planned")
    chat.press("Done (1 chosen)").press("An execution date").send("29 November 2026")
    first = chat.replies[0].text
    assert len(first) <= 600, len(first)
    for words in ("urgent appeal", "in 7 days", "submit now", "https://spsubmission.ohchr.org/",
                  "English, French or Spanish", "Include: who is at risk",
                  "urgent-action@ohchr.org", "check it on the OHCHR website"):
        assert words in first, words
    assert "More detail" in chat.labels
    chat.press("More detail").expect("60 days", "Why: it is happening now")


@pytest.mark.parametrize("answers", [case[0] for case in CASES])
def test_the_first_message_is_short_whatever_the_answers(answers: UrgencyAnswers) -> None:
    view = View(answers={"urgency": answers}, t=translator("en"), channel="terminal",
                today=TODAY)
    first = result(view)[0]
    assert len(first) <= FIRST_MAX, (answers, len(first))
    assert "https://spsubmission.ohchr.org/" in first


# Issue 10, finding 2: where a life is at stake, no physical protection, and who can help.
@pytest.mark.parametrize("what", ["An execution is planned", "Risk of torture or ill-treatment",
                                  "A threat to someone's life"])
def test_a_life_at_stake_gets_the_emergency_support(what: str) -> None:
    chat = urgent().press("Yes, now or very soon").press(what).press("Done (1 chosen)")
    chat.press("No date").expect(
        "cannot give physical protection", "Front Line Defenders", "+353 1 21 00 489",
        "https://protectdefenders.eu/", "https://www.accessnow.org/help/")


def test_the_emergency_support_is_the_reprisal_flows() -> None:
    chat = urgent().press("Yes, now or very soon").press("A threat to someone's life")
    chat.press("Done (1 chosen)").press("No date")
    view = View(t=translator("en"), channel="terminal", today=TODAY)
    assert emergency(view)[0] in chat.text


def test_no_emergency_support_for_a_law() -> None:
    chat = urgent().press("It is about a law or policy").press("Already in force")
    chat.press("No date")
    assert "Front Line Defenders" not in chat.text


# Issue 10, finding 3: the same facts give the same verdict whichever way they are entered.
SAME_FACTS: list[tuple[str, dict[str, object]]] = [
    (seen, extra) for seen in ("lt3m", "3to12m", "gt12m")
    for extra in ({}, {"date_kind": "hearing", "when": date(2026, 12, 1)},
                  {"date_kind": "execution", "when": date(2027, 3, 1)})
]


@pytest.mark.parametrize(("seen", "extra"), SAME_FACTS)
def test_a_disappearance_gets_one_verdict_by_every_path(seen: str, extra: dict[str, object]
                                                        ) -> None:
    ways = [
        UrgencyAnswers(timing="now", now=["missing"], seen=seen, **extra),  # type: ignore[arg-type]
        UrgencyAnswers(timing="past", missing="yes", seen=seen, **extra),  # type: ignore[arg-type]
    ]
    first, second = (decide(a, TODAY) for a in ways)
    assert first == second
    assert first.kind == "urgent_appeal"


@pytest.mark.parametrize("seen", ["Less than 3 months ago", "3 to 12 months ago",
                                  "More than a year ago"])
def test_a_disappearance_reads_the_same_by_every_path_in_the_chat(seen: str) -> None:
    now = urgent().press("Yes, now or very soon").press("Someone is missing")
    now.press("Done (1 chosen)").press(seen).press("No date")
    past = urgent().press("It already happened").press("Yes").press(seen).press("No date")
    assert now.text == past.text
    assert "urgent appeal" in now.text
    assert now.press("More detail").text == past.press("More detail").text


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_first_message_stays_short_in_every_language(lang: str) -> None:
    longest = max(
        len(result(View(answers={"urgency": case[0]}, t=translator(lang), channel="terminal",
                        today=TODAY))[0])
        for case in CASES
    )
    assert longest <= FIRST_MAX + 50, longest  # translations run a little longer
