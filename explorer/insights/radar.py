"""The field radar: each theme's share of the field's papers per year beside the meetup's talks.

Pure functions (frames in, frames and figures out). "Rising" is defined once, here: a theme
rises in the field when, in the last full year of the field's data, it holds at least
``RISING_RATIO`` times its mean share of the ``BASELINE_YEARS`` years before, with at least
``MIN_PAPERS`` papers that year. A rising theme with no talk within ``WINDOW_YEARS`` before
the last meetup is flagged: the field is busy with it and the meetup is not.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

RISING_RATIO = 1.5
MIN_PAPERS = 20
BASELINE_YEARS = 3
# A year with fewer than this share of the compared year's papers is no baseline: a field
# imported `--since` a date holds only the papers revised later for the years before it.
MIN_BASELINE_VOLUME = 0.5
WINDOW_YEARS = 2.0  # as gaps.STALE_YEARS: "recent" means the same on the whole page
RISE_WINDOW, RISE_BASELINE = 12, 36  # months, for the month a theme rose (the notebook)

YEAR_COLUMNS = ["topic", "label", "year", "field_papers", "field_total", "field_share",
                "talks"]
RADAR_COLUMNS = ["topic", "label", "year", "papers", "total", "share", "baseline_share",
                 "baseline_years", "growth", "trend", "rising", "talks", "last_talk",
                 "recent_talk", "flagged", "evidence"]


def last_full_year(as_of: str | None) -> int | None:
    """The last calendar year the field's data covers entirely (the year before ``as_of``
    unless ``as_of`` is 31 December)."""
    if not as_of:
        return None
    year = int(as_of[:4])
    return year if as_of[5:10] == "12-31" else year - 1


def field_years(counts: pd.DataFrame, totals: pd.DataFrame, topics: list[str]) -> pd.DataFrame:
    """Monthly field counts as years: every topic x every year of ``totals``, zero-filled.

    Args:
        counts: columns ``topic, month ("YYYY-MM"), papers``.
        totals: columns ``month, papers`` (all field papers, themed or not).
        topics: the theme ids to keep, in order.

    Returns:
        Columns ``topic, year, papers, total, share`` (share = papers / total of the year).
    """
    if totals.empty:
        return pd.DataFrame(columns=["topic", "year", "papers", "total", "share"])
    tot = totals.assign(year=totals["month"].str[:4].astype(int)).groupby("year")["papers"].sum()
    c = counts.assign(year=counts["month"].str[:4].astype(int))
    per = c.groupby(["topic", "year"])["papers"].sum()
    rows = [(t, int(y), int(per.get((t, y), 0)), int(tot[y])) for t in topics for y in tot.index]
    df = pd.DataFrame(rows, columns=["topic", "year", "papers", "total"])
    df["share"] = df["papers"] / df["total"].where(df["total"] > 0)
    df["share"] = df["share"].fillna(0.0)
    return df


def radar_years(fyears: pd.DataFrame, over_time: pd.DataFrame,
                names: dict[str, str]) -> pd.DataFrame:
    """Field papers and share beside the meetup's talks, per theme and year.

    Args:
        fyears: ``field_years`` output.
        over_time: ``gaps.topics_over_time`` (rows of kind "talk" are read).
        names: theme id -> name, in the order to show.

    Returns:
        Columns ``YEAR_COLUMNS``; every theme, every year either side has.
    """
    talks = over_time[over_time["kind"] == "talk"] if len(over_time) else over_time
    t = talks.groupby(["topic", "year"])["count"].sum() if len(talks) else pd.Series(dtype=int)
    f = fyears.set_index(["topic", "year"]) if len(fyears) else None
    years = sorted({int(y) for y in fyears["year"]} | {int(y) for y in talks.get("year", [])})
    total = fyears.groupby("year")["total"].first() if len(fyears) else pd.Series(dtype=int)
    rows = []
    for tid, label in names.items():
        for y in years:
            fp = int(f.loc[(tid, y), "papers"]) if f is not None and (tid, y) in f.index else 0
            ft = int(total.get(y, 0))
            rows.append((tid, label, y, fp, ft, fp / ft if ft else 0.0, int(t.get((tid, y), 0))))
    return pd.DataFrame(rows, columns=YEAR_COLUMNS)


def field_radar(years: pd.DataFrame, last_talks: dict[str, str | None],
                field_as_of: str | None, meetup_as_of: str | None,
                ratio: float = RISING_RATIO, min_papers: int = MIN_PAPERS,
                baseline: int = BASELINE_YEARS, window_years: float = WINDOW_YEARS
                ) -> pd.DataFrame:
    """One row per theme: its field share in the last full year against the years before,
    whether it is rising, and whether the meetup had a talk on it recently.

    Args:
        years: ``radar_years`` output.
        last_talks: theme id -> date of its latest talk (None: never a talk).
        field_as_of: the latest first-submission date in the field (picks the last full year).
        meetup_as_of: "now" for the meetup (the last meetup's date).

    Returns:
        Columns ``RADAR_COLUMNS``, flagged themes first, then by growth. ``growth`` is
        share / baseline share (inf when the baseline is 0 and the theme has papers, NaN
        without baseline years); ``evidence`` says it in words with the numbers.

    Example: 80 of 1,000 papers in 2019 against 2%, 3%, 1% in 2016-2018 -> share 0.08,
        baseline 0.02, growth 4.0: rising.
    """
    year = last_full_year(field_as_of)
    have = years[years["field_total"] > 0] if len(years) else years
    if year is not None and len(have):
        year = max((y for y in have["year"].unique() if y <= year), default=None)
    ref = pd.Timestamp(meetup_as_of) if meetup_as_of else None
    rows = []
    for tid, m in years.groupby("topic", sort=False):
        m = m.set_index("year")
        label = m["label"].iloc[0]
        last = last_talks.get(tid)
        recent = bool(last and ref is not None and
                      (ref - pd.Timestamp(last)).days <= window_years * 365.25 and
                      pd.Timestamp(last) <= ref)
        talks = int(m["talks"].sum())
        if year is None or year not in m.index:
            rows.append((tid, label, None, 0, 0, 0.0, math.nan, "", math.nan, "no data", False,
                         talks, last, recent, False, "no field papers"))
            continue
        papers, total, share = (int(m.at[year, "field_papers"]), int(m.at[year, "field_total"]),
                                float(m.at[year, "field_share"]))
        before = [y for y in range(year - baseline, year) if y in m.index and
                  m.at[y, "field_total"] >= max(1, MIN_BASELINE_VOLUME * total)]
        base = float(np.mean([m.at[y, "field_share"] for y in before])) if before else math.nan
        span = f"{before[0]}-{before[-1]}" if len(before) > 1 else (str(before[0]) if before
                                                                      else "")
        growth = (math.nan if not before else share / base if base > 0 else
                  math.inf if papers else math.nan)
        rising = bool(papers >= min_papers and not math.isnan(growth) and growth >= ratio)
        trend = ("rising" if rising else "absent" if papers == 0 and not base else
                 "no baseline" if math.isnan(growth) else
                 "falling" if growth <= 1 / ratio else "steady" if growth < ratio else
                 "rising, few papers")
        rows.append((tid, label, int(year), papers, total, share, base, span, growth, trend,
                     rising, talks, last, recent, rising and not recent,
                     field_evidence_text(label, year, papers, total, share, base, span,
                                         growth, trend)))
    df = pd.DataFrame(rows, columns=RADAR_COLUMNS)
    df["last_talk"] = df["last_talk"].astype(object).where(df["last_talk"].notna(), None)
    order = df["growth"].replace(math.nan, -1.0)
    return (df.assign(_g=order).sort_values(["flagged", "rising", "_g", "papers"],
                                            ascending=[False, False, False, False],
                                            kind="stable")
            .drop(columns="_g").reset_index(drop=True))


def field_evidence_text(label: str, year: int, papers: int, total: int, share: float,
                        base: float, span: str, growth: float, trend: str) -> str:
    """e.g. "In the field: 8.0% of 2019's papers (80 of 1,000), up from 2.0% in 2016-2018
    (4.0x): rising"."""
    if trend == "absent":
        return f"In the field: no paper on {label} in {year}" + (f" nor in {span}" if span
                                                                  else "")
    head = f"In the field: {share:.1%} of {year}'s papers ({papers:,} of {total:,})"
    if math.isnan(base):
        return head + f"; no earlier year to compare with: {trend}"
    how = "up" if share > base else "down" if share < base else "level"
    times = "" if math.isnan(growth) or math.isinf(growth) else f" ({growth:.1f}x)"
    return head + f", {how} from {base:.1%} in {span}{times}: {trend}"


def last_talk_dates(themed_items: pd.DataFrame,
                    as_of: str | None = None) -> dict[str, str | None]:
    """Theme id -> its latest talk held by ``as_of`` (default: today), from
    ``gaps.items_with_themes``: a talk announced for a later meetup is not the last talk
    (it would read as "no recent talk", being after the meetup's "now")."""
    from explorer.insights.timeline import after, today

    held = themed_items[~after(themed_items, as_of or today())]
    t = held[(held["kind"] == "talk") & held["date"].notna()]
    return {k: str(v) for k, v in t.groupby("topic")["date"].max().items()}


def attach_field_evidence(gaps: list, radar: pd.DataFrame) -> list:
    """Set each gap's ``field_evidence`` to its theme's radar row (how the theme grows in
    the field); gaps whose theme the radar lacks keep None. Returns the same list."""
    by = {r["topic"]: r for r in radar.to_dict("records")} if len(radar) else {}
    for g in gaps:
        r = by.get(g.topic)
        if r is None or r["year"] is None or (isinstance(r["year"], float)
                                              and math.isnan(r["year"])):
            continue
        g.field_evidence = {k: _plain(r[k]) for k in ("year", "papers", "total", "share",
                                             "baseline_share", "baseline_years", "growth",
                                             "trend", "rising", "evidence")}
    return gaps


def _plain(v):
    """JSON-safe scalars (NaN/inf as None)."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) or math.isinf(v) else round(float(v), 6)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def rise_months(counts: pd.DataFrame, totals: pd.DataFrame, names: dict[str, str],
                ratio: float = RISING_RATIO, min_papers: int = MIN_PAPERS,
                window: int = RISE_WINDOW, baseline: int = RISE_BASELINE) -> pd.DataFrame:
    """The first month each theme rose in the field: the ``window`` months ending there hold
    at least ``ratio`` times the theme's share of the ``baseline`` months before (a full
    baseline needed) with at least ``min_papers`` papers.

    Returns:
        Columns ``topic, label, rise_month, papers, share, baseline_share``; themes that never
        rose are left out.
    """
    if totals.empty:
        return pd.DataFrame(columns=["topic", "label", "rise_month", "papers", "share",
                                     "baseline_share"])
    months = pd.period_range(totals["month"].min(), totals["month"].max(), freq="M")
    key = [str(m) for m in months]
    tot = totals.set_index("month")["papers"].reindex(key, fill_value=0).to_numpy(float)
    rows = []
    for tid, label in names.items():
        c = counts[counts["topic"] == tid].set_index("month")["papers"]
        c = c.reindex(key, fill_value=0).to_numpy(float)
        for i in range(window + baseline - 1, len(key)):
            w = slice(i - window + 1, i + 1)
            b = slice(i - window - baseline + 1, i - window + 1)
            n, nt, bn, bt = c[w].sum(), tot[w].sum(), c[b].sum(), tot[b].sum()
            if nt == 0 or bt == 0 or n < min_papers:
                continue
            share, base = n / nt, bn / bt
            if share >= ratio * base:
                rows.append((tid, label, key[i], int(n), share, base))
                break
    return pd.DataFrame(rows, columns=["topic", "label", "rise_month", "papers", "share",
                                       "baseline_share"])


def talk_lags(rises: pd.DataFrame, themed_items: pd.DataFrame) -> pd.DataFrame:
    """Months from each theme's rise in the field to the meetup's first talk on it after.

    Args:
        rises: ``rise_months`` output.
        themed_items: ``gaps.items_with_themes`` (talk rows are read).

    Returns:
        ``rises`` plus ``first_talk`` (date or None), ``first_talk_title``,
        ``months_after`` (None when no talk yet), ``talks_before`` (talks on the theme
        before the rise).
    """
    talks = themed_items[(themed_items["kind"] == "talk") & themed_items["date"].notna()]
    out = []
    for r in rises.to_dict("records"):
        start = f"{r['rise_month']}-01"
        t = talks[talks["topic"] == r["topic"]].sort_values("date")
        after = t[t["date"] >= start]
        first = after.iloc[0] if len(after) else None
        months = None
        if first is not None:
            d, s = pd.Timestamp(first["date"]), pd.Timestamp(start)
            months = (d.year - s.year) * 12 + d.month - s.month
        out.append({**r, "first_talk": None if first is None else first["date"],
                    "first_talk_title": None if first is None else first["title"],
                    "months_after": months, "talks_before": int((t["date"] < start).sum())})
    df = pd.DataFrame(out, columns=[*rises.columns, "first_talk", "first_talk_title",
                                    "months_after", "talks_before"])
    df["months_after"] = df["months_after"].astype("Int64")  # <NA>: no talk yet
    for col in ("first_talk", "first_talk_title"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def radar_figure(years: pd.DataFrame, topics: list[str], title: str = ""):
    """Small multiples, one row per theme: the field's share of papers per year (line, right
    axis, %) beside the meetup's talks per year (bars, left axis)."""
    from plotly.subplots import make_subplots

    topics = [t for t in topics if t in set(years["topic"])] or list(dict.fromkeys(
        years["topic"]))[:1]
    n = max(len(topics), 1)
    names = years.drop_duplicates("topic").set_index("topic")["label"].to_dict()
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[names.get(t, t) for t in topics],
                        specs=[[{"secondary_y": True}]] * n)
    for i, tid in enumerate(topics, start=1):
        m = years[years["topic"] == tid]
        fig.add_bar(x=m["year"], y=m["talks"], name="meetup talks", marker_color="#4c78a8",
                    showlegend=i == 1, legendgroup="talks", row=i, col=1,
                    hovertemplate="%{x}: %{y} talks<extra></extra>", secondary_y=False)
        fig.add_scatter(x=m["year"], y=m["field_share"] * 100, name="field share (%)",
                        mode="lines+markers", line_color="#e45756", showlegend=i == 1,
                        legendgroup="field", row=i, col=1, secondary_y=True,
                        customdata=np.stack([m["field_papers"], m["field_total"]], axis=-1),
                        hovertemplate="%{x}: %{y:.1f}% of the field "
                                      "(%{customdata[0]} of %{customdata[1]})<extra></extra>")
        fig.update_yaxes(title_text="talks", row=i, col=1, secondary_y=False, rangemode="tozero")
        fig.update_yaxes(title_text="% of papers", row=i, col=1, secondary_y=True,
                         rangemode="tozero")
    # One tick per year, turned when they would overlap (a phone is 390 px wide).
    fig.update_xaxes(dtick=1, tickangle=-45, automargin=True)
    fig.update_layout(height=max(260, 220 * n), title=title or None,
                      legend={"orientation": "h", "y": -0.08, "yanchor": "top"},
                      margin={"t": 60, "b": 40, "l": 10, "r": 10})
    return fig
