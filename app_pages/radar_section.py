"""The Organizer's "Field radar": themes rising in arXiv's field beside the meetup's talks."""

from __future__ import annotations

import math

import streamlit as st

from app_pages.views import escape_md

HOW_TO = ("No field imported yet. To compare the meetup with arXiv's papers, run "
          "`explorer field import arxiv-metadata-oai-snapshot.json` (the snapshot is Kaggle's "
          "\"arxiv\" dataset), then `explorer field build`.")


def _radar(ex, years: bool = False):
    """(frame, None) or (None, why not)."""
    try:
        return ex.field_radar(years=years), None
    except Exception as e:  # noqa: BLE001 - the page works without the radar
        return None, f"The field radar is not available: {e}"


def with_field(ex, gaps: list) -> list:
    """The gaps with how each theme grows in the field (unchanged without a field)."""
    from explorer.field.themes import with_field_evidence

    try:
        return with_field_evidence(ex, gaps)
    except Exception:  # noqa: BLE001 - gaps stand on their own
        return gaps


def gap_note(gap) -> None:
    """One line under a gap: its theme in the field, when known."""
    if gap.field_evidence:
        st.caption(escape_md(gap.field_evidence["evidence"]))


def render(ex) -> None:
    """The section: flagged themes with their numbers, a table, share vs talks per year."""
    from explorer.insights.radar import (
        BASELINE_YEARS,
        MIN_BASELINE_VOLUME,
        MIN_PAPERS,
        RISING_RATIO,
        WINDOW_YEARS,
        radar_figure,
    )

    st.subheader("Field radar", divider="gray")
    radar, why = _radar(ex)
    if radar is None or radar.empty:
        note = "" if radar is None else radar.attrs.get("note", "")  # e.g. not embedded yet
        st.info(why or note or HOW_TO, icon=":material/radar:")
        return
    st.caption(escape_md(
        f"A theme is rising in the field when its share of the field's papers in the last "
        f"full year is at least {RISING_RATIO:g}x its mean share of the {BASELINE_YEARS} "
        f"years before (those with at least {MIN_BASELINE_VOLUME:.0%} of its field papers), "
        f"with at least {MIN_PAPERS} papers; flagged when the meetup had no "
        f"talk on it within {WINDOW_YEARS:g} years of the last meetup. Papers are sorted "
        f"into the same themes as the talks. {radar.attrs.get('note', '')}."))
    flagged = radar[radar["flagged"].astype(bool)]
    if flagged.empty:
        st.success("Every theme rising in the field had a recent talk.",
                   icon=":material/check:")
    for r in flagged.itertuples():
        with st.container(border=True):
            when = f"last talk {r.last_talk}" if r.last_talk else "never a talk"
            st.markdown(f"**{escape_md(r.label)}** · rising in the field, {when}")
            st.caption(escape_md(r.evidence))
    rising = radar[radar["rising"].astype(bool)]
    table = rising if len(rising) else radar.head(5)
    shown = table.assign(
        share=(table["share"] * 100).round(2),
        before=(table["baseline_share"] * 100).round(2),
        growth=[None if math.isnan(g) or math.isinf(g) else round(g, 2)
                for g in table["growth"]])
    st.dataframe(shown[["label", "year", "papers", "share", "before", "baseline_years",
                        "growth", "last_talk", "flagged"]],
                 hide_index=True, width="stretch",
                 column_config={"share": "% of papers", "before": "% before",
                                "baseline_years": "before = mean of"})
    years, why = _radar(ex, years=True)
    if years is None or years.empty:
        return
    labels = dict(zip(radar["label"], radar["topic"]))
    default = list(flagged["label"]) or list(rising["label"][:3]) or list(radar["label"][:1])
    picked = st.multiselect("Themes to plot", list(labels), default=default[:4],
                            key="radar_themes")
    if picked:
        st.plotly_chart(radar_figure(years, [labels[p] for p in picked]), width="stretch")
