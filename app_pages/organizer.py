"""The organizer's page: themes over time, gaps with their evidence, and "is my talk new?"."""

from __future__ import annotations

import streamlit as st

from app_pages import common, radar_section
from app_pages.views import escape_md, when_label
from explorer.insights.timeline import upcoming


def page() -> None:
    """Render the organizer's view."""
    loaded = common.load()
    if loaded is None:
        return
    ex, lk = loaded
    st.title("Organizer", anchor=False)
    st.caption("Which themes the meetup covered and when, which ones it has not heard about "
               "for a while (with the talks that say so), and whether a proposed talk is new.")
    try:
        themes, items = common.theme_state(common.data_dir())
    except Exception as e:  # noqa: BLE001 - e.g. an index without items
        st.info(f"Themes are not available for this archive: {escape_md(e)}",
                icon=":material/info:")
        themes = None
    _tab_from_url()
    tab_time, tab_gaps, tab_table, tab_new = st.tabs(list(TABS.values()), key=_TAB_KEY,
                                                     on_change="rerun")
    _tab_to_url()
    if themes is not None:
        from explorer.insights import gaps

        with tab_time:
            _over_time(themes, items, lk)
        with tab_gaps:
            as_of = ex.last_meetup_date()  # the last meetup held: announced ones are not
            _as_of_note(ex, lk, as_of)
            if not (items["kind"] == "paper").any():  # then "uncovered" cannot be decided
                st.caption("No cited arXiv paper in this build: whether a theme is read about "
                           "more than talked about cannot be checked, only whether it went "
                           "stale.")
            _gaps(radar_section.with_field(  # each gap's growth in the field, if imported
                ex, gaps.find_gaps(themes, items, as_of=as_of)), lk,
                  papers=(items["kind"] == "paper").any())
            radar_section.render(ex)  # themes rising in the field with no recent talk
        with tab_table:
            st.caption(f"Taxonomy {themes.version}: each talk and paper belongs to the themes "
                       "its meaning and title words are closest to (several at most, or none).")
            table = gaps.topic_table(themes, items)  # talks given by today; announced apart
            cols = ["label", "talks", "papers", "first_date", "last_talk_date",
                    *(["upcoming", "next_talk_date"] if table["upcoming"].any() else []),
                    "description", "id"]
            st.dataframe(table[cols], hide_index=True, width="stretch",
                         column_config={"talks": "talks given", "upcoming": "talks announced",
                                        "next_talk_date": "next talk (announced)"})
    with tab_new:
        _novelty(ex, lk)


# The open tab lives in the URL as a short value (?tab=gaps), not as the tab's label with its
# icon (what bind="query-params" would write): slug -> label.
TABS = {"time": ":material/grid_on: Themes over time", "gaps": ":material/lightbulb: Gaps",
        "themes": ":material/table: Themes", "new": ":material/new_releases: Is my talk new?"}
_TAB_KEY, _TAB_SYNCED = "organizer_tab", "_organizer_tab_in_url"


def _tab_from_url() -> None:
    """Open the tab the URL names when the URL changed under us (a deep link, Back/Forward);
    otherwise the tab widget's own state (the user's last click) stands."""
    raw = st.query_params.get("tab", "time")
    # Old links carry the full label (bind="query-params" wrote it); unknown values: first tab.
    slug = {v: k for k, v in TABS.items()}.get(raw) or raw.strip().lower()
    if slug not in TABS:
        slug = "time"
    # Streamlit drops a widget's state on pages that do not draw it: back from a talk page
    # the widget starts afresh and the URL (the top bar's remembered ?tab=) decides.
    if slug != st.session_state.get(_TAB_SYNCED, "time") or _TAB_KEY not in st.session_state:
        st.session_state[_TAB_KEY] = TABS[slug]
        st.session_state[_TAB_SYNCED] = slug


def _tab_to_url() -> None:
    """Write the open tab's short value into the URL (a new history entry, so Back returns)."""
    label = st.session_state.get(_TAB_KEY, TABS["time"])
    slug = next((k for k, v in TABS.items() if v == label), "time")
    st.session_state[_TAB_SYNCED] = slug
    if st.query_params.get("tab", "time") != slug:  # the first tab needs no parameter
        st.query_params["tab"] = slug


def _when(lk: common.Lookups, date, meetup) -> str:
    """A talk's date as the organizer's lists show it: upcoming, or a guessed year, said so."""
    return when_label(date, source=(lk.meetup(meetup) or {}).get("date_source")
                      if meetup not in (None, "") else None)


def _over_time(themes, items, lk: common.Lookups) -> None:
    from explorer.insights.figures import theme_heatmap
    from explorer.insights.gaps import talks_in, topics_over_time

    counts = topics_over_time(themes, items)
    event = st.plotly_chart(theme_heatmap(counts), width="stretch", on_select="rerun",
                            selection_mode="points", key="theme_heatmap")
    st.caption("Click a cell, or pick a theme and a year below, to list its talks."
               + (" The buttons above the chart switch between talks and cited papers."
                  if (counts["kind"] == "paper").any() else ""))
    talks = counts[counts["kind"] == "talk"]
    totals = talks.groupby("topic", sort=False)["count"].sum()
    options = [t for t in totals.index if totals[t] > 0]
    if not options:
        return
    clicked = _clicked_cell(event)
    names = {f"{themes.name(t)} ({totals[t]} talks)": t for t in options}  # label -> id
    left, right = st.columns(2)
    pick = [n for n, t in names.items() if clicked and t == clicked[0]]
    label = left.selectbox("Talks of the theme", list(names),
                           index=list(names).index(pick[0]) if pick else 0)
    theme = names[label]
    years = sorted({int(y) for y in talks[(talks["topic"] == theme) & (talks["count"] > 0)]
                    ["year"]}, reverse=True)
    labels = ["All years", *map(str, years)]
    year = right.selectbox("Year", labels, index=labels.index(str(clicked[1])) if clicked and
                           clicked[0] == theme and str(clicked[1]) in labels else 0)
    chosen = None if year == labels[0] else int(year)
    for row in talks_in(themes, items, theme, chosen).itertuples():
        common.item_link(row.id, "talk", f"{_when(lk, row.date, row.meetup)} · "
                                         f"meetup {row.meetup} · {row.title}", bold=False)


