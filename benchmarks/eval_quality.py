"""Print nDCG@10 of dense, BM25 and hybrid search on the judged queries (real archive, model).

    python benchmarks/eval_quality.py                    # the shipped settings
    python benchmarks/eval_quality.py --compositions     # + every text composition
    python benchmarks/eval_quality.py --fusions          # + a grid of fusion settings
    python benchmarks/eval_quality.py --queries tests/fixtures/heldout_queries.json --per-query
    python benchmarks/eval_quality.py --sets       # dev, held-out, fresh held-out vs anchors
    python benchmarks/eval_quality.py --related    # related talks: tuning and held-out sets

The archive is $EXPLORER_CORPUS, else ../shared/corpus/vdlm-meetups beside the repository.
The judged queries are a dev set: settings were picked on them, so expect a little less on
unseen queries.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from embeddings.encoder import embed_texts, get_encoder
from embeddings.index import VectorIndex
from explorer.api import Explorer
from explorer.ingest.archive import open_archive
from explorer.ingest.parser import parse_archive
from explorer.search import DEFAULT_FUSION, Fusion, SearchEngine
from explorer.search.items import (
    COMPOSITIONS,
    DEFAULT_COMPOSITION,
    LEXICAL_COMPOSITION,
    collect_items,
    item_int_id,
)
from explorer.search.quality import (
    load_judged_queries,
    load_related_sets,
    mean_ndcg,
    mean_related_ndcg,
    ndcg_at_k,
)
from explorer.store import Store

FIXTURES = REPO / "tests" / "fixtures"
JUDGED = FIXTURES / "judged_queries.json"
QUERY_SETS = {"dev (tuning)": JUDGED, "held-out": FIXTURES / "heldout_queries.json",
              "fresh held-out": FIXTURES / "fresh_heldout_queries.json",
              "late held-out": FIXTURES / "late_heldout_queries.json",
              "final held-out": FIXTURES / "final_heldout_queries.json"}
RELATED_SETS = {"tuning": FIXTURES / "related_tuning.json",
                "held-out": FIXTURES / "related_heldout.json"}
OFF_DOMAIN = ("quantum knitting patterns for sheep", "sourdough pizza dough recipe",
              "medieval castles of Scotland")


def corpus_dir() -> Path:
    return Path(os.environ.get("EXPLORER_CORPUS") or REPO.parent / "shared" / "corpus" /
                "vdlm-meetups")


class MemoEncoder:
    """Caches query vectors so a grid of fusion settings embeds each query once."""

    def __init__(self, encoder):
        self.inner, self.model_id, self._memo = encoder, encoder.model_id, {}

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts, batch_size=64, progress=False):
        missing = [t for t in texts if t not in self._memo]
        if missing:
            for t, v in zip(missing, self.inner.encode(missing)):
                self._memo[t] = v
        return np.stack([self._memo[t] for t in texts])


def engine_for(store: Store, encoder, composition: str, lexical: str) -> SearchEngine:
    """A search engine over the store's items, in memory (no index written)."""
    items = collect_items(store, composition, lexical)
    vectors = embed_texts(encoder.inner, [it.text for it in items], store)
    ids = np.array([item_int_id(it.id) for it in items], dtype=np.int64)
    return SearchEngine(items, vectors, VectorIndex.build(vectors, ids), encoder)


def ingest(corpus: Path, data_dir: Path) -> Store:
    store = Store.open(data_dir)
    store.replace_corpus(parse_archive(open_archive(str(corpus), None)))
    return store


def row(name: str, engine, queries, modes=("dense", "bm25", "hybrid")) -> str:
    cells = [f"{mean_ndcg(engine.search, queries, m):.3f}" for m in modes]
    return f"| {name} | " + " | ".join(cells) + " |"


def print_per_query(engine, queries) -> None:
    """Each query's nDCG@10 per mode, and hybrid's top 5 (* marks a judged-relevant talk)."""
    print("\n| query | dense | bm25 | hybrid |\n| --- | --- | --- | --- |")
    for q in queries:
        cells, top = [], []
        for m in ("dense", "bm25", "hybrid"):
            hits = engine.search(q.query, k=10, mode=m, kind="talk")
            cells.append(f"{ndcg_at_k([h.id for h in hits], q.relevant):.2f}")
            top = [("*" if h.id in q.relevant else "") + h.id[:40] for h in hits[:5]]
        print(f"| {q.query} | " + " | ".join(cells) + " |")
        print("|   hybrid top 5: " + ", ".join(top) + " | | | |")


