"""Languages: which catalog a person gets, and how text, counts and dates are rendered.

Catalogs are gettext `.po` files under `locales/`; a built package carries them
in `flows/locales/` (see setup.py). A `.mo` beside a `.po` is used when it is at
least as new; otherwise the `.po` is compiled in memory on first use, so neither a
fresh clone nor an installed wheel needs a compile step.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import os
import re
from datetime import date
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

DOMAIN = "messages"
DEFAULT = "en"
# THE list of shipped languages: every part of the project reads it (catalogs,
# country names, dates, `locales/update.sh`, the benches). Each entry is the code
# and the name the language has for itself, shown on its button untranslated; the
# order is the order of the language buttons. Adding a language is one entry here
# plus its catalog; tests/flows/test_languages.py then demands that its dates and
# country names can be read.
NATIVE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文",
    "ru": "Русский",
}
SHIPPED: tuple[str, ...] = tuple(NATIVE_NAMES)
# The shipped languages written right to left.
RTL = frozenset({"ar"})
FSI, PDI = "\u2068", "\u2069"
# A named {placeholder} in a message; the one pattern the catalog, the cards and the
# translation check use.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (keyword NP_:1,2); shown with `T.n`."""
    return singular, plural


def locales_dir() -> Path:
    configured = os.environ.get("SP_ADVISOR_LOCALES_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve().parent
    # Installed from a wheel: the catalogs travel inside the package. Looked at
    # first, because the checkout's place (site-packages/locales once installed)
    # could belong to some other package.
    packaged = here / "locales"
    if packaged.is_dir():
        return packaged
    return here.parent / "locales"


def negotiate(tag: str | None) -> str | None:
    """Map a client's language tag (e.g. Telegram's `pt-br`, `fr`, `es-419`) to a shipped
    locale, or None when we do not ship it."""
    if not tag:
        return None
    base = tag.replace("_", "-").split("-", 1)[0].strip().lower()
    return base if base in SHIPPED else None


@functools.cache
def _translations(locale: str) -> _gettext.NullTranslations:
    if locale == DEFAULT:
        # English message ids are the English text.
        return _gettext.NullTranslations()
    base = locales_dir() / locale / "LC_MESSAGES"
    po, mo = base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    # Fuzzy entries are not used: an unchecked translation is worse than English.
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


class T:
    """The translator handed to flows: `t("msgid", name=value)`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in SHIPPED else DEFAULT
        self._tr = _translations(self.locale)
        self.rtl = self.locale in RTL

    def _iso(self, value: object) -> str:
        # Numbers are written the person's way: counts (int) as 9,000 / 9 000 / 9.000,
        # shares (float, 0 to 1) as 58% / 58 % / ٥٨٪. Keeping "%" out of message ids also
        # keeps gettext's format checks quiet.
        if isinstance(value, bool):
            text = str(value)
        elif isinstance(value, int):
            text = format_decimal(value, locale=self.locale)
        elif isinstance(value, float):
            text = format_percent(value, locale=self.locale)
        else:
            text = str(value)
        # In a right-to-left message, an interpolated Latin name or URL would
        # otherwise reorder the text around it.
        return f"{FSI}{text}{PDI}" if self.rtl else text

    def __call__(self, msgid: str, **values: object) -> str:
        text = self._tr.gettext(msgid)
        if values:
            text = text.format(**{k: self._iso(v) for k, v in values.items()})
        return text

    def n(self, forms: tuple[str, str], count: int, **values: object) -> str:
        text = self._tr.ngettext(forms[0], forms[1], count)
        return text.format(count=count, **{k: self._iso(v) for k, v in values.items()})

    def date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def language_name(self, code: str) -> str:
        return Locale.parse(code).get_display_name(self.locale) or code


@functools.cache
def translator(locale: str | None) -> T:
    return T(locale or DEFAULT)
