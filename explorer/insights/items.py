"""The items frame of an opened data dir (one row per indexed talk and paper, dated), and the
former k-means topic model brought up to date with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from explorer.domain import INTRO
from explorer.ingest.arxiv_ids import citing_phrase

if TYPE_CHECKING:
    from explorer.insights.topics import TopicModel


def item_frame(ex) -> pd.DataFrame:
    """The items frame of an opened data dir: one row per indexed talk and paper.

    A paper is dated by the first meetup that cited it (not its arXiv date) and is ``hot``
    when some citation is in an intro/hot-topics slot or a meetup page rather than a talk.
    An unresolved paper's title is the text around its first citation (what assigning it to
    themes reads; ``resolved`` is False, so evidence shown to people names it by its id).

    Args:
        ex: ``explorer.open(...)``.

    Returns:
        Columns ``id, kind, title, date, meetup, hot, resolved`` in index order.
    """
    ids, kinds, _ = ex.vectors()
    talks = ex.talks().set_index("id")
    papers = ex.papers().set_index("id")
    meetups = ex.meetups()
    date_of = {str(lab): d for lab, d in zip(meetups["label"], meetups["date"])}
    talk_kind = talks["kind"].to_dict()
    rows = []
    for iid, kind in zip(ids, kinds):
        if kind == "talk":
            t = talks.loc[iid]
            rows.append((iid, kind, t["title"], t["date"], t["meetup"], False, True))
            continue
        bare = iid.split(":", 1)[1] if iid.startswith("arxiv:") else iid
        p = papers.loc[bare] if bare in papers.index else None
        cited = list(p["cited_in"]) if p is not None else []
        dates = sorted(d for c in cited if (d := date_of.get(str(c["meetup"]))))
        hot = any(c.get("talk_id") is None or talk_kind.get(c["talk_id"]) == INTRO
                  for c in cited)
        title = (p["title"] if p is not None and p["title"] else
                 citing_phrase(str(cited[0].get("context") or ""), bare) if cited else "")
        title = title or f"arXiv:{bare}"
        rows.append((iid, kind, title, dates[0] if dates else None,
                     cited[0]["meetup"] if cited else None, hot,
                     bool(p is not None and p["title"])))
    return pd.DataFrame(rows, columns=["id", "kind", "title", "date", "meetup", "hot",
                                       "resolved"])


def topic_model(ex, refit: bool = False, save: bool = True, seed: int = 0) -> TopicModel:
    """The data dir's topic model, brought up to date with its items.

    The model is persisted in the store (meta ``topics``). With no saved model, a saved
    model of another embedding model, or ``refit``, topics are fitted afresh; otherwise new
    items are assigned with ``update_topics``, so topic ids stay as they were.

    Args:
        ex: ``explorer.open(...)``.
        refit: fit from scratch (topic ids may change).
        save: write the result back to the store when it changed.
        seed: k-means seed for a fit.

    Returns:
        The ``TopicModel`` covering every indexed item.
    """
    # The former k-means topics pull in scikit-learn: loaded here, not with the gaps.
    from explorer.insights.topics import fit_topics, load_model, save_model, update_topics

    ids, _, vectors = ex.vectors()
    texts = [ex.item_text(i) for i in ids]
    saved = None if refit else load_model(ex.store)
    dim_ok = saved is not None and all(t.centroid.shape[0] == vectors.shape[1]
                                       for t in saved.topics.values())
    if saved is None or saved.model != ex.model or not dim_ok:
        model = fit_topics(ids, texts, vectors, seed=seed, model=ex.model, embed_terms=ex.embed)
    elif set(saved.assignments) == set(ids):
        return saved
    else:
        model = update_topics(saved, ids, texts, vectors, embed_terms=ex.embed)
    if save and not getattr(ex.store, "readonly", False):  # reading commands never write
        save_model(ex.store, model)
    return model


