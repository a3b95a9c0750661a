"""The search page: a query box first, filters under it, results as cards; state in the URL."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.views import (
    escape_md,
    meetup_label,
    meetup_timeline,
    theme_line,
    when_label,
    year_of,
)
from explorer.insights.timeline import upcoming
from explorer.search import parse_years

MODES = {"hybrid": "Hybrid", "dense": "Semantic", "bm25": "Keyword"}
MODE_HELP = ("Hybrid blends meaning and keywords; Semantic matches meaning (embeddings); "
             "Keyword matches words (BM25).")
KINDS = {"all": "All", "talk": "Talks", "paper": "Papers"}
PAGE_SIZE = 10
MAX_K = 200


def _from_url(key: str, url_key: str, default: str, valid) -> None:
    """Copy a URL parameter into a widget's state when the URL changed from outside
    (deep link, reload, back button); invalid values fall back to the default with a note."""
    raw = st.query_params.get(url_key, default)
    value = raw if valid(raw) else default
    if raw != value:
        st.session_state.setdefault("_url_notes", []).append(
            f"Ignored {url_key}={escape_md(raw[:40])} in the link (not a valid value).")
    marker = f"_url_{key}"
    # The widget's state is dropped while another page shows; then the URL is the truth.
    if st.session_state.get(marker) != raw or key not in st.session_state:
        st.session_state[key] = value
        st.session_state[marker] = raw


def _to_url(key: str, url_key: str, value: str, default: str) -> None:
    if value == default or value == "":
        st.query_params.pop(url_key, None)
    else:
        st.query_params[url_key] = value
    st.session_state[f"_url_{key}"] = st.query_params.get(url_key, default)


def _parse_years(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The URL's year range (`explorer.search.parse_years`) if it lies within lo..hi."""
    try:
        a, b = parse_years(text) or (lo, hi)
    except ValueError:
        return None
    return (a, b) if lo <= a <= b <= hi else None


def _suggest(query: str) -> None:
    st.session_state["q_input"] = query


