"""Sixty-six everyday ways of typing a date, in the six shipped languages, each with
the date it means when the person types it on `TODAY` (a Sunday). Relative forms
("tomorrow", "in 3 days", "next Monday": the next Monday after today) count from
`TODAY`. Used by tests/flows/test_dates.py and bench/dates.py."""

from __future__ import annotations

from datetime import date

from flows.dates import parse_date

TODAY = date(2026, 11, 22)  # a Sunday

FORMS: list[tuple[str, str, date]] = [
    # English
    ("en", "tomorrow", date(2026, 11, 23)),
    ("en", "today", date(2026, 11, 22)),
    ("en", "in 3 days", date(2026, 11, 25)),
    ("en", "in 2 weeks", date(2026, 12, 6)),
    ("en", "next Monday", date(2026, 11, 23)),
    ("en", "Friday", date(2026, 11, 27)),
    ("en", "Monday 15 March", date(2027, 3, 15)),
    ("en", "15th of March", date(2027, 3, 15)),
    ("en", "March 15", date(2027, 3, 15)),
    ("en", "March 15th, 2027", date(2027, 3, 15)),
    ("en", "15/03", date(2027, 3, 15)),
    ("en", "15.03.2027", date(2027, 3, 15)),
    # French
    ("fr", "demain", date(2026, 11, 23)),
    ("fr", "après-demain", date(2026, 11, 24)),
    ("fr", "aujourd'hui", date(2026, 11, 22)),
    ("fr", "dans 3 jours", date(2026, 11, 25)),
    ("fr", "dans 2 semaines", date(2026, 12, 6)),
    ("fr", "lundi prochain", date(2026, 11, 23)),
    ("fr", "vendredi", date(2026, 11, 27)),
    ("fr", "1er mars", date(2027, 3, 1)),
    ("fr", "lundi 15 mars", date(2027, 3, 15)),
    ("fr", "15 mars 2027", date(2027, 3, 15)),
    ("fr", "le 3 décembre", date(2026, 12, 3)),
    # Spanish
    ("es", "mañana", date(2026, 11, 23)),
    ("es", "pasado mañana", date(2026, 11, 24)),
    ("es", "hoy", date(2026, 11, 22)),
    ("es", "dentro de 3 días", date(2026, 11, 25)),
    ("es", "en 3 días", date(2026, 11, 25)),
    ("es", "el próximo lunes", date(2026, 11, 23)),
    ("es", "viernes", date(2026, 11, 27)),
    ("es", "15 de setiembre", date(2027, 9, 15)),
    ("es", "1 de marzo de 2027", date(2027, 3, 1)),
    ("es", "lunes 15 de marzo", date(2027, 3, 15)),
    ("es", "1º de marzo", date(2027, 3, 1)),
    # Russian
    ("ru", "завтра", date(2026, 11, 23)),
    ("ru", "послезавтра", date(2026, 11, 24)),
    ("ru", "сегодня", date(2026, 11, 22)),
    ("ru", "через 3 дня", date(2026, 11, 25)),
    ("ru", "через 2 недели", date(2026, 12, 6)),
    ("ru", "в следующий понедельник", date(2026, 11, 23)),
    ("ru", "пятница", date(2026, 11, 27)),
    ("ru", "15 марта", date(2027, 3, 15)),
    ("ru", "15 мар 2027", date(2027, 3, 15)),
    ("ru", "1 марта 2027 г.", date(2027, 3, 1)),
    # Chinese
    ("zh", "明天", date(2026, 11, 23)),
    ("zh", "后天", date(2026, 11, 24)),
    ("zh", "今天", date(2026, 11, 22)),
    ("zh", "3天后", date(2026, 11, 25)),
    ("zh", "下周一", date(2026, 11, 23)),
    ("zh", "星期五", date(2026, 11, 27)),
    ("zh", "周五", date(2026, 11, 27)),
    ("zh", "3月15日", date(2027, 3, 15)),
    ("zh", "2027年3月15日", date(2027, 3, 15)),
    ("zh", "12月3日", date(2026, 12, 3)),
    # Arabic (standard, Levantine and Maghrebi month names)
    ("ar", "غدا", date(2026, 11, 23)),
    ("ar", "بعد غد", date(2026, 11, 24)),
    ("ar", "اليوم", date(2026, 11, 22)),
    ("ar", "بعد 3 أيام", date(2026, 11, 25)),
    ("ar", "الاثنين القادم", date(2026, 11, 23)),
    ("ar", "الجمعة", date(2026, 11, 27)),
    ("ar", "15 آذار", date(2027, 3, 15)),
    ("ar", "1 نيسان 2027", date(2027, 4, 1)),
    ("ar", "3 أيار", date(2027, 5, 3)),
    ("ar", "5 كانون الثاني", date(2027, 1, 5)),
    ("ar", "15 جانفي", date(2027, 1, 15)),
    ("ar", "10 مارس", date(2027, 3, 10)),
]


def misread() -> list[tuple[str, str, date, date | None]]:
    """The forms not read as the date they mean: (language, text, meant, read)."""
    wrong = []
    for lang, text, meant in FORMS:
        read = parse_date(text, TODAY)
        if read != meant:
            wrong.append((lang, text, meant, read))
    return wrong
