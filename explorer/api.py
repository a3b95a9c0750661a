"""The Python API: ``ex = explorer.open()``, then search, related items, talks and papers.

Example:
    >>> import explorer
    >>> ex = explorer.open()                      # the index built by `explorer build`
    >>> [h.title for h in ex.search("speech synthesis", k=3)]
    >>> ex.talks().query("meetup == 57")[["title", "speakers"]]
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

import numpy as np

from explorer.domain import CANCELLED, INTRO, Hit
from explorer.field.radar_api import FieldRadar
from explorer.insights.api import Insights
from explorer.search import DEFAULT_FUSION, Fusion, SearchEngine
from explorer.search.items import PAPER_KIND, bare_arxiv_id
from explorer.store import Store, date_sources
from explorer.store.datadir import moved_on, read_current

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Explorer", "open"]

TALK_COLUMNS = ["id", "meetup", "date", "title", "speakers", "affiliations", "abstract", "url",
                "slides_url", "video_url", "kind", "bio"]
PAPER_COLUMNS = ["id", "version", "title", "abstract", "authors", "categories", "published",
                 "resolved", "reason", "cited_in"]
MEETUP_COLUMNS = ["key", "label", "number", "title", "date", "date_source", "venue", "url",
                  "talks"]
PEOPLE_COLUMNS = ["id", "key", "name", "aliases", "talks", "meetups"]


class Explorer(Insights, FieldRadar):
    """One data dir opened for reading: its store and its search engine.

    Thread-safe for reading (the app shares one instance): the engine is never mutated and
    the tables are read once, under a lock.
    """

    def __init__(self, store: Store, engine: SearchEngine):
        self.store = store
        self.engine = engine
        self._lock = threading.Lock()
        self._tables: dict[str, pd.DataFrame] = {}
        self._themes = None  # the ThemeAssignment, computed on first use
        self._topic_prior = None  # hybrid search's TopicPrior, from the themes on first use

    @property
    def data_dir(self) -> os.PathLike:
        return self.store.data_dir

    @property
    def generation(self) -> str | None:
        """The build this explorer reads (None for a data dir without generations)."""
        return self.store.generation

    def stale(self) -> bool:
        """Whether a newer build became current since this was opened (`explorer.open()`
        again reads it; this one keeps answering from its own build)."""
        return moved_on(self.store)

    @property
    def model(self) -> str:
        """The model the index was built with (and queries are embedded with)."""
        return self.engine.encoder.model_id

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for texts, with the index's model (e.g. topic label terms)."""
        return self.engine.encoder.encode(list(texts))

    # -- search ----------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, kind: str | None = None, mode: str = "hybrid",
               years=None, meetup=None, scope: str = "archive",
               include_weak: bool = False, exact: bool = True) -> list[Hit]:
        """Talks and papers matching a query (see `SearchEngine.search`).

        Args:
            query: free text.
            k: most hits.
            kind: "talk", "paper" or None for both.
            mode: "hybrid", "dense" or "bm25".
            years: 2019, "2019-2023" or (2019, 2023).
            meetup: a meetup label (57 or "AI").
            scope: "archive" (talks and cited papers), "field" (arXiv papers imported with
                `explorer field import`, kind "field") or "all" (both, ranked by cosine:
                the archive's fused scores are not comparable with the field's).
            include_weak: also return the nearest hits below the relevance floor (marked
                ``match="weak"``); by default an off-domain query returns (almost) nothing.
            exact: rank what the query names exactly (arXiv id, title, speaker) first.

        Returns:
            `Hit`s, best first; exact matches (arXiv id, title, speaker) first.
        """
        if scope != "archive":
            from explorer.field.search import scoped_search

            return scoped_search(self, query, k=k, kind=kind, mode=mode, years=years,
                                 meetup=meetup, scope=scope)
        return self.engine.search(query, k=k, kind=kind, mode=mode, years=years, meetup=meetup,
                                  include_weak=include_weak, exact=exact,
                                  topics=self.topic_prior() if mode == "hybrid" else None)

    def field(self):
        """The field's `FieldSearch` (opened on first use, with the archive's encoder).

        Raises:
            explorer.store.StoreError / embeddings.index.VectorIndexError: no field yet.
        """
        from explorer.field.search import FieldSearch
        from explorer.store.fieldstore import field_dir

        with self._lock:  # opened on first use, again after `explorer field build`
            self._refresh_field()
            if getattr(self, "_field", None) is None:
                self._field = FieldSearch.open(encoder=self.engine.encoder,
                                               root=field_dir(self.store.data_dir))
            return self._field

    def related(self, item_id: str, k: int = 10, kind: str | None = None,
                same_meetup: bool = False, scope: str = "archive", before: str | None = None,
                after: str | None = None) -> list[Hit]:
        """Talks and papers closest to a talk or paper; talks of its own meetup left out.

        Args:
            item_id: a talk id ("m57-...") or paper id ("arxiv:1706.03762" or bare).
            k: most hits.
            kind: "talk", "paper" or None for both.
            same_meetup: keep talks of the item's own meetup.
            scope: "archive", or "field": the nearest field papers to a talk, a cited paper
                or a field paper ("arxiv:<id>").
            before, after: YYYY-MM-DD bounds on a field paper's first submission.

        Returns:
            `Hit`s by cosine similarity, never the item itself.
        """
        if scope != "archive":
            from explorer.field.search import scoped_related

            return scoped_related(self, item_id, k=k, scope=scope, before=before, after=after)
        return self.engine.related(item_id, k=k, kind=kind, same_meetup=same_meetup)

    def reasons(self, a_id: str, b_id: str, n: int = 3) -> list:
        """Why two items are related, strongest first (`explorer.search.reasons.Reason`s): a
        cited paper they share, key phrases they share, else a theme both are in."""
        out = list(self.engine.reasons(a_id, b_id, n=n))
        label = "" if out else self._shared_topic(a_id, b_id)
        if label:
            from explorer.search.reasons import Reason

            out.append(Reason("topic", f"Both on the theme “{label}”", (label,)))
        return out

    def why_related(self, a_id: str, b_id: str) -> str:
        """One line for a related card: the strongest of `reasons`, else what is true of any
        listed item: the model puts it near (no claim that it is close: on a small archive or
        for a talk without abstract the nearest items may be far)."""
        found = self.reasons(a_id, b_id)
        return found[0].text if found else ("Nearest in meaning by the model (no shared key "
                                            "phrase, cited paper or theme)")

    def shared_terms(self, a_id: str, b_id: str, n: int = 3) -> list[str]:
        """Up to n key words two items share, rarest first (why they are related)."""
        return self.engine.reason(a_id, b_id, n=n)

    def item_text(self, item_id: str) -> str:
        """The text an item was embedded as."""
        return self.engine.item(item_id).text

    def vectors(self) -> tuple[list[str], list[str], np.ndarray]:
        """(item ids, kinds "talk"/"paper", float32 unit vectors (n, dim)) in index order."""
        items = self.engine.items
        return [it.id for it in items], [it.kind for it in items], self.engine.vectors.copy()

    # -- tables ----------------------------------------------------------------------------
    def _table(self, name: str) -> pd.DataFrame:
        with self._lock:
            if name not in self._tables:
                self._tables[name] = _TABLES[name](self.store)
            return self._tables[name].copy()

    def talks(self) -> pd.DataFrame:
        """Every talk slot (intro and cancelled ones too), columns as `explorer talks --json`."""
        return self._table("talks")

    def papers(self) -> pd.DataFrame:
        """Every cited paper, columns as `explorer papers --json` (ids without 'arxiv:')."""
        return self._table("papers")

    def meetups(self) -> pd.DataFrame:
        """Meetups in date order: key, label, number, title, date, date_source, venue, url,
        talks. ``date_source`` says where the date came from: "table" (the root README),
        "page" (the meetup's page), "inferred" (the page gave day and month; the year is the
        one between its neighbours'), "none"; None for a build from before it was recorded."""
        return self._table("meetups")

    def talk(self, talk_id: str) -> dict:
        """The `explorer talks --json` record of a talk.

        Raises:
            KeyError: no talk with that id.
        """
        rows = self.talks()
        row = rows[rows["id"] == talk_id]
        if row.empty:
            raise KeyError(f"no talk {talk_id!r} in {self.data_dir}")
        return row.iloc[0].to_dict()

    def paper(self, paper_id: str) -> dict:
        """The `explorer papers --json` record of a paper ('arxiv:<id>' or bare id).

        Raises:
            KeyError: no cited paper with that id.
        """
        rows = self.papers()
        row = rows[rows["id"] == bare_arxiv_id(paper_id)]
        if row.empty:
            raise KeyError(f"no cited paper {paper_id!r} in {self.data_dir}")
        return row.iloc[0].to_dict()

    # -- people (explorer/ingest/people.py) ---------------------------------------------------
    def people(self) -> pd.DataFrame:
        """One row per speaker: id, name, aliases (every spelling), talks (ids), meetups."""
        return self._table("people")

    def person(self, name: str) -> dict | None:
        """The person a name means, under any spelling the people model knows, or None.

        Example: ``ex.person("Jan Schluter")["name"] == "Jan Schlüter"``.
        """
        from explorer.ingest.people import person_key

        key = person_key(name)
        rows = self.people()
        row = rows[(rows["key"] == key) | (rows["id"] == name)] if key else rows.iloc[0:0]
        return None if row.empty else row.iloc[0].to_dict()

    def talks_by(self, name: str) -> pd.DataFrame:
        """Every talk slot naming this person under any spelling, in date order."""
        who = self.person(name)
        rows = self.talks()
        if who is None:
            return rows.iloc[0:0]
        return rows[rows["id"].isin(who["talks"])].sort_values("date", kind="stable")

    def hit_record(self, hit: Hit) -> dict:
        """The full talk or paper record behind a hit."""
        return self.paper(hit.id) if hit.kind == PAPER_KIND else self.talk(hit.id)

    def close(self) -> None:
        if getattr(self, "_field", None) is not None:
            self._field.close()
        self.store.close()

    def __repr__(self) -> str:
        return (f"Explorer(data_dir={str(self.data_dir)!r}, model={self.model!r}, "
                f"items={len(self.engine.items)})")