def page() -> None:
    """Render the search page."""
    loaded = common.load()
    if loaded is None:
        return
    ex, lk = loaded
    years_all = sorted({y for t in lk.talks.values() if (y := year_of(t.get("date")))})
    lo, hi = (years_all[0], years_all[-1]) if years_all else (2016, 2016)
    meetup_opts = ["any"] + [str(m.get("number") if m.get("number") is not None else m["key"])
                             for m in sorted(lk.meetups, key=lambda m: m.get("date") or "",
                                             reverse=True)]
    meetup_names = {str(m.get("number") if m.get("number") is not None else m["key"]): m
                    for m in lk.meetups}

    st.session_state["_url_notes"] = []
    _from_url("q_input", "q", "", lambda v: len(v) <= 500)
    _from_url("kind_input", "kind", "all", lambda v: v in KINDS)
    _from_url("mode_input", "mode", "hybrid", lambda v: v in MODES)
    _from_url("meetup_input", "meetup", "any", lambda v: v in meetup_opts)
    full = f"{lo}-{hi}"
    raw_years = st.query_params.get("years", full)
    if st.session_state.get("_url_years") != raw_years or "years_input" not in st.session_state:
        parsed = _parse_years(raw_years, lo, hi)
        if parsed is None:
            st.session_state["_url_notes"].append(
                f"Ignored years={escape_md(raw_years[:40])} in the link (use e.g. {lo}-{hi}).")
        st.session_state["years_input"] = parsed or (lo, hi)
        st.session_state["_url_years"] = raw_years

    query = st.text_input(
        "Search talks and papers", key="q_input",
        placeholder="e.g. attention in vision models, protein folding, LLM agents…",
        help="Searches titles, abstracts, speakers and the arXiv papers the talks cite.")
    filtered = (st.session_state["kind_input"], st.session_state["mode_input"],
                st.session_state["meetup_input"], tuple(st.session_state["years_input"])) != (
                    "all", "hybrid", "any", (lo, hi))
    # Filters fold away (one line on a phone) and open by themselves when one is set.
    box = st.expander("Filters" + (" (set)" if filtered else ""), expanded=filtered,
                      icon=":material/tune:")
    c1, c2, c3, c4 = box.columns([1.1, 1.3, 1.6, 1.4], gap="medium")
    with c1:
        kind = st.segmented_control("Show", list(KINDS), key="kind_input",
                                    format_func=KINDS.get, selection_mode="single") or "all"
    with c2:
        mode = st.segmented_control("Match", list(MODES), key="mode_input", help=MODE_HELP,
                                    format_func=MODES.get, selection_mode="single") or "hybrid"
    with c3:
        years = st.slider("Years", lo, max(hi, lo + 1) if lo == hi else hi, key="years_input",
                          disabled=lo == hi)
    with c4:
        meetup = st.selectbox(
            "Meetup", meetup_opts, key="meetup_input",
            format_func=lambda k: "Any meetup" if k == "any" else _meetup_option(
                meetup_names.get(k, {"key": k})))
    for note in st.session_state["_url_notes"]:
        st.caption(f":material/info: {note}")

    query = query.strip()[:500]
    # How many results show lives in the URL (?n=20), so Back from an item shows as many;
    # a newly typed query starts again at one page.
    raw_n = st.query_params.get("n", "")
    typed = query != st.query_params.get("q", "")
    k = int(raw_n) if raw_n.isdigit() and PAGE_SIZE <= int(raw_n) <= MAX_K else PAGE_SIZE
    if typed or not query or k == PAGE_SIZE:
        k = PAGE_SIZE
        st.query_params.pop("n", None)
    _to_url("q_input", "q", query, "")
    _to_url("kind_input", "kind", kind, "all")
    _to_url("mode_input", "mode", mode, "hybrid")
    # Without a query, /?meetup=12 is the meetup's page: the filter waits for a query.
    _to_url("meetup_input", "meetup", meetup if query else "any", "any")
    years_text = f"{years[0]}-{years[1]}"
    _to_url("years", "years", years_text, full)
    common.remember("search", st.query_params.to_dict() if query else {})
    common.set_title(f"{query[:60]} – search" if query else "Search")

    if not query:
        _empty_state(ex, lk)
        common.start_warm_up(ex)  # the page is drawn: now the model may load
        return
    meetup_arg = (int(meetup) if meetup.isdigit() else meetup) if meetup != "any" else None
    args = {"kind": None if kind == "all" else kind, "mode": mode,
            "years": None if years_text == full else tuple(years), "meetup": meetup_arg}
    try:
        (hits, provisional), ms = common.timed(common.search_now, ex, query, k=k + 1, **args)
        more, hits = len(hits) > k, hits[:k]  # one extra hit says whether more exist
    except ValueError as e:
        st.warning(f"That search could not run: {escape_md(e)}", icon=":material/warning:")
        return
    if provisional:
        st.caption(":material/hourglass_top: Keyword matches for now: the language model is "
                   "still loading, and the full ranking replaces this list when it is ready.")
    if not hits and not provisional:
        _no_results(query, filtered=(kind, mode, years_text, meetup) != ("all", "hybrid", full,
                                                                        "any"))
        _nearest_anyway(ex, lk, query, args)
        common.start_warm_up(ex)
        return
    summary = f"{len(hits)} result{'s' if len(hits) != 1 else ''}"
    st.caption(f"{summary} · {ms:.0f} ms" if common.show_timing() else summary)
    for h in hits:
        common.render_card(common.card_for(h.id, h.kind, lk, query, h.score, h.title),
                           extra=theme_line(getattr(h, "theme", None)), query=query,
                           row=lk.talks.get(h.id) if h.kind == "talk" else None)
    if more and not provisional and k < MAX_K and st.button("More results",
                                                            icon=":material/expand_more:"):
        st.query_params["n"] = str(k + PAGE_SIZE)
        st.rerun()
    common.start_warm_up(ex)  # the results are drawn: now the model may load
    if provisional and common.model_ready(ex, wait=120):
        st.rerun()  # the model is ready: the same search again, by meaning and words


