"""A compressed index for a million vectors: IVF-PQ candidates, re-ranked exactly from disk.

`CompressedIndex` keeps only product-quantized codes in memory (48 bytes a vector at 384-d,
3% of the float32 vectors) and re-ranks its candidates by exact cosine against the unit
vectors, read from a memory-mapped file: only the few rows a query touches are paged in.
It answers like `embeddings.index.VectorIndex` (search, count, dim, kind, to_bytes).
"""

from __future__ import annotations

import hashlib
import math

import faiss
import numpy as np

from embeddings.index import IndexCorrupt, _as_matrix

IVFPQ = "ivfpq"
# From this many vectors on, the field index is compressed (below it, exact search over
# 150 MB at 384-d is fast enough and smaller than a trained quantizer is worth).
COMPRESS_THRESHOLD = 100_000
# Tuned with benchmarks/bench_field.py on 100k and 1M clustered 384-d vectors.
PQ_DIMS = 8        # dims per sub-quantizer: 48 bytes a vector at 384-d
NPROBE = None      # inverted lists scanned per query (None: `default_nprobe(nlist)`)
REFINE = 16        # candidates re-ranked exactly = REFINE * k
TRAIN_MAX = 131_072  # vectors the quantizers are trained on (a sample of the field)
_MAGIC = b"VDLMIVF1"
_HEADER = len(_MAGIC) + 32


def default_nlist(n: int) -> int:
    """Inverted lists for n vectors: about 4 sqrt(n), a power of two, 64..65536."""
    return int(2 ** round(math.log2(min(max(4 * math.sqrt(max(n, 1)), 64), 65536))))


