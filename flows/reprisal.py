"""Report a reprisal: intimidation or an attack because someone cooperated with the UN.

Danger first (emergency support, which is not the UN), then what happened, when and
by whom, how the person had engaged with the UN, informed consent one question at a
time, and a structured report draft to complete offline. The bot never asks for
names: the draft says V1 (the person), P1 (those responsible), L1 (the place).
It sends nothing; where to send is shown only as far as consent allows.

Every contact, deadline and emergency line is a fact in
`flows/data/facts_reprisal.json`, with its source.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from typing import Literal

from babel.dates import format_skeleton
from pydantic import Field

from flows.catalog import DAY_OF_YEAR, FACT_LANGUAGES, load_catalog, say
from flows.dates import parse_month_year
from flows.declare import Many, One, Screen, Text, YesNo
from flows.emergency import emergency
from flows.i18n import N_, NP_, T
from flows.mandate import SENDS_NOTHING
from flows.model import Answers, Choice, Command, Document, Flow, Parsed, Session, Step, View
from flows.safety import DELETE_ANSWERS_CHOICES

CATALOG = load_catalog()
DOCUMENT_NAME = "reprisal-report.txt"
EXPERT_MAX = 200  # characters of the typed expert or body
PLACEHOLDERS = ("V1", "P1", "L1")

# Fact ids (flows/data/facts_reprisal.json).
FACT_DEFINITION = "reprisal_definition"
FACT_CONSENT_PREREQUISITE = "reprisal_consent_prerequisite"
FACT_CONSENT_CONFIDENTIAL = "consent_confidential"
FACT_CONSENT_PUBLIC = "consent_public"
FACT_CONSENT_SG = "consent_sg_report"
FACT_CONTACT_SP = "reprisal_contact_special_procedures"
FACT_CONTACT_OHCHR = "reprisal_contact_ohchr"
FACT_CONTACT_HRC = "reprisal_contact_hrc_president"
FACT_CONTACT_TREATY = "reprisal_contact_treaty_body"
FACT_OHCHR_PAGE = "reprisal_ohchr_page"
FACT_SG_INPUT = "sg_report_input"
FACT_SG_CONTENTS = "sg_report_contents"
FACT_RESPONSES = "reprisal_responses"
FACT_RECORD = "reprisal_record"
FACT_YEAR_ROUND = "reprisal_year_round"

# Button answers live in the session (`ReprisalAnswers`, whose fields these name);
# what is typed goes to the draft, which is stored apart and expires sooner.
S_WHAT, S_WHO, S_ENGAGEMENT = "what", "who", "engagement"
S_CONFIDENTIAL, S_PUBLIC, S_SG = "confidential", "public", "sg"
D_WHEN, D_EXPERT = "rp_when", "rp_expert"
CONSENTS = (S_CONFIDENTIAL, S_PUBLIC, S_SG)
Agreed = Literal["yes", "no"]


class ReprisalAnswers(Answers):
    flow = "reprisal"

    what: list[str] = Field(default_factory=list)  # what happened (WHAT ids), as pressed
    who: str | None = None  # WHO id
    engagement: list[str] = Field(default_factory=list)  # ENGAGEMENT ids
    # What the person agreed to: shared with the government in confidence, made
    # public, included in the Secretary-General's report.
    confidential: Agreed | None = None
    public: Agreed | None = None
    sg: Agreed | None = None

# --------------------------------------------------------------------------- wording

HOW = N_(
    "I will ask a few questions with buttons, then give you a draft report to complete "
    "offline. I never ask for names: the draft uses placeholders, {person} for the person "
    "targeted, {perpetrator} for those responsible and {place} for the place. Nothing is "
    "sent: you decide what to send, and to whom."
)
ASK_DANGER = N_("First: are you, or is someone else, in immediate danger?")
CONTINUE_NOTE = N_("When you are ready, you can continue with the report.")

WHAT: tuple[tuple[str, str], ...] = (
    ("threats", N_("Threats or intimidation")),
    ("surveil", N_("Surveillance")),
    ("smear", N_("Smear campaign")),
    ("travel", N_("Travel ban or passport taken")),
    ("arrest", N_("Arrest, detention or charges")),
    ("attack", N_("Physical attack")),
    ("org", N_("Raid, closure or funding cut of an organisation")),
    ("family", N_("Harm to family")),
    ("online", N_("Online harassment")),
    ("other", N_("Something else")),
)
ASK_WHAT = N_(
    "What happened? Press every button that applies, then Done. Only the buttons are "
    "needed: please do not type names or details."
)

ASK_WHEN = N_(
    "When did it happen? Type the month and year, for example {example} or {numeric}, or "
    "press “Prefer not to say”."
)
BAD_WHEN = N_(
    "I could not read that as a month and year. Please type it like {example} or "
    "{numeric}, or press “Prefer not to say”."
)
FUTURE_WHEN = N_(
    "{month} has not come yet. Type the month and year when it happened, or press "
    "“Prefer not to say”."
)

WHO: tuple[tuple[str, str], ...] = (
    ("agents", N_("State agents")),  # not "state": the machine's own attribute
    ("nonstate", N_("Non-state actors")),
    ("unknown", N_("Unknown")),
)
# ISHR guide 2025 IV "Understanding reprisals": who carries reprisals out.
ASK_WHO = N_(
    "Who do you believe is responsible? State agents include the police, the military, "
    "security forces and the judiciary. Non-state actors include businesses, criminal "
    "groups and armed groups, with or without links to the State. Do not type names."
)

ENGAGEMENT: tuple[tuple[str, str], ...] = (
    ("comm", N_("A communication to the experts")),
    ("visit", N_("An expert's country visit")),
    ("hrc", N_("A Human Rights Council session or side event")),
    ("treaty", N_("A treaty body")),
    ("upr", N_("The Universal Periodic Review")),
    ("other", N_("Another UN or regional body")),
)
ASK_ENGAGEMENT = N_(
    "How had the person cooperated, or tried to cooperate, with the UN? Press every "
    "button that applies, then Done."
)
ASK_EXPERT = N_(
    "Which UN expert or body was it, if any? Type a short answer, for example “Special "
    "Rapporteur on human rights defenders”, or press “None / I do not know”. Please do not "
    "type the names of people."
)
BAD_EXPERT = N_(
    "Please type a short answer, at most {max} characters, or press “None / I do not know”."
)

CONSENT_INTRO = N_(
    "Now, consent: three questions, one at a time. Answer for the person concerned; if "
    "that is not you, ask them first. You can answer No to any of them."
)
ASK_CONFIDENTIAL = N_("May the case be raised confidentially with the government?")
ASK_PUBLIC = N_("May the case be raised publicly, in a press release or a public report?")
ASK_SG = N_(
    "May the case be included in the Secretary-General's annual report on reprisals?"
)

# Result, in the chat.
SUMMARY_HEAD = N_("Your answers:")
SUMMARY_WHAT = N_("What happened: {value}")
SUMMARY_WHEN = N_("When: {value}")
SUMMARY_WHO = N_("Believed responsible: {value}")
SUMMARY_ENGAGEMENT = N_("Cooperation with the UN: {value}")
SUMMARY_EXPERT = N_("Expert or body: {value}")
NOT_GIVEN = N_("not given")
CONSENT_LINE_CONFIDENTIAL = N_("Raise it confidentially with the government: {answer}")
CONSENT_LINE_PUBLIC = N_("Raise it publicly: {answer}")
CONSENT_LINE_SG = N_("Include it in the Secretary-General's report: {answer}")
YES, NO = N_("Yes"), N_("No")
DOCUMENT_READY = N_(
    "Draft report to complete offline: {name}. Replace {person}, {perpetrator}, {place} "
    "on your device only; send it securely."
)
WHERE_HEAD = N_("Where to send it, as your consent allows:")
SG_NEXT = NP_(
    "Next deadline for the Secretary-General's report: {date}, in {count} day.",
    "Next deadline for the Secretary-General's report: {date}, in {count} days.",
)
# The lead's short form of SG_PASSED (the period and the rest are behind the button).
SG_PASSED_LEAD = N_(
    "This incident's deadline for the Secretary-General's report has passed: you can "
    "still report it."
)
SG_PASSED = N_(
    "The incident falls in the reporting period {start} to {end}, whose deadline for "
    "the Secretary-General's report, {date}, has passed."
)
SG_TODAY = N_("Next deadline for the Secretary-General's report: {date}, today.")
ASK_CONSENT_IN_REPORT = N_(
    "Say in your report exactly what the person agreed to, and what must stay "
    "confidential."
)
NO_CONSENT = N_(
    "You answered No to all three. Without consent, the case cannot be raised with the "
    "UN, so I have not prepared a report and there is nowhere to send it. That is a "
    "legitimate choice, and nothing has been sent."
)
NO_CONSENT_LATER = N_(
    "If the person changes their mind, you can come back at any time and start again."
)

# The document.
DOC_TITLE = N_("REPRISAL REPORT: DRAFT")
DOC_PREPARED = N_(
    "Prepared on {date} with a chat advisor; nothing has been sent. Replace the "
    "placeholders only on your own device, and send this only through a secure channel."
)
DOC_PERSON_HEAD = N_("THE PERSON TARGETED")
DOC_PERSON = N_("Person: {person}")
DOC_EVENTS_HEAD = N_("WHAT HAPPENED")
DOC_WHAT = N_("Kind of reprisal: {value}")
DOC_WHEN = N_("When: {value}")
DOC_PLACE = N_("Place: {place}")
DOC_WHO = N_("Believed responsible: {value}")
DOC_PERPETRATOR = N_("Perpetrator: {perpetrator}")
DOC_DESCRIBE = N_(
    "Description: [to write offline: what happened, in order, with dates and places]"
)
DOC_UN_HEAD = N_("COOPERATION WITH THE UN")
DOC_ENGAGEMENT = N_("Cooperation with the UN: {value}")
DOC_EXPERT = N_("UN expert or body: {value}")
DOC_LINK = N_(
    "Why this is believed to be a reprisal for that cooperation: [to write offline]"
)
DOC_CONSENT_HEAD = N_("CONSENT")
DOC_CONSENT_BY = N_("Consent given by: [to write offline: the person, their family or lawyer]")
DOC_ASK_HEAD = N_("WHAT IS ASKED OF THE UN")
DOC_ASK = N_("[to write offline: what you would like the UN to do, and why now]")
DOC_SEND_HEAD = N_("WHERE TO SEND IT")
DOC_EXPECT_HEAD = N_("WHAT TO EXPECT")
DOC_CHECK_HEAD = N_("BEFORE SENDING: REPLACE OFFLINE")
CHECK_PERSON = N_("{person}: the name of the person, group or organisation targeted")
CHECK_PERPETRATOR = N_(
    "{perpetrator}: who is responsible, with their function (for example a unit or office)"
)
CHECK_PLACE = N_("{place}: the place where it happened")
CHECK_BRACKETS = N_("Every part in square brackets")
CHECK_SENDER = N_(
    "Your own name and contact details, as the sender: they are generally kept "
    "confidential from the government"
)
CHECK_CONFIDENTIAL = N_("Which parts must stay confidential")
CHECK_DOCUMENTS = N_(
    "Any evidence you attach: keep copies offline, somewhere safe, not in this chat"
)
BOX = "[ ] "


CONSENT_LINES: tuple[tuple[str, str], ...] = (
    (S_CONFIDENTIAL, CONSENT_LINE_CONFIDENTIAL),
    (S_PUBLIC, CONSENT_LINE_PUBLIC),
    (S_SG, CONSENT_LINE_SG),
)


# --------------------------------------------------------------------------- pure logic



def _day_of_year(value: str) -> tuple[int, int]:
    """(month, day) of a "--MM-DD" value."""
    match = DAY_OF_YEAR.match(value)
    if match is None:
        raise ValueError(f"not a --MM-DD day of the year: {value!r}")
    return int(match[1]), int(match[2])


@functools.cache
def _sg_deadline() -> tuple[int, int]:
    # Read when first needed, so that a broken data file never fails an import.
    return _day_of_year(CATALOG.fact(FACT_SG_INPUT).values["deadline"])


def next_sg_deadline(today: date) -> date:
    """The next due date for inputs to the Secretary-General's report on reprisals:
    this year's while it has not passed (today included), else next year's."""
    month, day = _sg_deadline()
    this_year = date(today.year, month, day)
    return this_year if today <= this_year else date(today.year + 1, month, day)


def incident_sg_deadline(when: str | None, today: date) -> tuple[date, date, date]:
    """(deadline, period start, period end) of the Secretary-General's report whose
    reporting period holds the incident's month ("YYYY-MM"); without a month, the
    next deadline from today. The periods and deadline are the fact's."""
    values = CATALOG.fact(FACT_SG_INPUT).values
    start_month, start_day = _day_of_year(values["period_start"])
    end_month, end_day = _day_of_year(values["period_end"])
    month, day = _sg_deadline()
    if when is None:
        deadline = next_sg_deadline(today)
        end_year = deadline.year
    else:
        year, incident_month = (int(part) for part in when.split("-"))
        end_year = year + 1 if incident_month >= start_month else year
        deadline = date(end_year, month, day)
    return (deadline, date(end_year - 1, start_month, start_day),
            date(end_year, end_month, end_day))


