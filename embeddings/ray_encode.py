"""The encoder as a Ray Data actor: `map_batches(EncodeBatch, ...)` embeds a block of texts."""

from __future__ import annotations

import os

import numpy as np


class EncodeBatch:
    """A callable class for `ray.data.Dataset.map_batches`: one model per actor, loaded once.

    Args:
        model: model name or path for `embeddings.encoder.get_encoder` ("hashing-64" in tests).
        device: "cuda" on GPU actors, "cpu" otherwise; None picks.
        batch_size: texts per forward pass.
        threads: torch threads on a CPU actor (the CPUs Ray reserved for it).
    """

    def __init__(self, model: str, device: str | None = None, batch_size: int = 64,
                 threads: int | None = None):
        from embeddings.encoder import get_encoder

        if threads and (device or "cpu") == "cpu":
            os.environ["OMP_NUM_THREADS"] = str(threads)
            try:
                import torch

                torch.set_num_threads(threads)
            except ImportError:  # the hashing fake needs no torch
                pass
        self.encoder = get_encoder(model, device=device)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        vectors = self.encoder.encode(texts, batch_size=self.batch_size)
        return {"text_hash": np.asarray(batch["text_hash"]),
                "vector": np.ascontiguousarray(vectors, dtype=np.float32)}
