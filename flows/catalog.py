"""The knowledge catalog: mandates, situations (what happened → which mandates) and facts.

Everything lives in `flows/data/*.json`, each entry with its source, and is validated
by pydantic when loaded (`load_catalog`, cached). Loading is lenient: an entry that
does not validate is left out and reported by `load_problems`, so no import fails on
data.
Cross-references (unknown mandates, missing sources, wrong counts, unsafe URLs, ...)
are listed by `catalog_problems`, which `python -m bot check` prints.

`recommend` is a pure function of the catalog and the user's answers. Rules:

* Pressed situations are ordered by `priority` (highest first; ties keep the
  order of `situations.json`), then each situation's links in order. The first
  mandate is the lead, the rest are `joint`. A mandate reached from several
  situations appears once and carries every reason, in that order.
* Only `active` mandates are ever picked. A link naming a mandate whose status
  is `merged` or `merged_new` is not silently replaced by one of them: the
  mandate's `status_fact` (the slavery/trafficking merger fact: both old names,
  the merged one, and the online form) is added to `facts` instead. Links to
  anything not active are also reported by `catalog_problems`.
* The country's mandate is returned whatever its status (dormant, designated by
  the High Commissioner, unverified): its `status_fact` explains it. It is not
  mixed into `lead`/`joint`.
* `detention` / `disappearance` are true when WGAD / WGEID is among the picks,
  so their rules (who may submit, Opinions, urgent procedure) can be shown.
* `unsure` is true when no thematic mandate was picked and there is no active
  mandate for the country: nothing specific fits, and the online form is the
  advice.
"""

from __future__ import annotations

import functools
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, NamedTuple

from babel.dates import format_skeleton
from babel.lists import format_list
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flows.datafiles import data_dir, error_lines, read_json, valid_entries
from flows.i18n import DEFAULT, PLACEHOLDER, SHIPPED, T

Status = Literal["active", "merged", "merged_new", "dormant", "hc_designated", "status_unverified"]
Kind = Literal["special_rapporteur", "independent_expert", "working_group", "other"]
Scope = Literal["thematic", "country"]
Confidence = Literal["high", "medium", "low"]
Screen = Literal["what", "groups", "follow_up"]

# ISHR, A Practical Guide to the UN Special Procedures (2025): "As of June 2025, there are
# 46 thematic and 14 country mandates."
EXPECTED_COUNTS_JUNE_2025: dict[str, int] = {"thematic": 46, "country": 14}
OHCHR_URL_PREFIX = "https://www.ohchr.org/"

# Mandate ids the code relies on.
WGAD = "wgad"
WGEID = "wgeid"

# Fact ids the code (and the renderers) rely on; catalog_problems checks they exist.
FACT_ONLINE_FORM = "online_form"
FACT_JOINT_ACTION = "joint_action"
FACT_WG_WHO_CAN_SUBMIT = "wg_who_can_submit"
FACT_WGEID_CONSENT = "wgeid_consent"
FACT_WGEID_URGENT = "wgeid_urgent"
FACT_WGEID_HUMANITARIAN = "wgeid_humanitarian"
FACT_WGAD_OPINION = "wgad_opinion"
FACT_WGAD_FOLLOWUP = "wgad_followup"
FACT_WGAD_SESSIONS = "wgad_sessions"
FACT_WGEID_SESSIONS = "wgeid_sessions"
FACT_NOTHING_FITS = "nothing_fits"
FACT_AS_OF = "as_of"
FACT_LANGUAGES = "languages"
FACT_NO_PREREQUISITES = "no_prerequisites"
FACT_LAW_LETTER = "law_letter"
FACT_COUNTRY_MANDATE = "country_mandate"
FACT_CHECK_OHCHR_LIST = "check_ohchr_list"
FACT_GENERAL_MAILBOX = "general_mailbox"
# The Working Groups' own rules, in the order the finder shows them.
WG_RULE_FACTS: tuple[str, ...] = (
    FACT_WG_WHO_CAN_SUBMIT,
    FACT_WGEID_CONSENT,
    FACT_WGEID_URGENT,
    FACT_WGEID_HUMANITARIAN,
    FACT_WGAD_OPINION,
    FACT_WGAD_FOLLOWUP,
    FACT_WGEID_SESSIONS,
    FACT_WGAD_SESSIONS,
)
REQUIRED_FACTS: tuple[str, ...] = (
    FACT_ONLINE_FORM,
    FACT_JOINT_ACTION,
    *WG_RULE_FACTS,
    FACT_NOTHING_FITS,
    FACT_AS_OF,
    FACT_LANGUAGES,
    FACT_NO_PREREQUISITES,
    FACT_LAW_LETTER,
    FACT_COUNTRY_MANDATE,
    FACT_CHECK_OHCHR_LIST,
    FACT_GENERAL_MAILBOX,
)

