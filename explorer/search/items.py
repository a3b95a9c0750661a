"""Searchable items: talks and cited arXiv papers, with the text each one is embedded as.

Which text stands for a talk was chosen on the judged queries (nDCG@10,
`python benchmarks/eval_quality.py --compositions`):

* embedded text ``title. abstract``: dense 0.688 vs 0.661 for the title alone (many
  titles are a product name or a pun). Adding the speakers' names gives 0.707, but only
  because of the one query that asks for a person; on topical queries it lowers the
  scores (pictures-from-text 0.30 -> 0.09, similar photos 0.97 -> 0.87) and it would pull
  the vectors the topic map is made of towards names rather than subjects;
* BM25 text ``title. abstract. Speakers: ... Affiliations: ... Event: <meetup title>,
  <venue>``: BM25 0.540 vs 0.506 without names and 0.380 on titles, so a query for a
  person finds their talks lexically; the affiliations and the meetup's title and venue
  let a query naming a lab, a company or a special event find talks whose own text never
  names it (held-out
  queries, tests/fixtures/heldout_queries.json: BM25 0.545 -> 0.644, hybrid 0.636 ->
  0.685; dev set BM25 0.540 -> 0.546, hybrid 0.741 -> 0.737);
* a resolved paper is ``title. abstract`` (what arXiv says it is about); an unresolved
  paper is the slide or README text around its citations ("hot-topic mentions"), which is
  all that is known about it.

Intro / hot-topics slots and cancelled talks are not items: the former have no topic of
their own (their citations become paper items linked to the meetup), the latter did not
happen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from explorer.domain import CANCELLED, INTRO, Meetup, Paper, Talk
from explorer.store import Store

TALK_KIND, PAPER_KIND = "talk", "paper"
PAPER_PREFIX = "arxiv:"

# Talk text compositions compared on the judged queries; DEFAULT_COMPOSITION is used.
COMPOSITIONS = ("title", "title+abstract", "title+abstract+speakers",
                "title+abstract+speakers+event")
DEFAULT_COMPOSITION = "title+abstract"
LEXICAL_COMPOSITION = "title+abstract+speakers+event"


@dataclass(frozen=True)
class Item:
    """One searchable talk or paper.

    `meetups` are the keys of the meetups it belongs to: a talk's own, or every meetup
    citing a paper (earliest first); `meetup`/`date` name the first of them.
    """

    id: str
    kind: str
    title: str
    text: str
    lexical_text: str
    meetups: tuple[str, ...]
    meetup: int | str | None
    date: str | None
    url: str | None
    years: tuple[int, ...] = ()
    speakers: tuple[str, ...] = ()  # a talk's speakers (exact-match search by name)
    cites: tuple[str, ...] = ()  # arXiv ids a talk cites (a shared one is a reason)


def paper_item_id(arxiv_id: str) -> str:
    """'1706.03762' -> 'arxiv:1706.03762' (an id that is already prefixed is kept)."""
    return arxiv_id if arxiv_id.lower().startswith(PAPER_PREFIX) else PAPER_PREFIX + arxiv_id


def bare_arxiv_id(item_id: str) -> str:
    """'arxiv:1706.03762' -> '1706.03762'."""
    return item_id[len(PAPER_PREFIX):] if item_id.lower().startswith(PAPER_PREFIX) else item_id


def is_searchable(talk: Talk) -> bool:
    """Talks and short talks are items; intro/hot-topics slots and cancelled talks are not."""
    return talk.kind not in (INTRO, CANCELLED)


def _join(*parts: str) -> str:
    # ". " between parts, without doubling a title's own final punctuation.
    out = []
    for p in parts:
        p = " ".join((p or "").split())
        if p:
            out.append(p if p[-1] in ".!?:" else p + ".")
    return " ".join(out).strip()


def talk_text(talk: Talk, composition: str = DEFAULT_COMPOSITION,
              meetup: Meetup | None = None) -> str:
    """The text a talk is embedded (or BM25-indexed) as.

    Args:
        talk: the talk.
        composition: one of `COMPOSITIONS`.
        meetup: the talk's meetup, for the "+event" composition.

    Returns:
        e.g. 'Graph networks. We show how... Speakers: Ada Lovelace.'; with "+event" also
        'Affiliations: Acme Labs. Event: Summer Summit, Hall 3.'
    """
    if composition not in COMPOSITIONS:
        raise ValueError(f"unknown composition {composition!r}; use one of {COMPOSITIONS}")
    parts = [talk.title]
    if composition != "title":
        parts.append(talk.abstract)
    if "speakers" in composition and talk.speakers:
        parts.append("Speakers: " + ", ".join(talk.speakers))
    if composition.endswith("+event"):
        if talk.affiliations:
            parts.append("Affiliations: " + ", ".join(talk.affiliations))
        if meetup is not None:
            parts.append("Event: " + ", ".join(x for x in (meetup.title, meetup.venue) if x))
    return _join(*parts)


def paper_text(paper: Paper | None, contexts: list[str], composition: str = DEFAULT_COMPOSITION,
               ) -> str:
    """A resolved paper's title (and abstract); otherwise the text around its citations."""
    if paper is not None and paper.resolved and paper.title:
        if composition == "title":
            return _join(paper.title)
        authors = ("Authors: " + ", ".join(paper.authors[:8])
                   if "speakers" in composition and paper.authors else "")
        return _join(paper.title, paper.abstract, authors)
    return _join(*dict.fromkeys(c for c in contexts if c.strip()))


