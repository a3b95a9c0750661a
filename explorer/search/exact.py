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

from explorer.ingest.people import person_key

MIN_COVERAGE = 0.5
# A query that is part of a title counts as that title when it is this long (in words):
# "attention is all you need" is a title, "deep learning" is not.
MIN_TITLE_WORDS = 4
# New-style (2101.00001, optional version) and old-style (hep-th/9901001) arXiv ids.
_ARXIV = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5}|[a-z][a-z.-]+/\d{7})(?:v\d+)?(?![\w.])",
                    re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, accent-free words joined by single spaces: 'Stable Diffusion 3:' ->
    'stable diffusion 3'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(_WORDS.findall(text.lower()))


def arxiv_ids(query: str) -> list[str]:
    """The arXiv ids a query names, without version: 'see 1706.03762v5' -> ['1706.03762']."""
    return [m.group(1).lower() if "/" in m.group(1) else m.group(1)
            for m in _ARXIV.finditer(query)]


class ExactIndex:
    """Items by arXiv id, folded title and speaker (`person_key`), for exact look-ups.

    Args:
        ids, titles: per item.
        speakers: per item, the names of its speakers (papers: none).
    """

    def __init__(self, ids: Sequence[str], titles: Sequence[str],
                 speakers: Sequence[Sequence[str]]):
        self._arxiv: dict[str, int] = {}
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

    def people_in(self, query: str) -> list[str]:
        """The person keys a query names, any spelling ('talks by jan schluter')."""
        raw = re.findall(r"[^\s,;:!?()\"]+", query)
        found: list[str] = []
        for n in range(min(self._longest, len(raw)), 1, -1):
            for s in range(len(raw) - n + 1):
                key = person_key(" ".join(raw[s:s + n]))
                if key in self._people and key not in found:
                    found.append(key)
        return found

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

        An arXiv id, then an item whose whole title is the query, then the talks of a
        speaker the query names, then items whose title contains a long query.
        """
        out: list[int] = []
        for a in arxiv_ids(query):
            if a.lower() in self._arxiv:
                out.append(self._arxiv[a.lower()])
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