# Situation ids the code relies on.
SITUATION_LAW = "law"

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]
SituationId = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=12)]
Msgid = Annotated[str, Field(min_length=1)]

# A msgid is translated: it must not carry URLs, e-mail addresses, digits or markup.
DAY_OF_YEAR = re.compile(r"^--(\d{2})-(\d{2})$")  # a fact's day of the year, as in ISO 8601
_UNTRANSLATABLE = re.compile(r"https?:|www\.|@|\d|[<>*_`\[\]]")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Country(_Model):
    name: str
    iso2: str


class OfficialTitle(_Model):
    """The mandate's official title in another language, as OHCHR gives it."""

    title: str
    source: str  # the OHCHR page (or its mirror) where the title is written


class Mandate(_Model):
    id: Id
    title: str  # official English title, unchanged
    short_title: str
    kind: Kind
    scope: Scope
    country: Country | None
    description: Msgid  # one line, plain English: what the mandate covers
    url: str | None  # verified OHCHR page, may be shown as a link
    url_unverified_guess: str | None  # for reviewers only: never shown as a link
    status: Status
    status_note: str  # the reference's original status text
    status_fact: str | None = None  # fact id explaining a status that is not plainly active
    # A country mandate whose own text frames it narrower than "any human rights issue
    # in the country": the fact that says how, shown instead of FACT_COUNTRY_MANDATE.
    country_fact: str | None = None
    merged_into: str | None = None
    individual_cases: bool
    counted_in_june_2025: bool
    confidence: Confidence
    sources: list[str]
    review_note: str | None = None  # why a field differs from the reference (reviewers only)
    # Official titles in other languages ("fr", "es"), each with its source; where one
    # is missing, the English title is used with the translated description.
    titles: dict[str, OfficialTitle] = Field(default_factory=dict)

    def name_in(self, locale: str) -> str:
        """The official title in that language, else the English one: for places
        where the translated description is shown anyway, or space is short."""
        official = self.titles.get(locale)
        return official.title if official is not None else self.title

    def title_in(self, t: T) -> str:
        """The official title in `t`'s language, or the English one with the
        description in that language."""
        if t.locale in self.titles or t.locale == "en":
            return self.name_in(t.locale)
        return f"{self.title} ({t(self.description).rstrip('.')})"


class Link(_Model):
    mandate: str
    # True when the mandate fits only in some cases of the situation (its reason
    # says when): listed apart, as "if it applies", so the core list stays short.
    if_applies: bool = False
    reason: Msgid
    source: str


class Situation(_Model):
    id: SituationId
    label: Annotated[str, Field(min_length=1, max_length=40)]  # button label msgid
    priority: int
    links: list[Link]
    # Where the person chooses it: on the first screen, on the screen of a group's
    # rights, or by answering a follow-up question (then it has no button).
    screen: Screen = "what"


class Fact(_Model):
    id: Id
    text: Msgid  # msgid with optional {placeholders}
    values: dict[str, str] = Field(default_factory=dict)
    source: str

    def render(self, text: str | None = None) -> str:
        """Fill the placeholders into `text` (the translated msgid) or the English text."""
        return (self.text if text is None else text).format_map(self.values)


class Catalog(_Model):
    as_of: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    changes_to: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")] | None
    later_changes: list[str]
    source: str
    counts_june_2025: dict[str, int]
    mandates: list[Mandate]
    situations: list[Situation]
    facts: list[Fact]

    def mandate(self, mandate_id: str) -> Mandate:
        for m in self.mandates:
            if m.id == mandate_id:
                return m
        raise KeyError(mandate_id)

    def situation(self, situation_id: str) -> Situation:
        for s in self.situations:
            if s.id == situation_id:
                return s
        raise KeyError(situation_id)

    def fact(self, fact_id: str) -> Fact:
        for f in self.facts:
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)


class _Header(_Model):
    """The catalog's own fields, to check them one by one."""

    as_of: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")] = "0000-00"
    changes_to: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")] | None = None
    later_changes: list[str] = []
    source: str = ""
    counts_june_2025: dict[str, int] = {}




