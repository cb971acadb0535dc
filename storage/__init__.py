"""Everything on disk: one SQLite file, sealed values, pseudonyms, retention."""

from storage.crypto import Sealer, SealError, load_key
from storage.store import Store, StoreClosedError

__all__ = ["SealError", "Sealer", "Store", "StoreClosedError", "load_key"]