def _has_year(text: str) -> bool:
    # "March 15" must not be read as March 2015: the year is written in full.
    return re.search(r"\d{4}", text) is not None


def month_label(t: T, year: int, month: int) -> str:
    """"March 2026", "mars 2026", "marzo de 2026"."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=t.locale)


def _examples(view: View) -> dict[str, str]:
    today = view.today
    return {
        "example": month_label(view.t, today.year, today.month),
        "numeric": f"{today.month:02d}/{today.year}",
    }


def parse_when(text: str, view: View) -> Parsed:
    """A month and year in the past (or this month), stored as "YYYY-MM"."""
    found = parse_month_year(text) if _has_year(text) else None
    if found is None:
        return Parsed(error=BAD_WHEN, error_values=_examples(view))
    year, month = found
    if (year, month) > (view.today.year, view.today.month):
        return Parsed(error=FUTURE_WHEN, error_values={"month": month_label(view.t, year, month)})
    return Parsed(ok=True, value=f"{year:04d}-{month:02d}")


def parse_expert(text: str, view: View) -> Parsed:
    """A short free-text answer: 1 to EXPERT_MAX characters once spaces are tidied."""
    value = " ".join(text.split())
    if not 1 <= len(value) <= EXPERT_MAX:
        return Parsed(error=BAD_EXPERT, error_values={"max": str(EXPERT_MAX)})
    return Parsed(ok=True, value=value)


# --------------------------------------------------------------------------- facts


# --------------------------------------------------------------------------- answers


def _labels(t: T, options: tuple[tuple[str, str], ...], chosen: list[str]) -> str:
    names = [t(label) for cid, label in options if cid in chosen]
    return "; ".join(names) if names else t(NOT_GIVEN)


def _when_text(view: View) -> str:
    t: T = view.t
    value: str | None = view.draft.get(D_WHEN)
    if not value:
        return t(NOT_GIVEN)
    year, month = (int(part) for part in value.split("-"))
    return month_label(t, year, month)


def _who_text(view: View) -> str:
    return _labels(view.t, WHO, [ReprisalAnswers.of(view).who or ""])


def _expert_text(view: View) -> str:
    t: T = view.t
    value: str | None = view.draft.get(D_EXPERT)
    return value if value else t(NOT_GIVEN)


def _consented(view: View) -> dict[str, bool]:
    answers = ReprisalAnswers.of(view)
    return {field: getattr(answers, field) == "yes" for field in CONSENTS}


def _consent_lines_text(view: View) -> list[str]:
    t: T = view.t
    consent = _consented(view)
    return [t(msgid, answer=t(YES if consent[slot] else NO)) for slot, msgid in CONSENT_LINES]


def _sg_deadline_line(view: View, *, lead: bool = False) -> str:
    """The deadline that fits the incident's date; in the `lead`, a passed one in
    short (the whole of it is in the details and the document)."""
    t: T = view.t
    deadline, start, end = incident_sg_deadline(view.draft.get(D_WHEN) or None, view.today)
    days = (deadline - view.today).days
    if days < 0 and lead:
        return t(SG_PASSED_LEAD)
    if days < 0:
        # Only what the reference says can still be done: report it at any time.
        return " ".join([
            t(SG_PASSED, start=t.date(start), end=t.date(end), date=t.date(deadline)),
            say(t, FACT_YEAR_ROUND),
        ])
    if days == 0:
        return t(SG_TODAY, date=t.date(deadline))
    return t.n(SG_NEXT, days, date=t.date(deadline))


def _passed(view: View) -> bool:
    deadline, _, _ = incident_sg_deadline(view.draft.get(D_WHEN) or None, view.today)
    return deadline < view.today


def _where(view: View) -> list[str]:
    """Where to send, only as far as consent allows (empty without any consent): the
    addresses and the next deadline. The rules around them are in `_where_more`."""
    t: T = view.t
    consent = _consented(view)
    lines: list[str] = []
    if consent[S_CONFIDENTIAL] or consent[S_PUBLIC]:
        lines += [
            "• " + say(t, FACT_CONTACT_SP),
            "• " + say(t, FACT_CONTACT_OHCHR),
            "• " + say(t, FACT_CONTACT_HRC),
        ]
        if "treaty" in ReprisalAnswers.of(view).engagement:
            lines.append("• " + say(t, FACT_CONTACT_TREATY))
    if consent[S_SG]:
        if not lines:
            lines.append("• " + say(t, FACT_CONTACT_OHCHR))
        lines.append(_sg_deadline_line(view, lead=True))
    return lines


def _where_full(view: View) -> list[str]:
    """Where to send and the rules around it, for the draft document."""
    t: T = view.t
    consent = _consented(view)
    lines: list[str] = []
    if consent[S_CONFIDENTIAL] or consent[S_PUBLIC]:
        lines += [line for line in _where(view) if line.startswith("• ")]
    if consent[S_SG]:
        lines += [
            "• " + say(t, FACT_SG_INPUT),
            "  " + _sg_deadline_line(view),
            "  " + say(t, FACT_SG_CONTENTS),
        ]
    if lines:
        lines += [say(t, FACT_OHCHR_PAGE), say(t, FACT_LANGUAGES)]
    return lines


def _where_more(view: View) -> list[str]:
    """Behind "Your answers and what comes next": the Secretary-General's report,
    where channels are checked, the languages."""
    t: T = view.t
    lines: list[str] = []
    if _consented(view)[S_SG]:
        passed = [_sg_deadline_line(view)] if _passed(view) else []
        lines += [*passed, say(t, FACT_SG_INPUT), say(t, FACT_SG_CONTENTS)]
    if _where(view):
        lines += [say(t, FACT_OHCHR_PAGE), say(t, FACT_LANGUAGES), t(ASK_CONSENT_IN_REPORT)]
    return lines


def _expect(view: View) -> list[str]:
    t: T = view.t
    return [say(t, FACT_RESPONSES), say(t, FACT_RECORD)]


# --------------------------------------------------------------------------- screens


def intro(view: View) -> list[str]:
    t: T = view.t
    person, perpetrator, place = PLACEHOLDERS
    return [
        "\n\n".join(
            [
                say(t, FACT_DEFINITION),
                t(HOW, person=person, perpetrator=perpetrator, place=place),
                t(ASK_DANGER),
            ]
        )
    ]


def emergency_then_continue(view: View) -> list[str]:
    return [emergency(view)[0] + "\n\n" + view.t(CONTINUE_NOTE)]


def ask_when(view: View) -> list[str]:
    return [view.t(ASK_WHEN, **_examples(view))]


def _consent_screen(
    fact_id: str, question: str, *, first: bool = False
) -> Callable[[View], list[str]]:
    def render(view: View) -> list[str]:
        t: T = view.t
        parts = [t(CONSENT_INTRO), say(t, FACT_CONSENT_PREREQUISITE)] if first else []
        parts += [say(t, fact_id), t(question)]
        return ["\n\n".join(parts)]

    return render


def _summary(view: View) -> str:
    t: T = view.t
    return "\n".join([
        t(SUMMARY_HEAD),
        t(SUMMARY_WHAT, value=_labels(t, WHAT, ReprisalAnswers.of(view).what)),
        t(SUMMARY_WHEN, value=_when_text(view)),
        t(SUMMARY_WHO, value=_who_text(view)),
        t(SUMMARY_ENGAGEMENT, value=_labels(t, ENGAGEMENT, ReprisalAnswers.of(view).engagement)),
        t(SUMMARY_EXPERT, value=_expert_text(view)),
        *_consent_lines_text(view),
    ])


def result(view: View) -> list[str]:
    """What to do now: where to send (as far as consent allows) and the draft. The
    answers given, the rules and what the UN can do are behind a button."""
    t: T = view.t
    where = _where(view)
    if not where:
        return ["\n\n".join([t(NO_CONSENT), say(t, FACT_YEAR_ROUND), t(NO_CONSENT_LATER)])]
    person, perpetrator, place = PLACEHOLDERS
    return [
        "\n\n".join([
            t(WHERE_HEAD),
            "\n".join(where),
            t(DOCUMENT_READY, name=DOCUMENT_NAME, person=person,
              perpetrator=perpetrator, place=place),
        ])
    ]


def details(view: View) -> list[str]:
    t: T = view.t
    more = _where_more(view)
    parts = [_summary(view)]
    if more:
        parts.append("\n\n".join(more))
        parts.append("\n\n".join([*_expect(view), t(SENDS_NOTHING)]))
    return parts


def report(view: View) -> Document | None:
    """The structured draft, in the reader's language; None without any consent."""
    where = _where_full(view)
    if not where:
        return None
    t: T = view.t
    person, perpetrator, place = PLACEHOLDERS
    checklist = [
        t(CHECK_PERSON, person=person),
        t(CHECK_PERPETRATOR, perpetrator=perpetrator),
        t(CHECK_PLACE, place=place),
        t(CHECK_BRACKETS),
        t(CHECK_SENDER),
        t(CHECK_CONFIDENTIAL),
        t(CHECK_DOCUMENTS),
    ]
    sections: list[tuple[str, list[str]]] = [
        (DOC_PERSON_HEAD, [t(DOC_PERSON, person=person)]),
        (
            DOC_EVENTS_HEAD,
            [
                t(DOC_WHAT, value=_labels(t, WHAT, ReprisalAnswers.of(view).what)),
                t(DOC_WHEN, value=_when_text(view)),
                t(DOC_PLACE, place=place),
                t(DOC_WHO, value=_who_text(view)),
                t(DOC_PERPETRATOR, perpetrator=perpetrator),
                t(DOC_DESCRIBE),
            ],
        ),
        (
            DOC_UN_HEAD,
            [
                t(DOC_ENGAGEMENT,
                  value=_labels(t, ENGAGEMENT, ReprisalAnswers.of(view).engagement)),
                t(DOC_EXPERT, value=_expert_text(view)),
                t(DOC_LINK),
            ],
        ),
        (DOC_CONSENT_HEAD, [*_consent_lines_text(view), t(DOC_CONSENT_BY)]),
        (DOC_ASK_HEAD, [t(DOC_ASK)]),
        (DOC_SEND_HEAD, where),
        (DOC_EXPECT_HEAD, _expect(view)),
        (DOC_CHECK_HEAD, [BOX + line for line in checklist]),
    ]
    blocks = ["\n".join([t(DOC_TITLE), t(DOC_PREPARED, date=t.date(view.today))])]
    blocks += [
        "\n".join([f"{number}. {t(heading)}", *lines])
        for number, (heading, lines) in enumerate(sections, start=1)
    ]
    return Document(name=DOCUMENT_NAME, text="\n\n".join(blocks) + "\n")


