"""Search the field: nearest field papers to a query, a talk or a paper; scopes for the API.

Papers are read from field.sqlite by row number for the hits only: nothing loads the field.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import numpy as np

from explorer.domain import Hit
from explorer.field.index import FieldIndex
from explorer.search.fusion import parse_years
from explorer.search.lexical import expand_query
from explorer.store.fieldstore import FieldStore

FIELD_KIND = "field"
SCOPES = ("archive", "field", "all")
_OVERSAMPLE = 10  # candidates per wanted hit when a date filter drops some
T = TypeVar("T")


def _read(fs: FieldStore, query: Callable[[], T]) -> T:
    """Run a read of field.sqlite; a damaged file becomes a StoreError naming it (not the
    archive's database, which a rollback could heal: the field has no generations)."""
    from explorer.store import StoreError

    try:
        return query()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{fs.root / 'field.sqlite'} is damaged ({e}): move it away, then run "
                         "`explorer field import` and `explorer field build` again") from e


def field_hit(row: dict, score: float) -> Hit:
    return Hit(id=f"arxiv:{row['id']}", kind=FIELD_KIND, title=row["title"], meetup=None,
               date=row["created"], score=round(float(score), 6),
               url=f"https://arxiv.org/abs/{row['id']}")


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    return scope


class FieldSearch:
    """The field's store, index and (shared) query encoder.

    Example:
        >>> fsr = FieldSearch.open("data", encoder)
        >>> fsr.search_vector(encoder.encode(["graph networks"])[0], k=5, after="2020-01-01")
    """

    def __init__(self, fs: FieldStore, index: FieldIndex, encoder=None):
        self.fs, self.index, self.encoder = fs, index, encoder

    @classmethod
    def open(cls, data_dir: str | os.PathLike | None = None, encoder=None,
             root: str | os.PathLike | None = None) -> FieldSearch:
        """Open the field of a data dir; its index must be built with the encoder's model.

        Raises:
            explorer.store.StoreError: no field imported.
            embeddings.index.IndexMissing / IndexMismatch: no field index, or another model.
        """
        fs = FieldStore.open(data_dir, create=False, root=root)
        try:
            index = FieldIndex.load(fs, expect_model=getattr(encoder, "model_id", None))
        except BaseException:
            fs.close()
            raise
        if encoder is None:
            from embeddings.encoder import get_encoder

            encoder = get_encoder(index.model)
        return cls(fs, index, encoder)

    def close(self) -> None:
        self.fs.close()

    def paper(self, paper_id: str) -> dict | None:
        """The field row of an arXiv id ('arxiv:' prefix allowed), or None."""
        pid = paper_id.removeprefix("arxiv:")
        return _read(self.fs, lambda: self.fs.papers_by_id([pid])).get(pid)

    def search_vector(self, vector: np.ndarray, k: int = 10, before: str | None = None,
                      after: str | None = None, exclude: str | None = None) -> list[Hit]:
        """Field papers nearest a unit vector, best first.

        Args:
            before, after: YYYY-MM-DD; keep papers first submitted before / on or after it.
            exclude: an arXiv id to leave out (the paper itself).
        """
        if k < 1 or self.index.count == 0:
            return []
        want = k + (1 if exclude else 0)
        ask = want if before is None and after is None else want * _OVERSAMPLE
        while True:
            scores, ns = self.index.search(np.asarray(vector, dtype=np.float32), ask)
            keep = ns[0] >= 0
            found = [int(n) for n in ns[0][keep]]
            rows = _read(self.fs, partial(self.fs.papers_by_n, found))
            if len(rows) < int(keep.sum()):  # papers are never removed: index or db damaged
                from explorer.store import StoreError

                raise StoreError(f"the field index in {self.fs.root} names papers that "
                                 f"{self.fs.root / 'field.sqlite'} lacks (replaced or damaged):"
                                 " run `explorer field build` (after `explorer field import` "
                                 "if the papers are gone)")
            hits = []
            for n, s in zip(ns[0][keep], scores[0][keep]):
                row = rows.get(int(n))
                if row is None or row["id"] == (exclude or "").removeprefix("arxiv:"):
                    continue
                created = row["created"] or ""
                if (before and created >= before) or (after and created < after):
                    continue
                hits.append(field_hit(row, s))
            if len(hits) >= k or ask >= self.index.count or ask >= 5000:
                return hits[:k]
            ask *= 4  # the filter dropped too many: look further

    def search(self, query: str, k: int = 10, before: str | None = None,
               after: str | None = None) -> list[Hit]:
        """Field papers nearest a free-text query (dense cosine)."""
        if not query.strip():
            return []
        return self.search_vector(self.encoder.encode([query])[0], k, before, after)

    def related(self, paper_id: str, k: int = 10, before: str | None = None,
                after: str | None = None) -> list[Hit]:
        """Field papers nearest a field paper (never itself).

        Raises:
            KeyError: the id is not in the field, or has no vector for the index's model.
        """
        pid = paper_id.removeprefix("arxiv:")
        vec = _read(self.fs, lambda: self.fs.vector_of(self.index.model, pid))
        if vec is None:
            raise KeyError(f"no field paper {paper_id!r} with a vector for {self.index.model} "
                           "(import it and run `explorer field build`)")
        return self.search_vector(vec, k, before, after, exclude=pid)


def merge(a: list[Hit], b: list[Hit], k: int) -> list[Hit]:
    """Two lists of cosine-scored hits as one, best first."""
    return sorted(a + b, key=lambda h: -h.score)[:k]


def scoped_search(ex, query: str, k: int = 10, kind: str | None = None, mode: str = "hybrid",
                  years=None, meetup=None, scope: str = "archive") -> list[Hit]:
    """`Explorer.search` over the archive, the field, or both (see there)."""
    check_scope(scope)
    if scope == "archive":
        return ex.engine.search(query, k=k, kind=kind, mode=mode, years=years, meetup=meetup)
    if mode == "bm25":
        raise ValueError("the field is searched by meaning only: use --mode dense or hybrid "
                         "with --scope field or all")
    if scope == "field" and (kind not in (None, "field") or meetup is not None):
        raise ValueError("the field holds arXiv papers only, no talks and no meetups: drop "
                         "--kind/--meetup, or use --scope archive")
    field: list[Hit] = []
    if kind in (None, "field") and meetup is None:  # a talk or meetup filter excludes it
        span = parse_years(years)
        after, before = (f"{span[0]}-01-01", f"{span[1] + 1}-01-01") if span else (None, None)
        # The same query text as the archive's side, so the merged cosines compare.
        field = ex.field().search(expand_query(query), k=k, before=before, after=after)
    if scope == "field":
        return field
    archive = ex.engine.search(query, k=k, kind=kind, mode="dense", years=years, meetup=meetup)
    return merge(archive, field, k)


def scoped_related(ex, item_id: str, k: int = 10, scope: str = "field",
                   before: str | None = None, after: str | None = None) -> list[Hit]:
    """Field papers nearest an archive item (talk or cited paper) or a field paper.

    Raises:
        KeyError: the id is neither in the archive's index nor in the field.
    """
    if check_scope(scope) != "field":
        raise ValueError("related items: scope is 'archive' or 'field'")
    field = ex.field()
    try:
        item = ex.engine.item(item_id)
    except KeyError:
        return field.related(item_id, k=k, before=before, after=after)
    vec = ex.engine.vectors[ex.engine.pos[item.id]]
    same = item.id.removeprefix("arxiv:") if item.kind == "paper" else None
    return field.search_vector(vec, k, before, after, exclude=same)
