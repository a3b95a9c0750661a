"""Talks and papers assigned to the taxonomy's themes: embedding similarity plus keyword evidence.

An item's score for a theme is the cosine between the item's embedding and the theme's
(``name: description``), plus ``title_bonus`` when one of the theme's keywords is in the
item's title, or ``text_bonus`` when it is only in the rest of its text. An item belongs to
every theme that scores at least ``threshold`` and within ``margin`` of its best theme (at
most ``max_themes``); an item with no such theme is "Other". Settings were chosen on the
tuning judgments (``tests/fixtures/themes_tuning.json``) and checked on the held-out ones
(``benchmarks/eval_themes.py``); see ``CALIBRATED``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from embeddings.index import normalize
from explorer.insights.taxonomy import OTHER, OTHER_NAME, TAXONOMY_VERSION, THEMES, Theme
from explorer.search.topical import TopicPrior, theme_floor


@dataclass(frozen=True)
class Settings:
    """How scores become assignments (see the module docstring)."""

    threshold: float = 0.30
    margin: float = 0.06
    title_bonus: float = 0.40
    text_bonus: float = 0.05
    max_themes: int = 3
    keyword_margin: float = 0.30  # the margin for a theme whose keyword is in the title
    off_topic: float = 0.20  # a proposal whose best theme cosine is below this is off-topic


# Chosen on the tuning judgments with all-MiniLM-L6-v2 (benchmarks/eval_themes.py --tune;
# a 129-talk build):
# title bonus 0.40 (F1 0.855 at 0.2, 0.871 at 0.4, 0.864 at 0.6) and keyword margin 0.30
# (0.846 at 0.04, 0.871-0.880 at 0.25-0.35) matter; F1 is flat in the threshold (0.2-0.4),
# the margin (0.02-0.08) and the text bonus (0-0.05), so those sit mid-plateau. off_topic
# 0.20 (a cosine, no keywords) is below the best theme cosine of all real talks but one
# (p1 0.27) and above 7 of the 8 tuning off-topic proposals (a tax-law one reaches 0.23).
CALIBRATED = {"all-MiniLM-L6-v2": Settings()}
# Another model's cosines live on another scale; keywords then carry most of the evidence.
FALLBACK = Settings(threshold=0.30, margin=0.10, title_bonus=0.30, text_bonus=0.15,
                    off_topic=0.10)


def settings_for(model_id: str) -> Settings:
    """The calibrated settings of a model (by id or ``.../id``), else ``FALLBACK``."""
    for name, s in CALIBRATED.items():
        if model_id == name or model_id.endswith("/" + name):
            return s
    return FALLBACK


@dataclass
class ThemeAssignment:
    """Which themes each item belongs to, best first; [] means Other.

    ``scores`` keeps each item's score for its assigned themes (and its best score when it
    has none, under ``OTHER``), so a page can say how sure the assignment is. ``nearest``
    keeps the themes an item came close to without being assigned: for an item in no theme
    its best theme if within the margin of the threshold, for the others every theme above
    the threshold that the margin left out ({item: {theme: score}}); a "stale" verdict shows
    such recent near misses as evidence against itself.
    """

    themes: list[Theme]
    labels: dict[str, list[str]]
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    nearest: dict[str, dict[str, float]] = field(default_factory=dict)
    version: str = TAXONOMY_VERSION
    model: str = ""
    settings: Settings = field(default_factory=Settings)

    def name(self, theme_id: str) -> str:
        if theme_id == OTHER:
            return OTHER_NAME
        for t in self.themes:
            if t.id == theme_id:
                return t.name
        raise KeyError(f"no theme {theme_id!r} in taxonomy {self.version}")

    def themes_of(self, item_id: str) -> list[str]:
        """The item's themes, best first ([OTHER] when it has none)."""
        return self.labels.get(item_id) or [OTHER]

    def members(self, theme_id: str) -> list[str]:
        """Items of a theme, in assignment order."""
        return [i for i, ts in self.labels.items() if theme_id in (ts or [OTHER])]

    def to_dict(self) -> dict:
        return {"version": self.version, "model": self.model, "settings": asdict(self.settings),
                "themes": [asdict(t) for t in self.themes], "labels": self.labels}


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern | None:
    """One case-insensitive regex matching any keyword as a whole word or phrase."""
    if not keywords:
        return None
    alts = sorted({re.escape(k.lower()) for k in keywords}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.IGNORECASE)


def keyword_hits(texts: Sequence[str], themes: Sequence[Theme]) -> np.ndarray:
    """(n, T) 1.0 where a theme keyword occurs in the text, else 0.0."""
    out = np.zeros((len(texts), len(themes)), np.float32)
    for j, t in enumerate(themes):
        pat = keyword_pattern(t.keywords)
        if pat is None:
            continue
        for i, text in enumerate(texts):
            if text and pat.search(text):
                out[i, j] = 1.0
    return out


def theme_texts(themes: Sequence[Theme]) -> list[str]:
    """What each theme is embedded as."""
    return [f"{t.name}: {t.description}" for t in themes]


