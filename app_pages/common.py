"""What every page of the app shares: the cached explorer, look-up tables, cards and links."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from app_pages.text import highlight_md
from app_pages.views import (
    Card,
    Link,
    as_dict,
    escape_md,
    kind_label,
    meetup_label,
    paper_card,
    paper_item_id,
    project_2d,
    talk_card,
    when_label,
)
from explorer.store import StoreError, default_data_dir, generations

# The pages, registered by app.py on every run so that pages can link to each other.
PAGES: dict[str, object] = {}

SUGGESTED_QUERIES = ("transformers", "reinforcement learning", "graph neural networks",
                     "diffusion models", "explainability", "speech recognition")


def data_dir() -> str:
    """What the app serves, as the cache key of everything read from it: the current
    generation's directory ($EXPLORER_DATA_DIR, else data/, absolute, for a data dir without
    generations). Read on every rerun: after a build, the next rerun opens the new one."""
    root = default_data_dir().resolve()
    try:
        found = generations.resolve(root)
    except StoreError:
        return str(root)
    return str(found[1]) if found and found[2] else str(root)


@st.cache_resource(show_spinner="Loading the index and corpus…", max_entries=2)
def open_explorer(directory: str):
    """The explorer of a data dir, opened once per process and shared by all sessions.

    Opening reads the index and the cached vectors (no model, no torch); the model loads
    in a background thread started by `start_warm_up` once a page has been drawn, so a
    first visitor gets keyword results at once (`search_now`). Exceptions are not cached:
    after `explorer build` a reload works.
    """
    import explorer

    ex = explorer.open(data_dir=directory)
    ex._warm = threading.Event()  # set when the model has answered a first query
    return ex


_WARM_LOCK = threading.Lock()


def start_warm_up(ex) -> None:
    """Load the model in the background, once per explorer (call after drawing a page:
    importing torch competes for the CPU and would delay what the visitor sees first)."""
    with _WARM_LOCK:
        if getattr(ex, "_warm", None) is None or getattr(ex, "_warming", False):
            return
        ex._warming = True
    threading.Thread(target=warm_up, args=(ex,), name="explorer-warm-up", daemon=True).start()


def warm_up(ex) -> None:
    """Load the query model and run a first query (its lazy set-up), then mark it ready."""
    try:
        with contextlib.suppress(Exception):  # a failing warm-up must not hide the app
            ex.embed(["warm up"])
            torch = sys.modules.get("torch")  # absent with the hashing encoder
            if torch is not None:
                # One short query gains nothing from intra-op threads, and on a busy 2-core
                # machine two threads waiting on each other took 740 ms per query, 13 ms
                # with one.
                torch.set_num_threads(1)
            ex.search("warm up", k=1)
    finally:
        ex._warm.set()


def model_ready(ex, wait: float = 0.0) -> bool:
    """Whether dense and hybrid search answer without waiting for the model to load
    (waiting up to ``wait`` seconds for it)."""
    warm = getattr(ex, "_warm", None)
    if warm is None or warm.is_set():
        return True
    encoder = getattr(getattr(ex, "engine", None), "encoder", None)
    if getattr(encoder, "loaded", False):  # in memory already (or nothing to load)
        return True
    return warm.wait(wait) if wait else False


def search_now(ex, query: str, **kwargs):
    """(hits, provisional): the search asked for, or -- while the model still loads --
    BM25 at once (provisional=True), so a first visitor never waits for the model."""
    if kwargs.get("mode", "hybrid") != "bm25" and not model_ready(ex):
        return ex.search(query, **{**kwargs, "mode": "bm25"}), True
    return ex.search(query, **kwargs), False


@dataclass
class Lookups:
    """Rows by id, built once per data dir so cards need no per-search data frame scans."""

    talks: dict[str, dict]
    papers: dict[str, dict]
    meetups: list[dict]
    refs_by_paper: dict[str, list[dict]]
    refs_by_talk: dict[str, list[dict]]

    def meetup(self, label: object) -> dict | None:
        """The meetup row of a label as the URL or a talk row spells it (12, '12', 'AI')."""
        want = str(label).strip()
        want = want.removesuffix(".0")
        return next((m for m in self.meetups if want in (
            str(m.get("number")) if m.get("number") is not None else "", str(m.get("key")))),
            None)


@st.cache_resource(show_spinner=False, max_entries=2)
def lookups(directory: str) -> Lookups:
    """Talk, paper and meetup rows and the arXiv citations of a data dir."""
    ex = open_explorer(directory)
    talks = {r["id"]: r for r in ex.talks().to_dict("records")}
    papers = {}
    for r in ex.papers().to_dict("records"):
        r["id"] = paper_item_id(str(r["id"]))  # records may carry bare arXiv ids
        papers[r["id"]] = r
    meetups = [_clean(m) for m in ex.meetups().to_dict("records")]
    # A talk's date is its meetup's: it is a guess wherever the meetup's year was inferred.
    sources = {meetup_ref(m): m.get("date_source") for m in meetups}
    for t in talks.values():
        t["date_source"] = sources.get(meetup_ref(t.get("meetup")))
    labels = {str(m.get("key")): m.get("number") if m.get("number") is not None
              else m.get("key") for m in meetups}
    dates = {str(m.get("key")): m.get("date") for m in meetups}
    by_paper: dict[str, list[dict]] = {}
    by_talk: dict[str, list[dict]] = {}
    for r in ex.store.refs():
        d = as_dict(r)
        d["meetup"] = labels.get(r.meetup_key, r.meetup_key)
        d["date"] = dates.get(r.meetup_key)
        by_paper.setdefault(paper_item_id(r.arxiv_id), []).append(d)
        if r.talk_id:
            by_talk.setdefault(r.talk_id, []).append(d)
    return Lookups(talks, papers, meetups, by_paper, by_talk)


def _clean(m: dict) -> dict:
    """A meetup row with pandas' NaN turned to None and float numbers back to int."""
    out = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in m.items()}
    if isinstance(out.get("number"), float):
        out["number"] = int(out["number"])
    return out


