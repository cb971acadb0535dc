"""Issue 10, finding by finding: where each is tested, and the tests that were missing.

Point → tests (file: test names)
 1 urgency says where/how to send — test_urgency:
   test_an_execution_next_week_says_where_and_how_to_send_first; here (urgency rows,
   six languages): test_every_result_leads_with_an_action_within_600
 2 protection pointer where life is at stake — test_urgency:
   test_a_life_at_stake_gets_the_emergency_support, test_no_emergency_support_for_a_law;
   the finder (was missing, added): test_mandate:
   test_a_life_at_stake_gets_the_emergency_support,
   test_no_emergency_support_where_no_life_is_said_to_be_at_stake; test_reprisal:
   test_in_danger_the_emergency_support_comes_first
 3 same disappearance, same verdict — test_urgency:
   test_a_disappearance_gets_one_verdict_by_every_path,
   test_a_disappearance_reads_the_same_by_every_path_in_the_chat; test_asked_once:
   test_the_same_facts_give_the_same_verdict_whichever_way; here:
   test_each_row_of_the_decision_table_gives_one_verdict_whichever_way
 4 reprisal deadline from the incident — test_reprisal:
   test_an_incident_whose_reporting_period_has_closed_is_told_so, test_next_sg_deadline
 5 finder → reprisals — test_mandate:
   test_a_reprisal_for_working_with_the_un_leads_to_the_reprisal_channels
 6 builder: admissibility, WGEID, urgency carried, victims > 4, V2 consent, review
   topics — test_submission: test_the_draft_says_what_decides_admissibility,
   test_a_disappearance_draft_lists_what_the_working_group_needs,
   test_the_urgency_and_its_date_go_into_the_draft, test_up_to_nine_victims_can_be_asked_about,
   test_a_victim_named_only_in_the_answers_is_flagged_for_consent,
   test_the_review_names_the_topics
 7 routing — children: test_mandate: test_a_detained_child_goes_to_arbitrary_detention_
   not_the_sale_of_children, test_children_asks_once_whether_a_child_was_sold_or_sexually_
   exploited; disability/older/albinism/leprosy: test_each_groups_rights_leads_with_its_
   expert; toxic: test_toxic_waste_dumping_leads_with_the_toxics_expert; OPT:
   test_the_opt_expert_is_told_with_its_mandates_framing; empty heading:
   test_slavery_alone_and_nothing_fits_have_no_empty_heading; regions:
   test_a_region_is_asked_about_never_guessed_as_another_country (+ test_countries)
 8 screen after a language choice — test_languages:
   test_the_screen_after_a_language_choice_is_in_the_new_language
 9 length — first message: here test_every_result_leads_with_an_action_within_600;
   journey: test_journey_length; asked twice: test_asked_once
10 flooding — test_keyboards (one live keyboard, stale press one line, strips);
   delete: test_faults: test_delete_this_draft_under_a_fault_removes_its_messages,
   test_delete_this_draft_removes_the_language_screen_typed_on
11 protect_content — test_telegram: test_an_address_to_copy_is_not_protected,
   test_document_is_sent_unprotected_txt_so_it_can_be_saved
12 typed dates — test_dates: test_everyday_forms_are_read, test_a_huge_number_is_asked_
   again_not_an_error
13 official titles — test_mandate/test_submission official-title tests; experts with
   no page: test_mandate: test_an_expert_without_a_web_page_says_what_to_do; here:
   test_the_e_mail_hand_off_follows_the_pages_there_are (six languages)

Most of these run in the engine, with `channel` "terminal" or "telegram". Through both
adapters (terminal --jsonl and the Telegram Application): tests/bot/test_issue10_channels.py
runs 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13 (and the hand-off of 3/13) in each, and 1 and 2
(urgency and finder) in all six languages; 10 and 11 are adapter tests already
(test_keyboards, test_faults, test_telegram).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from flows.catalog import load_catalog, say
from flows.i18n import SHIPPED, translator
from tests.flows.chat import Chat, replay
from tests.flows.test_consent import answer_gate, to_gate
from tests.flows.test_mandate import choose
from tests.flows.test_submission import fill

TODAY = date(2026, 11, 22)
C = load_catalog()
FORM = "https://spsubmission.ohchr.org/"


def menu(channel: str = "terminal") -> Chat:
    return Chat(today=TODAY, channel=channel).start()  # type: ignore[arg-type]


# --- 3 (and 13): the e-mail hand-off only where there is a page -------------------


def hand_off_detail(*situations: str) -> Chat:
    """A draft built after the finder (with `situations`, none: without it), its "More
    detail"."""
    chat = menu()
    if situations:
        choose(chat.press("Find the right UN expert"), *situations)
        chat.press("Prefer not to say").press("Main menu")
    answer_gate(to_gate(chat)).press("Next: prepare the submission")
    return fill(chat).press("Create the draft").press("More detail")


