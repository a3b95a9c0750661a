"""The topic prior of hybrid search: a talk also scores for how well the query fits its themes.

Why: judged queries are written in plain words ("learning useful representations without
human labels", "chatbots inventing false facts") and the talks in the speakers' jargon
("self-supervised", "hallucinations"). A single small model misses many such pairs. The
curated taxonomy (`explorer.insights.taxonomy`) describes each theme in both vocabularies,
and every talk is assigned to its themes at build time, so a query that fits a theme's
description lifts the talks of that theme. This is cluster-based smoothing (Liu & Croft,
SIGIR 2004) with curated clusters. Measured (README, "Tests"): a clear gain on broad,
paraphrased queries and +0.012 nDCG@10 pooled over 84 held-out ones, but a narrow query for
one specific talk can lose that talk to the broad theme around it.

The prior is pure arrays: the caller (`explorer.api.Explorer`) builds it from the theme
assignment; the engine blends it into the dense side of hybrid scores (never into the
"dense" mode, which stays the plain model, nor into BM25).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Chosen on the dev queries only (weights 0.4-0.6 within 0.01 there); the numbers are in
# fusion.py and the README (benchmarks/eval_quality.py --sets).
TOPIC_WEIGHT = 0.5
# A hit names its theme as evidence only if that is one of the query's few best themes.
FITTING_TOP = 2


@dataclass(frozen=True)
class TopicPrior:
    """The themes each item is in, and what each theme is about.

    Attributes:
        members: (n_items, n_themes) bool, aligned with the engine's items.
        vectors: (n_themes, dim) unit vectors of the themes' descriptions.
        names: the themes' names (for explanations).
        keyword_bonus: query -> (n_themes,) extra score for a theme whose keywords the query
            contains (the same bonus items get when they are assigned); None for none.
        floor: what "unrelated" scores on the theme side: the median cosine of an item to
            a theme it is not in (`theme_floor`). The relevance floor of blended scores
            blends it in likewise (`blended_floor`), so an off-domain query, which fits no
            theme better than that, lifts nothing above it.
        evidence_floor: what a query's fit must reach for a hit to name the theme as
            evidence ("Theme: X, which your query fits"): the upper quartile of an item's
            cosine to a theme it is not in (`theme_floor` at 0.75), so a name or an unknown word
            that fits a theme barely above the median is not shown as fitting it.
    """

    members: np.ndarray
    vectors: np.ndarray
    names: tuple[str, ...]
    keyword_bonus: Callable[[str], np.ndarray] | None = None
    floor: float = 0.0
    evidence_floor: float = 0.0

    def __post_init__(self) -> None:
        m, v = np.asarray(self.members), np.asarray(self.vectors)
        if m.ndim != 2 or v.ndim != 2 or not m.shape[1] == v.shape[0] == len(self.names):
            raise ValueError(f"topic prior: members {m.shape}, theme vectors {v.shape} and "
                             f"{len(self.names)} names do not line up")

    def theme_scores(self, query_vector: np.ndarray, query: str = "") -> np.ndarray:
        """(n_themes,) cosine of the query to each theme, plus its keyword bonus."""
        scores = np.asarray(self.vectors, np.float32) @ np.asarray(query_vector, np.float32)
        if self.keyword_bonus is not None and query:
            scores = scores + np.asarray(self.keyword_bonus(query), np.float32)
        return scores

    def item_scores(self, query_vector: np.ndarray, query: str = "") -> np.ndarray:
        """(n_items,) each item's best theme score for the query (0 for no theme, never < 0)."""
        return member_max(self.members, self.theme_scores(query_vector, query))

    def fitting_theme(self, theme_scores: np.ndarray, row: int, top: int = FITTING_TOP
                      ) -> str | None:
        """The name of item ``row``'s theme the query fits best, if it is one of the query's
        ``top`` best-fitting themes and above the floor (else None: no claim is made)."""
        scores = np.asarray(theme_scores)
        own = np.flatnonzero(np.asarray(self.members[row], dtype=bool))
        if not len(own):
            return None
        best = own[int(np.argmax(scores[own]))]
        rank = int((scores > scores[best]).sum())  # themes the query fits better
        bar = max(self.floor, self.evidence_floor)
        return self.names[best] if scores[best] > bar and rank < top else None


def member_max(members: np.ndarray, theme_scores: np.ndarray) -> np.ndarray:
    """Per row, the largest score among the row's themes, floored at 0.

    Example: members [[1, 0], [0, 1], [0, 0]], scores [0.5, -0.2] -> [0.5, 0.0, 0.0].
    """
    m = np.asarray(members, dtype=bool)
    if m.shape[1] == 0:
        return np.zeros(len(m), np.float32)
    s = np.where(m, np.asarray(theme_scores, np.float32)[None, :], 0.0)
    return np.clip(s.max(axis=1), 0.0, None).astype(np.float32)


def theme_floor(item_vectors: np.ndarray, theme_vectors: np.ndarray,
                members: np.ndarray, quantile: float = 0.5) -> float:
    """A quantile (default the median) of an item's cosine to a theme it is not in (0.0 when
    there is no such pair).

    Example: cosines [[.9, .1], [.2, .8]] with members on the diagonal -> median(.1, .2) = .15.
    """
    cos = np.asarray(item_vectors, np.float32) @ np.asarray(theme_vectors, np.float32).T
    others = cos[~np.asarray(members, dtype=bool)]
    return float(np.quantile(others, quantile)) if others.size else 0.0


def blended_floor(noise_floor: float, prior: TopicPrior, weight: float = TOPIC_WEIGHT
                  ) -> float:
    """The relevance floor of `with_topics` scores: the two sides' floors, blended alike.

    Example: noise floor 0.2, theme floor 0.1, weight 0.5 -> 0.15.
    """
    return (1.0 - weight) * noise_floor + weight * prior.floor


def with_topics(dense: np.ndarray, topic: np.ndarray, weight: float = TOPIC_WEIGHT
                ) -> np.ndarray:
    """(1 - weight) * cosine + weight * topic score; items not retrieved (-inf) stay -inf.

    Example: dense [0.6, -inf], topic [0.4, 0.9], weight 0.5 -> [0.5, -inf].
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"topic weight must be in [0, 1], got {weight}")
    d = np.asarray(dense, np.float32)
    out = (1.0 - weight) * d + weight * np.asarray(topic, np.float32)
    return np.where(np.isfinite(d), out, -np.inf).astype(np.float32)