def load() -> tuple[object, Lookups] | None:
    """The explorer and its look-ups, or None after showing how to build the missing index."""
    directory = data_dir()
    try:
        ex = open_explorer(directory)
        return ex, lookups(directory)
    except Exception as e:  # noqa: BLE001 - any failure to open becomes a message, not a trace
        missing = (not (Path(directory) / "explorer.sqlite").exists()
                   or type(e).__name__ == "IndexMissing")
        if missing:
            st.info(f"**No index yet** in `{directory}`.", icon=":material/database:")
        else:
            st.error(f"**The data in `{directory}` cannot be used.**",
                     icon=":material/error:")
        st.markdown("Build one from a local copy of the archive or from GitHub, then reload:")
        root = default_data_dir().resolve()
        st.code(f"explorer build --source DIR|github --data-dir {root}", language="bash")
        st.caption("The app reads its data dir from `EXPLORER_DATA_DIR` (default `data/`).")
        if not missing:
            with st.expander("Details"):
                st.text(f"{type(e).__name__}: {e}")
        return None


@st.cache_resource(show_spinner="Sorting talks into themes…", max_entries=2)
def theme_state(directory: str):
    """(theme assignment, items frame) of a data dir, computed once per process."""
    from explorer.insights.gaps import item_frame

    ex = open_explorer(directory)
    return ex.theme_assignment(), item_frame(ex)


def topic_labels(directory: str) -> dict[str, str]:
    """item id -> the name of its best theme, for the map ({} when themes are unavailable)."""
    try:
        themes, _ = theme_state(directory)
    except Exception:  # noqa: BLE001 - the map works without themes
        return {}
    return {item: themes.name(themes.themes_of(item)[0]) for item in themes.labels}


@st.cache_resource(show_spinner="Projecting the embeddings…", max_entries=2)
def projection(directory: str) -> tuple[list[str], list[str], np.ndarray]:
    """(item ids, kinds, 2-D coordinates) of every indexed item, computed once per data dir."""
    ex = open_explorer(directory)
    ids, kinds, vectors = ex.vectors()
    return [str(i) for i in ids], [str(k) for k in kinds], project_2d(np.asarray(vectors))


