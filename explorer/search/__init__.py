"""Search: the items that are indexed, BM25, dense and hybrid search, related items, quality."""

from explorer.search.engine import BuildReport, SearchEngine, build_index
from explorer.search.fusion import (
    DEFAULT_FUSION,
    Fusion,
    dense_relevance,
    fuse,
    minmax,
    noise_floor,
    parse_years,
    rrf_scores,
)
from explorer.search.lexical import LexicalIndex, shared_terms, tokenize, words

__all__ = ["DEFAULT_FUSION", "BuildReport", "Fusion", "LexicalIndex", "SearchEngine",
           "build_index", "dense_relevance", "fuse", "minmax", "noise_floor", "parse_years",
           "rrf_scores", "shared_terms", "tokenize", "words"]