def collect_items(store: Store, composition: str = DEFAULT_COMPOSITION,
                  lexical_composition: str = LEXICAL_COMPOSITION) -> list[Item]:
    """Every searchable talk (in meetup order) then every cited paper (in citation order).

    Args:
        store: the data dir's store.
        composition: how a talk's embedded text is made (see `COMPOSITIONS`).
        lexical_composition: how its BM25 text is made.

    Returns:
        The items; an unresolved paper is titled 'arXiv:<id>'.
    """
    meetups = {m.key: m for m in store.meetups()}
    refs = store.refs()
    cites: dict[str, list[str]] = {}
    for r in refs:
        if r.talk_id and r.arxiv_id not in cites.setdefault(r.talk_id, []):
            cites[r.talk_id].append(r.arxiv_id)
    items: list[Item] = []
    for t in store.talks():
        if not is_searchable(t):
            continue
        m = meetups.get(t.meetup_key)
        items.append(Item(
            id=t.id, kind=TALK_KIND, title=t.title, text=talk_text(t, composition, m),
            lexical_text=talk_text(t, lexical_composition, m), meetups=(t.meetup_key,),
            meetup=m.label if m else t.meetup_key, date=m.date if m else None,
            url=t.slides_url or (m.page_url if m else None),
            years=_years([m] if m else []), speakers=tuple(t.speakers),
            cites=tuple(cites.get(t.id, ()))))
    papers = {p.id: p for p in store.papers()}
    order = {key: i for i, key in enumerate(meetups)}  # store.meetups() is in date order
    contexts: dict[str, list[str]] = {}
    cited_at: dict[str, list[str]] = {}
    for r in refs:
        contexts.setdefault(r.arxiv_id, []).append(r.context)
        keys = cited_at.setdefault(r.arxiv_id, [])
        if r.meetup_key not in keys:
            keys.append(r.meetup_key)
    for arxiv_id, ctx in contexts.items():
        p = papers.get(arxiv_id)
        keys = tuple(sorted(cited_at[arxiv_id], key=lambda k: order.get(k, len(order))))
        first = meetups.get(keys[0]) if keys else None
        resolved = p is not None and p.resolved and bool(p.title)
        items.append(Item(
            id=paper_item_id(arxiv_id), kind=PAPER_KIND,
            title=p.title if resolved else f"arXiv:{arxiv_id}",
            text=paper_text(p, ctx, composition) or f"arXiv:{arxiv_id}",
            lexical_text=paper_text(p, ctx, lexical_composition) or f"arXiv:{arxiv_id}",
            meetups=keys, meetup=first.label if first else None,
            date=first.date if first else None,
            url=(p.abs_url if p is not None and p.abs_url else
                 f"https://arxiv.org/abs/{arxiv_id}"),
            years=_years([meetups[k] for k in keys if k in meetups])))
    return items


def _years(meetups: list[Meetup]) -> tuple[int, ...]:
    years = {int(m.date[:4]) for m in meetups if m.date and m.date[:4].isdigit()}
    return tuple(sorted(years))


def items_fingerprint(items: list[Item]) -> str:
    """sha256 of the item ids and embedded texts: equal fingerprints mean an equal index."""
    h = hashlib.sha256()
    for it in items:
        h.update(it.id.encode())
        h.update(b"\x00")
        h.update(it.text.encode())
        h.update(b"\x01")
    return h.hexdigest()


def item_int_id(item_id: str) -> int:
    """A stable non-negative 63-bit FAISS id for an item id (blake2b; no table to keep)."""
    return int.from_bytes(hashlib.blake2b(item_id.encode(), digest_size=8).digest(),
                          "big") & (2**63 - 1)