def print_sets(store: Store, encoder, ex: Explorer) -> None:
    """Hybrid (as shipped: topic prior and relevance floor on) against the anchors on every
    query set, and hybrid without the topic prior."""
    engine = ex.engine
    plain = engine_for(store, encoder, "title+abstract+speakers", LEXICAL_COMPOSITION)
    print("\nnDCG@10 over talks; anchors rank everything (include_weak), hybrid as shipped\n")
    print("| set | queries | plain MiniLM (title+abstract+speakers) | BM25 | hybrid without "
          "themes | hybrid | hybrid / best anchor | fewest hits |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, path in QUERY_SETS.items():
        qs = load_judged_queries(path)
        a = mean_ndcg(functools.partial(plain.search, include_weak=True), qs, "dense")
        b = mean_ndcg(functools.partial(engine.search, include_weak=True), qs, "bm25")
        n = mean_ndcg(engine.search, qs, "hybrid")
        h = mean_ndcg(ex.search, qs, "hybrid")
        fewest = min(len(ex.search(q.query, k=20)) for q in qs)
        print(f"| {name} | {len(qs)} | {a:.3f} | {b:.3f} | {n:.3f} | {h:.3f} | "
              f"{h / max(a, b):.2f}x | {fewest} |")
    pooled = [q for name, path in QUERY_SETS.items() if name != "dev (tuning)"
              for q in load_judged_queries(path)]
    a = mean_ndcg(functools.partial(plain.search, include_weak=True), pooled, "dense")
    b = mean_ndcg(functools.partial(engine.search, include_weak=True), pooled, "bm25")
    n, h = mean_ndcg(engine.search, pooled, "hybrid"), mean_ndcg(ex.search, pooled, "hybrid")
    print(f"| every held-out set, pooled | {len(pooled)} | {a:.3f} | {b:.3f} | {n:.3f} | "
          f"{h:.3f} | {h / max(a, b):.2f}x | |")
    counts = [len(ex.search(q, k=20)) for q in OFF_DOMAIN]
    print(f"\noff-domain queries {OFF_DOMAIN}: hits {counts}, mean {sum(counts) / 3:.1f}")


def bm25_like_this(engine: SearchEngine):
    """`related` by BM25 more-like-this: the item's own text as the query (an anchor)."""
    def related(item_id: str, k: int = 10, kind: str | None = None):
        pos = engine.pos[item_id]
        scores = engine.lexical.scores(engine.items[pos].text).astype(np.float64)
        own = set(engine.items[pos].meetups)
        for i, it in enumerate(engine.items):
            if i == pos or (kind and it.kind != kind) or (it.kind == "talk" and
                                                           own & set(it.meetups)):
                scores[i] = -np.inf
        return engine._hits(scores, np.flatnonzero(np.isfinite(scores)), k)
    return related


def print_related(engine: SearchEngine) -> None:
    print("\nrelated talks, nDCG@10 (talks of the seed's own meetup left out)\n")
    print("| set | seeds | plain cosine (title+abstract) | BM25 more-like-this | shipped "
          "(CSLS + TF-IDF) | shipped / cosine |\n| --- | --- | --- | --- | --- | --- |")
    for name, path in RELATED_SETS.items():
        judged = load_related_sets(path)
        cos = mean_related_ndcg(engine.related, judged, method="cosine", floor=False)
        mlt = mean_related_ndcg(bm25_like_this(engine), judged)
        ours = mean_related_ndcg(engine.related, judged)
        print(f"| {name} | {len(judged)} | {cos:.3f} | {mlt:.3f} | {ours:.3f} | "
              f"{ours / cos:.2f}x |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="embedding model (default all-MiniLM-L6-v2)")
    ap.add_argument("--compositions", action="store_true", help="compare text compositions")
    ap.add_argument("--fusions", action="store_true", help="compare fusion settings")
    ap.add_argument("--queries", type=Path, default=JUDGED,
                    help="judged-queries JSON (default: the dev set, %(default)s)")
    ap.add_argument("--sets", action="store_true",
                    help="hybrid vs the anchors on the dev, held-out and fresh held-out sets")
    ap.add_argument("--related", action="store_true",
                    help="related-talk nDCG@10 on the tuning and held-out related sets")
    ap.add_argument("--per-query", action="store_true",
                    help="also print each query's nDCG@10 per mode and hybrid's top 5")
    args = ap.parse_args()
    corpus = corpus_dir()
    if not (corpus / "README.md").exists():
        print(f"archive not found at {corpus}; set EXPLORER_CORPUS", file=sys.stderr)
        return 2
    queries = load_judged_queries(args.queries)
    encoder = MemoEncoder(get_encoder(args.model))
    with tempfile.TemporaryDirectory() as tmp:
        store = ingest(corpus, Path(tmp))
        print(f"{len(queries)} judged queries ({args.queries.name}), model {encoder.model_id}, "
              "nDCG@10 over talks\n")
        print("| setting | dense | bm25 | hybrid |\n| --- | --- | --- | --- |")
        engine = engine_for(store, encoder, DEFAULT_COMPOSITION, LEXICAL_COMPOSITION)
        ex = Explorer(store, engine)  # hybrid with the themes' topic prior, as shipped
        f = DEFAULT_FUSION
        print(row(f"shipped: dense={DEFAULT_COMPOSITION}, bm25={LEXICAL_COMPOSITION}, "
                  f"{f.method} alpha={f.topic_alpha}, topic weight {f.topic_weight}", ex, queries))
        print(f"| without the topic prior (alpha={f.alpha}) | | | "
              f"{mean_ndcg(engine.search, queries, 'hybrid'):.3f} |")
        if args.per_query:
            print_per_query(ex, queries)
        if args.sets:
            print_sets(store, encoder, ex)
        if args.related:
            print_related(engine)
        if args.compositions:
            for comp in COMPOSITIONS:
                for lex in COMPOSITIONS:
                    e = engine_for(store, encoder, comp, lex)
                    print(row(f"dense={comp}, bm25={lex}", e, queries))
        if args.fusions:
            grid = [Fusion("weighted", a) for a in (0.5, 0.6, 0.65, 0.7, 0.72, 0.75, 0.8)]
            grid += [Fusion("rrf", a, k) for k in (5, 20, 60) for a in (0.5, 0.6, 0.7)]
            for fusion in grid:
                engine.fusion = fusion
                label = (f"{fusion.method} alpha={fusion.alpha}" +
                         (f" k={fusion.rrf_k}" if fusion.method == "rrf" else ""))
                print(row(label, engine, queries, modes=("hybrid",)).replace(
                    f"| {label} |", f"| {label} | | |"))
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
