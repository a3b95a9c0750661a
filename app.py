"""The Streamlit app: search, talk and paper pages, meetups, a map and the organizer's view.

Run with ``streamlit run app.py``; the data dir is ``$EXPLORER_DATA_DIR`` (else ``data/``).
Page state lives in the URL: ``?q=attention`` searches, ``?talk=ID`` and ``?paper=ID`` open
an item, so every view can be bookmarked and shared.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit puts the script's folder on sys.path; AppTest and other runners may not.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st

from app_pages import common, item


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
    current = st.navigation(list(pages.values()), position="top")
    # A page link's query params reach the script but not the address bar; writing them
    # back makes the browser show (and bookmark, and go back to) ?talk=ID and friends.
    st.query_params.from_dict(st.query_params.to_dict())
    loaded = common.load()
    if loaded is None:
        return
    # Deep links to the root URL (?talk=ID, ?paper=ID) open the item pages in place.
    if current is pages["search"] and "q" not in st.query_params:
        if "talk" in st.query_params:
            return item.talk_page()
        if "paper" in st.query_params:
            return item.paper_page()
    current.run()


main()
