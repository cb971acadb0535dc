"""Typing a country in any shipped language finds it; near misses get suggestions."""

from __future__ import annotations

import time

import pytest
from babel import Locale

from flows.catalog import country_mandates, load_catalog
from flows.countries import COUNTRY_CODES, LANGUAGES, country_name, match_country, normalize

MANDATE_COUNTRIES = sorted(
    m.country.iso2 for m in country_mandates(load_catalog()) if m.country is not None
)


def test_every_mandate_country_is_listed() -> None:
    assert len(MANDATE_COUNTRIES) == 16
    assert {"SY", "SD", "HT", "IR", "KP", "PS", "RU", "MM"} <= set(MANDATE_COUNTRIES)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("iso2", MANDATE_COUNTRIES)
def test_babel_name_of_each_mandate_country_matches(iso2: str, lang: str) -> None:
    name = Locale.parse(lang).territories[iso2]
    assert match_country(name).iso2 == iso2
    assert match_country(f"  {name.upper()}  ").iso2 == iso2


@pytest.mark.parametrize("iso2", MANDATE_COUNTRIES)
def test_reference_name_of_each_mandate_country_matches(iso2: str) -> None:
    names = {
        m.country.name
        for m in country_mandates(load_catalog())
        if m.country and m.country.iso2 == iso2
    }
    for name in names:
        assert match_country(name).iso2 == iso2


