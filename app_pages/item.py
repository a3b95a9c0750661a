"""The talk page and the paper page: details, citations, related talks and papers."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.text import plain_text
from app_pages.views import (
    as_dict,
    context_label,
    escape_md,
    kind_label,
    meetup_label,
    paper_card,
    paper_item_id,
    reason_line,
    snippet,
    talk_card,
    when_label,
)
from explorer.domain import CANCELLED, INTRO

LINK_ICONS = {"Slides": ":material/slideshow:", "Video": ":material/smart_display:",
              "Meetup page": ":material/event:", "arXiv": ":material/article:",
              "PDF": ":material/picture_as_pdf:"}
N_RELATED = 5


def _reason(ex, a_id: str, b_id: str, lk: common.Lookups) -> str:
    """Why two items are related (`Explorer.why_related`: a shared cited paper, shared key
    phrases or topic); plain word overlap for an explorer without it."""
    try:
        return ex.why_related(a_id, b_id)
    except AttributeError:
        pass
    except Exception:  # noqa: BLE001 - a reason line is decoration, never a crash
        return reason_line([])
    from explorer.search import shared_terms

    return reason_line(shared_terms(_item_text(a_id, lk), _item_text(b_id, lk), n=4))


def _item_text(item_id: str, lk: common.Lookups) -> str:
    if item_id in lk.talks:
        t = lk.talks.get(item_id, {})
        return f"{t.get('title', '')}. {t.get('abstract', '')}"
    p = lk.papers.get(item_id, {})
    if p.get("title"):
        return f"{p.get('title', '')}. {p.get('abstract', '')}"
    return " ".join(r["context"] for r in lk.refs_by_paper.get(item_id, []))


def _links_row(links) -> None:
    if not links:
        return
    cols = st.columns(len(links) + 1, gap="small")
    for col, link in zip(cols, links):
        col.link_button(link.label, link.url, icon=LINK_ICONS.get(link.label),
                        width="stretch")


def _related(ex, item_id: str, kind: str, lk: common.Lookups, own_meetup=None,
             shown: frozenset[str] = frozenset()) -> None:
    """Related talks (from other meetups than ``own_meetup``) and related papers, side by side,
    each with a one-line reason; items in ``shown`` (the talk's own cited papers, listed
    above) are not repeated."""
    left, right = st.columns(2, gap="large")
    for col, want, heading in ((left, "talk", "Related talks from other meetups"),
                               (right, "paper", "Related papers")):
        with col:
            st.subheader(heading, divider="gray")
            try:
                hits = ex.related(item_id, k=N_RELATED * 3, kind=want)
            except (KeyError, ValueError):  # not indexed (intro slots, cancelled talks)
                st.caption("Not available for this item.")
                continue
            if want == "talk" and own_meetup is not None:
                hits = [h for h in hits if str(h.meetup) != str(own_meetup)]
            hits = [h for h in hits if h.id != item_id and h.id not in shown][:N_RELATED]
            if not hits:  # none to compare with is not "none close"
                st.caption("No cited arXiv paper in this build to compare with."
                           if want == "paper" and not lk.papers else
                           "Nothing close enough in the archive.")
            for h in hits:
                card = common.card_for(h.id, h.kind, lk, score=h.score, title=h.title)
                with st.container(border=True):
                    common.item_link(h.id, h.kind, card.title)
                    st.caption(escape_md(" · ".join(x for x in (card.status, card.meta) if x)))
                    st.caption(":material/link: " + escape_md(_reason(ex, item_id, h.id, lk)))


def talk_page() -> None:
    """Render the page of the talk named by ?talk=ID."""
    loaded = common.load()
    if loaded is None:
        return
    ex, lk = loaded
    tid = st.query_params.get("talk", "").strip()
    talk = lk.talks.get(tid)
    if talk is None:
        common.set_title("Talk not found")
        common.not_found("talk", tid)
        return
    card = talk_card(talk)
    common.set_title(card.title)
    meetup = talk.get("meetup")
    bits = [meetup_label(meetup), when_label(talk.get("date"), source=talk.get("date_source")),
            kind_label(talk.get("kind")),
            ", ".join(talk.get("affiliations") or [])]
    st.caption(escape_md(" · ".join(b for b in bits if b)))
    st.title(escape_md(card.title), anchor=False)
    common.people_row(meetup, talk.get("speakers"))
    _links_row(card.links)
    if talk.get("abstract"):
        st.markdown(escape_md(talk["abstract"]))
    elif talk.get("kind") != INTRO:
        st.caption("The archive has no abstract for this talk.")
    bio = str(talk.get("bio") or "").strip()
    if bio:  # what the meetup page says about the speaker(s), kept apart from the abstract
        with st.expander("About the speaker", icon=":material/person:", expanded=True):
            st.markdown(escape_md(bio))

    cited = []
    for r in lk.refs_by_talk.get(tid, []):
        pid = paper_item_id(r["arxiv_id"])
        if pid not in [c[0] for c in cited]:
            cited.append((pid, r["context"], r.get("source_path")))
    if cited:
        st.subheader(f"Papers cited in this talk ({len(cited)})", divider="gray")
        for pid, context, source in cited:
            pc = paper_card(lk.papers.get(pid) or {"id": pid}, context=context,
                            sources=[source])
            with st.container(border=True):
                common.item_link(pid, "paper", pc.title)
                st.caption(escape_md(pc.status or pc.meta))
                text = snippet(plain_text(context), pid.split(":", 1)[1], 320)
                if text:
                    st.markdown(f"*{context_label([source])}:* {escape_md(text)}")
    if talk.get("kind") in (INTRO, CANCELLED):
        return  # not indexed: nothing is "related" to an agenda slot
    _related(ex, tid, "talk", lk, own_meetup=meetup, shown=frozenset(c[0] for c in cited))
    from app_pages.field_section import from_the_field

    from_the_field(ex, tid, talk.get("date"))


def paper_page() -> None:
    """Render the page of the paper named by ?paper=ID (with or without the arxiv: prefix)."""
    loaded = common.load()
    if loaded is None:
        return
    ex, lk = loaded
    raw = st.query_params.get("paper", "").strip()
    pid = paper_item_id(raw) if raw else ""
    paper = lk.papers.get(pid)
    refs = lk.refs_by_paper.get(pid, [])
    if paper is None and not refs:
        common.set_title("Paper not found")
        common.not_found("paper", raw)
        return
    row = as_dict(paper) if paper else {"id": pid}
    context = " … ".join(r["context"] for r in refs[:2])
    card = paper_card(row, context=context, sources=[r.get("source_path") for r in refs[:2]])
    resolved = not card.status
    common.set_title(card.title)
    st.caption(escape_md(card.meta))
    st.title(escape_md(card.title), anchor=False)
    if not resolved:
        st.info(f"Only the arXiv id is known: {escape_md(card.status)}. The slide text around "
                "each link to it is shown below.", icon=":material/hourglass_empty:")
    _links_row(card.links)
    if resolved and row.get("abstract"):
        st.markdown(escape_md(row["abstract"]))
    if row.get("categories") is not None and len(row.get("categories")) > 0:
        st.caption("Categories: " + escape_md(", ".join(row["categories"])))

    st.subheader(f"Cited at the meetup ({len(refs)})", divider="gray")
    if not refs:
        st.caption("No citing talk is recorded.")
    for r in refs:
        with st.container(border=True):
            talk = lk.talks.get(r.get("talk_id") or "")
            if talk:
                common.item_link(talk["id"], "talk", talk["title"])
                st.caption(escape_md(" · ".join(
                    x for x in (meetup_label(talk.get("meetup")),
                                when_label(talk.get("date"), source=talk.get("date_source")))
                    if x)))
            else:
                common.meetup_link(r.get("meetup"))
                st.caption("Intro, hot topics or the meetup's README")
            text = snippet(plain_text(r["context"]), pid.split(":", 1)[1], 400)
            st.markdown(f"*{context_label([r.get('source_path')])}:* " + escape_md(text))
    _related(ex, pid, "paper", lk)
