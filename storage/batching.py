"""How much one housekeeping transaction takes on: it runs on the event loop's thread,
so an update that arrives meanwhile waits for it to end.

A fixed size cannot know the machine: on the 2-core test VM the first thousand purge
batches at a million people (sessions, with their drafts and chats) took 20-66 ms
each 1-4% of the time while later ones took 2-5 ms. The size halves after a
transaction that took longer than `SLOW`, and grows back by a quarter after each one
that took less than a quarter of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

SLOW = 0.008  # seconds: well inside the 20 ms an update may wait at most


class BatchSize:
    """A batch size between `least` and `most`, starting at `start`."""

    def __init__(self, most: int, *, least: int = 1, start: int | None = None) -> None:
        self.most = most
        self.least = least
        self.size = max(least, min(most, most if start is None else start))

    def run(self, batch: Callable[[int], T], clock: Callable[[], float] = time.perf_counter) -> T:
        """One batch of the current size, timed; the next size follows from its time."""
        began = clock()
        result = batch(self.size)
        self.took(clock() - began)
        return result

    def took(self, seconds: float) -> None:
        if seconds > SLOW:
            self.size = max(self.least, self.size // 2)
        elif seconds < SLOW / 4:
            self.size = min(self.most, self.size + max(1, self.size // 4))
