"""Vector index: FAISS inner product over unit vectors, with stable int64 ids and a manifest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import faiss
import numpy as np

if TYPE_CHECKING:
    from explorer.store import Store

FLAT, HNSW = "flat", "hnsw"
APPROX_THRESHOLD = 50_000
# HNSW parameters tuned with benchmarks/bench_index.py (recall@10 >= 0.95 on 1M 384-d).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
# to_bytes() = magic + sha256(payload) + payload, so from_bytes() can refuse a damaged
# blob before FAISS parses it (FAISS may crash or misread on corrupt input).
_MAGIC = b"VDLMIDX1"
_HEADER = len(_MAGIC) + 32


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero): inner product is then cosine."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1, norms)


class VectorIndexError(Exception):
    """Base of the index errors."""


class IndexMissing(VectorIndexError):
    """No index of that name was built in the data dir."""


class IndexMismatch(VectorIndexError):
    """The stored index does not fit (other model, dim, corpus) or is damaged."""


class IndexCorrupt(IndexMismatch):
    """The index bytes are truncated or altered."""


def rebuild_hint(data_dir: object = "<dir>") -> str:
    """The commands that rebuild the data dir's index, or go back to the previous build."""
    return (f"rebuild with `explorer build --source DIR|github --data-dir {data_dir}`, or go "
            f"back to the previous build with `explorer rollback --data-dir {data_dir}`")


