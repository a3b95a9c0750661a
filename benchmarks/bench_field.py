"""Benchmark the field: import rate, Ray vs plain encode, index at 100k/1M, 2.7M projection.

Usage:
    .venv/bin/python benchmarks/bench_field.py --papers 20000 [--embed 600]
        [--index-sizes 100000,1000000] [--skip-index] [--skip-embed]

1. writes a synthetic snapshot of --papers records in arXiv's format (invented text, see
   tests/field_fixtures.py) and times `explorer field import` on it (lines/s);
2. embeds the same --embed texts with the real model twice in one run: through the Ray Data
   pipeline (`explorer field build`'s `embed_field`, local Ray, start-up timed apart) and
   with plain `SentenceTransformer.encode`; prints both rates and their ratio;
3. builds the field index over all --papers with the hashing fake (the index step's time);
4. on synthetic clustered 384-d vectors (bench_index.Mixture) at each --index-sizes: exact
   `IndexFlatIP` vs the compressed IVF-PQ + exact re-ranking index: build time, memory,
   single-query latency p50/p99 on one thread, recall@10 against exact, over a few nprobe;
5. projects the time to embed 2.7M papers on this CPU and on a GPU (from --gpu-rate, a
   measured rate you pass; none is measured here without a GPU).
Nothing is asserted on time; all numbers come from this run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_index import Mixture
from field_fixtures import write_snapshot

from embeddings.compressed import CompressedIndex, default_nlist
from explorer.field.snapshot import field_text, import_snapshot
from explorer.store.fieldstore import FieldStore

ALL_ARXIV = 2_700_000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def bench_import(tmp: Path, n: int) -> tuple[FieldStore, dict]:
    t = time.perf_counter()
    snap = write_snapshot(tmp / "snapshot.json.gz", n, seed=1, off_field_rate=0.1)
    gen = time.perf_counter() - t
    fs = FieldStore.open(root=tmp / "field")
    t = time.perf_counter()
    rep = import_snapshot(fs, snap)
    secs = time.perf_counter() - t
    t = time.perf_counter()
    again = import_snapshot(fs, snap, restart=True)
    secs2 = time.perf_counter() - t
    log(f"import: {rep.summary()}")
    return fs, {"papers": n, "generate_s": gen, "import_s": secs, "lines_per_s": n / secs,
                "kept": rep.added, "reimport_added": again.added, "reimport_s": secs2,
                "snapshot_mb": snap.stat().st_size / 2**20}


def bench_embed(fs: FieldStore, n_embed: int, batch_size: int) -> dict:
    """Ray pipeline vs plain encode on the same n_embed texts (first n_embed papers)."""
    from embeddings.encoder import Encoder
    from explorer.field.embed import embed_field, start_ray

    rows = fs.conn.execute("SELECT id, title, abstract FROM papers ORDER BY n LIMIT ?",
                           (n_embed,)).fetchall()
    texts = [field_text(r["title"], r["abstract"]) for r in rows]
    # The subset as its own little field: same rows, same texts.
    sub = FieldStore.open(root=Path(fs.root).parent / "sub")
    cols = "id,title,abstract,authors,categories,created,updated,doi,journal_ref,comments," \
           "license,text_hash"
    src = fs.conn.execute(f"SELECT {cols} FROM papers ORDER BY n LIMIT ?", (n_embed,)).fetchall()
    with sub.conn:
        sub.conn.executemany(f"INSERT INTO papers ({cols}) VALUES ({','.join('?' * 12)})",
                             [tuple(r) for r in src])
    enc = Encoder()
    t = time.perf_counter()
    enc.model.encode(texts[:batch_size * 4], batch_size=batch_size)  # load, warm-up
    load_s = time.perf_counter() - t

    def plain() -> float:
        t = time.perf_counter()
        enc.model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
        return time.perf_counter() - t

    # Plain runs before and after Ray: on a shared machine the load moves during the run.
    plain_before = plain()
    t = time.perf_counter()
    ray, _ = start_ray()
    ray_start = time.perf_counter() - t
    try:
        rep = embed_field(sub, None, batch_size=batch_size)
    finally:
        ray.shutdown()
    sub.close()
    log(f"ray: {rep.summary()}")
    plain_s = (plain_before + plain()) / 2
    log(f"plain encode: {len(texts) / plain_s:.1f} texts/s (mean of before and after)")
    return {"texts": len(texts), "plain_rate": len(texts) / plain_s, "plain_s": plain_s,
            "model_load_s": load_s, "ray_start_s": ray_start, "ray_s": rep.seconds,
            "ray_rate": rep.embedded / rep.seconds, "ratio": plain_s / rep.seconds,
            "actors": rep.actors}


def single_query_ms(search, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """One query at a time on one thread, as the app searches."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # a single query runs on one thread anyway
    search(queries[:1], k)
    ids = np.empty((len(queries), k), dtype=np.int64)
    ms = np.empty(len(queries))
    for j, q in enumerate(queries):
        t = time.perf_counter()
        ids[j] = search(q[None, :], k)[1][0]
        ms[j] = (time.perf_counter() - t) * 1e3
    faiss.omp_set_num_threads(threads)
    return ids, ms