def say(t: T, fact: Fact | str) -> str:
    """A fact in the person's language, its values filled in and localised: a day of
    the year ("--04-15") as "15 April", a list of language codes ("ar,en") as their
    names. The one way any flow shows a fact."""
    if isinstance(fact, str):
        fact = load_catalog().fact(fact)
    values: dict[str, object] = {}
    for key, value in fact.values.items():
        if match := DAY_OF_YEAR.match(value):
            day = date(2000, int(match[1]), int(match[2]))
            values[key] = format_skeleton("MMMMd", day, locale=t.locale)
        elif key == "languages":
            names = [t.language_name(code.strip()) for code in value.split(",")]
            values[key] = format_list(names, locale=t.locale)
        else:
            values[key] = value
    return t(fact.text, **values)


def _fact_files() -> list[str]:
    folder = data_dir()
    if not folder.is_dir():
        return []
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name == "facts.json"
        or (entry.name.startswith("facts_") and entry.name.endswith(".json"))
    )


_HEADER = ("as_of", "changes_to", "later_changes", "source", "counts_june_2025")


@functools.cache
def _load() -> tuple[Catalog, tuple[str, ...]]:
    problems: list[str] = []
    mandates = read_json("mandates.json", problems) or {}
    situations = read_json("situations.json", problems) or {}
    # Facts may be split by subject: facts.json, facts_<subject>.json.
    fact_files = {name: read_json(name, problems) or {} for name in _fact_files()}
    data = {key: mandates.get(key) for key in _HEADER} | {
        "mandates": mandates.get("mandates", []),
        "situations": situations.get("situations", []),
        "facts": [f for facts in fact_files.values() for f in facts.get("facts", [])],
    }
    try:
        return Catalog.model_validate(data), tuple(problems)
    except ValidationError:
        pass
    # Keep what validates, entry by entry, and say what was left out.
    header: dict[str, Any] = {}
    for key in _HEADER:
        try:
            header[key] = getattr(_Header.model_validate({key: data[key]}), key)
        except ValidationError as e:
            problems += error_lines("mandates.json", e)
            header[key] = getattr(_Header(), key)
    catalog = Catalog.model_construct(
        **header,
        mandates=valid_entries(Mandate, data["mandates"], "mandates.json: mandates", problems),
        situations=valid_entries(
            Situation, data["situations"], "situations.json: situations", problems
        ),
        facts=[
            fact
            for name, facts in fact_files.items()
            for fact in valid_entries(Fact, facts.get("facts", []), f"{name}: facts", problems)
        ],
    )
    return catalog, tuple(problems)


def load_catalog() -> Catalog:
    """The packaged catalog, validated once; entries that do not validate are left out
    (see `load_problems`)."""
    return _load()[0]


def load_problems() -> list[str]:
    """What was wrong in the data files when the catalog was loaded, one line each."""
    return list(_load()[1])


# --------------------------------------------------------------------------- checks


