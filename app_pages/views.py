"""Pure, Streamlit-free helpers for the app: result cards, safe links, snippets, the 2-D map."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np
import plotly.graph_objects as go

from explorer.ingest.arxiv_ids import citing_phrase

# Characters that Markdown (CommonMark + Streamlit's extensions) gives a meaning to. Archive
# and arXiv text is shown with st.markdown only after escaping these, so a title cannot
# become a link, an image, a heading or a LaTeX block.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]+")
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


def escape_md(text: object) -> str:
    """Text with Markdown special characters backslash-escaped, newlines folded to spaces.

    Example:
        ``escape_md("*hi* [x](y)")`` gives ``\\*hi\\* \\[x\\]\\(y\\)``, shown as typed.
    """
    s = "" if text is None else str(text)
    s = _CONTROL.sub(" ", s)
    return _MD_SPECIAL.sub(r"\\\1", s)


def year_of(date: object) -> int | None:
    """The year of an ISO date string ('2019-03-07' -> 2019), None when absent or malformed."""
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def query_terms(query: str | None) -> list[str]:
    """Lower-case words of at least three characters in a query, in order, without repeats."""
    seen: list[str] = []
    for w in _WORD.findall((query or "").lower()):
        if len(w) >= 3 and w not in seen:
            seen.append(w)
    return seen


def snippet(text: str | None, query: str | None = None, width: int = 220) -> str:
    """A window of ``text`` around the first query term it contains, with ellipses.

    Args:
        text: an abstract or slide context (plain text).
        query: the search query; without one (or no match) the snippet is the start.
        width: the most characters of text to keep.

    Returns:
        Plain text, whitespace collapsed; "" for empty text.

    Example:
        >>> snippet("aaa bbb transformers ccc", "transformer", width=12)
        '…transformers…'
    """
    t = re.sub(r"\s+", " ", text or "").strip()
    if len(t) <= width:
        return t
    lower = t.lower()
    hits = [lower.find(w) for w in query_terms(query)]
    hits = [h for h in hits if h >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    start = min(start, len(t) - width)
    if start > 0:  # begin at a word boundary
        space = t.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(t), start + width)
    if end < len(t):
        space = t.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start > 0 else "") + t[start:end].strip() + ("…" if end < len(t) else "")


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


def talk_card(talk: object, query: str | None = None, score: float | None = None) -> Card:
    """The card of a talk (a row of ``ex.talks()``, a dict or a `Talk`-like object).

    Args:
        talk: needs ``id`` and ``title``; uses ``meetup``, ``date``, ``speakers``, ``kind``,
            ``abstract``, ``slides_url``, ``video_url`` and ``url`` (the meetup page) if present.
        query: the search query, for the snippet.
        score: the search score, if any.

    Returns:
        A `Card` of kind "talk".
    """
    t = as_dict(talk)
    date = _text(t.get("date"))
    meta = [meetup_label(t.get("meetup", t.get("meetup_key"))), date, _text(t.get("kind")),
            ", ".join(_names(t.get("speakers")))]
    links = links_of([("Slides", t.get("slides_url")), ("Video", t.get("video_url")),
                      ("Meetup page", t.get("url") or t.get("meetup_url"))])
    return Card(id=_text(t.get("id")), kind="talk", title=_text(t.get("title")) or "(untitled)",
                meta=" · ".join(x for x in meta if x),
                snippet=snippet(_text(t.get("abstract")), query), links=links, score=score,
                year=year_of(date))


def paper_item_id(arxiv_id: str) -> str:
    """'1706.03762' -> 'arxiv:1706.03762'; an id that is already prefixed is kept."""
    arxiv_id = arxiv_id.strip()
    bare = arxiv_id[6:] if arxiv_id.lower().startswith("arxiv:") else arxiv_id
    return "arxiv:" + bare


def arxiv_abs_url(arxiv_id: str) -> str:
    """The arXiv abstract page of an id ('arxiv:1706.03762' or '1706.03762')."""
    bare = arxiv_id.split(":", 1)[1] if arxiv_id.lower().startswith("arxiv:") else arxiv_id
    return f"https://arxiv.org/abs/{bare}"


def paper_card(paper: object, query: str | None = None, score: float | None = None,
               context: str = "") -> Card:
    """The card of a paper (a row of ``ex.papers()``, a dict or a `Paper`-like object).

    Args:
        paper: needs ``id``; uses ``title``, ``authors``, ``published``, ``abstract``,
            ``abs_url``, ``pdf_url`` and ``status``/``resolved`` if present.
        query: the search query, for the snippet.
        score: the search score, if any.
        context: slide text around the citation, shown for papers arXiv did not resolve.

    Returns:
        A `Card` of kind "paper"; an unresolved paper is titled by the phrase the slides put
        before its id (``citing_phrase``), else by its bare reference.
    """
    p = as_dict(paper)
    pid = _text(p.get("id"))
    bare = pid.split(":", 1)[1] if pid.lower().startswith("arxiv:") else pid
    resolved = bool(p.get("resolved", p.get("status") == "resolved")) and bool(p.get("title"))
    phrase = "" if resolved else citing_phrase(context or _text(p.get("context")), bare)
    if resolved:
        title = _text(p.get("title"))
    elif 8 <= len(phrase) <= 100 and phrase != (context or _text(p.get("context"))):
        title = f"{phrase} (arXiv:{bare}, not yet fetched)"
    else:
        title = f"arXiv:{bare} (unresolved reference)"
    authors = _names(p.get("authors"))
    if len(authors) > 4:
        authors = authors[:3] + ["et al."]
    date = _text(p.get("published"))[:10]
    cited = list(dict.fromkeys(meetup_label(c.get("meetup")) for c in p.get("cited_in") or []
                               if isinstance(c, Mapping) and c.get("meetup") is not None))
    meta = ["arXiv paper", date, ", ".join(authors),
            ("cited at " + ", ".join(cited[:3]) + (" …" if len(cited) > 3 else "")) if cited
            else ""]
    text = _text(p.get("abstract")) if resolved else (context or _text(p.get("context")))
    links = links_of([("arXiv", p.get("abs_url") or arxiv_abs_url(pid)),
                      ("PDF", p.get("pdf_url"))])
    return Card(id=pid, kind="paper", title=title, meta=" · ".join(x for x in meta if x),
                snippet=snippet(text, query), links=links, score=score, year=year_of(date))


def reason_line(terms: Sequence[str], limit: int = 5) -> str:
    """One line saying why two items are related: 'Shared terms: attention, transformer'."""
    terms = [t for t in terms if t][:limit]
    return "Shared terms: " + ", ".join(terms) if terms else "Close in meaning (no shared key terms)"


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """The first two principal components of row vectors, signs fixed so runs agree.

    Args:
        vectors: (n, d) float array.

    Returns:
        (n, 2) float array; zeros when n < 2.
    """
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        return np.zeros((len(x) if x.ndim else 0, 2))
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    comps = vt[:2]
    if comps.shape[0] < 2:
        comps = np.vstack([comps, np.zeros_like(comps[:1])])
    # SVD signs are arbitrary; make the largest loading positive so the map does not flip.
    signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])
    signs[signs == 0] = 1
    return x @ (comps * signs[:, None]).T


def map_figure(ids: Sequence[str], kinds: Sequence[str], titles: Sequence[str],
               xy: np.ndarray, colors: Sequence[object], color_title: str = "Year",
               selected: str | None = None) -> go.Figure:
    """A scatter map of talks (circles) and papers (diamonds), hover shows the title.

    Args:
        ids, kinds, titles: one entry per point; ``ids`` travel as customdata so a click
            can open the item.
        xy: (n, 2) coordinates, e.g. from `project_2d`.
        colors: one value per point; numbers give a colour scale, text gives categories.
        color_title: legend / colour bar title.
        selected: an id to highlight with a ring.

    Returns:
        A plotly Figure.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    fig = go.Figure()
    numeric = len(colors) > 0 and all(isinstance(c, (int, float)) and not math.isnan(c) for c in colors)
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(kinds):
        groups.setdefault("talk" if k == "talk" else "paper", []).append(i)
    # plotly renders hover text as HTML-ish markup; escape angle brackets so a hostile
    # title is shown, not interpreted.
    safe_titles = [str(t).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   for t in titles]
    for kind, idx in groups.items():
        marker = {"size": 9 if kind == "talk" else 7,
                      "symbol": "circle" if kind == "talk" else "diamond",
                      "line": {"width": 0.5, "color": "white"}, "opacity": 0.85}
        if numeric:
            marker.update(color=[colors[i] for i in idx], colorscale="Viridis",
                          cmin=min(colors), cmax=max(colors),
                          showscale=kind == "talk" or "talk" not in groups,
                          colorbar={"title": color_title, "tickformat": "d", "dtick": 1})
            fig.add_trace(go.Scatter(
                x=xy[idx, 0], y=xy[idx, 1], mode="markers", name=kind + "s", marker=marker,
                customdata=[ids[i] for i in idx],
                hovertext=[f"{safe_titles[i]} ({colors[i]})" for i in idx],
                hoverinfo="text"))
        else:
            for cat in sorted({str(colors[i]) for i in idx}):
                sub = [i for i in idx if str(colors[i]) == cat]
                fig.add_trace(go.Scatter(
                    x=xy[sub, 0], y=xy[sub, 1], mode="markers", name=f"{cat} ({kind}s)",
                    marker=marker, customdata=[ids[i] for i in sub],
                    hovertext=[safe_titles[i] for i in sub], hoverinfo="text"))
    if selected is not None and selected in ids:
        i = list(ids).index(selected)
        fig.add_trace(go.Scatter(x=[xy[i, 0]], y=[xy[i, 1]], mode="markers",
                                   name="selected", hoverinfo="skip",
                                   marker={"size": 18, "color": "rgba(0,0,0,0)",
                                               "line": {"width": 2, "color": "crimson"}}))
    fig.update_layout(height=620, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      dragmode="pan", plot_bgcolor="rgba(0,0,0,0)")
    return fig


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
