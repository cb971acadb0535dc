"""Operator views: anonymous counters only (`python -m bot stats`, and `/stats` on
Telegram for the ids in SP_ADVISOR_OPERATORS)."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.settings import Settings
from storage.store import Store

# Counts below this are not shown: a small number can point at one person.
MIN_COUNT = 10


async def stats_report(store: Store) -> str:
    """The counters as a plain table. Operator-facing, so English on purpose."""
    rows = await store.stats_rows(min_count=MIN_COUNT)
    lines = [f"Anonymous step counters per ISO week (counts below {MIN_COUNT} are not shown)."]
    if not rows:
        lines.append("No counters to show yet.")
        return "\n".join(lines)
    lines.append(f"{'week':<9} {'flow':<10} {'step':<12} {'event':<16} {'count':>7}")
    lines += [
        f"{week:<9} {flow:<10} {step:<12} {event:<16} {count:>7}"
        for week, flow, step, event, count in rows
    ]
    return "\n".join(lines)


async def print_stats(settings: Settings) -> int:
    runtime = await Runtime.open(settings)
    try:
        print(await stats_report(runtime.store))
    finally:
        await runtime.close()
    return 0
