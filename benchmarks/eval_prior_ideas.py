"""Variants of hybrid search's topic prior, nDCG@10 on every judged query set (real archive).

    python benchmarks/eval_prior_ideas.py

Each row patches one thing in an in-memory explorer (nothing shipped changes) and prints
hybrid nDCG@10 on the tuning pool (the dev set, and the late set, which was looked at query
by query once the prior had shipped) and on the three sets no setting was chosen on
(held-out, fresh, final), pooled. A variant ships only if it wins on the tuning pool and
does not lose on the three others. Each of these either lost on the three others or moved
them by less than 0.01, so none shipped (README, "Tests").
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_quality as E

import explorer.search.engine as engine_mod
from embeddings.encoder import get_encoder
from explorer.api import Explorer
from explorer.search import Fusion
from explorer.search.items import LEXICAL_COMPOSITION
from explorer.search.quality import load_judged_queries, mean_ndcg
from explorer.search.topical import TopicPrior

TUNING = ("dev (tuning)", "late held-out")
UNTOUCHED = ("held-out", "fresh held-out", "final held-out")


class Shifted(TopicPrior):
    """The shipped prior with each theme's fit lowered by ``shift`` (hubness centring)."""

    def __init__(self, prior: TopicPrior, shift: np.ndarray):
        super().__init__(prior.members, prior.vectors, prior.names, prior.keyword_bonus,
                         prior.floor)
        object.__setattr__(self, "shift", np.asarray(shift, np.float32))

    def theme_scores(self, query_vector, query=""):
        return super().theme_scores(query_vector, query) - self.shift


def main() -> int:
    enc = E.MemoEncoder(get_encoder(None))
    with tempfile.TemporaryDirectory() as tmp:
        store = E.ingest(E.corpus_dir(), Path(tmp))
        eng = E.engine_for(store, enc, "title+abstract", LEXICAL_COMPOSITION)
        ex = Explorer(store, eng)
        sets = {n: load_judged_queries(p) for n, p in E.QUERY_SETS.items()}
        pools = {"tuning pool": [q for n in TUNING for q in sets[n]],
                 "untouched pool": [q for n in UNTOUCHED for q in sets[n]]}
        cols = [*TUNING, "tuning pool", *UNTOUCHED, "untouched pool"]
        print("| variant | " + " | ".join(cols) + " |\n" + "| --- " * (len(cols) + 1) + "|")

        def report(label: str) -> None:
            qs = {**sets, **pools}
            cells = [f"{mean_ndcg(ex.search, qs[c], 'hybrid'):.3f}" for c in cols]
            print(f"| {label} | " + " | ".join(cells) + " |", flush=True)

        shipped_blend = engine_mod.with_topics
        prior = ex.topic_prior()
        report("shipped (blend 0.5, dense 0.85)")

        def blend(rule: Callable) -> None:
            engine_mod.with_topics = rule
        # Lift only: the prior may raise a talk, never lower a direct match.
        blend(lambda d, t, w: np.maximum(np.asarray(d, np.float32), shipped_blend(d, t, w)))
        eng.fusion = Fusion(topic_weight=0.8, topic_alpha=0.9)
        report("lift only (weight 0.8, dense 0.9: best on the tuning pool)")
        eng.fusion = Fusion()
        blend(shipped_blend)

        # Hubness centring per theme: generic themes sit close to talks outside them.
        cos = eng.vectors @ prior.vectors.T
        per = np.array([np.median(cos[~prior.members[:, j], j])
                        for j in range(prior.members.shape[1])], np.float32)
        ex._topic_prior = Shifted(prior, 0.5 * (per - prior.floor))
        report("theme-centred fit (x0.5)")
        ex._topic_prior = prior

        # Query clarity: no prior when the query fits its two best themes about equally.
        fit: dict[str, np.ndarray] = {}
        real_scores = TopicPrior.theme_scores

        def remembered(self, v, q=""):
            fit["last"] = real_scores(self, v, q)
            return fit["last"]

        def clear_only(d, t, w):
            top = np.sort(fit["last"])[::-1]
            return shipped_blend(d, t, w * float(np.clip((top[0] - top[1]) / 0.03, 0, 1)))
        TopicPrior.theme_scores = remembered
        blend(clear_only)
        report("weight faded by query clarity (top-2 gap / 0.03)")
        TopicPrior.theme_scores = real_scores
        blend(shipped_blend)

        # Soft membership: a talk's topic score is its themes' fits weighted by how close
        # the talk is to each (softmax over its own themes' cosines) instead of the best one.
        cos_dt = eng.vectors @ prior.vectors.T
        logits = np.where(prior.members, cos_dt / 0.05, -np.inf)
        top = np.max(logits, axis=1, keepdims=True)
        weights = np.exp(logits - np.where(np.isfinite(top), top, 0.0))
        weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
        real_member_max = engine_mod.member_max
        engine_mod.member_max = lambda members, fit: np.clip(
            weights @ np.asarray(fit, np.float32), 0, None).astype(np.float32)
        report("soft membership (softmax of the talk's theme cosines, t=0.05)")
        engine_mod.member_max = real_member_max

        # Title vectors: the dense side mixes in the cosine to the talk's title alone, which
        # a narrow query for one talk should match sharply.
        from embeddings.encoder import embed_texts
        from explorer.search.fusion import noise_floor
        from explorer.search.items import collect_items
        titles = embed_texts(enc.inner, [it.text for it in collect_items(
            store, "title", LEXICAL_COMPOSITION)], store)
        real_dense, base_floor = type(eng)._dense, eng.noise_floor
        type(eng)._dense = lambda self, v: np.where(
            np.isfinite(d := real_dense(self, v)), 0.8 * d + 0.2 * (titles @ v), d
        ).astype(np.float32)
        eng.noise_floor = 0.8 * base_floor + 0.2 * noise_floor(titles)
        report("dense = 0.8 title+abstract + 0.2 title")
        type(eng)._dense, eng.noise_floor = real_dense, base_floor

        # Hubness reduction in search, as related talks have it (CSLS): each talk's cosine
        # less beta * (its mean cosine to its k nearest items - the median of that).
        from explorer.search.related import hub_scores
        for k, beta in ((10, 0.5), (10, 0.75), (20, 0.5), (20, 0.75)):
            hubs = hub_scores(eng.vectors, k)
            hubs = beta * (hubs - np.median(hubs))
            type(eng)._dense = lambda self, v, hubs=hubs: np.where(
                np.isfinite(d := real_dense(self, v)), d - hubs, d).astype(np.float32)
            report(f"CSLS in search (k={k}, beta={beta})")
        type(eng)._dense = real_dense
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
