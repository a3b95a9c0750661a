"""Topics of talks and papers: clustering on embeddings, c-TF-IDF labels, stable topic ids."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score

from explorer.insights.labels import ctfidf_terms, label_from_terms, normalize, rerank_terms

META_KEY = "topics"  # store meta key holding the persisted TopicModel (JSON)
FORMAT_VERSION = 1

ASSIGN_PERCENTILE = 5.0  # see assign_threshold
MIN_ASSIGN_THRESHOLD = 0.2  # a new item below this cosine to every centroid is always far


@dataclass
class Topic:
    """One topic: a stable id, its centroid (unit vector), distinctive terms, central items."""

    id: int
    centroid: np.ndarray
    terms: list[str] = field(default_factory=list)
    label: str = ""
    representatives: list[str] = field(default_factory=list)
    size: int = 0


@dataclass
class TopicModel:
    """Topics and the items assigned to them.

    ``assignments`` maps item id -> topic id. ``threshold`` is the cosine an unseen item
    needs to its nearest centroid to join that topic. ``next_id`` is never decreased, so a
    topic id once given is never reused or renumbered. ``silhouette`` records the criterion
    used to pick the number of topics (k -> mean cosine silhouette).
    """

    topics: dict[int, Topic]
    assignments: dict[str, int]
    threshold: float
    next_id: int
    model: str = ""
    silhouette: dict[int, float] = field(default_factory=dict)

    def topic_of(self, item_id: str) -> int | None:
        return self.assignments.get(item_id)

    def active(self) -> list[Topic]:
        """Topics that still have items, largest first."""
        return sorted((t for t in self.topics.values() if t.size > 0),
                      key=lambda t: (-t.size, t.id))

    def to_json(self) -> str:
        return json.dumps({
            "version": FORMAT_VERSION, "model": self.model, "threshold": self.threshold,
            "next_id": self.next_id, "assignments": self.assignments,
            "silhouette": {str(k): v for k, v in self.silhouette.items()},
            "topics": [{"id": t.id, "terms": t.terms, "label": t.label,
                        "representatives": t.representatives, "size": t.size,
                        "centroid": [round(float(x), 6) for x in t.centroid]}
                       for t in self.topics.values()],
        })

    @classmethod
    def from_json(cls, text: str) -> TopicModel:
        d = json.loads(text)
        if d.get("version") != FORMAT_VERSION:
            raise ValueError(f"topic model format {d.get('version')} is not {FORMAT_VERSION}")
        topics = {t["id"]: Topic(id=t["id"], centroid=np.asarray(t["centroid"], np.float32),
                                 terms=t["terms"], label=t["label"],
                                 representatives=t["representatives"], size=t["size"])
                  for t in d["topics"]}
        return cls(topics=topics, assignments=dict(d["assignments"]),
                   threshold=float(d["threshold"]), next_id=int(d["next_id"]),
                   model=d.get("model", ""),
                   silhouette={int(k): v for k, v in d.get("silhouette", {}).items()})


def topic_count_range(n_items: int) -> tuple[int, int]:
    """The numbers of topics tried for ``n_items`` items: about sqrt(n)/2 .. 2*sqrt(n).

    Bounded to 2..30 so that 150-400 talks and papers give 6..30 candidates, and never more
    than a third of the items (a topic should hold a few items).

    Example: 300 -> (9, 30); 30 -> (3, 10); 12 -> (2, 4).
    """
    root = np.sqrt(max(n_items, 1))
    hi = int(min(30, round(2 * root), max(2, n_items // 3)))
    lo = int(min(hi, max(2, round(root / 2))))
    return lo, hi


def choose_clusters(vectors: np.ndarray, k_range: tuple[int, int] | None = None,
                    seed: int = 0) -> tuple[np.ndarray, dict[int, float]]:
    """Cluster unit vectors with k-means for each k in ``k_range``; keep the k with the best
    mean cosine silhouette (ties go to the smaller k).

    Args:
        vectors: (n, dim) embeddings; normalized here.
        k_range: inclusive (lo, hi); default ``topic_count_range(n)``.
        seed: k-means seed (the result is deterministic for a given seed).

    Returns:
        (cluster label per row, {k: silhouette}).
    """
    x = normalize(vectors)
    n = len(x)
    if n < 3:
        return np.zeros(n, dtype=int), {}
    lo, hi = k_range or topic_count_range(n)
    lo, hi = max(2, lo), min(hi, n - 1)
    best: tuple[float, int, np.ndarray] | None = None
    scores: dict[int, float] = {}
    for k in range(lo, hi + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
        if len(set(labels)) < 2:
            continue
        s = float(silhouette_score(x, labels, metric="cosine"))
        scores[k] = round(s, 4)
        if best is None or s > best[0] + 1e-9:
            best = (s, k, labels)
    if best is None:
        return np.zeros(n, dtype=int), scores
    return best[2], scores


def fit_topics(item_ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray,
               k_range: tuple[int, int] | None = None, n_topics: int | None = None,
               seed: int = 0, model: str = "",
               embed_terms: Callable[[list[str]], np.ndarray] | None = None) -> TopicModel:
    """Cluster items on their embeddings and describe each cluster.

    Topic ids are given largest topic first (0, 1, ...). The model's assignment threshold
    for later items is set by ``assign_threshold``.

    Args:
        item_ids: talk and paper ids, one per row of ``vectors``.
        texts: the text of each item (title and abstract), for the labels.
        vectors: (n, dim) precomputed embeddings.
        k_range: numbers of topics to try (silhouette picks one); default by item count.
        n_topics: a fixed number of topics instead of the silhouette choice.
        seed: k-means seed.
        model: embedding model id, stored so a model change can be detected.
        embed_terms: optional texts -> vectors with the items' model; when given, label
            terms are re-ranked by closeness to the topic (``rerank_terms``).

    Returns:
        The fitted ``TopicModel``.
    """
    _check_inputs(item_ids, texts, vectors)
    x = normalize(vectors)
    if n_topics is not None:
        labels, scores = choose_clusters(x, (n_topics, n_topics), seed)
    else:
        labels, scores = choose_clusters(x, k_range, seed)
    sizes = pd.Series(labels).value_counts()
    ordered = sorted(sizes.index, key=lambda c: (-sizes[c], c))
    remap = {int(c): i for i, c in enumerate(ordered)}
    topic_of = [remap[int(c)] for c in labels]
    topics = {i: Topic(id=i, centroid=np.zeros(x.shape[1], np.float32)) for i in remap.values()}
    tm = TopicModel(topics=topics, assignments=dict(zip(item_ids, topic_of)),
                    threshold=MIN_ASSIGN_THRESHOLD, next_id=len(topics), model=model,
                    silhouette=scores)
    _describe(tm, list(item_ids), list(texts), x, embed_terms)
    tm.threshold = assign_threshold(x, np.array(topic_of),
                                    np.stack([tm.topics[t].centroid for t in sorted(tm.topics)]))
    return tm


def assign_threshold(x: np.ndarray, topic_of: np.ndarray, centroids: np.ndarray) -> float:
    """The cosine a new item needs to its nearest centroid to join that topic.

    An item is "far" only when it is both farther from the centroid than 95% of the fitted
    members are from their own (``ASSIGN_PERCENTILE``) and no closer than 95% of members are
    to the nearest *other* topic: such an item is no more part of the topic than members of
    other topics are. Floored at ``MIN_ASSIGN_THRESHOLD``.

    Args:
        x: (n, dim) unit vectors of the fitted items.
        topic_of: (n,) topic index of each item (rows of ``centroids``).
        centroids: (k, dim) unit centroids.

    Returns:
        The threshold, rounded to 4 decimals.
    """
    if len(x) == 0:
        return MIN_ASSIGN_THRESHOLD
    sims = x @ centroids.T
    own = sims[np.arange(len(x)), topic_of]
    bound = float(np.percentile(own, ASSIGN_PERCENTILE))
    if len(centroids) > 1:
        sims[np.arange(len(x)), topic_of] = -np.inf
        bound = min(bound, float(np.percentile(sims.max(axis=1), 100 - ASSIGN_PERCENTILE)))
    return round(max(MIN_ASSIGN_THRESHOLD, bound), 4)


def assign(model: TopicModel, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest existing topic for each vector, or -1 where it is farther than the threshold.

    Args:
        model: a fitted model.
        vectors: (n, dim) embeddings.

    Returns:
        (topic id per row, int64, -1 for "far from every topic"; cosine to nearest centroid).
    """
    x = normalize(vectors)
    ids = np.array(sorted(model.topics), dtype=np.int64)
    if len(ids) == 0 or len(x) == 0:
        return np.full(len(x), -1, dtype=np.int64), np.zeros(len(x), dtype=np.float32)
    cents = np.stack([model.topics[i].centroid for i in ids])
    if cents.shape[1] != x.shape[1]:
        raise ValueError(f"vectors have dim {x.shape[1]}, the topic model {cents.shape[1]}: "
                         "refit the topics (ex.topic_model(refit=True))")
    sims = x @ cents.T
    best = sims.argmax(axis=1)
    score = sims[np.arange(len(x)), best]
    return np.where(score >= model.threshold, ids[best], -1), score.astype(np.float32)


