"""Pure, Streamlit-free helpers for the app: result cards, safe links, snippets, the 2-D map."""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app_pages.figures import map_figure, project_2d  # noqa: F401 - the map's helpers
from app_pages.text import escape_md, plain_text, query_terms, snippet  # noqa: F401

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) link with a host, else None.

    Args:
        url: anything read from the archive or arXiv.

    Returns:
        The stripped URL, or None for other schemes (``javascript:``, ``data:``), relative
        paths, control characters and non-strings.

    Example:
        >>> safe_url(" https://arxiv.org/abs/1706.03762 ")
        'https://arxiv.org/abs/1706.03762'
        >>> safe_url("javascript:alert(1)") is None
        True
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _CONTROL.search(url) or " " in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def year_of(date: object) -> int | None:
    """The year of an ISO date string ('2019-03-07' -> 2019), None when absent or malformed."""
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def when_label(date: object, today: str | None = None, source: object = None) -> str:
    """A meetup's date as shown: the date, said to be upcoming when it is after today (a
    page announced before the evening: its talks have not happened yet), and said to be a
    guess when its year was inferred (``source`` "inferred": the page gave day and month).

    Example: when_label('2031-01-15', today='2026-12-03') -> '2031-01-15 (upcoming)';
    when_label('2019-04-07', source='inferred') -> '2019-04-07 (year inferred)'.
    """
    if not isinstance(date, str) or not date:
        return "date unknown"
    today = today or datetime.date.today().isoformat()
    notes = (["upcoming"] if date[:10] > today else []) + (
        ["year inferred"] if source == "inferred" else [])
    return f"{date} ({', '.join(notes)})" if notes else date


def when_in_brackets(date: object, source: object = None) -> str:
    """`when_label` in one pair of brackets, for a label that follows a name.

    Example: when_in_brackets('2019-04-07', 'inferred') -> '(2019-04-07, year inferred)'.
    """
    when = when_label(date, source=source)
    date_part, _, notes = when.partition(" (")
    return f"({date_part}, {notes}" if notes else f"({when})"


@dataclass(frozen=True)
class Link:
    """A labelled external link whose URL has passed `safe_url`."""

    label: str
    url: str


@dataclass
class Card:
    """What a result card shows; every string is plain text, every link is safe."""

    id: str
    kind: str  # "talk" or "paper"
    title: str
    meta: str  # "Meetup #57 · 2023-05-10 · talk · Ada Lovelace"
    snippet: str
    links: list[Link] = field(default_factory=list)
    score: float | None = None
    year: int | None = None
    # Set when the snippet is not the item's own abstract, e.g. "Slide text around the link".
    snippet_label: str = ""
    status: str = ""  # "title not fetched yet" for a paper arXiv has not described


def links_of(pairs: Iterable[tuple[str, object]]) -> list[Link]:
    """Links for the (label, url) pairs whose URL is safe; unsafe or empty ones are dropped."""
    out = []
    for label, url in pairs:
        u = safe_url(url)
        if u:
            out.append(Link(label, u))
    return out


def as_dict(obj: object) -> dict:
    """A dataclass, a pandas row or a mapping as a plain dict (None -> {})."""
    if obj is None:
        return {}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if hasattr(obj, "to_dict"):
        return dict(obj.to_dict())
    if isinstance(obj, Mapping):
        return dict(obj)
    return dict(vars(obj))


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _names(v: object) -> list[str]:
    if isinstance(v, str):
        return [v] if v else []
    if isinstance(v, Iterable):
        return [str(x) for x in v if x]
    return []


def meetup_label(meetup: object) -> str:
    """'Meetup #57' for a number, 'Meetup AI' for a key, '' for none."""
    m = _text(meetup)
    if not m:
        return ""
    if isinstance(meetup, float) and meetup.is_integer():
        m = str(int(meetup))
    return f"Meetup #{m}" if m.isdigit() else f"Meetup {m}"


