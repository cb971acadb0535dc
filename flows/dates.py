"""Reading dates that people type, in any shipped language. Pure functions.

Numeric dates are read day first (15/03/2027), as in most of the world and in
French and Spanish; the date is always shown back in words, so a person who
meant month first sees the mistake. Month names come from Babel (CLDR) for every
shipped language (`flows.i18n.SHIPPED`), wide and abbreviated, so "15 mars 2027",
"15 de marzo de 2027", "March 15, 2027" and "15 марта 2027" all work.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date

from babel import Locale

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
    {"de", "del", "the", "of", "le", "el", "a", "en", "on", "in", "г", "года", "du", "au"}
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).rstrip(".")


@functools.cache
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for code in LANGUAGES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    names.setdefault(_fold(name), number)
    return names


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
    except ValueError:
        return None


def _next(month: int, day: int, today: date) -> date | None:
    """A date typed without a year: the next one to come."""
    candidate = _build(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _build(today.year + 1, month, day)
    return candidate


def parse_date(text: str, today: date) -> date | None:
    """The calendar date meant by `text`, or None. A date without a year is the next
    one to come."""
    cleaned = _digits(text.strip())
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
    if match := _ISO_MONTH.match(cleaned) or _CJK_MONTH.match(cleaned):
        year, month = int(match[1]), int(match[2])
    elif match := _NUMERIC_MONTH.match(cleaned):
        month, year = int(match[1]), int(match[2])
    else:
        words = [w for w in (_fold(w) for w in _WORD.findall(cleaned)) if w not in _FILLER]
        months = _month_names()
        found = [months[w] for w in words if w in months]
        numbers = [int(w) for w in words if w.isdigit()]
        if len(found) != 1 or len(numbers) != 1 or len(words) != 2:
            return None
        month, year = found[0], _year(str(numbers[0]))
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        return None
    return year, month
