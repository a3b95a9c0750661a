"""The store: schema versioning, idempotent all-or-nothing ingest, vector cache, index files."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from explorer.domain import ArxivRef, Corpus, Meetup, Paper, ParseWarning, Talk
from explorer.store import NOT_FOUND, PENDING, SCHEMA_VERSION, Store, StoreError


def _corpus(*talk_titles: str) -> Corpus:
    meetups = [Meetup("7", 7, "Seventh", "2016-12-01", "Somewhere", None, "Meetups/Meetup_7/README.md"),
               Meetup("AI", None, "Summit", "2017-09-04")]
    talks = [Talk(f"m7-t{i}", "7", title, ["Ada Lovelace"]) for i, title in enumerate(talk_titles)]
    talks.append(Talk("mai-keynote", "AI", "Keynote", ["Grace Hopper"]))
    refs = [ArxivRef("1234.56789", "7", "m7-t0", "see arXiv:1234.56789", "x.pdf")]
    return Corpus(meetups, talks, refs, [ParseWarning("Meetups/Meetup_7/README.md", "odd", 3)])


def test_schema_is_versioned(tmp_path):
    store = Store.open(tmp_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.conn.execute("PRAGMA user_version = 99")
    store.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store.open(tmp_path)


def test_open_without_database_names_the_build_command(tmp_path):
    with pytest.raises(StoreError, match="explorer build --source"):
        Store.open(tmp_path / "nothing", create=False)


def test_not_a_database_is_a_clear_error(tmp_path):
    (tmp_path / "explorer.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a readable SQLite database"):
        Store.open(tmp_path)


def test_replace_corpus_is_idempotent_and_removes_vanished_talks(tmp_path):
    store = Store.open(tmp_path)
    store.replace_corpus(_corpus("A", "B"))
    store.replace_corpus(_corpus("A", "B"))
    assert [t.id for t in store.talks()] == ["m7-t0", "m7-t1", "mai-keynote"]
    assert len(store.refs()) == 1
    store.replace_corpus(_corpus("A"))
    assert [t.id for t in store.talks()] == ["m7-t0", "mai-keynote"]
    assert [str(w) for w in store.warnings()] == ["Meetups/Meetup_7/README.md:3: odd"]


def test_failing_ingest_leaves_previous_database_intact(tmp_path):
    store = Store.open(tmp_path)
    store.replace_corpus(_corpus("A", "B"))
    bad = _corpus("A")
    bad.talks.append(Talk("m7-t0", "7", "duplicate id"))
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_corpus(bad)
    assert [t.title for t in store.talks()] == ["A", "B", "Keynote"]


def test_talk_records_use_number_or_short_key(tmp_path):
    store = Store.open(tmp_path)
    store.replace_corpus(_corpus("A"))
    recs = {r["id"]: r for r in store.talk_records()}
    assert recs["m7-t0"]["meetup"] == 7 and recs["m7-t0"]["date"] == "2016-12-01"
    assert recs["m7-t0"]["url"] == "https://github.com/vdlm/meetups/tree/main/Meetups/Meetup_7"
    assert recs["mai-keynote"]["meetup"] == "AI"
    assert recs["m7-t0"]["speakers"] == ["Ada Lovelace"]


def test_papers_keep_status_and_reason(tmp_path):
    store = Store.open(tmp_path)
    store.save_papers([Paper("1234.56789", 2, "T", "A", ["X"], ["cs.LG"], resolved=True),
                       Paper("9999.99999", reason="arXiv has no such id"),
                       Paper("1111.11111", reason="network")],
                      status={"1111.11111": PENDING})
    assert store.paper_status() == {"1234.56789": "resolved", "9999.99999": NOT_FOUND,
                                    "1111.11111": PENDING}
    papers = {p.id: p for p in store.papers()}
    assert papers["1234.56789"].resolved and papers["1234.56789"].authors == ["X"]
    assert not papers["9999.99999"].resolved
    assert papers["9999.99999"].reason == "arXiv has no such id"


def test_vector_cache_round_trip_per_model(tmp_path):
    store = Store.open(tmp_path)
    v = np.array([0.6, 0.8], dtype=np.float32)
    store.save_vectors("m1", {"h1": v})
    assert np.array_equal(store.cached_vectors("m1", ["h1", "h2"])["h1"], v)
    assert store.cached_vectors("m2", ["h1"]) == {}


def test_index_files_are_checked_against_their_manifest(tmp_path):
    store = Store.open(tmp_path)
    assert store.read_index("items") is None
    store.write_index("items", b"0123456789", {"model": "m"})
    data, manifest = store.read_index("items")
    assert data == b"0123456789" and manifest["model"] == "m"
    ipath, mpath = store.index_paths("items")
    ipath.write_bytes(b"01234")
    with pytest.raises(StoreError, match="truncated"):
        store.read_index("items")
    mpath.write_text("{not json")
    with pytest.raises(StoreError, match="corrupt"):
        store.read_index("items")
    assert not list(ipath.parent.glob("*.tmp"))
