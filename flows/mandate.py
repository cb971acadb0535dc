"""Find the right UN expert: what happened (buttons), where (a country name), the answer.

The recommendation itself is data (`flows/data/situations.json`, read by
`flows.catalog.recommend`); this module only asks and words the answer.
"""

from __future__ import annotations

from pydantic import Field

from flows.catalog import (
    FACT_CHECK_OHCHR_LIST,
    FACT_COUNTRY_MANDATE,
    Mandate,
    Pick,
    load_catalog,
    recommend,
    say,
)
from flows.countries import country_name, match_country
from flows.declare import Many, Text
from flows.i18n import N_, T
from flows.model import Answers, Choice, Flow, Parsed, Session, Step, View

CATALOG = load_catalog()
MAX_ECHO = 40  # how much of an unrecognised answer is quoted back

ASK_WHAT = N_(
    "What happened? Press every button that applies: a pressed button shows ✓ and "
    "can be pressed again to undo. Then press Done.\n\n"
    "Only the buttons are needed here. Please do not type names or details."
)
ASK_COUNTRY = N_(
    "In which country did it happen? Type the country's name, in any language, "
    "or press “Prefer not to say”."
)
NOT_FOUND = N_(
    "I could not find a country called “{name}”. Please check the spelling and "
    "type it again, or press “Prefer not to say”."
)
DID_YOU_MEAN = N_(
    "I am not sure which country “{name}” is. Did you mean one of these? "
    "You can also type the name again."
)
HEAD = N_("Who to write to, for what you described:")
HEAD_IN = N_("Who to write to, for what you described in {country}:")
LEAD = N_("Lead expert:")
JOINT = N_("Also address jointly:")
CONSIDER = N_("Also consider, if it applies:")
WHY = N_("Why: {reasons}")
PAGE = N_("Web page: {url}")
COUNTRY_EXPERT = N_("Expert on this country:")
NO_COUNTRY_MANDATE = N_(
    "There is no Special Procedures mandate for {country} itself; the thematic experts "
    "above cover every country."
)
SENDS_NOTHING = N_(
    "This bot sends nothing to the UN or to anyone else. You decide what to send, "
    "and through which channel."
)


class MandateAnswers(Answers):
    flow = "mandate"

    # Situation ids (flows/data/situations.json), in the order pressed.
    situations: list[str] = Field(default_factory=list)
    country: str | None = None  # ISO 3166-1 alpha-2


def parse_country(text: str, view: View) -> Parsed:
    match = match_country(text)
    if match.iso2:
        return Parsed(ok=True, value=match.iso2)
    echo = " ".join(text.split())[:MAX_ECHO]
    suggestions = [(code, country_name(code, view.t.locale)) for code in match.suggestions]
    return Parsed(
        error=DID_YOU_MEAN if suggestions else NOT_FOUND,
        error_values={"name": echo},
        suggestions=suggestions,
    )


def _mandate_block(t: T, mandate: Mandate, reasons: list[str]) -> list[str]:
    lines = [mandate.title, t(mandate.description)]
    if reasons:
        lines.append(t(WHY, reasons=" ".join(t(r) for r in reasons)))
    if mandate.url:
        lines.append(t(PAGE, url=mandate.url))
    elif mandate.status not in ("hc_designated", "dormant"):
        # Experts who are not (or not yet) Special Procedures are not on that list.
        lines.append(say(t, CATALOG.fact(FACT_CHECK_OHCHR_LIST)))
    return lines


def _picks_section(t: T, heading: str, picks: list[Pick]) -> str:
    blocks = []
    for pick in picks:
        blocks.append("• " + "\n  ".join(_mandate_block(t, pick.mandate, pick.reasons)))
    return t(heading) + "\n\n" + "\n\n".join(blocks)


def recommendation(view: View) -> list[str]:
    t = view.t
    answers = MandateAnswers.of(view)
    iso2 = answers.country
    result = recommend(CATALOG, answers.situations, iso2)
    place = country_name(iso2, t.locale) if iso2 else None
    first = [t(HEAD_IN, country=place) if place else t(HEAD)]
    if result.lead is not None:
        block = "\n".join(_mandate_block(t, result.lead.mandate, result.lead.reasons))
        first.append(f"{t(LEAD)}\n{block}")
    if result.joint:
        first.append(_picks_section(t, JOINT, result.joint))
    if result.consider:
        first.append(_picks_section(t, CONSIDER, result.consider))
    messages = ["\n\n".join(first)]

    shown_with_country: set[str] = set()
    if result.country is not None:
        country = result.country
        lines = [t(COUNTRY_EXPERT), *_mandate_block(t, country, [])]
        for fact_id in (country.status_fact, FACT_COUNTRY_MANDATE):
            fact = next((f for f in result.facts if f.id == fact_id), None)
            if fact is not None:
                lines.append(say(t, fact))
                shown_with_country.add(fact.id)
        messages.append("\n".join(lines))
    elif place:
        messages.append(t(NO_COUNTRY_MANDATE, country=place))

    rest = [
        say(t, f)
        for f in result.facts
        if f.id not in shown_with_country and f.id != FACT_CHECK_OHCHR_LIST
    ]
    rest.append(t(SENDS_NOTHING))
    messages.append("\n\n".join(rest))
    return messages


def _forget_answers(session: Session, view: View) -> None:
    MandateAnswers.reset(session)


MANDATE = Flow(
    name="mandate",
    title=N_("Find the right UN expert"),
    answers=MandateAnswers,
    steps=[
        Many(
            id="what",
            text=ASK_WHAT,
            field="situations",
            to="country",
            choices=[Choice(id=s.id, label=s.label) for s in CATALOG.situations],
        ),
        Text(
            id="country",
            text=ASK_COUNTRY,
            field="country",
            parse=parse_country,
            to="result",
            choices=[Choice(id="skip", label=N_("Prefer not to say"), to="result",
                            set={"country": None})],
        ),
        Step(
            id="result",
            render=recommendation,
            choices=[
                Choice(id="next", label=N_("Next: is it urgent?"), to="urgency"),
                Choice(id="again", label=N_("Start again"), to="what", do=_forget_answers),
            ],
        ),
    ],
)
