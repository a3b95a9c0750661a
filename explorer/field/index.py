"""The field's index: exact below `COMPRESS_THRESHOLD` papers, IVF-PQ + exact re-ranking above.

Both answer `search(queries, k) -> (scores, ids)` with the papers' row numbers as ids, like
`embeddings.index.VectorIndex`. The files are written by `FieldStore.commit_index`:
content-addressed, the manifest last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import faiss
import numpy as np

from embeddings.compressed import COMPRESS_THRESHOLD, IVFPQ, CompressedIndex
from embeddings.index import FLAT, IndexMismatch, IndexMissing, VectorIndex
from explorer.store.fieldstore import FieldStore

INDEX_NAME = "field"


def _hint() -> str:
    return "build it with `explorer field build`"


def build_field_index(fs: FieldStore, model_id: str, compressed: bool | None = None,
                      progress: Callable[[int], object] | None = None,
                      on_start: Callable[[int], object] | None = None,
                      **compress_args) -> dict:
    """Index every embedded field paper for ``model_id`` and write the files atomically.

    Args:
        compressed: True forces IVF-PQ, False exact; None: IVF-PQ from COMPRESS_THRESHOLD on.
        progress: called with the number of vectors copied after each chunk.
        on_start: called with the number of vectors to index (a bar's total).
        compress_args: passed to `CompressedIndex.build` (nlist, m, nprobe, refine).

    Returns:
        The manifest written (kind, count, model, files, ...).
    """
    n = int(fs.conn.execute(
        "SELECT COUNT(*) FROM papers p JOIN vectors v ON v.model=? AND v.text_hash=p.text_hash",
        (model_id,)).fetchone()[0])
    if n == 0:
        raise IndexMissing(f"no field paper has a vector for {model_id}: run "
                           "`explorer field build` (or import papers first)")
    if on_start:
        on_start(n)
    digest = hashlib.sha256(model_id.encode())
    with fs.new_file(".vectors.npy") as vpath, fs.new_file(".rows.npy") as rpath:
        vecs = rows = None
        done = 0
        for ns, block in fs.iter_vectors(model_id):
            if vecs is None:
                vecs = np.lib.format.open_memmap(vpath, mode="w+", dtype=np.float32,
                                                 shape=(n, block.shape[1]))
                rows = np.empty(n, dtype=np.int64)
            vecs[done:done + len(ns)] = block
            rows[done:done + len(ns)] = ns
            digest.update(ns.tobytes())
            digest.update(block.tobytes())
            done += len(ns)
            if progress:
                progress(len(ns))
        vecs.flush()
        np.save(rpath, rows)
        use = n >= COMPRESS_THRESHOLD if compressed is None else compressed
        if use:
            index = CompressedIndex.build(vecs, rows, **compress_args)
            params = {"nlist": int(index._index.nlist), "m": int(index._index.pq.M),
                      "nprobe": index.nprobe, "refine": index.refine}
        else:
            index = VectorIndex.build(vecs, rows, approx=False)
            params = {}
        data = index.to_bytes()
        digest.update(data)
        manifest = {"model": model_id, "dim": int(vecs.shape[1]), "count": n,
                    "kind": index.kind, "faiss_version": faiss.__version__,
                    "sha256": hashlib.sha256(data).hexdigest(), **params,
                    "ids": id_sample(fs, rows)}
        del vecs
        return fs.commit_index(INDEX_NAME, {".faiss": data, ".vectors.npy": vpath,
                                            ".rows.npy": rpath}, manifest, digest.hexdigest())


class FieldIndex:
    """The field's index opened for search: ids are the papers' row numbers in field.sqlite."""

    def __init__(self, index, manifest: dict):
        self.index, self.manifest = index, manifest

    @property
    def model(self) -> str:
        return self.manifest["model"]

    @property
    def count(self) -> int:
        return self.index.count

    @classmethod
    def load(cls, fs: FieldStore, expect_model: str | None = None) -> FieldIndex:
        """Open the index the manifest names (vectors memory-mapped, never read whole).

        Raises:
            IndexMissing: no field index was built.
            IndexMismatch: built with another model, or damaged.
        """
        try:
            return cls._load(fs, expect_model)
        except FileNotFoundError:  # a build switched the files since the manifest was read
            return cls._load(fs, expect_model)

    @classmethod
    def _load(cls, fs: FieldStore, expect_model: str | None) -> FieldIndex:
        manifest = fs.read_manifest(INDEX_NAME)
        if manifest is None:
            raise IndexMissing(f"no field index in {fs.root}: {_hint()}")
        if expect_model is not None and manifest["model"] != expect_model:
            raise IndexMismatch(f"the field index was built with {manifest['model']!r}, the "
                                f"archive's with {expect_model!r}: run `explorer field build "
                                f"--model {expect_model}`")
        other = same_field(fs, manifest)
        if other:
            raise IndexMismatch(f"the field index in {fs.index_dir} was built from another "
                                f"field.sqlite ({other}): its rows would show other papers; "
                                f"{_hint()}")
        data = fs.index_file(manifest, ".faiss").read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
            raise IndexMismatch(f"the field index in {fs.root} is truncated or corrupt; "
                                f"{_hint()}")
        try:
            if manifest["kind"] == IVFPQ:
                vectors = np.load(fs.index_file(manifest, ".vectors.npy"), mmap_mode="r")
                rows = np.load(fs.index_file(manifest, ".rows.npy"))
                want = (manifest["count"], manifest["dim"])
                if vectors.shape != want or rows.shape != (want[0],):
                    raise ValueError(f"vectors {vectors.shape}, rows {rows.shape}, the "
                                     f"manifest says {want}")
                bad = spot_check(fs, manifest["model"], vectors, rows)
                if bad:
                    raise IndexMismatch(f"the field index in {fs.root} does not hold the "
                                        f"field's vectors ({bad}); {_hint()}")
                index = CompressedIndex.from_bytes(data, vectors, rows,
                                                   nprobe=manifest["nprobe"],
                                                   refine=manifest["refine"])
            else:
                index = VectorIndex.from_bytes(data)
        except (ValueError, OSError, KeyError, RuntimeError) as e:  # truncated .npy, bad kind
            raise IndexMismatch(f"the field index in {fs.root} is damaged ({e}); {_hint()}") \
                from e
        if index.kind not in (FLAT, IVFPQ) or index.count != manifest["count"]:
            raise IndexMismatch(f"the field index in {fs.root} does not match its manifest; "
                                f"{_hint()}")
        return cls(index, manifest)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.index.search(queries, k)


def spot_check(fs: FieldStore, model: str, vectors: np.ndarray, rows: np.ndarray,
               sample: int = 32) -> str:
    """Compare a few memory-mapped rows, spread over the file, with the vectors the field
    stores for those papers: "" when they agree, else what differs. Reads ``sample`` rows,
    never the whole file: a size check alone misses a file from another build or one
    overwritten in place. A paper harvested since the build may legitimately differ, so
    only a quarter or more of the compared rows differing (at least two) counts."""
    if not len(rows):
        return ""
    picks = np.unique(np.linspace(0, len(rows) - 1, min(sample, len(rows))).astype(np.int64))
    stored = fs.vectors_by_n(model, [int(rows[i]) for i in picks])
    compared = [i for i in picks if int(rows[i]) in stored]
    differ = [int(i) for i in compared
              if not np.allclose(np.asarray(vectors[i], np.float32), stored[int(rows[i])],
                                 atol=1e-6)]
    if len(differ) >= max(2, len(compared) // 4):
        return (f"{len(differ)} of {len(compared)} sampled rows differ from field.sqlite, "
                f"first row {differ[0]}")
    return ""


def id_sample(fs: FieldStore, rows: np.ndarray, sample: int = 32) -> dict[str, str]:
    """{row number: arXiv id} of a few indexed papers spread over the rows: what ties an
    index to the field.sqlite it was built from (a paper keeps its row number for good)."""
    if not len(rows):
        return {}
    picks = np.unique(np.linspace(0, len(rows) - 1, min(sample, len(rows))).astype(np.int64))
    papers = fs.papers_by_n([int(rows[i]) for i in picks])
    return {str(n): p["id"] for n, p in sorted(papers.items())}


def same_field(fs: FieldStore, manifest: dict) -> str:
    """"" when the papers the manifest samples still have their row numbers in ``fs``, else
    the first that does not (a field.sqlite imported again, in another order, has other
    papers at those rows). Manifests written before the sample carry none: not checked."""
    import sqlite3

    from explorer.store import StoreError

    ids = manifest.get("ids")
    if not isinstance(ids, dict) or not ids:
        return ""
    try:
        have = fs.papers_by_n([int(n) for n in ids])
    except (ValueError, TypeError):
        return "its manifest's paper sample is unreadable"
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{fs.root / 'field.sqlite'} is damaged ({e}): move it away, then "
                         "run `explorer field import` and `explorer field build` again") from e
    for n, pid in ids.items():
        got = have.get(int(n), {}).get("id")
        if got != pid:
            return f"row {n} is {pid} there, {got or 'no paper'} here"
    return ""
