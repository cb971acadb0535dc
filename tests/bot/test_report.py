"""The operator's HTML report: suppression of small cells, funnel order, and a real
headless Chromium opening the file offline."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.report import K, Report, build_report, render_report, suppress
from flows.registry import ENGINE
from storage.crypto import Sealer
from storage.store import Store
from tests.bot.report_people import fill

CHROMIUM = Path("/usr/bin/chromium")


# --- suppression ------------------------------------------------------------------


def test_cells_under_k_are_hidden_and_big_ones_shown() -> None:
    group = suppress({"a": 40, "b": 25, "c": 3, "d": 4, "e": 12})
    assert group.parts["c"] is None and group.parts["d"] is None
    # The two hidden cells add up to 7, under k: a third must go with them.
    assert group.parts["e"] is None
    assert group.parts["a"] == 40 and group.parts["b"] == 25
    assert group.total == 84


def test_one_hidden_part_takes_a_second_one_with_it() -> None:
    # Total and all-but-one shown would give the hidden one away.
    group = suppress({"a": 40, "b": 25, "c": 3})
    hidden = [name for name, v in group.parts.items() if v is None]
    assert hidden == ["b", "c"]
    assert group.total == 68


def test_two_parts_one_small_both_go_and_the_total_stays() -> None:
    group = suppress({"a": 40, "b": 3})
    assert group.parts == {"a": None, "b": None}
    assert group.total == 43  # says nothing of either part alone


def test_with_no_part_left_to_hide_the_total_goes() -> None:
    group = suppress({"a": 3}, total=20)
    assert group.parts == {"a": None}
    assert group.total is None


def test_hidden_parts_that_together_reach_k_keep_the_total() -> None:
    group = suppress({"a": 40, "b": 6, "c": 7})
    assert group.parts == {"a": 40, "b": None, "c": None}
    assert group.total == 53


def test_a_given_total_is_checked_too() -> None:
    # The parts do not cover the total: the remainder (a "no answer" row) is a part
    # the caller must list; here the total alone is small.
    assert suppress({"a": 5}, total=8).total is None


def test_zeros_point_at_no_one() -> None:
    group = suppress({"a": 40, "b": 0, "c": 25})
    assert group.parts == {"a": 40, "b": None, "c": 25}
    assert group.total == 65


@pytest.mark.parametrize("seed", range(30))
def test_no_hidden_cell_can_be_worked_out(seed: int) -> None:
    import random

    rng = random.Random(seed)
    parts = {
        f"p{i}": rng.choice([0, 1, 3, 8, 9, 10, 11, 30, 200]) for i in range(rng.randint(1, 6))
    }
    group = suppress(parts)
    shown = [v for v in group.parts.values() if v is not None]
    assert all(v >= K for v in shown)
    hidden = [name for name, v in group.parts.items() if v is None and parts[name] != 0]
    if group.total is not None:
        assert group.total >= K
        if hidden:
            assert len(hidden) >= 2
            assert group.total - sum(shown) >= K


# --- content -------------------------------------------------------------------------


def _rows(
    flow: str, counts: dict[str, int], week: str = "2026-W45"
) -> list[tuple[str, str, str, str, int]]:
    return [(week, flow, step, "enter", n) for step, n in counts.items()]


def test_funnel_lists_steps_in_flow_order_not_by_name_or_count() -> None:
    rows = _rows("urgency", {"result": 50, "timing": 90, "date": 12, "now_what": 30})
    page = render_report(rows, ENGINE).html.decode()
    section = page[page.index("Flow &#x27;urgency&#x27;") :]
    table = section[section.index("<table>") : section.index("</table>")]
    steps = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert steps == [s.id for s in ENGINE.flows["urgency"].steps]
    assert '<td class="num">90</td>' in table


def test_summary_and_page_hide_small_numbers() -> None:
    rows = [
        ("2026-W45", "meta", "language", "fr", 30),
        ("2026-W45", "meta", "language", "en", 40),
        ("2026-W45", "meta", "language", "ru", 2),
        ("2026-W45", "start", "notice", "enter", 72),
    ]
    report = render_report(rows, ENGINE)
    assert "ru" not in report.summary
    shown = _shown_numbers(report)
    assert shown and min(shown) >= K
    # en, fr, ru add up to 72 with ru hidden: a second language goes too.
    assert "72" in report.summary or "Conversations started: 72" in report.summary


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.numbers: list[int] = []
        self._in_num = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_num = tag == "td" and ("class", "num") in attrs

    def handle_data(self, data: str) -> None:
        if self._in_num and data.strip():
            self.numbers.append(int(data.replace(",", "")))

    def handle_endtag(self, tag: str) -> None:
        self._in_num = False


def _shown_numbers(report: Report) -> list[int]:
    """Every number in a table cell of the page (hidden cells hold words)."""
    parser = _Cells()
    parser.feed(report.html.decode())
    return parser.numbers


def test_the_page_fetches_nothing_and_runs_no_script() -> None:
    page = render_report(_rows("mandate", {"what": 40, "country": 30}), ENGINE).html.decode()
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


# --- a real browser --------------------------------------------------------------------


@pytest.fixture
async def filled_store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "data", Sealer(secrets.token_bytes(32)))
    try:
        await fill(store)
        yield store
    finally:
        await store.close()


async def test_report_of_a_scripted_crowd_shows_no_small_cell(filled_store: Store) -> None:
    report = await build_report(filled_store, ENGINE)
    shown = _shown_numbers(report)
    assert len(shown) > 20
    assert min(shown) >= K
    assert "Conversations started: 120" in report.summary


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install chromium; .ci/run does it)",
)
async def test_chromium_renders_every_chart_offline(filled_store: Store, tmp_path: Path) -> None:
    report = await build_report(filled_store, ENGINE)
    page = tmp_path / report.filename
    page.write_bytes(report.html)
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1000,2600",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shot = tmp_path / "report.png"
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
    screenshot = subprocess.run(
        [*flags, f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    for run in (dom, screenshot):
        assert "Uncaught" not in run.stderr
        assert "ERROR:CONSOLE" not in run.stderr
    svgs = re.findall(r"<svg\b.*?</svg>", dom.stdout, re.DOTALL)
    assert len(svgs) == report.html.decode().count("<svg")
    assert len(svgs) >= 8
    for svg in svgs:
        # Drawn: bars or lines, and the numbers as text.
        assert re.search(r"<(rect|path)\b", svg)
        assert "<text" in svg
    assert shot.stat().st_size > 20_000
    # What the browser shows, not only what was written: no number under k.
    parser = _Cells()
    parser.feed(dom.stdout)
    assert parser.numbers and min(parser.numbers) >= K
