"""The field's index (exact and IVF-PQ + re-ranking), and search / related with --scope field.

The field is embedded here without Ray (the Ray build has its own test in test_field_ray.py)
with the torch-free HashingEncoder, the archive's model in these tests.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from field_fixtures import TOPICS, write_snapshot
from search_corpus import make_store
from typer.testing import CliRunner

import explorer
from embeddings.compressed import CompressedIndex
from embeddings.encoder import HashingEncoder
from embeddings.index import IndexCorrupt, IndexMismatch, IndexMissing, exact_search
from explorer.cli import app
from explorer.field.index import FieldIndex, build_field_index
from explorer.field.snapshot import field_text, import_snapshot
from explorer.search import build_index
from explorer.store.fieldstore import FieldStore

GRAPHS = "m2-graph-networks-for-molecules"


def embed_here(fs: FieldStore, enc) -> int:
    """What `explorer field build` does on Ray, in-process (for fast tests)."""
    rows = fs.pending(enc.model_id, 10**9)
    fs.save_vectors(enc.model_id, [r["text_hash"] for r in rows],
                    enc.encode([field_text(r["title"], r["abstract"]) for r in rows]))
    return len(rows)


@pytest.fixture
def world(tmp_path):
    """An archive indexed with HashingEncoder and a field of 400 invented papers beside it."""
    d = tmp_path / "data"
    store = make_store(d)
    build_index(store, HashingEncoder())
    store.close()
    fs = FieldStore.open(d)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 400), categories="all")
    embed_here(fs, HashingEncoder())
    build_field_index(fs, "hashing-64")
    fs.close()
    return d


def cli(*args):
    res = CliRunner().invoke(app, list(args))
    return res


def test_search_scope_field_finds_field_papers_on_the_topic(world):
    res = cli("search", "graph message passing molecule", "--scope", "field", "--json",
              "--k", "5", "--data-dir", str(world))
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 5 and all(h["kind"] == "field" for h in hits)
    assert all(h["id"].startswith("arxiv:") and h["url"].startswith("https://arxiv.org/abs/")
               for h in hits)
    graph_words = set(TOPICS["graphs"])
    assert all(len(graph_words & set(h["title"].lower().split())) >= 2 for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_scope_all_merges_by_cosine_and_archive_stays_default(world):
    ex = explorer.open(world)
    try:
        archive = ex.search("graph networks for molecules", k=5)
        assert archive and all(h.kind in ("talk", "paper") for h in archive)
        both = ex.search("graph networks for molecules", k=8, scope="all")
        kinds = {h.kind for h in both}
        assert "field" in kinds and kinds & {"talk", "paper"}
        assert [h.score for h in both] == sorted((h.score for h in both), reverse=True)
        with pytest.raises(ValueError, match="scope must be one of"):
            ex.search("x", scope="galaxy")
        with pytest.raises(ValueError, match="by meaning only"):
            ex.search("x", scope="field", mode="bm25")
    finally:
        ex.close()


def test_related_scope_field_from_a_talk_and_from_a_field_paper(world):
    res = cli("related", GRAPHS, "--scope", "field", "--json", "--k", "4",
              "--data-dir", str(world))
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 4 and all(h["kind"] == "field" for h in hits)
    ex = explorer.open(world)
    try:
        first = hits[0]["id"]
        again = ex.related(first, k=3, scope="field")
        assert first not in [h.id for h in again] and len(again) == 3
        late = ex.related(GRAPHS, k=5, scope="field", after="2022-01-01")
        early = ex.related(GRAPHS, k=5, scope="field", before="2022-01-01")
        assert late and all(h.date >= "2022-01-01" for h in late)
        assert early and all(h.date < "2022-01-01" for h in early)
        with pytest.raises(KeyError, match="no field paper"):
            ex.related("arxiv:0000.00000", scope="field")
    finally:
        ex.close()
    bad = cli("related", "arxiv:0000.00000", "--scope", "field", "--data-dir", str(world))
    assert bad.exit_code == 2 and "no field paper" in bad.output


def test_without_a_field_the_error_names_the_command(tmp_path):
    d = tmp_path / "data"
    store = make_store(d)
    build_index(store, HashingEncoder())
    store.close()
    res = cli("search", "graphs", "--scope", "field", "--data-dir", str(d))
    assert res.exit_code == 2 and "explorer field import" in res.output
    FieldStore.open(d).close()
    res = cli("search", "graphs", "--scope", "field", "--data-dir", str(d))
    assert res.exit_code == 2 and "explorer field build" in res.output


def test_field_index_of_another_model_is_refused(world):
    fs = FieldStore.open(world)
    with pytest.raises(IndexMismatch, match="field build --model"):
        FieldIndex.load(fs, expect_model="all-MiniLM-L6-v2")
    fs.close()


def test_rebuild_is_content_addressed_and_switches_atomically(world, tmp_path):
    fs = FieldStore.open(world)
    before = fs.read_manifest("field")
    same = build_field_index(fs, "hashing-64")
    assert same["files"] == before["files"]  # same vectors: the same files
    import_snapshot(fs, write_snapshot(tmp_path / "more.json", 420, seed=9), categories="all")
    embed_here(fs, HashingEncoder())
    after = build_field_index(fs, "hashing-64")
    assert after["digest"] != before["digest"] and after["count"] > before["count"]
    names = sorted(p.name for p in fs.index_dir.iterdir())
    assert names == sorted([*after["files"].values(), "field.json"])  # old files dropped
    # A damaged index file is refused, not read.
    path = fs.index_file(after, ".faiss")
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IndexMismatch, match="truncated or corrupt"):
        FieldIndex.load(fs)
    fs.close()


def test_compressed_field_index_matches_exact_search(world):
    fs = FieldStore.open(world)
    manifest = build_field_index(fs, "hashing-64", compressed=True, nlist=8, m=16, nprobe=8)
    assert manifest["kind"] == "ivfpq" and manifest["count"] == 400
    index = FieldIndex.load(fs).index
    assert isinstance(index, CompressedIndex)
    ns, vecs = next(fs.iter_vectors("hashing-64"))
    q = vecs[:20]
    _, got = index.search(q, 10)
    _, want = exact_search(q, vecs, 10, ids=ns)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want)])
    assert recall >= 0.95  # all lists probed: only PQ's candidate list can miss
    assert (got[:, 0] == ns[:20]).all()  # each vector finds itself first (exact re-rank)
    with pytest.raises(IndexCorrupt):
        CompressedIndex.from_bytes(index.to_bytes()[:-5], index.vectors, index.row_ids)
    fs.close()


def test_no_vectors_yet_is_a_clear_error(tmp_path):
    fs = FieldStore.open(tmp_path / "d")
    with pytest.raises(IndexMissing, match="explorer field build"):
        build_field_index(fs, "hashing-64")
    fs.close()


def test_scoped_search_applies_the_filters_to_the_field_too(world):
    """A years filter keeps field papers of those years; a talk or meetup filter, which no
    field paper can meet, keeps the field out (it used to be ignored there)."""
    ex = explorer.open(world)
    try:
        q = "graph networks for molecules"
        unfiltered = [h for h in ex.search(q, k=20, scope="field")]
        years = sorted({h.date[:4] for h in unfiltered if h.date})
        assert len(years) > 1, years  # the world spans years: the filter has work to do
        span = ex.search(q, k=20, scope="field", years=years[-1])
        assert span and all(h.date and h.date.startswith(years[-1]) for h in span)
        talks = ex.search(q, k=8, scope="all", kind="talk")
        assert talks and {h.kind for h in talks} == {"talk"}
        with pytest.raises(ValueError, match="no talks and no meetups"):
            ex.search(q, scope="field", meetup=1)
    finally:
        ex.close()