def score_matrix(vectors: np.ndarray, theme_vectors: np.ndarray, titles: Sequence[str],
                 texts: Sequence[str], themes: Sequence[Theme], settings: Settings
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores, cosines, title keyword hits), each (n, T): scores are the cosine to each
    theme plus the keyword bonuses."""
    cos = normalize(vectors) @ normalize(theme_vectors).T
    in_title = keyword_hits(titles, themes)
    in_text = keyword_hits(texts, themes)
    bonus = np.maximum(settings.title_bonus * in_title, settings.text_bonus * in_text)
    return cos + bonus, cos, in_title


def pick(scores: np.ndarray, settings: Settings,
         in_title: np.ndarray | None = None) -> list[list[int]]:
    """Theme columns of each row, best first: score >= threshold and >= best - margin (or
    best - keyword_margin where ``in_title`` marks a title keyword of the theme).

    Example: scores [0.50, 0.45, 0.20] with threshold 0.3, margin 0.08 -> [0, 1].
    """
    out = []
    for i, row in enumerate(scores):
        best = float(row.max()) if len(row) else 0.0
        order = np.argsort(-row, kind="stable")
        keep = [int(j) for j in order if row[j] >= settings.threshold and (
            row[j] >= best - settings.margin
            or (in_title is not None and in_title[i, j] and
                row[j] >= best - settings.keyword_margin))]
        out.append(keep[:settings.max_themes])
    return out


def assign_themes(item_ids: Sequence[str], titles: Sequence[str], texts: Sequence[str],
                  vectors: np.ndarray, embed: Callable[[list[str]], np.ndarray],
                  model: str = "", settings: Settings | None = None,
                  themes: Sequence[Theme] = THEMES) -> ThemeAssignment:
    """Assign every item to its themes.

    Args:
        item_ids: talk and paper ids, one per row of ``vectors``.
        titles: each item's title (keywords there weigh more).
        texts: each item's full text (title and abstract, or citing text).
        vectors: (n, dim) item embeddings.
        embed: texts -> vectors with the items' model (embeds the theme descriptions).
        model: the embedding model id (picks the calibrated settings).
        settings: override ``settings_for(model)``.
        themes: the taxonomy.

    Returns:
        The ``ThemeAssignment``.
    """
    n = len(item_ids)
    if len(titles) != n or len(texts) != n or len(vectors) != n:
        raise ValueError(f"{n} item ids, {len(titles)} titles, {len(texts)} texts and "
                         f"{len(vectors)} vectors: one of each per item is needed")
    settings = settings or settings_for(model)
    themes = list(themes)
    if n == 0:
        return ThemeAssignment(themes, {}, {}, model=model, settings=settings)
    tv = np.asarray(embed(theme_texts(themes)), np.float32)
    if tv.shape[1] != np.asarray(vectors).shape[1]:
        raise ValueError(f"theme vectors have dim {tv.shape[1]}, items {vectors.shape[1]}")
    scores, _, in_title = score_matrix(vectors, tv, titles, texts, themes, settings)
    labels, kept, nearest = {}, {}, {}
    for iid, row, cols in zip(item_ids, scores, pick(scores, settings, in_title)):
        labels[iid] = [themes[j].id for j in cols]
        kept[iid] = ({themes[j].id: round(float(row[j]), 4) for j in cols} if cols
                     else {OTHER: round(float(row.max()), 4)})
        # close: above the threshold (outside the margin), or for an item in no theme its
        # best theme if within the margin of the threshold; weaker is no evidence
        near = [j for j in range(len(themes)) if row[j] >= settings.threshold
                and j not in cols] if cols else [int(np.argmax(row))] if (
            row.max() >= settings.threshold - settings.margin) else []
        if near:
            nearest[iid] = {themes[j].id: round(float(row[j]), 4) for j in near}
    return ThemeAssignment(themes, labels, kept, nearest, model=model, settings=settings)


def from_topic_model(model) -> ThemeAssignment:
    """A k-means ``TopicModel`` seen as a single-label assignment (for comparisons)."""
    themes = [Theme(f"topic:{t.id}", t.label or f"Topic {t.id}", "") for t in model.active()]
    labels = {iid: [f"topic:{t}"] for iid, t in model.assignments.items()}
    return ThemeAssignment(themes, labels, model=model.model, version="k-means")


def closest_themes(vector: np.ndarray, text: str, embed: Callable[[list[str]], np.ndarray],
                   settings: Settings, themes: Sequence[Theme] = THEMES, k: int = 3,
                   theme_vectors: np.ndarray | None = None) -> list[dict]:
    """The ``k`` best themes for one text: [{id, name, score, cosine}], best first.

    ``theme_vectors``: the themes' description vectors if already embedded (else embedded).
    """
    tv = np.asarray(embed(theme_texts(themes)) if theme_vectors is None else theme_vectors,
                    np.float32)
    v = np.asarray(vector, np.float32).reshape(1, -1)
    scores, cos, _ = score_matrix(v, tv, [text], [text], themes, settings)
    order = np.argsort(-scores[0], kind="stable")[:k]
    return [{"id": themes[j].id, "name": themes[j].name, "score": round(float(scores[0, j]), 4),
             "cosine": round(float(cos[0, j]), 4)} for j in order]


# -- from an opened data dir (explorer.open) ---------------------------------------------------
def theme_assignment(ex, settings: Settings | None = None) -> ThemeAssignment:
    """The themes of every indexed item of an opened data dir.

    Deterministic from the items, the model and the taxonomy: the same build gives the
    same assignment, and theme ids come from the taxonomy, so they never move. Titles are
    the items frame's (a talk's title; a paper's title or the phrase that cites it).

    `explorer build` stores the assignment in its generation (meta ``themes``, keyed by
    the items' fingerprint, the model, the taxonomy version and the settings); opening the
    data dir reads it back instead of computing it again, and anything else recomputes.
    """
    from explorer.insights.items import item_frame

    key = _stored_key(ex) if settings is None else None
    stored = _load_stored(ex.store, key) if key else None
    if stored is not None:
        return stored
    ids, _, vectors = ex.vectors()
    titles = item_frame(ex).set_index("id")["title"].reindex(ids).fillna("").tolist()
    texts = [ex.item_text(i) for i in ids]
    found = assign_themes(ids, titles, texts, vectors, ex.embed, model=ex.model,
                          settings=settings)
    if key and not getattr(ex.store, "readonly", True):  # the build writes; readers never
        ex.store.set_meta(META_KEY, json.dumps({"key": key, "labels": found.labels,
                                                "scores": found.scores,
                                                "nearest": found.nearest}))
    return found


META_KEY = "themes"
# Bumped when what is stored or how it is computed changes (2: near misses per theme, with
# scores), so a build or a reader never takes an older build's assignment for this one.
ASSIGNMENT_FORMAT = 2


def stored_theme_assignment(ex) -> ThemeAssignment | None:
    """The assignment the build stored for exactly these items, model and taxonomy, or None
    (never computes, so never needs the model)."""
    return _load_stored(ex.store, _stored_key(ex))


def _stored_key(ex) -> str:
    from explorer.search.items import items_fingerprint

    return json.dumps([items_fingerprint(ex.engine.items), ex.model, TAXONOMY_VERSION,
                       asdict(settings_for(ex.model)), ASSIGNMENT_FORMAT])


def _load_stored(store, key: str) -> ThemeAssignment | None:
    """The stored assignment if it was made for exactly this key, else None."""
    try:
        data = json.loads(store.get_meta(META_KEY) or "null")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    # A build from before near misses were kept stored none: read as none known (a stale
    # gap then lists no near miss until the next build), not as damage.
    labels, scores, nearest = (data.get("labels"), data.get("scores", {}),
                               data.get("nearest", {}))
    if not (isinstance(labels, dict) and isinstance(scores, dict) and isinstance(nearest, dict)
            and all(isinstance(v, list) and all(isinstance(t, str) for t in v)
                    for v in labels.values())
            and all(isinstance(v, dict) for v in nearest.values())):
        return None  # damaged: computed again
    model = json.loads(key)[1]
    return ThemeAssignment(list(THEMES), labels, scores, nearest, model=model,
                           settings=settings_for(model))


def search_prior(assignment: ThemeAssignment, item_ids: Sequence[str], vectors: np.ndarray,
                 embed: Callable[[list[str]], np.ndarray]) -> TopicPrior:
    """The `explorer.search.topical.TopicPrior` of an assignment, rows in ``item_ids`` order.

    The themes' descriptions are embedded as for the assignment; a query naming a theme's
    keyword gets the same small bonus an item's text gets. ``vectors`` (the items', in
    ``item_ids`` order) set the prior's floor (`explorer.search.topical.theme_floor`).
    """
    themes = list(assignment.themes)
    col = {t.id: j for j, t in enumerate(themes)}
    members = np.zeros((len(item_ids), len(themes)), dtype=bool)
    for i, iid in enumerate(item_ids):
        for t in assignment.labels.get(iid, []):
            if t in col:
                members[i, col[t]] = True
    theme_vectors = np.asarray(embed(theme_texts(themes)), np.float32) if themes else \
        np.zeros((0, np.asarray(vectors).shape[1]), np.float32)
    bonus = assignment.settings.text_bonus
    patterns = [keyword_pattern(t.keywords) for t in themes]  # compiled once, not per query

    def keyword_bonus(query: str) -> np.ndarray:
        return np.array([bonus if pat is not None and pat.search(query) else 0.0
                         for pat in patterns], np.float32)

    return TopicPrior(members, theme_vectors, tuple(t.name for t in themes), keyword_bonus,
                      floor=theme_floor(vectors, theme_vectors, members) if themes else 0.0,
                      evidence_floor=theme_floor(vectors, theme_vectors, members, 0.75)
                      if themes else 0.0)
