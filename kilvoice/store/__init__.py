"""The project store: one SQLite file per project."""
from kilvoice.store.sqlite import Store, open_store

__all__ = ["Store", "open_store"]
