"""Exact matches that rank first (an arXiv id, a title, a speaker) and the relevance floor.

The floor: a hit is "close" when its dense cosine to the query is at least the corpus's
noise floor (the median cosine between two items, `fusion.noise_floor`) or its text holds at
least `MIN_COVERAGE` of the query's idf mass (`LexicalIndex.coverage`). Off-domain queries
("quantum knitting patterns for sheep") reach 0.08-0.16 cosine against this archive, judged
on-domain queries 0.23-0.97 for their best talk; names, labs and event names are found by
coverage (or as an exact speaker match) though their cosine is near zero.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from explorer.ingest.people import FIRST_NAME_VARIANTS as FIRST_NAMES
from explorer.ingest.people import person_key

MIN_COVERAGE = 0.5
# A query that is part of a title counts as that title when it is this long (in words):
# "attention is all you need" is a title, "deep learning" is not.
MIN_TITLE_WORDS = 4
# New-style (2101.00001, optional version) and old-style (hep-th/9901001) arXiv ids: bare,
# after "arXiv:", in a link (arxiv.org/pdf/ID.pdf, huggingface.co/papers/ID) or in arXiv's
# DOI (10.48550/arXiv.ID), and at the end of a sentence ("about 1706.03762?").
_ARXIV = re.compile(r"(?:(?<=arxiv\.)|(?<![\w.]))(\d{4}\.\d{4,5}|[a-z][a-z.-]+/\d{7})(?:v\d+)?"
                    r"(?=\.pdf\b|\.?(?![\w.]))", re.IGNORECASE)
# A link or DOI around an id: only the id is a query word ("https", "abs", "papers" are not).
_ID_LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:(?:arxiv|alphaxiv)\.org/[a-z]+/|"
                      r"(?:huggingface|hf)\.co/papers/|(?:doi\.org/)?10\.48550/arxiv\.|"
                      r"arxiv\s*:\s*)(?=\d{4}\.\d{4,5}|[a-z][a-z.-]+/\d{7})", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+")
# Words around a name in a query for someone's talks: "talks by Jan Schlüter".
_NAME_CONTEXT = frozenset(["talk", "talks", "by", "from", "of", "and", "with", "speaker",
                           "speakers", "slides", "all", "the"])
# A one-word query names a person by surname only when it is this long and in no title.
MIN_SURNAME = 4


def fold(text: str) -> str:
    """Lower-case, accent-free words joined by single spaces: 'Stable Diffusion 3:' ->
    'stable diffusion 3'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(_WORDS.findall(text.lower()))


def arxiv_ids(query: str) -> list[str]:
    """The arXiv ids a query names, without version: 'see 1706.03762v5' -> ['1706.03762']."""
    return [m.group(1).lower() if "/" in m.group(1) else m.group(1)
            for m in _ARXIV.finditer(query)]


def plain_ids(query: str) -> str:
    """A query with its arXiv links cut down to the ids, for scoring by words and meaning:
    'https://arxiv.org/pdf/1706.03762v5.pdf' -> '1706.03762' (link words such as "https",
    "abs" or "papers" match every cited paper's text, not the paper asked for)."""
    out = _ID_LINK.sub("", query)
    return _ARXIV.sub(lambda m: m.group(1), re.sub(r"(?<=\d)(v\d+)?\.pdf\b", "", out))


def _name_words(query: str) -> list[str]:
    """A query's words folded as names are ('Nakamura-Øster' -> 'nakamura-oster')."""
    return [w for part in re.split(r"[\s,;:!?()\"]+", query) if part
            for w in person_key(part).split()]