def bench_index_size(n: int, args, tmp: Path) -> list[dict]:
    mix = Mixture(384, clusters=max(100, n // 500))
    t = time.perf_counter()
    path = tmp / f"vectors-{n}.npy"
    base = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, 384))
    for i in range(0, n, 100_000):  # written in chunks, like the field build
        base[i:i + 100_000] = mix.sample(min(100_000, n - i), seed=1 + i)
    base.flush()
    queries = mix.sample(args.queries, seed=999_999)
    ids = np.arange(n, dtype=np.int64) * 7 + 3  # row numbers with gaps, as in field.sqlite
    log(f"n={n}: vectors generated in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    flat = faiss.IndexIDMap(faiss.IndexFlatIP(384))
    flat.add_with_ids(np.ascontiguousarray(base), ids)
    flat_build = time.perf_counter() - t
    truth = flat.search(queries, args.k)[1]
    _, ms = single_query_ms(flat.search, queries, args.k)
    exact_p50 = float(np.percentile(ms, 50))
    exact_mb = n * 384 * 4 / 2**20
    rows = [{"n": n, "kind": "exact (IndexFlatIP)", "params": "-", "build_s": flat_build,
             "mb": exact_mb, "p50": exact_p50, "p99": float(np.percentile(ms, 99)),
             "recall": 1.0}]
    del flat
    log(f"n={n}: exact p50 {exact_p50:.2f} ms")
    t = time.perf_counter()
    vecs = np.load(path, mmap_mode="r")  # the index re-ranks from the file, as in the field
    idx = CompressedIndex.build(vecs, ids, m=args.pq_m, train_max=args.train)
    build = time.perf_counter() - t
    mb = idx.memory_bytes() / 2**20
    log(f"n={n}: compressed built in {build:.1f}s ({idx})")
    nlist = idx._index.nlist
    for nprobe in sorted({nlist // 32, nlist // 16, idx.nprobe, nlist // 4} - {0}):
        for refine in args.refine:
            idx.nprobe, idx.refine = nprobe, refine
            found, ms = single_query_ms(idx.search, queries, args.k)
            rec = float(np.mean([len(set(f) & set(t)) / args.k for f, t in zip(found, truth)]))
            rows.append({"n": n, "kind": "IVF-PQ + exact re-rank",
                         "params": f"nlist={nlist} PQ{args.pq_m}x8 nprobe={nprobe} "
                                   f"refine={refine}k",
                         "build_s": build, "mb": mb, "p50": float(np.percentile(ms, 50)),
                         "p99": float(np.percentile(ms, 99)), "recall": rec})
            log(f"  nprobe={nprobe} refine={refine}: recall {rec:.3f} p50 {rows[-1]['p50']:.2f}")
    for r in rows:
        r["speedup"] = exact_p50 / r["p50"]
        r["mem_ratio"] = r["mb"] / exact_mb
    del idx, vecs, base
    path.unlink()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=20_000)
    ap.add_argument("--embed", type=int, default=600, help="texts for the Ray vs plain run")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--index-sizes", default="100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--pq-m", type=int, default=48)
    ap.add_argument("--train", type=int, default=131_072)
    ap.add_argument("--refine", default="16", help="comma-separated re-rank factors")
    ap.add_argument("--gpu-rate", type=float, default=None,
                    help="texts/s measured on a GPU (bench_gpu.py), for the projection")
    ap.add_argument("--threads", type=int, default=1,
                    help="FAISS build threads (default 1: on a shared 2-core machine OpenMP "
                         "spin-waits made PQ training 5x slower with 2)")
    ap.add_argument("--skip-embed", action="store_true")
    ap.add_argument("--skip-index", action="store_true")
    args = ap.parse_args()
    args.refine = [int(x) for x in args.refine.split(",")]
    faiss.omp_set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="bench-field-") as d:
        tmp = Path(d)
        fs, imp = bench_import(tmp, args.papers)
        print(f"## Import ({args.papers:,} synthetic records, {imp['snapshot_mb']:.1f} MB gzip)\n")
        print(f"- generated in {imp['generate_s']:.1f}s; imported {imp['kept']:,} papers in "
              f"{imp['import_s']:.1f}s: **{imp['lines_per_s']:,.0f} lines/s**")
        print(f"- re-import of the same file (read in full): {imp['reimport_added']} added, "
              f"{imp['reimport_s']:.1f}s\n")
        emb = None
        if not args.skip_embed:
            emb = bench_embed(fs, args.embed, args.batch_size)
            print(f"## Embedding {emb['texts']} texts, all-MiniLM-L6-v2, batch "
                  f"{args.batch_size}, same texts, same run\n")
            print("| pipeline | texts/s | seconds |\n|---|---:|---:|")
            print(f"| plain SentenceTransformer.encode (model loaded; mean of a run before "
                  f"and one after Ray) | {emb['plain_rate']:.1f} | {emb['plain_s']:.1f} |")
            print(f"| plain, model load + warm-up (once) | - | {emb['model_load_s']:.1f} |")
            print(f"| Ray Data map_batches, {emb['actors']} CPU actor, end to end (actor "
                  f"start, model load, all texts) | {emb['ray_rate']:.1f} | {emb['ray_s']:.1f} |")
            print(f"\nRay / plain: **{emb['ratio']:.2f}x** (Ray's actor start and model load "
                  f"counted, plain's not); local Ray start-up {emb['ray_start_s']:.1f}s apart "
                  "(once per build).\n")
        # The index step of `field build` over all imported papers (hashing fake vectors).
        from embeddings.encoder import HashingEncoder
        from explorer.field.index import build_field_index

        enc = HashingEncoder(384)
        t = time.perf_counter()
        after = 0
        while rows := fs.pending(enc.model_id, 20_000, after):
            after = rows[-1]["n"]
            fs.save_vectors(enc.model_id, [r["text_hash"] for r in rows],
                            enc.encode([field_text(r["title"], r["abstract"]) for r in rows]))
        store_s = time.perf_counter() - t
        t = time.perf_counter()
        man = build_field_index(fs, enc.model_id)
        print(f"## Field index over the {man['count']:,} imported papers\n\n- vectors stored "
              f"in {store_s:.1f}s (hashing fake), index ({man['kind']}) built in "
              f"{time.perf_counter() - t:.1f}s\n")
        fs.close()
        if not args.skip_index:
            rows = []
            for n in (int(s) for s in args.index_sizes.split(",")):
                rows += bench_index_size(n, args, tmp)
            print(f"## Index on synthetic clustered 384-d vectors ({args.queries} single "
                  f"queries, 1 thread, k={args.k})\n")
            print("| vectors | index | params | build s | memory MiB | memory vs exact | "
                  "p50 ms | p99 ms | recall@10 | speed-up (p50) |")
            print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
            for r in rows:
                print(f"| {r['n']:,} | {r['kind']} | {r['params']} | {r['build_s']:.1f} | "
                      f"{r['mb']:.1f} | {r['mem_ratio']:.1%} | {r['p50']:.2f} | "
                      f"{r['p99']:.2f} | {r['recall']:.3f} | {r['speedup']:.1f}x |")
            print(f"\nnlist by default_nlist: 100k -> {default_nlist(100_000)}, 1M -> "
                  f"{default_nlist(1_000_000)}, 2.7M -> {default_nlist(ALL_ARXIV)}. Memory of "
                  "the compressed index: PQ codes, ids, quantizers; the float32 vectors stay "
                  "in a file the re-ranking reads memory-mapped.\n")
        if emb:
            cpu_h = ALL_ARXIV / emb["ray_rate"] / 3600
            print(f"## Projection: all of arXiv ({ALL_ARXIV:,} papers)\n")
            print(f"- this CPU ({emb['actors']} actor, 2 cores): {emb['ray_rate']:.1f} texts/s "
                  f"-> **{cpu_h:.1f} h** ({cpu_h / 24:.1f} days)")
            if args.gpu_rate:
                print(f"- one GPU at {args.gpu_rate:,.0f} texts/s (measured elsewhere, passed "
                      f"with --gpu-rate) -> **{ALL_ARXIV / args.gpu_rate / 60:.0f} min**; "
                      "N GPUs on a Ray cluster divide it by about N")
            else:
                print("- GPU: not measured (no GPU in this run); pass --gpu-rate from "
                      "benchmarks/bench_gpu.py on a GPU machine")


if __name__ == "__main__":
    main()
