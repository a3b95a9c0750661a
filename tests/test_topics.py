"""k-means topics (kept for comparison with the themes) and novelty on hand-made vectors and
texts (no model); themes and gaps are tested in test_themes.py."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.insights.novelty import (
    check_novelty,
    closest,
    corpus_thresholds,
    thresholds_for,
    verdict,
)
from explorer.insights.topics import (
    TopicModel,
    assign,
    choose_clusters,
    ctfidf_terms,
    fit_topics,
    label_from_terms,
    load_model,
    save_model,
    topic_count_range,
    update_topics,
)
from explorer.store import Store

DIM = 12
WORDS = {
    "graph": "graph message passing nodes edges",
    "rl": "reinforcement agents reward policy environment",
    "audio": "audio music spectrogram speech sound",
}


def _group(axis: int, n: int, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    v = np.zeros((n, DIM), np.float32)
    v[:, axis] = 1.0
    return v + rng.normal(0, noise, (n, DIM)).astype(np.float32)


def _corpus(n: int = 10, seed: int = 0):
    """Three well-separated groups of n items, texts sharing the word 'deep'."""
    rng = np.random.default_rng(seed)
    ids, texts, vecs = [], [], []
    for axis, (name, words) in enumerate(WORDS.items()):
        vecs.append(_group(axis, n, rng))
        for i in range(n):
            w = words.split()
            ids.append(f"{name}-{i}")
            texts.append(f"deep {w[i % 5]} {w[(i + 1) % 5]} {w[(i + 2) % 5]} study {i}")
    return ids, texts, np.vstack(vecs)


def _topic_of_group(model: TopicModel, name: str) -> int:
    found = {model.assignments[i] for i in model.assignments if i.startswith(name + "-")}
    assert len(found) == 1, f"group {name} split over topics {found}"
    return found.pop()


# -- clustering -------------------------------------------------------------------------------
def test_three_separated_groups_give_three_topics():
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs)
    assert len(model.active()) == 3
    assert {_topic_of_group(model, g) for g in WORDS} == {0, 1, 2}
    assert max(model.silhouette, key=model.silhouette.get) == 3
    assert all(t.size == 10 for t in model.active())
    assert model.next_id == 3


def test_choose_clusters_is_deterministic_and_respects_range():
    _, _, vecs = _corpus()
    a, scores = choose_clusters(vecs, (2, 5), seed=1)
    b, _ = choose_clusters(vecs, (2, 5), seed=1)
    assert (a == b).all()
    assert set(scores) == {2, 3, 4, 5}


def test_topic_count_range_grows_with_items_and_is_bounded():
    assert topic_count_range(300) == (9, 30)
    assert topic_count_range(30) == (3, 10)
    assert topic_count_range(12) == (2, 4)
    assert topic_count_range(10_000) == (30, 30) or topic_count_range(10_000)[1] == 30


def test_fixed_number_of_topics():
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs, n_topics=2)
    assert len(model.active()) == 2


def test_bad_inputs_name_the_problem():
    ids, texts, vecs = _corpus()
    with pytest.raises(ValueError, match="29 texts"):
        fit_topics(ids, texts[:-1], vecs)
    with pytest.raises(ValueError, match="'graph-0' appears more than once"):
        fit_topics(["graph-0"] + ids[1:-1] + ["graph-0"], texts, vecs)


# -- labels ------------------------------------------------------------------------------------
def test_ctfidf_picks_distinctive_words_not_shared_ones():
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs)
    for name, words in WORDS.items():
        topic = model.topics[_topic_of_group(model, name)]
        top3 = topic.label.split(", ")
        assert len(top3) == 3
        assert all(any(w in term.split() for w in words.split()) for term in top3), topic.label
        assert "deep" not in " ".join(topic.terms[:3])
        assert "study" not in " ".join(topic.terms[:3])
        assert all(r.startswith(name + "-") for r in topic.representatives)


def test_ctfidf_weights_rare_terms_above_common_ones():
    terms = ctfidf_terms(["apple banana", "apple cherry", "apple durian"], [0, 1, 2], n_terms=3)
    weights = dict(terms[0])
    assert weights["banana"] > weights["apple"] > 0
    assert "cherry" not in weights and "durian" not in weights


def test_label_skips_terms_sharing_words():
    terms = ["reinforcement learning", "reinforcement", "policy", "learning", "agents"]
    assert label_from_terms(terms) == "reinforcement learning, policy, agents"
    assert label_from_terms([]) == "(no terms)"


# -- stable ids --------------------------------------------------------------------------------
def test_new_items_join_nearest_topic_and_far_items_make_a_new_one():
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs)
    rng = np.random.default_rng(7)
    near = _group(1, 1, rng)  # next to the reinforcement-learning group
    far = _group(5, 2, rng)  # a direction no topic has
    ids2 = ids + ["rl-new", "quantum-0", "quantum-1"]
    texts2 = texts + ["reinforcement reward", "quantum qubits circuits", "quantum annealing"]
    updated = update_topics(model, ids2, texts2, np.vstack([vecs, near, far]))
    for iid in ids:
        assert updated.assignments[iid] == model.assignments[iid]
    assert updated.assignments["rl-new"] == _topic_of_group(model, "rl")
    assert updated.assignments["quantum-0"] == updated.assignments["quantum-1"] == 3
    assert updated.next_id == 4
    assert "quantum" in updated.topics[3].label
    assert set(model.topics) == {0, 1, 2}  # the input model is not modified


def test_removed_items_leave_topic_ids_unused_and_unrenumbered():
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs)
    gone = _topic_of_group(model, "graph")
    keep = [i for i, x in enumerate(ids) if not x.startswith("graph-")]
    updated = update_topics(model, [ids[i] for i in keep], [texts[i] for i in keep], vecs[keep])
    assert updated.topics[gone].size == 0
    assert gone not in {t.id for t in updated.active()}
    # An item of the old subject comes back: it rejoins the emptied topic's id.
    back = update_topics(updated, ids, texts, vecs)
    assert back.assignments["graph-3"] == gone
    assert back.next_id == 3


def test_assign_marks_far_vectors_and_checks_dim():
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs)
    far = np.zeros((1, DIM), np.float32)
    far[0, 8] = 1
    topics, sims = assign(model, np.vstack([vecs[:1], far]))
    assert topics[0] == model.assignments[ids[0]] and topics[1] == -1
    assert sims[0] > model.threshold > sims[1]
    with pytest.raises(ValueError, match="dim 5"):
        assign(model, np.ones((1, 5)))


def test_model_round_trips_through_the_store(tmp_path):
    ids, texts, vecs = _corpus()
    model = fit_topics(ids, texts, vecs, model="hashing-64")
    store = Store.open(tmp_path / "d")
    assert load_model(store) is None
    save_model(store, model)
    back = load_model(Store.open(tmp_path / "d"))
    assert back.assignments == model.assignments
    assert back.threshold == model.threshold and back.next_id == model.next_id
    assert back.model == "hashing-64"
    assert [t.label for t in back.topics.values()] == [t.label for t in model.topics.values()]
    np.testing.assert_allclose(back.topics[1].centroid, model.topics[1].centroid, atol=1e-5)
    a, _ = assign(back, vecs)
    assert list(a) == [model.assignments[i] for i in ids]


# -- novelty -----------------------------------------------------------------------------------
def test_verdict_thresholds():
    assert verdict(0.7, 0.55, 0.35) == "covered"
    assert verdict(0.55, 0.55, 0.35) == "covered"
    assert verdict(0.4, 0.55, 0.35) == "partly"
    assert verdict(0.2, 0.55, 0.35) == "new"
    with pytest.raises(ValueError, match="must not exceed"):
        verdict(0.5, 0.3, 0.6)


def _angle(deg: float) -> np.ndarray:
    r = np.deg2rad(deg)
    return np.array([np.cos(r), np.sin(r), 0.0], np.float32)


def test_check_novelty_on_vectors_with_known_cosines():
    talks = [{"id": f"t{d}", "title": f"at {d} degrees", "meetup": 1, "date": "2020-01-01"}
             for d in (0, 60, 90)]
    vecs = np.stack([_angle(0), _angle(60), _angle(90)]) * 3  # not normalized on purpose
    covered = check_novelty(_angle(20), vecs, talks, thresholds=(0.9, 0.6))  # cos 20° = 0.94
    assert covered.verdict == "covered" and covered.score == pytest.approx(0.9397, abs=1e-4)
    assert [h.id for h in covered.closest] == ["t0", "t60", "t90"]
    partly = check_novelty(_angle(-40), vecs, talks, k=1, thresholds=(0.9, 0.6))  # cos 40°
    assert partly.verdict == "partly" and [h.id for h in partly.closest] == ["t0"]
    new = check_novelty(_angle(-80), vecs, talks, thresholds=(0.9, 0.6))  # cos 80° = 0.17
    assert new.verdict == "new"
    d = new.to_dict()
    assert d["verdict"] == "new" and d["closest"][0]["kind"] == "talk"


def test_closest_orders_and_checks_dims():
    idx, sims = closest(_angle(50), np.stack([_angle(0), _angle(60), _angle(45)]), k=2)
    assert list(idx) == [2, 1]
    assert sims[0] == pytest.approx(np.cos(np.deg2rad(5)), abs=1e-5)
    with pytest.raises(ValueError, match="dim 3"):
        closest(_angle(0), np.ones((2, 4)))


def test_thresholds_calibrated_or_from_the_corpus():
    assert thresholds_for("sentence-transformers/all-MiniLM-L6-v2") == thresholds_for(
        "all-MiniLM-L6-v2")
    _, _, vecs = _corpus()
    covered, partly = thresholds_for("hashing-64", vecs)
    assert (covered, partly) == corpus_thresholds(vecs)
    assert 0.9 < partly <= covered <= 1.0  # each item has a near twin in its own group
    assert corpus_thresholds(vecs[:2]) == (1.0, 1.0)


# -- on an opened data dir (invented corpus, hashing model) ---------------------------------------
@pytest.fixture
def built(tmp_path):
    from search_corpus import make_store

    from embeddings.encoder import HashingEncoder
    from explorer.search import build_index

    store = make_store(tmp_path / "d")
    build_index(store, HashingEncoder())
    store.close()
    return tmp_path / "d"


def _open(d):
    import explorer

    return explorer.open(d)


def test_item_frame_dates_papers_by_their_first_citing_meetup(built):
    from explorer.insights.gaps import item_frame

    ex = _open(built)
    df = item_frame(ex).set_index("id")
    ex.close()
    assert list(df["kind"]).count("talk") == 5 and list(df["kind"]).count("paper") == 2
    zebra, xylo = df.loc["arxiv:2101.00001"], df.loc["arxiv:2202.00002"]
    # Cited at meetup 2 (2018, in the hot-topics slot) and again at 7: dated 2018, hot.
    assert (zebra["date"], zebra["meetup"], bool(zebra["hot"])) == ("2018-03-01", 2, True)
    assert zebra["title"] == "A zebra benchmark for graph neural networks"
    # Cited only by a talk: not a hot-topic paper; unresolved: titled by its citing text.
    assert (xylo["date"], bool(xylo["hot"]), xylo["title"]) == (
        "2021-11-10", False, "paper on xylophone audio tagging")
    assert not xylo["resolved"] and zebra["resolved"]  # evidence names xylo by its id
    assert df.loc["mai-robots-that-fold-laundry", "date"] == "2017-09-04"


def test_topic_model_is_persisted_and_kept_when_a_meetup_is_added(built):
    from search_corpus import invented_corpus

    from embeddings.encoder import HashingEncoder
    from explorer.domain import Meetup, Talk
    from explorer.insights.gaps import topic_model
    from explorer.search import build_index

    ex = _open(built)
    first = topic_model(ex)
    assert load_model(ex.store) is None  # explorer.open reads only: `explorer build` saves
    assert first.model == "hashing-64"
    ex.close()
    writable = Store.open(built)
    save_model(writable, first)
    assert load_model(writable).assignments == first.assignments
    writable.close()
    corpus = invented_corpus()
    corpus.meetups.append(Meetup("8", 8, "8th meetup", "2022-05-05"))
    corpus.talks.append(Talk(id="m8-zither-tuning-robots", meetup_key="8",
                             title="Zither tuning robots",
                             abstract="Quantum qubits yodel zither harmonics."))
    store = Store.open(built)
    store.replace_corpus(corpus)
    build_index(store, HashingEncoder())
    store.close()
    ex = _open(built)
    second = topic_model(ex)
    ex.close()
    for iid, t in first.assignments.items():
        assert second.assignments[iid] == t
    assert "m8-zither-tuning-robots" in second.assignments
    assert set(first.topics) <= set(second.topics)
    assert second.next_id >= first.next_id


def test_cli_topics_gaps_novelty_json(built):
    import json

    from typer.testing import CliRunner

    from explorer.cli import app

    run = CliRunner()
    res = run.invoke(app, ["topics", "--json", "--data-dir", str(built)])
    assert res.exit_code == 0, res.output
    topics = json.loads(res.stdout)
    assert sum(t["talks"] for t in topics) >= 5  # every talk in a theme (or Other)
    assert set(topics[0]) == {"id", "label", "description", "terms", "size", "talks", "papers",
                              "first_date", "last_date", "last_talk_date", "upcoming",
                              "next_talk_date"}
    res = run.invoke(app, ["gaps", "--json", "--as-of", "2030-01-01", "--data-dir", str(built)])
    assert res.exit_code == 0, res.output
    gaps = json.loads(res.stdout)
    assert gaps and {g["kind"] for g in gaps} == {"stale"}  # every theme's last talk < 2022
    assert all(g["last_talk"]["date"] <= "2021-11-10" and g["talks_evidence"] for g in gaps)
    assert all(g["as_of"] == "2030-01-01" for g in gaps)
    text = "Beekeeping with microphones. Detecting a swarming hive from the hum of the bees " \
           "with spectrogram classifiers."
    res = run.invoke(app, ["novelty", text, "--json", "--data-dir", str(built)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["verdict"] == "covered" and out["score"] == pytest.approx(1.0, abs=1e-4)
    assert out["headline"].startswith("Already covered: “Beekeeping with microphones” at "
                                      "meetup 2 (2018-03-01)")
    assert out["closest"][0]["id"] == "m2-beekeeping-with-microphones"
    assert [h["score"] for h in out["closest"]] == sorted(
        (h["score"] for h in out["closest"]), reverse=True)
    res = run.invoke(app, ["novelty", "  ", "--data-dir", str(built)])
    assert res.exit_code == 2 and "empty" in res.output
    res = run.invoke(app, ["topics", "--data-dir", str(built / "nothing")])
    assert res.exit_code == 2 and "explorer build" in res.output


def test_cli_tables_without_json(built):
    from typer.testing import CliRunner

    from explorer.cli import app

    run = CliRunner()
    res = run.invoke(app, ["topics", "--data-dir", str(built)])
    assert res.exit_code == 0 and "Themes" in res.stdout
    res = run.invoke(app, ["novelty", "graph networks for molecules", "--data-dir", str(built)])
    assert res.exit_code == 0 and "verdict:" in res.stdout and "Graph networks" in res.stdout


def test_citing_phrase_titles_unresolved_papers():
    from explorer.ingest.arxiv_ids import citing_phrase

    ctx = "flowing. ### Hot Topics - Protein folding of membranes (arXiv:2405.08001) - Next one"
    assert citing_phrase(ctx, "2405.08001") == "Protein folding of membranes"
    assert citing_phrase("Attention is all: https://arxiv.org/abs/1706.03762 more",
                         "1706.03762") == "Attention is all"
    assert citing_phrase("- Wave nets for sound (<https://arxiv.org/abs/1609.00001>)",
                         "1609.00001") == "Wave nets for sound"
    assert citing_phrase("no id here at all", "1111.22222") == "no id here at all"


def test_rerank_terms_prefers_terms_near_the_topic_centre():
    from explorer.insights.topics import rerank_terms

    # "currently" has the top c-TF-IDF weight but points away from the topic's centre.
    space = {"currently": [0.0, 1.0], "music": [1.0, 0.0], "audio": [0.9, 0.1]}
    embed = lambda terms: np.array([space[t] for t in terms], dtype=np.float32)
    weighted = [("currently", 1.0), ("music", 0.8), ("audio", 0.7)]
    centre = np.array([1.0, 0.0], dtype=np.float32)
    assert rerank_terms(weighted, centre, embed) == ["music", "audio", "currently"]
    assert rerank_terms([], centre, embed) == []