EMAIL = ("You can also send it by e-mail to an expert whose OHCHR page is given below: the "
         "address is on that page. Send names and documents only through the form or "
         "encrypted mail.")
NO_EXPERT = ("No expert is named in this draft: send it through the online form, {url}, "
             "and OHCHR staff pass it to the right experts.")


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize(("situations", "page", "no_page"), [
    pytest.param((), False, False, id="no-expert"),
    pytest.param(("expression",), False, True, id="no-page"),
    pytest.param(("torture",), True, False, id="page"),
    pytest.param(("expression", "torture"), True, True, id="both"),
])
def test_the_e_mail_hand_off_follows_the_pages_there_are(
        lang: str, situations: tuple[str, ...], page: bool, no_page: bool) -> None:
    t = translator(lang)
    chat = replay(hand_off_detail(*situations), lang)
    mailbox = say(t, "general_mailbox")
    assert (t(EMAIL) in chat.text) is page
    assert ("/special-procedures/sr-torture" in chat.text) is page
    assert ("urgent-action@ohchr.org" in chat.text) is (not page or no_page)
    assert (mailbox in chat.text) is (not page or no_page)
    assert (t(NO_EXPERT, url=FORM) in chat.text) is (not situations)
    # Named by the official title in the chat's language where there is one (13).
    expression = next(m for m in C.mandates if m.id == "sr-freedom-of-expression")
    assert (expression.name_in(lang) in chat.text) is no_page
    assert ("SR on freedom of expression" in chat.text) is False


# --- 9: every result leads with the action, within ~600 characters -------------------

LEAD = 600  # English: "at most ~600 characters" (issue 10, point 9 and "Done when")
# The issue gives no exception for any route, so the reprisal result has none either
# (the finder's own test still allows its reprisal channels +200). "~600" is read as
# 600 in English and a fifth more in translation: the same text in French, Spanish or
# Russian runs up to ~20% longer (Chinese and Arabic are shorter).
TRANSLATED = 720
# An action: an address to write to, a link, a command, a step to take ("• "), or the
# words of the button to press next.
ACTION = re.compile(r"https?://\S+|[\w.-]+@[\w-]+\.[\w.]+|(?:^|\s)/[a-z]+\b|(?:^|\n)• ")


def urgency(*presses: str, typed: str | None = None) -> Chat:
    chat = menu().press("Is it urgent?")
    for label in presses:
        chat.press(label)
    return chat.send(typed) if typed else chat


def reprisal(month: str, danger: str = "No") -> Chat:
    chat = menu().press("Report a reprisal").press(danger)
    if danger != "No":
        chat.press("Continue")
    chat.press("Threats or intimidation").press("Done (1 chosen)").send(month)
    chat.press("State agents").press("A Human Rights Council session or side event")
    chat.press("Done (1 chosen)").press("None / I do not know")
    return chat.press("Yes").press("No").press("Yes")


def group_gate() -> Chat:
    chat = to_gate(menu()).press("Continue").press("A group or pattern, no individual")
    chat.press("Family").press("Done (1 chosen)").press("Not yet").press("No")
    chat.press("That I am the source").press("Done (1 chosen)").press("No")
    return chat.press("Neither").press("Done (1 chosen)")


def builder(channel: str) -> Chat:
    chat = answer_gate(to_gate(menu(channel))).press("Next: prepare the submission")
    return fill(chat).press("Create the draft")


