"""Opening what every adapter needs: the key, the store, the advisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.advisor import Advisor
from bot.settings import Settings
from flows.registry import ENGINE
from storage import keycheck
from storage.crypto import Sealer, read_secret
from storage.store import DB_FILE, PurgeCounts, Store


@dataclass
class Runtime:
    settings: Settings
    sealer: Sealer
    store: Store
    advisor: Advisor

    @classmethod
    async def open(cls, settings: Settings) -> Runtime:
        db_path = settings.data_dir / DB_FILE
        # Before the store touches the file: a damaged or newer database, or the
        # wrong key, must stop the start without a single write.
        existing = keycheck.inspect(db_path)
        secret = read_secret(
            settings.data_dir,
            settings.secret_key.get_secret_value() if settings.secret_key is not None else None,
            settings.secret_key_file,
            database_exists=existing is not None,
        )
        unlocked = keycheck.unlock(secret, existing)
        sealer = Sealer(unlocked.key)
        store = await Store.open(settings.data_dir, sealer)
        try:
            if unlocked.new:
                keycheck.save(db_path, unlocked.record)
            runtime = cls(settings, sealer, store, Advisor(ENGINE, store))
            await runtime.purge()  # retention applies at start, then hourly while running
        except BaseException:
            await store.close()
            raise
        return runtime

    async def purge(self, now: datetime | None = None) -> PurgeCounts:
        days = timedelta(days=self.settings.session_days)
        return await self.store.purge(
            now or datetime.now(UTC),
            session_max_age=days,
            draft_max_age=timedelta(hours=self.settings.draft_hours),
            # Kept as long as the session: a wipe can then say how many old messages
            # the person must delete by hand.
            ledger_max_age=days,
        )

    async def close(self) -> None:
        await self.store.close()
