"""The talk page's "From the field" section: nearest arXiv papers of the field, before/after."""

from __future__ import annotations

import streamlit as st

from app_pages.common import md_link
from app_pages.views import Link, escape_md, safe_url

N_FIELD = 5
WHEN = {"Any time": None, "Before the talk": "before", "After the talk": "after"}


def field_papers(ex, talk_id: str, talk_date: str | None, when: str | None, k: int = N_FIELD):
    """(hits, None) or ([], why not): the field papers nearest a talk, filtered by date."""
    from embeddings.index import VectorIndexError
    from explorer.store import StoreError

    bound = (talk_date or "")[:10] or None
    try:
        return ex.related(talk_id, k=k, scope="field",
                          before=bound if when == "before" else None,
                          after=bound if when == "after" else None), None
    except (StoreError, VectorIndexError) as e:
        return [], str(e)
    except (KeyError, ValueError) as e:
        return [], str(e.args[0] if e.args else e)


def from_the_field(ex, talk_id: str, talk_date: str | None) -> None:
    """Render the section (a caption saying why when no field was imported or built)."""
    st.subheader("From the field", divider="gray")
    if not hasattr(ex, "field"):
        return
    choice = st.radio("Papers submitted", list(WHEN), horizontal=True, key="field_when",
                      disabled=not talk_date,
                      help="Nearest papers of the field (arXiv) by meaning; the talk's date "
                           "splits before from after.")
    hits, why = field_papers(ex, talk_id, talk_date, WHEN[choice])
    if why is not None:
        st.caption("No field papers: " + escape_md(why))
        return
    if not hits:
        st.caption("No field paper in that period.")
    for h in hits:
        with st.container(border=True):
            url = safe_url(h.url)
            title = escape_md(h.title)
            st.markdown(md_link(Link(h.title, url)) if url else f"**{title}**")
            st.caption(escape_md(f"{h.id} · submitted {h.date or 'date unknown'} · "
                                 f"cosine {h.score:.2f}"))