def kind_label(kind: object) -> str:
    """How a slot's kind reads on a card: '' for a talk, 'intro and hot topics' for
    'intro-and-hot-topics'."""
    k = _text(kind)
    return "" if k in ("", "talk") else k.replace("-", " ")


def talk_card(talk: object, query: str | None = None, score: float | None = None) -> Card:
    """The card of a talk (a row of ``ex.talks()``, a dict or a `Talk`-like object).

    Args:
        talk: needs ``id`` and ``title``; uses ``meetup``, ``date`` (and its meetup's
            ``date_source``: an inferred year says so), ``speakers``,
            ``affiliations``, ``kind``, ``abstract``, ``slides_url``, ``video_url`` and
            ``url`` (the meetup page) if present.
        query: the search query, for the snippet.
        score: the search score, if any.

    Returns:
        A `Card` of kind "talk"; its snippet is plain text (archive Markdown stripped).
    """
    t = as_dict(talk)
    date = _text(t.get("date"))
    kind = _text(t.get("kind"))
    meta = [meetup_label(t.get("meetup", t.get("meetup_key"))),
            when_label(date, source=t.get("date_source")),
            kind_label(kind), ", ".join(_names(t.get("speakers"))),
            ", ".join(_names(t.get("affiliations")))]
    links = links_of([("Slides", t.get("slides_url")), ("Video", t.get("video_url")),
                      ("Meetup page", t.get("url") or t.get("meetup_url"))])
    return Card(id=_text(t.get("id")), kind="talk", title=_text(t.get("title")) or "(untitled)",
                meta=" · ".join(x for x in meta if x),
                snippet=snippet(plain_text(_text(t.get("abstract"))), query), links=links,
                score=score, year=year_of(date))


_VERSION = re.compile(r"(?<=\d)v\d+$")


def paper_item_id(arxiv_id: str) -> str:
    """'1706.03762v1' -> 'arxiv:1706.03762': prefixed once, version suffix dropped (the
    archive keys papers by their versionless id)."""
    arxiv_id = arxiv_id.strip()
    bare = arxiv_id[6:] if arxiv_id.lower().startswith("arxiv:") else arxiv_id
    return "arxiv:" + _VERSION.sub("", bare.strip())


def arxiv_abs_url(arxiv_id: str) -> str:
    """The arXiv abstract page of an id ('arxiv:1706.03762' or '1706.03762')."""
    bare = arxiv_id.split(":", 1)[1] if arxiv_id.lower().startswith("arxiv:") else arxiv_id
    return f"https://arxiv.org/abs/{bare}"


def paper_status(p: Mapping) -> str:
    """'' for a paper with arXiv metadata, else what the user may know: 'title not fetched
    yet' or 'arXiv has no paper with this id' (never a network error meant for developers)."""
    if bool(p.get("resolved", p.get("status") == "resolved")) and p.get("title"):
        return ""
    return ("arXiv has no paper with this id" if p.get("status") == "not_found"
            else "title not fetched yet")


def context_label(sources: Sequence[object]) -> str:
    """What the text around a citation is, by where the citations were found: 'Slide text
    around the link' only when every one is in a slide PDF.

    Example: ['Meetups/Meetup_5/slides/x.pdf'] -> 'Slide text around the link';
    ['Meetups/Meetup_5/README.md'] -> 'Meetup page text around the link'.
    """
    paths = [str(p).lower() for p in sources if p]
    if paths and all(p.endswith(".pdf") for p in paths):
        return "Slide text around the link"
    if paths and not any(p.endswith(".pdf") for p in paths):
        return "Meetup page text around the link"
    return "Text around the link"


