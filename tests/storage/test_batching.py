"""Housekeeping batches shrink while transactions take long and grow back after."""

from __future__ import annotations

from storage.batching import SLOW, BatchSize


def timed(size: BatchSize, seconds: float) -> int:
    """Run one batch that takes `seconds` on a fake clock; returns the size it ran at."""
    ticks = iter([0.0, seconds])
    return size.run(lambda n: n, clock=lambda: next(ticks))


def test_a_slow_batch_halves_the_next_and_quick_ones_grow_it_back() -> None:
    size = BatchSize(100, start=25)
    assert timed(size, SLOW * 3) == 25
    assert size.size == 12
    for _ in range(20):
        timed(size, SLOW / 10)
    assert size.size == 100  # never above the most


def test_the_size_stays_within_its_bounds_and_holds_between() -> None:
    size = BatchSize(100, least=2)
    for _ in range(10):
        timed(size, SLOW * 10)
    assert size.size == 2
    timed(size, SLOW / 2)  # neither slow nor quick: unchanged
    assert size.size == 2
