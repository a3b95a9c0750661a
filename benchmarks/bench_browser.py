"""The app as a visitor sees it: seconds until results, the map and the organizer show in Chromium.

Starts `streamlit run app.py` on a data dir, drives Debian's headless Chromium with Playwright
and prints a markdown table of medians (nothing is asserted on time):

    python benchmarks/bench_browser.py --data-dir /tmp/seeded-data [--repeat 3]

Measured: the first visitor (server just started: page load until the search box and the
suggestions show), a typed search (Enter until the new result cards show), the Map and the
Organizer opened from the top bar after their first visit (click until the chart is drawn;
in-app navigation from the search page, as a visitor moves, not a reload).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERIES = ["graph neural networks", "speech synthesis", "reinforcement learning robots",
           "diffusion models", "protein folding", "explainability", "music generation",
           "autonomous driving", "large language models"]
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = {**os.environ, "EXPLORER_DATA_DIR": data_dir, "PYTHONPATH": str(REPO),
           "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless",
         "true", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("streamlit did not start")


def _since(t0: float) -> float:
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = _start(str(Path(args.data_dir).resolve()))
    rows: dict[str, list[float]] = {"first visitor (server just started)": [],
                                    "typed search": [], "Map (after first visit)": [],
                                    "Organizer (after first visit)": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(180_000)
            t0 = time.perf_counter()
            page.goto(url)
            page.get_by_role("button", name=QUERIES[3]).wait_for()
            rows["first visitor (server just started)"].append(_since(t0))
            box = page.get_by_label("Search talks and papers", exact=True).locator("visible=true")
            for q in QUERIES[: max(args.repeat, 1) * 2]:
                page.goto(url)
                box.last.wait_for()
                page.wait_for_function(IDLE)
                box.last.fill(q)
                t0 = time.perf_counter()
                box.last.press("Enter")
                page.get_by_text(" results").first.wait_for()
                page.locator('[data-testid="stPageLink-NavLink"]').nth(5).wait_for()
                page.wait_for_function(IDLE)
                rows["typed search"].append(_since(t0))
            for name, label, ready in (("Map (after first visit)", "Map",
                                        ".js-plotly-plot .scatterlayer .point"),
                                       ("Organizer (after first visit)", "Organizer",
                                        ".js-plotly-plot")):
                for i in range(args.repeat + 1):
                    # In-app navigation, as a visitor moves: Search, then the page.
                    page.locator(".st-key-nav_bar a", has_text="Search").click()
                    page.get_by_label("Search talks and papers", exact=True).last.wait_for()
                    page.wait_for_function(IDLE)
                    t0 = time.perf_counter()
                    page.locator(".st-key-nav_bar a", has_text=label).click()
                    page.locator(ready).first.wait_for()
                    page.wait_for_function(IDLE)
                    if i:  # the first visit computes topics or the projection once
                        rows[name].append(_since(t0))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"data dir: {args.data_dir}\n")
    print("| what | median s | runs |\n| --- | --- | --- |")
    for name, xs in rows.items():
        print(f"| {name} | {statistics.median(xs):.2f} | {len(xs)} |")


if __name__ == "__main__":
    main()
