"""Opening what every adapter needs: the key, the store, the advisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.advisor import Advisor
from bot.settings import Settings
from flows.registry import ENGINE
from storage.crypto import Sealer, load_key
from storage.rekey import sealer_for
from storage.store import PurgeCounts, Store


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
        # After a key rotation, pseudonyms still come from the first key.
        sealer = sealer_for(settings.data_dir, key)
        store = await Store.open(settings.data_dir, sealer)
        runtime = cls(settings, sealer, store, Advisor(ENGINE, store))
        await runtime.purge()  # retention applies at start, then hourly while running
        return runtime

    async def purge(self, now: datetime | None = None) -> PurgeCounts:
        days = timedelta(days=self.settings.session_days)
        moment = now or datetime.now(UTC)
        await self.store.purge_stats(moment - timedelta(days=self.settings.stats_keep_days))
        return await self.store.purge(
            moment,
            session_max_age=days,
            draft_max_age=timedelta(hours=self.settings.draft_hours),
            # Kept as long as the session: a wipe can then say how many old messages
            # the person must delete by hand.
            ledger_max_age=days,
        )

    async def close(self) -> None:
        await self.store.close()
