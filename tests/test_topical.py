"""Hybrid search's topic prior: a query that fits a theme lifts that theme's talks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from embeddings.index import VectorIndex
from explorer.search import Fusion, SearchEngine
from explorer.search.items import Item, item_int_id
from explorer.search.topical import (
    TopicPrior,
    blended_floor,
    member_max,
    theme_floor,
    with_topics,
)


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


# Invented talks. The query's words are in none of them; its vector is a little closer to
# the generic chatbot talk than to the one on hallucinations, which is in the theme the
# query fits.
VECTORS = {"m1-chatbots": unit(1, 0, 0, 0), "m2-hallucinations": unit(0.2, 1, 0, 0),
           "m3-bees": unit(0, 0, 1, 0), "m4-castles": unit(0, 0, 0, 1)}
QUERY = "chatbots inventing false facts"
THEME = unit(0, 1, 0, 0)


class StubEncoder:
    """A model of meaning with fixed vectors: the query's, else a constant."""

    model_id, dim, semantic, loaded = "stub", 4, True, True

    def encode(self, texts, batch_size=64, progress=False):
        return np.stack([unit(0.6, 0.45, 0.3, 0.3) if t == QUERY else unit(1, 1, 1, 1)
                         for t in texts])


@pytest.fixture
def engine() -> SearchEngine:
    items = [Item(id=i, kind="talk", title=i[3:], text=i[3:], lexical_text=i[3:],
                  meetups=(i[1],), meetup=int(i[1]), date=None, url=None) for i in VECTORS]
    vectors = np.stack(list(VECTORS.values()))
    ids = np.array([item_int_id(i) for i in VECTORS], dtype=np.int64)
    return SearchEngine(items, vectors, VectorIndex.build(vectors, ids), StubEncoder())


@pytest.fixture
def prior() -> TopicPrior:
    members = np.array([[False], [True], [False], [False]])
    return TopicPrior(members, THEME[None, :], ("Large language models",),
                      floor=theme_floor(np.stack(list(VECTORS.values())), THEME[None, :],
                                        members))


def test_member_max_takes_the_best_own_theme_and_never_goes_below_zero():
    got = member_max(np.array([[1, 0], [0, 1], [0, 0], [1, 1]]), np.array([0.5, -0.2]))
    assert got.tolist() == [0.5, 0.0, 0.0, 0.5]
    assert member_max(np.zeros((2, 0), bool), np.zeros(0)).tolist() == [0.0, 0.0]


def test_with_topics_blends_and_keeps_unretrieved_items_out():
    got = with_topics(np.array([0.6, -np.inf, 0.2]), np.array([0.4, 0.9, 0.0]), 0.5)
    assert got[0] == pytest.approx(0.5) and got[1] == -np.inf and got[2] == pytest.approx(0.1)
    assert with_topics(np.array([0.3]), np.array([0.9]), 0.0)[0] == pytest.approx(0.3)
    with pytest.raises(ValueError, match="topic weight"):
        with_topics(np.array([0.3]), np.array([0.9]), 1.5)


def test_floors():
    cos_items = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    themes = np.array([[0.9, 0.1], [0.2, 0.8]], np.float32)
    members = np.eye(2, dtype=bool)
    # non-member cosines: item 0 to theme 1 (.2), item 1 to theme 0 (.1)
    assert theme_floor(cos_items, themes, members) == pytest.approx(0.15)
    assert theme_floor(cos_items, themes, np.ones((2, 2), bool)) == 0.0
    p = TopicPrior(members, themes, ("a", "b"), floor=0.1)
    assert blended_floor(0.2, p, 0.5) == pytest.approx(0.15)


def test_prior_shapes_must_line_up():
    with pytest.raises(ValueError, match="do not line up"):
        TopicPrior(np.zeros((3, 2), bool), np.zeros((3, 4)), ("a", "b"))
    with pytest.raises(ValueError, match="do not line up"):
        TopicPrior(np.zeros((3, 2), bool), np.zeros((2, 4)), ("a",))


def test_keyword_bonus_is_added_to_the_theme_scores(prior):
    p = TopicPrior(prior.members, prior.vectors, prior.names,
                   keyword_bonus=lambda q: np.array([0.05 if "llm" in q else 0.0]))
    v = unit(0, 1, 0, 0)
    assert p.theme_scores(v, "an llm")[0] == pytest.approx(1.05)
    assert p.theme_scores(v, "a chatbot")[0] == pytest.approx(1.0)


