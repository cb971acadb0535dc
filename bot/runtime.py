"""Opening what every adapter needs: the key, the store, the advisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.advisor import Advisor
from bot.settings import Settings
from flows.registry import ENGINE
from storage import keycheck
from storage.crypto import Sealer, read_secret
from storage.lock import FolderLock
from storage.rekey import sealer_for
from storage.store import DB_FILE, DELETE_WINDOW, PurgeCounts, Store


def unlock(settings: Settings) -> keycheck.Unlocked:
    """The store's master key from the settings, checked against the database before
    the store touches the file: a damaged or newer database, or the wrong key, stops
    the start without a single write."""
    existing = keycheck.inspect(settings.data_dir / DB_FILE)
    secret = read_secret(
        settings.data_dir,
        settings.secret_key.get_secret_value() if settings.secret_key is not None else None,
        settings.secret_key_file,
        database_exists=existing is not None,
    )
    return keycheck.unlock(secret, existing)


@dataclass
class Runtime:
    settings: Settings
    sealer: Sealer
    store: Store
    advisor: Advisor
    lock: FolderLock | None = None

    @classmethod
    async def open(cls, settings: Settings, *, lock: bool = False) -> Runtime:
        """Open the store. `lock`: this process serves people (chat, run), so no other
        may serve them from the same folder (`AlreadyRunning` otherwise). Retention is
        not applied here: it runs in small batches once the adapter is serving, so a
        start after a long stop is not held up by it."""
        held = None
        if lock:
            held = FolderLock(settings.data_dir)
            held.acquire()
        try:
            unlocked = unlock(settings)
            # After a key rotation, pseudonyms still come from the first key.
            sealer = sealer_for(settings.data_dir, unlocked.key)
            store = await Store.open(settings.data_dir, sealer)
        except BaseException:
            if held is not None:
                held.release()
            raise
        try:
            if unlocked.new:
                keycheck.save(settings.data_dir / DB_FILE, unlocked.record)
        except BaseException:
            await store.close()
            if held is not None:
                held.release()
            raise
        return cls(settings, sealer, store, Advisor(ENGINE, store), held)

    async def purge(self, now: datetime | None = None) -> PurgeCounts:
        days = timedelta(days=self.settings.session_days)
        moment = now or datetime.now(UTC)
        await self.store.purge_stats(moment - timedelta(days=self.settings.stats_keep_days))
        return await self.store.purge(
            moment,
            session_max_age=days,
            draft_max_age=timedelta(hours=self.settings.draft_hours),
            # Past Telegram's 48 hours only a count per person stays, for the wipe to
            # say how many messages the person must delete by hand.
            ledger_max_age=DELETE_WINDOW,
        )

    async def close(self) -> None:
        try:
            await self.store.close()
        finally:
            if self.lock is not None:
                self.lock.release()
