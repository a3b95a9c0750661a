"""The store: the one package that writes files (data dir, generations, SQLite, caches, field)."""

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
           "StoreError", "atomic_write_bytes", "default_data_dir", "github_cache"]