def test_a_query_that_fits_a_theme_lifts_its_talk_in_hybrid_only(engine, prior):
    plain = [h.id for h in engine.search(QUERY, k=4)]
    assert plain[0] == "m1-chatbots"  # closest in meaning alone
    lifted = [h.id for h in engine.search(QUERY, k=4, topics=prior)]
    assert lifted[0] == "m2-hallucinations", lifted
    dense = [h.id for h in engine.search(QUERY, k=4, mode="dense", topics=prior)]
    assert dense[0] == "m1-chatbots"  # "Semantic" mode stays the plain model


def test_topic_weight_zero_is_plain_cosine_ranking(engine, prior):
    engine.fusion = Fusion(topic_weight=0.0)
    assert engine.search(QUERY, k=1, topics=prior)[0].id == "m1-chatbots"


def test_a_prior_for_other_items_is_refused(engine):
    wrong = TopicPrior(np.zeros((2, 1), bool), THEME[None, :], ("x",))
    with pytest.raises(ValueError, match="2 rows for 4 items"):
        engine.search(QUERY, topics=wrong)


def test_an_off_domain_query_gains_nothing_from_the_prior():
    """A talk far from the query enters the hits only when the query fits its theme better
    than unrelated talks fit themes (the theme floor); below that, the prior adds nothing."""
    vecs = {"m1-near": unit(1, 0.2, 0, 0), "m2-far": unit(-0.3, 0, 1, 0),
            "m3-other": unit(0, 0, 1, 0), "m4-else": unit(0, 0, 0, 1),
            "m5-more": unit(0, 1, 0, 0.2)}
    items = [Item(id=i, kind="talk", title=i, text=i, lexical_text=i, meetups=(i[1],),
                  meetup=int(i[1]), date=None, url=None) for i in vecs]
    v = np.stack(list(vecs.values()))
    eng = SearchEngine(items, v, VectorIndex.build(v, np.array([item_int_id(i) for i in vecs],
                                                                 dtype=np.int64)),
                       type("Q", (), {"model_id": "q", "dim": 4, "semantic": True,
                                      "encode": lambda self, t, **k: np.stack(
                                          [unit(1, 0, 0, 0)] * len(t))})())
    members = np.array([[False], [True], [False], [False], [False]])
    theme = unit(1, 0.1, 0, 0)[None, :]  # the query fits it well (cosine ~0.99)
    before = {h.id for h in eng.search("castles", k=5)}
    assert "m2-far" not in before
    fits = TopicPrior(members, theme, ("t",), floor=0.1)
    assert "m2-far" in {h.id for h in eng.search("castles", k=5, topics=fits)}  # lifted
    unfit = TopicPrior(members, theme, ("t",), floor=0.999)  # the query fits it no better
    after = {h.id for h in eng.search("castles", k=5, topics=unfit)}
    assert after <= before and "m2-far" not in after


# -- the prior as the API builds it ----------------------------------------------------------
@pytest.fixture
def ex(tmp_path):
    from test_app import build_app_data

    import explorer

    build_app_data(tmp_path / "data")
    opened = explorer.open(tmp_path / "data")
    yield opened
    opened.close()


def test_no_prior_without_a_model_of_meaning(ex):
    assert ex.engine.encoder.semantic is False
    assert ex.topic_prior() is None


def test_the_api_builds_the_prior_from_the_themes_and_passes_it_to_hybrid(ex, monkeypatch):
    monkeypatch.setattr(ex.engine.encoder, "semantic", True, raising=False)
    p = ex.topic_prior()
    assert p is not None and p.members.shape == (len(ex.engine.items), len(p.names))
    assert p.evidence_floor > p.floor  # claims need more than the median unrelated fit
    themes = ex.theme_assignment()
    for row, it in zip(p.members, ex.engine.items):
        got = {p.names[j] for j in np.flatnonzero(row)}
        assert got == {themes.name(t) for t in themes.labels.get(it.id, [])}
    seen = {}
    real = ex.engine.search

    def spy(*a, **kw):
        seen[kw["mode"]] = kw["topics"]
        return real(*a, **kw)
    monkeypatch.setattr(ex.engine, "search", spy)
    ex.search("attention", mode="hybrid")
    ex.search("attention", mode="dense")
    assert seen["hybrid"] is p and seen["dense"] is None