def _clicked_cell(event) -> tuple[str, int] | None:
    """(theme id, year) of a clicked heatmap cell, when the browser reported one."""
    try:
        point = event.selection.points[0]
        theme, year = point["customdata"][:2]
        return str(theme), int(year)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


def _as_of_note(ex, lk: common.Lookups, as_of: str | None) -> None:
    """Say what "now" is for the verdicts below, and which announced meetups wait."""
    dates = ex.meetups()["date"].dropna().astype(str)
    later = sorted(d for d in dates if d and (as_of is None or d[:10] > as_of))
    ahead = (f" {len(later)} meetup{'s' * (len(later) > 1)} announced after it "
             f"({', '.join(later[:3])}{', …' if len(later) > 3 else ''}) "
             f"{'are' if len(later) > 1 else 'is'} not counted: "
             f"{'their' if len(later) > 1 else 'its'} talks have not happened yet."
             if later else "")
    held = next((m for m in lk.meetups if str(m.get("date") or "")[:10] == as_of), {})
    when = when_label(as_of, source=held.get("date_source")) if as_of else ""
    st.caption(escape_md(f"As of {when}, the last meetup held: a theme is stale without a "
                         f"talk in the two years before it.{ahead}" if as_of else
                         "No meetup has been held yet: nothing to measure gaps from."))


def _gaps(found: list, lk: common.Lookups, papers: bool = True) -> None:
    from explorer.insights.figures import gap_figure

    if not found:
        st.info("No gaps: every theme with talks had one within the last two years"
                + (", and no theme is cited far more than it is talked about." if papers
                   else "."), icon=":material/check:")
        return  # an empty chart under it would only repeat it
    st.plotly_chart(gap_figure(found), width="stretch")
    for g in found:
        with st.container(border=True):
            what = ("no talk for a while" if g.kind == "stale"
                    else "read about more than talked about")
            st.markdown(f"**{escape_md(g.label)}** · {what}")
            st.caption(escape_md(g.reason))
            radar_section.gap_note(g)
            for talks, heading in ((g.talks_evidence, "Last talks on this theme:"), (
                    g.scheduled, "Announced talks on this theme (not given yet, not counted):")):
                if talks:
                    st.markdown(heading)
                for t in talks:
                    common.item_link(t["id"], "talk", f"{_when(lk, t['date'], t['meetup'])} · "
                                                      f"meetup {t['meetup'] or '?'} · "
                                                      f"{t['title']}", bold=False)
            if g.near_misses:
                st.markdown("Talks in that time that came close to this theme without "
                            "being assigned to it (check them before taking the verdict):")
                for t in g.near_misses:
                    filed = ", ".join(t.get("themes") or []) or "no theme"
                    score = ("" if t.get("score") is None
                             else f" (theme score {t['score']:.2f}; filed under {filed})")
                    common.item_link(t["id"], "talk", f"{_when(lk, t['date'], t['meetup'])} · "
                                                      f"meetup {t['meetup'] or '?'} · "
                                                      f"{t['title']}{score}", bold=False)
            if g.papers_evidence:
                st.markdown("Papers cited on this theme:")
                for p in g.papers_evidence[:3]:
                    common.item_link(p["id"], "paper", f"{p['date'] or '?'} · {p['title']}",
                                     bold=False)


def _novelty(ex, lk: common.Lookups) -> None:
    with st.form("novelty"):
        text = st.text_area("Proposed title and abstract", max_chars=4000,
                            placeholder="Paste the title and abstract of a talk proposal…")
        submitted = st.form_submit_button("Check", icon=":material/search:")
    if not submitted or not text.strip():
        return
    try:
        result = ex.novelty(text)
    except ValueError as e:
        st.warning(escape_md(e))
        return
    st.markdown(f"**{escape_md(result.headline)}**")
    near = ", ".join(f"{t['name']}" for t in result.themes[:3])
    soon = [upcoming(h.date) for h in result.closest]  # talks of announced meetups
    whose = "an announced talk" if soon and soon[0] else "a past talk"
    basis = {"title": f"{whose} has this title; closest in meaning at cosine",
             "in title": f"{whose} has this main title; closest in meaning at cosine"
             }.get(result.named, "closest talk at cosine")
    # "covered" by a talk not given yet would contradict the gaps, which do not count it.
    verdict = (f"{result.verdict} by an announced talk" if soon and soon[0]
               and result.verdict != "new" else result.verdict)
    st.caption(escape_md(f"Verdict {verdict} ({basis} {result.score:.2f}); "
                         f"nearest themes: {near}"))
    st.markdown("Closest talks (past and announced):" if any(soon) else "Closest past talks:")
    for h in result.closest:
        common.render_card(common.card_for(h.id, h.kind, lk, score=h.score, title=h.title),
                           show_score=True)


if __name__ == "__main__":  # run as a page by st.navigation
    page()
