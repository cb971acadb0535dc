"""`python -m bot check`: the catalog, the flows and the translations, before a release."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import read_po

from flows import catalog, countries, learn
from flows.catalog import catalog_problems, load_catalog
from flows.diagram import readme_section
from flows.i18n import DEFAULT, PLACEHOLDER, SHIPPED, locales_dir
from flows.registry import ENGINE, FLOWS


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def read_catalog(path: Path, locale: str) -> PoCatalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def locale_problems(root: Path | None = None) -> list[str]:
    """Every shipped catalog complete, nothing fuzzy, placeholders identical to the source."""
    root = root or locales_dir()
    problems: list[str] = []
    pot_path = root / "messages.pot"
    if not pot_path.exists():
        return [f"{pot_path} is missing: run pybabel extract"]
    template = read_catalog(pot_path, "en")
    wanted = {m.id for m in template if m.id}
    for locale in SHIPPED:
        if locale == DEFAULT:
            continue
        path = root / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            problems.append(f"{locale}: {path} is missing")
            continue
        catalog = read_catalog(path, locale)
        have = {m.id for m in catalog if m.id}
        for msgid in sorted(map(str, wanted - have)):
            problems.append(f"{locale}: not in catalog (run pybabel update): {msgid[:60]!r}")
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy: {key[:60]!r}")
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            raw = message.string or ""
            strings = [raw] if isinstance(raw, str) else list(raw)
            if not all(strings):
                problems.append(f"{locale}: untranslated: {key[:60]!r}")
                continue
            expected = _placeholders(ids[-1])
            for text in strings:
                found = _placeholders(text)
                # A plural form may leave the number unwritten (Arabic "one", "two").
                if found != expected and not (
                    len(ids) > 1 and found == [p for p in expected if p != "{count}"]
                ):
                    problems.append(f"{locale}: placeholders differ in {key[:60]!r}")
    return problems


def flow_problems() -> list[str]:
    """Every step can be reached from the start, so no screen is dead code."""
    graph: dict[str, set[str]] = {}
    for source, _, dest in ENGINE.edges():
        graph.setdefault(source, set()).add(dest)
    reachable, todo = set(), ["start.notice", "menu.main", "help.main", "language.choose"]
    while todo:
        state = todo.pop()
        if state in reachable:
            continue
        reachable.add(state)
        todo.extend(graph.get(state, ()))
    return [f"unreachable step: {s}" for s in ENGINE.steps if s not in reachable]


def data_problems() -> list[str]:
    """What was wrong in flows/data/*.json when it was loaded (those entries are left
    out), one line each."""
    return [*catalog.load_problems(), *learn.load_problems(), *countries.load_problems()]


def run_check() -> int:
    problems = [f"data: {p}" for p in data_problems()]
    problems += [f"catalog: {p}" for p in catalog_problems(load_catalog())]
    problems += [f"flows: {p}" for p in flow_problems()]
    problems += [f"locales: {p}" for p in locale_problems()]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.")
        return 1
    mandates = load_catalog().mandates
    official = ", ".join(
        f"{lang} {n}" for lang in SHIPPED
        if (n := sum(lang in m.titles for m in mandates))
    )
    print(
        f"OK: {len(mandates)} mandates (official titles: {official or 'none'}), "
        f"{len(ENGINE.steps)} steps, {len(SHIPPED)} languages."
    )
    return 0


BEGIN, END = "<!-- flows:begin", "<!-- flows:end -->"


def replace_diagrams(readme: str) -> str:
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError("the README has no flows:begin/flows:end markers")
    return readme[:start] + readme_section(ENGINE, FLOWS) + readme[end + len(END) :]


def write_diagrams(path: str | None) -> int:
    if path is None:
        print(readme_section(ENGINE, FLOWS))
        return 0
    target = Path(path)
    target.write_text(replace_diagrams(target.read_text(encoding="utf-8")), encoding="utf-8")
    return 0
