"""Scores: the corpus noise floor, dense relevance, and the fusion of dense and BM25 scores.

Fusion was chosen on judged queries (`python benchmarks/eval_quality.py --fusions`, and
`--queries tests/fixtures/heldout_queries.json`; all-MiniLM-L6-v2, nDCG@10). Weighted fusion
beat reciprocal-rank fusion at every k tried: BM25 on short talk texts gives many near-ties,
and ranks throw away how far ahead the best match is. Dense scores are not min-max scaled:
when no talk is close in meaning (a speaker's name, a lab), min-max stretches near-random
cosines over the whole 0..1 range and that noise outvotes an exact BM25 match. They are
measured from the corpus's noise floor instead (`dense_relevance`). With it, dense weight
0.72 scores 0.745 on the 27 dev queries (min-max at 0.65: 0.737) and 0.796 on the 20
held-out ones (0.757); weights 0.70-0.75 are within 0.02 of each other on both sets.

With the topic prior (`explorer.search.topical`, what `Explorer.search` uses) half of the
dense side is the query's fit to the item's themes and the dense side weighs 0.85: 0.832 on
dev, 0.848 held-out, 0.870 fresh held-out (`benchmarks/eval_quality.py --sets`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from explorer.search.topical import TOPIC_WEIGHT


@dataclass(frozen=True)
class Fusion:
    """How hybrid mode combines dense and BM25 scores.

    method "weighted": alpha * dense_relevance(dense) + (1 - alpha) * minmax(bm25);
    method "rrf": sum over both rankings of weight / (rrf_k + rank), ranks from 1, a
    document BM25 does not match has no BM25 rank. With a topic prior
    (`explorer.search.topical`), ``topic_weight`` of the dense side is the query's fit to
    the item's themes, and the dense side, now better, weighs ``topic_alpha`` instead.
    """

    method: str = "weighted"
    alpha: float = 0.72
    rrf_k: int = 60
    topic_weight: float = TOPIC_WEIGHT
    topic_alpha: float = 0.85

    def with_topics(self) -> Fusion:
        """These settings as used when a topic prior is blended in."""
        return replace(self, alpha=self.topic_alpha)


def noise_floor(vectors: np.ndarray, sample: int = 2000, seed: int = 0) -> float:
    """The median cosine between two different items: what "unrelated" scores in this corpus.

    Args:
        vectors: (n, dim) unit item vectors; at most ``sample`` rows are used.

    Returns:
        The median off-diagonal inner product (0.0 for fewer than two items).
    """
    v = np.asarray(vectors, dtype=np.float32)
    if len(v) < 2:
        return 0.0
    if len(v) > sample:
        v = v[np.random.default_rng(seed).choice(len(v), sample, replace=False)]
    sims = v @ v.T
    return float(np.median(sims[~np.eye(len(v), dtype=bool)]))


def dense_relevance(dense: np.ndarray, floor: float) -> np.ndarray:
    """Cosines rescaled so the noise floor is 0 and identity is 1; -inf and below-floor -> 0.

    Example: floor 0.2 -> [1.0, 0.6, 0.1, -inf] gives [1.0, 0.5, 0.0, 0.0].
    """
    d = np.asarray(dense, dtype=np.float64)
    out = np.zeros_like(d)
    ok = np.isfinite(d)
    out[ok] = np.clip((d[ok] - floor) / max(1.0 - floor, 1e-6), 0.0, 1.0)
    return out


DEFAULT_FUSION = Fusion()


def minmax(x: np.ndarray) -> np.ndarray:
    """Scale finite scores to [0, 1] ([3, 1, 2] -> [1, 0, .5]); constant or -inf -> 0."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    ok = np.isfinite(x)
    if ok.any():
        lo, hi = x[ok].min(), x[ok].max()
        if hi > lo:
            out[ok] = (x[ok] - lo) / (hi - lo)
    return out


def rrf_scores(score_lists: Sequence[np.ndarray], valid: Sequence[np.ndarray],
               k: int = 60, weights: Sequence[float] | None = None) -> np.ndarray:
    """Reciprocal-rank fusion of aligned score arrays.

    Args:
        score_lists: one score array per ranker over the same documents (higher is better).
        valid: one bool array per ranker: documents that ranker retrieved.
        k: the RRF constant (60 in Cormack et al. 2009).
        weights: per-ranker weights (default 1 each).

    Returns:
        float64 fused scores; a document's term for a ranker is weight / (k + rank).

    Example:
        >>> rrf_scores([np.array([.9, .1]), np.array([0., 5.])],
        ...            [np.array([True, True]), np.array([False, True])], k=1)
        array([0.5       , 0.83333333])
    """
    weights = [1.0] * len(score_lists) if weights is None else weights
    n = len(score_lists[0]) if score_lists else 0
    fused = np.zeros(n)
    for s, ok, w in zip(score_lists, valid, weights):
        idx = np.flatnonzero(ok)
        order = idx[np.argsort(-np.asarray(s)[idx], kind="stable")]
        fused[order] += w / (k + np.arange(1, len(order) + 1))
    return fused


def fuse(dense: np.ndarray, lexical: np.ndarray, fusion: Fusion = DEFAULT_FUSION,
         floor: float = 0.0) -> np.ndarray:
    """Hybrid scores from dense cosines (-inf: not retrieved) and BM25 scores (0: no match).

    ``floor`` is the corpus's `noise_floor` (used by the weighted method).
    """
    if fusion.method == "rrf":
        w = (2 * fusion.alpha, 2 * (1 - fusion.alpha))  # alpha .5 is plain RRF
        return rrf_scores([dense, lexical], [np.isfinite(dense), lexical > 0],
                          k=fusion.rrf_k, weights=w)
    if fusion.method == "weighted":
        return (fusion.alpha * dense_relevance(dense, floor)
                + (1 - fusion.alpha) * minmax(lexical))
    raise ValueError(f"unknown fusion method {fusion.method!r}; use 'weighted' or 'rrf'")


def parse_years(years: object) -> tuple[int, int] | None:
    """None, 2019, '2019', '2019-2023' or (2019, 2023) -> (first, last) or None."""
    if years is None or years == "":
        return None
    if isinstance(years, int):
        return years, years
    if isinstance(years, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4})\s*)?", years)
        if not m:
            raise ValueError(f"years must look like 2019 or 2019-2023, got {years!r}")
        return int(m.group(1)), int(m.group(2) or m.group(1))
    lo, hi = years  # type: ignore[misc]
    return int(lo), int(hi)
