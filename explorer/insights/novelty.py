"""Novelty check: does a proposed talk repeat a past one? Closest past talks and a verdict.

The verdict compares the cosine between the proposal's embedding and its nearest past talk
with two thresholds:

* ``covered``  score >= COVERED: a past talk is about the same subject;
* ``partly``   PARTLY <= score < COVERED: related talks exist, the angle may be new;
* ``new``      score < PARTLY: no past talk is closer than unrelated talks are to each other.

A proposal that names a past talk by its title (the whole proposal or its first line, as
search's exact matcher finds titles) is ``covered`` by that talk whatever the cosine: a bare
title is far from a talk embedded with its abstract ("Mixture of Experts" vs that talk of
meetup 69: 0.16-0.44 with MiniLM, below ``PARTLY``).

Calibration (``benchmarks/calibrate_novelty.py --data-dir <real build>``; all-MiniLM-L6-v2 on
the real archive: 129 talks, 74 with an abstract; talks embedded as ``title. abstract``):

=========================================  =====  =====  =====  =====
cosine to the nearest talk                  p10    p50    p90    p95
=========================================  =====  =====  =====  =====
same subject: a talk's title vs the talk    0.52   0.76   0.86   0.88
same subject: its abstract vs the talk      0.90   0.97   0.99   0.99
held-out: a title vs all *other* talks      0.39   0.53   0.68   0.70
random pairs of different talks             0.07   0.23   0.42   0.46
=========================================  =====  =====  =====  =====

COVERED = 0.70 is the lowest threshold that at most 5% of held-out titles reach (4% do:
those are the archive's real near-repeats), while 62% of talks are matched by their bare
title and 100% by their abstract. PARTLY = 0.55 is the 99th percentile of random pairs
(all talks are about deep learning, so unrelated talks still reach 0.2-0.4): closer than
that is a related talk; 45% of held-out titles have such a predecessor. Another model gets
thresholds from its own talk-to-talk distribution (``corpus_thresholds``), which for MiniLM
on this archive gives (0.72, 0.54), close to the calibrated pair.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from explorer.domain import Hit
from explorer.insights.timeline import upcoming

COVERED, PARTLY, NEW = "covered", "partly", "new"
CALIBRATED = {"all-MiniLM-L6-v2": (0.70, 0.55)}  # model id suffix -> (covered, partly)


@dataclass
class Novelty:
    """The answer of a novelty check: verdict, best cosine, and the closest past talks."""

    verdict: str
    score: float
    closest: list[Hit] = field(default_factory=list)
    thresholds: tuple[float, float] = (0.0, 0.0)
    headline: str = ""  # the verdict in plain words, naming the talks behind it
    named: str = ""  # "title" / "in title": a past talk has the proposal as (main) title
    off_topic: bool = False  # far from every theme of the taxonomy and from every talk
    themes: list[dict] = field(default_factory=list)  # closest themes: id, name, score, cosine

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "score": self.score, "headline": self.headline,
                "named": self.named,
                "off_topic": self.off_topic,
                "thresholds": {"covered": self.thresholds[0], "partly": self.thresholds[1]},
                "themes": list(self.themes), "closest": [asdict(h) for h in self.closest]}


def _when(h: Hit) -> str:
    """" (2020-02-26)", or " (2099-05-06, upcoming)" for a talk announced, not yet given."""
    if not h.date:
        return ""
    return f" ({h.date}, upcoming)" if upcoming(h.date) else f" ({h.date})"


def _talk_words(h: Hit) -> str:
    where = f"meetup {h.meetup}" if h.meetup not in (None, "") else "a past meetup"
    return f"“{h.title}” at {where}" + _when(h)


def _named_words(hits: list[Hit], whole: bool) -> str:
    named = [h for h in hits if h.match == "exact"] or hits[:1]
    where = ", ".join((f"meetup {h.meetup}" if h.meetup not in (None, "") else "a past meetup")
                      + _when(h) for h in named)
    titles = "; ".join(f"“{t}”" for t in dict.fromkeys(h.title for h in named))
    one = len(named) == 1
    what = ("has this title" if one else "have this title") if whole else \
        ("has this as its main title" if one else "have this as their main title")
    return f"{'a talk of' if one else 'talks of'} {where} {what}: {titles}"


def headline(verdict_: str, hits: list[Hit], partly: float, off_topic: bool = False,
             themes: list[dict] | None = None, named: str = "") -> str:
    """The verdict in plain words, naming the talks (and their meetup and date) behind it.

    Example: covered with a 0.9 hit -> 'Already covered: “X” at meetup 33 (2020-02-26).'
    ``named`` ("title" or "in title"): the proposal is the first hits' (``match="exact"``)
    whole title or their main title before a subtitle -> 'Already covered: a talk of meetup 69
    (2025-10-23) has this title: “Mixture of Experts”.' A talk announced for a meetup after
    today is "upcoming", and covers a proposal as "Already scheduled", not as covered.
    """
    def already(covering: list[Hit]) -> str:
        soon = covering and all(upcoming(h.date) for h in covering)
        return "Already scheduled" if soon else "Already covered"

    if named and hits:
        exact = [h for h in hits if h.match == "exact"] or hits[:1]
        return f"{already(exact)}: {_named_words(hits, named == 'title')}."
    if off_topic:
        near = f" (nearest theme: {themes[0]['name']})" if themes else ""
        return ("Off-topic for a deep-learning meetup? The proposal is far from every theme "
                f"the meetup covers{near} and from every past talk.")
    if verdict_ == COVERED and hits:
        return f"{already(hits[:1])}: {_talk_words(hits[0])}."
    if verdict_ == PARTLY and hits:
        close = [h for h in hits if h.score >= partly][:3] or hits[:1]
        return "Partly covered by " + "; ".join(_talk_words(h) for h in close) + "."
    theme = f" Closest theme: {themes[0]['name']}." if themes else ""
    return "New for this meetup: no past talk is close to it." + theme


def verdict(score: float, covered: float, partly: float) -> str:
    """'covered', 'partly' or 'new' for the best cosine to a past talk.

    Example: verdict(0.8, 0.70, 0.55) -> 'covered'; 0.6 -> 'partly'; 0.3 -> 'new'.
    """
    if not partly <= covered:
        raise ValueError(f"partly threshold {partly} must not exceed covered {covered}")
    return COVERED if score >= covered else PARTLY if score >= partly else NEW


def closest(query: np.ndarray, vectors: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` with the highest cosine to ``query``, best first.

    Args:
        query: (dim,) embedding of the proposal.
        vectors: (n, dim) embeddings of past talks.
        k: how many.

    Returns:
        (row indices, cosines), both of length min(k, n).
    """
    q = np.asarray(query, np.float32).ravel()
    v = np.asarray(vectors, np.float32)
    if len(v) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    if v.shape[1] != q.shape[0]:
        raise ValueError(f"query has dim {q.shape[0]}, talk vectors {v.shape[1]}")
    # Cosine, whether or not the caller normalized.
    sims = (v @ q) / np.maximum(np.linalg.norm(v, axis=1) * (np.linalg.norm(q) or 1), 1e-12)
    order = np.argsort(-sims, kind="stable")[:k]
    return order, sims[order].astype(np.float32)


