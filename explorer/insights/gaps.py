"""What the next season could cover: topic tables, topics over time, uncovered and stale topics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from explorer.domain import INTRO
from explorer.ingest.arxiv_ids import citing_phrase
from explorer.insights.topics import TopicModel, fit_topics, load_model, save_model, update_topics

ITEM_COLUMNS = ("id", "kind", "title", "date")  # items frame; kind is "talk" or "paper"
UNCOVERED_MIN_PAPERS = 3  # a topic needs this many cited papers to count as followed
UNCOVERED_RATIO = 2.0  # ... and this many times its share of talks in its share of papers
STALE_YEARS = 2.0  # a topic whose last talk is older than this is stale
EVIDENCE = 5  # papers listed as evidence per gap


@dataclass
class Gap:
    """A topic the next season could take up, with the evidence for it.

    ``kind`` is "uncovered" (cited papers, few or no talks) or "stale" (no talk for a long
    time). ``papers_evidence`` lists the papers behind it, most recently cited first:
    [{id, title, date}], date being the meetup that first cited the paper.
    """

    kind: str
    topic: int
    label: str
    talks: int
    papers: int
    score: float
    reason: str
    last_talk: dict | None = None
    days_since_talk: int | None = None
    papers_evidence: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


# -- from an opened data dir (explorer.open) ---------------------------------------------------
def item_frame(ex) -> pd.DataFrame:
    """The items frame of an opened data dir: one row per indexed talk and paper.

    A paper is dated by the first meetup that cited it (not its arXiv date) and is ``hot``
    when some citation is in an intro/hot-topics slot or a meetup page rather than a talk.
    An unresolved paper's title is the text around its first citation.

    Args:
        ex: ``explorer.open(...)``.

    Returns:
        Columns ``id, kind, title, date, meetup, hot`` in index order.
    """
    ids, kinds, _ = ex.vectors()
    talks = ex.talks().set_index("id")
    papers = ex.papers().set_index("id")
    meetups = ex.meetups()
    date_of = {str(lab): d for lab, d in zip(meetups["label"], meetups["date"])}
    talk_kind = talks["kind"].to_dict()
    rows = []
    for iid, kind in zip(ids, kinds):
        if kind == "talk":
            t = talks.loc[iid]
            rows.append((iid, kind, t["title"], t["date"], t["meetup"], False))
            continue
        bare = iid.split(":", 1)[1] if iid.startswith("arxiv:") else iid
        p = papers.loc[bare] if bare in papers.index else None
        cited = list(p["cited_in"]) if p is not None else []
        dates = sorted(d for c in cited if (d := date_of.get(str(c["meetup"]))))
        hot = any(c.get("talk_id") is None or talk_kind.get(c["talk_id"]) == INTRO
                  for c in cited)
        title = (p["title"] if p is not None and p["title"] else
                 citing_phrase(str(cited[0].get("context") or ""), bare) if cited else "")
        title = title or f"arXiv:{bare}"
        rows.append((iid, kind, title, dates[0] if dates else None,
                     cited[0]["meetup"] if cited else None, hot))
    return pd.DataFrame(rows, columns=["id", "kind", "title", "date", "meetup", "hot"])


def topic_model(ex, refit: bool = False, save: bool = True, seed: int = 0) -> TopicModel:
    """The data dir's topic model, brought up to date with its items.

    The model is persisted in the store (meta ``topics``). With no saved model, a saved
    model of another embedding model, or ``refit``, topics are fitted afresh; otherwise new
    items are assigned with ``update_topics``, so topic ids stay as they were.

    Args:
        ex: ``explorer.open(...)``.
        refit: fit from scratch (topic ids may change).
        save: write the result back to the store when it changed.
        seed: k-means seed for a fit.

    Returns:
        The ``TopicModel`` covering every indexed item.
    """
    ids, _, vectors = ex.vectors()
    texts = [ex.item_text(i) for i in ids]
    saved = None if refit else load_model(ex.store)
    dim_ok = saved is not None and all(t.centroid.shape[0] == vectors.shape[1]
                                       for t in saved.topics.values())
    if saved is None or saved.model != ex.model or not dim_ok:
        model = fit_topics(ids, texts, vectors, seed=seed, model=ex.model, embed_terms=ex.embed)
    elif set(saved.assignments) == set(ids):
        return saved
    else:
        model = update_topics(saved, ids, texts, vectors, embed_terms=ex.embed)
    if save:
        save_model(ex.store, model)
    return model


def items_with_topics(model: TopicModel, items: pd.DataFrame) -> pd.DataFrame:
    """``items`` (columns id, kind, title, date[, hot]) with ``topic``, ``label`` and ``year``;
    items the model does not know are left out.

    Args:
        model: the topic model.
        items: one row per talk or paper (see ``item_frame``).

    Returns:
        A copy of the known rows with the three columns added.
    """
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        raise ValueError(f"items frame lacks columns {missing}")
    df = items[items["id"].isin(model.assignments.keys())].copy()
    df["topic"] = df["id"].map(model.assignments).astype(int)
    df["label"] = df["topic"].map({t.id: t.label for t in model.topics.values()})
    df["date"] = df["date"].where(df["date"].notna() & (df["date"] != ""), None)
    df["year"] = pd.to_datetime(df["date"], errors="coerce").dt.year.astype("Int64")
    return df


def topic_table(model: TopicModel, items: pd.DataFrame) -> pd.DataFrame:
    """One row per non-empty topic, largest first.

    Returns:
        Columns ``id, label, terms, size, talks, papers, first_date, last_date,
        representatives`` (dates are ISO strings or None, over talks and papers).
    """
    df = items_with_topics(model, items)
    rows = []
    for t in model.active():
        m = df[df["topic"] == t.id]
        dates = sorted(str(d) for d in m["date"].dropna())
        rows.append({
            "id": t.id, "label": t.label, "terms": list(t.terms), "size": t.size,
            "talks": int((m["kind"] == "talk").sum()), "papers": int((m["kind"] == "paper").sum()),
            "first_date": dates[0] if dates else None, "last_date": dates[-1] if dates else None,
            "representatives": list(t.representatives),
        })
    return pd.DataFrame(rows, columns=["id", "label", "terms", "size", "talks", "papers",
                                       "first_date", "last_date", "representatives"])


def topics_over_time(model: TopicModel, items: pd.DataFrame) -> pd.DataFrame:
    """Items per topic per year, talks and papers apart, zero-filled over the years seen.

    A paper counts in the year of its ``date``: the meetup that first cited it, not its
    arXiv date. Undated items are left out.

    Example: two talks of topic 0 in 2019 and one paper in 2021 give rows
    (0, 2019, talk, 2), (0, 2020, talk, 0), (0, 2021, talk, 0), (0, 2019, paper, 0), ...

    Returns:
        Columns ``topic, label, year, kind, count`` sorted by topic, kind, year.
    """
    df = items_with_topics(model, items).dropna(subset=["year"])
    cols = ["topic", "label", "year", "kind", "count"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    years = range(int(df["year"].min()), int(df["year"].max()) + 1)
    kinds = sorted(set(df["kind"]))
    counts = df.groupby(["topic", "kind", "year"]).size()
    labels = {t.id: t.label for t in model.topics.values()}
    rows = [(t, labels[t], y, k, int(counts.get((t, k, y), 0)))
            for t in sorted(set(df["topic"])) for k in kinds for y in years]
    return pd.DataFrame(rows, columns=cols)


def uncovered_topics(model: TopicModel, items: pd.DataFrame,
                     min_papers: int = UNCOVERED_MIN_PAPERS,
                     ratio: float = UNCOVERED_RATIO) -> list[Gap]:
    """Topics the community follows (cited papers) but hardly ever gave a talk on.

    A topic qualifies when it has at least ``min_papers`` hot-topic papers and its share of
    all hot-topic papers is at least ``ratio`` times its share of all talks (with one talk
    added, so a topic with no talk is not infinitely enriched): the meetup reads about it far
    more than it hears about it. Relative shares, not papers per talk, so the verdict does
    not depend on how many slide decks the archive happens to carry. Hot-topic papers are
    those with ``hot`` True (cited in an intro/hot-topics slot or a README, not only by a
    talk); without a ``hot`` column every paper counts. Ranked by that enrichment.

    Example: 5 of 11 papers and 3 of 129 talks -> (5/11) / (4/129) = 14.7: a gap.

    Returns:
        ``Gap`` objects of kind "uncovered", best first.
    """
    df = items_with_topics(model, items)
    papers = df[df["kind"] == "paper"]
    if "hot" in papers.columns:
        papers = papers[papers["hot"].fillna(False).astype(bool)]
    n_papers_all = max(len(papers), 1)
    n_talks_all = max(int((df["kind"] == "talk").sum()), 1)
    gaps = []
    for t in model.active():
        p = papers[papers["topic"] == t.id]
        talks = df[(df["topic"] == t.id) & (df["kind"] == "talk")]
        n_p, n_t = len(p), len(talks)
        enrichment = (n_p / n_papers_all) / ((n_t + 1) / n_talks_all)
        if n_p < min_papers or enrichment < ratio:
            continue
        last = _last_talk(talks)
        latest = p["date"].dropna().max() if p["date"].notna().any() else None
        reason = (f"{n_p} hot-topic papers cited" + (f" (latest at the {latest} meetup)"
                                                      if latest else "")
                  + (f", {n_t} talk" + ("s" if n_t != 1 else "")
                     + (f" (last {last['date']})" if last and last["date"] else "")
                     if n_t else ", never a talk"))
        gaps.append(Gap(kind="uncovered", topic=t.id, label=t.label, talks=n_t, papers=n_p,
                        score=round(enrichment, 3), reason=reason, last_talk=last,
                        papers_evidence=_evidence(p)))
    return sorted(gaps, key=lambda g: (-g.score, -g.papers, g.topic))


def stale_topics(model: TopicModel, items: pd.DataFrame, as_of: str | None = None,
                 years: float = STALE_YEARS) -> list[Gap]:
    """Topics that had talks but none for more than ``years`` years before ``as_of``.

    Args:
        model: the topic model.
        items: the items frame.
        as_of: ISO date "now" is measured from; default the latest dated item (the last
            meetup), so the answer does not change with the day it is asked.
        years: how old the last talk must be.

    Returns:
        ``Gap`` objects of kind "stale", longest without a talk first; evidence is the last
        talk and the papers cited since then (interest that outlived the talks).
    """
    df = items_with_topics(model, items)
    ref = pd.Timestamp(as_of) if as_of else pd.to_datetime(df["date"], errors="coerce").max()
    if pd.isna(ref):
        return []
    gaps = []
    for t in model.active():
        talks = df[(df["topic"] == t.id) & (df["kind"] == "talk")]
        last = _last_talk(talks)
        if not last or not last["date"]:
            continue
        days = int((ref - pd.Timestamp(last["date"])).days)
        if days <= years * 365.25:
            continue
        m = df[df["topic"] == t.id]
        since = m[(m["kind"] == "paper") & (m["date"].fillna("") > last["date"])]
        reason = (f"last talk {last['date']} ({days / 365.25:.1f} years before "
                  f"{ref.date().isoformat()})"
                  + (f"; {len(since)} papers cited since" if len(since) else ""))
        gaps.append(Gap(kind="stale", topic=t.id, label=t.label, talks=len(talks),
                        papers=int((m["kind"] == "paper").sum()), score=round(days / 365.25, 2),
                        reason=reason, last_talk=last, days_since_talk=days,
                        papers_evidence=_evidence(since)))
    return sorted(gaps, key=lambda g: (-g.days_since_talk, g.topic))


def find_gaps(model: TopicModel, items: pd.DataFrame, as_of: str | None = None) -> list[Gap]:
    """``uncovered_topics`` then ``stale_topics`` with their default thresholds."""
    return uncovered_topics(model, items) + stale_topics(model, items, as_of=as_of)


def _last_talk(talks: pd.DataFrame) -> dict | None:
    if talks.empty:
        return None
    row = talks.sort_values("date", na_position="first", kind="stable").iloc[-1]
    return {"id": row["id"], "title": row["title"],
            "date": row["date"] if isinstance(row["date"], str) else None}


def _evidence(papers: pd.DataFrame, n: int = EVIDENCE) -> list[dict]:
    p = papers.sort_values(["date", "id"], ascending=[False, True], na_position="last")
    return [{"id": r["id"], "title": r["title"],
             "date": r["date"] if isinstance(r["date"], str) else None}
            for _, r in p.head(n).iterrows()]


# -- figures (pure: data in, plotly figure out) -------------------------------------------------
def topics_over_time_figure(df: pd.DataFrame, top_n: int = 8):
    """Lines of talks (top panel) and cited papers (bottom panel) per year for the
    ``top_n`` topics with most items.

    Args:
        df: the output of ``topics_over_time``.
        top_n: topics drawn.

    Returns:
        A plotly ``go.Figure``.
    """
    import plotly.express as px
    import plotly.graph_objects as go

    if df.empty:
        return go.Figure(layout={"title": "Topics over time (no dated items)"})
    totals = df.groupby("topic")["count"].sum().sort_values(ascending=False, kind="stable")
    keep = df[df["topic"].isin(totals.index[:top_n])].copy()
    keep["topic_label"] = keep["topic"].astype(str) + ": " + keep["label"].astype(str)
    keep["kind"] = keep["kind"].map({"talk": "talks", "paper": "cited papers"}).fillna(
        keep["kind"])
    fig = px.line(keep, x="year", y="count", color="topic_label", facet_row="kind",
                  markers=True, title="Topics over time: talks and cited papers per year",
                  labels={"count": "items", "topic_label": "topic", "year": "year"})
    fig.update_yaxes(matches=None, rangemode="tozero")
    fig.update_xaxes(dtick=1)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    return fig


def gap_figure(gaps: list[Gap]):
    """Horizontal bars per gap: hot-topic papers against talks; the hover says why.

    Args:
        gaps: the output of ``find_gaps`` (or either of its parts).

    Returns:
        A plotly ``go.Figure`` (empty with a title saying so when there are no gaps).
    """
    import plotly.graph_objects as go

    if not gaps:
        return go.Figure(layout={"title": "No gaps found"})
    names = [f"{'stale' if g.kind == 'stale' else 'uncovered'} · {g.topic}: {g.label}"
             for g in gaps]
    hover = [g.reason.replace("<", "&lt;") for g in gaps]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=[g.papers for g in gaps], name="cited papers",
                         orientation="h", hovertext=hover, hoverinfo="text+x"))
    fig.add_trace(go.Bar(y=names, x=[g.talks for g in gaps], name="talks",
                         orientation="h", hovertext=hover, hoverinfo="text+x"))
    fig.update_layout(barmode="group", title="Gaps: topics followed in papers but not in talks",
                      yaxis={"autorange": "reversed"}, xaxis_title="items",
                      height=max(300, 60 * len(gaps) + 120))
    return fig
