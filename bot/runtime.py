"""Opening what every adapter needs: the key, the store, the advisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.advisor import Advisor
from bot.settings import Settings
from flows.registry import ENGINE
from storage.crypto import Sealer, load_key
from storage.lock import FolderLock
from storage.store import DELETE_WINDOW, PurgeCounts, Store


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
        may serve them from the same folder; `AlreadyRunning` otherwise."""
        held = None
        if lock:
            held = FolderLock(settings.data_dir)
            held.acquire()
        try:
            key = load_key(
                settings.data_dir,
                settings.secret_key.get_secret_value() if settings.secret_key else None,
                settings.secret_key_file,
            )
            sealer = Sealer(key)
            store = await Store.open(settings.data_dir, sealer)
        except BaseException:
            if held is not None:
                held.release()
            raise
        return cls(settings, sealer, store, Advisor(ENGINE, store), held)

    async def purge(self, now: datetime | None = None) -> PurgeCounts:
        days = timedelta(days=self.settings.session_days)
        return await self.store.purge(
            now or datetime.now(UTC),
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
