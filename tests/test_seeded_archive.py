"""The real hot-topics slide text (seeds), put back into the real archive as PDFs, yields
arXiv references linked to the right meetup's hot-topics slot."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import REPO

from explorer.ingest.archive import open_archive
from explorer.ingest.parser import parse_archive

sys.path.insert(0, str(REPO / "benchmarks"))
from seeded_archive import build_seeded_archive


@pytest.fixture(scope="module")
def seeded(real_corpus, tmp_path_factory):
    seeds = Path(os.environ.get("EXPLORER_SEEDS") or real_corpus.parents[1] / "seeds")
    if not seeds.is_dir():
        pytest.skip(f"seeds not found at {seeds} (set EXPLORER_SEEDS)")
    out = tmp_path_factory.mktemp("seeded") / "archive"
    placed = build_seeded_archive(real_corpus, seeds, out)
    return placed, parse_archive(open_archive(str(out), None))


def test_slide_decks_are_placed_by_the_meetup_they_name(seeded):
    placed, _ = seeded
    assert sorted(placed.values()) == [6, 12, 30]


def test_slide_pdfs_yield_linked_arxiv_references(seeded):
    _, corpus = seeded
    refs = corpus.refs
    assert len(refs) == 11 and len({r.arxiv_id for r in refs}) == 11
    assert {r.meetup_key for r in refs} == {"12"}
    slot = {t.id: t for t in corpus.talks}[refs[0].talk_id]
    assert slot.kind == "intro-and-hot-topics" and slot.meetup_key == "12"
    assert all("v" not in r.arxiv_id and r.context for r in refs)
