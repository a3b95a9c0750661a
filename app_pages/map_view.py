"""The map page: all talks and papers in 2-D, coloured by year or topic; a click opens one."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.views import map_figure, meetup_label, paper_card, year_of

COLOR_BY = {"year": "Year", "kind": "Talk or paper", "topic": "Topic"}


def _year(item_id: str, kind: str, lk: common.Lookups) -> int | None:
    if kind == "talk":
        return year_of(lk.talks.get(item_id, {}).get("date"))
    dates = [r.get("date") for r in lk.refs_by_paper.get(item_id, []) if r.get("date")]
    return year_of(min(dates)) if dates else year_of(lk.papers.get(item_id, {}).get("published"))


def _title(item_id: str, kind: str, lk: common.Lookups) -> str:
    if kind == "talk":
        return str(lk.talks.get(item_id, {}).get("title") or item_id)
    return paper_card(lk.papers.get(item_id) or {"id": item_id}).title


def _hover(item_id: str, kind: str, lk: common.Lookups) -> list[str]:
    """Lines under a point's title: speakers (or authors), meetup and date."""
    if kind == "talk":
        t = lk.talks.get(item_id, {})
        return [", ".join(t.get("speakers") or []),
                " · ".join(x for x in (meetup_label(t.get("meetup")), str(t.get("date") or ""))
                           if x)]
    card = paper_card(lk.papers.get(item_id) or {"id": item_id})
    refs = lk.refs_by_paper.get(item_id, [])
    cited = sorted({meetup_label(r.get("meetup")) for r in refs if r.get("meetup") is not None})
    return [card.status or card.meta.removeprefix("arXiv paper · "),
            ("cited at " + ", ".join(cited[:3])) if cited else ""]


@st.cache_resource(show_spinner=False, max_entries=12)
def _figure(directory: str, color_by: str):
    """(figure, titles) of the map of a data dir in one colouring, built once per process:
    building and validating a 140-point, 20-trace figure costs ~150 ms a rerun."""
    lk = common.lookups(directory)
    ids, kinds, xy = common.projection(directory)
    titles = [_title(i, k, lk) for i, k in zip(ids, kinds)]
    hover = [_hover(i, k, lk) for i, k in zip(ids, kinds)]
    if color_by == "year":
        years = [_year(i, k, lk) for i, k in zip(ids, kinds)]
        fallback = min((y for y in years if y), default=0)
        colors: list = [y or fallback for y in years]
    elif color_by == "topic":
        labels = common.topic_labels(directory)
        colors = [labels.get(i, "Unassigned") for i in ids]
    else:
        colors = ["talk" if k == "talk" else "paper" for k in kinds]
    return map_figure(ids, kinds, titles, xy, colors, color_title=COLOR_BY[color_by],
                      hover=hover), titles


def page() -> None:
    """Render the map."""
    loaded = common.load()
    if loaded is None:
        return
    _, lk = loaded
    directory = common.data_dir()
    common.set_title("Map")
    st.title("Map of talks and papers", anchor=False)
    st.caption("Each point is a talk (circle) or a cited paper (diamond); nearby points are "
               "about similar things. Hover for titles, click a point to open it.")
    try:
        ids, kinds, _ = common.projection(directory)
    except Exception as e:  # noqa: BLE001 - a map that cannot be drawn is a message
        st.warning(f"The map needs the index's vectors: {type(e).__name__}: {e}")
        return
    if len(ids) < 2:
        st.info("The map needs at least two indexed items.")
        return
    labels = common.topic_labels(directory)
    options = [k for k in COLOR_BY if k != "topic" or labels]
    # The colour choice lives in the URL (?color=topic), so Back from an item restores it.
    raw = st.query_params.get("color", "year")
    if st.session_state.get("_url_color") != raw or "map_color" not in st.session_state:
        st.session_state["map_color"] = raw if raw in options else "year"
        st.session_state["_url_color"] = raw
    color_by = st.segmented_control("Colour by", options, format_func=COLOR_BY.get,
                                    key="map_color") or "year"
    if color_by == "year":
        st.query_params.pop("color", None)
    else:
        st.query_params["color"] = color_by
    st.session_state["_url_color"] = st.query_params.get("color", "year")
    common.remember("map")
    fig, titles = _figure(directory, color_by)
    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="map_chart",
                            width="stretch")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    picked = next((p.get("customdata") for p in points if p.get("customdata")), None)
    if isinstance(picked, list):
        picked = picked[0] if picked else None

    by_title = sorted(range(len(ids)), key=lambda i: titles[i].lower())
    choice = st.selectbox("Or open an item by title", by_title, index=None,
                          format_func=lambda i: f"{titles[i]} ({kinds[i]})",
                          placeholder="Type to find a talk or paper…", key="map_pick")
    if choice is not None:
        picked = ids[choice]
    if picked:
        kind = "talk" if picked in lk.talks else "paper"
        # The root page routes ?talk= / ?paper= (see app.py) and keeps the URL shareable.
        st.switch_page(common.PAGES["search"], query_params={kind: picked})


if __name__ == "__main__":  # run as a page by st.navigation
    page()
