"""How fast the app answers, server side: start-up, the first search, later searches.

Drives app.py with Streamlit's AppTest (the same script run a browser triggers, without the
websocket) against a built data dir and prints one table.

    python benchmarks/bench_app.py --data-dir data            # the index `explorer build` made

Targets: the first search after start-up within 3 s, later searches within 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERIES = ["transformers", "reinforcement learning for robots", "graph neural networks",
           "speech recognition", "diffusion models", "explainable AI", "protein folding",
           "recommender systems", "time series forecasting", "large language models",
           "computer vision in medicine", "music generation"]


def _search_ms(at) -> float | None:
    """The search time the app prints with EXPLORER_APP_TIMING=1 ('12 results · 34 ms')."""
    for c in at.caption:
        if " results · " in c.value or " result · " in c.value:
            return float(c.value.rsplit("·", 1)[1].strip().split()[0])
    return None


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("EXPLORER_DATA_DIR", "data"))
    ap.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "bm25"])
    args = ap.parse_args()
    os.environ["EXPLORER_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ["EXPLORER_APP_TIMING"] = "1"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(REPO))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    if args.mode != "hybrid":
        at.query_params["mode"] = args.mode
    t0 = time.perf_counter()
    at.run()
    startup = time.perf_counter() - t0
    if at.exception or not at.text_input:
        sys.exit(f"the app did not start: {[e.value for e in at.exception] or at.markdown}")

    rows = []
    for i, q in enumerate(QUERIES):
        t0 = time.perf_counter()
        at.text_input[0].input(q).run()
        wall = (time.perf_counter() - t0) * 1000
        rows.append((q, wall, _search_ms(at), len(at.get("page_link"))))
        if at.exception:
            sys.exit(f"search {q!r} failed: {at.exception[0].value}")

    print(f"data dir: {os.environ['EXPLORER_DATA_DIR']}  mode: {args.mode}")
    print(f"start-up (open explorer, load model, warm-up, empty page): {startup * 1000:8.0f} ms")
    print(f"{'query':40s} {'page run ms':>12s} {'search ms':>10s} {'links':>6s}")
    for q, wall, ms, n in rows:
        print(f"{q:40s} {wall:12.1f} {ms if ms is not None else float('nan'):10.1f} {n:6d}")
    later = [w for _, w, _, _ in rows[1:]]
    print(f"first search page run: {rows[0][1]:.0f} ms (target < 3000)")
    print(f"later searches page run: median {statistics.median(later):.0f} ms, "
          f"max {max(later):.0f} ms (target < 300)")


if __name__ == "__main__":
    main()