def update_topics(model: TopicModel, item_ids: Sequence[str], texts: Sequence[str],
                  vectors: np.ndarray,
                  embed_terms: Callable[[list[str]], np.ndarray] | None = None) -> TopicModel:
    """Bring a model up to date with the current items, keeping every existing topic id.

    Items already assigned keep their topic. A new item joins its nearest topic when its
    cosine is at least ``model.threshold``; new items far from all topics are clustered among
    themselves (average-linkage, cosine distance ``1 - threshold``) and each such cluster
    becomes a new topic with a fresh id. Items gone from ``item_ids`` are dropped; a topic
    left empty keeps its id with size 0. Centroids, terms and labels are recomputed.

    Args:
        model: the persisted model (not modified).
        item_ids, texts, vectors, embed_terms: as for ``fit_topics``.

    Returns:
        A new ``TopicModel``.
    """
    _check_inputs(item_ids, texts, vectors)
    x = normalize(vectors)
    topics = {i: Topic(id=i, centroid=t.centroid.copy(), terms=list(t.terms), label=t.label)
              for i, t in model.topics.items()}
    tm = TopicModel(topics=topics, assignments={}, threshold=model.threshold,
                    next_id=model.next_id, model=model.model, silhouette=dict(model.silhouette))
    new_rows = []
    for row, iid in enumerate(item_ids):
        old = model.assignments.get(iid)
        if old is not None and old in topics:
            tm.assignments[iid] = old
        else:
            new_rows.append(row)
    if new_rows:
        nearest, _ = assign(model, x[new_rows])
        far = [r for r, t in zip(new_rows, nearest) if t < 0]
        for r, t in zip(new_rows, nearest):
            if t >= 0:
                tm.assignments[item_ids[r]] = int(t)
        for group in _group_far_items(x[far], model.threshold):
            tid = tm.next_id
            tm.next_id += 1
            tm.topics[tid] = Topic(id=tid, centroid=np.zeros(x.shape[1], np.float32))
            for g in group:
                tm.assignments[item_ids[far[g]]] = tid
    _describe(tm, list(item_ids), list(texts), x, embed_terms)
    return tm


