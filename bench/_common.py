"""Shared by the benchmarks in bench/: the scripted conversation, statistics, tables.

Not a benchmark itself. The scripts put the repository root first on `sys.path`
(so `storage` is the package, not bench/storage.py) and import this as
`bench._common`.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# The finder conversation every benchmark replays: (kind, payload). A press names
# the button by its English label; "Done" also matches "Done (3 chosen)".
FINDER: list[tuple[str, str]] = [
    ("command", "/start"),
    ("press", "I understand, continue"),
    ("press", "English"),
    ("press", "Find the right UN expert"),
    ("press", "Detention or arrest"),
    ("press", "Defender, journalist or lawyer targeted"),
    ("press", "Protest, assembly or association"),
    ("press", "Done"),
    ("text", "Iran"),
]
# Short names for the table rows, in the order of FINDER.
FINDER_STEPS = [
    "/start -> notice",
    "press continue -> language",
    "press English -> menu",
    "press finder -> situations",
    "press situation 1 (edit)",
    "press situation 2 (edit)",
    "press situation 3 (edit)",
    "press Done -> country",
    "type Iran -> result",
]


def finder_session() -> Any:
    """A realistic stored session: the finder's result, reached through the engine."""
    from datetime import date

    from flows.model import Event, Session
    from flows.registry import ENGINE

    session = Session()
    today = date(2026, 5, 1)

    def go(kind: str, payload: str) -> list[Any]:
        nonlocal session
        out = ENGINE.handle(
            session,
            Event(user="x", kind=kind, payload=payload, language="en",  # type: ignore[arg-type]
                  channel="telegram", today=today),
        )
        session = out.session
        return [b for r in out.replies for row in r.buttons for b in row]

    buttons = go("command", "/start")
    for label in ("I understand, continue", "English", "Find the right UN expert",
                  "Detention or arrest", "Defender, journalist or lawyer targeted", "Done"):
        button = next(b for b in buttons if b.label.removeprefix("✓ ").startswith(label))
        buttons = go("press", button.id)
    go("text", "Iran")
    assert session.state == "mandate.result", session.state
    return session



def label_matches(shown: str, label: str) -> bool:
    """A button shows `label`, maybe checked ("✓ English") or counted ("Done (3 chosen)")."""
    shown = shown.removeprefix("✓ ")
    return shown == label or (shown.startswith(label + " (") and shown.endswith(")"))


def parser(doc: str | None) -> argparse.ArgumentParser:
    first = (doc or "").strip().splitlines()
    p = argparse.ArgumentParser(description=first[0] if first else None)
    p.add_argument("--quick", action="store_true", help="a few-second run with fewer repetitions")
    return p


def pct(values: Sequence[float], q: float) -> float:
    """The q-th quantile (0..1) by linear interpolation; values need not be sorted."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [row[0].ljust(widths[0])]
        parts += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine() -> str:
    import platform
    import sys

    return (
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {sys.executable}"
    )


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for row in f:
                if row.startswith("VmRSS:"):
                    return int(row.split()[1])
    except OSError:
        pass
    return 0
