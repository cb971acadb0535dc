"""Every shipped catalog is complete, nothing fuzzy, placeholders identical, and the
template is current with the code (nothing extracted is missing from it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.check import locale_problems
from flows.i18n import SHIPPED, locales_dir, translator

ROOT = Path(__file__).resolve().parents[2]


def test_every_catalog_is_complete_and_consistent() -> None:
    assert locale_problems() == []


def test_the_template_matches_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "NP_:1,2", "--no-location", "--sort-output", "--omit-header",
         "-o", str(fresh), "."],
        cwd=ROOT, check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    with fresh.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (locales_dir() / "messages.pot").open("rb") as fh:
        have = {m.id for m in read_po(fh) if m.id}
    missing = sorted(str(m)[:60] for m in wanted - have)
    assert not missing, f"run locales/update.sh; not in messages.pot: {missing[:5]}"


@pytest.mark.parametrize("locale", [code for code in SHIPPED if code != "en"])
def test_a_translated_string_is_really_used(locale: str) -> None:
    assert translator(locale)("Main menu") != "Main menu"


def test_locale_problems_notices_fuzzy_and_broken_placeholders(tmp_path: Path) -> None:
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "messages.pot").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Hello {name}"\nmsgstr ""\n\nmsgid "Bye"\nmsgstr ""\n',
        encoding="utf-8",
    )
    (tmp_path / "fr" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello {name}"\nmsgstr "Bonjour {nom}"\n\n#, fuzzy\nmsgid "Bye"\nmsgstr "Salut"\n',
        encoding="utf-8",
    )
    problems = "\n".join(locale_problems(tmp_path))
    assert "placeholders differ" in problems and "fuzzy" in problems
    assert "es: " in problems  # a shipped catalog that is missing is reported


@pytest.mark.parametrize("locale", [code for code in SHIPPED if code != "en"])
def test_every_catalog_passes_babels_own_checks(locale: str) -> None:
    # What `pybabel compile` (the Docker build) would refuse.
    path = locales_dir() / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    errors = [(str(message.id)[:50], [str(e) for e in errs]) for message, errs in catalog.check()]
    assert errors == []
