"""The knowledge catalog: it loads, it is consistent, and recommendations follow the mapping."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from flows import catalog as cat
from flows.catalog import (
    Catalog,
    Fact,
    Link,
    Mandate,
    Situation,
    catalog_problems,
    country_mandates,
    load_catalog,
    recommend,
)
from flows.extract import extract_data

C = load_catalog()
REFERENCE = Path("/work/shared/reference/mandates.json")


def _replace_mandate(c: Catalog, mandate_id: str, **changes: Any) -> Catalog:
    mandates = [m.model_copy(update=changes) if m.id == mandate_id else m for m in c.mandates]
    return c.model_copy(update={"mandates": mandates})


def _has(problems: list[str], *words: str) -> bool:
    return any(all(w in p for w in words) for p in problems)


# --------------------------------------------------------------------------- loading


def test_catalog_loads_and_is_cached() -> None:
    assert load_catalog() is C
    assert len(C.mandates) == 63
    assert C.as_of == "2025-06"
    assert C.changes_to == "2025-10"
    assert any("slavery" in change for change in C.later_changes)
    assert [s.id for s in C.situations][-2:] == ["law", "other"]


def test_catalog_has_no_problems() -> None:
    assert catalog_problems(C) == []


def test_counts_and_statuses_match_the_reference() -> None:
    counted = [m for m in C.mandates if m.counted_in_june_2025]
    assert sum(m.scope == "thematic" for m in counted) == 46
    assert sum(m.scope == "country" for m in counted) == 14
    status = {m.id: m.status for m in C.mandates}
    assert status["sr-syria"] == "dormant"
    assert status["expert-sudan"] == status["expert-haiti"] == "hc_designated"
    assert status["ie-mali"] == "status_unverified"
    assert status["sr-slavery"] == status["sr-trafficking"] == "merged"
    assert status["sr-slavery-trafficking"] == "merged_new"
    assert sum(s == "active" for s in status.values()) == 56
    assert C.mandate("sr-slavery").merged_into == "sr-slavery-trafficking"


def test_reference_fields_are_kept_verbatim() -> None:
    if not REFERENCE.exists():
        pytest.skip("the shared reference folder is not available here")
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))["mandates"]
    ours = {m.id: m for m in C.mandates}
    assert set(ours) == {r["id"] for r in reference}
    for r in reference:
        m = ours[r["id"]]
        assert m.title == r["title"]
        assert m.sources == r["sources"]
        assert m.status_note == r["status"]
        assert m.individual_cases == r["individual_cases"]
        assert m.counted_in_june_2025 == r["counted_in_june_2025_total"]
        assert (m.country.model_dump() if m.country else None) == r["country"]
        # A url is never invented: it is the reference's, or the path seen in a cited source.
        assert m.url in (r["url"], None) or m.review_note


def test_urls_are_safe() -> None:
    for m in C.mandates:
        if m.url:
            assert m.url.startswith("https://www.ohchr.org/")
            assert m.url != m.url_unverified_guess


def test_bad_data_fails_loudly() -> None:
    data = C.model_dump()
    data["mandates"][0]["status"] = "probably fine"
    with pytest.raises(ValidationError):
        Catalog.model_validate(data)
    data = C.model_dump()
    data["situations"][0]["label"] = "x" * 41
    with pytest.raises(ValidationError):
        Catalog.model_validate(data)
    data = C.model_dump()
    data["facts"][0]["surprise"] = 1
    with pytest.raises(ValidationError):
        Catalog.model_validate(data)


# --------------------------------------------------------------------------- problems


def test_detects_link_to_unknown_mandate() -> None:
    s = C.situations[0]
    broken_situation = s.model_copy(
        update={"links": [*s.links, Link(mandate="sr-nowhere", reason="Why.", source="x")]}
    )
    broken = C.model_copy(update={"situations": [broken_situation, *C.situations[1:]]})
    assert _has(catalog_problems(broken), "unknown mandate", "sr-nowhere")


def test_detects_link_to_mandate_that_is_not_active() -> None:
    s = C.situations[0]
    # A merged mandate may be linked: recommend shows the merger fact instead of it.
    for target in ("sr-syria", "expert-sudan", "sr-slavery-trafficking"):
        link = Link(mandate=target, reason="Why.", source="x")
        broken_situation = s.model_copy(update={"links": [*s.links, link]})
        broken = C.model_copy(update={"situations": [broken_situation, *C.situations[1:]]})
        assert _has(catalog_problems(broken), target, "status")


def test_detects_country_mandate_without_iso_code() -> None:
    broken = _replace_mandate(C, "sr-iran", country=None)
    assert _has(catalog_problems(broken), "sr-iran", "ISO")
    bad_country = C.mandate("sr-iran").country
    assert bad_country is not None
    broken = _replace_mandate(C, "sr-iran", country=bad_country.model_copy(update={"iso2": "IRN"}))
    assert _has(catalog_problems(broken), "sr-iran", "ISO")


def test_detects_unsafe_urls() -> None:
    broken = _replace_mandate(C, "sr-housing", url="https://ohchr.example.org/sr-housing")
    assert _has(catalog_problems(broken), "sr-housing", "url")
    broken = _replace_mandate(
        C, "sr-housing", url="http://www.ohchr.org/en/special-procedures/sr-housing"
    )
    assert _has(catalog_problems(broken), "sr-housing", "url")
    guess = C.mandate("sr-belarus").url_unverified_guess
    broken = _replace_mandate(C, "sr-belarus", url=guess)
    assert _has(catalog_problems(broken), "sr-belarus", "unverified guess")
    # Another mandate's guess is not a verified url either.
    broken = _replace_mandate(C, "sr-housing", url=guess)
    assert _has(catalog_problems(broken), "sr-housing", "unverified guess")


def test_detects_wrong_counts() -> None:
    broken = _replace_mandate(C, "sr-housing", counted_in_june_2025=False)
    assert _has(catalog_problems(broken), "45 thematic", "expected 46")
    broken = _replace_mandate(C, "expert-sudan", counted_in_june_2025=True)
    assert _has(catalog_problems(broken), "15 country", "expected 14")


def test_detects_fact_without_source_and_missing_placeholder_value() -> None:
    form = C.fact("online_form")
    no_source = form.model_copy(update={"source": "  "})
    no_value = form.model_copy(update={"values": {}})
    facts = [f for f in C.facts if f.id != "online_form"]
    problems = catalog_problems(C.model_copy(update={"facts": [*facts, no_source]}))
    assert _has(problems, "online_form", "no source")
    problems = catalog_problems(C.model_copy(update={"facts": [*facts, no_value]}))
    assert _has(problems, "online_form", "{url}", "no value")
    problems = catalog_problems(C.model_copy(update={"facts": facts}))
    assert _has(problems, "missing fact", "online_form")


def test_detects_duplicate_ids() -> None:
    broken = C.model_copy(update={"mandates": [*C.mandates, C.mandates[0]]})
    assert _has(catalog_problems(broken), "duplicate mandate id", C.mandates[0].id)
    broken = C.model_copy(update={"situations": [*C.situations, C.situations[0]]})
    assert _has(catalog_problems(broken), "duplicate situation id", C.situations[0].id)
    broken = C.model_copy(update={"facts": [*C.facts, C.facts[0]]})
    assert _has(catalog_problems(broken), "duplicate fact id", C.facts[0].id)


def test_detects_untranslatable_msgids() -> None:
    broken = _replace_mandate(C, "sr-housing", description="See https://www.ohchr.org/ now.")
    assert _has(catalog_problems(broken), "sr-housing", "msgid")
    bad = Fact(id="mail", text="Write to someone@un.org.", values={}, source="x")
    broken = C.model_copy(update={"facts": [*C.facts, bad]})
    assert _has(catalog_problems(broken), "fact mail", "msgid")


def test_detects_non_active_mandate_without_status_fact() -> None:
    broken = _replace_mandate(C, "sr-syria", status_fact=None)
    assert _has(catalog_problems(broken), "sr-syria", "status_fact")


def test_user_facing_text_is_plain_and_short() -> None:
    for where, text in cat.msgids(C):
        assert text == text.strip(), where
        assert "http" not in text and "@" not in text, where
    for s in C.situations:
        assert len(s.label) <= 40 and len(s.id) <= 12 and s.id.isascii()


# --------------------------------------------------------------------------- recommend


@pytest.mark.parametrize("situation", [s.id for s in C.situations])
def test_each_situation_alone_gives_exactly_its_mapping(situation: str) -> None:
    s = C.situation(situation)
    r = recommend(C, [situation], None)
    active = [link for link in s.links if C.mandate(link.mandate).status == "active"]
    core = [link.mandate for link in active if not link.if_applies]
    maybe = [link.mandate for link in active if link.if_applies]
    assert [p.mandate.id for p in r.picks] == core
    assert [p.mandate.id for p in r.consider] == maybe
    if core:
        assert r.lead is not None and r.lead.mandate.id == core[0]
    else:
        assert r.lead is None
    assert r.unsure == (not s.links)
    ordered_links = [link for link in active if not link.if_applies] + [
        link for link in active if link.if_applies
    ]
    for pick, link in zip(r.picks + r.consider, ordered_links, strict=True):
        assert pick.mandate == C.mandate(link.mandate)
        assert pick.mandate.status not in ("dormant", "hc_designated")
        assert pick.mandate.status == "active"
        assert pick.reasons == [link.reason]
    assert r.facts[-2:] == [C.fact("online_form"), C.fact("as_of")]


def test_detained_defender_who_organised_a_protest() -> None:
    # The ISHR guide's joint-communication example.
    r = recommend(C, ["assembly", "defender", "detention"], None)
    assert r.lead is not None and r.lead.mandate.id == "wgad"
    joint = [p.mandate.id for p in r.joint]
    assert "sr-hrds" in joint and "sr-assembly-association" in joint
    assert len(joint) == len(set(joint))
    assert r.detention and not r.disappearance and not r.unsure
    fact_ids = [f.id for f in r.facts]
    assert "joint_action" in fact_ids and "wgad_opinion" in fact_ids


def test_disappearance_leads_with_wgeid() -> None:
    r = recommend(C, ["disappear"], None)
    assert r.lead is not None and r.lead.mandate.id == "wgeid"
    assert r.disappearance
    fact_ids = [f.id for f in r.facts]
    assert {"wgeid_urgent", "wgeid_humanitarian", "wgeid_consent", "wg_who_can_submit"} <= set(
        fact_ids
    )
    # Disappearance outranks detention whatever the order pressed.
    r = recommend(C, ["detention", "disappear"], None)
    assert r.lead is not None and r.lead.mandate.id == "wgeid"
    assert r.detention and r.disappearance


def test_a_mandate_reached_twice_carries_both_reasons() -> None:
    r = recommend(C, ["detention", "trial"], None)
    wgad = next(p for p in r.picks if p.mandate.id == "wgad")
    assert wgad.reasons == [
        C.situation("detention").links[0].reason,
        C.situation("trial").links[1].reason,
    ]
    assert [p.mandate.id for p in r.picks].count("wgad") == 1


def test_priority_orders_the_joint_list() -> None:
    r = recommend(C, ["social", "killing", "torture"], None)
    assert [p.mandate.id for p in r.picks] == ["sr-executions", "sr-torture"]
    assert r.consider[0].mandate.id == "sr-health"


def test_a_core_link_is_never_demoted_by_a_conditional_one() -> None:
    # detention links WGAD as core; trial links it only "if detained after an unfair trial".
    r = recommend(C, ["trial", "detention"], None)
    assert r.lead is not None and r.lead.mandate.id == "wgad"
    assert "wgad" not in [p.mandate.id for p in r.consider]
    assert len(r.lead.reasons) == 2


def test_conditional_mandates_are_listed_apart() -> None:
    r = recommend(C, ["detention"], None)
    assert [p.mandate.id for p in r.picks] == ["wgad"]
    assert [p.mandate.id for p in r.consider] == ["sr-torture"]


@pytest.mark.parametrize("situations", [["other"], ["law"], ["law", "other"], []])
def test_nothing_specific_fits(situations: list[str]) -> None:
    r = recommend(C, situations, None)
    assert r.unsure and r.lead is None and r.joint == []
    assert not r.detention and not r.disappearance
    fact_ids = [f.id for f in r.facts]
    assert "nothing_fits" in fact_ids and "online_form" in fact_ids
    assert ("law_letter" in fact_ids) == ("law" in situations)


def test_law_with_a_theme_is_not_unsure() -> None:
    r = recommend(C, ["law", "expression"], None)
    assert not r.unsure
    assert r.lead is not None and r.lead.mandate.id == "sr-freedom-of-expression"
    assert "law_letter" in [f.id for f in r.facts]


def test_unknown_situation_fails_loudly() -> None:
    with pytest.raises(KeyError):
        recommend(C, ["detention", "alien-abduction"], None)


def test_country_mandates() -> None:
    r = recommend(C, ["torture"], "SY")
    assert r.country is not None and r.country.id == "sr-syria" and r.country.status == "dormant"
    assert "syria_dormant" in [f.id for f in r.facts]
    assert r.lead is not None and r.lead.mandate.id == "sr-torture"
    for code, mandate_id in (("SD", "expert-sudan"), ("HT", "expert-haiti")):
        r = recommend(C, ["torture"], code)
        assert r.country is not None and r.country.id == mandate_id
        assert r.country.status == "hc_designated"
        expected = "hc_designated_haiti" if code == "HT" else "hc_designated_expert"
        assert expected in [f.id for f in r.facts]
    r = recommend(C, ["torture"], "ir")
    assert r.country is not None and r.country.id == "sr-iran" and r.country.status == "active"
    assert "country_mandate" in [f.id for f in r.facts]
    r = recommend(C, ["torture"], "ML")
    assert r.country is not None and r.country.status == "status_unverified"
    assert "mali_unverified" in [f.id for f in r.facts]
    assert recommend(C, ["torture"], "FR").country is None
    assert recommend(C, ["torture"], None).country is None


def test_country_mandate_alone() -> None:
    # An active country mandate covers any issue in the country: not "unsure".
    assert not recommend(C, ["other"], "IR").unsure
    # A dormant or HC-designated one does not: the advice is the online form.
    assert recommend(C, ["other"], "SY").unsure
    assert recommend(C, ["other"], "SD").unsure


def test_country_mandates_list() -> None:
    mandates = country_mandates(C)
    assert len(mandates) == 16
    assert all(m.scope == "country" and m.country is not None for m in mandates)
    assert sum(m.counted_in_june_2025 for m in mandates) == 14


def test_merged_mandates_are_never_picked_silently() -> None:
    # A (hypothetical) link to a merged mandate shows the merger fact instead.
    link = Link(mandate="sr-slavery", reason="Forced labour.", source="x")
    extra = Situation(id="slavery2", label="Slavery", priority=1, links=[link])
    c = C.model_copy(update={"situations": [*C.situations, extra]})
    r = recommend(c, ["slavery2"], None)
    assert r.picks == [] and not r.unsure  # the merger fact is the answer
    assert "slavery_trafficking_merger" in [f.id for f in r.facts]
    merger = C.fact("slavery_trafficking_merger")
    text = merger.render()
    for mandate_id in ("sr-slavery", "sr-trafficking", "sr-slavery-trafficking"):
        assert C.mandate(mandate_id).title in text
    assert "{" not in text


def test_fact_render_fills_translated_text() -> None:
    form = C.fact("online_form")
    assert "https://spsubmission.ohchr.org/" in form.render()
    assert form.render("Formulaire : {url}") == "Formulaire : https://spsubmission.ohchr.org/"


def test_no_unverified_guess_is_offered_as_a_link() -> None:
    for situation in C.situations:
        for pick in recommend(C, [situation.id], None).picks:
            m: Mandate = pick.mandate
            assert m.url is None or m.url != m.url_unverified_guess


# --------------------------------------------------------------------------- extraction


def test_extractor_yields_every_msgid_with_its_line() -> None:
    from importlib import resources

    found: dict[str, int] = {}
    names = sorted(
        entry.name for entry in (resources.files("flows") / "data").iterdir()
        if entry.name.endswith(".json") and entry.name != "cards.json"
    )
    for name in names:
        raw = resources.files("flows").joinpath("data", name).read_bytes()
        lines = raw.decode("utf-8").splitlines()
        for lineno, funcname, msgid, comments in extract_data(io.BytesIO(raw), [], [], {}):
            assert funcname is None and comments
            assert lineno > 0 and json.dumps(msgid, ensure_ascii=False) in lines[lineno - 1]
            found[msgid] = lineno
    assert {text for _, text in cat.msgids(C)} == set(found)


def test_forced_labour_and_trafficking_show_the_merger_not_nothing_fits() -> None:
    r = recommend(C, ["slavery"], None)
    assert not r.unsure and r.lead is None
    ids = [f.id for f in r.facts]
    assert "slavery_trafficking_merger" in ids and "nothing_fits" not in ids
    assert "online_form" in ids


def test_the_opt_mandate_has_its_own_framing_fact_not_any_issue() -> None:
    r = recommend(C, ["expression"], "PS")
    ids = [f.id for f in r.facts]
    assert "opt_mandate" in ids and "country_mandate" not in ids
    assert "country_mandate" in [f.id for f in recommend(C, ["expression"], "BY").facts]


def test_an_unknown_or_misplaced_country_fact_is_reported() -> None:
    opt = C.mandate("sr-opt")
    torture = C.mandate("sr-torture")
    broken = C.model_copy(update={"mandates": [
        opt.model_copy(update={"country_fact": "nope"}),
        torture.model_copy(update={"country_fact": "opt_mandate"}),
        *[m for m in C.mandates if m.id not in ("sr-opt", "sr-torture")],
    ]})
    problems = catalog_problems(broken)
    assert _has(problems, "sr-opt", "unknown country_fact nope")
    assert _has(problems, "sr-torture", "country_fact on a thematic mandate")


# --------------------------------------------------------------------------- official titles


def test_every_official_title_is_written_out_and_keeps_its_source_url() -> None:
    titles = [(m, lang, o) for m in C.mandates for lang, o in m.titles.items()]
    assert len(titles) >= 20
    for m, lang, official in titles:
        assert lang in ("fr", "es", "ar", "zh", "ru"), (m.id, lang)
        assert official.title.strip() == official.title and official.title != m.title
        assert "http" in official.source and "://" in official.source, (m.id, lang)


@pytest.mark.parametrize(("titles", "words"), [
    ({"fr": cat.OfficialTitle(title="", source="https://www.ohchr.org/fr/x")}, ("'fr'", "empty")),
    ({"fr": cat.OfficialTitle(title="Titre", source="a press release")}, ("'fr'", "no URL")),
    ({"en": cat.OfficialTitle(title="Title", source="https://www.ohchr.org/en/x")},
     ("'en'", "shipped")),
    ({"de": cat.OfficialTitle(title="Titel", source="https://www.ohchr.org/de/x")},
     ("'de'", "shipped")),
])
def test_an_official_title_without_text_url_or_shipped_language_is_a_problem(
    titles: dict[str, cat.OfficialTitle], words: tuple[str, ...]
) -> None:
    broken = _replace_mandate(C, "sr-housing", titles=titles)
    assert _has(catalog_problems(broken), "sr-housing", "official title", *words)


def test_the_name_is_the_official_title_where_there_is_one_else_english() -> None:
    belarus = next(m for m in C.mandates if m.id == "sr-belarus")
    assert belarus.name_in("fr") == (
        "Rapporteur spécial sur la situation des droits de l'homme au Bélarus")
    bare = belarus.model_copy(update={"titles": {}})
    assert bare.name_in("fr") == belarus.title
