"""Counters count people, not events: each person at most once per (flow, step, event)
per ISO week, marked inside their sealed session (no per-person table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from flows.model import Event


async def counts(runtime: Runtime, flow: str, step: str, event: str) -> int:
    rows = await runtime.store.stats_rows()
    return sum(c for _, f, s, e, c in rows if (f, s, e) == (flow, step, event))


async def test_one_person_repeating_a_step_counts_once_a_week(runtime: Runtime) -> None:
    monday = datetime(2026, 11, 30, 9, tzinfo=UTC)

    async def say(text: str, when: datetime, user: str = "p1") -> None:
        event = Event(user=user, kind="command" if text.startswith("/") else "text",
                      payload=text)
        await runtime.advisor.handle(event, now=when)

    for i in range(5):  # the same warning, five times in one week
        await say("/start", monday + timedelta(minutes=i))
        await say("call me on +44 7700 900123", monday + timedelta(minutes=i, seconds=30))
    assert await counts(runtime, "start", "notice", "personal_data") == 1
    assert await counts(runtime, "start", "notice", "enter") == 1
    await say("/start", monday, user="p2")  # another person counts
    assert await counts(runtime, "start", "notice", "enter") == 2
    await say("/start", monday + timedelta(days=7))  # a new week counts again
    rows = await runtime.store.stats_rows()
    weeks = {w for w, f, s, e, _ in rows if (f, s, e) == ("start", "notice", "enter")}
    assert weeks == {"2026-W49", "2026-W50"}