def corpus_thresholds(talk_vectors: np.ndarray) -> tuple[float, float]:
    """Thresholds for a model without calibration, from its talk-to-talk cosines.

    ``covered`` is the 97th percentile of each talk's nearest other talk (few past talks
    repeat each other), ``partly`` the median of it, as the calibrated MiniLM numbers are.

    Returns:
        (covered, partly); (1.0, 1.0) when there are fewer than 3 talks.
    """
    v = np.asarray(talk_vectors, np.float32)
    if len(v) < 3:
        return 1.0, 1.0
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    nn = sims.max(axis=1)
    return round(float(np.percentile(nn, 97)), 3), round(float(np.median(nn)), 3)


def thresholds_for(model_id: str, talk_vectors: np.ndarray | None = None) -> tuple[float, float]:
    """The calibrated (covered, partly) of a model, else ``corpus_thresholds``."""
    for name, th in CALIBRATED.items():
        if model_id == name or model_id.endswith("/" + name):
            return th
    if talk_vectors is None:
        return CALIBRATED["all-MiniLM-L6-v2"]
    return corpus_thresholds(talk_vectors)


def check_novelty(query_vector: np.ndarray, talk_vectors: np.ndarray, talks: list[dict],
                  k: int = 5, thresholds: tuple[float, float] | None = None,
                  model_id: str = "") -> Novelty:
    """The verdict for a proposal against past talks.

    Args:
        query_vector: (dim,) embedding of the proposed title/abstract (same model as talks).
        talk_vectors: (n, dim) embeddings of past talks.
        talks: n dicts with id, title, meetup, date, url (the Hits' fields).
        k: closest talks returned.
        thresholds: (covered, partly); default ``thresholds_for(model_id, talk_vectors)``.
        model_id: the embedding model, to pick calibrated thresholds.

    Returns:
        ``Novelty`` with the verdict, the best cosine and the closest talks as Hits.
    """
    if len(talks) != len(talk_vectors):
        raise ValueError(f"{len(talks)} talks but {len(talk_vectors)} talk vectors")
    covered, partly = thresholds or thresholds_for(model_id, talk_vectors)
    idx, sims = closest(query_vector, talk_vectors, k)
    hits = [Hit(id=talks[i]["id"], kind="talk", title=talks[i].get("title", ""),
                meetup=talks[i].get("meetup"), date=talks[i].get("date"),
                score=round(float(s), 4), url=talks[i].get("url")) for i, s in zip(idx, sims)]
    best = float(sims[0]) if len(sims) else 0.0
    return Novelty(verdict=verdict(best, covered, partly), score=round(best, 4),
                   closest=hits, thresholds=(covered, partly))


