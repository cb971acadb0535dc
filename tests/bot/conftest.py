"""Fixtures: the real `Application` on a recording transport, with a real `Runtime`."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.settings import Settings
from bot.telegram import build_application
from bot.telegram.sender import Pace
from tests.bot.fake_telegram import TOKEN, Harness, RecordingRequest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        data_dir=tmp_path / "data",
        secret_key=secrets.token_urlsafe(32),
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    opened = await Runtime.open(settings)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def harness(runtime: Runtime) -> AsyncIterator[Harness]:
    request = RecordingRequest()
    # No pacing: these tests count calls, not seconds (pacing has its own tests).
    app = build_application(
        runtime, request=request, pace=Pace(overall=None, per_chat=None, backoff=0.05)
    )
    await app.initialize()
    try:
        yield Harness(app, request, runtime)
    finally:
        await app.shutdown()
