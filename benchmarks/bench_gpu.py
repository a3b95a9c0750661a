"""Benchmark: embedding throughput of `Encoder.encode` vs plain `SentenceTransformer.encode`.

Usage:
    .venv/bin/python benchmarks/bench_gpu.py [--n 2000] [--texts FILE] [--device cuda]
        [--batch-size 64] [--model all-MiniLM-L6-v2] [--repeats 3]

Texts are synthetic sentences (seeded) unless --texts names a file of one text per line.
Prints the device, texts/s for both (best of --repeats) and their ratio, as markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from embeddings.encoder import Encoder

WORDS = ["attention", "transformer", "network", "graph", "neural", "deep", "learning", "model", "training", "data", "vision", "language", "speech", "reinforcement", "agent", "policy", "gradient", "optimization", "sparse", "embedding", "retrieval", "diffusion", "generative", "adversarial", "latent", "variational", "robust", "benchmark", "dataset", "scaling", "inference", "quantization", "pruning", "distillation", "federated", "privacy", "causal", "explanation", "uncertainty", "bayesian", "kernel", "convolution", "recurrent", "memory", "the", "of", "for", "with", "and", "a", "in", "on", "to", "by", "from", "we", "show", "propose", "novel", "method", "results"]


def synthetic_texts(n: int, seed: int = 0) -> list[str]:
    """n sentences of 8 to 120 words (talk titles up to abstracts)."""
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(8, 121)))).capitalize() + "."
            for _ in range(n)]


def device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return f"{device}: {torch.cuda.get_device_name(torch.device(device))}"
    return f"{device}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, " \
           f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def best_rates(fns, texts: list[str], repeats: int, device: str) -> list[float]:
    """Texts per second of each function, best of `repeats` runs, the functions taking
    turns so that load from other processes hits both alike."""
    import torch

    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            t = time.perf_counter()
            fn(texts)
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            best[i] = min(best[i], time.perf_counter() - t)
    return [len(texts) / b for b in best]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--texts", help="file with one text per line (default: synthetic)")
    ap.add_argument("--device", default=None, help="default: cuda, then mps, then cpu")
    ap.add_argument("--model", default=None, help="default: the bundled all-MiniLM-L6-v2")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    texts = (Path(args.texts).read_text().splitlines()[:args.n] if args.texts
             else synthetic_texts(args.n))

    enc = Encoder(args.model, args.device)
    plain = enc.model  # the same SentenceTransformer object, called without the wrapper
    bs = args.batch_size

    def ours(ts: list[str]) -> np.ndarray:
        return enc.encode(ts, batch_size=bs)

    def theirs(ts: list[str]) -> np.ndarray:
        return plain.encode(ts, batch_size=bs, normalize_embeddings=True)

    a, b = ours(texts[:bs]), theirs(texts[:bs])  # warm-up (kernels, allocator)
    diff = float(np.abs(a - b).max())
    r_ours, r_plain = best_rates([ours, theirs], texts, args.repeats, enc.device)
    print(f"device {device_name(enc.device)}; model {enc.model_id} (dim {enc.dim}); "
          f"{len(texts)} texts, batch {bs}, best of {args.repeats}; "
          f"max |difference| {diff:.2e}\n")
    print("| encoder | texts/s |")
    print("|---|---:|")
    print(f"| Encoder.encode | {r_ours:,.0f} |")
    print(f"| SentenceTransformer.encode | {r_plain:,.0f} |")
    print(f"| ratio (Encoder / plain) | {r_ours / r_plain:.3f} |")


if __name__ == "__main__":
    main()
