"""The Python API (`explorer.open`) and the `search` / `related` commands."""

from __future__ import annotations

import json

import numpy as np
import pytest
from search_corpus import make_store
from typer.testing import CliRunner

import explorer
from embeddings.encoder import HashingEncoder
from embeddings.index import IndexMismatch, IndexMissing
from explorer.api import PAPER_COLUMNS, TALK_COLUMNS
from explorer.domain import Hit
from explorer.search import build_index
from explorer.store import StoreError

BEES = "m2-beekeeping-with-microphones"
GRAPHS = "m2-graph-networks-for-molecules"


@pytest.fixture
def built(tmp_path):
    d = tmp_path / "built"
    store = make_store(d)
    build_index(store, HashingEncoder())
    store.close()
    return d


@pytest.fixture
def ex(built):
    e = explorer.open(built)
    yield e
    e.close()


def test_open_without_database_names_the_build_command(tmp_path):
    with pytest.raises(StoreError, match=r"explorer build --source DIR\|github --data-dir"):
        explorer.open(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_open_without_index_names_the_build_command(tmp_path):
    make_store(tmp_path / "d").close()
    with pytest.raises(IndexMissing, match=r"explorer build --source DIR\|github --data-dir "
                       + str(tmp_path / "d")):
        explorer.open(tmp_path / "d")


def test_open_uses_the_index_model_and_refuses_another(built):
    ex = explorer.open(built)  # no model given: the manifest's "hashing-64"
    assert ex.model == "hashing-64"
    ex.close()
    with pytest.raises(IndexMismatch, match=r"built with model 'hashing-64'.*`explorer build "
                       r"--source DIR\|github --data-dir \S+ --model hashing-16`"):
        explorer.open(built, model="hashing-16")


def test_open_reads_the_default_data_dir(built, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(built))
    ex = explorer.open()
    assert ex.data_dir == built
    ex.close()


def test_search_and_related_return_hits(ex):
    hits = ex.search("bees and beekeeping", k=3)
    assert all(isinstance(h, Hit) for h in hits) and hits[0].id == BEES
    assert hits[0].url == "https://example.org/bees.pdf"  # slides first
    papers = ex.search("zebra benchmark", kind="paper", mode="bm25")
    assert papers[0].id == "arxiv:2101.00001"
    assert papers[0].url == "https://arxiv.org/abs/2101.00001"
    rel = ex.related(GRAPHS, k=3)
    # only items closer than two random ones (or sharing a cited paper): not padded to k
    assert 1 <= len(rel) <= 3 and GRAPHS not in {h.id for h in rel} and BEES not in {
        h.id for h in rel}
    assert ex.shared_terms(GRAPHS, "m7-molecule-generation-with-graph-diffusion")[0] == \
        "molecules"


def test_talks_dataframe_has_the_json_columns(ex):
    df = ex.talks()
    assert list(df.columns) == TALK_COLUMNS
    assert len(df) == 8  # intro and cancelled slots are listed, only not searched
    row = ex.talk(GRAPHS)
    assert row["meetup"] == 2 and row["date"] == "2018-03-01"
    assert row["url"] == "https://github.com/vdlm/meetups/tree/main/Meetups/Meetup_2"
    assert row["speakers"] == ["Dora Invented"]
    with pytest.raises(KeyError, match="no talk 'm9-nope'"):
        ex.talk("m9-nope")
    df.loc[0, "title"] = "changed"  # callers get a copy
    assert ex.talks().loc[0, "title"] != "changed"


def test_papers_dataframe_has_the_json_columns(ex):
    df = ex.papers()
    assert list(df.columns)[:len(PAPER_COLUMNS)] == PAPER_COLUMNS
    assert df["id"].tolist() == ["2101.00001", "2202.00002"]
    assert ex.paper("arxiv:2101.00001")["title"].startswith("A zebra benchmark")
    assert ex.paper("2202.00002")["resolved"] is False or not ex.paper("2202.00002")["resolved"]
    with pytest.raises(KeyError, match="no cited paper"):
        ex.paper("arxiv:1111.11111")


def test_meetups_item_text_and_vectors(ex):
    m = ex.meetups()
    assert m["label"].tolist() == ["AI", 2, 7]
    assert m["talks"].tolist() == [1, 2, 2]
    assert ex.item_text(BEES).startswith("Beekeeping with microphones.")
    ids, kinds, vecs = ex.vectors()
    assert len(ids) == len(kinds) == vecs.shape[0] == 7 and vecs.shape[1] == 64
    assert kinds.count("paper") == 2 and ids[-1] == "arxiv:2202.00002"
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert vecs[ids.index(BEES)] @ HashingEncoder().encode([ex.item_text(BEES)])[0] == \
        pytest.approx(1.0)


def test_talk_records_match_the_talks_json(built):
    from explorer.store import Store

    store = Store.open(built, create=False)
    records = store.talk_records()
    store.close()
    assert list(records[0]) == TALK_COLUMNS
    ai = records[0]
    assert ai["meetup"] == "AI" and ai["url"] == "https://www.meetup.com/example/events/1/"
    assert [r["kind"] for r in records].count("intro-and-hot-topics") == 2


# -- CLI ---------------------------------------------------------------------------------------
def _cli(*args):
    from explorer.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_search_json_and_filters(built):
    r = _cli("search", "graph molecules", "--k", "2", "--kind", "talk", "--json",
             "--data-dir", str(built))
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)
    assert len(hits) == 2 and {h["kind"] for h in hits} == {"talk"}
    assert set(hits[0]) == {"id", "kind", "title", "meetup", "date", "score", "url", "match",
                            "theme"}
    r = _cli("search", "graph", "--meetup", "AI", "--mode", "bm25", "--json",
             "--data-dir", str(built))
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    r = _cli("search", "graph", "--years", "soon", "--data-dir", str(built))
    assert r.exit_code == 2 and "2019-2023" in r.output


