"""The one store of sparkseal: a SQLAlchemy database for the audit trail (and, later,
quality and run history). SQLite by default, PostgreSQL for teams.

Every table lives in :data:`METADATA`; :func:`open_store` returns a :class:`Store`
whose :meth:`Store.write` transaction holds a store-wide lock, so several processes
can write at once without interleaving.
"""

from __future__ import annotations

from sparkseal.store.engine import (
    METADATA,
    Store,
    StoreError,
    StoreVersionError,
    open_store,
    safe_url,
)

__all__ = ["METADATA", "Store", "StoreError", "StoreVersionError", "open_store", "safe_url"]
