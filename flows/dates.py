"""Reading dates that people type, in any shipped language. Pure functions.

Numeric dates are read day first (15/03/2027), as in most of the world and in
French and Spanish; the date is always shown back in words, so a person who
meant month first sees the mistake. Month names come from Babel (CLDR) for every
shipped language (`flows.i18n.SHIPPED`), wide and abbreviated, so "15 mars 2027",
"15 de marzo de 2027", "March 15, 2027" and "15 марта 2027" all work; so do the
regional names CLDR gives for the same languages (Levantine آذار and كانون الثاني,
Maghrebi جانفي, Peruvian "setiembre"), ordinals ("15th", "1er", "1º") and a weekday
before the date ("Monday 15 March").

Relative dates count from `today`, with CLDR's own words for each language: "tomorrow",
"demain", "завтра", "明天", "غدا"; "in 3 days", "dans 2 semaines", "3天后"; "next Monday",
"lundi prochain", "下周一"; a weekday alone ("Friday") is the next one after today. A
few everyday forms CLDR does not list are added in `_EXTRA_PHRASES`.

Nothing typed makes these functions fail: a number too large for a date is no date.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, timedelta

from babel import Locale
from babel.localedata import locale_identifiers

from flows.i18n import SHIPPED

LANGUAGES = SHIPPED
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?$")
_CJK = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_CJK_MONTH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$")
_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_NUMERIC_MONTH = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_FILLER = frozenset(
    {"de", "del", "the", "of", "le", "el", "a", "en", "on", "in", "г", "года", "du", "au",
     # ordinal endings, split from their number: 15th, 1st, 1er, 1re, 1º, 2ème
     "st", "nd", "rd", "th", "er", "re", "e", "eme", "o", "º", "ª"}
)
MAX_DIGITS = 8  # a longer run of digits is no date (and int() of a huge one is slow)
MAX_AHEAD_DAYS = 3660  # "in N days/weeks" further than this is no date
_NUMBER = re.compile(r"\d+")
# Everyday relative forms CLDR does not list (its own are read from Babel): a phrase,
# folded, with {0} for a number, and how many days one unit is.
_EXTRA_PHRASES: tuple[tuple[str, int], ...] = (
    ("en {0} dias", 1), ("en {0} semanas", 7),  # es: "en 3 días"
    ("بعد {0} ايام", 1), ("بعد {0} يوم", 1), ("بعد {0} اسابيع", 7), ("بعد {0} اسبوع", 7),
    ("{0}天之后", 1), ("{0}周之后", 7),
)
_EXTRA_DAYS: dict[str, int] = {"بعد غد": 2, "in a week": 7}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).rstrip(".")


def _phrase(text: str) -> str:
    """A whole typed phrase, folded, with single spaces and no final punctuation."""
    return " ".join(_fold(text).split()).strip(" .,!?؟。")


@functools.cache
def _locales() -> tuple[Locale, ...]:
    """Every shipped language, then its regional variants in CLDR (ar_SY, ar_DZ, es_PE…)."""
    regional = sorted(
        name for name in locale_identifiers()
        if name.split("_")[0] in LANGUAGES and "_" in name
    )
    return tuple(Locale.parse(name) for name in (*LANGUAGES, *regional))


@functools.cache
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for locale in _locales():
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    names.setdefault(_fold(name), number)
    return names


@functools.cache
def _weekday_names() -> dict[str, int]:
    """Folded weekday names (Monday is 0), wide and abbreviated, every shipped language."""
    names: dict[str, int] = {}
    for code in LANGUAGES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.days[context][width].items():
                    names.setdefault(_fold(name), number)
    return names


_WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@functools.cache
def _relative() -> tuple[dict[str, int], dict[str, int], list[tuple[re.Pattern[str], int]]]:
    """From CLDR: phrases that name a day ("tomorrow": +1), phrases that name a weekday
    ("next Monday": 0) and patterns with a number ("in {0} days": 1 day a unit)."""
    days: dict[str, int] = dict(_EXTRA_DAYS)
    weekdays: dict[str, int] = {}
    patterns: list[tuple[re.Pattern[str], int]] = []

    def pattern(text: str, unit: int) -> None:
        parts = _phrase(text).split("{0}")
        if len(parts) == 2:  # one without a number ("خلال يومين", within two days) is left out
            before, after = (re.escape(part.strip()) for part in parts)
            patterns.append((re.compile(rf"^{before}\s*(\d+)\s*{after}$"), unit))

    for code in LANGUAGES:
        fields = Locale.parse(code)._data["date_fields"]
        for offset, text in fields["day"]["relative"].items():
            if offset >= 0:
                days.setdefault(_phrase(text), int(offset))
        for number, name in enumerate(_WEEKDAY_FIELDS):
            for offset in (0, 1):
                weekdays.setdefault(_phrase(fields[name]["relative"][offset]), number)
        for unit, field in ((1, "day"), (7, "week")):
            for text in fields[field]["future"].values():
                pattern(text, unit)
    for text, unit in _EXTRA_PHRASES:
        pattern(text, unit)
    return days, weekdays, patterns


def _after(today: date, weekday: int) -> date:
    """The next `weekday` (Monday is 0) after today."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _relative_date(text: str, today: date) -> date | None:
    days, weekdays, patterns = _relative()
    phrase = _phrase(text)
    if phrase in days:
        return today + timedelta(days=days[phrase])
    if phrase in weekdays:
        return _after(today, weekdays[phrase])
    if phrase in _weekday_names():
        return _after(today, _weekday_names()[phrase])
    for regex, unit in patterns:
        if match := regex.match(phrase):
            count = int(match[1]) * unit
            return today + timedelta(days=count) if 0 <= count <= MAX_AHEAD_DAYS else None
    return None


