"""One generation of the data dir: its SQLite database and index files (the rest: generations.py).

Layout of a generation (``generations/<name>/`` under the data dir, see explorer.store.generations)::

    explorer.sqlite        meetups, talks, arXiv refs, papers, vector cache (schema: user_version)
    index/<name>.faiss     FAISS index, written atomically
    index/<name>.json      its manifest (model, dim, count, corpus fingerprint, ...)
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

import explorer.store.generations as gens
from explorer.domain import ArxivRef, Corpus, Meetup, Paper, ParseWarning, Talk
from explorer.store.generations import (  # re-exported: the data dir's names live there
    DB_NAME,
    BlobCache,
    StoreError,
    atomic_write_bytes,
    default_data_dir,
    github_cache,
)
from explorer.store.vectorcache import VectorCache, read_vectors

__all__ = ["DB_NAME", "NOT_FOUND", "PENDING", "RESOLVED", "SCHEMA_VERSION", "BlobCache", "Store",
           "StoreError", "atomic_write_bytes", "default_data_dir", "github_cache"]

SCHEMA_VERSION = 2
# Additive migrations: version -> statements that bring a database from it to the next.
_MIGRATIONS = {
    1: ["ALTER TABLE talks ADD COLUMN bio TEXT NOT NULL DEFAULT ''"],  # speaker bios (v2)
}

_SCHEMA = """
CREATE TABLE meetups (
    key TEXT PRIMARY KEY, number INTEGER, title TEXT NOT NULL, date TEXT,
    venue TEXT, meetup_url TEXT, source_path TEXT
);
CREATE TABLE talks (
    id TEXT PRIMARY KEY, meetup_key TEXT NOT NULL REFERENCES meetups(key),
    position INTEGER NOT NULL, title TEXT NOT NULL, speakers TEXT NOT NULL,
    affiliations TEXT NOT NULL, abstract TEXT NOT NULL, slides_url TEXT, video_url TEXT,
    kind TEXT NOT NULL, bio TEXT NOT NULL DEFAULT ''
);
CREATE TABLE refs (
    arxiv_id TEXT NOT NULL, meetup_key TEXT NOT NULL, talk_id TEXT, context TEXT NOT NULL,
    source_path TEXT NOT NULL
);
CREATE INDEX refs_by_id ON refs(arxiv_id);
CREATE TABLE warnings (path TEXT NOT NULL, line INTEGER, message TEXT NOT NULL);
CREATE TABLE papers (
    id TEXT PRIMARY KEY, version INTEGER, title TEXT NOT NULL, abstract TEXT NOT NULL,
    authors TEXT NOT NULL, categories TEXT NOT NULL, published TEXT, updated TEXT,
    abs_url TEXT NOT NULL, pdf_url TEXT NOT NULL,
    status TEXT NOT NULL,      -- resolved | not_found | pending (network failed: retry later)
    reason TEXT NOT NULL, fetched_at TEXT
);
CREATE TABLE vectors (
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

RESOLVED, NOT_FOUND, PENDING = "resolved", "not_found", "pending"


class Store:
    """The SQLite database and index files of one generation (``store.replace_corpus(c)``
    is one transaction: all or nothing; ``Store.open(d, create=False)`` is read-only)."""

    def __init__(self, data_dir: Path, conn: sqlite3.Connection, path: Path | None = None,
                 generation: str | None = None, readonly: bool = False):
        self.data_dir = data_dir  # the data dir (messages, shared caches)
        self.path = path or data_dir  # the directory of this generation's files
        self.generation = generation  # its name; None for the old layout
        self.readonly = readonly
        self.conn = conn
        self.vector_cache = VectorCache(data_dir, readonly)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: str | os.PathLike | None = None, create: bool = True,
             readonly: bool | None = None) -> Store:
        """The current generation of a data dir (or one generation's directory).

        Args:
            data_dir: the data dir (default: ``$EXPLORER_DATA_DIR``, else ``data/``), or a
                ``generations/<name>`` directory.
            create: make an empty database (old layout, at the top) when there is none.
            readonly: open read-only (SQLite ``mode=ro``: nothing is ever written).
                Default: read-only for a built generation (only `explorer build`, holding
                the writer lock, writes one: a new generation, never the live one) and for
                ``create=False``; writable for the old layout with ``create=True``.

        Raises:
            StoreError: no database, an empty or damaged one, or another schema version.
        """
        d = default_data_dir(data_dir)
        found = gens.resolve(d)
        if found is None:
            if not create:
                raise StoreError(
                    f"no database in {d}: build one with `explorer build --source DIR|github "
                    f"--data-dir {d}`"
                )
            found = (d, d, None)
        root, path, name = found
        if readonly is None:
            readonly = not create or name is not None
        return cls.open_at(root, path, name, readonly=readonly, create=create)

    @classmethod
    def open_at(cls, root: Path, path: Path, generation: str | None, readonly: bool,
                create: bool = False) -> Store:
        """The database in ``path`` (a generation's directory, or the old layout's top)."""
        db = path / DB_NAME
        where = f"generation {generation}" if generation else str(db)
        if readonly:
            if not db.is_file():
                raise StoreError(f"{where} of {root} has no database; {gens.hint(root)}")
            conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True,
                                   check_same_thread=False)
        else:
            path.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(db, check_same_thread=False, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(f"{db} is not a readable SQLite database ({e}); "
                             + gens.hint(root)) from e
        if version == 0 and (readonly or not create):
            conn.close()
            raise StoreError(f"{db} is empty (no tables): it was never built or was "
                             f"truncated; {gens.hint(root)}")
        if version == 0:
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            version = SCHEMA_VERSION
        # A read-only store reads an older schema as it is (every migration only adds);
        # a writable one brings it up to date.
        while version in _MIGRATIONS and version < SCHEMA_VERSION and not readonly:
            with conn:
                for statement in _MIGRATIONS[version]:
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
        if version != SCHEMA_VERSION and not (readonly and version in _MIGRATIONS):
            conn.close()
            raise StoreError(
                f"{db} has schema version {version}, this explorer needs {SCHEMA_VERSION}; "
                "remove it and run `explorer build` again"
            )
        return cls(root, conn, path, generation, readonly)

    @staticmethod
    def current_generation(data_dir: str | os.PathLike | None = None) -> str | None:
        """The name of the data dir's current generation (cheap: reads one small file);
        None for a data dir without generations. A reader compares it to ``store.generation``
        to notice a newer build."""
        return gens.current_name(default_data_dir(data_dir))

    def copy_to(self, path: Path) -> Store:
        """A writable copy of this database in ``path`` (papers, topics and caches carry over)."""
        path.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(path / DB_NAME, check_same_thread=False, timeout=30)
        self.conn.backup(dst)
        dst.close()
        return Store.open_at(self.data_dir, path, path.name, readonly=False)

    def close(self) -> None:
        self.conn.close()
        self.vector_cache.close()

    def _writable(self, what: str) -> None:
        """Raise a clear StoreError, before anything is written, when this store is read-only."""
        if self.readonly:
            where = f"generation {self.generation}" if self.generation else str(self.path)
            raise StoreError(f"{where} of {self.data_dir} is open read-only, so {what} was "
                             f"not written: only `explorer build` changes a built data dir")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._writable("the transaction")
        with self.conn:
            yield self.conn

    # -- corpus ----------------------------------------------------------------------------
    def replace_corpus(self, corpus: Corpus) -> None:
        """Replace meetups, talks, refs and warnings in one transaction (idempotent)."""
        self._writable("the corpus")
        with self.conn:
            c = self.conn
            c.execute("DELETE FROM refs")
            c.execute("DELETE FROM warnings")
            c.execute("DELETE FROM talks")
            c.execute("DELETE FROM meetups")
            c.executemany(
                "INSERT INTO meetups VALUES (?,?,?,?,?,?,?)",
                [(m.key, m.number, m.title, m.date, m.venue, m.meetup_url, m.source_path)
                 for m in corpus.meetups],
            )
            c.executemany(
                "INSERT INTO talks (id, meetup_key, position, title, speakers, affiliations, "
                "abstract, slides_url, video_url, kind, bio) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(t.id, t.meetup_key, i, t.title, json.dumps(t.speakers),
                  json.dumps(t.affiliations), t.abstract, t.slides_url, t.video_url, t.kind,
                  t.bio)
                 for i, t in enumerate(corpus.talks)],
            )
            c.executemany("INSERT INTO refs VALUES (?,?,?,?,?)", [
                (r.arxiv_id, r.meetup_key, r.talk_id, r.context, r.source_path)
                for r in corpus.refs])
            c.executemany("INSERT INTO warnings VALUES (?,?,?)",
                          [(w.path, w.line, w.message) for w in corpus.warnings])
            # where each meetup's date came from: 'table', 'page', 'inferred' (year), 'none'
            c.execute("INSERT OR REPLACE INTO meta VALUES ('date_sources', ?)",
                      (json.dumps(corpus.date_sources, sort_keys=True),))

    def meetups(self) -> list[Meetup]:
        rows = self.conn.execute(
            "SELECT * FROM meetups ORDER BY date IS NULL, date, number"
        ).fetchall()
        return [Meetup(**dict(r)) for r in rows]

    def talks(self) -> list[Talk]:
        """All talks in meetup date order, then agenda order."""
        rows = self.conn.execute(
            "SELECT t.* FROM talks t JOIN meetups m ON m.key = t.meetup_key "
            "ORDER BY m.date IS NULL, m.date, m.number, t.position"
        ).fetchall()
        return [_talk(r) for r in rows]

    def talk_count(self) -> int:
        """Number of talk slots (raises StoreError when the database is damaged)."""
        try:
            return self.conn.execute("SELECT count(*) FROM talks").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path / DB_NAME} is damaged ({e}); "
                             + gens.hint(self.data_dir)) from e

    def talk_records(self) -> list[dict]:
        """Every talk as the `explorer talks --json` object (meetup = number or short key)."""
        meetups = {m.key: m for m in self.meetups()}
        out = []
        for t in self.talks():
            m = meetups[t.meetup_key]
            out.append({
                "id": t.id, "meetup": m.label, "date": m.date, "title": t.title,
                "speakers": t.speakers, "affiliations": t.affiliations, "abstract": t.abstract,
                "url": m.page_url, "slides_url": t.slides_url, "video_url": t.video_url,
                "kind": t.kind, "bio": t.bio,
            })
        return out

    def refs(self) -> list[ArxivRef]:
        rows = self.conn.execute("SELECT * FROM refs ORDER BY rowid").fetchall()
        return [ArxivRef(**dict(r)) for r in rows]

    def warnings(self) -> list[ParseWarning]:
        rows = self.conn.execute("SELECT * FROM warnings ORDER BY rowid").fetchall()
        return [ParseWarning(path=r["path"], line=r["line"], message=r["message"]) for r in rows]

    # -- papers ----------------------------------------------------------------------------
    def paper_status(self) -> dict[str, str]:
        """arXiv id -> resolved | not_found | pending, for every paper row."""
        return dict(self.conn.execute("SELECT id, status FROM papers").fetchall())

    def not_found_before(self, days: float) -> set[str]:
        """Ids answered `not_found` more than ``days`` days ago."""
        return {r[0] for r in self.conn.execute(
            "SELECT id FROM papers WHERE status=? AND (fetched_at IS NULL OR fetched_at < "
            "datetime('now', ?))", (NOT_FOUND, f"-{float(days)} days"))}

    def save_papers(self, papers: Iterable[Paper], status: dict[str, str] | None = None) -> None:
        """Upsert papers in one transaction; ``status`` overrides the status of some ids
        (default: resolved if ``paper.resolved`` else not_found)."""
        self._writable("papers")
        status = status or {}
        rows = []
        for p in papers:
            s = status.get(p.id) or (RESOLVED if p.resolved else NOT_FOUND)
            rows.append((p.id, p.version, p.title, p.abstract, json.dumps(p.authors),
                         json.dumps(p.categories), p.published, p.updated, p.abs_url,
                         p.pdf_url, s, p.reason))
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,"
                "datetime('now'))", rows)

    def papers(self) -> list[Paper]:
        rows = self.conn.execute("SELECT * FROM papers ORDER BY id").fetchall()
        return [_paper(r) for r in rows]

    # -- vector cache ----------------------------------------------------------------------
    def cached_vectors(self, model: str, text_hashes: list[str],
                       dim: int | None = None) -> dict[str, np.ndarray]:
        """The cached float32 vectors for those hashes; missing and bad ones are absent.

        Read from the data dir's shared cache (explorer.store.vectorcache), then from this
        generation's own table (generations from before the shared cache). Every vector is
        checked (finite, unit norm, ``dim`` long when given): a bad one is left out, so the
        caller embeds its text again and a build heals it.
        """
        found = self.vector_cache.get(model, text_hashes, dim)
        missing = [h for h in text_hashes if h not in found]
        if missing:
            found.update(read_vectors(self.conn, model, missing, dim))
        return found

    def save_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Cache vectors in the shared cache (skipped when read-only: reading never writes)."""
        self.vector_cache.put([(model, h, np.asarray(v, dtype=np.float32).tobytes())
                               for h, v in vectors.items()])

    def move_vectors_to_cache(self) -> int:
        """Move this generation's own cached vectors into the shared cache (once, at a build)."""
        self._writable("the vector move")
        rows = [tuple(r) for r in self.conn.execute("SELECT model, text_hash, vector FROM vectors")]
        if rows:
            self.vector_cache.put(rows, replace=False)
            with self.conn:
                self.conn.execute("DELETE FROM vectors")
        return len(rows)

    # -- key/value ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self._writable(f"meta {key!r}")
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    # -- files beside the database -----------------------------------------------------------
    def github_cache(self) -> BlobCache:
        """GitHub downloads, shared by every generation (content-addressed, checked on read)."""
        return github_cache(self.data_dir)

    def index_paths(self, name: str) -> tuple[Path, Path]:
        d = self.path / "index"
        return d / f"{name}.faiss", d / f"{name}.json"

    def write_index(self, name: str, index_bytes: bytes, manifest: dict) -> None:
        """Write the index then its manifest, each atomically; the manifest names the
        index file's size so a reader can tell a pair written by different builds."""
        self._writable(f"index {name!r}")
        ipath, mpath = self.index_paths(name)
        manifest = {**manifest, "index_bytes": len(index_bytes)}
        atomic_write_bytes(ipath, index_bytes)
        atomic_write_bytes(mpath, json.dumps(manifest, indent=2).encode())

    def read_index(self, name: str) -> tuple[bytes, dict] | None:
        """(index bytes, manifest), or None when no index of that name was built."""
        ipath, mpath = self.index_paths(name)
        if not ipath.exists() or not mpath.exists():
            return None
        try:
            manifest = json.loads(mpath.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise StoreError(f"{mpath} is corrupt ({e}); {gens.hint(self.data_dir)}") from e
        data = ipath.read_bytes()
        if manifest.get("index_bytes") not in (None, len(data)):
            raise StoreError(
                f"{ipath} is truncated or does not match its manifest "
                f"({len(data)} bytes, manifest says {manifest.get('index_bytes')}); "
                + gens.hint(self.data_dir)
            )
        return data, manifest


def _talk(r: sqlite3.Row) -> Talk:
    d = dict(r)
    d.pop("position")
    d["speakers"] = json.loads(d["speakers"])
    d["affiliations"] = json.loads(d["affiliations"])
    return Talk(**d)


def _paper(r: sqlite3.Row) -> Paper:
    d = dict(r)
    status = d.pop("status")
    d.pop("fetched_at")
    d["authors"] = json.loads(d["authors"])
    d["categories"] = json.loads(d["categories"])
    return Paper(**d, resolved=status == RESOLVED)
