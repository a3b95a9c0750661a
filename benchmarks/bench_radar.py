"""Benchmark the field radar's streaming pass: field papers assigned to themes, chunk by chunk.

Writes N invented snapshot records (tests/field_fixtures.py) into a fresh field.sqlite,
stores a random 384-d unit vector for each (the pass reads stored vectors; the model is not
what is measured), then times the pass that `explorer field radar` runs once (and caches):
rows read from SQLite, scored against the taxonomy's themes with title keywords, counted per
theme and month. Prints papers/s, the peak Python heap (tracemalloc: what the pass holds at
once) and the projection to the 1M-paper ML field and all of arXiv (2.7M).

    python benchmarks/bench_radar.py --papers 100000 [--chunk 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from field_fixtures import write_snapshot

from explorer.field.snapshot import import_snapshot
from explorer.field.themes import count_field_themes
from explorer.insights.taxonomy import THEMES
from explorer.insights.themes import settings_for
from explorer.store.fieldstore import FieldStore

DIM = 384
MODEL = "bench-random-384"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=20_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fs = FieldStore.open(root=tmp / "field")
        t0 = time.perf_counter()
        import_snapshot(fs, write_snapshot(tmp / "s.json", args.papers, seed=2), categories="all")
        t_import = time.perf_counter() - t0
        last = 0
        while rows := fs.conn.execute("SELECT n, text_hash FROM papers WHERE n > ? ORDER BY n "
                                      "LIMIT 50000", (last,)).fetchall():
            v = rng.standard_normal((len(rows), DIM)).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            fs.save_vectors(MODEL, [r[1] for r in rows], v)
            last = rows[-1][0]
        tv = rng.standard_normal((len(THEMES), DIM)).astype(np.float32)
        tv /= np.linalg.norm(tv, axis=1, keepdims=True)
        n = fs.count()
        tracemalloc.start()
        t0 = time.perf_counter()
        counts = count_field_themes(fs.iter_dated_vectors(MODEL, args.chunk), tv, THEMES,
                                    settings_for("all-MiniLM-L6-v2"), model=MODEL)
        secs = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        fs.close()
    rate = n / secs
    print(f"| what | result |\n| --- | --- |\n"
          f"| papers (import + random vectors) | {n:,} (import {t_import:.1f} s) |\n"
          f"| radar pass (chunk {args.chunk:,}) | {secs:.1f} s, **{rate:,.0f} papers/s** |\n"
          f"| peak Python heap during the pass | {peak:,.0f} MiB |\n"
          f"| months x themes counted | {counts.totals.shape[0]} x {len(THEMES)} |\n"
          f"| projected: 1M ML papers / 2.7M all of arXiv | {1e6 / rate / 60:.1f} / "
          f"{2.7e6 / rate / 60:.1f} min (once; cached until the field changes) |")


if __name__ == "__main__":
    main()