# --------------------------------------------------------------------------- session


def _forget_answers(session: Session, view: View) -> None:
    ReprisalAnswers.reset(session)
    _forget_draft(session, D_WHEN, D_EXPERT)


def _forget_draft(session: Session, *keys: str) -> None:
    if session.draft:
        rest = {k: v for k, v in session.draft.items() if k not in keys}
        session.draft = rest or None


def _skip_when(session: Session, view: View) -> None:
    _forget_draft(session, D_WHEN)


def _skip_expert(session: Session, view: View) -> None:
    _forget_draft(session, D_EXPERT)


REPRISAL = Flow(
    name="reprisal",
    title=N_("Report a reprisal"),
    commands=[
        Command("reprisal", "danger", N_("report a reprisal")),
    ],
    answers=ReprisalAnswers,
    delete_answers=True,
    steps=[
        Step(
            id="danger",
            render=intro,
            choices=[
                # A new report starts from nothing: answers of an earlier one are dropped.
                Choice(id="yes", label=N_("Yes, someone is in danger now"), to="emergency",
                       do=_forget_answers),
                Choice(id="no", label=NO, to="what", do=_forget_answers),
                *DELETE_ANSWERS_CHOICES,
            ],
        ),
        Step(
            id="emergency",
            render=emergency_then_continue,
            choices=[Choice(id="go", label=N_("Continue"), to="what")],
        ),
        Many(
            id="what",
            text=ASK_WHAT,
            field=S_WHAT,
            to="when",
            choices=[Choice(id=cid, label=label) for cid, label in WHAT],
        ),
        Text(
            id="when",
            render=ask_when,
            field=f"draft.{D_WHEN}",
            parse=parse_when,
            to="who",
            choices=[Choice(id="skip", label=N_("Prefer not to say"), to="who", do=_skip_when)],
        ),
        One(
            id="who",
            text=ASK_WHO,
            field=S_WHO,
            choices=[Choice(id=cid, label=label, to="engagement") for cid, label in WHO],
        ),
        Many(
            id="engagement",
            text=ASK_ENGAGEMENT,
            field=S_ENGAGEMENT,
            to="expert",
            choices=[Choice(id=cid, label=label) for cid, label in ENGAGEMENT],
        ),
        Text(
            id="expert",
            text=ASK_EXPERT,
            field=f"draft.{D_EXPERT}",
            parse=parse_expert,
            free_text=True,
            to="consent_gov",
            choices=[Choice(id="none", label=N_("None / I do not know"), to="consent_gov",
                            do=_skip_expert)],
        ),
        YesNo(
            id="consent_gov",
            render=_consent_screen(FACT_CONSENT_CONFIDENTIAL, ASK_CONFIDENTIAL, first=True),
            field=S_CONFIDENTIAL,
            to="consent_pub",
        ),
        YesNo(
            id="consent_pub",
            render=_consent_screen(FACT_CONSENT_PUBLIC, ASK_PUBLIC),
            field=S_PUBLIC,
            to="consent_sg",
        ),
        YesNo(
            id="consent_sg",
            render=_consent_screen(FACT_CONSENT_SG, ASK_SG),
            field=S_SG,
            to="result",
        ),
        Step(
            id="result",
            render=result,
            document=report,
            choices=[
                Choice(id="more", label=N_("Your answers and what comes next"),
                       to="details"),
                Choice(id="remind", label=N_("Remind me…"), to="reminders.offer"),
                Choice(id="help", label=N_("Emergency support"), to="support"),
                Choice(id="again", label=N_("Start again"), to="danger", do=_forget_answers),
            ],
        ),
        Screen(id="details", render=details,
               choices=[Choice(id="remind", label=N_("Remind me…"), to="reminders.offer")]),
        # The same emergency support, reached from the result: Back returns there.
        Screen(id="support", render=emergency),
    ],
)
