"""Honest result lists: the relevance floor, exact matches first, related items by CSLS."""

from __future__ import annotations

import json

import numpy as np
import pytest
from search_corpus import make_store
from typer.testing import CliRunner

from embeddings.encoder import HashingEncoder
from explorer.search import LexicalIndex, SearchEngine, build_index
from explorer.search.exact import ExactIndex, above_floor, arxiv_ids, fold
from explorer.search.related import hub_scores, related_scores

BEES = "m2-beekeeping-with-microphones"
GRAPHS = "m2-graph-networks-for-molecules"
DIFFUSION = "m7-molecule-generation-with-graph-diffusion"
ZEBRA = "arxiv:2101.00001"


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path / "d")
    build_index(s, HashingEncoder())
    yield s
    s.close()


@pytest.fixture
def engine(store):
    return SearchEngine.load(store)


def test_off_domain_query_returns_nothing_unless_weak_hits_are_asked_for(engine):
    query = "medieval castles of scotland"
    assert engine.search(query) == [] and engine.search("sourdough pizza recipe") == []
    weak = engine.search(query, k=3, include_weak=True)
    assert len(weak) == 3 and {h.match for h in weak} == {"weak"}


def test_on_domain_query_keeps_its_close_hits(engine):
    hits = engine.search("spectrogram birdsong transformer", k=10)
    assert hits and hits[0].id == "m7-spectrogram-transformers-for-birdsong"
    assert all(h.match == "close" for h in hits)


@pytest.mark.parametrize("query", ["2101.00001", "2101.00001v2", "arXiv:2101.00001v1",
                                   "what is 2101.00001 about?"])
def test_an_arxiv_id_ranks_its_paper_first(engine, query):
    hits = engine.search(query, k=3)
    assert hits[0].id == ZEBRA and hits[0].match == "exact"


def test_an_exact_title_and_a_speaker_rank_first(engine):
    hits = engine.search("Beekeeping with microphones!", k=3, mode="dense")
    assert hits[0].id == BEES and hits[0].match == "exact"
    by_name = engine.search("talks by DORA invented", k=5)
    assert {h.id for h in by_name[:2]} == {GRAPHS, DIFFUSION}
    assert [h.match for h in by_name[:2]] == ["exact", "exact"]
    # A filter still applies to exact matches.
    assert [h.id for h in engine.search("Dora Invented", meetup=7, k=5)][:1] == [DIFFUSION]


def test_speaker_matches_under_any_spelling():
    idx = ExactIndex(["m1-a", "m2-b", "m3-c"], ["Taming horses", "Music", "Other"],
                     [["Jan Schlüter"], ["Thomas Lidy", "Jan Schluter"], ["Intro"]])
    assert idx.matches("talks by Jan Schlueter") == [0, 1]
    assert idx.matches("jan schluter") == [0, 1]
    assert idx.matches("Tom Lidy") == [1]  # a short first name, as the people model knows
    assert idx.matches("Intro") == []  # a one-word "speaker" is not a person


def test_a_title_is_named_by_whole_words_and_its_main_part_by_titled():
    idx = ExactIndex(["m1-a", "m2-b"], ["Introduction to Graph Neural Networks",
                                        "Sparse routing: lessons from production"], [[], []])
    assert idx.matches("introduction to graph neural") == [0]  # four words or more, inside
    assert idx.matches("ion to graph neural networks") == []  # cut mid-word: no name
    assert idx.titled("Sparse routing") == ([], [1])  # the main title, before the subtitle
    assert idx.titled("sparse routing: lessons from production") == ([1], [])
    assert idx.titled("lessons from production") == ([], [])


def test_arxiv_ids_and_fold():
    assert arxiv_ids("see 1706.03762v5 and hep-th/9901001v2") == ["1706.03762", "hep-th/9901001"]
    assert arxiv_ids("version 3.14159 or 12345.6789") == []
    assert fold("Stable Diffusion 3: Scaling!") == "stable diffusion 3 scaling"


def test_coverage_weighs_the_query_words_by_idf():
    lex = LexicalIndex(["graph networks for molecules", "bees and their hives",
                        "graph diffusion", "music"])
    cov = lex.coverage("graph molecules")
    assert cov[0] == pytest.approx(1.0) and cov[3] == 0.0 and 0 < cov[2] < 1
    # Words no document has weigh most: one known word of three is little coverage.
    assert lex.coverage("quantum knitting bees")[1] < 0.3
    assert above_floor(np.array([0.3, 0.1, -np.inf]), np.array([0.0, 0.6, 0.0]), 0.2).tolist() \
        == [True, True, False]


def test_csls_demotes_a_hub_that_is_close_to_everything():
    rng = np.random.default_rng(0)
    topics = np.eye(16)[:4]  # four unrelated subjects
    niche = 0.4 * np.eye(16)[0] + 0.9 * np.eye(16)[10]  # 9: partly subject 0, nothing else
    v = np.vstack([topics + 0.05 * rng.normal(size=(4, 16)),  # 0-3: one per subject
                   topics + 0.05 * rng.normal(size=(4, 16)),  # 4-7: their twins
                   topics.sum(0, keepdims=True), niche])      # 8: the hub, near all
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    hubs = hub_scores(v, k=4)
    assert hubs.argmax() == 8
    dense = v @ v[0]
    others = np.arange(10) != 0
    plain = list(np.argsort(-np.where(others, dense, -np.inf)))
    csls = list(np.argsort(-np.where(others, related_scores(dense, hubs, np.zeros(10), 1.0),
                                     -np.inf)))
    assert plain[:3] == [4, 8, 9]  # plain cosine: the hub before the niche talk
    assert csls[:3] == [4, 9, 8]   # CSLS: the niche talk first


def test_related_methods(engine):
    csls = engine.related(GRAPHS, k=3, floor=False)
    plain = engine.related(GRAPHS, k=3, method="cosine", floor=False)
    assert len(csls) == len(plain) == 3 and GRAPHS not in {h.id for h in csls}
    # The floor is the same for both methods: the same items clear it.
    assert {h.id for h in engine.related(GRAPHS, k=3)} == \
        {h.id for h in engine.related(GRAPHS, k=3, method="cosine")}
    assert csls[0].id == DIFFUSION  # shares "graph" and "molecules"
    with pytest.raises(ValueError, match="method must be"):
        engine.related(GRAPHS, method="jaccard")


def test_cli_search_all_shows_weak_hits(store):
    from explorer.cli import app

    runner = CliRunner()
    args = ["search", "sourdough pizza recipe", "--json", "--data-dir", str(store.data_dir)]
    assert json.loads(runner.invoke(app, args).stdout) == []
    weak = json.loads(runner.invoke(app, args + ["--all", "--k", "2"]).stdout)
    assert [h["match"] for h in weak] == ["weak", "weak"]


def test_exact_false_ranks_by_score_alone(engine):
    hits = engine.search("Dora Invented", k=5, mode="dense", include_weak=True, exact=False)
    assert "exact" not in {h.match for h in hits}
    assert [h.score for h in hits if h.match == "close"] == sorted(
        (h.score for h in hits if h.match == "close"), reverse=True)
