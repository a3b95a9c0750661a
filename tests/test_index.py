"""VectorIndex: ordering, exact vs HNSW recall, store round trip, corrupt and mismatched files."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest

from embeddings.encoder import HashingEncoder, embed_texts
from embeddings.index import (
    FLAT,
    HNSW,
    IndexCorrupt,
    IndexMismatch,
    IndexMissing,
    VectorIndex,
    exact_search,
    load_index,
    save_index,
)
from explorer.store import Store


def unit(rows) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def random_unit(n: int, dim: int, seed: int) -> np.ndarray:
    return unit(np.random.default_rng(seed).standard_normal((n, dim)))


VECS = unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0]])
IDS = np.array([10, 11, 12, 13, 14])


@pytest.mark.parametrize("approx", [False, True])
def test_hand_written_vectors_rank_by_cosine(approx):
    idx = VectorIndex.build(VECS, IDS, approx=approx)
    assert idx.kind == (HNSW if approx else FLAT)
    assert (idx.count, idx.dim) == (5, 3)
    scores, ids = idx.search(unit([[1, 0.05, 0]]), k=3)
    assert ids[0].tolist() == [10, 11, 12]
    assert scores[0, 0] > scores[0, 1] > scores[0, 2]
    _, ids = idx.search(unit([[0, 0.1, 1]])[0], k=1)  # a 1-d query is one query
    assert ids.tolist() == [[13]]
    _, ids = idx.search(unit([[-1, 0, 0]]), k=5)
    assert ids[0, 0] == 14 and ids[0, -1] == 10  # the opposite vector comes last


def test_k_larger_than_count_pads_with_minus_one():
    idx = VectorIndex.build(VECS, IDS, approx=False)
    scores, ids = idx.search(VECS[:2], k=8)
    assert ids.shape == (2, 8) and scores.shape == (2, 8)
    assert sorted(ids[0, :5].tolist()) == IDS.tolist()
    assert (ids[:, 5:] == -1).all() and np.isneginf(scores[:, 5:]).all()
    empty = VectorIndex.build(np.zeros((0, 3), np.float32), np.zeros(0, np.int64))
    s, i = empty.search(VECS[:1], 2)
    assert i.tolist() == [[-1, -1]] and np.isneginf(s).all()


def test_exact_search_matches_hand_ordering_and_pads():
    scores, ids = exact_search(unit([[1, 0.05, 0]]), VECS, k=7, ids=IDS)
    assert ids[0].tolist() == [10, 11, 12, 13, 14, -1, -1]
    assert np.isneginf(scores[0, 5:]).all()
    expected = np.sort(VECS @ unit([[1, 0.05, 0]])[0])[::-1]
    np.testing.assert_allclose(scores[0, :5], expected, rtol=1e-6)
    _, tied = exact_search(VECS[:1], np.stack([VECS[2], VECS[2], VECS[0]]), k=3)
    assert tied[0].tolist() == [2, 0, 1]  # ties keep row order


def test_build_picks_kind_by_threshold():
    x = random_unit(300, 16, seed=1)
    assert VectorIndex.build(x, np.arange(300), approx_threshold=1000).kind == FLAT
    assert VectorIndex.build(x, np.arange(300), approx_threshold=300).kind == HNSW
    assert VectorIndex.build(x, np.arange(300), approx=False, approx_threshold=1).kind == FLAT


@pytest.mark.parametrize("bad, match", [
    ({"ids": np.arange(4)}, "5 vectors but 4 ids"),
    ({"ids": np.array([1, 1, 2, 3, 4])}, "distinct"),
    ({"ids": np.array([-1, 1, 2, 3, 4])}, ">= 0"),
    ({"vectors": VECS * 2}, "L2-normalized"),
    ({"vectors": np.where(VECS == 0, np.nan, VECS)}, "NaN"),
])
def test_build_rejects_bad_input(bad, match):
    args = {"vectors": VECS, "ids": IDS} | bad
    with pytest.raises(ValueError, match=match):
        VectorIndex.build(args["vectors"], args["ids"])


def test_search_rejects_wrong_dim_and_k():
    idx = VectorIndex.build(VECS, IDS)
    with pytest.raises(ValueError, match="dim 4"):
        idx.search(np.ones((1, 4), np.float32), 2)
    with pytest.raises(ValueError, match="k must be"):
        idx.search(VECS[:1], 0)


def test_flat_and_hnsw_agree_with_brute_force():
    base = random_unit(4000, 32, seed=2)
    queries = random_unit(50, 32, seed=3)
    ids = np.arange(4000, dtype=np.int64) * 7 + 3  # ids unrelated to row numbers
    truth_scores, truth = exact_search(queries, base, k=10, ids=ids)
    flat = VectorIndex.build(base, ids, approx=False)
    fs, fi = flat.search(queries, 10)
    np.testing.assert_array_equal(fi[:, :5], truth[:, :5])
    np.testing.assert_allclose(fs, truth_scores, atol=1e-5)
    hnsw = VectorIndex.build(base, ids, approx=True)
    _, hi = hnsw.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(hi, truth)])
    assert recall >= 0.95


@pytest.mark.parametrize("approx", [False, True])
def test_bytes_round_trip(approx):
    base = random_unit(500, 8, seed=4)
    idx = VectorIndex.build(base, np.arange(500) + 1000, approx=approx, ef_search=77)
    again = VectorIndex.from_bytes(idx.to_bytes())
    assert (again.kind, again.count, again.dim) == (idx.kind, 500, 8)
    assert again.ef_search == (77 if approx else None)
    q = random_unit(5, 8, seed=5)
    np.testing.assert_array_equal(again.search(q, 4)[1], idx.search(q, 4)[1])


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage", "raw-faiss"])
def test_from_bytes_refuses_damaged_blobs(damage):
    data = VectorIndex.build(VECS, IDS).to_bytes()
    bad = {
        "truncate": data[:-7],
        "flip": data[:60] + bytes([data[60] ^ 0xFF]) + data[61:],
        "empty": b"",
        "garbage": b"not an index at all" * 10,
        "raw-faiss": faiss.serialize_index(faiss.IndexFlatIP(3)).tobytes(),
    }[damage]
    with pytest.raises(IndexCorrupt, match="explorer build"):
        VectorIndex.from_bytes(bad)


# -- through the store ----------------------------------------------------------------------

@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data")
    yield s
    s.close()


def built(store, name="items", model="hashing-64", fingerprint="fp-1"):
    enc = HashingEncoder(64)
    texts = ["variational autoencoders", "diffusion models for images",
             "graph neural networks", "speech recognition with transformers"]
    vecs = embed_texts(enc, texts, store)
    idx = VectorIndex.build(vecs, np.arange(len(texts)))
    manifest = save_index(store, name, idx, {"model": model, "fingerprint": fingerprint})
    return enc, vecs, idx, manifest


def test_save_and_load_round_trip(store):
    enc, vecs, idx, manifest = built(store)
    assert manifest["model"] == "hashing-64" and manifest["dim"] == 64
    assert manifest["count"] == 4 and manifest["normalized"] is True
    assert manifest["kind"] == FLAT and manifest["faiss_version"] == faiss.__version__
    loaded, m = load_index(store, "items", expect_model="hashing-64", expect_dim=64,
                           expect_fingerprint="fp-1")
    assert m["sha256"] == manifest["sha256"] and m["fingerprint"] == "fp-1"
    q = enc.encode(["diffusion models"])
    assert loaded.search(q, 1)[1][0, 0] == 1
    np.testing.assert_array_equal(loaded.search(vecs, 4)[1], idx.search(vecs, 4)[1])


def test_save_index_needs_the_model(store):
    idx = VectorIndex.build(VECS, IDS)
    with pytest.raises(ValueError, match="model"):
        save_index(store, "items", idx, {"fingerprint": "x"})


def test_missing_index(store):
    with pytest.raises(IndexMissing, match="explorer build"):
        load_index(store, "items")


@pytest.mark.parametrize("expect, word", [
    ({"expect_model": "all-MiniLM-L6-v2"}, "model"),
    ({"expect_dim": 384}, "dim"),
    ({"expect_fingerprint": "fp-2"}, "corpus"),
])
def test_mismatch_names_the_rebuild_command(store, expect, word):
    built(store)
    with pytest.raises(IndexMismatch) as e:
        load_index(store, "items", **expect)
    msg = str(e.value)
    assert word in msg and "explorer build --source DIR|github" in msg
    assert str(store.data_dir) in msg
    assert not isinstance(e.value, IndexCorrupt)


@pytest.mark.parametrize("damage", ["flip", "truncate", "manifest"])
def test_corrupt_files_raise_mismatch(store, damage):
    built(store)
    ipath, mpath = store.index_paths("items")
    data = ipath.read_bytes()
    if damage == "flip":
        ipath.write_bytes(data[:100] + bytes([data[100] ^ 0x01]) + data[101:])
    elif damage == "truncate":
        ipath.write_bytes(data[: len(data) // 2])
    else:  # manifest and index from different builds, same size
        m = json.loads(mpath.read_text())
        m["sha256"] = "0" * 64
        mpath.write_text(json.dumps(m))
    with pytest.raises(IndexCorrupt, match="explorer build") as e:
        load_index(store, "items", expect_model="hashing-64")
    assert isinstance(e.value, IndexMismatch)
    assert "items" in str(e.value)


def test_rebuild_replaces_the_index(store):
    built(store, fingerprint="fp-1")
    built(store, fingerprint="fp-2")
    _, m = load_index(store, "items", expect_fingerprint="fp-2")
    assert m["fingerprint"] == "fp-2"
    assert not list((store.data_dir / "index").glob("*.tmp"))  # no temp files left behind
