"""Anonymous counters are kept for SP_ADVISOR_STATS_KEEP_DAYS, then deleted in batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.runtime import Runtime
from bot.settings import Settings
from flows.model import CountStat
from storage.store import Store

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


async def _count_weeks(store: Store, weeks: range, steps: int = 3) -> None:
    for w in weeks:
        stats = [CountStat(flow="f", step=f"s{i}", event="enter") for i in range(steps)]
        await store.commit_update(
            "x", None, update_id=None, stats=stats, now=NOW - timedelta(weeks=w)
        )


async def test_old_weeks_go_in_batches_and_the_rest_stays(store: Store) -> None:
    await _count_weeks(store, range(0, 10))
    # Weeks 5..9 ago end before the cutoff; the week holding the cutoff stays whole.
    removed = await store.purge_stats(NOW - timedelta(weeks=4, days=1), batch=2)
    assert removed == 5 * 3
    weeks = {row[0] for row in await store.stats_rows()}
    assert len(weeks) == 5
    assert await store.purge_stats(NOW - timedelta(weeks=4, days=1), batch=2) == 0


async def test_runtime_purge_applies_the_setting(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", secret_key="correct horse battery staple 42", stats_keep_days=14
    )
    runtime = await Runtime.open(settings)
    try:
        await _count_weeks(runtime.store, range(0, 6), steps=1)
        await runtime.purge(NOW)
        assert len(await runtime.store.stats_rows()) == 3  # this week and the two before
    finally:
        await runtime.close()


def test_default_keeps_two_years() -> None:
    assert Settings().stats_keep_days == 730
