from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.crypto import Sealer
from storage.store import Store

CANARY = "Zebulon Quixotevna 4471"


def canary_forms(text: str = CANARY) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le")]


def data_files(data_dir: Path) -> dict[str, bytes]:
    """Every file in the data folder as raw bytes, as someone seizing the disk would see it."""
    return {p.name: p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def master_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def sealer(master_key: bytes) -> Sealer:
    return Sealer(master_key)


@pytest.fixture
async def store(data_dir: Path, sealer: Sealer) -> AsyncIterator[Store]:
    opened = await Store.open(data_dir, sealer)
    try:
        yield opened
    finally:
        await opened.close()