RESULTS: dict[str, Callable[[], Chat]] = {
    **{f"finder-{s.id}": (lambda s=s: choose(menu().press("Find the right UN expert"),  # type: ignore[misc]
                                             s.id).press("Prefer not to say"))
       for s in C.situations},
    "finder-many-Iran": lambda: choose(
        menu().press("Find the right UN expert"),
        *[s.id for s in C.situations if s.id != "reprisal"][:8]).send("Iran"),
    "urgency-threat-execution-soon": lambda: urgency(
        "Yes, now or very soon", "A threat to someone's life", "An execution is planned",
        "Done (2 chosen)", "An execution date", typed="01/12/2026"),
    "urgency-missing-now": lambda: urgency(
        "Yes, now or very soon", "Someone is missing", "Done (1 chosen)",
        "More than a year ago", "No date"),
    "urgency-missing-past": lambda: urgency(
        "It already happened", "Yes", "Less than 3 months ago", "No date"),
    "urgency-past": lambda: urgency("It already happened", "No", "No date"),
    "urgency-law-draft": lambda: urgency(
        "It is about a law or policy", "A draft", "A vote on a law", typed="15/12/2026"),
    "urgency-law-force": lambda: urgency(
        "It is about a law or policy", "Already in force", "No date"),
    "consent-named": lambda: answer_gate(to_gate(menu())),
    "consent-group": group_gate,
    "handoff-terminal": lambda: builder("terminal"),
    "handoff-telegram": lambda: builder("telegram"),
    "safety-advice": lambda: menu().press("Safety").press("Which channels to use").press(
        "Ordinary e-mail").press("Done (1 chosen)"),
    "verify": lambda: menu("telegram").press("Safety").press("Is this bot genuine?"),
    "reprisal-recent": lambda: reprisal("November 2026", "Yes, someone is in danger now"),
    "reprisal-period-closed": lambda: reprisal("March 2026"),
}

@pytest.fixture(scope="module")
def english() -> dict[str, Chat]:
    return {name: make() for name, make in RESULTS.items()}


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("name", RESULTS)
def test_every_result_leads_with_an_action_within_600(
        english: dict[str, Chat], name: str, lang: str) -> None:
    chat = english[name] if lang == "en" else replay(english[name], lang)
    first = next(r.text for r in chat.replies if r.text)
    assert len(first) <= (LEAD if lang == "en" else TRANSLATED), (len(first), first)
    assert ACTION.search(first) or any(label in first for label in chat.labels), first


# --- 3 and "Done when": the urgency verdict whichever way the facts are entered -------


def via_finder(situation: str) -> Chat:
    chat = choose(menu().press("Find the right UN expert"), situation)
    return chat.press("Prefer not to say").press("Next: is it urgent?")


def directly() -> Chat:
    return menu().press("Is it urgent?")


def enter(chat: Chat, *steps: str) -> Chat:
    """Presses, and a typed date for a step written "type:…"."""
    for step in steps:
        chat.send(step.removeprefix("type:")) if step.startswith("type:") else chat.press(step)
    return chat


# Each row of `urgency.decide` (law, still missing, now, imminent date, past), each with
# two or more ways in: the finder first (with a situation that does not itself change the
# verdict) or the urgency flow directly, and for someone still missing "now" or "it
# already happened".
ROWS: dict[str, list[tuple[Callable[[], Chat], tuple[str, ...]]]] = {
    "law": [
        (directly, ("It is about a law or policy", "A draft", "A vote on a law",
                    "type:15/12/2026")),
        (lambda: via_finder("expression"), ("It is about a law or policy", "A draft",
                                            "A vote on a law", "type:15/12/2026")),
    ],
    "still-missing": [
        (directly, ("Yes, now or very soon", "Someone is missing", "Done (1 chosen)",
                    "More than a year ago", "No date")),
        (directly, ("It already happened", "Yes", "More than a year ago", "No date")),
        (lambda: via_finder("disappear"), ("It already happened", "Yes",
                                           "More than a year ago", "No date")),
    ],
    "now": [
        (directly, ("Yes, now or very soon", "A threat to someone's life", "Done (1 chosen)",
                    "A hearing or trial", "type:15/12/2026")),
        (lambda: via_finder("defender"), ("Yes, now or very soon",
                                          "A threat to someone's life", "Done (1 chosen)",
                                          "A hearing or trial", "type:15/12/2026")),
    ],
    "imminent": [
        (directly, ("It already happened", "No", "An execution date", "type:01/12/2026")),
        (lambda: via_finder("killing"), ("It already happened", "No", "An execution date",
                                         "type:01/12/2026")),
    ],
    "past": [
        (directly, ("It already happened", "No", "No date")),
        (lambda: via_finder("torture"), ("It already happened", "No", "No date")),
    ],
}


@pytest.mark.parametrize("row", ROWS)
def test_each_row_of_the_decision_table_gives_one_verdict_whichever_way(row: str) -> None:
    verdicts = set()
    for start, steps in ROWS[row]:
        chat = enter(start(), *steps)
        assert chat.session.state == "urgency.result", (row, steps)
        result = chat.text
        verdicts.add((result, chat.press("More detail").text))
    assert len(verdicts) == 1, row
