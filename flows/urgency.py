"""Is it urgent? One short question at a time, then what to do now: the kind of letter
the experts are likely to send, where and how to send, what to include and, where a
life is at stake, the emergency support that is not the UN. Why, what happens next
and when are behind "More detail".

`decide` is a pure function of the answers and today's date; the steps only ask. The
same facts give the same verdict whichever way they are entered: someone still missing
is an ongoing harm, whether the person pressed "now" or "it already happened".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import Field

from flows.catalog import say
from flows.declare import Date, Many, One, Screen, YesNo
from flows.emergency import emergency
from flows.i18n import N_, NP_
from flows.mandate import MandateAnswers
from flows.model import Answers, Choice, Command, Cond, Flow, Go, Session, View

SOON_DAYS = 14  # a date this close: send now, and say so in the first lines
FIRST_MAX = 600  # characters of the first message (what to do now), in English

Kind = Literal["urgent_appeal", "allegation_letter", "other_letter"]
Happening = Literal["detained", "torture", "execution", "removal", "missing", "threat", "other"]
DateKind = Literal["hearing", "vote", "execution", "removal", "hrc", "visit"]
Seen = Literal["lt3m", "3to12m", "gt12m"]
LIFE_AT_STAKE: frozenset[str] = frozenset({"execution", "torture", "threat", "missing"})

NOW_WHAT: tuple[tuple[str, str], ...] = (
    ("detained", N_("Someone is detained")),
    ("torture", N_("Risk of torture or ill-treatment")),
    ("execution", N_("An execution is planned")),
    ("removal", N_("A deportation or eviction is coming")),
    ("missing", N_("Someone is missing")),
    ("threat", N_("A threat to someone's life")),
    ("other", N_("Something else")),
)
DATE_KINDS: tuple[tuple[str, str], ...] = (
    ("hearing", N_("A hearing or trial")),
    ("vote", N_("A vote on a law")),
    ("execution", N_("An execution date")),
    ("removal", N_("A deportation or eviction")),
    ("hrc", N_("A Human Rights Council session")),
    ("visit", N_("An expert's visit to the country")),
)
SEEN: tuple[tuple[str, str], ...] = (
    ("lt3m", N_("Less than 3 months ago")),
    ("3to12m", N_("3 to 12 months ago")),
    ("gt12m", N_("More than a year ago")),
)

KIND_TEXT: dict[Kind, str] = {
    "urgent_appeal": N_("The experts are likely to send an urgent appeal."),
    "allegation_letter": N_("The experts are likely to send an allegation letter."),
    "other_letter": N_("The experts are likely to send a letter about the law or policy."),
}
KIND_FACT: dict[Kind, str] = {
    "urgent_appeal": "comm_urgent_appeal",
    "allegation_letter": "comm_allegation_letter",
    "other_letter": "comm_other_letter",
}
REASON_NOW = N_("Why: it is happening now or about to happen.")
REASON_MISSING = N_("Why: the person is still missing, so the harm is still going on.")
REASON_IMMINENT = N_("Why: the date you gave is when harm is about to happen.")
REASON_PAST = N_("Why: it has already happened and ended.")
REASON_LAW = N_("Why: it is about a law, a draft bill or a policy.")
DRAFT_LAW = N_(
    "For a draft, timing matters: send your submission well before the vote, and say "
    "when the vote is."
)
DATE_LINE = NP_(
    "Your date: {date}, in {count} day.",
    "Your date: {date}, in {count} days.",
)
DATE_TODAY = N_("Your date: {date}, today.")
SOON = N_("That is soon: submit now, with the date in the first lines.")
DETAINED = N_(
    "If someone is still detained, the Working Group on Arbitrary Detention can also "
    "examine the case under its regular procedure, at the same time as the letter."
)

ASK_TIMING = N_(
    "Is it happening now, or about to happen? For example a detention, torture, an "
    "execution, a deportation, a disappearance or a threat to life."
)
ASK_NOW_WHAT = N_("What is happening? Press all that apply, then Done.")
# Shown under ASK_NOW_WHAT when the finder's "Detention or arrest" pre-answered it.
FROM_FINDER = N_(
    "From your answers in the finder: “Someone is detained” is chosen (✓). Press it to undo."
)
ASK_MISSING = N_(
    "Is anyone still missing: taken, and the authorities will not say where they are?"
)
ASK_SEEN = N_("When was the missing person last seen?")
ASK_LAW_STAGE = N_("Is the law or policy still a draft, or already in force?")
ASK_DATE_KIND = N_("Is there a date coming that matters?")
ASK_DATE = N_("Type the date, for example 15/03/2027 (day first).")


@dataclass(frozen=True)
class Decision:
    kind: Kind
    reasons: list[str] = field(default_factory=list)
    when: date | None = None
    days_left: int | None = None
    soon: bool = False
    draft_law: bool = False
    detained: bool = False
    seen: str | None = None  # lt3m / 3to12m / gt12m when someone is missing
    life_at_stake: bool = False  # threat to life, execution, torture, disappearance


class UrgencyAnswers(Answers):
    flow = "urgency"

    timing: Literal["now", "past", "law"] | None = None
    now: list[Happening] = Field(default_factory=list)  # what is happening, in the order pressed
    missing: Literal["yes", "no"] | None = None
    seen: Seen | None = None
    law_stage: Literal["draft", "force"] | None = None
    date_kind: DateKind | None = None
    when: date | None = None  # the date that matters


def decide(answers: UrgencyAnswers, today: date, situations: Sequence[str] = ()) -> Decision:
    """The likely kind of communication and what goes with it (pure). `situations` are
    the ones pressed in the finder, if any."""
    timing = answers.timing
    happening = set(answers.now)
    missing = "missing" in happening or answers.missing == "yes"
    date_kind = answers.date_kind
    when = answers.when
    imminent = date_kind in ("execution", "removal") and when is not None
    detained = "detained" in happening or "detention" in situations

    reasons: list[str] = []
    kind: Kind
    if timing == "law":
        kind, reasons = "other_letter", [REASON_LAW]
    elif missing:
        # Still missing is ongoing, however long ago it began (how long only decides
        # whether WGEID's urgent transmission applies: see `wgeid_urgent`).
        kind, reasons = "urgent_appeal", [REASON_MISSING]
    elif timing == "now":
        kind, reasons = "urgent_appeal", [REASON_NOW]
    elif imminent:
        kind, reasons = "urgent_appeal", [REASON_IMMINENT]
    else:
        kind, reasons = "allegation_letter", [REASON_PAST]
    days_left = (when - today).days if when is not None else None
    return Decision(
        kind=kind,
        reasons=reasons,
        when=when,
        days_left=days_left,
        soon=days_left is not None and days_left <= SOON_DAYS,
        draft_law=timing == "law" and answers.law_stage == "draft",
        detained=detained,
        seen=answers.seen if missing else None,
        life_at_stake=missing or bool(happening & LIFE_AT_STAKE) or date_kind == "execution",
    )


def result(view: View) -> list[str]:
    """What to do now (short), then the emergency support where a life is at stake."""
    t = view.t
    d = decision(view)
    first = [t(KIND_TEXT[d.kind])]
    if d.when is not None and d.days_left is not None:
        first.append(
            t(DATE_TODAY, date=t.date(d.when)) if d.days_left == 0
            else t.n(DATE_LINE, d.days_left, date=t.date(d.when))
        )
        if d.soon:
            first.append(t(SOON))
    first += [say(t, "comm_send_now"), say(t, "comm_send_include")]
    if d.kind == "urgent_appeal":
        first.append(say(t, "comm_urgent_email"))
    texts = ["\n\n".join(first)]
    if d.life_at_stake:
        texts += emergency(view)
    return texts


def detail(view: View) -> list[str]:
    """Why, what happens next and when."""
    t = view.t
    d = decision(view)
    first = [*(t(r) for r in d.reasons), say(t, KIND_FACT[d.kind]), say(t, "comm_label_tip")]
    if d.draft_law:
        first.append(t(DRAFT_LAW))
    second = [say(t, "comm_after"), say(t, "comm_speed"), say(t, "comm_deadline"),
              say(t, "comm_database")]
    if d.seen is not None:
        second.append(say(t, "wgeid_urgent"))
    if d.detained:
        second += [t(DETAINED), say(t, "wgad_opinion")]
    third = [say(t, "comm_make_it_count"), say(t, "comm_consent"),
             say(t, "comm_follow_up")]
    return ["\n\n".join(first), "\n\n".join(second), "\n\n".join(third)]


def decision(view: View) -> Decision:
    """`decide` on the answers so far, with the situations pressed in the finder."""
    situations = MandateAnswers.of(view).situations
    return decide(UrgencyAnswers.of(view), view.today, situations)


def _forget(session: Session, view: View) -> None:
    UrgencyAnswers.reset(session)


def _now(session: Session, view: View) -> None:
    """Detention pressed in the finder answers "Someone is detained" here: it is not
    asked twice (the screen says so, and the button undoes it)."""
    answers = UrgencyAnswers.of(session)
    if not answers.now and "detention" in MandateAnswers.of(session).situations:
        answers.now = ["detained"]


def ask_now_what(view: View) -> list[str]:
    t = view.t
    lines = [t(ASK_NOW_WHAT)]
    if _detention_found(view) and "detained" in UrgencyAnswers.of(view).now:
        lines.append(t(FROM_FINDER))
    return ["\n\n".join(lines)]


def _detention_found(view: View) -> bool:
    return "detention" in MandateAnswers.of(view).situations


def _someone_missing(view: View) -> bool:
    return "missing" in UrgencyAnswers.of(view).now


SOMEONE_MISSING = Cond("someone is missing", _someone_missing)


URGENCY = Flow(
    name="urgency",
    title=N_("Is it urgent?"),
    commands=[
        Command("urgent", "timing", N_("is it urgent? which kind of letter to expect")),
    ],
    answers=UrgencyAnswers,
    steps=[
        One(
            id="timing",
            text=ASK_TIMING,
            field="timing",
            choices=[
                Choice(id="now", label=N_("Yes, now or very soon"), to="now_what", do=_now),
                Choice(id="past", label=N_("It already happened"), to="missing"),
                Choice(id="law", label=N_("It is about a law or policy"), to="law_stage"),
            ],
        ),
        Many(
            id="now_what",
            render=ask_now_what,
            field="now",
            choices=[Choice(id=cid, label=label) for cid, label in NOW_WHAT],
            to=[Go(to="seen", when=SOMEONE_MISSING), Go(to="date_kind")],
        ),
        YesNo(id="missing", text=ASK_MISSING, field="missing", yes="seen", no="date_kind"),
        One(
            id="seen",
            text=ASK_SEEN,
            field="seen",
            choices=[Choice(id=cid, label=label, to="date_kind") for cid, label in SEEN],
        ),
        One(
            id="law_stage",
            text=ASK_LAW_STAGE,
            field="law_stage",
            choices=[
                Choice(id="draft", label=N_("A draft"), to="date_kind"),
                Choice(id="force", label=N_("Already in force"), to="date_kind"),
            ],
        ),
        One(
            id="date_kind",
            text=ASK_DATE_KIND,
            field="date_kind",
            choices=[
                *(Choice(id=cid, label=label, to="date") for cid, label in DATE_KINDS),
                Choice(
                    id="none",
                    label=N_("No date"),
                    set={"date_kind": None, "when": None},
                    to="result",
                ),
            ],
        ),
        Date(
            id="date",
            text=ASK_DATE,
            field="when",
            to="result",
            choices=[Choice(id="skip", label=N_("Skip"), set={"when": None}, to="result")],
        ),
        Screen(
            id="result",
            render=result,
            choices=[
                Choice(id="detail", label=N_("More detail"), to="detail"),
                Choice(id="next", label=N_("Next: consent and risk"), to="consent"),
                Choice(id="again", label=N_("Start again"), to="timing", do=_forget),
            ],
        ),
        Screen(
            id="detail",
            render=detail,
            choices=[
                Choice(id="next", label=N_("Next: consent and risk"), to="consent"),
                Choice(id="again", label=N_("Start again"), to="timing", do=_forget),
            ],
        ),
    ],
)
