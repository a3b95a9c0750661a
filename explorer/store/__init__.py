"""The store: the one package that writes files (data dir, generations, SQLite, caches, field)."""

import json

from explorer.store.database import (
    DB_NAME,
    NOT_FOUND,
    PENDING,
    RESOLVED,
    SCHEMA_VERSION,
    BlobCache,
    Store,
    StoreError,
    atomic_write_bytes,
    default_data_dir,
    github_cache,
)

__all__ = ["DB_NAME", "NOT_FOUND", "PENDING", "RESOLVED", "SCHEMA_VERSION", "BlobCache", "Store",
           "StoreError", "atomic_write_bytes", "date_sources", "default_data_dir", "github_cache"]


def date_sources(store: Store) -> dict[str, str]:
    """Meetup key -> where its date came from: "table" (the root README), "page", "inferred"
    (day and month from the page, the year between its neighbours'), "none". Empty for a
    build from before this was recorded."""
    return json.loads(store.get_meta("date_sources") or "{}")