def placeholders(text: str) -> set[str]:
    """Names of the {placeholders} in a format string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def msgids(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """Every user-facing msgid of the catalog, with where it is: (where, msgid)."""
    for m in catalog.mandates:
        yield f"mandate {m.id} description", m.description
    for s in catalog.situations:
        yield f"situation {s.id} label", s.label
        for link in s.links:
            yield f"situation {s.id} link {link.mandate} reason", link.reason
    for f in catalog.facts:
        yield f"fact {f.id} text", f.text


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def _title_problems(m: Mandate) -> list[str]:
    """An official title is shown as the mandate's name: it must be in a shipped
    language, written out, and say which page gives it."""
    problems = []
    for lang, official in sorted(m.titles.items()):
        where = f"mandate {m.id}: official title in {lang!r}"
        if lang == DEFAULT or lang not in SHIPPED:
            problems.append(f"{where}: not a shipped language other than {DEFAULT}")
        if not official.title.strip() or official.title != official.title.strip():
            problems.append(f"{where}: empty, or with stray whitespace")
        if not re.search(r"https?://\S", official.source):
            problems.append(f"{where}: its source has no URL")
    return problems


def catalog_problems(catalog: Catalog) -> list[str]:
    """Everything wrong with the catalog, as readable lines (empty when all is well)."""
    problems: list[str] = []
    by_id = {m.id: m for m in catalog.mandates}
    fact_ids = {f.id for f in catalog.facts}
    guesses = {m.url_unverified_guess for m in catalog.mandates if m.url_unverified_guess}

    for kind, ids in (
        ("mandate", [m.id for m in catalog.mandates]),
        ("situation", [s.id for s in catalog.situations]),
        ("fact", [f.id for f in catalog.facts]),
    ):
        problems += [f"duplicate {kind} id: {i}" for i in _duplicates(ids)]

    for m in catalog.mandates:
        if m.scope == "country":
            if m.country is None or not re.fullmatch(r"[A-Z]{2}", m.country.iso2):
                problems.append(f"mandate {m.id}: country mandate without a 2-letter ISO code")
        elif m.country is not None:
            problems.append(f"mandate {m.id}: thematic mandate with a country")
        if m.url is not None:
            if not m.url.startswith(OHCHR_URL_PREFIX):
                problems.append(f"mandate {m.id}: url is not on {OHCHR_URL_PREFIX}: {m.url}")
            if m.url in guesses:
                problems.append(f"mandate {m.id}: url is an unverified guess: {m.url}")
        if not m.sources:
            problems.append(f"mandate {m.id}: no sources")
        if m.status != "active" and (m.status_fact is None):
            problems.append(f"mandate {m.id}: status {m.status} without a status_fact")
        if m.status_fact is not None and m.status_fact not in fact_ids:
            problems.append(f"mandate {m.id}: unknown status_fact {m.status_fact}")
        if m.country_fact is not None:
            if m.country_fact not in fact_ids:
                problems.append(f"mandate {m.id}: unknown country_fact {m.country_fact}")
            if m.scope != "country":
                problems.append(f"mandate {m.id}: country_fact on a thematic mandate")
        if m.status == "merged" and (m.merged_into is None or m.merged_into not in by_id):
            problems.append(f"mandate {m.id}: merged without a known merged_into")
        if m.merged_into is not None and m.merged_into not in by_id:
            problems.append(f"mandate {m.id}: unknown merged_into {m.merged_into}")
        problems += _title_problems(m)

    for scope, expected in EXPECTED_COUNTS_JUNE_2025.items():
        n = sum(1 for m in catalog.mandates if m.scope == scope and m.counted_in_june_2025)
        if n != expected:
            problems.append(f"{n} {scope} mandates counted in June 2025, expected {expected}")
        if catalog.counts_june_2025.get(scope) != expected:
            problems.append(f"counts_june_2025[{scope}] is not {expected}")

    for s in catalog.situations:
        problems += [
            f"situation {s.id}: mandate {i} linked twice"
            for i in _duplicates(link.mandate for link in s.links)
        ]
        for link in s.links:
            target = by_id.get(link.mandate)
            if target is None:
                problems.append(f"situation {s.id}: link to unknown mandate {link.mandate}")
            elif target.status not in ("active", "merged"):
                problems.append(
                    f"situation {s.id}: link to {link.mandate}, whose status is {target.status}"
                )
            if not link.source.strip():
                problems.append(f"situation {s.id}: link to {link.mandate} without a source")

    for f in catalog.facts:
        if not f.source.strip():
            problems.append(f"fact {f.id}: no source")
        try:
            names = placeholders(f.text)
        except ValueError as e:
            problems.append(f"fact {f.id}: bad placeholder syntax: {e}")
            continue
        problems += [
            f"fact {f.id}: placeholder {{{n}}} has no value" for n in sorted(names - set(f.values))
        ]
        problems += [f"fact {f.id}: value {n} is not used" for n in sorted(set(f.values) - names)]
    problems += [f"missing fact: {i}" for i in REQUIRED_FACTS if i not in fact_ids]

    for where, text in msgids(catalog):
        if _UNTRANSLATABLE.search(PLACEHOLDER.sub("", text)):
            problems.append(f"{where}: URL, e-mail, number or markup inside a msgid: {text!r}")
        elif text != text.strip() or "\n" in text:
            problems.append(f"{where}: msgid with stray whitespace or a line break")
    return problems


# --------------------------------------------------------------------------- queries


def country_mandates(catalog: Catalog) -> list[Mandate]:
    """Every mandate tied to one country, whatever its status, in catalog order."""
    return [m for m in catalog.mandates if m.scope == "country"]


class Pick(NamedTuple):
    mandate: Mandate
    reasons: list[str]  # msgids, one per situation that led here


@dataclass(frozen=True)
class Recommendation:
    lead: Pick | None
    joint: list[Pick]
    consider: list[Pick]  # fit only if what their reason says applies
    country: Mandate | None  # the country's mandate, whatever its status
    detention: bool  # WGAD is picked: show its rules
    disappearance: bool  # WGEID is picked: show its rules
    unsure: bool  # nothing specific fits: say so, point to the online form
    # Facts to show with this recommendation, in a sensible display order.
    facts: list[Fact] = field(default_factory=list)

    @property
    def picks(self) -> list[Pick]:
        return ([self.lead] if self.lead else []) + self.joint


def recommend(
    catalog: Catalog, situations: Iterable[str], country_iso2: str | None
) -> Recommendation:
    """Which experts fit these situations (ids) in this country. Pure; see module doc."""
    pressed = list(dict.fromkeys(situations))
    order = {s.id: i for i, s in enumerate(catalog.situations)}
    unknown = [s for s in pressed if s not in order]
    if unknown:
        raise KeyError(f"unknown situation ids: {unknown}")
    by_id = {m.id: m for m in catalog.mandates}
    chosen = sorted(
        (catalog.situations[order[s]] for s in pressed), key=lambda s: (-s.priority, order[s.id])
    )

    picks: dict[str, Pick] = {}
    maybe: dict[str, Pick] = {}
    status_facts: list[str] = []
    links = [link for situation in chosen for link in situation.links]
    # Core links first, so a mandate that is core for one pressed situation is
    # never demoted to "if it applies" by another.
    for link in sorted(links, key=lambda link: link.if_applies):
        mandate = by_id[link.mandate]
        if mandate.status != "active":
            if mandate.status_fact and mandate.status_fact not in status_facts:
                status_facts.append(mandate.status_fact)
            continue
        target = maybe if link.if_applies and link.mandate not in picks else picks
        pick = target.setdefault(link.mandate, Pick(mandate, []))
        if link.reason not in pick.reasons:
            pick.reasons.append(link.reason)

    country = None
    if country_iso2:
        code = country_iso2.upper()
        country = next(
            (m for m in country_mandates(catalog) if m.country and m.country.iso2 == code), None
        )
    ordered = list(picks.values())
    considered = list(maybe.values())
    detention = WGAD in picks
    disappearance = WGEID in picks
    country_active = country is not None and country.status == "active"
    # A merged mandate's fact (both old names, the merged one, the online form) is
    # itself the answer; "nothing fits" would contradict it.
    unsure = not ordered and not considered and not country_active and not status_facts

    fact_ids: list[str] = []
    if country is not None:
        if country.status_fact:
            fact_ids.append(country.status_fact)
        if country_active:
            fact_ids.append(country.country_fact or FACT_COUNTRY_MANDATE)
    fact_ids += status_facts
    if unsure:
        fact_ids.append(FACT_NOTHING_FITS)
    if len(ordered) + int(country_active) > 1:
        fact_ids.append(FACT_JOINT_ACTION)
    if detention or disappearance:
        fact_ids.append(FACT_WG_WHO_CAN_SUBMIT)
    if disappearance:
        fact_ids += [FACT_WGEID_CONSENT, FACT_WGEID_URGENT, FACT_WGEID_HUMANITARIAN]
    if detention:
        fact_ids += [FACT_WGAD_OPINION, FACT_WGAD_FOLLOWUP]
    if disappearance:
        fact_ids.append(FACT_WGEID_SESSIONS)
    if detention:
        fact_ids.append(FACT_WGAD_SESSIONS)
    if SITUATION_LAW in pressed:
        fact_ids.append(FACT_LAW_LETTER)
    shown = [p.mandate for p in ordered + considered]
    shown += [country] if country_active and country else []
    if any(m.url is None for m in shown):
        # What to do without a page: the form, or OHCHR's general mailbox.
        fact_ids += [FACT_CHECK_OHCHR_LIST, FACT_GENERAL_MAILBOX]
    fact_ids += [FACT_ONLINE_FORM, FACT_AS_OF]

    facts_by_id = {f.id: f for f in catalog.facts}
    return Recommendation(
        lead=ordered[0] if ordered else None,
        joint=ordered[1:],
        consider=considered,
        country=country,
        detention=detention,
        disappearance=disappearance,
        unsure=unsure,
        facts=[facts_by_id[i] for i in dict.fromkeys(fact_ids)],
    )
