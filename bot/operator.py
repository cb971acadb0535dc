"""Operator views: anonymous counters only."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.settings import Settings

# Counts below this are not shown: a small number can point at one person.
MIN_COUNT = 5


async def print_stats(settings: Settings) -> int:
    runtime = await Runtime.open(settings)
    try:
        rows = await runtime.store.stats_rows(min_count=MIN_COUNT)
    finally:
        await runtime.close()
    print(f"Anonymous step counters per ISO week (counts below {MIN_COUNT} are not shown).")
    if not rows:
        print("No counters to show yet.")
        return 0
    print(f"{'week':<9} {'flow':<10} {'step':<12} {'event':<16} {'count':>7}")
    for week, flow, step, event, count in rows:
        print(f"{week:<9} {flow:<10} {step:<12} {event:<16} {count:>7}")
    return 0
