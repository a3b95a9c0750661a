"""Retrieval quality on judged queries: nDCG@k per search mode (dev set for tuning)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class JudgedQuery:
    """A query in the judge's own words and the graded relevance of talks (id -> 1 or 2)."""

    query: str
    relevant: dict[str, float]


def load_judged_queries(path: str | Path) -> list[JudgedQuery]:
    """Read a judged-queries JSON file ({"queries": [{"query", "relevant": {id: grade}}]}).

    Raises:
        ValueError: naming the file and the entry that is malformed.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, q in enumerate(data.get("queries", [])):
        rel = q.get("relevant")
        if not isinstance(q.get("query"), str) or not isinstance(rel, dict) or not rel:
            raise ValueError(f"{path}: query #{i} needs a 'query' text and a non-empty "
                             "'relevant' object")
        out.append(JudgedQuery(q["query"], {k: float(v) for k, v in rel.items()}))
    return out


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain: sum of gain_i / log2(i + 1), i from 1."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """nDCG@k of a ranking against graded judgements (linear gains).

    Example:
        >>> ndcg_at_k(["a", "x", "b"], {"a": 2, "b": 1}, k=10)   # ideal is a, b
        0.9502344167898356
    """
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(relevant.get(i, 0.0) for i in ranked[:k]) / ideal


def mean_ndcg(search, queries: Sequence[JudgedQuery], mode: str, k: int = 10) -> float:
    """Mean nDCG@k of `search(query, k=k, mode=mode, kind="talk")` over the queries.

    Args:
        search: `SearchEngine.search` or `Explorer.search`.
        queries: the judged queries.
        mode: "dense", "bm25" or "hybrid".
        k: cut-off.
    """
    scores = [ndcg_at_k([h.id for h in search(q.query, k=k, mode=mode, kind="talk")],
                        q.relevant, k) for q in queries]
    return sum(scores) / len(scores) if scores else 0.0


def load_related_sets(path: str | Path) -> dict[str, dict[str, float]]:
    """Read judged related items ({"related": {seed id: {related id: grade}}}).

    Raises:
        ValueError: naming the file and the seed whose judgements are malformed.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for seed, rel in (data.get("related") or {}).items():
        if not isinstance(rel, dict) or not rel:
            raise ValueError(f"{path}: seed {seed!r} needs a non-empty object of related ids")
        out[seed] = {k: float(v) for k, v in rel.items()}
    return out


def mean_related_ndcg(related, judged: Mapping[str, Mapping[str, float]], k: int = 10,
                      **kwargs) -> float:
    """Mean nDCG@k of `related(seed, k=k, kind="talk", **kwargs)` over judged seeds."""
    scores = [ndcg_at_k([h.id for h in related(seed, k=k, kind="talk", **kwargs)], rel, k)
              for seed, rel in judged.items()]
    return sum(scores) / len(scores) if scores else 0.0
