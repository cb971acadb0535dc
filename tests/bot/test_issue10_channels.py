"""Issue 10 through both adapters: each finding's conversation, typed and pressed the
way a person would, in the terminal (--jsonl) and on Telegram (the real Application on
a recording transport). The engine-level tests are listed in
tests/flows/test_issue10_findings.py; these check the same answers reach the person."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.console import run_console
from bot.settings import Settings
from flows.catalog import say
from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from tests.bot.fake_telegram import Harness

USER_ID = 610_010
START = ("I understand, continue", "English")


@dataclass(frozen=True)
class Scenario:
    steps: tuple[str, ...]  # a button's label, or "type:" and what the person types
    expect: tuple[str, ...]  # in what the bot says after the last step
    expect_not: tuple[str, ...] = ()
    first_at_most: int | None = None  # characters of the first message of that answer


URGENT_EXECUTION = ("Is it urgent?", "Yes, now or very soon", "An execution is planned",
                    "Done (1 chosen)", "An execution date", "type:tomorrow")
MISSING_NOW = ("Is it urgent?", "Yes, now or very soon", "Someone is missing",
               "Done (1 chosen)", "More than a year ago", "No date")
MISSING_PAST = ("Is it urgent?", "It already happened", "Yes", "More than a year ago",
                "No date")
FINDER = "Find the right UN expert"
GATE = ("Prepare a submission", "Continue", "1", "Yes", "No", "The person", "Yes", "Family",
        "Done (1 chosen)", "Yes, with all of them", "Yes", "That I am the source",
        "Done (1 chosen)", "No", "Signal", "Done (1 chosen)", "Next: prepare the submission")

SCENARIOS: dict[str, Scenario] = {
    # 1, 12: where and how to send, at once; "tomorrow" is read as a date.
    "1-urgency-says-where-and-how": Scenario(
        URGENT_EXECUTION,
        ("urgent appeal", "https://spsubmission.ohchr.org/", "URGENT", "in 1 day"),
        first_at_most=600),
    # 2: a life at stake: no physical protection, and the emergency support.
    "2-protection-pointer": Scenario(URGENT_EXECUTION, ("Front Line Defenders",)),
    "2-finder-protection-pointer": Scenario(
        (FINDER, "Killing, death penalty or death threat", "Done (1 chosen)",
         "Prefer not to say"),
        ("cannot give physical protection", "Front Line Defenders", "Access Now")),
    # 3: still missing after more than a year: the same urgent verdict both ways.
    "3-missing-now": Scenario(MISSING_NOW, ("urgent appeal",), ("allegation letter",)),
    "3-missing-already-happened": Scenario(MISSING_PAST, ("urgent appeal",),
                                           ("allegation letter",)),
    # 4: the reprisal deadline follows the incident's date (its period has closed).
    "4-reprisal-deadline": Scenario(
        ("Report a reprisal", "No", "Threats or intimidation", "Done (1 chosen)",
         "type:March 2026", "State agents", "A Human Rights Council session or side event",
         "Done (1 chosen)", "None / I do not know", "Yes", "No", "Yes",
         "Your answers and what comes next"),
        ("April 15, 2026, has passed", "can be reported at any time of the year")),
    "4-9-reprisal-lead": Scenario(
        ("Report a reprisal", "No", "Threats or intimidation", "Done (1 chosen)",
         "type:March 2026", "State agents", "A Human Rights Council session or side event",
         "Done (1 chosen)", "None / I do not know", "Yes", "No", "Yes"),
        ("ohchr-reprisals@un.org", "deadline for the Secretary-General's report has passed"),
        first_at_most=600),
    # 5: the finder leads to the reprisal channels.
    "5-finder-to-reprisals": Scenario(
        (FINDER, "Reprisal for working with the UN", "Done (1 chosen)", "Prefer not to say"),
        ("ohchr-reprisals@un.org",)),
    # 7: children asked once; a region is asked about, never guessed.
    "7-children-follow-up": Scenario(
        (FINDER, "Children", "Done (1 chosen)"), ("Was a child sold",)),
    "7-region-not-guessed": Scenario(
        (FINDER, "Expression, media or internet", "Done (1 chosen)", "type:Tibet"),
        (), ("Libya",)),
    # 8: the screen after a language choice is in the new language.
    "8-language": Scenario(("Language", "Français"), ("Que souhaitez-vous faire",)),
    # 9: many situations, one short answer first.
    "9-finder-many-situations": Scenario(
        (FINDER, "Detention or arrest", "Torture or ill-treatment",
         "Expression, media or internet", "Done (3 chosen)", "type:Iran"),
        ("Working Group on Arbitrary Detention",), first_at_most=600),
    # 6, 3 (hand-off): the review names the topics; a draft for an expert without a
    # confirmed page points to the online form and the general mailbox, not a page.
    "6-13-hand-off-without-a-page": Scenario(
        (FINDER, "Expression, media or internet", "Done (1 chosen)", "Prefer not to say",
         "Main menu", *GATE, "Start", "English", *("Skip",) * 8, "Create the draft",
         "More detail"),
        ("No OHCHR page is confirmed here for", "urgent-action@ohchr.org",
         "may have changed"),
        ("the address is on that page",)),
    "6-review-names-the-topics": Scenario(
        (*GATE, "Start", "English", "type:A local organisation.", *("Skip",) * 7),
        ("1. Who is sending the information", "Skipped:")),
    # 13: a French finder names the experts by their official French titles.
    "13-french-titles": Scenario(
        ("Language", "Français", "Trouver le bon expert de l'ONU",
         "Détention ou arrestation", "Terminé (1 choisi)", "type:Bélarus"),
        ("Groupe de travail sur la détention arbitraire",),
        ("Working Group on Arbitrary Detention",)),
}


def steps_of(scenario: Scenario) -> list[dict[str, str]]:
    return [{"text": s.removeprefix("type:")} if s.startswith("type:") else {"press": s}
            for s in scenario.steps]


async def terminal(settings: Settings, scenario: Scenario) -> list[str]:
    """What the terminal said after the last step, one text per reply."""
    lines = [{"text": "/start"}, *({"press": s} for s in START), *steps_of(scenario)]
    out = io.StringIO()
    raw = "\n".join(json.dumps(line) for line in lines) + "\n"
    await run_console(settings, jsonl=True, inp=io.StringIO(raw), out=out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["error"] for a in answers] == [None] * len(lines), answers
    return [r["text"] for r in answers[-1]["replies"] if r["text"]]


async def telegram(harness: Harness, scenario: Scenario) -> list[str]:
    """What the bot sent (or edited in) after the last step, one text per message."""
    user = harness.user(USER_ID)
    await user.send("/start")
    for label in START:
        await user.press(label)
    for step in steps_of(scenario):
        await (user.send(step["text"]) if "text" in step else user.press(step["press"]))
    return user.texts()


def check(said: list[str], scenario: Scenario) -> None:
    text = "\n\n".join(said)
    for fragment in scenario.expect:
        assert fragment in text, (fragment, text)
    for fragment in scenario.expect_not:
        assert fragment not in text, (fragment, text)
    if scenario.first_at_most is not None:
        assert len(said[0]) <= scenario.first_at_most, len(said[0])


@pytest.mark.parametrize("name", SCENARIOS)
async def test_in_the_terminal(tmp_path: Path, name: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="correct horse battery staple 42")
    check(await terminal(settings, SCENARIOS[name]), SCENARIOS[name])


@pytest.mark.parametrize("name", SCENARIOS)
async def test_on_telegram(harness: Harness, name: str) -> None:
    check(await telegram(harness, SCENARIOS[name]), SCENARIOS[name])


async def test_a_disappearance_gets_the_same_answer_both_ways_on_telegram(
        harness: Harness) -> None:
    now = await telegram(harness, SCENARIOS["3-missing-now"])
    past = await telegram(harness, SCENARIOS["3-missing-already-happened"])
    assert now == past


# --- the same, in all six languages -------------------------------------------------


def life_at_stake_steps(lang: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """An execution next day, by "Is it urgent?"; a killing, by the finder: both in
    `lang`, pressed by their labels in that language."""
    t = translator(lang)
    done = t.n(("Done ({count} chosen)", "Done ({count} chosen)"), 1)
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    urgent = [{"press": t(label)} for label in (
        "Is it urgent?", "Yes, now or very soon", "An execution is planned")]
    urgent += [{"press": done}, {"press": t("An execution date")}, {"text": tomorrow}]
    finder = [{"press": t("Find the right UN expert")},
              {"press": t("Killing, death penalty or death threat")},
              {"press": done}, {"press": t("Prefer not to say")}]
    return urgent, finder


def notice(lang: str, *, again: bool) -> str:
    """The safety notice's button: in English the first time (the person's Telegram
    language here), then in the language they chose."""
    return translator(lang)(START[0]) if again else START[0]


def life_at_stake_expected(lang: str) -> tuple[list[str], list[str]]:
    t = translator(lang)
    support = [say(t, f) for f in ("reprisal_no_physical_protection",
                                   "emergency_front_line_defenders")]
    urgent = [say(t, "comm_send_now"), say(t, "comm_urgent_email"), *support]
    return urgent, support


@pytest.mark.parametrize("lang", SHIPPED)
async def test_where_and_who_can_protect_in_every_language_on_telegram(
        harness: Harness, lang: str) -> None:
    cases = zip(life_at_stake_steps(lang), life_at_stake_expected(lang), strict=True)
    for again, (steps, expected) in enumerate(cases):
        user = harness.user(USER_ID)
        await user.send("/start")
        await user.press(notice(lang, again=bool(again)))
        await user.press(NATIVE_NAMES[lang])
        for step in steps:
            await (user.send(step["text"]) if "text" in step else user.press(step["press"]))
        said = "\n\n".join(user.texts())
        for fragment in expected:
            assert fragment in said, (lang, fragment, said)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_where_and_who_can_protect_in_every_language_in_the_terminal(
        tmp_path: Path, lang: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="correct horse battery staple 42")
    cases = zip(life_at_stake_steps(lang), life_at_stake_expected(lang), strict=True)
    for again, (steps, expected) in enumerate(cases):
        lines = [{"text": "/start"}, {"press": notice(lang, again=bool(again))},
                 {"press": NATIVE_NAMES[lang]}, *steps]
        out = io.StringIO()
        raw = "\n".join(json.dumps(line) for line in lines) + "\n"
        await run_console(settings, jsonl=True, inp=io.StringIO(raw), out=out)
        answers = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [a["error"] for a in answers] == [None] * len(lines), answers
        said = "\n\n".join(r["text"] for r in answers[-1]["replies"] if r["text"])
        for fragment in expected:
            assert fragment in said, (lang, fragment, said)
