"""The operator's report: one self-contained HTML file with charts and tables.

`python -m bot report [--out FILE]` writes it; `/stats` on Telegram sends it as
a document with `build_report`'s short summary. Everything comes from the
anonymous counters (week, flow, step, event) -> count; nothing else is read.

Small numbers can point at one person, so every cell under `K` is hidden, and
so is any figure from which a hidden cell could be worked out (a total with all
but one of its parts: complementary suppression, see `suppress`).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pygal
from pygal.style import Style

from flows.engine import Engine
from flows.i18n import SHIPPED
from flows.model import Flow
from storage._fs import ensure_private_file
from storage.store import Store

__all__ = [
    "Group",
    "K",
    "Report",
    "build_report",
    "render_report",
    "suppress",
    "write_report",
]

# The smallest count shown (the README's "cells under 10 people hidden").
K = 10

Rows = Sequence[tuple[str, str, str, str, int]]
Cell = int | None  # None: hidden

HIDDEN = "hidden"
_PD_EVENTS = (
    ("pd_retype", "Will answer again with placeholders"),
    ("pd_keep_deleted", "Deleted the message, kept the answer"),
    ("pd_use_as_is", "Kept it as it is"),
    ("pd_delete", "Deleted the message"),
)


@dataclass(frozen=True, slots=True)
class Group:
    """Parts that add up to a total, after suppression (None = hidden)."""

    parts: dict[str, Cell]
    total: Cell


def suppress(parts: Mapping[str, int], total: int | None = None, k: int = K) -> Group:
    """Hide every part under `k`, then enough further parts (or the total) that
    no hidden part can be computed from what is shown.

    `total` defaults to the sum of the parts. While the total is shown, the hidden
    parts add up to `total - shown`; that sum must itself be at least `k` and
    cover at least two parts, otherwise the smallest shown part is hidden too, and
    when no part is left to hide, the total is. Zeros are hidden but take no part
    in this: learning that nobody is in a cell points at no one.
    """
    whole = sum(parts.values()) if total is None else total
    shown: dict[str, int] = {name: n for name, n in parts.items() if n >= k}
    hidden = [name for name in parts if name not in shown and parts[name] != 0]
    total_cell: Cell = whole if whole >= k else None

    def hidden_sum() -> int:
        return sum(parts[name] for name in hidden)

    while total_cell is not None and hidden and (len(hidden) == 1 or hidden_sum() < k):
        if not shown:
            total_cell = None
            break
        # The smallest shown part costs the reader least.
        smallest = min(shown, key=lambda name: (shown[name], name))
        del shown[smallest]
        hidden.append(smallest)
    return Group({name: shown.get(name) for name in parts}, total_cell)


def _cell(value: Cell) -> str:
    return HIDDEN if value is None else f"{value:,}"


# --- what the counters say ------------------------------------------------------


@dataclass
class _Counters:
    weeks: list[str]
    # (flow, step, event) -> count over all weeks
    totals: dict[tuple[str, str, str], int]
    # (flow, step, event) -> week -> count
    weekly: dict[tuple[str, str, str], dict[str, int]]

    @classmethod
    def of(cls, rows: Rows) -> _Counters:
        totals: dict[tuple[str, str, str], int] = defaultdict(int)
        weekly: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        weeks: set[str] = set()
        for week, flow, step, event, count in rows:
            totals[flow, step, event] += count
            weekly[flow, step, event][week] += count
            weeks.add(week)
        return cls(sorted(weeks), dict(totals), {key: dict(v) for key, v in weekly.items()})

    def total(self, flow: str, step: str, event: str) -> int:
        return self.totals.get((flow, step, event), 0)

    def by_event(self, flow: str, step: str) -> dict[str, int]:
        return {e: n for (f, s, e), n in self.totals.items() if f == flow and s == step}

    def event_by_flow(self, event: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (flow, _step, ev), n in self.totals.items():
            if ev == event:
                out[flow] += n
        return dict(out)

    def event_weekly(self, event: str, flow: str | None = None) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(self.weeks, 0)
        for (f, _step, ev), per_week in self.weekly.items():
            if ev == event and (flow is None or f == flow):
                for week, n in per_week.items():
                    out[week] += n
        return out


# --- building blocks of the page ------------------------------------------------


@dataclass
class _Section:
    title: str
    body: list[str] = field(default_factory=list)


_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#000",
    foreground_subtle="#666",
    # Installed system fonts only: the page must not fetch anything.
    font_family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif",
    colors=("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#555555"),
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
)

# pygal adds a <script> that only configures its optional tooltip script (not
# included here); the page needs no script at all, so it goes.
_SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


def _svg(chart: pygal.graph.graph.Graph) -> str:
    text = str(chart.render(is_unicode=True))
    return _COMMENT_RE.sub("", _SCRIPT_RE.sub("", text))


def _chart_options(title: str, height: int) -> dict[str, object]:
    return {
        "title": title,
        "style": _STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 900,
        "height": height,
        "show_legend": False,
        "print_values": True,
        "explicit_size": False,
        "margin": 16,
        "truncate_label": -1,
        "no_data_text": "All numbers hidden (under 10)",
    }


def _bar_chart(title: str, labels: list[str], values: list[Cell]) -> str:
    chart = pygal.HorizontalBar(**_chart_options(title, 90 + 34 * max(len(labels), 2)))
    # pygal draws the first label at the bottom; reversed, the page reads top down.
    chart.x_labels = list(reversed(labels))
    chart.add("count", list(reversed(values)))
    return _svg(chart)


def _line_chart(title: str, weeks: list[str], series: dict[str, list[Cell]]) -> str:
    options = _chart_options(title, 420)
    options.update(
        show_legend=True,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=30,
        show_minor_x_labels=False,
        include_x_axis=True,
    )
    chart = pygal.Line(**options)
    chart.x_labels = weeks
    chart.x_labels_major = weeks[:: max(1, len(weeks) // 12)]
    for name, values in series.items():
        chart.add(name, values)
    return _svg(chart)


def _kind(cell: str) -> str:
    if cell == HIDDEN:
        return "hidden"
    return "num" if cell.replace(",", "").isdigit() else "note"


def _table(caption: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = [f"<table><caption>{html.escape(caption)}</caption><thead><tr>"]
    out += [f'<th scope="col">{html.escape(h)}</th>' for h in header]
    out.append("</tr></thead><tbody>")
    for row in rows:
        first, *rest = row
        cells = "".join(f'<td class="{_kind(c)}">{html.escape(c)}</td>' for c in rest)
        out.append(f'<tr><th scope="row">{html.escape(first)}</th>{cells}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


_figure_ids = iter(range(1, 1_000_000))


def _figure(title: str, svg: str | None, table: str) -> str:
    # The chart is drawn for the eye; the table beside it carries the same numbers
    # for screen readers and print, so the picture is hidden from assistive tech.
    fid = f"fig{next(_figure_ids)}"
    picture = f'<div class="chart" aria-hidden="true">{svg}</div>' if svg else ""
    return (
        f'<figure aria-labelledby="{fid}"><figcaption id="{fid}">{html.escape(title)}'
        f"</figcaption>{picture}{table}</figure>"
    )


def _group_figure(
    title: str, names: Mapping[str, str], group: Group, what: str, raw: Mapping[str, int]
) -> str:
    # A category nobody used is left out rather than shown as hidden.
    keys = [key for key in group.parts if raw.get(key, 0) != 0]
    labels = [names.get(key, key) for key in keys]
    values = [group.parts[key] for key in keys]
    rows = [(label, _cell(v)) for label, v in zip(labels, values, strict=True)]
    rows.append(("Total", _cell(group.total)))
    table = _table(title, [what, "count"], rows)
    svg = _bar_chart(title, labels, values) if any(v is not None for v in values) else None
    return _figure(title, svg, table)


# --- the sections -----------------------------------------------------------------


_TREND_EVENTS = (
    ("Conversations started", "enter", "start"),
    ("Personal-data warnings", "personal_data", None),
    ("Wipes", "wipe", None),
    ("Quick exits", "quick_exit", None),
)


def _trends(c: _Counters, k: int) -> tuple[_Section, dict[str, Cell]]:
    section = _Section("Weekly trends")
    series: dict[str, list[Cell]] = {}
    totals: dict[str, Cell] = {}
    columns: list[dict[str, Cell]] = []
    for name, event, flow in _TREND_EVENTS:
        group = suppress(c.event_weekly(event, flow), k=k)
        series[name] = list(group.parts.values())
        totals[name] = group.total
        columns.append(group.parts)
    header = ["ISO week", *series]
    rows = [[week, *(_cell(col[week]) for col in columns)] for week in c.weeks]
    rows.append(["Total", *(_cell(totals[name]) for name in series)])
    title = "Per ISO week: conversations started, warnings, wipes and quick exits"
    has_any = any(v is not None for values in series.values() for v in values)
    svg = _line_chart(title, c.weeks, series) if has_any and len(c.weeks) > 1 else None
    section.body.append(_figure(title, svg, _table(title, header, rows)))
    return section, totals


def _languages_and_channels(c: _Counters, k: int) -> tuple[_Section, Group, Group]:
    section = _Section("Languages and channels")
    section.body.append(
        "<p>Counted once when a conversation starts: its language (the one the person "
        "chose before, or their app's language when the bot has it; otherwise "
        "<q>none</q>) and the channel.</p>"
    )
    languages = c.by_event("meta", "language")
    ordered = {code: languages.pop(code, 0) for code in (*SHIPPED, "none")}
    ordered.update(sorted(languages.items()))
    language_group = suppress(ordered, k=k)
    section.body.append(
        _group_figure("Conversations by language", {}, language_group, "language", ordered)
    )
    channels = c.by_event("meta", "channel")
    ordered_channels = {name: channels.pop(name, 0) for name in ("telegram", "terminal")}
    ordered_channels.update(sorted(channels.items()))
    channel_group = suppress(ordered_channels, k=k)
    section.body.append(
        _group_figure("Conversations by channel", {}, channel_group, "channel", ordered_channels)
    )
    return section, language_group, channel_group


def _personal_data(c: _Counters, k: int) -> tuple[_Section, Group]:
    section = _Section("Personal-data warnings")
    section.body.append(
        "<p>How often the bot warned that a message looked like a name, a place, a phone "
        "number or the like, and what was answered. <q>No answer recorded</q> is the "
        "rest: the person went elsewhere, or the warning came before these answers "
        "were counted.</p>"
    )
    shown = sum(c.event_by_flow("personal_data").values())
    answers = {event: sum(c.event_by_flow(event).values()) for event, _ in _PD_EVENTS}
    answers["none"] = max(0, shown - sum(answers.values()))
    group = suppress(answers, total=max(shown, sum(answers.values())), k=k)
    names = {**dict(_PD_EVENTS), "none": "No answer recorded"}
    section.body.append(
        _group_figure(
            "Personal-data warnings and what people chose", names, group, "answer", answers
        )
    )
    return section, group


def _exits(c: _Counters, k: int, flows: Sequence[Flow]) -> tuple[_Section, Group, Group]:
    section = _Section("Wipes and quick exits")
    section.body.append("<p>Where in the conversation people used them, per flow.</p>")
    groups: list[Group] = []
    for event, title in (("wipe", "Wipes by flow"), ("quick_exit", "Quick exits by flow")):
        counts = c.event_by_flow(event)
        ordered = {f.name: counts.pop(f.name, 0) for f in flows}
        ordered.update(sorted(counts.items()))
        group = suppress(ordered, k=k)
        groups.append(group)
        section.body.append(_group_figure(title, {}, group, "flow", ordered))
    return section, groups[0], groups[1]


def _successors(engine: Engine, flow: Flow) -> dict[str, set[str]]:
    """Later steps of the same flow reachable in one move (not commands, and not the
    way back to an earlier step, as "Start again" is)."""
    order = {step.id: i for i, step in enumerate(flow.steps)}
    out: dict[str, set[str]] = {step.id: set() for step in flow.steps}
    prefix = f"{flow.name}."
    for source, trigger, dest in engine.edges():
        if trigger.startswith("/") or not source.startswith(prefix) or not dest.startswith(prefix):
            continue
        here, there = source[len(prefix) :], dest[len(prefix) :]
        if order[there] > order[here]:
            out[here].add(there)
    return out


def _funnel(c: _Counters, k: int, engine: Engine, flow: Flow) -> str:
    steps = [step.id for step in flow.steps]
    raw = {step: c.total(flow.name, step, "enter") for step in steps}
    # Steps are not parts of one whole, so each is judged on its own.
    reached: dict[str, Cell] = {step: (n if n >= k else None) for step, n in raw.items()}
    successors = _successors(engine, flow)
    rows: list[list[str]] = []
    for step in steps:
        nexts = successors[step]
        if not nexts:
            went_no_further = "end of flow"
        elif reached[step] is None or any(reached[n] is None for n in nexts):
            # Computed from a hidden number, it would give that number away.
            went_no_further = HIDDEN
        else:
            left = raw[step] - sum(raw[n] for n in nexts)
            went_no_further = _cell(left) if left >= k else (HIDDEN if left > 0 else "none")
        rows.append([step, _cell(reached[step]), went_no_further])
    title = f"Flow {flow.name!r}: how many reached each step, in flow order"
    table = _table(title, ["step", "reached", "went no further (estimate)"], rows)
    values = [reached[s] for s in steps]
    svg = _bar_chart(title, steps, values) if any(v is not None for v in values) else None
    return _figure(title, svg, table)


def _flows(c: _Counters, k: int, engine: Engine, flows: Sequence[Flow]) -> _Section:
    section = _Section("Flows, step by step")
    section.body.append(
        "<p>Steps are listed in the order the flow declares them; a flow can branch, so "
        "not every step lies on every path. <q>Went no further</q> is an estimate: those "
        "who reached a step, less those who reached the steps it leads to within the "
        "flow (each person counts once a week per step, so branches and returns in "
        "another week blur it).</p>"
    )
    for flow in flows:
        if any(c.total(flow.name, step.id, "enter") for step in flow.steps):
            section.body.append(_funnel(c, k, engine, flow))
        else:
            section.body.append(
                f"<h3>Flow {html.escape(repr(flow.name))}</h3><p>No counters yet.</p>"
            )
    return section


_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #1f5fa8; }
figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: .5rem; }
.chart svg { width: 100%; height: auto; max-height: 70rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; min-width: 24rem; }
caption { text-align: left; font-size: .9rem; color: #444; padding-bottom: .25rem; }
th, td { border: 1px solid #999; padding: .2rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.note { color: #444; }
td.hidden { color: #666; font-style: italic; text-align: right; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""


@dataclass(frozen=True, slots=True)
class Report:
    summary: str
    html: bytes
    filename: str


def render_report(
    rows: Rows,
    engine: Engine,
    *,
    now: datetime | None = None,
    k: int = K,
) -> Report:
    """The report from counter rows (week, flow, step, event, count)."""
    moment = now or datetime.now(UTC)
    flows = [engine.flows[name] for name in engine.flows]
    c = _Counters.of(rows)
    trends, trend_totals = _trends(c, k)
    languages, language_group, channel_group = _languages_and_channels(c, k)
    personal, _pd = _personal_data(c, k)
    exits, _wipes, _quick = _exits(c, k, flows)
    sections = [trends, languages, personal, exits, _flows(c, k, engine, flows)]
    span = f"ISO weeks {c.weeks[0]} to {c.weeks[-1]}" if c.weeks else "no counters yet"

    summary_lines = [
        f"sp-advisor report, {span} (numbers under {k} hidden).",
        *(f"{name}: {_cell(total)}" for name, total in trend_totals.items()),
    ]
    top = [(name, n) for name, n in language_group.parts.items() if n is not None]
    if top:
        top.sort(key=lambda item: -item[1])
        summary_lines.append("Languages: " + ", ".join(f"{name} {n:,}" for name, n in top[:6]))
    channels = [(name, n) for name, n in channel_group.parts.items() if n is not None]
    if channels:
        summary_lines.append("Channels: " + ", ".join(f"{name} {n:,}" for name, n in channels))
    summary_lines.append("The full report with charts is attached (one HTML file, works offline).")
    summary = "\n".join(summary_lines)

    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: no scripts at all, images and styles only inline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>sp-advisor report, {html.escape(span)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        "<h1>sp-advisor: anonymous usage report</h1>",
        f"<p>Made {moment:%Y-%m-%d %H:%M} UTC from the anonymous counters "
        f"({html.escape(span)}). The counters hold no user, no text and no id: only which "
        "step of which flow, what happened there, and how often in a week. Numbers under "
        f"{k} are shown as <q>{HIDDEN}</q>, and so is any number from which a hidden one "
        "could be worked out. Counts are people: each person counts at most once per "
        "step and event in a week.</p>",
        "<nav><ul>",
        *(f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(sections)),
        "</ul></nav>",
    ]
    for i, section in enumerate(sections):
        body.append(f'<section id="s{i}"><h2>{html.escape(section.title)}</h2>')
        body.extend(section.body)
        body.append("</section>")
    body.append("</main></body></html>")
    return Report(
        summary=summary,
        html="\n".join(body).encode("utf-8"),
        filename=f"sp-advisor-report-{moment:%Y-%m-%d}.html",
    )


async def build_report(
    store: Store, engine: Engine | None = None, *, now: datetime | None = None
) -> Report:
    """The report for `/stats` (send `summary` as text and `html` as a document named
    `filename`) and for the `report` command. `engine` defaults to the shipped flows."""
    if engine is None:
        from flows.registry import ENGINE

        engine = ENGINE
    return render_report(await store.stats_rows(), engine, now=now)


def write_report(report: Report, out: Path) -> None:
    # Anonymous, but it is still the operator's: not for other users of the machine.
    ensure_private_file(out)
    out.write_bytes(report.html)
