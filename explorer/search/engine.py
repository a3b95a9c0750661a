"""The search engine: builds the items index, answers dense, BM25 and hybrid queries, related items.

How dense and BM25 scores are fused, and why: `explorer.search.fusion`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from embeddings.encoder import EmbedResult, embed_with_cache, get_encoder, text_hash
from embeddings.index import IndexMismatch, VectorIndex, load_index, rebuild_hint, save_index
from explorer.domain import Hit
from explorer.search.exact import ExactIndex, above_floor, plain_ids
from explorer.search.fusion import (
    DEFAULT_FUSION,
    Fusion,
    fuse,
    noise_floor,
    parse_years,
)
from explorer.search.items import (
    DEFAULT_COMPOSITION,
    LEXICAL_COMPOSITION,
    PAPER_KIND,
    TALK_KIND,
    Item,
    collect_items,
    item_int_id,
    items_fingerprint,
    paper_item_id,
)
from explorer.search.lexical import LexicalIndex, expand_query, shared_terms, tokenize
from explorer.search.reasons import Explainer, Reason
from explorer.search.related import WordOverlap, cite_links, hub_scores, related_scores
from explorer.search.topical import TopicPrior, blended_floor, member_max, with_topics
from explorer.store import Store

__all__ = ["BuildReport", "SearchEngine", "build_index"]

INDEX_NAME = "items"
MODES = ("hybrid", "dense", "bm25")
KINDS = (TALK_KIND, PAPER_KIND)
# Up to this many items every query ranks the whole corpus (exact, and filters never run
# short of hits); above it the dense search asks FAISS for a generous top-k.
FULL_RANK_LIMIT = 20_000
_CHUNK = 256  # texts per embedding call when reporting progress

# -- build -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildReport:
    """What `build_index` did: item counts, texts embedded now vs reused from the cache."""

    items: int
    talks: int
    papers: int
    embedded: int
    reused: int
    model: str
    fingerprint: str

    def summary(self) -> str:
        return (f"indexed {self.items} items ({self.talks} talks, {self.papers} papers) with "
                f"{self.model}: {self.embedded} embedded, {self.reused} from the cache")


def build_index(store: Store, encoder, progress: bool | Callable[[int], object] | None = None,
                composition: str = DEFAULT_COMPOSITION,
                on_start: Callable[[int], object] | None = None) -> BuildReport:
    """Embed every item (reusing cached vectors) and write the "items" FAISS index.

    Args:
        store: the data dir's store, with the corpus (and papers) already ingested.
        encoder: `Encoder` / `HashingEncoder` (anything with model_id, dim, encode).
        progress: True shows the embedding progress bar; a callable is called with the
            number of items embedded (or found in the cache) after each chunk.
        composition: how talk texts are composed (see `explorer.search.items.COMPOSITIONS`).
        on_start: called with the number of items before embedding starts (a bar's total).

    Returns:
        A `BuildReport`; `embedded` is 0 when nothing changed since the last build.
    """
    items = collect_items(store, composition)
    texts = [it.text for it in items]
    if on_start:
        on_start(len(texts))
    if callable(progress):  # in chunks, so the caller's bar moves while the model works
        chunks = []
        for i in range(0, len(texts), _CHUNK):
            chunks.append(embed_with_cache(encoder, texts[i:i + _CHUNK], store))
            progress(len(chunks[-1].vectors))
        result = EmbedResult(np.concatenate([c.vectors for c in chunks]) if chunks else
                             np.zeros((0, encoder.dim), np.float32),
                             sum(c.n_new for c in chunks))
    else:
        result = embed_with_cache(encoder, texts, store, progress=bool(progress))
    ids = np.array([item_int_id(it.id) for it in items], dtype=np.int64)
    if len(np.unique(ids)) != len(ids):  # 63-bit hashes: never seen, but never silent
        raise ValueError("two item ids hash to the same FAISS id; rename one of the talks")
    vectors = result.vectors if len(items) else np.zeros((0, encoder.dim), np.float32)
    fingerprint = items_fingerprint(items)
    save_index(store, INDEX_NAME, VectorIndex.build(vectors, ids),
               {"model": encoder.model_id, "fingerprint": fingerprint,
                "composition": composition, "items": len(items),
                "text_hashes": sorted({text_hash(t) for t in texts})})  # cache pruning
    n_talks = sum(it.kind == TALK_KIND for it in items)
    return BuildReport(items=len(items), talks=n_talks, papers=len(items) - n_talks,
                       embedded=result.n_new, reused=len(set(texts)) - result.n_new,
                       model=encoder.model_id, fingerprint=fingerprint)


class SearchEngine:
    """Items, their vectors, the FAISS index, BM25 and the encoder for queries.

    Example:
        >>> engine = SearchEngine.load(Store.open("data"))
        >>> [h.title for h in engine.search("music generation", k=3)]
    """

    def __init__(self, items: list[Item], vectors: np.ndarray, index: VectorIndex, encoder,
                 fusion: Fusion = DEFAULT_FUSION):
        self.items, self.vectors, self.index = items, vectors, index
        self.encoder, self.fusion = encoder, fusion
        self.lexical = LexicalIndex([it.lexical_text for it in items])
        self.noise_floor = noise_floor(vectors)
        self.exact = ExactIndex([it.id for it in items], [it.title for it in items],
                                [it.speakers for it in items], [it.cites for it in items])
        self.pos = {it.id: i for i, it in enumerate(items)}
        self._hubs: np.ndarray | None = None  # related items: built on first use
        self._explainer: Explainer | None = None  # reasons: built on first use
        int_ids = np.array([item_int_id(it.id) for it in items], dtype=np.int64)
        self._sort = np.argsort(int_ids)
        self._sorted_ids = int_ids[self._sort]
        self.kinds = np.array([it.kind for it in items], dtype=object)
        self._by_kind = {k: self.kinds == k for k in KINDS}
        self._by_meetup: dict[str, list[int]] = {}
        self._by_year: dict[int, list[int]] = {}
        for i, it in enumerate(items):
            for key in it.meetups:
                self._by_meetup.setdefault(key, []).append(i)
            for y in it.years:
                self._by_year.setdefault(y, []).append(i)

    @classmethod
    def load(cls, store: Store, model: str | None = None, encoder=None,
             fusion: Fusion = DEFAULT_FUSION) -> SearchEngine:
        """Open the data dir's index with the model it was built with.

        Args:
            store: the data dir's store.
            model: if given, the model the caller expects; another one is an error.
            encoder: an encoder to use instead of loading the manifest's model.
            fusion: hybrid fusion settings.

        Raises:
            embeddings.index.IndexMissing: no index was built.
            embeddings.index.IndexMismatch: other model, corpus changed since, or damaged.
        """
        index, manifest = load_index(store, INDEX_NAME)
        built = manifest["model"]
        hint = rebuild_hint(store.data_dir)
        if model is not None and get_encoder(model).model_id != built:
            raise IndexMismatch(f"the index in {store.data_dir} was built with model {built!r}, "
                                f"not {model!r}; rebuild with `explorer build --source "
                                f"DIR|github --data-dir {store.data_dir} --model {model}`")
        items = collect_items(store, manifest.get("composition", DEFAULT_COMPOSITION),
                              LEXICAL_COMPOSITION)
        if items_fingerprint(items) != manifest.get("fingerprint"):
            raise IndexMismatch(f"the talks or papers in {store.data_dir} changed after the "
                                f"index was built; {hint}")
        # The manifest's model is loaded from local files only, unless the caller named it.
        encoder = encoder or get_encoder(built, local_only=model is None)
        hashes = [text_hash(it.text) for it in items]
        cached = store.cached_vectors(built, hashes, dim=index.dim)
        if all(h in cached for h in hashes):  # the usual case: no model load to open
            vectors = np.stack([cached[h] for h in hashes]) if items else \
                np.zeros((0, index.dim), np.float32)
        else:
            vectors = embed_with_cache(encoder, [it.text for it in items], store).vectors
        return cls(items, np.ascontiguousarray(vectors, dtype=np.float32), index, encoder,
                   fusion)

    # -- lookups -------------------------------------------------------------------------------
    def item(self, item_id: str) -> Item:
        """The item of a talk id, 'arxiv:<id>' or a bare arXiv id."""
        pos = self.pos.get(item_id)
        if pos is None:
            pos = self.pos.get(paper_item_id(item_id))
        if pos is None:
            raise KeyError(f"no talk or paper {item_id!r} in the index (intro slots and "
                           "cancelled talks are not indexed)")
        return self.items[pos]

    def reasons(self, a_id: str, b_id: str, n: int = 3) -> list[Reason]:
        """Why two items are related, strongest first: cited papers they share (or the one
        cites the other), then the key phrases they share (`explorer.search.reasons`)."""
        if self._explainer is None:  # built on first use: search-only callers never pay
            self._explainer = Explainer(self.items, self.vectors, self.encoder)
        return self._explainer.reasons(self.pos[self.item(a_id).id],
                                       self.pos[self.item(b_id).id], n=n)

    def reason(self, a_id: str, b_id: str, n: int = 3) -> list[str]:
        """The key terms two items share (for a 'why related' line)."""
        a, b = self.item(a_id), self.item(b_id)
        return shared_terms(a.text, b.text, n=n, idf=self.lexical.idf)

    def _mask(self, kind: str | None, years, meetup) -> np.ndarray | None:
        if kind is None and years is None and meetup is None:
            return None
        mask = np.ones(len(self.items), dtype=bool)
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
            mask &= self._by_kind[kind]
        span = parse_years(years)
        if span is not None:
            m = np.zeros_like(mask)
            for y in range(span[0], span[1] + 1):
                m[self._by_year.get(y, [])] = True
            mask &= m
        if meetup is not None:
            m = np.zeros_like(mask)  # a meetup's key is its label as text ("57", "AI")
            m[self._by_meetup.get(str(meetup).strip(), [])] = True
            mask &= m
        return mask

    def _dense(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every item to a unit vector (-inf for items FAISS did not return)."""
        n = len(self.items)
        k = n if n <= FULL_RANK_LIMIT else max(2000, n // 20)
        scores, ids = self.index.search(vector, k)
        scores, ids = scores[0], ids[0]
        keep = ids >= 0
        out = np.full(n, -np.inf, dtype=np.float32)
        out[self._sort[np.searchsorted(self._sorted_ids, ids[keep])]] = scores[keep]
        return out

    def _hits(self, scores: np.ndarray, cand: np.ndarray, k: int, match: str = "close",
              first: list[int] | None = None) -> list[Hit]:
        first = first or []
        cand = np.setdiff1d(cand, first) if first else cand
        order = cand[np.argsort(-scores[cand], kind="stable")[:max(k - len(first), 0)]]
        return ([self._hit(i, float(scores[i]), "exact") for i in first[:k]]
                + [self._hit(i, float(scores[i]), match) for i in order])

    def _hit(self, i: int, score: float, match: str = "close") -> Hit:
        it = self.items[i]
        return Hit(id=it.id, kind=it.kind, title=it.title, meetup=it.meetup, date=it.date,
                   score=round(score, 6) if np.isfinite(score) else 0.0, url=it.url,
                   match=match)

    def search(self, query: str, k: int = 10, kind: str | None = None, mode: str = "hybrid",
               years=None, meetup=None, include_weak: bool = False,
               exact: bool = True, topics: TopicPrior | None = None,
               vector: np.ndarray | None = None) -> list[Hit]:
        """Talks and papers best matching a query.

        Args:
            query: free text.
            k: most hits to return.
            kind: "talk" or "paper" (None: both).
            mode: "hybrid" (default), "dense" or "bm25".
            years: a year, "2019-2023" or (2019, 2023): items of meetups in those years
                (a paper counts for every meetup that cited it).
            meetup: a meetup label (57 or "AI"): its talks and the papers cited there.
            include_weak: also return hits below the relevance floor (after the others,
                marked ``match="weak"``), up to k in all.
            exact: rank the items the query names exactly first (False: scores only).
            topics: hybrid mode only: the items' themes (`explorer.search.topical`); the
                query's fit to an item's themes is blended into its cosine.
            vector: the query's embedding, if the caller already has it (of
                ``expand_query(query)``, what the engine would embed).

        Returns:
            Hits, best first: items the query names exactly (arXiv id, title, speaker;
            ``match="exact"``), then the others above the relevance floor
            (`explorer.search.exact`); BM25 mode returns only items sharing a word with
            the query.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        mask = self._mask(kind, years, meetup)
        if not query.strip() or not self.items or k < 1:
            return []
        cand = np.arange(len(self.items)) if mask is None else np.flatnonzero(mask)
        exact = [i for i in self.exact.matches(query) if mask is None or mask[i]] \
            if exact else []
        query = plain_ids(query)  # "https://arxiv.org/abs/ID" is scored as "ID"
        expanded = expand_query(query)  # "RL" -> "RL (reinforcement learning)", both modes
        lexical = self.lexical.scores(expanded) if mode != "dense" else None
        if mode == "bm25":
            return self._hits(lexical, cand[lexical[cand] > 0], k, first=exact)
        vector = self.encoder.encode([expanded])[0] if vector is None else vector
        dense, fusion, floor = self._dense(vector), self.fusion, self.noise_floor
        topics = topics if mode == "hybrid" else None
        if topics is not None:
            if len(topics.members) != len(self.items):
                raise ValueError(f"topic prior has {len(topics.members)} rows for "
                                 f"{len(self.items)} items")
            fit = topics.theme_scores(vector, expanded)
            dense = with_topics(dense, member_max(topics.members, fit), fusion.topic_weight)
            fusion, floor = fusion.with_topics(), blended_floor(floor, topics,
                                                                fusion.topic_weight)
        # Fused over the whole corpus, then filtered: a filter narrows the hits, it does not
        # rescale the scores of those left.
        scores = dense if mode == "dense" else fuse(dense, lexical, fusion, floor)
        coverage = self.lexical.coverage(query)
        if expanded != query:  # the spelled-out words count as the abbreviation
            coverage = np.maximum(coverage, self.lexical.coverage(expanded[len(query):]))
        # A query that is only people's names means nothing to the model: only the talks
        # whose text names them count ("Zoë Brandstätter" is close in meaning to anything).
        strong = above_floor(np.full_like(dense, -np.inf) if self.exact.names_only(query)
                             else dense, coverage, floor)
        cand = cand[np.isfinite(dense[cand])]
        hits = self._hits(scores, cand[strong[cand]], k, first=exact)
        if include_weak and len(hits) < k:
            seen = {h.id for h in hits}
            weak = np.array([i for i in cand[~strong[cand]] if self.items[i].id not in seen],
                            dtype=np.int64)
            hits += self._hits(scores, weak, k - len(hits), match="weak")
        return hits if topics is None else [
            replace(h, theme=topics.fitting_theme(fit, self.pos[h.id])) for h in hits]

    def _related_parts(self) -> tuple[np.ndarray, WordOverlap]:
        # Built on first use: opening the engine stays instant for search-only callers.
        if self._hubs is None:
            self._words = WordOverlap([it.text for it in self.items], tokenize)
            self._hubs = hub_scores(self.vectors)
        return self._hubs, self._words

    def related(self, item_id: str, k: int = 10, kind: str | None = None,
                same_meetup: bool = False, method: str = "csls",
                floor: bool = True) -> list[Hit]:
        """The talks and papers closest in meaning to an item.

        Args:
            item_id: a talk id or paper id.
            k: most hits.
            kind: "talk" or "paper" (None: both).
            same_meetup: also return talks of the item's own meetup(s) (excluded by default:
                they are already listed beside it).
            method: "csls" (default: cosine less the candidate's hubness, fused with word
                overlap; see `explorer.search.related`) or "cosine" (plain).
            floor: leave out what is not related at all: an item whose cosine is below the
                corpus's noise floor (the median cosine of two items), unless a citation
                links the two (False: k hits whenever there are k candidates).

        Returns:
            Hits, best first, never the item itself; fewer than k (even none) when fewer
            are related.
        """
        if method not in ("csls", "cosine"):
            raise ValueError(f"method must be 'csls' or 'cosine', got {method!r}")
        it = self.item(item_id)
        pos = self.pos[it.id]
        mask = self._mask(kind, None, None)
        mask = np.ones(len(self.items), dtype=bool) if mask is None else mask
        mask[pos] = False
        if not same_meetup:
            for key in it.meetups:
                own = np.array(self._by_meetup.get(key, []), dtype=np.int64)
                mask[own[self.kinds[own] == TALK_KIND]] = False
        dense = self._dense(self.vectors[pos])
        cand = mask & np.isfinite(dense)
        if floor:  # no padding: an item further than two random ones is not related
            cand &= (dense >= self.noise_floor) | cite_links(self.items, it)
        scores = dense
        if method == "csls":
            hubs, overlap = self._related_parts()
            scores = np.where(np.isfinite(dense),
                              related_scores(dense, hubs, overlap.cosines(pos)), -np.inf)
        return self._hits(scores, np.flatnonzero(cand), k)