@pytest.mark.parametrize(
    ("text", "iso2"),
    [
        ("Iran", "IR"),
        ("iran", "IR"),
        ("Islamic Republic of Iran", "IR"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Burma", "MM"),
        ("Myanmar", "MM"),
        ("DRC", "CD"),
        ("DR Congo", "CD"),
        ("Congo-Kinshasa", "CD"),
        ("Congo-Brazzaville", "CG"),
        ("North Korea", "KP"),
        ("DPRK", "KP"),
        ("South Korea", "KR"),
        ("Palestine", "PS"),
        ("Gaza", "PS"),
        ("West Bank", "PS"),
        ("Syria", "SY"),
        ("the Sudan", "SD"),
        ("UK", "GB"),
        ("Britain", "GB"),
        ("USA", "US"),
        ("US", "US"),
        ("U.S.", "US"),
        ("America", "US"),
        ("Ivory Coast", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Czech Republic", "CZ"),
        ("Laos", "LA"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Bolivia", "BO"),
        ("Venezuela", "VE"),
        ("Tanzania", "TZ"),
        ("Moldova", "MD"),
        ("East Timor", "TL"),
        ("Swaziland", "SZ"),
        ("Cape Verde", "CV"),
        ("Macedonia", "MK"),
        ("The Gambia", "GM"),
        ("El Salvador", "SV"),
        ("Corée du Nord", "KP"),
        ("coree du nord", "KP"),
        ("Birmanie", "MM"),
        ("Russie", "RU"),
        ("RDC", "CD"),
        ("la Syrie", "SY"),
        ("l'Iran", "IR"),
        ("Haïti", "HT"),
        ("Territoire palestinien occupé", "PS"),
        ("Birmania", "MM"),
        ("Rusia", "RU"),
        ("Irán", "IR"),
        ("Corea del Norte", "KP"),
        ("Palestina", "PS"),
        ("Siria", "SY"),
        ("EE. UU.", "US"),
        ("EEUU", "US"),
        ("el Sudán", "SD"),
        ("فلسطين", "PS"),
        ("سورية", "SY"),
        ("ايران", "IR"),
        ("السودان", "SD"),
        ("سودان", "SD"),
        ("北朝鲜", "KP"),
        ("巴勒斯坦", "PS"),
        ("刚果金", "CD"),
        ("北韓", "KP"),
        ("Северная Корея", "KP"),
        ("Палестина", "PS"),
        ("Белоруссия", "BY"),
        ("США", "US"),
        ("🇮🇷", "IR"),
    ],
)
def test_aliases_and_variants(text: str, iso2: str) -> None:
    assert match_country(text) == match_country(text)  # pure
    assert match_country(text).iso2 == iso2, text


@pytest.mark.parametrize(
    ("text", "iso2"),
    [("Afgh", "AF"), ("Eritr", "ER"), ("Kambo", None), ("Camb", "KH"), ("Somal", "SO")],
)
def test_unique_prefix_of_four_or_more(text: str, iso2: str | None) -> None:
    assert match_country(text).iso2 == iso2


def test_short_prefix_is_not_enough() -> None:
    assert match_country("Afg").iso2 is None


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Congo", {"CD", "CG"}),
        ("Korea", {"KP", "KR"}),
        ("Corée", {"KP", "KR"}),
        ("Конго", {"CD", "CG"}),
    ],
)
def test_ambiguous_names_ask(text: str, codes: set[str]) -> None:
    m = match_country(text)
    assert m.iso2 is None
    assert set(m.suggestions) == codes


@pytest.mark.parametrize(
    ("text", "iso2"),
    [
        ("Iraan", "IR"),
        ("Myanmr", "MM"),
        ("Sirya", "SY"),
        ("Belaruss", "BY"),
        ("Hayti", "HT"),
        ("Eritria", "ER"),
    ],
)
def test_typos_give_suggestions(text: str, iso2: str) -> None:
    m = match_country(text)
    assert m.iso2 is None
    assert iso2 in m.suggestions
    assert 0 < len(m.suggestions) <= 4
    assert all(code in COUNTRY_CODES for code in m.suggestions)


@pytest.mark.parametrize("text", ["xqzvkjw", "zzzzzz", "", "   ", "!!!", "12345"])
def test_gibberish_matches_nothing(text: str) -> None:
    m = match_country(text)
    assert m.iso2 is None
    assert len(m.suggestions) <= 4


def test_pseudo_regions_are_not_countries() -> None:
    for code in ("EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "001", "419"):
        assert code not in COUNTRY_CODES
    assert match_country("European Union").iso2 is None
    assert match_country("United Nations").iso2 is None
    assert match_country("Unknown Region").iso2 is None
    assert "XK" in COUNTRY_CODES  # Kosovo is a place people live
    assert len(COUNTRY_CODES) > 240


def test_normalize() -> None:
    assert normalize("  La Côte d’Ivoire! ") == "cote d ivoire"
    assert normalize("THE Gambia") == "gambia"
    assert normalize("de") == "de"  # a lone article is kept
    assert normalize("刚果（金）") == "刚果金"


def test_country_name() -> None:
    assert country_name("KP", "fr") == "Corée du Nord"
    assert country_name("KP", "en") == "North Korea"
    assert country_name("kp", "es") == "Corea del Norte"
    assert country_name("SY", "ar") == "سوريا"
    assert country_name("SY", "zh") == "叙利亚"
    assert country_name("RU", "ru") == "Россия"
    assert country_name("IR", "fr-CA") == "Iran"
    assert country_name("KP", "zh-Hant") == "北韓"
    assert country_name("KP", "xx-nonsense") == "North Korea"
    assert country_name("KP", "") == "North Korea"
    assert country_name("QQ", "fr") == "QQ"


def test_lookups_are_cheap() -> None:
    start = time.perf_counter()
    for _ in range(1000):
        match_country("Iran")
        match_country("Corée du Nord")
    exact = time.perf_counter() - start
    assert exact < 0.5
    start = time.perf_counter()
    for _ in range(20):
        match_country("Myanmr")
    assert (time.perf_counter() - start) / 20 < 0.05


def _territories() -> list[tuple[str, str | None]]:
    from flows.datafiles import read_json

    data = read_json("country_aliases.json", [])
    assert isinstance(data, dict)
    return [
        (name, entry["iso2"])
        for entry in data["territories"]["entries"]
        for names in entry["names"].values()
        for name in names
    ]


@pytest.mark.parametrize(("name", "iso2"), _territories())
def test_every_territory_name_is_recognised_never_guessed(name: str, iso2: str | None) -> None:
    m = match_country(name)
    assert (m.iso2, m.suggestions, m.region) == (iso2, [], iso2 is None)


@pytest.mark.parametrize("text", ["Somaliland", "Papua", "South Ossetia", "Papouasie"])
def test_a_territory_is_never_taken_for_a_country_with_a_similar_name(text: str) -> None:
    # Before: Papua -> Papua New Guinea, Somaliland -> "did you mean Somalia?".
    m = match_country(text)
    assert m.iso2 is None and m.suggestions == [] and m.region


def test_a_territory_without_a_code_or_source_is_reported() -> None:
    from flows.countries import _regions

    problems: list[str] = []
    regions = _regions({"territories": {"entries": [
        {"names": {"en": ["Nowhere"]}, "iso2": "QQ", "source": "x"},
        {"names": {"en": ["Elsewhere"]}, "iso2": None, "source": " "},
        {"names": {"en": ["Somewhere"]}, "iso2": None, "source": "x"},
    ]}}, {"FR"}, problems)
    assert regions == {"somewhere": ""}
    assert len(problems) == 2 and "unknown code QQ" in problems[0]


@pytest.mark.parametrize("text", ["Siberia", "Azad", "Oromia", "Jenin", "Araucania"])
def test_a_place_that_only_looks_like_a_country_name_is_not_offered_as_one(text: str) -> None:
    # Before: Siberia -> Liberia, Syria (a country mandate), Serbia; Azad -> Gaza (PS).
    m = match_country(text)
    assert m.iso2 is None
    assert not set(m.suggestions) & set(MANDATE_COUNTRIES)
    assert len(m.suggestions) <= 1
