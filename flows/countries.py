"""Recognise a country typed in any shipped language, and name a country in a locale.

Names come from Babel's (CLDR) territory names in every shipped language (plus
Traditional Chinese, which users of zh also type), restricted to real countries
and territories with two-letter codes, and from `flows/data/country_aliases.json`
(common variants: "DRC", "Burma", "Corée du Nord", "EE. UU.", ...). Regions and
territories people type instead of a country ("Crimea", "Tigray", "Tibet") are listed
there too, under "territories": they are never matched to a country by similarity,
only to the country the reference itself ties them to, if any. The index is
built once at import; a lookup is a dict access, a bisect for prefixes, and only
when nothing matches a `difflib` comparison against names in the same script.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError

from flows.datafiles import read_json
from flows.i18n import SHIPPED

LANGUAGES: tuple[str, ...] = SHIPPED
_INDEX_LOCALES: tuple[str, ...] = (*LANGUAGES, "zh_Hant")

# Two-letter CLDR codes that are not countries or territories a person lives in:
# groupings (EU, EZ, UN), outlying/unknown (QO, ZZ), pseudo-locales (XA, XB) and
# ISO "exceptionally reserved" codes that are parts of other countries (AC, CP,
# CQ, DG, EA, IC, TA). XK (Kosovo) is kept: it is in common use.
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)
_ARTICLES = frozenset({"the", "la", "le", "l", "les", "el", "los", "las", "del", "de"})
_MIN_PREFIX = 4
_MAX_SUGGESTIONS = 4
_MAX_LENGTH_CHANGE = 1  # letters a misspelling may add or drop
_ARABIC_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"})


@dataclass(frozen=True)
class CountryMatch:
    iso2: str | None  # the one country meant, if it is clear
    suggestions: list[str] = field(default_factory=list)  # iso2 codes to offer when it is not
    # A region or territory whose country's expert, if any, the reference does not name.
    region: bool = False


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def normalize(text: str) -> str:
    """Casefold, strip accents and punctuation, drop leading articles."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.translate(_ARABIC_FOLD)
    tokens = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    while len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens.pop(0)
    if tokens and tokens[0].startswith("ال") and len(tokens[0]) > 3:
        tokens[0] = tokens[0][2:]  # the Arabic article is written joined to the word
    if any(_is_cjk(ch) for token in tokens for ch in token):
        return "".join(tokens)
    return " ".join(tokens)


def _script(name: str) -> str:
    for ch in name:
        if ch.isalpha():
            return "CJK" if _is_cjk(ch) else unicodedata.name(ch, "OTHER").split()[0]
    return "OTHER"


def _variants(name: str) -> list[str]:
    """A name, then its parts around a parenthesis: "Myanmar (Burma)" -> "Myanmar", "Burma"."""
    out = [name]
    for open_, close in (("(", ")"), ("（", "）")):
        if open_ in name and name.endswith(close):
            head, _, tail = name.partition(open_)
            out += [part for part in (head, tail[: -len(close)]) if len(normalize(part)) >= 2]
    return out


