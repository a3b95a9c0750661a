"""Encoders and the vector cache: the hashing fake, embed_texts, and the real model (slow)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings import encoder as encoder_mod
from embeddings.encoder import (
    DEFAULT_MODEL,
    Encoder,
    HashingEncoder,
    embed_texts,
    embed_with_cache,
    get_encoder,
    pick_device,
    text_hash,
)
from explorer.store import Store

ROOT = Path(__file__).resolve().parents[1]


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_text_hash_is_sha256_hex():
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert text_hash("abc") != text_hash("abc ")


def test_hashing_encoder_shape_dtype_and_unit_norm():
    enc = HashingEncoder(dim=64)
    v = enc.encode(["graph neural networks", "", "!!!", "a b c d e f"])
    assert v.shape == (4, 64) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-6)
    assert enc.model_id == "hashing-64" and enc.dim == 64
    assert enc.encode([]).shape == (0, 64)


def test_hashing_encoder_is_deterministic_across_processes():
    here = HashingEncoder(32).encode(["transformers for time series"])[0]
    code = ("from embeddings.encoder import HashingEncoder;"
            "print(','.join(repr(float(x)) for x in "
            "HashingEncoder(32).encode(['transformers for time series'])[0]))")
    # A different PYTHONHASHSEED would change anything built on Python's hash().
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    there = np.array([float(x) for x in out.strip().split(",")], dtype=np.float32)
    np.testing.assert_array_equal(here, there)


def test_hashing_encoder_texts_sharing_words_are_closer():
    enc = HashingEncoder(64)
    a, b, c = enc.encode(["reinforcement learning for robot control",
                          "robot control with reinforcement learning agents",
                          "baking sourdough bread at home"])
    assert cos(a, b) > 0.6
    assert cos(a, b) > cos(a, c) + 0.3
    assert cos(a, a) == pytest.approx(1.0, abs=1e-6)


def test_get_encoder_picks_hashing_or_real(monkeypatch):
    monkeypatch.delenv("EXPLORER_MODEL", raising=False)
    assert isinstance(get_encoder("hashing"), HashingEncoder)
    assert get_encoder("hashing-16").dim == 16
    real = get_encoder(None, device="cpu")
    assert isinstance(real, Encoder) and real.model_id == DEFAULT_MODEL


def test_encoder_model_and_device_from_env(monkeypatch):
    monkeypatch.setenv("EXPLORER_MODEL", "/models/some-local-model")
    monkeypatch.setenv("EXPLORER_DEVICE", "cpu")
    enc = Encoder()  # lazy: nothing is loaded yet, so a missing path is fine here
    assert enc.model_id == "/models/some-local-model" and enc.device == "cpu"
    assert Encoder(model="sentence-transformers/all-MiniLM-L6-v2").model_id == DEFAULT_MODEL
    assert Encoder(device="meta").device == "meta"
    assert pick_device("cpu") == "cpu"


def test_embed_texts_without_store_returns_input_order():
    enc = HashingEncoder()
    texts = ["alpha beta", "gamma", "alpha beta"]
    res = embed_with_cache(enc, texts)
    assert res.n_new == 2  # the duplicate is embedded once
    np.testing.assert_array_equal(res.vectors, enc.encode(texts))
    np.testing.assert_array_equal(res.vectors[0], res.vectors[2])


def test_embed_texts_uses_the_store_cache(tmp_path):
    store = Store.open(tmp_path / "data")
    enc = HashingEncoder()
    texts = [f"talk number {i} about topic {i % 3}" for i in range(10)]

    first = embed_with_cache(enc, texts, store)
    assert first.n_new == 10 and enc.calls == 10

    second = embed_with_cache(enc, texts, store)
    assert second.n_new == 0 and enc.calls == 10  # nothing re-embedded
    np.testing.assert_array_equal(first.vectors, second.vectors)

    changed = list(texts)
    changed[4] = "a completely rewritten abstract"
    third = embed_with_cache(enc, changed, store)
    assert third.n_new == 1 and enc.calls == 11
    np.testing.assert_array_equal(third.vectors[4], enc.encode([changed[4]])[0])
    np.testing.assert_array_equal(np.delete(third.vectors, 4, 0), np.delete(first.vectors, 4, 0))

    # The cache is keyed by model: another model id embeds everything again.
    other = HashingEncoder(32)
    assert embed_with_cache(other, texts, store).n_new == 10
    # And embed_texts is the plain-array form of the same thing.
    np.testing.assert_array_equal(embed_texts(enc, texts, store), first.vectors)
    assert enc.calls == 11 + 1  # only the encode() check above


def test_embed_texts_re_embeds_cached_vectors_of_the_wrong_length(tmp_path):
    store = Store.open(tmp_path / "data")
    enc = HashingEncoder(64)
    store.save_vectors(enc.model_id, {text_hash("stale"): np.ones(8, dtype=np.float32)})
    res = embed_with_cache(enc, ["stale"], store)
    assert res.n_new == 1 and res.vectors.shape == (1, 64)
    assert store.cached_vectors(enc.model_id, [text_hash("stale")])[text_hash("stale")].shape \
        == (64,)


# -- the real model -------------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test; each test loads the model afresh."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(encoder_mod, "_MODELS", {})


@pytest.mark.slow
def test_default_model_loads_offline_without_env(monkeypatch, no_network):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.delenv("EXPLORER_MODEL", raising=False)
    enc = Encoder(device="cpu")
    v = enc.encode(["neural network", "deep learning", "cooking pasta"])
    assert enc.model_id == DEFAULT_MODEL and enc.dim == 384
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert cos(v[0], v[1]) > cos(v[0], v[2]) + 0.2
    assert "HF_HUB_OFFLINE" not in os.environ  # restored after the load


@pytest.mark.slow
def test_default_model_with_offline_env_and_cache(monkeypatch, no_network, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = Encoder(device="cpu")
    store = Store.open(tmp_path / "data")
    texts = ["attention is all you need", "graph neural networks", "attention is all you need"]
    res = embed_with_cache(enc, texts, store)
    assert res.n_new == 2 and res.vectors.shape == (3, 384)
    np.testing.assert_allclose(res.vectors, enc.encode(texts), atol=1e-5)
    assert embed_with_cache(enc, texts, store).n_new == 0
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_creating_an_encoder_and_asking_if_it_is_loaded_never_imports_torch():
    # The app answers a first visitor with BM25 while the model loads: opening the index
    # and asking "loaded yet?" must not pay the seconds of importing torch.
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from embeddings.encoder import Encoder; e = Encoder(); "
            "assert e.loaded is False; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                         text=True, cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