def _group_far_items(x: np.ndarray, threshold: float) -> list[list[int]]:
    if len(x) == 0:
        return []
    if len(x) == 1:
        return [[0]]
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=1 - threshold).fit_predict(x)
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])  # order of first appearance


def _describe(tm: TopicModel, item_ids: list[str], texts: list[str], x: np.ndarray,
              embed_terms: Callable[[list[str]], np.ndarray] | None = None,
              n_representatives: int = 3) -> None:
    """Recompute size, centroid, terms, label and central items of every topic in place."""
    row_of = {iid: r for r, iid in enumerate(item_ids)}
    members: dict[int, list[int]] = {t: [] for t in tm.topics}
    for iid, t in tm.assignments.items():
        members[t].append(row_of[iid])
    rows = [r for t in members for r in members[t]]
    labs = [t for t in members for _ in members[t]]
    n_terms = 25 if embed_terms else 8
    terms = ctfidf_terms([texts[r] for r in rows], labs, n_terms) if rows else {}
    for t, topic in tm.topics.items():
        m = members[t]
        topic.size = len(m)
        if not m:
            continue  # an emptied topic keeps its last centroid and terms
        c = x[m].mean(axis=0)
        topic.centroid = (c / (np.linalg.norm(c) or 1)).astype(np.float32)
        topic.terms = (rerank_terms(terms.get(t, []), topic.centroid, embed_terms)
                       if embed_terms else [w for w, _ in terms.get(t, [])])
        topic.label = label_from_terms(topic.terms)
        central = np.argsort(-(x[m] @ topic.centroid), kind="stable")[:n_representatives]
        topic.representatives = [item_ids[m[i]] for i in central]


def _check_inputs(item_ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray) -> None:
    n = len(item_ids)
    if len(texts) != n or len(vectors) != n:
        raise ValueError(f"{n} item ids, {len(texts)} texts and {len(vectors)} vectors: "
                         "one of each per item is needed")
    seen: set[str] = set()
    for iid in item_ids:
        if iid in seen:
            raise ValueError(f"item id {iid!r} appears more than once")
        seen.add(iid)


# -- persistence (through the store) ----------------------------------------------------------
def save_model(store, model: TopicModel) -> None:
    """Persist the model in the store's meta table, so topic ids survive rebuilds."""
    store.set_meta(META_KEY, model.to_json())


def load_model(store) -> TopicModel | None:
    """The persisted model, or None when there is none or it is of an older format."""
    text = store.get_meta(META_KEY)
    if not text:
        return None
    try:
        return TopicModel.from_json(text)
    except (ValueError, KeyError):
        return None