def _territories(locale: str) -> Mapping[str, str]:
    return {
        code: name
        for code, name in Locale.parse(locale).territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def _regions(data: dict[str, object], valid: set[str], problems: list[str]) -> dict[str, str]:
    """Normalised name of a region or territory -> the code the reference ties it to,
    or "" where it names none."""
    section = data.get("territories")
    entries = section.get("entries", []) if isinstance(section, dict) else []
    out: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        code = entry.get("iso2") or ""
        if code and code not in valid:
            problems.append(f"country_aliases.json: territories: unknown code {code}")
            continue
        if not str(entry.get("source", "")).strip():
            problems.append(f"country_aliases.json: territories: no source for {entry}")
            continue
        for names in entry.get("names", {}).values():
            for name in names:
                out[normalize(name)] = code
    return out


def _build(
    problems: list[str],
) -> tuple[
    dict[str, frozenset[str]], list[tuple[str, str]], dict[str, list[str]], dict[str, str]
]:
    exact: dict[str, set[str]] = {}
    # Parts of a name around a parenthesis ("Burma" in "Myanmar (Burma)") only count
    # where no full name or alias says otherwise: "China" in "Hong Kong (China)" must
    # not make "China" ambiguous.
    partial: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        full, *parts = _variants(name)
        key = normalize(full)
        if key:
            exact.setdefault(key, set()).add(code)
        for part in parts:
            partial.setdefault(normalize(part), set()).add(code)

    for locale in _INDEX_LOCALES:
        for code, name in _territories(locale).items():
            add(name, code)
    data = read_json("country_aliases.json", problems)
    data = data if isinstance(data, dict) else {}
    valid = set(_territories("en"))
    for per_code in data.get("aliases", {}).values():
        for code, names in per_code.items():
            if code not in valid:
                problems.append(f"country_aliases.json: unknown code {code}")
                continue
            for name in names:
                add(name, code)
    for key, codes in partial.items():
        if key not in exact:
            exact[key] = codes
    for per_name in data.get("ambiguous", {}).values():
        for name, codes in per_name.items():
            exact.setdefault(normalize(name), set()).update(codes)

    frozen = {key: frozenset(codes) for key, codes in exact.items()}
    ordered = sorted((key, code) for key, codes in frozen.items() for code in sorted(codes))
    by_script: dict[str, list[str]] = {}
    for key in frozen:
        by_script.setdefault(_script(key), []).append(key)
    return frozen, ordered, by_script, _regions(data, valid, problems)


_PROBLEMS: list[str] = []
_EXACT, _SORTED, _BY_SCRIPT, _REGIONS = _build(_PROBLEMS)
_SORTED_KEYS = [key for key, _ in _SORTED]
COUNTRY_CODES: frozenset[str] = frozenset(code for codes in _EXACT.values() for code in codes)


def load_problems() -> list[str]:
    """What was wrong in country_aliases.json, one line each (those entries are left out)."""
    return list(_PROBLEMS)


def _flag(text: str) -> str | None:
    """The code of a flag emoji (two regional indicator symbols), if that is what was typed."""
    chars = [ch for ch in text.strip() if not ch.isspace()]
    if len(chars) == 2 and all("\U0001f1e6" <= ch <= "\U0001f1ff" for ch in chars):
        return "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in chars)
    return None


def _ordered(codes: frozenset[str] | set[str]) -> list[str]:
    return sorted(codes)[:_MAX_SUGGESTIONS]


def match_country(text: str) -> CountryMatch:
    """The country meant by `text` (any shipped language), or codes to suggest."""
    flag = _flag(text)
    if flag in COUNTRY_CODES:
        return CountryMatch(flag)
    key = normalize(text)
    if not key:
        return CountryMatch(None)
    codes = _EXACT.get(key)
    if codes is not None:
        if len(codes) == 1:
            return CountryMatch(next(iter(codes)))
        return CountryMatch(None, _ordered(codes))
    if key in _REGIONS:
        # Never a guess: the country the reference names, or the person is asked.
        return CountryMatch(_REGIONS[key] or None, region=not _REGIONS[key])
    if len(key) >= _MIN_PREFIX:
        found: set[str] = set()
        i = bisect.bisect_left(_SORTED_KEYS, key)
        while i < len(_SORTED) and _SORTED[i][0].startswith(key):
            found.add(_SORTED[i][1])
            i += 1
        if len(found) == 1:
            return CountryMatch(found.pop())
        if found:
            return CountryMatch(None, _ordered(found))
    candidates = _BY_SCRIPT.get(_script(key)) or list(_EXACT)
    # Only close misspellings: a region's name ("Crimea", "Tigray", "Tibet", "Siberia")
    # must not bring a wrong country and its expert; then the person is asked again.
    # A typo keeps the first letter and about the length ("Myanmr", "Sirya", "Iraan").
    suggestions: list[str] = []
    for close in difflib.get_close_matches(key, candidates, n=12, cutoff=0.75):
        if close[0] != key[0] or abs(len(close) - len(key)) > _MAX_LENGTH_CHANGE:
            continue
        for code in sorted(_EXACT[close]):
            if code not in suggestions:
                suggestions.append(code)
    return CountryMatch(None, suggestions[:_MAX_SUGGESTIONS])


@functools.lru_cache(maxsize=64)
def _names_for(locale: str) -> Mapping[str, str]:
    try:
        return Locale.parse(locale.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError, TypeError):
        return _names_for("en") if locale != "en" else {}


def country_name(iso2: str, locale: str) -> str:
    """The country's name in `locale` (Babel), falling back to English, then the code."""
    code = iso2.upper()
    return _names_for(locale).get(code) or _names_for("en").get(code) or code
