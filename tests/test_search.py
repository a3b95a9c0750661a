"""Search: items, build/rebuild, dense/BM25/hybrid ordering, filters, related, fusion math."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from search_corpus import invented_corpus, make_store

from embeddings.encoder import HashingEncoder
from embeddings.index import IndexMismatch, exact_search
from explorer.domain import Meetup, Talk
from explorer.search import (
    Fusion,
    LexicalIndex,
    SearchEngine,
    build_index,
    fuse,
    minmax,
    parse_years,
    rrf_scores,
    shared_terms,
    tokenize,
)
from explorer.search.items import collect_items, item_int_id, talk_text
from explorer.search.lexical import expand_query

BEES = "m2-beekeeping-with-microphones"
GRAPHS = "m2-graph-networks-for-molecules"
DIFFUSION = "m7-molecule-generation-with-graph-diffusion"
BIRDS = "m7-spectrogram-transformers-for-birdsong"
ROBOTS = "mai-robots-that-fold-laundry"
ZEBRA, XYLO = "arxiv:2101.00001", "arxiv:2202.00002"


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path / "d")
    yield s
    s.close()


@pytest.fixture
def engine(store):
    build_index(store, HashingEncoder())
    return SearchEngine.load(store)


# -- items ---------------------------------------------------------------------------------
def test_items_are_talks_and_cited_papers_not_intro_or_cancelled(store):
    items = collect_items(store)
    assert [it.id for it in items] == [ROBOTS, BEES, GRAPHS, DIFFUSION, BIRDS, ZEBRA, XYLO]
    zebra, xylo = items[5], items[6]
    # A paper belongs to every meetup that cited it; its first meetup names the hit.
    assert zebra.meetups == ("2", "7") and zebra.meetup == 2 and zebra.years == (2018, 2021)
    assert zebra.text.startswith("A zebra benchmark for graph neural networks.")
    # arXiv did not resolve this one: its citing context is all we know.
    assert xylo.title == "arXiv:2202.00002" and "xylophone" in xylo.text


def test_talk_text_compositions():
    talk = invented_corpus().talks[3]
    assert talk_text(talk, "title") == "Beekeeping with microphones."
    assert talk_text(talk, "title+abstract").endswith("with spectrogram classifiers.")
    assert talk_text(talk, "title+abstract+speakers").endswith("Speakers: Carl Placeholder.")
    with pytest.raises(ValueError, match="unknown composition"):
        talk_text(talk, "abstract")


def test_event_composition_adds_affiliations_and_the_meetup():
    talk = Talk(id="m3-x", meetup_key="3", title="Pruning nets", speakers=["Ida Nominal"],
                affiliations=["Quokka Labs", "Uni Nowhere"], abstract="Fewer weights.")
    meetup = Meetup("3", 3, "Spring gathering", "2019-04-01", venue="Hall Nine")
    assert talk_text(talk, "title+abstract+speakers+event", meetup) == (
        "Pruning nets. Fewer weights. Speakers: Ida Nominal. Affiliations: Quokka Labs, "
        "Uni Nowhere. Event: Spring gathering, Hall Nine.")
    # Without a meetup (or for the other compositions) nothing of the event is added.
    assert talk_text(talk, "title+abstract+speakers+event").endswith("Uni Nowhere.")
    assert "Quokka" not in talk_text(talk, "title+abstract+speakers", meetup)


def test_bm25_finds_a_talk_by_its_meetup_title_but_dense_text_stays_topical(engine, store):
    # Only the meetup's title says "thinking machines"; the talk's own text does not.
    assert [h.id for h in engine.search("thinking machines", mode="bm25")] == [ROBOTS]
    robots = next(it for it in collect_items(store) if it.id == ROBOTS)
    assert "thinking" not in robots.text and "thinking" in robots.lexical_text


def test_item_urls_slides_else_meetup_page(store):
    urls = {it.id: it.url for it in collect_items(store)}
    assert urls[BEES] == "https://example.org/bees.pdf"
    assert urls[GRAPHS].endswith("/tree/main/Meetups/Meetup_2")
    assert urls[ROBOTS] == "https://www.meetup.com/example/events/1/"
    assert urls[ZEBRA] == "https://arxiv.org/abs/2101.00001"


# -- build -----------------------------------------------------------------------------------
def test_build_then_warm_rebuild_embeds_nothing(store):
    enc = HashingEncoder()
    first = build_index(store, enc)
    assert (first.items, first.talks, first.papers, first.embedded) == (7, 5, 2, 7)
    calls = enc.calls
    again = build_index(store, enc)
    assert again.embedded == 0 and again.reused == 7 and enc.calls == calls
    assert again.fingerprint == first.fingerprint
    _, manifest = store.read_index("items")
    assert manifest["model"] == "hashing-64" and manifest["fingerprint"] == first.fingerprint


def test_changed_talk_reembeds_only_it(store):
    enc = HashingEncoder()
    build_index(store, enc)
    corpus = invented_corpus()
    corpus.talks[3] = dataclasses.replace(corpus.talks[3], abstract="Now about wasps.")
    store.replace_corpus(corpus)
    seen, totals = [], []
    report = build_index(store, enc, progress=seen.append, on_start=totals.append)
    assert report.embedded == 1 and report.reused == 6
    assert sum(seen) == 7 and totals == [7]  # the bar's total, then every item
    engine = SearchEngine.load(store)
    assert engine.search("wasps", mode="bm25")[0].id == BEES


def test_stale_index_is_refused_with_rebuild_command(store):
    build_index(store, HashingEncoder())
    corpus = invented_corpus()
    corpus.talks = corpus.talks[:-1]
    store.replace_corpus(corpus)
    with pytest.raises(IndexMismatch, match=r"changed after the index was built.*explorer "
                       r"build --source DIR\|github --data-dir"):
        SearchEngine.load(store)


def test_load_refuses_another_model(store):
    build_index(store, HashingEncoder())
    with pytest.raises(IndexMismatch, match="built with model 'hashing-64', not 'hashing-32'"):
        SearchEngine.load(store, model="hashing-32")


# -- search ----------------------------------------------------------------------------------
def test_bm25_ranks_by_terms_and_returns_only_matches(engine):
    hits = engine.search("bees humming in a hive", mode="bm25")
    assert [h.id for h in hits] == [BEES]
    assert hits[0].kind == "talk" and hits[0].meetup == 2 and hits[0].date == "2018-03-01"
    # Stemming: 'molecule' matches 'molecules'; both graph talks, the one saying it twice first.
    assert [h.id for h in engine.search("molecule", mode="bm25")][:2] == [GRAPHS, DIFFUSION]
    assert engine.search("the of and", mode="bm25") == []


def test_dense_matches_brute_force(engine):
    enc = engine.encoder
    q = enc.encode(["graph diffusion for molecules"])
    _, want = exact_search(q, engine.vectors, k=7)
    got = engine.search("graph diffusion for molecules", k=7, mode="dense", include_weak=True)
    # Hits above the relevance floor first, each part by cosine, the brute force's items.
    assert {h.id for h in got} == {engine.items[i].id for i in want[0]}
    close = [h for h in got if h.match == "close"]
    assert close and got[:len(close)] == close
    assert [h.score for h in close] == sorted((h.score for h in close), reverse=True)
    assert got[0].score == pytest.approx(float(q[0] @ engine.vectors[want[0][0]]), abs=1e-5)


def test_hybrid_puts_the_item_both_modes_like_first(engine):
    hits = engine.search("spectrogram birdsong transformer", k=3)
    assert hits[0].id == BIRDS
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert engine.search("   ") == []


def test_filters_kind_years_meetup(engine):
    # include_weak: every item of the filter comes back, close to the query or not.
    assert {h.id for h in engine.search("graph", kind="paper", k=10, include_weak=True)} == {ZEBRA, XYLO}
    assert {h.id for h in engine.search("graph", kind="talk", k=10, include_weak=True)} == \
        {ROBOTS, BEES, GRAPHS, DIFFUSION, BIRDS}
    assert {h.id for h in engine.search("graph", years="2021", k=10, include_weak=True)} == \
        {DIFFUSION, BIRDS, ZEBRA, XYLO}
    assert {h.id for h in engine.search("graph", years=(2017, 2018), k=10, include_weak=True)} == \
        {ROBOTS, BEES, GRAPHS, ZEBRA}
    assert {h.id for h in engine.search("graph", meetup=2, k=10, include_weak=True)} == {BEES, GRAPHS, ZEBRA}
    assert {h.id for h in engine.search("graph", meetup="AI", k=10, include_weak=True)} == {ROBOTS}
    assert engine.search("graph", meetup=99) == []
    assert [h.id for h in engine.search("graph", meetup=7, kind="paper", mode="bm25")] == \
        [ZEBRA]
    with pytest.raises(ValueError, match="kind must be one of"):
        engine.search("graph", kind="slides")
    with pytest.raises(ValueError, match="mode must be one of"):
        engine.search("graph", mode="sparse")


def test_filter_does_not_rescale_scores(engine):
    full = {h.id: h.score for h in engine.search("graph molecules", k=10)}
    for h in engine.search("graph molecules", k=10, meetup=7):
        assert h.score == pytest.approx(full[h.id])


def test_parse_years():
    assert parse_years(None) is None
    assert parse_years(2020) == (2020, 2020)
    assert parse_years("2019-2023") == (2019, 2023)
    assert parse_years((2018, 2019)) == (2018, 2019)
    with pytest.raises(ValueError, match="2019-2023"):
        parse_years("last year")


# -- related ---------------------------------------------------------------------------------
def test_related_excludes_itself_and_talks_of_its_meetup(engine):
    hits = engine.related(GRAPHS, k=10, floor=False)  # every candidate, however far
    ids = [h.id for h in hits]
    assert GRAPHS not in ids and BEES not in ids  # itself, and the other talk of meetup 2
    assert ZEBRA in ids  # papers cited at the same meetup stay: they are not on its agenda
    assert set(ids) == {ROBOTS, DIFFUSION, BIRDS, ZEBRA, XYLO}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # With the floor (the default) what shares nothing with it is left out.
    assert {h.id for h in engine.related(GRAPHS, k=10)} < set(ids)
    assert DIFFUSION in {h.id for h in engine.related(GRAPHS, k=10)}
    with_own = [h.id for h in engine.related(GRAPHS, k=10, same_meetup=True, floor=False)]
    assert BEES in with_own and GRAPHS not in with_own
    assert {h.id for h in engine.related(GRAPHS, kind="paper", floor=False)} == {ZEBRA, XYLO}


def test_related_accepts_bare_arxiv_ids_and_names_unknown_ids(engine):
    ids = [h.id for h in engine.related("2101.00001", k=10, floor=False)]
    assert ZEBRA not in ids
    # The paper was cited at meetups 2 and 7: talks of both are left out.
    assert set(ids) == {ROBOTS, XYLO}
    with pytest.raises(KeyError, match="m2-intro-and-hot-topics"):
        engine.related("m2-intro-and-hot-topics")


def test_reason_lists_rare_shared_terms(engine):
    terms = engine.reason(GRAPHS, DIFFUSION)
    assert terms[0] == "molecules" and "graph" in terms and len(terms) <= 3


# -- text and fusion math --------------------------------------------------------------------
def test_expand_query_spells_out_ml_abbreviations():
    assert expand_query("RL") == "RL (reinforcement learning)"
    assert expand_query("GANs vs NLP") == ("GANs vs NLP (generative adversarial network; "
                                           "natural language processing)")
    assert expand_query("gnn or GNNs") == "gnn or GNNs (graph neural network)"  # once
    # Plain words, and plurals of two-letter abbreviations, stay as they are.
    assert expand_query("machine learning for cells") == "machine learning for cells"
    assert expand_query("mls") == "mls"


def test_abbreviated_query_finds_the_spelled_out_talk(engine):
    # The talk says "reinforcement learning"; the query only "RL".
    assert [h.id for h in engine.search("RL", mode="bm25")] == [ROBOTS]
    assert engine.search("RL", mode="hybrid")[0].id == ROBOTS


def test_tokenize_drops_stopwords_and_stems():
    assert tokenize("The Transformers are learning, with GANs!") == ["transform", "learn", "gan"]
    assert tokenize("Schlüter's C++") == ["schluter", "s", "c++"]


def test_shared_terms_without_idf_skips_generic_words():
    a = "Deep learning for protein folding with attention"
    b = "Protein structure: attention-based deep learning"
    assert shared_terms(a, b) == ["attention", "protein"]
    assert shared_terms(a, b, n=1) == ["attention"]
    assert shared_terms(a, "nothing in common here") == []


def test_lexical_index_scores_all_documents():
    lex = LexicalIndex(["red apples", "green apples and red cherries", "blue sky"])
    s = lex.scores("red cherries")
    assert s[1] > s[0] > 0 and s[2] == 0
    assert lex.scores("unknown words").tolist() == [0, 0, 0]
    assert LexicalIndex([]).scores("x").shape == (0,)


def test_an_arxiv_id_is_one_word_so_another_id_sharing_its_number_does_not_match():
    lex = LexicalIndex(["owls, as in arXiv:2101.01234", "cats, as in arXiv:2310.01234v2"])
    got = lex.scores("2310.01234")
    assert got[0] == 0 and got[1] > 0  # '01234' alone no longer matches the other paper


def test_minmax():
    assert minmax(np.array([3.0, 1.0, 2.0])).tolist() == [1.0, 0.0, 0.5]
    assert minmax(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]
    assert minmax(np.array([1.0, -np.inf, 0.0])).tolist() == [1.0, 0.0, 0.0]


def test_rrf_on_hand_made_rankings():
    dense = np.array([0.9, 0.8, 0.1])          # ranks 1, 2, 3
    bm25 = np.array([0.0, 2.0, 5.0])           # doc 0 unmatched; ranks -, 2, 1
    fused = rrf_scores([dense, bm25], [np.isfinite(dense), bm25 > 0], k=10)
    want = [1 / 11, 1 / 12 + 1 / 12, 1 / 13 + 1 / 11]
    assert fused == pytest.approx(want)
    assert np.argsort(-fused).tolist() == [2, 1, 0]  # 1/13 + 1/11 > 2/12
    weighted = rrf_scores([dense, bm25], [np.ones(3, bool), bm25 > 0], k=0, weights=[2, 1])
    assert weighted == pytest.approx([2 / 1, 2 / 2 + 1 / 2, 2 / 3 + 1 / 1])


def test_fuse_weighted_and_rrf():
    dense, bm25 = np.array([0.5, 0.4, 0.3]), np.array([0.0, 1.0, 3.0])
    w = fuse(dense, bm25, Fusion("weighted", alpha=0.75), floor=0.3)
    # dense relevance from the 0.3 floor: [(0.5-.3)/.7, (0.4-.3)/.7, 0]; bm25 min-max: [0, 1/3, 1]
    assert w == pytest.approx([0.75 * 0.2 / 0.7, 0.75 * 0.1 / 0.7 + 0.25 / 3, 0.25])
    assert fuse(dense, bm25, Fusion("weighted", alpha=1.0)).argmax() == 0
    assert fuse(dense, bm25, Fusion("weighted", alpha=0.0)).argmax() == 2
    r = fuse(dense, bm25, Fusion("rrf", alpha=0.5, rrf_k=60))
    assert r == pytest.approx(rrf_scores([dense, bm25], [np.ones(3, bool), bm25 > 0], k=60))
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse(dense, bm25, Fusion("max"))


def test_item_int_ids_are_stable_63_bit():
    a = item_int_id("m57-some-talk")
    assert a == item_int_id("m57-some-talk") and 0 <= a < 2**63
    assert a != item_int_id("m57-some-talk-2")


def test_dense_relevance_is_measured_from_the_noise_floor():
    from explorer.search import dense_relevance, noise_floor

    assert dense_relevance(np.array([1.0, 0.6, 0.1, -np.inf]), 0.2) == pytest.approx(
        [1.0, 0.5, 0.0, 0.0])
    v = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)  # cosines 0, 0.6, 0.8
    assert noise_floor(v) == pytest.approx(0.6)
    assert noise_floor(v[:1]) == 0.0


def test_weak_dense_scores_do_not_outvote_an_exact_keyword_match():
    # No item is close in meaning (all cosines near the floor), one item matches the words:
    # min-max would stretch 0.26 vs 0.20 into 1 vs 0 and bury the keyword match.
    dense, bm25 = np.array([0.26, 0.24, 0.20]), np.array([0.0, 0.0, 4.0])
    fused = fuse(dense, bm25, Fusion("weighted", alpha=0.72), floor=0.23)
    assert fused.argmax() == 2


def test_shared_terms_never_give_generic_or_link_words():
    from explorer.search.lexical import shared_terms

    a = "Deep learning for bees http://arxiv.org/abs/1 hives"
    b = "Deep learning for hives and bees, see http://arxiv.org/abs/2"
    idf = {"http": 9.0, "arxiv": 9.0, "org": 9.0, "bee": 2.0, "hive": 1.0, "learn": 9.0}
    assert set(shared_terms(a, b, n=5, idf=idf)) == {"bees", "hives"}
