"""Archive text made readable on cards: Markdown stripped, query words found and highlighted."""

from __future__ import annotations

import re

# Characters that Markdown (CommonMark + Streamlit's extensions) gives a meaning to. Archive
# and arXiv text is shown with st.markdown only after escaping these, so a title cannot
# become a link, an image, a heading or a LaTeX block.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Markdown and HTML that archive pages carry into abstracts and slide text; a card shows
# the words, not the markup ("**Fig. 3.**" -> "Fig. 3.", "<http://x>" -> "").
_STRIP = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # links -> their text
    (re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>", re.IGNORECASE), " "),  # autolinks
    (re.compile(r"</?[A-Za-z][^>]{0,200}>"), " "),  # HTML tags
    (re.compile(r"https?://\S+", re.IGNORECASE), " "),  # bare URLs
    (re.compile(r"(?m)^\s{0,3}#{1,6}\s*|\s#{2,}(?=\s|$)|(?<=\s)#{1,6}\s+"), " "),  # headings
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"`+"), ""),  # code spans
    (re.compile(r"(?m)^\s*(?:[-*+>]|\d+\.)\s+"), ""),  # list bullets, quotes
    (re.compile(r"\s[-*+]\s(?=\S)"), " "),  # bullets run into one line by earlier folding
    (re.compile(r"\|"), " "),  # table cells
    (re.compile(r"\*{2,}|_{2,}|~~|={3,}|-{3,}"), " "),  # leftover emphasis and rules
]


def plain_text(text: object) -> str:
    """Archive Markdown/HTML as plain words, whitespace collapsed.

    Example:
        >>> plain_text("**Fig. 3.** see <http://x.org> and [the paper](http://y.org) # Notes ##")
        'Fig. 3. see and the paper Notes'
    """
    s = "" if text is None else str(text)
    for pattern, repl in _STRIP:
        s = pattern.sub(repl, s)
    return re.sub(r"\s+", " ", s).strip()


def escape_md(text: object) -> str:
    """Text with Markdown special characters backslash-escaped, newlines folded to spaces.

    Example:
        ``escape_md("*hi* [x](y)")`` gives ``\\*hi\\* \\[x\\]\\(y\\)``, shown as typed.
    """
    s = "" if text is None else str(text)
    s = _CONTROL.sub(" ", s)
    return _MD_SPECIAL.sub(r"\\\1", s)


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
    first = first_match(t, query)
    start = max(0, first - width // 3) if first >= 0 else 0
    start = min(start, len(t) - width)
    if start > 0:  # begin at a word boundary
        space = t.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(t), start + width)
    if end < len(t):
        space = t.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start > 0 else "") + t[start:end].strip() + ("…" if end < len(t) else "")


def _stems(query: str | None) -> list[str]:
    # "transformers" should find "transformer" and "Transformer-based": match on a stem.
    out = []
    for t in query_terms(query):
        stem = t[:-1] if len(t) > 4 and t.endswith("s") else t
        if stem not in out:
            out.append(stem)
    return out


def match_pattern(query: str | None) -> re.Pattern | None:
    """A case-insensitive pattern for the words that start with a query term's stem."""
    stems = _stems(query)
    if not stems:
        return None
    alts = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alts})[A-Za-z0-9]*", re.IGNORECASE)


def first_match(text: str, query: str | None) -> int:
    """Index of the first query word in text, -1 if none."""
    pattern = match_pattern(query)
    m = pattern.search(text) if pattern else None
    return m.start() if m else -1


def highlight_md(text: str, query: str | None) -> str:
    """Escaped Markdown of plain text with the query's words in bold.

    Every character of ``text`` is escaped (`escape_md`), so the only markup is the bold
    this function adds: archive text never becomes a link, HTML or a heading.

    Example:
        >>> highlight_md("Graph *nets* for graphs", "graph")
        '**Graph** \\\\*nets\\\\* for **graphs**'
    """
    pattern = match_pattern(query)
    if not pattern:
        return escape_md(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape_md(text[last:m.start()]))
        out.append(f"**{escape_md(m.group(0))}**")
        last = m.end()
    out.append(escape_md(text[last:]))
    return "".join(out)