_LABEL = re.compile(r"^\s*title\s*:\s*", re.IGNORECASE)


def proposal_titles(text: str) -> list[str]:
    """What of a proposal may be a title: the whole text and its first line (organizers
    paste 'Title\nAbstract'), without a 'Title:' label."""
    text = (text or "").strip()
    first = _LABEL.sub("", text.splitlines()[0]).strip() if text else ""
    return [t for t in dict.fromkeys([text, first]) if t]


def named_talks(engine, text: str) -> tuple[list[int], bool]:
    """The past talks a proposal is the title of (`ExactIndex.titled`: their whole title,
    or their main title before a subtitle), checking the whole proposal and its first line.

    Returns:
        (positions of those talks in ``engine.items``, whether the first of them is named
        by its whole title).
    """
    whole, main = [], []
    for line in proposal_titles(text):
        w, m = engine.exact.titled(line)
        whole += w
        main += m
    talk = [i for i in dict.fromkeys(whole + main) if engine.items[i].kind == "talk"]
    return talk, bool(talk) and talk[0] in whole


def novelty_check(ex, text: str, k: int = 5) -> Novelty:
    """The novelty verdict for a proposed title or abstract against an opened data dir.

    Args:
        ex: ``explorer.open(...)``; the proposal is embedded with the index's model.
        text: the proposed title and/or abstract.
        k: closest past talks returned.

    Returns:
        ``Novelty``; thresholds are the calibrated ones for the index's model, else
        estimated from its talks (``corpus_thresholds``).
    """
    from explorer.insights.taxonomy import THEMES
    from explorer.insights.themes import closest_themes, settings_for
    from explorer.search.lexical import expand_query

    if not text or not text.strip():
        raise ValueError("the proposal is empty: give a title or an abstract")
    # Each text embedded once per check: the proposal as written (for its themes) and, if it
    # differs, as the search expands it ("RL" spelled out); the themes' descriptions come
    # from the topic prior the explorer holds (embedded here only without one).
    expanded = expand_query(text)
    texts = list(dict.fromkeys([text, expanded]))
    vec = dict(zip(texts, ex.embed(texts)))
    # dense: score = cosine; the closest talks however weak, by cosine alone
    engine = ex.engine
    hits = engine.search(text, k=max(k, 1), kind="talk", mode="dense", include_weak=True,
                         exact=False, vector=vec[expanded])
    _, kinds, vectors = ex.vectors()
    talk_vectors = vectors[[i for i, kd in enumerate(kinds) if kd == "talk"]]
    covered, partly = thresholds_for(ex.model, talk_vectors)
    best = float(hits[0].score) if hits else 0.0
    v = verdict(best, covered, partly)
    # A proposal that names a past talk by its title repeats it, whatever the cosine: a bare
    # title is far from a talk embedded with a long abstract (0.16-0.44 for MiniLM). That
    # talk comes first, with its own cosine, marked as search marks it (match="exact"), and
    # the headline says the title is why (unless its cosine made it the covering talk anyway).
    named, whole = named_talks(engine, text)
    if named and v == COVERED and hits and hits[0].id == engine.items[named[0]].id:
        named = []  # the cosine alone already says so: the usual headline
    if named:
        q = np.asarray(vec[expanded], np.float32).ravel()
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        first = []
        for i in named:
            it, row = engine.items[i], engine.vectors[i]
            cos = float(row @ q) / max(float(np.linalg.norm(row)), 1e-12)
            first.append(Hit(id=it.id, kind=it.kind, title=it.title, meetup=it.meetup,
                             date=it.date, score=round(cos, 6), url=it.url, match="exact"))
        ids = {h.id for h in first}
        hits = first + [h for h in hits if h.id not in ids]
        v = COVERED
    settings = settings_for(ex.model)
    prior = ex.topic_prior()
    known = prior is not None and tuple(prior.names) == tuple(t.name for t in THEMES)
    themes = closest_themes(vec[text], text, ex.embed, settings, THEMES, k=1000,
                            theme_vectors=prior.vectors if known else None)
    # Off-topic: no past talk near it and no theme near it in meaning. Keywords do not
    # count here: "introduction" or "business" in a title says nothing about the subject.
    off = (v == NEW and bool(themes) and max(t["cosine"] for t in themes) < settings.off_topic)
    themes = themes[:3]
    how = ("title" if whole else "in title") if named else ""
    return Novelty(verdict=v, score=round(best, 4), closest=hits[:k],
                   thresholds=(covered, partly),
                   headline=headline(v, hits[:k], partly, off, themes, named=how),
                   named=how, off_topic=off, themes=themes)

