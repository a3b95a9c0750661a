"""The first visitor on a freshly started server: seconds until results show in a browser.

    python benchmarks/bench_first_visit.py --data-dir /tmp/data [--query "speech synthesis"]

Starts `streamlit run app.py` on a free port, opens `/?q=QUERY` in headless Chromium
(/usr/bin/chromium, Playwright) as soon as the server answers its health check, and times
(from the page opening, and from the server's start) the first result card, and the moment
the keyword list is replaced by the hybrid ranking ("Keyword matches for now" gone).
Target: first results within 3 s of the page opening.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
CARD = '[data-testid="stPageLink-NavLink"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no answer from {url} within {timeout}s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("EXPLORER_DATA_DIR", "data"))
    ap.add_argument("--query", default="speech synthesis")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "EXPLORER_DATA_DIR": str(args.data_dir), "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryFile() as log, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(120_000)
        t_start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=REPO, env=env, stdout=log,
            stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url)
            t_healthy = t_open = time.perf_counter()  # the page opens now
            page.goto(f"{url}/?q={urllib.parse.quote(args.query)}")
            page.get_by_label("Search talks and papers", exact=True).wait_for()
            t_box = time.perf_counter()
            page.locator(CARD).first.wait_for()
            t_first = time.perf_counter()
            provisional = page.get_by_text("Keyword matches for now").count() > 0
            page.get_by_text("Keyword matches for now").wait_for(state="detached")
            page.locator(CARD).first.wait_for()
            t_hybrid = time.perf_counter()
        except Exception:
            log.seek(0)
            print(log.read().decode(errors="replace")[-3000:], file=sys.stderr)
            print(page.inner_text("body")[:2000], file=sys.stderr)
            raise
        finally:
            browser.close()
            proc.terminate()
            proc.wait(timeout=20)
    print(f"query {args.query!r}, data dir {args.data_dir}, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print("| moment | s after the page opened | s after the server started |\n"
          "| --- | --- | --- |")
    print(f"| server healthy | | {t_healthy - t_start:.2f} |")
    print(f"| search box drawn (frontend + script start) | {t_box - t_open:.2f} | "
          f"{t_box - t_start:.2f} |")
    print(f"| first result cards ({'keyword, model loading' if provisional else 'hybrid'}) "
          f"| {t_first - t_open:.2f} | {t_first - t_start:.2f} |")
    print(f"| hybrid results | {t_hybrid - t_open:.2f} | {t_hybrid - t_start:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
