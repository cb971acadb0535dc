"""Find the right UN expert: what happened (buttons), where (a country name), the answer.

The recommendation itself is data (`flows/data/situations.json`, read by
`flows.catalog.recommend`); this module only asks and words the answer.
"""

from __future__ import annotations

from pydantic import Field

from flows.catalog import (
    FACT_CHECK_OHCHR_LIST,
    FACT_COUNTRY_MANDATE,
    FACT_NOTHING_FITS,
    FACT_ONLINE_FORM,
    WG_RULE_FACTS,
    Mandate,
    Pick,
    Recommendation,
    load_catalog,
    recommend,
    say,
)
from flows.countries import country_name, match_country
from flows.declare import Go, Many, One, Text
from flows.emergency import emergency
from flows.i18n import N_, NP_, T
from flows.model import Answers, Choice, Cond, Flow, Parsed, Session, Step, View

CATALOG = load_catalog()
MAX_ECHO = 40  # how much of an unrecognised answer is quoted back

ASK_WHAT = N_(
    "What happened? Press all that apply (✓; press again to undo), then Done. "
    "Buttons only: please type no names or details."
)
ASK_GROUPS = N_(
    "Which group is affected? Press every button that applies, then Done. "
    "To choose more from the first list, press Back."
)
GROUPS_BUTTON = N_("Disability, older age, albinism or leprosy")
ASK_CHILD = N_(
    "Was a child sold, trafficked, sexually exploited or sexually abused? One expert "
    "is devoted to that alone. If a child was harmed in another way (detained, "
    "ill-treated…), the experts for what else you pressed act: to add it, press Back."
)
ASK_COUNTRY = N_("In which country did it happen? Type its name, in any language.")
NOT_FOUND = N_(
    "I could not find a country called “{name}”. Please check the spelling and "
    "type it again, or press “Prefer not to say”."
)
REGION = N_(
    "I do not know which country's expert, if any, covers “{name}”: the information "
    "this bot relies on does not say. Type the name of a country, or press “Prefer not "
    "to say”. The experts on what happened act everywhere, and through the online "
    "form, {url}, OHCHR staff pass what you send to the right experts."
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
NEXT_URGENT = N_("Next: is it urgent?")
SEND_VIA_FORM = N_(
    "How to send: the OHCHR online form, {url}; OHCHR staff pass it on. "
    "This bot sends nothing itself."
)
JOINT_MORE = NP_(
    "…and {count} more expert to address jointly: see “Why these experts”.",
    "…and {count} more experts to address jointly: see “Why these experts”.",
)
LEAD_BUDGET = 600  # characters of the answer before any detail
SITUATION_REPRISAL = "reprisal"
# Where a life may be at stake (torture, killing, execution or death threat,
# disappearance): the experts cannot protect anyone, so the answer adds who can.
LIFE_AT_STAKE: frozenset[str] = frozenset({"torture", "killing", "disappear"})
SITUATION_CHILDREN = "children"
SITUATION_CHILD_ABUSE = "child_abuse"  # set by the follow-up question, not a button
REPRISAL_CONTACTS = ("reprisal_contact_ohchr", "reprisal_contact_hrc_president")
REPRISAL_ROUTE = N_(
    "For the reprisal itself, with consent, press “Report a reprisal” (or type /reprisal)."
)
WHY_THESE = N_("Why these experts")
WG_RULES = N_("Working Group rules")
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
    if match.region:
        form = CATALOG.fact(FACT_ONLINE_FORM)
        return Parsed(error=REGION, error_values={"name": echo, "url": form.values["url"]})
    suggestions = [(code, country_name(code, view.t.locale)) for code in match.suggestions]
    return Parsed(
        error=DID_YOU_MEAN if suggestions else NOT_FOUND,
        error_values={"name": echo},
        suggestions=suggestions,
    )


def _mandate_block(t: T, mandate: Mandate, reasons: list[str]) -> list[str]:
    lines = [mandate.name_in(t.locale), t(mandate.description)]
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


# The Working Groups' own rules: behind "Working Group rules", not in the answer.
RULE_FACTS = WG_RULE_FACTS
# Facts that are part of the answer itself (a mandate merged or not in office,
# nothing fits); the rest is detail.
ANSWER_FACTS = {m.status_fact for m in CATALOG.mandates if m.status_fact} | {FACT_NOTHING_FITS}


def _result(view: View) -> Recommendation:
    answers = MandateAnswers.of(view)
    return recommend(CATALOG, answers.situations, answers.country)


def recommendation(view: View) -> list[str]:
    """What to do now, short: who to write to and how to send, then (a message of its
    own) the emergency support where a life is at stake. The reasons, the experts to
    consider and the Working Groups' rules are behind buttons; when many experts are
    joint, those that do not fit in LEAD_BUDGET are counted."""
    t = view.t
    iso2 = MandateAnswers.of(view).country
    result = _result(view)
    place = country_name(iso2, t.locale) if iso2 else None
    lines = []
    if result.lead is not None:
        lines.append(f"{t(LEAD)} {result.lead.mandate.name_in(t.locale)}")
    if result.country is not None:
        # Whatever its status: a fact below says what it means.
        lines.append(f"{t(COUNTRY_EXPERT)} {result.country.name_in(t.locale)}")
    after = [say(t, f) for f in result.facts if f.id in ANSWER_FACTS]
    if SITUATION_REPRISAL in MandateAnswers.of(view).situations:
        # A reprisal for engaging with the UN has its own channels (facts_reprisal.json).
        after.append("\n".join(["• " + say(t, CATALOG.fact(f)) for f in REPRISAL_CONTACTS]
                               + [t(REPRISAL_ROUTE)]))
    form = CATALOG.fact(FACT_ONLINE_FORM)
    after.append(t(SEND_VIA_FORM, url=form.values["url"]))

    def whole(joint: list[str], more: int) -> str:
        block = list(lines)
        if joint:
            block.append(t(JOINT) + "\n" + "\n".join(f"• {title}" for title in joint))
        if more:
            block.append(t.n(JOINT_MORE, more))
        # Never a heading with nobody under it: then the facts say what to do.
        head = [t(HEAD_IN, country=place) if place else t(HEAD), *block] if block else []
        return "\n\n".join(["\n".join(head)] * bool(head) + after)

    titles = [p.mandate.name_in(t.locale) for p in result.joint]
    shown = len(titles)
    while shown > 1 and len(whole(titles[:shown], len(titles) - shown)) > LEAD_BUDGET:
        shown -= 1
    support = emergency(view) if LIFE_AT_STAKE & set(MandateAnswers.of(view).situations) else []
    return [whole(titles[:shown], len(titles) - shown), *support]


def reasons(view: View) -> list[str]:
    """Behind "Why these experts": each expert with what it covers, why, its page;
    the experts to consider if it applies; the country expert; the other facts."""
    t = view.t
    iso2 = MandateAnswers.of(view).country
    result = _result(view)
    place = country_name(iso2, t.locale) if iso2 else None
    first = []
    if result.lead is not None:
        block = "\n".join(_mandate_block(t, result.lead.mandate, result.lead.reasons))
        first.append(f"{t(LEAD)}\n{block}")
    if result.joint:
        first.append(_picks_section(t, JOINT, result.joint))
    if result.consider:
        first.append(_picks_section(t, CONSIDER, result.consider))
    messages = ["\n\n".join(first)] if first else []

    # Each expert without a confirmed page says so in its own block.
    shown: set[str] = set(ANSWER_FACTS) | set(RULE_FACTS) | {FACT_CHECK_OHCHR_LIST}
    if result.country is not None and result.country.status == "active":
        lines = [t(COUNTRY_EXPERT), *_mandate_block(t, result.country, [])]
        scope = result.country.country_fact or FACT_COUNTRY_MANDATE
        fact = next((f for f in result.facts if f.id == scope), None)
        if fact is not None:
            lines.append(say(t, fact))
        shown.add(scope)
        messages.append("\n".join(lines))
    elif place and result.picks:
        messages.append(t(NO_COUNTRY_MANDATE, country=place))
    rest = [say(t, f) for f in result.facts if f.id not in shown]
    rest.append(t(SENDS_NOTHING))
    messages.append("\n\n".join(rest))
    return messages


def rules(view: View) -> list[str]:
    """Behind "Working Group rules": who may submit, Opinions, sessions."""
    t = view.t
    facts = [f for f in _result(view).facts if f.id in RULE_FACTS]
    return ["\n\n".join(say(t, f) for f in facts)]


def _has_rules(view: View) -> bool:
    result = _result(view)
    return result.detention or result.disappearance


HAS_RULES = Cond("a Working Group is picked", _has_rules)


def _has_experts(view: View) -> bool:
    result = _result(view)
    return bool(result.picks or result.consider or result.country is not None)


HAS_EXPERTS = Cond("an expert is named", _has_experts)


def _reprisal(view: View) -> bool:
    return SITUATION_REPRISAL in MandateAnswers.of(view).situations


IS_REPRISAL = Cond("a reprisal for working with the UN", _reprisal)


def _forget_answers(session: Session, view: View) -> None:
    MandateAnswers.reset(session)


def _on_screen(screen: str) -> list[Choice]:
    return [Choice(id=s.id, label=s.label) for s in CATALOG.situations if s.screen == screen]


GROUP_IDS = frozenset(s.id for s in CATALOG.situations if s.screen == "groups")


def _group_chosen(view: View) -> bool:
    return bool(GROUP_IDS & set(MandateAnswers.of(view).situations))


def _situation_choices() -> list[Choice]:
    """The first screen: its situations, and the button to the groups' screen where
    the first of those stands in the catalog's order."""
    choices = _on_screen("what")
    first_group = next((s.id for s in CATALOG.situations if s.screen == "groups"), None)
    if first_group is None:
        return choices
    groups = Choice(id="groups", label=GROUPS_BUTTON, to="groups", checked=_group_chosen)
    ids = [s.id for s in CATALOG.situations if s.screen in ("what", "groups")]
    at = len([i for i in ids[: ids.index(first_group)] if i not in GROUP_IDS])
    return [*choices[:at], groups, *choices[at:]]


def _children(view: View) -> bool:
    return SITUATION_CHILDREN in MandateAnswers.of(view).situations


CHILD_CONCERNED = Cond("a child is concerned", _children)
AFTER_CHOICE = [Go(to="child", when=CHILD_CONCERNED), Go(to="country")]


def _without_child_abuse(session: Session, view: View) -> None:
    # Asked again after every new choice, so an answer never outlives "Children".
    answers = MandateAnswers.of(session)
    answers.situations = [s for s in answers.situations if s != SITUATION_CHILD_ABUSE]


def _with_child_abuse(session: Session, view: View) -> None:
    answers = MandateAnswers.of(session)
    answers.situations = [
        *(s for s in answers.situations if s != SITUATION_CHILD_ABUSE), SITUATION_CHILD_ABUSE]


MANDATE = Flow(
    name="mandate",
    title=N_("Find the right UN expert"),
    answers=MandateAnswers,
    steps=[
        Many(
            id="what",
            text=ASK_WHAT,
            field="situations",
            to=AFTER_CHOICE,
            choices=_situation_choices(),
            enter=_without_child_abuse,
        ),
        Many(
            id="groups",
            text=ASK_GROUPS,
            field="situations",
            to=AFTER_CHOICE,
            choices=_on_screen("groups"),
        ),
        One(
            id="child",
            text=ASK_CHILD,
            choices=[
                Choice(id="yes", label=N_("Yes"), to="country", do=_with_child_abuse),
                Choice(id="no", label=N_("No"), to="country", do=_without_child_abuse),
            ],
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
                Choice(id="reprisal", label=N_("Report a reprisal"), to="reprisal.danger",
                       when=IS_REPRISAL),
                Choice(id="next", label=NEXT_URGENT, to="urgency"),
                Choice(id="why", label=WHY_THESE, to="why", when=HAS_EXPERTS),
                Choice(id="rules", label=WG_RULES, to="rules", when=HAS_RULES),
                Choice(id="again", label=N_("Start again"), to="what", do=_forget_answers),
            ],
        ),
        Step(
            id="why",
            render=reasons,
            choices=[
                Choice(id="next", label=NEXT_URGENT, to="urgency"),
                Choice(id="rules", label=WG_RULES, to="rules", when=HAS_RULES),
            ],
        ),
        Step(
            id="rules",
            render=rules,
            choices=[Choice(id="next", label=NEXT_URGENT, to="urgency")],
        ),
    ],
)
