"""Papers: arXiv metadata for the cited ids (and, next, the field corpus)."""

from explorer.papers.arxiv_meta import (
    NOT_FETCHED,
    ArxivClient,
    FetchReport,
    cited_ids,
    fetch_papers,
    ids_to_fetch,
    papers_records,
)

__all__ = ["NOT_FETCHED", "ArxivClient", "FetchReport", "cited_ids", "fetch_papers",
           "ids_to_fetch", "papers_records"]
