"""Find arXiv identifiers in free text (README pages, slide text) without false positives."""

from __future__ import annotations

import re

# Old-style archives (before April 2007): "cs/0501001", "math.GT/0309136".
_OLD_ARCHIVES = (
    "astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nlin|nucl-ex|nucl-th|"
    "physics|quant-ph|math|cs|q-bio|q-fin|stat|econ|eess|cmp-lg|adap-org|alg-geom|"
    "chao-dyn|comp-gas|dg-ga|funct-an|patt-sol|q-alg|solv-int|supr-con|chem-ph|mtrl-th"
)
_ID = (
    rf"(?P<old>(?:{_OLD_ARCHIVES})(?:\.[A-Za-z]{{2}})?/\d{{7}})"
    r"|(?P<new>\d{4}\.\d{4,5})"
)
# An id with an explicit arXiv marker in front of it: a link or the "arXiv:" prefix. Pages
# keyed by the arXiv id count too: Hugging Face papers, alphaXiv, ar5iv, arXiv's DOI
# (10.48550); so does a reference list's 'CoRR, abs/ID' (CoRR is arXiv's computing section).
_MARKED = re.compile(
    rf"(?:(?:arxiv|ar5iv)\.org/(?:abs|pdf|html|format)/|\barxiv\s*:\s*|(?:huggingface\.co|hf\.co)"
    rf"/papers/|alphaxiv\.org/(?:abs|overview|pdf)/|10\.48550/arxiv\.|\bcorr\b[\s,.]*(?:vol\.?"
    rf"\s*)?abs/)(?:{_ID})(?P<ver>v\d+)?",
    re.IGNORECASE,
)
# A bare id: only trusted when the word "arxiv" is near it (see find_arxiv_ids).
_BARE = re.compile(rf"(?<![\w./-])(?:{_ID})(?P<ver>v\d+)?(?![\w/]|\.\d)")
_NEAR = 80  # characters either side in which a bare id needs to see the word "arxiv"
_CONTEXT = 100  # characters either side kept as the mention's context


def _valid_new(ident: str) -> bool:
    """'1706.03762' -> True; '2019.10123' (month 10 of year 2019?) -> False: month must be 01-12
    and the 4-digit form only existed before 2015."""
    yymm, num = ident.split(".")
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        return False
    if len(num) == 4:
        return int(yymm) < 1501
    return int(yymm) >= 1501


def _context(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - _CONTEXT), end + _CONTEXT
    # Widen to whole words: a context that starts mid-word reads as garbage in the app.
    while lo > 0 and not text[lo - 1].isspace() and start - lo < _CONTEXT + 30:
        lo -= 1
    while hi < len(text) and not text[hi].isspace() and hi - end < _CONTEXT + 30:
        hi += 1
    return " ".join(text[lo:hi].split())


def find_arxiv_ids(text: str) -> list[tuple[str, str]]:
    """arXiv ids mentioned in ``text``, versions stripped, first mention of each kept.

    Example: "see arxiv.org/abs/1706.03762v2 and arXiv:cs/0501001" ->
    [("1706.03762", "see arxiv.org/abs/..."), ("cs/0501001", "...")]

    Args:
        text: any text; ids count only with an arXiv link, an ``arXiv:`` prefix, or the word
            "arxiv" close by (so dates like 2019.10 or version numbers are not taken).

    Returns:
        (id, context) pairs in order of first appearance; context is ~200 characters with
        whitespace collapsed.
    """
    found: dict[str, tuple[int, str]] = {}
    spans: list[tuple[int, int]] = []

    def add(m: re.Match, start: int) -> None:
        ident = m.group("old") or m.group("new")
        if m.group("new") and not _valid_new(ident):
            return
        if m.group("old"):
            archive, _, num = ident.partition("/")
            ident = f"{archive.split('.')[0].lower()}{archive[len(archive.split('.')[0]):]}/{num}"
        if ident not in found or start < found[ident][0]:
            found[ident] = (start, _context(text, m.start(), m.end()))

    for m in _MARKED.finditer(text):
        spans.append((m.start(), m.end()))
        add(m, m.start())
    lower = text.lower()
    for m in _BARE.finditer(text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        window = lower[max(0, m.start() - _NEAR): m.end() + _NEAR]
        if "arxiv" in window:
            add(m, m.start())
    return [(i, ctx) for i, (_, ctx) in sorted(found.items(), key=lambda kv: kv[1][0])]


def citing_phrase(context: str, arxiv_id: str, width: int = 100) -> str:
    """The phrase just before an arXiv id in its citing text: the best title an unresolved
    paper has; "" when what stands there is no phrase (a formula, a bare link).

    Example: ('... ### Hot Topics - Protein folding of residues (arXiv:2405.08001) - X',
    '2405.08001') -> 'Protein folding of residues'. Without the id in the text, the text.
    """
    text = " ".join(context.split())
    at = text.lower().find(arxiv_id.lower())
    if at < 0:
        return text[:width]
    before = re.sub(r"[\s(\[<:]*(?:arxiv[:\s]*|https?://\S*)?$", "", text[:at],
                    flags=re.IGNORECASE)
    phrase = re.split(r"\s[-*•#|]+\s|[.!?;]\s|\n", before)[-1]
    phrase = re.sub(r"<?https?://\S+>?", " ", phrase)  # other links in the same line
    phrase = " ".join(phrase.split()).strip(" -:([<#*•")
    phrase = re.sub(r"^[^A-Za-z]+", "", phrase)  # list numbers, stray emphasis: "3.** Title"
    letters = sum(c.isalpha() or c == " " for c in phrase)
    if not phrase or "\\" in phrase or "$" in phrase or letters < 0.8 * len(phrase):
        return ""  # slide text extracted from formulas and tables is no title
    return phrase[-width:]