def _nearest_anyway(ex, lk: common.Lookups, query: str, args: dict) -> None:
    """The nearest few below the relevance floor, collapsed: asked for, never shown as hits."""
    try:
        weak = ex.search(query, k=5, include_weak=True, **args)
    except (TypeError, ValueError):  # an explorer without the floor
        return
    if weak:
        with st.expander(f"No close match: the nearest {len(weak)} anyway", expanded=False):
            for h in weak:
                common.render_card(common.card_for(h.id, h.kind, lk, query, h.score, h.title),
                                   query=query,
                                   row=lk.talks.get(h.id) if h.kind == "talk" else None)


def _meetup_option(m: dict) -> str:
    label = meetup_label(m.get("number") if m.get("number") is not None else m.get("key"))
    title = str(m.get("title") or "")
    title = "" if title.replace(" ", "") == label.replace(" ", "") else title
    date = when_label(m.get("date"), source=m.get("date_source"))
    return " · ".join(x for x in (label, date, title[:40]) if x)


def _empty_state(ex, lk: common.Lookups) -> None:
    # Announced meetups are counted apart: their talks have not been given yet.
    held = [m for m in lk.meetups if not upcoming(m.get("date"))]
    years = sorted({y for m in held if (y := year_of(m.get("date")))})
    span = f" from {years[0]} to {years[-1]}" if len(years) > 1 else ""
    st.markdown(f"#### Explore the Vienna Deep Learning Meetup{span}")
    given = [t for t in lk.talks.values() if t.get("kind") in ("talk", "short talk")]
    n_talks = sum(1 for t in given if not upcoming(t.get("date")))
    n_papers = len(lk.papers)
    n_fetched = sum(1 for p in lk.papers.values() if p.get("resolved"))
    fetched = f" ({n_fetched} with arXiv metadata)" if n_fetched < n_papers else ""
    ahead = len(lk.meetups) - len(held)
    ahead = (f" · {ahead} meetup{'s' * (ahead > 1)} announced ({len(given) - n_talks} "
             f"talk{'s' * (len(given) - n_talks != 1)})") if ahead else ""
    st.caption(f"{len(held)} meetups · {n_talks} talks · "
               f"{n_papers} cited arXiv papers{fetched}{ahead}")
    st.markdown("Try one of these:")
    cols = st.columns(len(common.SUGGESTED_QUERIES))
    for col, q in zip(cols, common.SUGGESTED_QUERIES):
        col.button(q, key=f"suggest_{q}", on_click=_suggest, args=(q,),
                   width="stretch")
    with_talks = [(m, ts) for m, ts in meetup_timeline(lk.meetups, lk.talks.values())
                  if any(t.get("kind") in ("talk", "short talk") for t in ts)]
    # An announced meetup is the next one, not the latest: its talks have not been given.
    ahead = [p for p in with_talks if upcoming(p[0].get("date"))]
    held = next((p for p in with_talks if not upcoming(p[0].get("date"))), None)
    for heading, shown in (("Next meetup (announced)", ahead[-1] if ahead else None),
                           ("Latest meetup", held)):
        if shown:
            _meetup_box(heading, *shown)
    if with_talks:
        st.page_link(common.PAGES["meetups"], label="All meetups", icon=":material/event:")


def _meetup_box(heading: str, m: dict, talks: list[dict]) -> None:
    st.markdown(f"#### {heading}")
    with st.container(border=True):
        common.meetup_link(m, _meetup_option(m))
        for t in talks:
            if t.get("kind") in ("talk", "short talk"):
                who = ", ".join(t.get("speakers") or [])
                common.item_link(t["id"], "talk", escape_md(t["title"]) + (
                    f" · *{escape_md(who)}*" if who else ""), bold=False, escaped=True)


def _no_results(query: str, filtered: bool) -> None:
    st.info(f"No talks or papers match “{escape_md(query)}”"
            + (" with these filters." if filtered else "."), icon=":material/search_off:")
    if filtered:
        st.button("Clear filters", icon=":material/filter_alt_off:", on_click=_clear_filters)
    st.caption("Tips: try fewer or broader words, or switch Match to Semantic to search by "
               "meaning.")


def _clear_filters() -> None:
    for key in ("kind_input", "mode_input", "meetup_input", "years_input"):
        st.session_state.pop(key, None)
    for k in ("kind", "mode", "meetup", "years"):
        st.query_params.pop(k, None)


if __name__ == "__main__":  # run as a page by st.navigation
    page()
