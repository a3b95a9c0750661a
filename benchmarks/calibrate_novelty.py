"""Calibrate the novelty thresholds (explorer/novelty.py) on a built data dir.

Usage:
    python benchmarks/calibrate_novelty.py --data-dir /tmp/realdata [--seed 0]

A proposal is embedded with the index's model and compared with every past talk (embedded as
``title. abstract``). Three cosine distributions, printed as percentiles:

* same subject: each talk's title alone, and its abstract alone, against the talk itself —
  a proposal restating a past talk in other words (only talks with an abstract);
* held-out nearest: each talk's title against all *other* talks — what a proposal scores
  when its own talk is not in the archive (some have a related predecessor, most not);
* random pairs: two different talks — unrelated subjects.

Then, for candidate thresholds, the share of each distribution at or above it; the
suggested ``covered`` is the lowest threshold that at most 5% of held-out titles reach, and
the suggested ``partly`` the 99th percentile of random pairs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import explorer
from embeddings.encoder import get_encoder

PCTS = (5, 10, 25, 50, 75, 90, 95, 99)


def percentiles(x: np.ndarray) -> str:
    return "  ".join(f"p{p}={np.percentile(x, p):.3f}" for p in PCTS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None, help="built data dir (default $EXPLORER_DATA_DIR)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pairs", type=int, default=5000, help="random talk pairs")
    args = ap.parse_args()

    ex = explorer.open(args.data_dir)
    ids, kinds, vectors = ex.vectors()
    talks = ex.talks().set_index("id")
    rows = [i for i, k in enumerate(kinds) if k == "talk"]
    tids = [ids[i] for i in rows]
    tv = vectors[rows]
    with_abs = [j for j, t in enumerate(tids) if str(talks.loc[t, "abstract"] or "").strip()]
    print(f"model {ex.model}; {len(tids)} talks, {len(with_abs)} with an abstract")

    enc = get_encoder(ex.model)
    titles = enc.encode([str(talks.loc[tids[j], "title"]) for j in with_abs])
    abstracts = enc.encode([str(talks.loc[tids[j], "abstract"]) for j in with_abs])
    self_title = np.einsum("ij,ij->i", titles, tv[with_abs])
    self_abstract = np.einsum("ij,ij->i", abstracts, tv[with_abs])
    sims = titles @ tv.T
    sims[np.arange(len(with_abs)), with_abs] = -np.inf  # hold the talk itself out
    held_out = sims.max(axis=1)
    full = tv @ tv.T
    np.fill_diagonal(full, -np.inf)
    talk_nn = full.max(axis=1)
    rng = np.random.default_rng(args.seed)
    a = rng.integers(0, len(tids), args.pairs)
    b = rng.integers(0, len(tids), args.pairs)
    keep = a != b
    random_pairs = np.einsum("ij,ij->i", tv[a[keep]], tv[b[keep]])

    dists = {"same subject: title vs own talk": self_title,
             "same subject: abstract vs own talk": self_abstract,
             "held-out nearest: title vs other talks": held_out,
             "nearest other talk (full text)": talk_nn,
             "random pairs of talks": random_pairs}
    print("\ncosine distributions")
    for name, x in dists.items():
        print(f"  {name:42s} n={len(x):5d}  {percentiles(x)}")

    print("\nshare at or above each threshold")
    print("  thr   " + "  ".join(f"{n.split(':')[0][:14]:>14s}" for n in dists))
    for thr in np.arange(0.25, 0.81, 0.05):
        print(f"  {thr:.2f}  " + "  ".join(f"{(x >= thr).mean():14.2f}" for x in dists.values()))

    grid = np.round(np.arange(0.2, 0.95, 0.01), 2)
    covered = next(t for t in grid if (held_out >= t).mean() <= 0.05)
    partly = float(np.percentile(random_pairs, 99))
    print(f"\nsuggested covered = {covered:.2f} (at most 5% of held-out titles reach it; "
          f"{(self_title >= covered).mean():.0%} of own titles, "
          f"{(self_abstract >= covered).mean():.0%} of own abstracts do)")
    print(f"suggested partly  = {partly:.2f} (99th percentile of random pairs; "
          f"{(held_out >= partly).mean():.0%} of held-out titles reach it)")
    ex.close()


if __name__ == "__main__":
    main()