class ExactIndex:
    """Items by arXiv id, folded title and speaker (`person_key`), for exact look-ups.

    Args:
        ids, titles: per item.
        speakers: per item, the names of its speakers (papers: none).
        cites: per item, the arXiv ids it cites (a talk citing the id a query names is an
            exact match too, after the paper itself).
    """

    def __init__(self, ids: Sequence[str], titles: Sequence[str],
                 speakers: Sequence[Sequence[str]],
                 cites: Sequence[Sequence[str]] | None = None):
        self._arxiv: dict[str, int] = {}
        self._citing: dict[str, list[int]] = {}
        for i, cited in enumerate(cites or []):
            for a in cited:
                self._citing.setdefault(a.lower(), []).append(i)
        self._titles: dict[str, list[int]] = {}
        self._people: dict[str, list[int]] = {}
        self._folded = [fold(t) for t in titles]
        # the main title before a subtitle ('A: B', 'A - B', 'A – B'); '' when there is none
        self._main = [fold(m[1]) if (m := re.match(r"(.{3,}?)\s*(?::|\s[-–—]\s)\s*\S", t))
                      else "" for t in titles]
        for i, (item_id, title) in enumerate(zip(ids, self._folded)):
            if item_id.lower().startswith("arxiv:"):
                self._arxiv[item_id[6:].lower()] = i
            if title:
                self._titles.setdefault(title, []).append(i)
            for name in speakers[i]:
                key = person_key(name)
                if len(key.split()) >= 2:  # one word ("Intro", a lab) is not a person
                    self._people.setdefault(key, []).append(i)
        self._longest = max((len(k.split()) for k in self._people), default=0)
        title_words = {w for t in self._folded for w in t.split()}
        self._surnames: dict[str, list[str]] = {}  # a surname in no title -> its people
        for key in self._people:
            last = key.split()[-1]
            if len(last) >= MIN_SURNAME and fold(last) not in title_words:
                self._surnames.setdefault(last, []).append(key)

    def people_in(self, query: str) -> list[str]:
        """The person keys a query names, any spelling the people model knows: 'talks by
        jan schluter', 'Schlüter, Jan' (last name first), or a surname alone ('Schlueter')
        when it is in no title."""
        raw = re.findall(r"[^\s,;:!?()\"]+", query)
        found: list[str] = []
        for n in range(min(self._longest, len(raw)), 1, -1):
            for s in range(len(raw) - n + 1):
                key = person_key(" ".join(raw[s:s + n]))
                if key in self._people and key not in found:
                    found.append(key)
        for before, first in re.findall(r"([^,;]+),\s*([^\s,;]+)", query):
            last = before.split()
            for n in (1, 2):  # "Schlüter, Jan", "talks by Nakamura Øster, Wei"
                key = person_key(f"{first} {' '.join(last[-n:])}")
                if len(last) >= n and key in self._people and key not in found:
                    found.append(key)
        rest = [w for w in _name_words(query) if w not in _NAME_CONTEXT]
        if not found and len(rest) == 1:  # "Schlueter": the whole query is a surname
            found += self._surnames.get(person_key(rest[0]), [])
        return found

    def names_only(self, query: str) -> bool:
        """Whether the query is nothing but the names of people it names ('talks by Jan
        Schlüter', 'Lidy, Thomas'): its meaning is then no guide, only names are."""
        keys = self.people_in(query)
        if not keys:
            return False
        named = {w for k in keys for w in k.split()}
        return all(w in _NAME_CONTEXT or person_key(w) in named
                   or FIRST_NAMES.get(w) in named for w in _name_words(query))

    def titled(self, query: str) -> tuple[list[int], list[int]]:
        """The items the query is the title of: (those whose whole title it is, those whose
        main title it is, before a subtitle: 'Sparse routing' for 'Sparse routing: lessons
        from production'). A few words inside a longer title name nothing here.

        Example: 'Mixture of Experts' -> ([the talks titled 'Mixture of Experts'], []).
        """
        q = fold(query)
        if not q:
            return [], []
        whole = list(self._titles.get(q, []))
        main = [i for i, t in enumerate(self._main) if t == q and i not in whole]
        return whole, main

    def matches(self, query: str) -> list[int]:
        """Positions of the items the query names exactly, strongest first.

        An arXiv id (the paper, then the talks citing it), then an item whose whole title
        is the query, then the talks of a speaker the query names, then items whose title
        contains a long query.
        """
        out: list[int] = []
        ids = [a.lower() for a in arxiv_ids(query)]
        out += [self._arxiv[a] for a in ids if a in self._arxiv]
        out += [i for a in ids for i in self._citing.get(a, [])]  # the talks citing it
        q = fold(query)
        out += self._titles.get(q, [])
        for key in self.people_in(query):
            out += self._people[key]
        if len(q.split()) >= MIN_TITLE_WORDS:
            out += [i for i, t in enumerate(self._folded) if f" {q} " in f" {t} "]
        return list(dict.fromkeys(out))


def above_floor(dense: np.ndarray, coverage: np.ndarray, floor: float,
                min_coverage: float = MIN_COVERAGE) -> np.ndarray:
    """Which items clear the relevance floor: cosine >= floor, or enough query words."""
    d = np.where(np.isfinite(dense), dense, -np.inf)
    return (d >= floor) | (coverage >= min_coverage)
