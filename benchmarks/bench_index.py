"""Benchmark: exact vs HNSW `VectorIndex` on synthetic clustered embeddings.

Usage:
    .venv/bin/python benchmarks/bench_index.py --sizes 100000,1000000 [--dim 384]

Prints a markdown table: build time, index size, single-query latency (p50/p99 over
--queries queries), recall@10 against exact search, and speed-up over exact at p50. On 2 shared cores the 1M HNSW build dominates: about 6 minutes
idle, 12 under load (efConstruction 40 builds twice as fast but misses recall 0.95 at 1M).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from embeddings.index import (
    HNSW_EF_CONSTRUCTION,
    HNSW_EF_SEARCH,
    HNSW_M,
    VectorIndex,
)

QUERY_THREADS = 1


class Mixture:
    """Unit vectors like sentence embeddings: cluster centres plus variation along a shared
    low-rank subspace plus a little isotropic noise (real embeddings have a low intrinsic
    dimension, which uniform random vectors lack)."""

    def __init__(self, dim: int, clusters: int, rank: int = 64, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.centers = rng.standard_normal((clusters, dim)).astype(np.float32)
        self.centers /= np.linalg.norm(self.centers, axis=1, keepdims=True)
        # Scaled so the subspace part has norm ~0.8 and the noise ~0.5 next to a unit centre.
        self.basis = (rng.standard_normal((rank, dim)) * (0.8 / np.sqrt(rank * dim))
                      ).astype(np.float32)
        self.noise = 0.5 / np.sqrt(dim)
        self.dim, self.rank = dim, rank

    def sample(self, n: int, seed: int, chunk: int = 100_000) -> np.ndarray:
        out = np.empty((n, self.dim), dtype=np.float32)
        rng = np.random.default_rng(seed)
        for i in range(0, n, chunk):
            m = min(chunk, n - i)
            x = self.centers[rng.integers(len(self.centers), size=m)]
            x += rng.standard_normal((m, self.rank), dtype=np.float32) @ self.basis
            x += rng.standard_normal((m, self.dim), dtype=np.float32) * self.noise
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            out[i:i + m] = x
        return out


def latencies_ms(index: VectorIndex, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """One query at a time, as the app searches; returns (ids, per-query ms)."""
    ids = np.empty((len(queries), k), dtype=np.int64)
    ms = np.empty(len(queries))
    build_threads = faiss.omp_get_max_threads()
    # A single query runs on one thread anyway; idle OpenMP workers spinning on a busy
    # 2-core machine only steal its core (measured: 2.5x slower p50 at 100k).
    faiss.omp_set_num_threads(QUERY_THREADS)
    index.search(queries[:1], k)  # warm-up
    for j, q in enumerate(queries):
        t = time.perf_counter()
        ids[j] = index.search(q[None, :], k)[1][0]
        ms[j] = (time.perf_counter() - t) * 1e3
    faiss.omp_set_num_threads(build_threads)
    return ids, ms


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def index_mb(index: VectorIndex) -> float:
    return faiss.serialize_index(index._index).nbytes / 2**20


def bench_size(n: int, args: argparse.Namespace) -> list[dict]:
    mix = Mixture(args.dim, clusters=max(100, n // 500))
    t = time.perf_counter()
    base = mix.sample(n, seed=1)
    gen_s = time.perf_counter() - t
    queries = mix.sample(args.queries, seed=2)
    ids = np.arange(n, dtype=np.int64)
    print(f"n={n}: generated in {gen_s:.1f}s", file=sys.stderr)

    rows = []
    t = time.perf_counter()
    flat = VectorIndex.build(base, ids, approx=False)
    flat_build = time.perf_counter() - t
    truth = flat.search(queries, args.k)[1]  # batched exact search = ground truth
    print(f"n={n}: exact index and ground truth in {time.perf_counter() - t:.1f}s",
          file=sys.stderr)
    _, ms = latencies_ms(flat, queries, args.k)
    exact_p50 = float(np.percentile(ms, 50))
    rows.append({"n": n, "kind": "flat (exact)", "params": "-", "build_s": flat_build,
                     "mb": index_mb(flat), "p50": exact_p50, "p99": np.percentile(ms, 99), "recall": 1.0})
    del flat

    t = time.perf_counter()
    hnsw = VectorIndex.build(base, ids, approx=True, hnsw_m=args.m,
                             ef_construction=args.ef_construction)
    hnsw_build = time.perf_counter() - t
    print(f"n={n}: HNSW built in {hnsw_build:.1f}s", file=sys.stderr)
    mb = index_mb(hnsw)
    for ef in args.ef_search:
        hnsw.ef_search = ef
        found, ms = latencies_ms(hnsw, queries, args.k)
        rows.append({"n": n, "kind": "hnsw", "build_s": hnsw_build, "mb": mb,
                         "params": f"M={args.m} efC={args.ef_construction} efS={ef}",
                         "p50": np.percentile(ms, 50), "p99": np.percentile(ms, 99),
                         "recall": recall(found, truth)})
    for r in rows:
        r["speedup"] = exact_p50 / r["p50"]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--m", type=int, default=HNSW_M)
    ap.add_argument("--ef-construction", type=int, default=HNSW_EF_CONSTRUCTION)
    ap.add_argument("--ef-search", default=f"32,64,{HNSW_EF_SEARCH},256",
                    help="comma-separated efSearch values to measure")
    ap.add_argument("--threads", type=int, default=0, help="build threads (0: all cores)")
    ap.add_argument("--query-threads", type=int, default=1, help="threads while timing queries")
    args = ap.parse_args()
    args.ef_search = [int(x) for x in args.ef_search.split(",")]
    global QUERY_THREADS
    QUERY_THREADS = args.query_threads
    if args.threads:
        faiss.omp_set_num_threads(args.threads)
    print(f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads, dim {args.dim}, "
          f"{args.queries} single queries on {QUERY_THREADS} thread(s), k={args.k}\n")
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows += bench_size(n, args)
    print("| vectors | index | params | build s | size MiB | p50 ms | p99 ms | recall@10 "
          "| speed-up (p50) |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['n']:,} | {r['kind']} | {r['params']} | {r['build_s']:.1f} | "
              f"{r['mb']:.0f} | {r['p50']:.3f} | {r['p99']:.3f} | {r['recall']:.3f} | "
              f"{r['speedup']:.1f}x |")


if __name__ == "__main__":
    main()
