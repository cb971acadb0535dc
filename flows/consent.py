"""Consent and risk: a gate before anything is drafted.

Victims are asked about as V1, V2…, never by name. The answers give a risk level
(`assess`, a pure and reviewable table) with advice fitted to them, and decide
whether the builder may name individuals or works in anonymous mode only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from flows.catalog import say
from flows.declare import Many, One
from flows.i18n import N_
from flows.model import Answers, Change, Choice, Cond, Flow, Go, Session, Step, View

MAX_VICTIMS = 9

Level = Literal["lower", "elevated", "high"]

# How much each answer adds to the risk score; the level is read from the total.
# Kept as data so that it can be reviewed and argued about.
RISK_POINTS: dict[tuple[str, str], int] = {
    ("plan", "no"): 2,
    ("plan", "partly"): 1,
    ("talked", "no"): 2,
    ("talked", "some"): 1,
    ("consent_by", "nobody"): 2,
    ("writing", "no"): 1,
    ("public", "yes"): 1,
}
AFFECTED_POINTS = 1  # for each group besides the victims who could be affected
AFFECTED_CAP = 2
LEVELS: tuple[tuple[int, Level], ...] = ((4, "high"), (2, "elevated"), (0, "lower"))

AFFECTED: tuple[tuple[str, str], ...] = (
    ("family", N_("Family")),
    ("colleagues", N_("Colleagues")),
    ("org", N_("The organisation")),
    ("witnesses", N_("Witnesses")),
    ("nobody", N_("Nobody else")),
)
CONFIDENTIAL: tuple[tuple[str, str], ...] = (
    ("source", N_("That I am the source")),
    ("names", N_("The victims' names")),
    ("places", N_("Places")),
    ("details", N_("Some details")),
    ("nothing", N_("Nothing")),
)
CHANNELS: tuple[tuple[str, str], ...] = (
    ("signal", N_("Signal")),
    ("proton", N_("Proton Mail")),
    ("none", N_("Neither")),
)

INTRO = N_(
    "Consent and risk, before anything is drafted: a few questions. Buttons only, no names."
)
ASK_VICTIMS = N_(
    "How many victims would your submission name? Here they are V1, V2…, never names."
)
ASK_GOV = N_(
    "Victim {v}: does {v} agree to be named to the government? The experts' letter "
    "normally names them."
)
ASK_PUBLIC = N_(
    "Victim {v}: named in public too, in the experts' reports and letters database?"
)
ASK_CONSENT_BY = N_("Victim {v}: who gave this consent?")
ASK_WRITING = N_("Victim {v}: could this consent be given in writing, if asked?")
ASK_AFFECTED = N_(
    "Who else could be affected if the government learns of it? Press all that apply, "
    "then Done."
)
ASK_TALKED = N_("Have you talked with them about the risks?")
ASK_PLAN = N_("Is there a plan if reprisals happen: who to call, where to go, backups?")
ASK_CONFIDENTIAL = N_(
    "What must not be shared with the government? Press all that apply, then Done."
)
ASK_VIA_NGO = N_("Would you rather another organisation submitted it for you?")
ASK_CHANNELS = N_("Which secure channels can you use? Press all that apply, then Done.")

LEVEL_TEXT: dict[Level, str] = {
    "lower": N_("Risk level: lower. Keep the precautions below anyway."),
    "elevated": N_("Risk level: elevated. Take the steps below before you submit."),
    "high": N_(
        "Risk level: high. Think carefully with the people concerned before you submit, "
        "and take the steps below first."
    ),
}
# With no step to take first, the lead says where the precautions are and what to
# press next (the buttons' own words).
GO_ON = N_("Read them under “More detail”, then press “Next: prepare the submission”.")
NAMED_MODE = N_(
    "The draft can name {victims} (with placeholders), because consent to be named to the "
    "government was given."
)
ANONYMOUS_MODE = N_(
    "Nobody has agreed to be named to the government, so the draft will describe a pattern "
    "or a group, with no individual."
)
ADVICE_TALK = N_("Talk with the people who could be affected before you submit.")
ADVICE_PLAN = N_(
    "Make a plan for reprisals now: who to call, where to go, and a backup of your "
    "documents kept somewhere safe."
)
ADVICE_CONSENT = N_(
    "Get consent from the person, or their family or lawyer, before naming anyone, and "
    "note how it was given."
)
ADVICE_PUBLIC = N_(
    "Being named in public adds exposure: check again that this is really wanted."
)
ADVICE_NO_CHANNEL = N_(
    "Without Signal or Proton Mail, use the OHCHR online form, or ask a partner "
    "organisation with secure channels to help."
)


@dataclass(frozen=True)
class Assessment:
    level: Level
    score: int
    named: list[str]  # V1… who agreed to be named to the government
    anonymous: bool
    advice: list[str] = field(default_factory=list)  # msgids
    facts: list[str] = field(default_factory=list)  # fact ids


class ConsentAnswers(Answers):
    flow = "consent"

    n: int = 0  # how many victims are named in the case; 0: a group or a pattern
    i: int = 1  # the victim being asked about, from 1
    # Per victim (V1, V2…): answers to "gov", "public", "consent_by", "writing".
    victims: list[dict[str, str]] = Field(default_factory=list)
    done: bool = False  # every question answered: the gate to the submission opens
    affected: list[str] = Field(default_factory=list)
    talked: Literal["yes", "some", "no"] | None = None
    plan: Literal["yes", "partly", "no"] | None = None
    confidential: list[str] = Field(default_factory=list)
    via_ngo: Literal["yes", "maybe", "no"] | None = None
    channels: list[str] = Field(default_factory=list)


def assess(answers: ConsentAnswers) -> Assessment:
    """The risk level and the advice that fits these answers (pure)."""
    score = 0
    people = answers.victims
    for person in people:
        for question in ("consent_by", "writing", "public"):
            score += RISK_POINTS.get((question, person.get(question, "")), 0)
    for question in ("plan", "talked"):
        score += RISK_POINTS.get((question, getattr(answers, question) or ""), 0)
    affected = [a for a in answers.affected if a != "nobody"]
    score += min(len(affected) * AFFECTED_POINTS, AFFECTED_CAP)
    level = next(lvl for threshold, lvl in LEVELS if score >= threshold)

    # Named only with an agreement to be named AND someone who gave consent.
    named = [
        f"V{i + 1}"
        for i, p in enumerate(people)
        if p.get("gov") == "yes" and p.get("consent_by", "nobody") != "nobody"
    ]
    advice: list[str] = []
    if affected and answers.talked != "yes":
        advice.append(ADVICE_TALK)
    if answers.plan != "yes":
        advice.append(ADVICE_PLAN)
    if any(p.get("gov") != "yes" or p.get("consent_by") == "nobody" for p in people):
        advice.append(ADVICE_CONSENT)
    if any(p.get("public") == "yes" for p in people):
        advice.append(ADVICE_PUBLIC)
    channels = set(answers.channels)
    if not channels - {"none"}:
        advice.append(ADVICE_NO_CHANNEL)

    facts = ["safe_do_no_harm", "safe_risk_reaches_others", "safe_consent_central",
             "safe_source_confidential", "safe_names_to_government"]
    if answers.via_ngo in ("yes", "maybe"):
        facts.append("safe_via_ngo")
    confidential = set(answers.confidential)
    if confidential - {"nothing"}:
        facts.append("safe_confidential_parts")
    if channels & {"signal", "proton"}:
        facts.append("safe_encrypted")
    if not named:
        facts.append("safe_anonymous_cost")
    return Assessment(level, score, named, not named, advice, facts)


# First behind "More detail": the lead says the draft will be anonymous; what that
# costs, with the level and advice, would take the lead past ~600 characters.
ANONYMOUS_COST = "safe_anonymous_cost"


def _passed(view: View) -> bool:
    return ConsentAnswers.of(view).done


# The gate of the submission: every question answered in this session.
passed = Cond("consent and risk answered", _passed)


# --- the per-victim loop ---------------------------------------------------


def _another_victim(view: View) -> bool:
    answers = ConsentAnswers.of(view)
    return answers.i < answers.n


ANOTHER_VICTIM = Cond("another victim to ask about", _another_victim)


def _answer(question: str, value: str, advance: bool = False) -> Change:
    def do(session: Session, view: View) -> None:
        answers = ConsentAnswers.of(session)
        i = answers.i
        people = list(answers.victims)
        while len(people) < i:
            people.append({})
        people[i - 1] = {**people[i - 1], question: value}
        answers.victims = people
        if advance and i < answers.n:
            answers.i = i + 1

    return do


def _count(n: int) -> Change:
    def do(session: Session, view: View) -> None:
        answers = ConsentAnswers.of(session)
        answers.n, answers.i, answers.victims = n, 1, [{} for _ in range(n)]
        answers.done = False

    return do


def _victim(view: View) -> dict[str, object]:
    """{v} in the per-victim questions: the victim being asked about, V1, V2…"""
    return {"v": f"V{ConsentAnswers.of(view).i}"}


def _yes_no_unsure(question: str, *, advance: bool = False, to: Any) -> list[Choice]:
    options = (("yes", N_("Yes")), ("no", N_("No")), ("unsure", N_("Not asked yet")))
    return [Choice(id=v, label=label, do=_answer(question, v, advance), to=to)
            for v, label in options]


def _done(session: Session, view: View) -> None:
    ConsentAnswers.of(session).done = True


def result(view: View) -> list[str]:
    """What to do now: the level, named or anonymous, the advice for these answers."""
    t = view.t
    a = assess(ConsentAnswers.of(view))
    first = [t(LEVEL_TEXT[a.level])]
    first.append(t(NAMED_MODE, victims=", ".join(a.named)) if a.named else t(ANONYMOUS_MODE))
    first += [f"• {t(advice)}" for advice in a.advice] or [t(GO_ON)]
    return ["\n\n".join(first)]


def detail(view: View) -> list[str]:
    """Behind "More detail": how the experts weigh risk, consent and confidentiality."""
    t = view.t
    facts = assess(ConsentAnswers.of(view)).facts
    facts = [f for f in facts if f == ANONYMOUS_COST] + [f for f in facts if f != ANONYMOUS_COST]
    return ["\n\n".join(say(t, f) for f in facts)]


def _restart(session: Session, view: View) -> None:
    ConsentAnswers.reset(session)


def _one_of(step_id: str, text: str, *, to: str, options: tuple[tuple[str, str], ...]) -> One:
    """A question answered by one button, stored in the answer named like the step."""
    return One(
        id=step_id,
        text=text,
        field=step_id,
        choices=[Choice(id=v, label=label, to=to) for v, label in options],
    )


AFTER_RESULT = [
    Choice(id="next", label=N_("Next: prepare the submission"), to="submission"),
    Choice(id="again", label=N_("Start again"), to="intro"),
]
NEXT_VICTIM = [Go(to="gov", when=ANOTHER_VICTIM), Go(to="affected")]

CONSENT = Flow(
    name="consent",
    title=N_("Consent and risk"),
    answers=ConsentAnswers,
    steps=[
        Step(id="intro", text=INTRO,
             choices=[Choice(id="go", label=N_("Continue"), to="victims", do=_restart)]),
        Step(
            id="victims",
            text=ASK_VICTIMS,
            choices=[
                *(Choice(id=f"n{n}", label=str(n), do=_count(n), to="gov")
                  for n in range(1, MAX_VICTIMS + 1)),
                Choice(id="group", label=N_("A group or pattern, no individual"),
                       do=_count(0), to="affected"),
            ],
        ),
        Step(id="gov", text=ASK_GOV, values=_victim, choices=_yes_no_unsure("gov", to="public")),
        Step(id="public", text=ASK_PUBLIC, values=_victim,
             choices=_yes_no_unsure("public", to="consent_by")),
        Step(
            id="consent_by",
            text=ASK_CONSENT_BY, values=_victim,
            choices=[
                Choice(id=v, label=label, do=_answer("consent_by", v), to="writing")
                for v, label in (
                    ("person", N_("The person")),
                    ("family", N_("Their family")),
                    ("lawyer", N_("Their lawyer")),
                    ("nobody", N_("Nobody yet")),
                )
            ],
        ),
        Step(
            id="writing",
            text=ASK_WRITING, values=_victim,
            choices=[
                Choice(id=v, label=label, do=_answer("writing", v, advance=True),
                       to=NEXT_VICTIM)
                for v, label in (("yes", N_("Yes")), ("no", N_("No")),
                                 ("unsure", N_("Not sure")))
            ],
        ),
        Many(id="affected", text=ASK_AFFECTED, field="affected", to="talked",
             choices=[Choice(id=v, label=label) for v, label in AFFECTED]),
        _one_of("talked", ASK_TALKED, to="plan", options=(
            ("yes", N_("Yes, with all of them")), ("some", N_("With some of them")),
            ("no", N_("Not yet")))),
        _one_of("plan", ASK_PLAN, to="confidential", options=(
            ("yes", N_("Yes")), ("partly", N_("Partly")), ("no", N_("No")))),
        Many(id="confidential", text=ASK_CONFIDENTIAL, field="confidential", to="via_ngo",
             choices=[Choice(id=v, label=label) for v, label in CONFIDENTIAL]),
        _one_of("via_ngo", ASK_VIA_NGO, to="channels", options=(
            ("yes", N_("Yes")), ("maybe", N_("Maybe")), ("no", N_("No")))),
        Many(id="channels", text=ASK_CHANNELS, field="channels", to="result",
             choices=[Choice(id=v, label=label) for v, label in CHANNELS]),
        Step(
            id="result",
            render=result,
            enter=_done,
            choices=[
                Choice(id="detail", label=N_("More detail"), to="detail"),
                *AFTER_RESULT,
            ],
        ),
        Step(id="detail", render=detail, choices=AFTER_RESULT),
    ],
)
