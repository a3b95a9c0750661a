"""What the next season could cover: themes over time, uncovered and stale themes, evidence.

Every function here reads one ``ThemeAssignment`` (explorer/insights/themes.py) and the items
frame, so the table, the heatmap and the gaps an organizer sees agree item for item: a theme
is stale only if none of *its* talks falls in the window, and each gap carries the talks and
papers it was decided on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from explorer.insights.items import item_frame, topic_model  # noqa: F401 - their old home
from explorer.insights.taxonomy import OTHER, OTHER_NAME
from explorer.insights.themes import ThemeAssignment
from explorer.insights.timeline import after, scheduled_words, today, undated_words

ITEM_COLUMNS = ("id", "kind", "title", "date")  # items frame; kind is "talk" or "paper"
UNCOVERED_MIN_PAPERS = 3  # a theme needs this many hot-topic papers to count as followed
UNCOVERED_RATIO = 2.0  # ... and this many times its share of talks in its share of papers
NEAR_MISSES = 3  # a stale verdict names at most this many talks that came close to its theme
STALE_YEARS = 2.0  # a theme with talks, but none in this many years before "now", is stale
EVIDENCE = 5  # papers listed as evidence per gap
LAST_TALKS = 3  # talks listed as evidence per gap


@dataclass
class Gap:
    """A theme the next season could take up, with the evidence for it.

    ``kind`` is "uncovered" (hot-topic papers, few or no talks) or "stale" (talks once, none
    within ``window_years`` before ``as_of``); either is decided on what happened by
    ``as_of``, talks after it are listed in ``scheduled``. ``topic`` is the theme id ("theme:speech"),
    ``label`` its name. ``talks_evidence`` lists the theme's last talks, newest first:
    [{id, title, date, meetup}]; ``papers_evidence`` its papers, most recently cited first:
    [{id, title, date, meetup}], date being the meetup that first cited the paper.
    """

    kind: str
    topic: str
    label: str
    talks: int
    papers: int
    score: float
    reason: str
    last_talk: dict | None = None
    days_since_talk: int | None = None
    papers_evidence: list[dict] = field(default_factory=list)
    talks_evidence: list[dict] = field(default_factory=list)
    as_of: str | None = None
    window_years: float | None = None
    field_evidence: dict | None = None  # how the theme grows in the field (insights/radar.py)
    # "stale" only: talks of the window close to this theme but not assigned to it, closest
    # first ([{id, title, date, meetup, score, themes they were filed under}]): counter-evidence
    near_misses: list[dict] = field(default_factory=list)
    # talks of the theme dated after ``as_of`` (announced, or later than a past ``as_of``):
    # never counted as coverage, shown so the verdict says what is coming
    scheduled: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def items_with_themes(assignment: ThemeAssignment, items: pd.DataFrame) -> pd.DataFrame:
    """``items`` with one row per (item, theme) and columns ``topic``, ``label``, ``year``.

    An item of several themes appears once per theme; an item of none appears once under
    ``OTHER``. Items the assignment does not know are left out.

    Args:
        assignment: the themes of the items.
        items: one row per talk or paper (see ``item_frame``): id, kind, title, date[, hot,
            meetup].

    Returns:
        The exploded copy, in item order then theme order (best theme first).
    """
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        raise ValueError(f"items frame lacks columns {missing}")
    df = items[items["id"].isin(assignment.labels.keys())].copy()
    df["topic"] = df["id"].map(assignment.themes_of)
    df = df.explode("topic", ignore_index=True)
    names = {t.id: t.name for t in assignment.themes} | {OTHER: OTHER_NAME}
    df["label"] = df["topic"].map(names)
    df["date"] = df["date"].where(df["date"].notna() & (df["date"] != ""), None)
    df["year"] = pd.to_datetime(df["date"], errors="coerce").dt.year.astype("Int64")
    if "meetup" not in df.columns:
        df["meetup"] = None
    return df


def theme_order(assignment: ThemeAssignment, df: pd.DataFrame) -> list[str]:
    """Every theme of the taxonomy, then Other when some item has no theme."""
    order = [t.id for t in assignment.themes]
    return order + ([OTHER] if (df["topic"] == OTHER).any() else [])


def topic_table(assignment: ThemeAssignment, items: pd.DataFrame,
                as_of: str | None = None) -> pd.DataFrame:
    """One row per theme (every theme of the taxonomy, empty ones too), most talks first.

    Args:
        as_of: count what happened by this ISO date (default today); talks after it are
            counted apart, as ``upcoming``, with the first as ``next_talk_date``.

    Returns:
        Columns ``id, label, terms, size, talks, papers, first_date, last_date,
        representatives, description, last_talk_date, upcoming, next_talk_date`` (dates ISO
        strings or None; ``terms`` are the theme's keywords; ``representatives`` its
        highest-scoring items; an item of two themes counts in both).
    """
    df = items_with_themes(assignment, items)
    late = after(df, as_of or today())
    coming, df = df[late & (df["kind"] == "talk")], df[~late]
    by_id = {t.id: t for t in assignment.themes}
    rows = []
    for tid in theme_order(assignment, df):
        m = df[df["topic"] == tid]
        dates = sorted(str(d) for d in m["date"].dropna())
        talk_dates = sorted(str(d) for d in m.loc[m["kind"] == "talk", "date"].dropna())
        score = {i: assignment.scores.get(i, {}).get(tid, 0.0) for i in m["id"]}
        theme = by_id.get(tid)
        rows.append({
            "id": tid, "label": assignment.name(tid),
            "description": theme.description if theme else "Items close to no theme.",
            "terms": list(theme.keywords) if theme else [], "size": len(m),
            "talks": int((m["kind"] == "talk").sum()), "papers": int((m["kind"] == "paper").sum()),
            "first_date": dates[0] if dates else None, "last_date": dates[-1] if dates else None,
            "last_talk_date": talk_dates[-1] if talk_dates else None,
            "representatives": sorted(score, key=lambda i: (-score[i], i))[:3],
            "upcoming": int((coming["topic"] == tid).sum()),
            "next_talk_date": min(coming.loc[coming["topic"] == tid, "date"], default=None),
        })
    table = pd.DataFrame(rows, columns=["id", "label", "terms", "size", "talks", "papers",
                                        "first_date", "last_date", "representatives",
                                        "description", "last_talk_date", "upcoming",
                                        "next_talk_date"])
    for col in ("first_date", "last_date", "last_talk_date", "next_talk_date"):  # not NaN
        table[col] = table[col].astype(object).where(table[col].notna(), None)
    table["_other"] = table["id"] == OTHER
    table = table.sort_values(["_other", "talks", "size"], ascending=[True, False, False],
                              kind="stable")
    return table.drop(columns="_other").reset_index(drop=True)


def topics_over_time(assignment: ThemeAssignment, items: pd.DataFrame,
                     as_of: str | None = None) -> pd.DataFrame:
    """Items per theme per year, talks and papers apart, zero-filled: every theme, every year.

    This is the per-theme count interface the figures read: other sources (e.g. field
    counts) can be added as rows of another ``kind`` with the same columns. A paper counts
    in the year of its ``date`` (the meetup that first cited it, not its arXiv date).
    Undated items are left out, and items after ``as_of`` (default today: a talk announced
    for a coming meetup has not happened); an item of two themes counts in both.

    Example: two talks of theme:speech in 2019 and one paper in 2021 give rows
    (theme:speech, Speech, 2019, talk, 2), (theme:speech, Speech, 2020, talk, 0), ...

    Returns:
        Columns ``topic, label, year, kind, count``, by taxonomy order, kind, year.
    """
    df = items_with_themes(assignment, items)
    df = df[~after(df, as_of or today())]
    cols = ["topic", "label", "year", "kind", "count"]
    dated = df.dropna(subset=["year"])
    if dated.empty:
        return pd.DataFrame(columns=cols)
    years = range(int(dated["year"].min()), int(dated["year"].max()) + 1)
    kinds = [k for k in ("talk", "paper") if k in set(df["kind"])]
    counts = dated.groupby(["topic", "kind", "year"]).size()
    rows = [(t, assignment.name(t), y, k, int(counts.get((t, k, y), 0)))
            for t in theme_order(assignment, df) for k in kinds for y in years]
    return pd.DataFrame(rows, columns=cols)


def uncovered_topics(assignment: ThemeAssignment, items: pd.DataFrame,
                     min_papers: int = UNCOVERED_MIN_PAPERS,
                     ratio: float = UNCOVERED_RATIO, as_of: str | None = None) -> list[Gap]:
    """Themes the community follows (hot-topic papers) but hardly ever gave a talk on.

    A theme qualifies when it has at least ``min_papers`` hot-topic papers and its share of
    all hot-topic papers is at least ``ratio`` times its share of all talks (with one talk
    added, so a theme with no talk is not infinitely enriched). Hot-topic papers are those
    with ``hot`` True (cited in an intro/hot-topics slot or a meetup page, not only by a
    talk); without a ``hot`` column every paper counts. Ranked by that enrichment. With
    ``as_of``, only what happened by then counts; the theme's talks after it are listed
    (``scheduled``), never counted as talks.

    Example: 5 of 11 papers and 3 of 129 talks -> (5/11) / (4/129) = 14.7: a gap.

    Returns:
        ``Gap`` objects of kind "uncovered", best first, listing their papers and talks.
    """
    df = items_with_themes(assignment, items)
    ref = _as_of(as_of, df) if as_of else None
    late = after(df, ref)
    coming, df = df[late & (df["kind"] == "talk")], df[~late]
    papers = df[df["kind"] == "paper"]
    if "hot" in papers.columns:
        papers = papers[papers["hot"].fillna(False).astype(bool)]
    n_papers_all = max(papers["id"].nunique(), 1)
    n_talks_all = max(df.loc[df["kind"] == "talk", "id"].nunique(), 1)
    gaps = []
    for tid in theme_order(assignment, df):
        if tid == OTHER:
            continue
        p = papers[papers["topic"] == tid]
        talks = df[(df["topic"] == tid) & (df["kind"] == "talk")]
        n_p, n_t = len(p), len(talks)
        enrichment = (n_p / n_papers_all) / ((n_t + 1) / n_talks_all)
        if n_p < min_papers or enrichment < ratio:
            continue
        last = _last_talks(talks)
        latest = p["date"].dropna().max() if p["date"].notna().any() else None
        reason = (f"{n_p} hot-topic papers cited" + (f" (latest at the {latest} meetup)"
                                                      if latest else "")
                  + (f", {n_t} talk" + ("s" if n_t != 1 else "")
                     + (f" (last {last[0]['date']})" if last and last[0]["date"] else "")
                     if n_t else ", never a talk"))
        scheduled = _last_talks(coming[coming["topic"] == tid], n=len(coming), oldest=True)
        reason += scheduled_words(scheduled, ref.date().isoformat()) if scheduled else ""
        gaps.append(Gap(kind="uncovered", topic=tid, label=assignment.name(tid), talks=n_t,
                        papers=n_p, score=round(enrichment, 3), reason=reason,
                        last_talk=last[0] if last else None, papers_evidence=_evidence(p),
                        talks_evidence=last, scheduled=scheduled,
                        as_of=ref.date().isoformat() if ref is not None else None))
    return sorted(gaps, key=lambda g: (-g.score, -g.papers, g.topic))


def stale_topics(assignment: ThemeAssignment, items: pd.DataFrame, as_of: str | None = None,
                 years: float = STALE_YEARS) -> list[Gap]:
    """Themes that had talks, but none in the ``years`` before ``as_of``.

    Only talks on or before ``as_of`` count (asking about 2021 ignores the talks of 2023).
    A theme with any talk in ``(as_of - years, as_of]`` is never stale, whatever its other
    talks; a theme that never had a talk is not stale either (see ``uncovered_topics``).

    Args:
        assignment: the themes of the items (the same the page shows).
        items: the items frame.
        as_of: ISO date "now" is measured from; default the latest dated item (the last
            meetup), so the answer does not change with the day it is asked.
        years: the window.

    Returns:
        ``Gap`` objects of kind "stale", longest without a talk first; evidence: the last
        talks, the papers cited since, and the near misses. ValueError: ``as_of`` no date.
    """
    df = items_with_themes(assignment, items)
    ref = _as_of(as_of, df)
    if ref is None:
        return []
    late = after(df, ref)
    coming, df = df[late & (df["kind"] == "talk")], df[~late]
    dates = pd.to_datetime(df["date"], errors="coerce")
    recent = df[(df["kind"] == "talk") & (dates > ref - pd.Timedelta(
        days=years * 365.25))].drop_duplicates("id")
    gaps = []
    for tid in theme_order(assignment, df):
        if tid == OTHER:
            continue
        all_talks = df[(df["topic"] == tid) & (df["kind"] == "talk")]
        talks = all_talks[all_talks["date"].notna()]
        last = _last_talks(talks)
        if not last:
            continue
        days = int((ref - pd.Timestamp(last[0]["date"])).days)
        if days <= years * 365.25:
            continue
        m = df[df["topic"] == tid]
        since = m[(m["kind"] == "paper") & (m["date"].fillna("") > last[0]["date"])]
        close = recent[recent["id"].isin([i for i in recent["id"]
                                          if tid in assignment.nearest.get(i, {})])]
        near = sorted(({**t, "score": assignment.nearest[t["id"]][tid],
                        "themes": [assignment.name(x) for x in assignment.labels.get(t["id"], [])]}
                       for t in _last_talks(close, n=len(close))),
                      key=lambda t: -t["score"])[:NEAR_MISSES]
        reason = (f"last talk {last[0]['date']}, {days} days ({days / 365.25:.1f} years) "
                  f"before {ref.date().isoformat()}; no talk on this theme within {years:g} "
                  "years"
                  + (f"; {len(since)} paper{'s' * (len(since) > 1)} cited since"
                     if len(since) else "")
                  + (f"; but {len(near)} talk{'s' * (len(near) > 1)} in that time came close "
                     f"to this theme without being assigned to it: check "
                     f"{'them' if len(near) > 1 else 'it'}" if near else "")
                  + undated_words(len(all_talks) - len(talks)))
        scheduled = _last_talks(coming[coming["topic"] == tid], n=len(coming), oldest=True)
        reason += scheduled_words(scheduled, ref.date().isoformat()) if scheduled else ""
        gaps.append(Gap(kind="stale", topic=tid, label=assignment.name(tid), talks=len(all_talks),
                        papers=int((m["kind"] == "paper").sum()), score=round(days / 365.25, 2),
                        reason=reason, last_talk=last[0], days_since_talk=days,
                        papers_evidence=_evidence(since), talks_evidence=last,
                        as_of=ref.date().isoformat(), window_years=years,
                        near_misses=near, scheduled=scheduled))
    return sorted(gaps, key=lambda g: (-g.days_since_talk, g.topic))


def find_gaps(assignment: ThemeAssignment, items: pd.DataFrame,
              as_of: str | None = None) -> list[Gap]:
    """``uncovered_topics`` then ``stale_topics`` with their default thresholds, both as
    of ``as_of`` (default: the latest dated item on or before today)."""
    return (uncovered_topics(assignment, items, as_of=as_of or _default_as_of(items))
            + stale_topics(assignment, items, as_of=as_of))


def talks_in(assignment: ThemeAssignment, items: pd.DataFrame, theme: str,
             year: int | None = None) -> pd.DataFrame:
    """The talks of a theme (in a year), newest first: what a heatmap cell stands for."""
    df = items_with_themes(assignment, items)
    m = df[(df["topic"] == theme) & (df["kind"] == "talk")]
    if year is not None:
        m = m[m["year"] == year]
    return m.sort_values(["date", "id"], ascending=[False, True], na_position="last")


def _as_of(as_of: str | None, df: pd.DataFrame) -> pd.Timestamp | None:
    if as_of:
        ref = pd.to_datetime(as_of, errors="coerce")
        if pd.isna(ref):
            raise ValueError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)")
        return ref
    held = _default_as_of(df)
    return None if held is None else pd.Timestamp(held)


def _default_as_of(df: pd.DataFrame) -> str | None:
    """The latest date on or before today among ``df``'s items: the last meetup held (an
    announced one has not happened, so it is not "now")."""
    dates = pd.to_datetime(df["date"], errors="coerce")
    dates = dates[dates <= pd.Timestamp(today())]
    return None if dates.empty else dates.max().date().isoformat()


def _record(row) -> dict:
    """An item as evidence: {id, title, date, meetup}; an unfetched paper is named by its id,
    with the words that cite it labelled as such (never passed off as its title)."""
    meetup = row.get("meetup")
    said, bare = str(row["title"]), str(row["id"]).split(":", 1)[-1]
    title = row["title"] if row.get("resolved", True) is not False else (
        f"arXiv:{bare} (title not fetched yet" + ("" if said.startswith("arXiv:") else
                                                  f"; cited as “{said[:60]}”") + ")")
    return {"id": row["id"], "title": title,
            "date": row["date"] if isinstance(row["date"], str) else None,
            "meetup": None if meetup is None or pd.isna(meetup) else str(meetup)}


def _last_talks(talks: pd.DataFrame, n: int = LAST_TALKS, oldest: bool = False) -> list[dict]:
    """The talks as evidence, newest first (``oldest``: the next ones first)."""
    t = talks.drop_duplicates("id").sort_values(["date", "id"], ascending=[oldest, True],
                                                na_position="last")
    return [_record(r) for _, r in t.head(n).iterrows()]


def _evidence(papers: pd.DataFrame, n: int = EVIDENCE) -> list[dict]:
    p = papers.sort_values(["date", "id"], ascending=[False, True], na_position="last")
    return [_record(r) for _, r in p.head(n).iterrows()]
