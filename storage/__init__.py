"""Everything on disk: one SQLite file, sealed values, pseudonyms, retention."""

from storage.crypto import Sealer, SealError, load_key
from storage.store import AutoDelete, PurgeCounts, Reminder, Store, StoreClosedError

__all__ = [
    "AutoDelete",
    "PurgeCounts",
    "Reminder",
    "SealError",
    "Sealer",
    "Store",
    "StoreClosedError",
    "load_key",
]