def _join_months(words: list[str]) -> list[str]:
    """Month names of two words ("كانون الثاني") become one word."""
    months = _month_names()
    joined: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and f"{words[i]} {words[i + 1]}" in months:
            joined.append(f"{words[i]} {words[i + 1]}")
            i += 2
        else:
            joined.append(words[i])
            i += 1
    return joined


def _digits(text: str) -> str:
    # Arabic-Indic and other decimal digits become ASCII, so "١٥/٣/٢٠٢٧" reads too;
    # invisible direction marks (Babel writes "15\u200f/03\u200f/2027" in Arabic) go.
    return "".join(
        str(unicodedata.digit(c)) if c.isdigit() else c
        for c in text
        if unicodedata.category(c) != "Cf"
    )


def _year(value: str) -> int:
    year = int(value)
    return 2000 + year if year < 100 else year


def _build(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _next(month: int, day: int, today: date) -> date | None:
    """A date typed without a year: the next one to come."""
    candidate = _build(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _build(today.year + 1, month, day)
    return candidate


def parse_date(text: str, today: date) -> date | None:
    """The calendar date meant by `text`, or None. A date without a year is the next
    one to come; a relative one ("tomorrow", "in 3 days") counts from `today`."""
    cleaned = _digits(text.strip())
    if any(len(run) > MAX_DIGITS for run in _NUMBER.findall(cleaned)):
        return None
    if (relative := _relative_date(cleaned, today)) is not None:
        return relative
    if match := _ISO.match(cleaned):
        return _build(int(match[1]), int(match[2]), int(match[3]))
    if match := _CJK.match(cleaned):
        if match[1] is None:
            return _next(int(match[2]), int(match[3]), today)
        return _build(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC.match(cleaned):
        day, month = int(match[1]), int(match[2])
        if match[3] is None:
            return _next(month, day, today)
        return _build(_year(match[3]), month, day)
    words = [w for w in (_fold(w) for w in _WORD.findall(cleaned)) if w not in _FILLER]
    months = _month_names()
    words = _join_months(words)
    # A weekday before or after the date ("Monday 15 March") says nothing more.
    words = [w for w in words if w not in _weekday_names() or w in months]
    named = [months[w] for w in words if w in months]
    numbers = [int(w) for w in words if w.isdigit()]
    if len(named) != 1 or not 1 <= len(numbers) <= 2 or len(words) != len(numbers) + 1:
        return None
    days = [n for n in numbers if 1 <= n <= 31]
    if not days:
        return None
    if len(numbers) == 1:
        return _next(named[0], days[0], today)
    years = [n for n in numbers if n != days[0] or numbers.count(n) > 1]
    return _build(_year(str(years[-1])), named[0], days[0]) if years else None


def parse_month_year(text: str) -> tuple[int, int] | None:
    """(year, month) meant by "March 2026", "mars 2026", "03/2026", "2026-03"…, or None."""
    cleaned = _digits(text.strip())
    if any(len(run) > MAX_DIGITS for run in _NUMBER.findall(cleaned)):
        return None
    if match := _ISO_MONTH.match(cleaned) or _CJK_MONTH.match(cleaned):
        year, month = int(match[1]), int(match[2])
    elif match := _NUMERIC_MONTH.match(cleaned):
        month, year = int(match[1]), int(match[2])
    else:
        words = [w for w in (_fold(w) for w in _WORD.findall(cleaned)) if w not in _FILLER]
        months = _month_names()
        words = _join_months(words)
        found = [months[w] for w in words if w in months]
        numbers = [int(w) for w in words if w.isdigit()]
        if len(found) != 1 or len(numbers) != 1 or len(words) != 2:
            return None
        month, year = found[0], _year(str(numbers[0]))
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        return None
    return year, month
