"""The Streamlit app: search, talk and paper pages, meetups, a map and the organizer's view.

Run with ``streamlit run app.py``; the data dir is ``$EXPLORER_DATA_DIR`` (else ``data/``).
Page state lives in the URL: ``?q=attention`` searches, ``?talk=ID``, ``?paper=ID``,
``?meetup=12`` and ``?speaker=NAME`` open an item, so every view can be bookmarked and shared.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit puts the script's folder on sys.path; AppTest and other runners may not.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st

from app_pages import common, item, subjects


def main() -> None:
    """Route the request to a page; shared set-up (config, data) happens once here."""
    st.set_page_config(page_title="VDLM Explorer", page_icon=":material/hub:", layout="wide")
    pages = {
        "search": st.Page("app_pages/search.py", title="Search", icon=":material/search:",
                          url_path="search", default=True),
        "meetups": st.Page("app_pages/meetups.py", title="Meetups", icon=":material/event:",
                           url_path="meetups"),
        "map": st.Page("app_pages/map_view.py", title="Map", icon=":material/scatter_plot:",
                       url_path="map"),
        "organizer": st.Page("app_pages/organizer.py", title="Organizer",
                             icon=":material/insights:", url_path="organizer"),
        # Hidden: /talk?talk=ID works as a URL, but the app links to /?talk=ID (the address
        # bar does not follow in-app navigation to hidden pages).
        "talk": st.Page("app_pages/talk.py", title="Talk", icon=":material/co_present:",
                        url_path="talk", visibility="hidden"),
        "paper": st.Page("app_pages/paper.py", title="Paper", icon=":material/description:",
                         url_path="paper", visibility="hidden"),
    }
    common.PAGES.clear()
    common.PAGES.update(pages)
    st.logo(str(Path(__file__).resolve().parent / "app_pages" / "logo.svg"), size="large")
    current = st.navigation(list(pages.values()), position="hidden")
    st.html(CSS)
    common.nav_bar(current.url_path)
    # A link to the page already shown (a result on the search page opens ?talk=ID there)
    # changes the query params the script sees but not the address bar: writing them back
    # makes the browser show, bookmark and go back to them. After a change of page the
    # browser updates the address itself; writing then would first push the old page's
    # path with the new params, and Back would land on /meetups?talk=… without its filters.
    if st.session_state.get("_last_page") == current.url_path:
        st.query_params.from_dict(st.query_params.to_dict())
    st.session_state["_last_page"] = current.url_path
    if current in (pages["meetups"], pages["map"]) and {"talk", "paper"} & set(st.query_params):
        # st.switch_page (the map's click) leaves /map?talk=ID in the history; Back to it
        # shows the page again with the parameters it last had, not an item id it ignores.
        st.query_params.from_dict(st.session_state.get("_nav_params", {}).get(
            current.url_path, {}))
    loaded = common.load()
    if loaded is None:
        return
    # Deep links to the root URL (?talk=ID, ?meetup=12, …) open the item pages in place.
    if current is pages["search"] and "q" not in st.query_params:
        for param, show in (("talk", item.talk_page), ("paper", item.paper_page),
                            ("speaker", subjects.speaker_page),
                            ("meetup", subjects.meetup_page)):
            if param in st.query_params:
                return show()
    common.set_title(current.title)  # pages with a subject set a better one
    current.run()
    if current is not pages["search"]:  # the search page remembers only real searches
        common.remember(current.url_path)  # the top bar's link restores the page's state


# Titles wrap instead of being cut to one line; the top bar's links stay compact.
CSS = """<style>
[data-testid="stPageLink-NavLink"] p, [data-testid="stPageLink-NavLink"] span {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
.st-key-nav_bar [data-testid="stPageLink-NavLink"] { padding: 0.1rem 0.5rem; }
</style>"""


main()