def default_m(dim: int) -> int:
    """PQ sub-quantizers for a dimension: one per PQ_DIMS dims (48 at 384-d), else the
    largest divisor of dim that gives at least PQ_DIMS dims each."""
    return next(m for m in range(max(1, dim // PQ_DIMS), 0, -1) if dim % m == 0)


def default_nprobe(nlist: int) -> int:
    """Lists scanned per query: an eighth of them, at least 32 (neighbours of sentence
    embeddings spread over many lists; PQ scans are cheap, so recall is bought here)."""
    return min(nlist, max(32, nlist // 8))


class CompressedIndex:
    """IVF-PQ (L2 on unit vectors: the same order as cosine) with an exact re-ranking step.

    Args:
        index: a trained `faiss.IndexIVFPQ` holding the ids.
        vectors: the unit vectors, row i belonging to ``row_ids[i]`` (a memmap is fine).
        row_ids: int64 ids, ascending.
    """

    kind = IVFPQ

    def __init__(self, index: faiss.IndexIVFPQ, vectors: np.ndarray, row_ids: np.ndarray,
                 nprobe: int | None = NPROBE, refine: int = REFINE):
        self._index, self.vectors, self.row_ids = index, vectors, row_ids
        self.refine = refine
        self.nprobe = nprobe or default_nprobe(index.nlist)

    @property
    def nprobe(self) -> int:
        return int(self._index.nprobe)

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        self._index.nprobe = int(value)

    @classmethod
    def build(cls, vectors: np.ndarray, ids: np.ndarray, nlist: int | None = None,
              m: int | None = None, train_max: int = TRAIN_MAX, nprobe: int | None = NPROBE,
              refine: int = REFINE, chunk: int = 100_000, seed: int = 0) -> CompressedIndex:
        """Train on a sample, then add every vector in chunks (a memmap stays on disk).

        Args:
            vectors: float32 (n, dim) unit vectors; n must be >= 256 (the PQ codebooks).
            ids: n int64 ids, strictly ascending.
            nlist: inverted lists (default `default_nlist(n)`, capped at n // 39).
            m: PQ sub-quantizers (must divide dim; default: `default_m(dim)`).
        """
        n, dim = vectors.shape
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) != n:
            raise ValueError(f"{n} vectors but {len(ids)} ids")
        if n and np.any(np.diff(ids) <= 0):
            raise ValueError("ids must be strictly ascending")
        if n < 256:
            raise ValueError(f"a compressed index needs >= 256 vectors, got {n}")
        m = m or default_m(dim)
        if dim % m:
            raise ValueError(f"PQ m={m} must divide the dimension {dim}")
        nlist = nlist or default_nlist(n)
        nlist = max(1, min(nlist, n // 39))  # FAISS wants >= 39 training points per list
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, size=min(n, max(train_max, 39 * nlist)),
                                    replace=False))
        train = np.ascontiguousarray(vectors[sample], dtype=np.float32)
        quantizer = faiss.IndexFlatL2(dim)
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, m, 8)
        index.own_fields = True
        quantizer.this.disown()
        index.train(train)
        for i in range(0, n, chunk):
            block = _as_matrix(vectors[i:i + chunk], "vectors")
            index.add_with_ids(block, ids[i:i + chunk])
        return cls(index, vectors, ids, nprobe=nprobe, refine=refine)

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def ef_search(self) -> None:
        return None

    def memory_bytes(self) -> int:
        """What the index keeps in memory: codes, ids, quantizers and the id map."""
        return len(faiss.serialize_index(self._index)) + self.row_ids.nbytes

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by exact cosine among IVF-PQ's ``refine * k`` candidates (as VectorIndex)."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        queries = _as_matrix(queries, "queries")
        if queries.shape[1] != self.dim:
            raise ValueError(f"queries have dim {queries.shape[1]}, the index has {self.dim}")
        nq = len(queries)
        scores = np.full((nq, k), -np.inf, dtype=np.float32)
        out = np.full((nq, k), -1, dtype=np.int64)
        kk = min(self.count, max(k * self.refine, k))
        if not kk or not nq:
            return scores, out
        _, cand = self._index.search(queries, kk)
        for q in range(nq):
            c = cand[q][cand[q] >= 0]
            rows = np.searchsorted(self.row_ids, c)
            order = np.argsort(rows)  # ascending rows: sequential reads of the memmap
            exact = np.asarray(self.vectors[rows[order]], dtype=np.float32) @ queries[q]
            top = np.argsort(-exact, kind="stable")[:k]
            scores[q, :len(top)] = exact[top]
            out[q, :len(top)] = c[order][top]
        return scores, out

    def to_bytes(self) -> bytes:
        """The IVF-PQ part behind a checksummed header (vectors and ids are files apart)."""
        payload = faiss.serialize_index(self._index).tobytes()
        return _MAGIC + hashlib.sha256(payload).digest() + payload

    @classmethod
    def from_bytes(cls, data: bytes, vectors: np.ndarray, row_ids: np.ndarray,
                   nprobe: int | None = NPROBE, refine: int = REFINE) -> CompressedIndex:
        """Inverse of `to_bytes`, given the vectors file and ids it was built with.

        Raises:
            IndexCorrupt: damaged bytes, or vectors/ids that do not match the index.
        """
        data = bytes(data)
        if len(data) < _HEADER or not data.startswith(_MAGIC):
            raise IndexCorrupt("not a compressed field index (bad header)")
        payload = data[_HEADER:]
        if hashlib.sha256(payload).digest() != data[len(_MAGIC):_HEADER]:
            raise IndexCorrupt("compressed field index is truncated or corrupt")
        try:
            index = faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8))
        except RuntimeError as e:
            raise IndexCorrupt(f"FAISS cannot read the compressed index ({e})") from e
        if not isinstance(index, faiss.IndexIVFPQ):
            raise IndexCorrupt(f"unexpected FAISS index type {type(index).__name__}")
        if vectors.shape != (index.ntotal, index.d) or len(row_ids) != index.ntotal:
            raise IndexCorrupt(f"vectors {vectors.shape} / ids {len(row_ids)} do not match the "
                               f"index ({index.ntotal} x {index.d})")
        return cls(index, vectors, row_ids, nprobe=nprobe, refine=refine)

    def __repr__(self) -> str:
        return (f"CompressedIndex(count={self.count}, dim={self.dim}, "
                f"nlist={self._index.nlist}, nprobe={self.nprobe}, refine={self.refine})")
