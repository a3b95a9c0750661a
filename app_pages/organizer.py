"""The organizer's page: topics over time, gaps worth a talk, and a novelty check for ideas."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.views import escape_md


def page() -> None:
    """Render the organizer's view."""
    loaded = common.load()
    if loaded is None:
        return
    ex, lk = loaded
    from explorer.insights import gaps

    st.title("Organizer", anchor=False)
    st.caption("What the meetup has covered, what the community keeps citing but nobody gave "
               "a talk on, and whether a proposed talk is new.")
    try:
        model, items = common.topic_state(common.data_dir())
    except Exception as e:  # noqa: BLE001 - too few items to cluster, etc.
        st.info(f"Topics are not available for this archive: {escape_md(e)}",
                icon=":material/info:")
        model = None
    tab_time, tab_gaps, tab_table, tab_new = st.tabs(
        [":material/timeline: Topics over time", ":material/lightbulb: Gaps",
         ":material/table: Topics", ":material/new_releases: Is my talk new?"],
        key="tab", bind="query-params")  # the open tab lives in the URL (?tab=…)
    if model is not None:
        with tab_time:
            df = gaps.topics_over_time(model, items)
            st.plotly_chart(gaps.topics_over_time_figure(df), width="stretch")
        with tab_gaps:
            found = gaps.find_gaps(model, items)
            st.plotly_chart(gaps.gap_figure(found), width="stretch")
            for g in found:
                with st.container(border=True):
                    st.markdown(f"**{escape_md(g.label)}** · {g.kind}")
                    st.caption(escape_md(g.reason))
                    for p in g.papers_evidence[:3]:
                        common.item_link(p["id"], "paper", p["title"], bold=False)
        with tab_table:
            table = gaps.topic_table(model, items)
            st.dataframe(table.drop(columns=["representatives"]), hide_index=True,
                         width="stretch")
    with tab_new:
        _novelty(ex, lk)


def _novelty(ex, lk: common.Lookups) -> None:
    from explorer.insights.novelty import novelty_check

    with st.form("novelty"):
        text = st.text_area("Proposed title and abstract", max_chars=4000,
                            placeholder="Paste the title and abstract of a talk proposal…")
        submitted = st.form_submit_button("Check", icon=":material/search:")
    if not submitted or not text.strip():
        return
    try:
        result = novelty_check(ex, text)
    except ValueError as e:
        st.warning(escape_md(e))
        return
    st.markdown(f"**Verdict: {escape_md(result.verdict)}** (closest cosine "
                f"{result.score:.2f})")
    for h in result.closest:
        common.render_card(common.card_for(h.id, h.kind, lk, score=h.score, title=h.title),
                           show_score=True)


if __name__ == "__main__":  # run as a page by st.navigation
    page()
