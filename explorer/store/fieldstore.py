"""The field's files (part of the store layer): its own SQLite database, vectors and index files.

The field (arXiv's papers beyond the meetup) is large and shared by every build of the data
dir, so it lives apart from ``explorer.sqlite``, under ``$EXPLORER_FIELD_DIR`` or else
``<data dir>/field/``::

    field.sqlite                       papers (one row per arXiv id), vectors keyed by
                                       (model, text hash), import checkpoints, meta
    index/<name>.json                  the manifest: names the index files below, written last
    index/<name>-<sha12>.faiss         the FAISS index (content-addressed, written atomically)
    index/<name>-<sha12>.vectors.npy   unit vectors in row order (the exact re-ranking step
                                       reads them memory-mapped, never all into memory)
    index/<name>-<sha12>.rows.npy      the papers' row numbers (``n``) in that order

A reader opens the manifest, then the files it names: a build writing new files never
changes the ones a reader has open, and the manifest switches atomically.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from explorer.store.generations import StoreError, atomic_write_bytes, default_data_dir

FIELD_SCHEMA_VERSION = 1
FIELD_DB = "field.sqlite"
PAPER_COLUMNS = ("id", "title", "abstract", "authors", "categories", "created", "updated",
                 "doi", "journal_ref", "comments", "license", "text_hash")

_SCHEMA = """
CREATE TABLE papers (
    n INTEGER PRIMARY KEY,            -- the FAISS id of the paper
    id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, abstract TEXT NOT NULL,
    authors TEXT NOT NULL, categories TEXT NOT NULL,   -- space-separated, as arXiv writes them
    created TEXT, updated TEXT,       -- first version's date, last update (YYYY-MM-DD)
    doi TEXT, journal_ref TEXT, comments TEXT, license TEXT,
    text_hash TEXT NOT NULL           -- sha256 of the embedded text ("title. abstract")
);
CREATE INDEX papers_by_created ON papers(created);
CREATE TABLE vectors (
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
);
CREATE TABLE imports (
    source TEXT PRIMARY KEY,          -- path, size, mtime and filters of an imported file
    lines INTEGER NOT NULL, offset INTEGER NOT NULL, added INTEGER NOT NULL,
    updated INTEGER NOT NULL, malformed INTEGER NOT NULL, done INTEGER NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def field_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """``$EXPLORER_FIELD_DIR`` if set, else ``<data dir>/field``."""
    env = os.environ.get("EXPLORER_FIELD_DIR")
    return Path(env) if env else default_data_dir(data_dir) / "field"


def archive_model(data_dir: str | os.PathLike | None = None) -> str | None:
    """The model the data dir's current archive index was built with (its ``items``
    manifest), or None when no archive is indexed or its manifest cannot be read: the field
    index must be built with it, or the archive's queries could never search it."""
    from explorer.store.generations import resolve

    found = resolve(default_data_dir(data_dir))
    if found is None:
        return None
    try:
        model = json.loads((found[1] / "index" / "items.json").read_text()).get("model")
    except (OSError, ValueError, AttributeError):
        return None
    return model if isinstance(model, str) and model else None


class FieldStore:
    """The field's database and index files.

    Example:
        >>> fs = FieldStore.open()                 # creates field/field.sqlite if needed
        >>> fs.count(), fs.papers_by_id(["2101.00001"])
    """

    def __init__(self, root: Path, conn: sqlite3.Connection):
        self.root = root
        self.conn = conn

    @classmethod
    def open(cls, data_dir: str | os.PathLike | None = None, create: bool = True,
             root: str | os.PathLike | None = None) -> FieldStore:
        """The field of a data dir (see `field_dir`), or the one at ``root``."""
        root = Path(root) if root is not None else field_dir(data_dir)
        db = root / FIELD_DB
        if not db.exists() and not create:
            raise StoreError(f"no field database in {root}: import arXiv's snapshot with "
                             "`explorer field import PATH`")
        if not create and db.stat().st_size == 0:  # a reader never writes a schema into it
            raise StoreError(f"{db} is empty (0 bytes): its papers are lost; move it away and "
                             "run `explorer field import PATH` and `explorer field build`")
        root.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(db, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # readers (the app) while importing
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(f"{db} is not a readable SQLite database ({e}): move it away and "
                             "run `explorer field import PATH` and `explorer field build`") from e
        if version == 0:
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {FIELD_SCHEMA_VERSION}")
        elif version != FIELD_SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{db} has field schema version {version}, this explorer needs "
                             f"{FIELD_SCHEMA_VERSION}; remove it and import again")
        return cls(root, conn)

    def close(self) -> None:
        self.conn.close()

    # -- papers ------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])

    def updated_of(self, ids: list[str]) -> dict[str, str | None]:
        """id -> stored update date, for the ids already in the field."""
        out: dict[str, str | None] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = ",".join("?" * len(chunk))
            out.update(self.conn.execute(
                f"SELECT id, updated FROM papers WHERE id IN ({q})", chunk).fetchall())
        return out

    def write_batch(self, inserts: list[tuple], updates: list[tuple], source: str | None = None,
                    checkpoint: dict | None = None) -> None:
        """Insert new papers, replace updated ones and move the file's checkpoint (when a
        ``source`` is given), in one transaction (an interrupted import resumes from the
        last checkpoint)."""
        cols = ",".join(PAPER_COLUMNS)
        sets = ",".join(f"{c}=?" for c in PAPER_COLUMNS[1:])
        with self.conn:
            self.conn.executemany(
                f"INSERT INTO papers ({cols}) VALUES ({','.join('?' * len(PAPER_COLUMNS))})",
                inserts)
            self.conn.executemany(f"UPDATE papers SET {sets} WHERE id=?",
                                  [(*row[1:], row[0]) for row in updates])
            if source is not None:
                self.conn.execute(
                    "INSERT OR REPLACE INTO imports VALUES (?,?,?,?,?,?,?)",
                    (source, checkpoint["lines"], checkpoint["offset"], checkpoint["added"],
                     checkpoint["updated"], checkpoint["malformed"], int(checkpoint["done"])))

    def checkpoint(self, source: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM imports WHERE source=?", (source,)).fetchone()
        return dict(row) if row else None

    def papers_by_n(self, ns: list[int]) -> dict[int, dict]:
        """n -> paper row, for the given row numbers (one query per 500; never all rows)."""
        out: dict[int, dict] = {}
        for i in range(0, len(ns), 500):
            chunk = [int(n) for n in ns[i:i + 500]]
            q = ",".join("?" * len(chunk))
            for r in self.conn.execute(f"SELECT * FROM papers WHERE n IN ({q})", chunk):
                out[r["n"]] = dict(r)
        return out

    def papers_by_id(self, ids: list[str]) -> dict[str, dict]:
        """arXiv id -> paper row, for the ids in the field."""
        out: dict[str, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = ",".join("?" * len(chunk))
            for r in self.conn.execute(f"SELECT * FROM papers WHERE id IN ({q})", chunk):
                out[r["id"]] = dict(r)
        return out

    def pending(self, model: str, limit: int, after_n: int = 0) -> list[sqlite3.Row]:
        """Up to ``limit`` papers after row ``after_n`` whose text has no vector for
        ``model`` yet (n, id, text_hash, title, abstract), in row order."""
        return self.conn.execute(
            "SELECT n, id, text_hash, title, abstract FROM papers p WHERE n > ? AND NOT EXISTS "
            "(SELECT 1 FROM vectors v WHERE v.model=? AND v.text_hash=p.text_hash) "
            "ORDER BY n LIMIT ?", (after_n, model, limit)).fetchall()

    def count_pending(self, model: str) -> int:
        return int(self.conn.execute(
            "SELECT COUNT(DISTINCT text_hash) FROM papers p WHERE NOT EXISTS "
            "(SELECT 1 FROM vectors v WHERE v.model=? AND v.text_hash=p.text_hash)",
            (model,)).fetchone()[0])

    # -- vectors -----------------------------------------------------------------------------
    def save_vectors(self, model: str, hashes: list[str], vectors: np.ndarray) -> None:
        """Store one vector per text hash; all of a model's vectors have one length.

        Raises:
            ValueError: not one vector per hash, or another length than the model's stored
                vectors (another model behind the same name: mixing them would mix papers).
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(hashes):
            raise ValueError(f"{len(hashes)} text hashes but vectors of shape {vectors.shape}")
        row = self.conn.execute("SELECT length(vector) FROM vectors WHERE model=? LIMIT 1",
                                (model,)).fetchone()
        if row is not None and len(hashes) and row[0] != vectors.shape[1] * 4:
            raise ValueError(f"the field's vectors for {model} have {row[0] // 4} dimensions, "
                             f"these {vectors.shape[1]}: another model under the same name? "
                             "Give it another name (or path)")
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                                  [(model, h, vectors[i].tobytes())
                                   for i, h in enumerate(hashes)])

    def vector_of(self, model: str, paper_id: str) -> np.ndarray | None:
        row = self.conn.execute(
            "SELECT v.vector FROM papers p JOIN vectors v ON v.text_hash=p.text_hash "
            "AND v.model=? WHERE p.id=?", (model, paper_id)).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32)

    def vectors_by_n(self, model: str, ns: list[int]) -> dict[int, np.ndarray]:
        """n -> the stored vector of that paper's text for a model (few rows: a spot check)."""
        q = ",".join("?" * len(ns))
        return {int(n): np.frombuffer(v, dtype=np.float32) for n, v in self.conn.execute(
            "SELECT p.n, v.vector FROM papers p JOIN vectors v ON v.model=? AND "
            f"v.text_hash=p.text_hash WHERE p.n IN ({q})", [model, *map(int, ns)])}

    def iter_vectors(self, model: str, chunk: int = 50_000) -> Iterator[tuple[np.ndarray,
                                                                              np.ndarray]]:
        """(row numbers, float32 vectors) of every embedded paper, in row order, chunk by
        chunk (papers not embedded yet are left out)."""
        last, width = 0, None
        while True:
            rows = self.conn.execute(
                "SELECT p.n, v.vector FROM papers p JOIN vectors v ON v.model=? AND "
                "v.text_hash=p.text_hash WHERE p.n > ? ORDER BY p.n LIMIT ?",
                (model, last, chunk)).fetchall()
            if not rows:
                return
            ns = np.array([r[0] for r in rows], dtype=np.int64)
            width = self._same_length(model, rows, 1, width)
            vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            yield ns, vecs.reshape(len(rows), -1)
            last = int(ns[-1])

    def iter_dated_vectors(self, model: str, chunk: int = 20_000
                           ) -> Iterator[tuple[np.ndarray, list[str], list[str | None]]]:
        """(float32 vectors, titles, first-submission dates) of every embedded paper, chunk
        by chunk in row order: what assigning the field to themes reads (no abstracts)."""
        last, width = 0, None
        while True:
            rows = self.conn.execute(
                "SELECT p.n, p.title, p.created, v.vector FROM papers p JOIN vectors v ON "
                "v.model=? AND v.text_hash=p.text_hash WHERE p.n > ? ORDER BY p.n LIMIT ?",
                (model, last, chunk)).fetchall()
            if not rows:
                return
            width = self._same_length(model, rows, 3, width)
            vecs = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32)
            yield vecs.reshape(len(rows), -1), [r[1] for r in rows], [r[2] for r in rows]
            last = int(rows[-1][0])

    def _same_length(self, model: str, rows: list, col: int, want: int | None) -> int:
        """Refuse a chunk whose vectors differ in length (from each other, or from ``want``,
        the earlier chunks'): read as one array, its rows would straddle papers."""
        want = want or len(rows[0][col])
        for r in rows:
            if len(r[col]) != want:
                raise StoreError(f"{self.root / FIELD_DB}: the {model} vector of row {r[0]} "
                                 f"has {len(r[col]) // 4} dimensions, the others "
                                 f"{want // 4}: two models were stored under one name; "
                                 f"delete them (DELETE FROM vectors WHERE model='{model}') "
                                 "and run `explorer field build`")
        return want

    def embedded_signature(self, model: str) -> list:
        """[embedded papers, highest row number, latest update] for a model: changes when
        papers are embedded, imported or updated, so results over the vectors can be cached
        on it."""
        row = self.conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(p.n), 0), COALESCE(MAX(p.updated), '') FROM papers "
            "p JOIN vectors v ON v.model=? AND v.text_hash=p.text_hash", (model,)).fetchone()
        return [int(row[0]), int(row[1]), str(row[2])]

    # -- key/value ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    # -- index files -------------------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @contextmanager
    def new_file(self, suffix: str) -> Iterator[Path]:
        """A temporary path in the index dir for a large file written by the caller
        (`commit_index` names it by content)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.index_dir, prefix=".new-", suffix=suffix)
        os.close(fd)
        try:
            yield Path(tmp)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def drop_stale_temp_files(self) -> int:
        """Remove the temp files a killed build left in the index dir (call only while
        holding the writer lock: no other build is writing them); returns how many."""
        gone = 0
        for p in self.index_dir.glob(".new-*") if self.index_dir.exists() else []:
            p.unlink(missing_ok=True)
            gone += 1
        return gone

    def commit_index(self, name: str, files: dict[str, Path | bytes], manifest: dict,
                     digest: str) -> dict:
        """Move the files into place as ``<name>-<digest[:12]><suffix>`` (bytes are written
        atomically), then write the manifest naming them, then drop older files of ``name``.

        Args:
            files: suffix (".faiss", ".vectors.npy", ...) -> finished temp path or bytes.
            manifest: what readers check (model, count, kind, ...).
            digest: sha256 hex of the content, names the files.
        """
        stem = f"{name}-{digest[:12]}"
        named = {}
        for suffix, src in files.items():
            dst = self.index_dir / f"{stem}{suffix}"
            if isinstance(src, bytes):
                atomic_write_bytes(dst, src)
            else:
                with open(src, "rb+") as f:
                    os.fchmod(f.fileno(), 0o644)  # mkstemp's 0600 would lock out readers
                    os.fsync(f.fileno())
                os.replace(src, dst)
            named[suffix] = dst.name
        manifest = {**manifest, "files": named, "digest": digest}
        atomic_write_bytes(self.index_dir / f"{name}.json",
                           json.dumps(manifest, indent=2).encode())
        keep = set(named.values()) | {f"{name}.json"}
        for p in self.index_dir.glob(f"{name}-*"):
            if p.name not in keep:
                p.unlink(missing_ok=True)  # a reader that has it open keeps its inode
        return manifest

    def read_manifest(self, name: str) -> dict | None:
        path = self.index_dir / f"{name}.json"
        if not path.exists():
            return None
        try:
            manifest = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise StoreError(f"{path} is corrupt ({e}); rebuild with `explorer field build`") \
                from e
        files = manifest.get("files") if isinstance(manifest, dict) else None
        need = {"model": str, "kind": str, "count": int, "dim": int}
        if (not isinstance(files, dict) or ".faiss" not in files
                or not all(isinstance(v, str) and "/" not in v for v in files.values())
                or not all(isinstance(manifest.get(k), t) for k, t in need.items())):
            raise StoreError(f"{path} is corrupt (not a field index manifest); rebuild with "
                             "`explorer field build`")
        for fname in files.values():
            if not (self.index_dir / fname).exists():
                raise StoreError(f"{self.index_dir / fname}, named by {path}, is missing; "
                                 "rebuild with `explorer field build`")
        return manifest

    def index_file(self, manifest: dict, suffix: str) -> Path:
        return self.index_dir / manifest["files"][suffix]
