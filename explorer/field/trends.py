"""The field per theme and year: which of given theme centres each field paper is nearest.

The data behind a field radar (the field's share of papers per theme per year beside the
meetup's talks). Themes come from the caller as unit centre vectors, so this works with any
topic or theme model; the field's vectors are streamed in chunks, never all in memory.
"""

from __future__ import annotations

import numpy as np

from explorer.store.fieldstore import FieldStore


def field_theme_years(fs: FieldStore, model: str, centres: np.ndarray,
                      min_cosine: float = 0.0, chunk: int = 50_000) -> dict:
    """Count field papers per (theme, year of first submission).

    Args:
        fs: the field store.
        model: the model whose vectors to read (the centres' model).
        centres: float32 (themes, dim) unit vectors.
        min_cosine: a paper nearer no centre than this counts for no theme.
        chunk: vectors read at a time.

    Returns:
        {"counts": int array (themes, years), "years": list of years, "totals": papers per
        year (all papers, themed or not), "share": counts / totals (0 where no papers)}.
    """
    centres = np.asarray(centres, dtype=np.float32)
    per: dict[tuple[int, int], int] = {}
    totals: dict[int, int] = {}
    for ns, vecs in fs.iter_vectors(model, chunk):
        if vecs.shape[1] != centres.shape[1]:
            raise ValueError(f"field vectors have dim {vecs.shape[1]}, the centres "
                             f"{centres.shape[1]}: another model?")
        years = _years(fs, ns)
        sims = vecs @ centres.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(best)), best] >= min_cosine
        for y, b, keep in zip(years, best, ok):
            if y is None:
                continue
            totals[y] = totals.get(y, 0) + 1
            if keep:
                per[(int(b), y)] = per.get((int(b), y), 0) + 1
    years_sorted = sorted(totals)
    counts = np.zeros((len(centres), len(years_sorted)), dtype=np.int64)
    col = {y: i for i, y in enumerate(years_sorted)}
    for (t, y), c in per.items():
        counts[t, col[y]] = c
    tot = np.array([totals[y] for y in years_sorted], dtype=np.float64)
    share = np.divide(counts, tot, out=np.zeros(counts.shape), where=tot > 0)
    return {"counts": counts, "years": years_sorted, "totals": tot.astype(np.int64),
            "share": share}


def _years(fs: FieldStore, ns: np.ndarray) -> list[int | None]:
    rows = {}
    for i in range(0, len(ns), 900):
        chunk = [int(n) for n in ns[i:i + 900]]
        q = ",".join("?" * len(chunk))
        rows.update(fs.conn.execute(f"SELECT n, created FROM papers WHERE n IN ({q})", chunk))
    return [int(rows[int(n)][:4]) if rows.get(int(n)) else None for n in ns]