def test_themes_that_fail_leave_search_working_with_a_warning(ex, monkeypatch):
    monkeypatch.setattr(ex.engine.encoder, "semantic", True, raising=False)

    def broken():
        raise RuntimeError("taxonomy unreadable")
    monkeypatch.setattr(ex, "theme_assignment", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hits = ex.search("attention")
    assert hits and any("taxonomy unreadable" in str(w.message) for w in caught)


def test_the_query_keyword_bonus_is_the_one_item_texts_get(ex):
    from explorer.insights.themes import keyword_hits, search_prior

    themes = ex.theme_assignment()
    p = search_prior(themes, [it.id for it in ex.engine.items], ex.engine.vectors, ex.embed)
    for q in ("GANs for art", "an LLM chatbot", "reinforcement learning", "sourdough"):
        want = themes.settings.text_bonus * keyword_hits([q], themes.themes)[0]
        assert np.allclose(p.keyword_bonus(q), want), q
    assert p.keyword_bonus("reinforcement learning").max() > 0
    assert p.keyword_bonus("sourdough").max() == 0


def test_hits_lifted_by_a_theme_name_it(engine, prior):
    lifted = {h.id: h.theme for h in engine.search(QUERY, k=4, topics=prior)}
    assert lifted["m2-hallucinations"] == "Large language models"
    assert lifted.get("m1-chatbots") is None  # in no theme
    assert all(h.theme is None for h in engine.search(QUERY, k=4))
    assert all(h.theme is None for h in engine.search(QUERY, k=4, mode="dense", topics=prior))
    unfit = TopicPrior(prior.members, prior.vectors, prior.names, floor=0.99)
    assert all(h.theme is None for h in engine.search(QUERY, k=4, topics=unfit))


def test_theme_line_says_the_query_fits_the_theme():
    from app_pages.views import theme_line

    assert theme_line("Speech") == "Theme: Speech, which your query fits"
    assert theme_line(None) is None and theme_line("") is None


@pytest.mark.parametrize("semantic", [True, False])
def test_search_cards_show_the_theme_a_hit_was_lifted_by(_data_dir, monkeypatch, semantic):
    from test_app import assert_ok, build_app_data, run_app, texts

    from embeddings.encoder import HashingEncoder

    monkeypatch.setattr(HashingEncoder, "semantic", semantic)  # a stand-in model of meaning
    build_app_data(_data_dir)
    at = run_app({"q": "attention for translation"})
    assert_ok(at)
    shown = [line for line in texts(at).splitlines() if "which your query fits" in line]
    assert bool(shown) is semantic, shown
    assert all(line.replace("\\", "").startswith("Theme: ") for line in shown), shown


def test_a_theme_is_named_only_if_it_is_among_the_querys_best():
    members = np.array([[True, False, False], [False, True, False], [False, False, True]])
    p = TopicPrior(members, np.eye(3, 4, dtype=np.float32), ("a", "b", "c"), floor=0.1)
    fit = np.array([0.5, 0.4, 0.3], np.float32)
    assert [p.fitting_theme(fit, r, top=2) for r in range(3)] == ["a", "b", None]
    assert p.fitting_theme(np.array([0.05, 0.04, 0.03]), 0) is None  # below the floor
    # Above the median of unrelated pairs but under their upper quartile: a name or an
    # unknown word ('glacier') fits every theme about that much; no theme is claimed.
    strict = TopicPrior(members, np.eye(3, 4, dtype=np.float32), ("a", "b", "c"), floor=0.1,
                        evidence_floor=0.45)
    assert [strict.fitting_theme(fit, r, top=2) for r in range(3)] == ["a", None, None]


def test_the_evidence_floor_is_the_upper_quartile_of_unrelated_pairs():
    cos_items = np.eye(4, dtype=np.float32)
    themes = np.array([[0.9, 0.1, 0.2, 0.3], [0.4, 0.8, 0.5, 0.6]], np.float32)
    members = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], bool)
    # non-member cosines: 0.4 (item 0), 0.1 (item 1), 0.2 (item 2), 0.6 (item 3)
    assert theme_floor(cos_items, themes, members) == pytest.approx(0.3)
    assert theme_floor(cos_items, themes, members, 0.75) == pytest.approx(0.45)