def _as_matrix(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array (n, dim), got shape {x.shape}")
    return np.ascontiguousarray(x)


@contextmanager
def _threads_for(nq: int) -> Iterator[None]:
    """One OpenMP thread for a single query, FAISS's default for batches.

    After a multi-threaded search FAISS's idle OpenMP threads spin for a while; on a 2-core
    machine they slowed the next query's torch encode by ~7 ms (hybrid p50 1.8x the floor).
    One query gains nothing from threads, so it runs on one and leaves none spinning.
    """
    if nq > 1:
        yield
        return
    saved = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(saved)


class VectorIndex:
    """Top-k cosine search over L2-normalized vectors, keyed by int64 ids.

    Exact (`IndexFlatIP`) up to `approx_threshold` vectors, HNSW above it.

    Example:
        >>> idx = VectorIndex.build(vectors, np.arange(len(vectors)))
        >>> scores, ids = idx.search(query_vectors, k=10)   # ids -1 where fewer than k
    """

    def __init__(self, index: faiss.Index, kind: str):
        self._index = index
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, ids: np.ndarray, approx: bool | None = None,
              approx_threshold: int = APPROX_THRESHOLD, hnsw_m: int = HNSW_M,
              ef_construction: int = HNSW_EF_CONSTRUCTION,
              ef_search: int = HNSW_EF_SEARCH) -> VectorIndex:
        """Index vectors under ids.

        Args:
            vectors: float32 (n, dim), each row L2-normalized.
            ids: n distinct int64 ids (returned by `search`).
            approx: True forces HNSW, False forces exact; None picks by size.
            approx_threshold: from this many vectors on, None means HNSW.
            hnsw_m, ef_construction, ef_search: HNSW graph degree and beam widths.

        Returns:
            The index.
        """
        vectors = _as_matrix(vectors, "vectors")
        ids = np.ascontiguousarray(np.asarray(ids).reshape(-1), dtype=np.int64)
        n, dim = vectors.shape
        if len(ids) != n:
            raise ValueError(f"{n} vectors but {len(ids)} ids")
        if len(np.unique(ids)) != n:
            raise ValueError("ids must be distinct")
        if n and (ids < 0).any():
            raise ValueError("ids must be >= 0 (-1 marks a missing hit)")
        for i in range(0, n, 100_000):  # in chunks: no second full-size copy
            chunk = vectors[i:i + 100_000]
            if not np.isfinite(chunk).all():
                raise ValueError("vectors contain NaN or inf")
            norms = np.linalg.norm(chunk, axis=1)
            bad = np.flatnonzero(np.abs(norms - 1.0) > 1e-3)
            if len(bad):
                raise ValueError(f"vector {i + bad[0]} (id {ids[i + bad[0]]}) has norm "
                                 f"{norms[bad[0]]:.4f}; the index needs L2-normalized vectors")
        use_hnsw = n >= approx_threshold if approx is None else approx
        if use_hnsw:
            inner = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = ef_construction
            inner.hnsw.efSearch = ef_search
        else:
            inner = faiss.IndexFlatIP(dim)
        index = faiss.IndexIDMap(inner)
        index.add_with_ids(vectors, ids)
        return cls(index, HNSW if use_hnsw else FLAT)

    @property
    def count(self) -> int:
        """Number of vectors."""
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self._index.d)

    @property
    def ef_search(self) -> int | None:
        """HNSW search beam width (None for a flat index)."""
        inner = faiss.downcast_index(self._index.index)
        return int(inner.hnsw.efSearch) if self.kind == HNSW else None

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        if self.kind == HNSW:
            faiss.downcast_index(self._index.index).hnsw.efSearch = int(value)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest vectors of each query by inner product (cosine for unit vectors).

        Args:
            queries: float32 (nq, dim) or (dim,).
            k: hits per query; more than `count` is allowed.

        Returns:
            (scores float32 (nq, k), ids int64 (nq, k)), best first; where there are fewer
            than k hits the rest is padded with id -1 and score -inf.
        """
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        queries = _as_matrix(queries, "queries")
        if queries.shape[1] != self.dim:
            raise ValueError(f"queries have dim {queries.shape[1]}, the index has {self.dim}")
        nq = len(queries)
        scores = np.full((nq, k), -np.inf, dtype=np.float32)
        ids = np.full((nq, k), -1, dtype=np.int64)
        kk = min(k, self.count)  # FAISS allocates nq*k: never ask for more than exists
        if kk and nq:
            with _threads_for(nq):
                s, i = self._index.search(queries, kk)
            scores[:, :kk], ids[:, :kk] = s, i
            scores[ids == -1] = -np.inf
        return scores, ids

    def to_bytes(self) -> bytes:
        """The index as bytes (FAISS serialization behind a checksummed header)."""
        payload = faiss.serialize_index(self._index).tobytes()
        return _MAGIC + hashlib.sha256(payload).digest() + payload

    @classmethod
    def from_bytes(cls, data: bytes) -> VectorIndex:
        """Inverse of `to_bytes`.

        Raises:
            IndexCorrupt: the bytes are truncated, altered, or not an index.
        """
        data = bytes(data)
        if len(data) < _HEADER or not data.startswith(_MAGIC):
            raise IndexCorrupt(f"not a vector index ({len(data)} bytes, bad header); "
                               + rebuild_hint())
        payload = data[_HEADER:]
        if hashlib.sha256(payload).digest() != data[len(_MAGIC):_HEADER]:
            raise IndexCorrupt("vector index is truncated or corrupt (checksum mismatch); "
                               + rebuild_hint())
        try:
            index = faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8))
        except RuntimeError as e:
            raise IndexCorrupt(f"FAISS cannot read the index ({e}); " + rebuild_hint()) from e
        if not isinstance(index, faiss.IndexIDMap):
            raise IndexCorrupt(f"unexpected FAISS index type {type(index).__name__}")
        inner = faiss.downcast_index(index.index)
        kind = HNSW if isinstance(inner, faiss.IndexHNSWFlat) else FLAT
        if kind == FLAT and not isinstance(inner, faiss.IndexFlatIP):
            raise IndexCorrupt(f"unexpected FAISS index type {type(inner).__name__}")
        return cls(index, kind)

    def __repr__(self) -> str:
        return f"VectorIndex(kind={self.kind!r}, count={self.count}, dim={self.dim})"


def exact_search(queries: np.ndarray, vectors: np.ndarray, k: int,
                 ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force top-k by inner product, in numpy (the reference for tests).

    Args:
        queries: (nq, dim).
        vectors: (n, dim).
        k: hits per query.
        ids: ids of the vectors' rows; None means row numbers.

    Returns:
        (scores (nq, k), ids (nq, k)) best first, ties by row order; -inf/-1 padded.
    """
    queries, vectors = _as_matrix(queries, "queries"), _as_matrix(vectors, "vectors")
    ids = np.arange(len(vectors)) if ids is None else np.asarray(ids, dtype=np.int64)
    sims = queries @ vectors.T
    kk = min(k, len(vectors))
    order = np.argsort(-sims, axis=1, kind="stable")[:, :kk]
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    out = np.full((len(queries), k), -1, dtype=np.int64)
    scores[:, :kk] = np.take_along_axis(sims, order, axis=1)
    out[:, :kk] = ids[order]
    return scores, out