def timed(fn, *args, **kwargs):
    """(fn(*args, **kwargs), elapsed milliseconds)."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - t0) * 1000


def show_timing() -> bool:
    """Whether to print server-side timings (EXPLORER_APP_TIMING=1; the benchmark sets it)."""
    return os.environ.get("EXPLORER_APP_TIMING") == "1"


# -- links and cards ---------------------------------------------------------------------------
def md_link(link: Link) -> str:
    """A Markdown link to a URL that passed `safe_url`; brackets in it are percent-encoded."""
    url = link.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escape_md(link.label)}]({url})"


def item_link(item_id: str, kind: str, title: str, bold: bool = True,
              escaped: bool = False) -> None:
    """A link that opens the talk or paper page of an item (?talk=ID or ?paper=ID).

    Args:
        item_id, kind: the item.
        title: the link text; plain text unless ``escaped`` says it is already Markdown
            built with `escape_md`.
        bold: show it bold.
        escaped: see ``title``.
    """
    # Item links target the root page (/?talk=ID): app.py routes it. Links to the hidden
    # talk/paper pages render that page but leave the browser URL unchanged.
    page = PAGES["search"]
    label = title if escaped else escape_md(title)
    st.page_link(page, label=f"**{label}**" if bold else label,
                 icon=":material/co_present:" if kind == "talk" else ":material/description:",
                 query_params={"talk" if kind == "talk" else "paper": item_id})


def card_for(item_id: str, kind: str, lk: Lookups, query: str | None = None,
             score: float | None = None, title: str | None = None) -> Card:
    """The card of an item id from the look-ups (a bare card if the id is unknown)."""
    if kind == "talk":
        row = lk.talks.get(item_id) or {"id": item_id, "title": title or item_id}
        return talk_card(row, query, score)
    item_id = paper_item_id(item_id)
    row = lk.papers.get(item_id) or {"id": item_id, "title": title or ""}
    refs = lk.refs_by_paper.get(item_id, [])[:2]
    return paper_card(row, query, score, context=" … ".join(r["context"] for r in refs),
                      sources=[r.get("source_path") for r in refs])


def meetup_ref(m: object) -> str:
    """The URL value of a meetup: its number, else its key ('AI')."""
    if isinstance(m, dict):
        m = m.get("number") if m.get("number") is not None else m.get("key")
    if isinstance(m, float) and m.is_integer():
        m = int(m)
    return str(m)


def meetup_link(meetup: object, label: str | None = None, escaped: bool = False) -> None:
    """A link to the meetup page (/?meetup=N); ``label`` is plain text unless ``escaped``."""
    ref = meetup_ref(meetup)
    text = label or meetup_label(ref)
    st.page_link(PAGES["search"], label=text if escaped else escape_md(text),
                 icon=":material/event:", query_params={"meetup": ref})


def speaker_link(name: str) -> None:
    """A link to a speaker's page (/?speaker=NAME)."""
    st.page_link(PAGES["search"], label=escape_md(name), icon=":material/person:",
                 query_params={"speaker": name})


def people_row(meetup: object, speakers, note: str = "") -> None:
    """The meetup and speaker links of a card or talk, then a plain-text note (date,
    affiliations), in one row that wraps on a phone."""
    speakers = [s for s in (speakers or []) if s]
    if meetup in (None, "") and not speakers and not note:
        return
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        if meetup not in (None, ""):
            meetup_link(meetup)
        for s in speakers[:6]:
            speaker_link(s)
        if note:
            st.caption(escape_md(note), width="content")


def render_card(card: Card, extra: str | None = None, show_score: bool = False,
                query: str | None = None, row: dict | None = None) -> None:
    """A compact bordered card: linked title, meta line, meetup and speaker links, snippet
    (query words in bold, everything else escaped), external links.

    Scores are not shown (``show_score`` is kept for callers): hybrid and keyword scores are
    on different scales and mean nothing to a reader; the order says it.
    """
    with st.container(border=True):
        item_link(card.id, card.kind, card.title)
        if row is not None and card.kind == "talk":
            kind = str(row.get("kind") or "")
            people_row(row.get("meetup"), row.get("speakers"), " · ".join(x for x in (
                when_label(row.get("date"), source=row.get("date_source")), kind_label(kind),
                ", ".join(row.get("affiliations") or [])) if x))
        elif card.status:  # a paper arXiv has not described says so first
            st.caption(f":material/hourglass_empty: **{escape_md(card.status)}** · "
                       + escape_md(card.meta))
        elif card.meta:
            st.caption(escape_md(card.meta))
        if card.snippet:
            label = f"*{escape_md(card.snippet_label)}:* " if card.snippet_label else ""
            st.markdown(label + highlight_md(card.snippet, query))
        if extra:
            st.caption(escape_md(extra))
        if card.links:
            st.markdown(" · ".join(md_link(x) for x in card.links))


def set_title(subject: str) -> None:
    """The browser tab's title: the page's subject first, then the app's name."""
    subject = " ".join(str(subject).split())[:70]
    st.set_page_config(page_title=f"{subject} · VDLM Explorer" if subject else "VDLM Explorer")


def remember(page: str, params: dict | None = None) -> None:
    """Remember a page's URL parameters, so the top bar's link to it restores them."""
    st.session_state.setdefault("_nav_params", {})[page] = dict(
        st.query_params.to_dict() if params is None else params)


def nav_bar(current: str) -> None:
    """The top bar: Search (back to the last search), Meetups, Map, Organizer.

    Streamlit's own top navigation cannot leave a talk page that is shown by the search
    page (its "Search" entry is the current page, so a click does nothing); these links
    carry each page's last parameters instead.
    """
    remembered = st.session_state.get("_nav_params", {})
    with st.container(horizontal=True, gap="small", key="nav_bar"):
        for key, page in PAGES.items():
            if getattr(page, "visibility", "visible") == "hidden" or key in ("talk", "paper"):
                continue
            st.page_link(page, label=page.title, icon=page.icon,
                         query_params=remembered.get(key, {}))


def not_found(what: str, value: str) -> None:
    """A friendly message for an unknown or malformed id in the URL."""
    st.warning(f"No {what} with id “{escape_md(value[:120])}” in this archive.",
               icon=":material/search_off:")
    st.page_link(PAGES["search"], label="Search talks and papers instead",
                 icon=":material/search:")
