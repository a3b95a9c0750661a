"""The meetups page: every meetup with its talks, newest first, filtered by year."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.views import (
    escape_md,
    kind_label,
    meetup_label,
    meetup_timeline,
    safe_url,
    when_label,
    year_of,
)

HIDDEN_KINDS = ("cancelled",)


def page() -> None:
    """Render the meetup timeline; ?year=YYYY preselects a year."""
    loaded = common.load()
    if loaded is None:
        return
    _, lk = loaded
    common.set_title("Meetups")
    st.title("Meetups", anchor=False)
    years = sorted({y for m in lk.meetups if (y := year_of(m.get("date")))}, reverse=True)
    raw = st.query_params.get("year", "all")
    options = ["all"] + [str(y) for y in years]
    if st.session_state.get("_url_year") != raw or "year_input" not in st.session_state:
        st.session_state["year_input"] = raw if raw in options else "all"
        st.session_state["_url_year"] = raw
        if raw not in options:
            st.caption(f":material/info: Ignored year={escape_md(raw[:20])} in the link.")
    choice = st.segmented_control("Year", options, key="year_input",
                                  format_func=lambda y: "All" if y == "all" else y) or "all"
    if choice == "all":
        st.query_params.pop("year", None)
    else:
        st.query_params["year"] = choice
    st.session_state["_url_year"] = st.query_params.get("year", "all")
    common.remember("meetups")

    timeline = meetup_timeline(lk.meetups, lk.talks.values(),
                               year=None if choice == "all" else int(choice))
    n_talks = sum(len([t for t in ts if t.get("kind") in ("talk", "short talk")])
                  for _, ts in timeline)
    st.caption(f"{len(timeline)} meetups · {n_talks} talks")
    for m, talks in timeline:
        with st.container(border=True):
            head, link = st.columns([0.8, 0.2], vertical_alignment="center")
            label = meetup_label(m.get("number") if m.get("number") is not None else m.get("key"))
            title = str(m.get("title") or "")
            # Most meetups are titled just "Meetup #57": say it once.
            title = "" if title.replace(" ", "") in (label.replace(" ", ""), "") else title
            with head:
                common.meetup_link(m, f"**{escape_md(label)}** · "
                                   f"{escape_md(when_label(m.get('date'), source=m.get('date_source')))}"
                                   + (f" — {escape_md(title)}" if title else ""), escaped=True)
            url = safe_url(m.get("url") or m.get("meetup_url"))
            if url:
                link.link_button("Meetup page", url, icon=":material/open_in_new:")
            if m.get("venue"):
                st.caption(":material/location_on: " + escape_md(m["venue"]))
            shown = [t for t in talks if t.get("kind") not in HIDDEN_KINDS]
            if not shown:
                st.caption("No talks recorded.")
            for t in shown:
                # One element per talk keeps a 70-meetup page quick to render.
                who = ", ".join(t.get("speakers") or [])
                kind = kind_label(t.get("kind"))  # 'intro and hot topics', not the raw slug
                if kind:
                    who = f"{who} ({kind})" if who else kind
                label = escape_md(t["title"]) + (f" · *{escape_md(who)}*" if who else "")
                common.item_link(t["id"], "talk", label, bold=False, escaped=True)
            hidden = len(talks) - len(shown)
            if hidden:  # left out of the list, not out of sight: the meetup page has them
                st.caption(f"{hidden} cancelled talk{'s' * (hidden > 1)} (on the meetup page)")


if __name__ == "__main__":  # run as a page by st.navigation
    page()
