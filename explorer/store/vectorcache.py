"""The vector cache every generation shares: (model, text hash) -> unit vector, checked on read.

It lives at ``cache/vectors.sqlite`` in the data dir. Content-addressed (a text's sha256 and the
model's id), so a vector cached by one build is right for every other; each vector is checked
when read (finite, unit norm, expected length) and a bad one counts as missing, so the text is
embedded again and the next write replaces it. Generations from before the shared cache keep
vectors in their own database's ``vectors`` table, which is read as a second source.
"""

from __future__ import annotations

import math
import os
import sqlite3
from pathlib import Path

import numpy as np

_TABLE = ("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_hash TEXT NOT NULL, "
          "vector BLOB NOT NULL, PRIMARY KEY (model, text_hash))")


# SQLite errors that say nothing about the file's contents: another process holds a lock, the
# disk is full, the file is read-only. A cache is never set aside for these.
_NOT_DAMAGE = {getattr(sqlite3, n) for n in ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL",
                                             "SQLITE_READONLY", "SQLITE_IOERR")
               if hasattr(sqlite3, n)}


def not_damage(e: sqlite3.Error) -> bool:
    """Whether an SQLite error is about the moment (a lock, a full disk), not the file."""
    return getattr(e, "sqlite_errorcode", None) in _NOT_DAMAGE or "locked" in str(e)


def cache_path(data_dir: Path) -> Path:
    return Path(data_dir) / "cache" / "vectors.sqlite"


def read_vectors(conn: sqlite3.Connection, model: str, text_hashes: list[str],
                 dim: int | None = None) -> dict[str, np.ndarray]:
    """The good vectors among those hashes in a ``vectors`` table (bad ones are left out)."""
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(text_hashes), 500):
        chunk = text_hashes[i:i + 500]
        q = ",".join("?" * len(chunk))
        for h, blob in conn.execute(
            f"SELECT text_hash, vector FROM vectors WHERE model=? AND text_hash IN ({q})",
            [model, *chunk],
        ):
            if not isinstance(blob, bytes) or len(blob) % 4:
                continue
            v = np.frombuffer(blob, dtype=np.float32)
            if (dim is not None and v.shape != (dim,)) or not v.size:
                continue
            norm = float(np.linalg.norm(v))
            if math.isfinite(norm) and abs(norm - 1.0) <= 1e-3:
                out[h] = v
    return out


class VectorCache:
    """The shared cache of one data dir; read-only caches never create or write the file."""

    timeout = 30.0  # seconds to wait for another process's lock

    def __init__(self, data_dir: Path, readonly: bool):
        self.path = cache_path(data_dir)
        self.readonly = readonly
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is not None:
            return self._conn
        if self.readonly:
            if not self.path.is_file():
                return None
            self._conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                                         check_same_thread=False, timeout=self.timeout)
            return self._conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=self.timeout)
            self._conn.execute(_TABLE)
            self._conn.commit()
        except sqlite3.DatabaseError as e:
            if not_damage(e):
                raise
            self._reset()
        return self._conn

    def _reset(self) -> None:
        """Put a damaged cache file aside and start an empty one (a writer heals the cache)."""
        if self._conn is not None:
            self._conn.close()
        for suffix in ("", "-journal"):
            p = Path(f"{self.path}{suffix}")
            if p.exists():
                os.replace(p, f"{self.path}.damaged{suffix}")
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=self.timeout)
        self._conn.execute(_TABLE)
        self._conn.commit()

    def get(self, model: str, text_hashes: list[str],
            dim: int | None = None) -> dict[str, np.ndarray]:
        try:
            conn = self._connect()
            if conn is None:
                return {}
            return read_vectors(conn, model, text_hashes, dim)
        except sqlite3.DatabaseError as e:
            if not self.readonly and not not_damage(e):
                self._reset()
            return {}  # a damaged or busy cache is a cache miss: the texts are embedded again

    def put(self, rows: list[tuple[str, str, bytes]], replace: bool = True) -> None:
        """Rows of (model, text hash, float32 bytes); nothing on a read-only cache.
        ``replace=False`` keeps vectors already cached (moving an old generation's in)."""
        if self.readonly or not rows:
            return
        sql = f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO vectors VALUES (?,?,?)"
        try:
            with self._connect() as conn:
                conn.executemany(sql, rows)
        except sqlite3.DatabaseError as e:
            if not_damage(e):
                return  # busy or full: these vectors are cached by a later build
            self._reset()
            with self._conn:
                self._conn.executemany(sql, rows)

    def retain(self, keep: set[tuple[str, str]]) -> int:
        """Delete every vector whose (model, text hash) is not in ``keep``; returns how many.
        The file keeps its size (SQLite reuses the freed pages), so it stops growing."""
        conn = None if self.readonly else self._connect()
        if conn is None:
            return 0
        drop = [r for r in conn.execute("SELECT model, text_hash FROM vectors")
                if (r[0], r[1]) not in keep]
        with conn:
            conn.executemany("DELETE FROM vectors WHERE model=? AND text_hash=?", drop)
        return len(drop)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