def test_cli_search_table_and_missing_index(built, tmp_path):
    r = _cli("search", "bees", "--data-dir", str(built))
    assert r.exit_code == 0 and "Beekeeping" in r.stdout and BEES[:12] in r.stdout
    make_store(tmp_path / "noindex").close()
    r = _cli("search", "bees", "--data-dir", str(tmp_path / "noindex"))
    assert r.exit_code == 2 and "explorer build" in r.output


def test_cli_related(built):
    r = _cli("related", GRAPHS, "--k", "2", "--json", "--data-dir", str(built))
    assert r.exit_code == 0, r.output
    ids = [h["id"] for h in json.loads(r.stdout)]
    assert len(ids) == 2 and GRAPHS not in ids and BEES not in ids
    r = _cli("related", "m2-no-such-talk", "--data-dir", str(built))
    assert r.exit_code == 2 and "no talk or paper 'm2-no-such-talk'" in r.output


def test_topics_gaps_and_novelty_from_the_explorer(built):
    ex = explorer.open(built)
    topics = ex.topics()
    assert list(topics.columns[:4]) == ["id", "label", "terms", "size"]
    assert topics["id"].str.startswith("theme:").all()
    themes = ex.theme_assignment()  # every item has its themes, or none (Other)
    assert {i for t in topics["id"] for i in themes.members(t)} == set(ex.vectors()[0])
    assert topics["size"].sum() >= len(ex.vectors()[0])
    assert ex.topic_model().assignments.keys() == set(ex.vectors()[0])
    assert {g.kind for g in ex.gaps(as_of="2040-01-01")} <= {"uncovered", "stale"}
    result = ex.novelty(ex.item_text(BEES))  # a past talk, restated
    assert result.verdict == "covered" and result.closest[0].id == BEES
    over_time = ex.topics_over_time()
    assert over_time[over_time["kind"] == "talk"]["count"].sum() == topics["talks"].sum()
    ex.close()


def test_people_one_row_per_person_with_their_talks(ex):
    people = ex.people().set_index("name")
    assert people.loc["Dora Invented", "talks"] == ["m2-graph-networks-for-molecules",
                                                    "m7-molecule-generation-with-graph-diffusion"]
    assert people.loc["Dora Invented", "meetups"] == [2, 7]
    assert people.loc["Emil Madeup", "aliases"] == ["Emil Madeup"]


def test_talks_by_finds_a_person_under_another_spelling(ex):
    assert ex.person("DÓRA  invented")["name"] == "Dora Invented"
    assert list(ex.talks_by("dora invented")["id"]) == [
        "m2-graph-networks-for-molecules", "m7-molecule-generation-with-graph-diffusion"]
    assert ex.person("Nobody Known") is None
    assert ex.talks_by("Nobody Known").empty


def test_a_related_card_without_evidence_claims_no_closeness(ex):
    # bees and molecule graphs share no key phrase, cited paper or theme here
    assert ex.reasons(GRAPHS, BEES) == []
    assert ex.why_related(GRAPHS, BEES) == (
        "Nearest in meaning by the model (no shared key phrase, cited paper or theme)")
