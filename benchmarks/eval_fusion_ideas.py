"""Hybrid-search variants tried against the shipped one, nDCG@10 on dev, held-out and fresh sets.

    python benchmarks/eval_fusion_ideas.py

Each row patches one thing in an in-memory engine (nothing shipped changes) and prints hybrid
nDCG@10 on the three judged sets, its ratio to the best anchor (plain MiniLM over
title+abstract+speakers, BM25), off-domain hit counts and the fewest hits of any judged query.
Settings are chosen on the dev set only; a row ships only if it helps dev without hurting both
held-out sets. These rows vary the hybrid *without* the topic prior (the round before the
prior shipped; "shipped" below is that plain hybrid): `eval_quality.py --sets` has the prior.
"""

from __future__ import annotations

import functools
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_quality as E

from embeddings.encoder import embed_texts, get_encoder
from explorer.search import Fusion
from explorer.search import engine as engine_mod
from explorer.search import fusion as fusion_mod
from explorer.search.items import LEXICAL_COMPOSITION, collect_items
from explorer.search.lexical import LexicalIndex, tokenize
from explorer.search.quality import load_judged_queries, mean_ndcg


def by_rank(lex: np.ndarray, k: int) -> np.ndarray:
    """BM25 as (k + 1) / (k + rank) for matching talks (1 for the best), 0 elsewhere."""
    out = np.zeros(len(lex))
    idx = np.flatnonzero(lex > 0)
    order = idx[np.argsort(-lex[idx], kind="stable")]
    out[order] = (k + 1) / (k + np.arange(1, len(order) + 1))
    return out


def main() -> int:
    enc = E.MemoEncoder(get_encoder(None))
    with tempfile.TemporaryDirectory() as tmp:
        store = E.ingest(E.corpus_dir(), Path(tmp))
        eng = E.engine_for(store, enc, "title+abstract", LEXICAL_COMPOSITION)
        plain = E.engine_for(store, enc, "title+abstract+speakers", LEXICAL_COMPOSITION)
        sets = {n: load_judged_queries(p) for n, p in E.QUERY_SETS.items()}
        best = {n: max(mean_ndcg(functools.partial(plain.search, include_weak=True), qs, "dense"),
                       mean_ndcg(functools.partial(eng.search, include_weak=True), qs, "bm25"))
                for n, qs in sets.items()}
        print("| variant | " + " | ".join(sets) + " | off-domain hits | fewest hits |")
        print("| --- " * (len(sets) + 3) + "|")

        def report(label: str) -> None:
            cells = [f"{(h := mean_ndcg(eng.search, qs, 'hybrid')):.3f} ({h / best[n]:.2f}x)"
                     for n, qs in sets.items()]
            off = [len(eng.search(q, k=20)) for q in E.OFF_DOMAIN]
            fewest = min(len(eng.search(q.query, k=20)) for qs in sets.values() for q in qs)
            print(f"| {label} | " + " | ".join(cells) + f" | {off} | {fewest} |", flush=True)

        report(f"shipped (weighted alpha {eng.fusion.alpha})")
        for a in (0.65, 0.75, 0.78):
            eng.fusion = Fusion("weighted", a)
            report(f"fusion weight alpha {a}")
        eng.fusion = Fusion()

        # Multi-vector items: a second vector per talk (title alone, or with speakers), mixed
        # with the whole-text cosine or maxed; one query encode either way.
        base_dense = eng._dense
        for comp in ("title", "title+abstract+speakers"):
            items = collect_items(store, comp, LEXICAL_COMPOSITION)
            assert [it.id for it in items] == [it.id for it in eng.items]
            second = np.asarray(embed_texts(enc.inner, [it.text for it in items], store),
                                dtype=np.float32)
            for how, w in (("mix", 0.3), ("mix", 0.5), ("max", None)):
                def dense(vec, second=second, how=how, w=w):
                    s, s2 = base_dense(vec), second @ vec
                    out = np.maximum(s, s2) if how == "max" else (1 - w) * s + w * s2
                    return out.astype(np.float32)
                eng._dense = dense
                report(f"second vector {comp}, {how}" + (f" w={w}" if w else ""))
        eng._dense = base_dense

        # BM25F-style: the title repeated inside the BM25 text.
        lexical = eng.lexical
        for rep in (2, 3):
            eng.lexical = LexicalIndex([" ".join([it.title] * (rep - 1) + [it.lexical_text])
                                        for it in eng.items])
            report(f"BM25 title x{rep}")
        eng.lexical = lexical

        # BM25 normalised other than min-max: by the query's idf sum, or scaled by coverage.
        seen: dict[str, str] = {}
        scores = lexical.scores
        lexical.scores = lambda q: (seen.__setitem__("q", q), scores(q))[1]
        shipped_fuse = engine_mod.fuse
        variants = {"BM25 / (idf sum)": lambda lex, q: np.clip(lex / max(sum(
                        lexical.idf.get(t, lexical._unseen_idf) for t in set(
                            tokenize(q))), 1e-9), 0, 1),
                    "min-max BM25 x coverage^0.5": lambda lex, q: fusion_mod.minmax(lex)
                        * lexical.coverage(q) ** 0.5,
                    "min-max BM25 x best coverage": lambda lex, q: fusion_mod.minmax(lex)
                        * lexical.coverage(q).max(),
                    "BM25 by rank, 3 / (2 + rank)": lambda lex, q: by_rank(lex, 2),
                    "BM25 by rank, 6 / (5 + rank)": lambda lex, q: by_rank(lex, 5)}
        for label, norm in variants.items():
            def fuse(dense, lex, fusion, floor, norm=norm):
                return (fusion.alpha * fusion_mod.dense_relevance(dense, floor)
                        + (1 - fusion.alpha) * norm(np.asarray(lex, float), seen["q"]))
            engine_mod.fuse = fuse
            for a in (0.6, 0.72):
                eng.fusion = Fusion("weighted", a)
                report(f"{label}, alpha {a}")
        engine_mod.fuse, eng.fusion, lexical.scores = shipped_fuse, Fusion(), scores

        # The dense floor dense_relevance measures from: the corpus noise floor, shifted.
        for shift in (-0.1, -0.05, 0.05, 0.1):
            engine_mod.fuse = (lambda dense, lex, fusion, floor, shift=shift:
                               shipped_fuse(dense, lex, fusion, floor + shift))
            report(f"dense floor noise floor {shift:+}")
        engine_mod.fuse = shipped_fuse

        # The dense text as the plain anchor has it (speakers in), at a few fusion weights.
        eng = E.engine_for(store, enc, "title+abstract+speakers", LEXICAL_COMPOSITION)
        for a in (0.65, 0.72, 0.8):
            eng.fusion = Fusion("weighted", a)
            report(f"dense text title+abstract+speakers, alpha {a}")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
