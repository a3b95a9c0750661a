"""Read one arXiv API answer strictly: each entry lands on the id asked for, or on none."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

import arxiv
from arxiv import _feed as arxiv_feed
from lxml import etree

from explorer.domain import Paper

_ATOM = "{http://www.w3.org/2005/Atom}"
_VERSION = re.compile(r"v(\d+)$")
# What arXiv's id grammar allows (versions stripped): an error about such an id that does not
# name it is arXiv's trouble, not the id's.
WELL_FORMED = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Za-z-]+)?/\d{7})(v\d+)?$")
_SHOWN = 3  # foreign ids named in a message


class TransientError(Exception):
    """A failure worth retrying after a backoff (or the server's Retry-After); when retries
    run out on a batch, the batch is kept pending."""

    def __init__(self, reason: str, retry_after: float | None = None, fatal: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.fatal = fatal  # exhausting retries on it stops the run (server-side trouble)


@dataclass
class Answer:
    """One batch's answer, by requested id.

    papers: resolved. rejected: arXiv said the id is wrong (id -> reason). unreadable: arXiv
    sent an entry we cannot trust (id -> reason; kept pending). error: an error entry naming
    none of the ids. foreign: ids of entries nobody asked for (never stored).
    """

    papers: dict[str, Paper]
    rejected: dict[str, str]
    error: str = ""
    unreadable: dict[str, str] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.papers or self.rejected or self.error or self.unreadable)

    def emptiness(self) -> str:
        """Why an empty answer is empty, in words."""
        if not self.foreign:
            return "arXiv answered with no entries"
        more = f" and {len(self.foreign) - _SHOWN} more" if len(self.foreign) > _SHOWN else ""
        return ("arXiv answered only with entries for ids not asked for ("
                + ", ".join(self.foreign[:_SHOWN]) + more + ")")


def canonical(arxiv_id: str) -> str:
    """'cs/0501001v2' -> 'cs/0501001'; 'math.GT/0309136' -> 'math/0309136' (how arXiv
    names old-style papers in its answers)."""
    arxiv_id = _VERSION.sub("", arxiv_id.strip())
    return re.sub(r"^([a-z-]+)\.[A-Za-z-]+/", r"\1/", arxiv_id)


def _version(short_id: str) -> int:
    m = _VERSION.search(short_id)
    return int(m.group(1)) if m else 0


def _names(message: str, arxiv_id: str) -> bool:
    return any(re.search(rf"(?<![\w.]){re.escape(form)}(?![\w])", message)
               for form in {arxiv_id, canonical(arxiv_id)})


def read_feed(content: bytes, ids: list[str]) -> Answer:
    """Parse an answer strictly (the package's parser silently recovers from broken XML),
    then let the package build each entry's Result on its own, so one unreadable entry costs
    only its id. Entries land on the requested ids they name (two cited forms of an
    old-style id both get the paper); the newest version wins a duplicate, and two different
    entries of one version leave the id pending. Error entries reject the ids they name.

    Raises:
        TransientError: not XML, or not an Atom feed.
    """
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False,
                                                         no_network=True))
    except etree.XMLSyntaxError as e:
        raise TransientError(f"malformed XML from arXiv ({e})") from e
    if root is None or root.tag != f"{_ATOM}feed":
        raise TransientError("arXiv's answer is not an Atom feed")
    wanted: dict[str, list[str]] = {}
    for i in ids:
        wanted.setdefault(canonical(i), []).append(i)
    answer = Answer({}, {})
    best: dict[str, tuple[int, Paper | None]] = {}  # id -> (version, paper or None: conflict)
    entries = root.findall(f"{_ATOM}entry")
    for entry in entries:
        root.remove(entry)  # the root becomes the shell each entry is parsed in alone
    for entry in entries:
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        published = entry.find(f"{_ATOM}published") is not None
        if "/api/errors" in entry_id or (not published
                                         and entry.findtext(f"{_ATOM}title") == "Error"):
            message = " ".join((entry.findtext(f"{_ATOM}summary") or "error").split())
            named = [i for i in ids if _names(message, i)]
            for i in named:
                answer.rejected[i] = f"arXiv: {message}"
            answer.error = answer.error or ("" if named else f"arXiv: {message}")
            continue
        if not published:  # the dateless entries once sent for unknown ids are no papers
            continue
        short = entry_id.split("arxiv.org/abs/")[-1]
        requested = wanted.get(canonical(short))
        if not requested:
            answer.foreign.append(short)
            continue
        paper, why = _entry_paper(root, entry, short)
        for i in requested:
            if paper is None:
                answer.unreadable[i] = f"arXiv's entry for {i} could not be read ({why})"
                continue
            version, seen = best.get(i, (-1, None))
            mine = _version(short)
            if mine > version:
                best[i] = (mine, paper)
            elif mine == version and seen is not None and _differs(seen, paper):
                best[i] = (mine, None)
    for i, (version, paper) in best.items():
        answer.unreadable.pop(i, None)  # a readable entry for the id came too
        if paper is None:
            answer.unreadable[i] = (f"arXiv sent two different entries for {i} (version "
                                    f"{version}); neither is taken")
        else:
            answer.papers[i] = _paper(i, paper)
    for i in list(answer.rejected):
        if i in answer.papers or i in answer.unreadable:
            del answer.rejected[i]  # an entry for the id outweighs an error mentioning it
    return answer


def _entry_paper(shell, entry, short: str) -> tuple[Paper | None, str]:
    """The entry as a Paper (id still to be set), or None and why it cannot be used."""
    shell.append(deepcopy(entry))
    try:
        results = arxiv_feed.parse(etree.tostring(shell)).results
    except (ValueError, TypeError, OverflowError) as e:
        return None, f"{type(e).__name__}: {e}"[:200]
    finally:
        shell.remove(shell[-1])
    if not results:
        return None, "an entry without its dates"
    r: arxiv.Result = results[0]
    if not " ".join(r.title.split()):
        return None, "no title"
    categories = [r.primary_category] if r.primary_category else []
    categories += [c for c in r.categories if c not in categories]
    return Paper(
        id=short, version=_version(short) or None, title=" ".join(r.title.split()),
        abstract=" ".join(r.summary.split()), authors=[a.name for a in r.authors],
        categories=categories, published=r.published.date().isoformat(),
        updated=r.updated.date().isoformat(), resolved=True), ""


def _differs(a: Paper, b: Paper) -> bool:
    return (a.title, a.abstract, a.authors) != (b.title, b.abstract, b.authors)


def _paper(arxiv_id: str, p: Paper) -> Paper:
    """The paper under the id it was cited as, with links to that id."""
    return Paper(id=arxiv_id, version=p.version, title=p.title, abstract=p.abstract,
                 authors=p.authors, categories=p.categories, published=p.published,
                 updated=p.updated, abs_url=f"https://arxiv.org/abs/{arxiv_id}",
                 pdf_url=f"https://arxiv.org/pdf/{arxiv_id}", resolved=True)
