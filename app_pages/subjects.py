"""The meetup page (?meetup=12) and the speaker page (?speaker=NAME), reached from every card."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.item import _reason
from app_pages.text import plain_text, snippet
from app_pages.views import (
    context_label,
    escape_md,
    kind_label,
    meetup_label,
    paper_card,
    paper_item_id,
    safe_url,
    when_in_brackets,
    when_label,
    year_of,
)
from explorer.domain import CANCELLED, INTRO

N_RELATED = 6


def _talks_of(lk: common.Lookups, meetup: dict) -> list[dict]:
    ref = common.meetup_ref(meetup)
    return [t for t in lk.talks.values() if common.meetup_ref(t.get("meetup")) == ref]


def _cited_papers(lk: common.Lookups, refs: list[dict]) -> None:
    """One card per cited paper: its title (or arXiv:ID, said to be unfetched) and, labelled,
    the slide text around each link to it."""
    by_paper: dict[str, list[dict]] = {}
    for r in refs:
        by_paper.setdefault(paper_item_id(r["arxiv_id"]), []).append(r)
    for pid, rs in by_paper.items():
        card = paper_card(lk.papers.get(pid) or {"id": pid})
        with st.container(border=True):
            common.item_link(pid, "paper", card.title)
            if card.status:
                st.caption(f":material/hourglass_empty: {escape_md(card.status)}")
            elif card.meta:
                st.caption(escape_md(card.meta))
            for r in rs[:2]:
                text = snippet(plain_text(r.get("context")), r["arxiv_id"], 320)
                if text:
                    st.markdown(f"*{context_label([r.get('source_path')])}:* "
                                f"{escape_md(text)}")


def meetup_page() -> None:
    """Render the page of the meetup named by ?meetup=12 (or a key such as AI)."""
    loaded = common.load()
    if loaded is None:
        return
    _, lk = loaded
    raw = st.query_params.get("meetup", "").strip()
    m = lk.meetup(raw) if raw else None
    if m is None:
        common.set_title("Meetup not found")
        common.not_found("meetup", raw)
        return
    label = meetup_label(common.meetup_ref(m))
    title = str(m.get("title") or "")
    title = "" if title.replace(" ", "") in (label.replace(" ", ""), "") else title
    common.set_title(f"{label} {title}".strip())
    st.caption(escape_md(" · ".join(x for x in (when_label(m.get("date"), source=m.get("date_source")),
                                                 str(m.get("venue") or "")) if x)))
    st.title(escape_md(label + (f": {title}" if title else "")), anchor=False)
    url = safe_url(m.get("url"))
    if url:
        st.link_button("Meetup page", url, icon=":material/open_in_new:")
    _prev_next(lk, m)

    talks = _talks_of(lk, m)
    shown = [t for t in talks if t.get("kind") != CANCELLED]
    st.subheader(f"Talks ({sum(t.get('kind') != INTRO for t in shown)})", divider="gray")
    if not shown:
        st.caption("The archive records no talks for this meetup.")
    for t in shown:
        with st.container(border=True):
            common.item_link(t["id"], "talk", t["title"])
            kind = t.get("kind")
            kind = kind_label(kind)  # not when it repeats the title ("Intro and hot topics")
            bits = [", ".join(t.get("affiliations") or []),
                    "" if kind.lower() == str(t["title"]).strip().lower() else kind]
            if any(bits):
                st.caption(escape_md(" · ".join(b for b in bits if b)))
            common.people_row(None, t.get("speakers"))
            if t.get("abstract"):
                st.markdown(escape_md(snippet(plain_text(t["abstract"]), None, 600)))
    cancelled = [t for t in talks if t.get("kind") == CANCELLED]
    if cancelled:
        st.caption("Cancelled: " + escape_md(", ".join(t["title"] for t in cancelled)))

    ref = common.meetup_ref(m)
    refs = [r for rs in lk.refs_by_paper.values() for r in rs
            if common.meetup_ref(r.get("meetup")) == ref]
    if refs:
        st.subheader(f"Papers cited at this meetup ({len({r['arxiv_id'] for r in refs})})",
                     divider="gray")
        _cited_papers(lk, refs)


def _prev_next(lk: common.Lookups, m: dict) -> None:
    dated = sorted((x for x in lk.meetups if x.get("date")), key=lambda x: x["date"])
    keys = [x.get("key") for x in dated]
    if m.get("key") not in keys:
        return
    i = keys.index(m.get("key"))
    with st.container(horizontal=True, gap="medium"):
        if i > 0:
            p = dated[i - 1]
            common.meetup_link(p, f"← {meetup_label(common.meetup_ref(p))} "
                                  f"{when_in_brackets(p['date'], p.get('date_source'))}")
        if i + 1 < len(dated):
            n = dated[i + 1]
            common.meetup_link(n, f"{meetup_label(common.meetup_ref(n))} "
                                  f"{when_in_brackets(n['date'], n.get('date_source'))} →")


def speaker_page() -> None:
    """Render the page of the person named by ?speaker=NAME, under any spelling."""
    loaded = common.load()
    if loaded is None:
        return
    ex, lk = loaded
    raw = st.query_params.get("speaker", "").strip()[:200]
    person = ex.person(raw) if raw else None
    if person is None:
        common.set_title("Speaker not found")
        st.warning(f"No speaker named “{escape_md(raw[:120])}” in this archive.",
                   icon=":material/person_off:")
        st.page_link(common.PAGES["search"], label="Search talks and papers instead",
                     icon=":material/search:", query_params={"q": raw[:120]} if raw else {})
        return
    name = str(person["name"])
    common.set_title(name)
    st.caption("Speaker")
    st.title(escape_md(name), anchor=False)
    others = [a for a in person.get("aliases") or [] if a != name]
    if others:
        st.caption("Also written as: " + escape_md(", ".join(others)))
    talks = [lk.talks[t] for t in person["talks"] if t in lk.talks]
    talks.sort(key=lambda t: str(t.get("date") or ""))

    affil: dict[str, list] = {}
    for t in talks:
        for a in _own_affiliations(ex, t, person["id"]):
            affil.setdefault(a, []).append(year_of(t.get("date")))
    if affil:
        st.markdown(":material/apartment: " + " · ".join(
            f"{escape_md(a)} ({_span(ys)})" for a, ys in affil.items()))
        st.caption("Affiliations as the meetup pages name them for these talks, with years.")
    # A bio is a talk's; only one of a talk this person gave alone is about them alone.
    solo = [t for t in talks if str(t.get("bio") or "").strip()
            and len(t.get("speakers") or []) == 1]
    if solo:
        t = solo[-1]  # the latest
        with st.expander("About", icon=":material/person:", expanded=True):
            st.markdown(escape_md(str(t["bio"]).strip()))
            st.caption(f"As the meetup page put it for “{escape_md(t['title'])}” "
                       f"({escape_md(when_label(t.get('date'), source=t.get('date_source')))}).")

    st.subheader(f"Talks ({len(talks)})", divider="gray")
    co: dict[str, int] = {}
    for t in talks:
        with st.container(border=True):
            common.item_link(t["id"], "talk", t["title"])
            kind = t.get("kind")
            mates = [s for s in t.get("speakers") or []
                     if (ex.person(s) or {}).get("id") != person["id"]]
            common.people_row(t.get("meetup"), mates, " · ".join(x for x in (
                when_label(t.get("date"), source=t.get("date_source")), kind_label(kind),
                ", ".join(t.get("affiliations") or [])) if x))
            for s in mates:
                co[s] = co.get(s, 0) + 1
    if co:
        st.subheader("Co-speakers", divider="gray")
        with st.container(horizontal=True, gap="small"):
            for s in sorted(co, key=lambda s: (-co[s], s)):
                common.speaker_link(s)
    _related_by_others(ex, lk, talks, set(person["talks"]))


def _own_affiliations(ex, talk: dict, person_id: str) -> list[str]:
    """The affiliations a talk names for this person: by position when the page lists one
    per speaker, all of them for a talk given alone, none when it cannot be told."""
    speakers, affs = list(talk.get("speakers") or []), list(talk.get("affiliations") or [])
    # Pages sometimes put a co-speaker's name where an affiliation goes: not an affiliation.
    if len(affs) == len(speakers):
        pairs = [a for s, a in zip(speakers, affs) if (ex.person(s) or {}).get("id") == person_id]
    else:
        pairs = affs if len(speakers) == 1 else []
    return [a for a in pairs if a and ex.person(a) is None]


def _span(years) -> str:
    ys = sorted({y for y in years if y})
    if not ys:
        return "year unknown"
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def _related_by_others(ex, lk: common.Lookups, talks: list[dict], own: set[str]) -> None:
    """Talks by other people closest to this person's talks (best match first)."""
    best: dict[str, float] = {}
    via: dict[str, str] = {}  # related talk -> this person's talk it is closest to
    for t in talks:
        if t.get("kind") in (INTRO, CANCELLED):
            continue
        try:
            hits = ex.related(t["id"], k=N_RELATED, kind="talk", same_meetup=True)
        except (KeyError, ValueError):
            continue
        for h in hits:
            if h.id not in own and float(h.score) > best.get(h.id, -1.0):
                best[h.id], via[h.id] = float(h.score), t["id"]
    if not best:
        return
    st.subheader("Related talks by others", divider="gray")
    for tid in sorted(best, key=best.get, reverse=True)[:N_RELATED]:
        row = lk.talks.get(tid)
        if row:  # the reason line says which of this person's talks it is close to, and why
            common.render_card(common.card_for(tid, "talk", lk), row=row,
                               extra=_reason(ex, via[tid], tid, lk))
