"""The field's papers per theme and month, by the Organizer's own theme assignment, streamed.

A field paper belongs to a theme by the same rule as a talk (``explorer.insights.themes``:
cosine to the theme's description plus a bonus for a theme keyword in the title, a
threshold, a margin to the best theme, at most three themes), read from its stored vector
and its title only. The vectors are read from field.sqlite chunk by chunk, so a million
papers never sit in memory at once; the counts are cached in the field's meta table, keyed by
the model, the taxonomy version and what is embedded, so the app computes them once.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from embeddings.index import normalize
from explorer.insights.taxonomy import TAXONOMY_VERSION, Theme
from explorer.insights.themes import Settings, keyword_pattern
from explorer.store import StoreError

CHUNK = 20_000
COUNT_COLUMNS = ["topic", "month", "papers"]
TOTAL_COLUMNS = ["month", "papers"]


@dataclass
class FieldThemeCounts:
    """Field papers per theme and month ("YYYY-MM" of the first version), and all papers per
    month (themed or not, so shares can be taken). ``note`` says why it is empty."""

    counts: pd.DataFrame
    totals: pd.DataFrame
    model: str = ""
    embedded: int = 0
    as_of: str | None = None  # the latest first-submission date in the field
    note: str = ""
    themes: dict[str, str] = field(default_factory=dict)  # theme id -> name

    @property
    def empty(self) -> bool:
        return self.embedded == 0

    def to_json(self) -> str:
        return json.dumps({"counts": self.counts.values.tolist(),
                           "totals": self.totals.values.tolist(), "model": self.model,
                           "embedded": self.embedded, "as_of": self.as_of, "note": self.note,
                           "themes": self.themes})

    @classmethod
    def from_json(cls, text: str) -> FieldThemeCounts:
        d = json.loads(text)
        return cls(pd.DataFrame(d["counts"], columns=COUNT_COLUMNS),
                   pd.DataFrame(d["totals"], columns=TOTAL_COLUMNS), d["model"], d["embedded"],
                   d["as_of"], d["note"], d["themes"])


def empty_counts(note: str, model: str = "") -> FieldThemeCounts:
    return FieldThemeCounts(pd.DataFrame(columns=COUNT_COLUMNS),
                            pd.DataFrame(columns=TOTAL_COLUMNS), model=model, note=note)


def pick_mask(scores: np.ndarray, settings: Settings, in_title: np.ndarray) -> np.ndarray:
    """``explorer.insights.themes.pick`` for a whole chunk at once: (n, T) booleans.

    Same rule (score >= threshold and >= best - margin, or best - keyword_margin for a theme
    named in the title; the ``max_themes`` best), vectorised because the field has a million
    rows where the archive has a few hundred.
    """
    if scores.size == 0:
        return np.zeros(scores.shape, bool)
    best = scores.max(axis=1, keepdims=True)
    ok = (scores >= settings.threshold) & (
        (scores >= best - settings.margin)
        | (in_title.astype(bool) & (scores >= best - settings.keyword_margin)))
    # the best ``max_themes`` of the themes that pass (as pick: filter, then cut)
    order = np.argsort(-np.where(ok, scores, -np.inf), axis=1,
                       kind="stable")[:, :settings.max_themes]
    rows = np.arange(len(scores))[:, None]
    keep = np.zeros(scores.shape, bool)
    keep[rows, order] = ok[rows, order]
    return keep


class KeywordMatcher:
    """``keyword_hits`` for many titles: a theme's regex runs only on titles holding the
    first word of one of its keywords as a whole word (a keyword matched at word boundaries
    always starts with a whole word of the title), which makes a million titles affordable
    with the same answers."""

    WORD = re.compile(r"\w+")

    def __init__(self, themes: Sequence[Theme]):
        self.patterns = [keyword_pattern(t.keywords) for t in themes]
        self.by_word: dict[str, set[int]] = {}
        for j, t in enumerate(themes):
            for k in t.keywords:
                first = self.WORD.findall(k.lower())
                if first:
                    self.by_word.setdefault(first[0], set()).add(j)

    def __call__(self, titles: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(titles), len(self.patterns)), np.float32)
        for i, title in enumerate(titles):
            cands = set()
            for w in set(self.WORD.findall(title.lower())):
                cands |= self.by_word.get(w, set())
            for j in cands:
                if self.patterns[j].search(title):
                    out[i, j] = 1.0
        return out


def count_field_themes(chunks, theme_vectors: np.ndarray, themes: Sequence[Theme],
                       settings: Settings, model: str = "",
                       progress: Callable[[int], None] | None = None) -> FieldThemeCounts:
    """Count papers per theme and month over chunks of (vectors, titles, dates).

    Args:
        chunks: iterable of (float32 (n, dim) unit vectors, titles, "YYYY-MM-DD" or None).
        theme_vectors: (T, dim) embeddings of ``theme_texts(themes)`` with the same model.
        themes, settings: the taxonomy and the assignment settings of the archive's model.
        progress: called with the papers of each chunk.

    Returns:
        The counts; undated papers are counted in no month.
    """
    tv = np.asarray(theme_vectors, np.float32)
    matcher = KeywordMatcher(themes)
    per = np.zeros((len(themes), 0), np.int64)  # theme x month column (first-seen order)
    totals = np.zeros(0, np.int64)
    months: dict[str, int] = {}
    seen, latest = 0, ""
    for vecs, titles, dates in chunks:
        if vecs.shape[1] != tv.shape[1]:
            raise ValueError(f"field vectors have dim {vecs.shape[1]}, the themes "
                             f"{tv.shape[1]}: the field was embedded with another model")
        titles = [t or "" for t in titles]
        in_title = matcher(titles)
        # score_matrix's rule with the title as the only text: cosine + the larger bonus
        scores = (normalize(vecs) @ normalize(tv).T
                  + max(settings.title_bonus, settings.text_bonus) * in_title)
        keep = pick_mask(scores, settings, in_title)
        cols = np.array([months.setdefault(d[:7], len(months)) if d and len(d) >= 7 else -1
                         for d in dates], np.int64)
        latest = max([latest, *(d for d in dates if d)])
        if len(totals) < len(months):
            grow = len(months) - len(totals)
            per, totals = np.pad(per, ((0, 0), (0, grow))), np.pad(totals, (0, grow))
        dated = cols >= 0
        np.add.at(totals, cols[dated], 1)
        r_idx, t_idx = np.nonzero(keep[dated])
        np.add.at(per, (t_idx, cols[dated][r_idx]), 1)
        seen += len(vecs)
        if progress:
            progress(len(vecs))
    order = sorted(months)
    rows = [(themes[t].id, m, int(per[t, months[m]])) for t in range(len(themes))
            for m in order if per[t, months[m]]]
    return FieldThemeCounts(pd.DataFrame(rows, columns=COUNT_COLUMNS),
                            pd.DataFrame([(m, int(totals[months[m]])) for m in order],
                                         columns=TOTAL_COLUMNS),
                            model=model, embedded=seen, as_of=latest or None,
                            themes={t.id: t.name for t in themes})


# -- from an opened data dir (explorer.open) ---------------------------------------------------
NO_FIELD = ("No field imported: run `explorer field import arxiv-metadata-oai-snapshot.json` "
            "then `explorer field build` to compare the meetup with arXiv.")


def field_theme_counts(ex, chunk: int = CHUNK, progress: Callable[[int], None] | None = None,
                       on_start: Callable[[int], None] | None = None) -> FieldThemeCounts:
    """The field's papers per theme and month for an opened data dir (cached in field.sqlite).

    Empty, with ``note`` saying which command to run, when no field was imported or none of
    it is embedded with the archive's model.
    """
    from explorer.insights.themes import theme_texts
    from explorer.store.fieldstore import FieldStore, field_dir

    root = field_dir(ex.data_dir)
    if not (root / "field.sqlite").exists():
        return empty_counts(NO_FIELD, ex.model)
    assignment = ex.theme_assignment()
    settings, themes = assignment.settings, list(assignment.themes)
    fs = FieldStore.open(root=root, create=False)
    try:
        sig = fs.embedded_signature(ex.model)
        if sig[0] == 0:
            return empty_counts(f"No field paper is embedded with {ex.model} ({fs.count()} "
                                "imported): run `explorer field build` (with the archive's "
                                "model).", ex.model)
        key = f"radar:{ex.model}"
        stamp = json.dumps([TAXONOMY_VERSION, asdict(settings), sig, [t.id for t in themes]])
        cached = fs.get_meta(key)
        if cached:
            saved = json.loads(cached)
            if saved.get("stamp") == stamp:
                return FieldThemeCounts.from_json(saved["counts"])
        if on_start:
            on_start(sig[0])
        tv = ex.embed(theme_texts(themes))
        found = count_field_themes(fs.iter_dated_vectors(ex.model, chunk), tv, themes,
                                   settings, model=ex.model, progress=progress)
        try:  # a cache only: a reader must not fail where it cannot write (a read-only
            fs.set_meta(key, json.dumps({"stamp": stamp, "counts": found.to_json()}))
        except (sqlite3.Error, StoreError):  # field.sqlite, or a field writer holding it)
            pass
        return found
    finally:
        fs.close()


def radar_for(ex, years: bool = False, **settings) -> pd.DataFrame:
    """``ex.field_radar()``: the radar table (or, with ``years``, the per-year frame) of an
    opened data dir; empty, with ``attrs["note"]`` saying what to run, without a field."""
    from explorer.insights import radar
    from explorer.insights.gaps import items_with_themes, topics_over_time

    counts = ex.field_theme_counts()
    cols = radar.YEAR_COLUMNS if years else radar.RADAR_COLUMNS
    if counts.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = counts.note
        return out
    assignment, items = ex.theme_assignment(), ex._items()
    names = {t.id: t.name for t in assignment.themes}
    fy = radar.field_years(counts.counts, counts.totals, list(names))
    per_year = radar.radar_years(fy, topics_over_time(assignment, items), names)
    if years:
        out = per_year
    else:
        last = radar.last_talk_dates(items_with_themes(assignment, items))
        out = radar.field_radar(per_year, last, counts.as_of, ex.last_meetup_date(),
                                **settings)
    out.attrs["note"] = (f"{counts.embedded:,} field papers embedded with {counts.model}, "
                         f"up to {counts.as_of}")
    return out


def with_field_evidence(ex, gaps: list) -> list:
    """The gaps with how their themes grow in the field, when a field is there."""
    from explorer.insights.radar import attach_field_evidence

    if ex.field_theme_counts().empty:
        return gaps
    return attach_field_evidence(gaps, ex.field_radar())
