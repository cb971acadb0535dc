"""Opening what every adapter needs: the key, the store, the advisor."""

from __future__ import annotations

from dataclasses import dataclass

from bot.advisor import Advisor
from bot.settings import Settings
from flows.registry import ENGINE
from storage.crypto import Sealer, load_key
from storage.store import Store


@dataclass
class Runtime:
    settings: Settings
    sealer: Sealer
    store: Store
    advisor: Advisor

    @classmethod
    async def open(cls, settings: Settings) -> Runtime:
        key = load_key(
            settings.data_dir,
            settings.secret_key.get_secret_value() if settings.secret_key else None,
            settings.secret_key_file,
        )
        sealer = Sealer(key)
        store = await Store.open(settings.data_dir, sealer)
        return cls(settings, sealer, store, Advisor(ENGINE, store))

    async def close(self) -> None:
        await self.store.close()
