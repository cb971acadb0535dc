"""Issue 10: the journey /start -> finder -> urgency -> gate -> draft is at most half of
the characters it was, in every shipped language, in no more messages (bench/journey.py
counts them; a count, not a timing)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.i18n import SHIPPED

_spec = importlib.util.spec_from_file_location(
    "bench_journey", Path(__file__).resolve().parents[2] / "bench" / "journey.py")
assert _spec is not None and _spec.loader is not None
_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench)
journey: Callable[[str], tuple[int, int, int, list[str]]] = _bench.journey
BASELINE: dict[str, tuple[int, int]] = _bench.BASELINE
MAX_MESSAGES: int = _bench.MAX_MESSAGES


def test_every_shipped_language_has_a_baseline() -> None:
    assert set(BASELINE) == set(SHIPPED)


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_journey_is_at_most_half_as_long(lang: str) -> None:
    chars, messages, _, _, missing = journey(lang)
    assert missing == [], f"the path no longer matches the screens: {missing}"
    assert chars <= BASELINE[lang][0] // 2, (lang, chars)
    assert messages <= MAX_MESSAGES, (lang, messages)