def paper_card(paper: object, query: str | None = None, score: float | None = None,
               context: str = "", sources: Sequence[object] = ()) -> Card:
    """The card of a paper (a row of ``ex.papers()``, a dict or a `Paper`-like object).

    Args:
        paper: needs ``id``; uses ``title``, ``authors``, ``published``, ``abstract``,
            ``abs_url``, ``pdf_url`` and ``status``/``resolved`` if present.
        query: the search query, for the snippet.
        score: the search score, if any.
        context: the text around the citation, shown (labelled as such) for papers
            without arXiv metadata.
        sources: the archive paths the context comes from (slides or a meetup page), for
            its label (`context_label`).

    Returns:
        A `Card` of kind "paper". A paper without metadata is titled ``arXiv:ID`` and says so
        in ``status``: a phrase from the slides is never passed off as its title.
    """
    p = as_dict(paper)
    pid = paper_item_id(_text(p.get("id")))
    bare = pid.split(":", 1)[1]
    status = paper_status(p)
    title = f"arXiv:{bare}" if status else _text(p.get("title"))
    authors = _names(p.get("authors"))
    if len(authors) > 4:
        authors = authors[:3] + ["et al."]
    date = _text(p.get("published"))[:10]
    cited = list(dict.fromkeys(meetup_label(c.get("meetup")) for c in p.get("cited_in") or []
                               if isinstance(c, Mapping) and c.get("meetup") is not None))
    meta = ["arXiv paper", date, ", ".join(authors),
            ("cited at " + ", ".join(cited[:3]) + (" …" if len(cited) > 3 else "")) if cited
            else ""]
    text = _text(p.get("abstract")) if not status else (context or _text(p.get("context")))
    links = links_of([("arXiv", p.get("abs_url") or arxiv_abs_url(pid)),
                      ("PDF", p.get("pdf_url"))])
    return Card(id=pid, kind="paper", title=title, meta=" · ".join(x for x in meta if x),
                snippet=snippet(plain_text(text), query), links=links, score=score,
                year=year_of(date), status=status,
                snippet_label=context_label(sources) if status and text else "")


def reason_line(terms: Sequence[str], limit: int = 5) -> str:
    """One line saying why two items are related: 'Shared terms: attention, transformer'."""
    terms = [t for t in terms if t][:limit]
    return ("Shared terms: " + ", ".join(terms) if terms
            else "Nearest in meaning by the model (no shared key terms)")


def meetup_timeline(meetups: Iterable[object], talks: Iterable[object],
                    year: int | None = None) -> list[tuple[dict, list[dict]]]:
    """Meetups newest first, each with its talks in agenda order.

    Args:
        meetups: rows/dicts/objects with ``key`` (or ``label``), ``number``, ``title``, ``date``.
        talks: rows/dicts with ``meetup`` (the meetup label) or ``meetup_key``.
        year: keep only meetups of that year.

    Returns:
        [(meetup dict, [talk dict, ...]), ...]; meetups without a date come last.
    """
    by_meetup: dict[str, list[dict]] = {}
    for t in talks:
        d = as_dict(t)
        key = _text(d.get("meetup_key", d.get("meetup")))
        by_meetup.setdefault(_norm_key(key), []).append(d)
    out = []
    for m in meetups:
        d = as_dict(m)
        if year is not None and year_of(d.get("date")) != year:
            continue
        keys = {_norm_key(_text(d.get(k))) for k in ("key", "number", "label") if d.get(k)
                is not None}
        mine = next((by_meetup[k] for k in keys if k in by_meetup), [])
        out.append((d, mine))
    out.sort(key=lambda p: (_text(p[0].get("date")) != "", _text(p[0].get("date")),
                            _num(p[0].get("number"))), reverse=True)
    return out


def _norm_key(k: str) -> str:
    # Meetup labels reach us as ints, floats from pandas ('57.0') or strings.
    return k[:-2] if k.endswith(".0") and k[:-2].isdigit() else k


def _num(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1.0


def theme_line(theme: str | None) -> str | None:
    """The evidence line of a hit the topic prior lifted: its theme, which the query fits.

    Example: "Speech" -> "Theme: Speech, which your query fits"; None -> None.
    """
    return f"Theme: {theme}, which your query fits" if theme else None