def _talks_frame(store: Store) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(store.talk_records(), columns=TALK_COLUMNS)


def _papers_frame(store: Store) -> pd.DataFrame:
    import pandas as pd

    from explorer.papers import papers_records

    records = papers_records(store)
    extra = [c for c in (records[0] if records else {}) if c not in PAPER_COLUMNS]
    return pd.DataFrame(records, columns=PAPER_COLUMNS + extra)


def _people_frame(store: Store) -> pd.DataFrame:
    import pandas as pd

    from explorer.ingest.people import group_people, person_key

    records = store.talk_records()
    people = group_people(s for r in records for s in r["speakers"])
    talks: dict[str, list[str]] = {p.key: [] for p in people}
    meetups: dict[str, list] = {p.key: [] for p in people}
    for r in records:
        for key in dict.fromkeys(person_key(s) for s in r["speakers"]):
            if key in talks:
                talks[key].append(r["id"])
                if r["meetup"] not in meetups[key]:
                    meetups[key].append(r["meetup"])
    return pd.DataFrame([{"id": p.id, "key": p.key, "name": p.name, "aliases": list(p.aliases),
                          "talks": talks[p.key], "meetups": meetups[p.key]} for p in people],
                        columns=PEOPLE_COLUMNS)


def _meetups_frame(store: Store) -> pd.DataFrame:
    import pandas as pd

    counts: dict[str, int] = {}
    for t in store.talks():
        if t.kind not in (INTRO, CANCELLED):
            counts[t.meetup_key] = counts.get(t.meetup_key, 0) + 1
    sources = date_sources(store)
    rows = [{"key": m.key, "label": m.label, "number": m.number, "title": m.title,
             "date": m.date, "date_source": sources.get(m.key), "venue": m.venue,
             "url": m.page_url, "talks": counts.get(m.key, 0)} for m in store.meetups()]
    return pd.DataFrame(rows, columns=MEETUP_COLUMNS)


_TABLES = {"talks": _talks_frame, "papers": _papers_frame, "meetups": _meetups_frame,
           "people": _people_frame}


def open(data_dir: str | os.PathLike | None = None, model: str | None = None,
         fusion: Fusion = DEFAULT_FUSION) -> Explorer:
    """Open a built data dir for searching.

    Args:
        data_dir: the data dir (default: $EXPLORER_DATA_DIR, else data/).
        model: the model you expect the index to use; None takes whatever it was built
            with (the query encoder is always the index's model).
        fusion: hybrid fusion settings (the default was tuned on the judged queries).

    Returns:
        An `Explorer`.

    Raises:
        explorer.store.StoreError: no database there (names `explorer build`).
        embeddings.index.IndexMissing / IndexMismatch: no index, another model, or a
            corpus changed since the build; the message names the rebuild command.
    """
    store, engine = read_current(
        data_dir, lambda store: SearchEngine.load(store, model=model, fusion=fusion))
    return Explorer(store, engine)
