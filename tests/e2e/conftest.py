"""The fake Bot API every end-to-end test talks to, one per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.test_polling import TOKEN


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as server:
        yield server