def save_index(store: Store, name: str, index: VectorIndex, manifest_extra: dict) -> dict:
    """Write the index and its manifest into the store (each file atomically).

    Args:
        store: the data dir's `Store`.
        name: index name ("items" -> index/items.faiss + index/items.json).
        index: the index.
        manifest_extra: must hold "model" (the encoder's model_id); should hold
            "fingerprint" (the corpus fingerprint); anything else is kept as is.

    Returns:
        The manifest written.
    """
    if "model" not in manifest_extra:
        raise ValueError("manifest_extra needs 'model' (the encoder's model_id)")
    data = index.to_bytes()
    manifest = {
        **manifest_extra,
        "dim": index.dim,
        "normalized": True,
        "metric": "inner_product",
        "count": index.count,
        "kind": index.kind,
        "ef_search": index.ef_search,
        "faiss_version": faiss.__version__,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    store.write_index(name, data, manifest)
    return manifest


def load_index(store: Store, name: str, expect_model: str | None = None,
               expect_dim: int | None = None,
               expect_fingerprint: str | None = None) -> tuple[VectorIndex, dict]:
    """Read an index written by `save_index` and check it fits.

    Args:
        store: the data dir's `Store`.
        name: index name.
        expect_model, expect_dim, expect_fingerprint: values the manifest must have
            (None: not checked).

    Returns:
        (index, manifest).

    Raises:
        IndexMissing: no index of that name was built.
        IndexMismatch: built with another model, dim or corpus, or damaged (`IndexCorrupt`).
    """
    from explorer.store import StoreError

    hint = rebuild_hint(store.data_dir)
    try:
        got = store.read_index(name)
    except StoreError as e:
        raise IndexCorrupt(f"index {name!r}: {e}") from e
    if got is None:
        raise IndexMissing(f"no index {name!r} in {store.data_dir}: build it; {hint}")
    data, manifest = got
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise IndexCorrupt(f"index {name!r} in {store.data_dir} is truncated or corrupt "
                           f"(sha256 does not match its manifest); {hint}")
    checks = [("model", expect_model), ("dim", expect_dim), ("fingerprint", expect_fingerprint)]
    for key, want in checks:
        if want is not None and manifest.get(key) != want:
            what = "corpus" if key == "fingerprint" else key
            raise IndexMismatch(f"index {name!r} was built with {what} "
                                f"{manifest.get(key)!r}, expected {want!r}; {hint}")
    try:
        index = VectorIndex.from_bytes(data)
    except IndexCorrupt as e:
        raise IndexCorrupt(f"index {name!r} in {store.data_dir}: {e}") from e
    if index.dim != manifest.get("dim") or index.count != manifest.get("count"):
        raise IndexCorrupt(f"index {name!r} does not match its manifest "
                           f"(dim {index.dim}, count {index.count}); {hint}")
    if manifest.get("ef_search"):
        index.ef_search = manifest["ef_search"]
    return index, manifest
