"""End to end: `streamlit run app.py` driven by Playwright in Debian's headless Chromium.

Needs /usr/bin/chromium (`apt-get install -y chromium`); Playwright's own browser download
is never used. Run with ``pytest -m e2e tests/test_e2e.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_app import HOSTILE, REPO, build_app_data, talk_ids

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENS = Path(os.environ.get("EXPLORER_SCREENS", "/tmp/app_screens"))
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout}s")


@pytest.fixture()
def app_url(_data_dir, tmp_path):
    """A running app on a free port, serving the invented archive."""
    build_app_data(_data_dir)
    port = _free_port()
    env = {**os.environ, "EXPLORER_DATA_DIR": str(_data_dir), "HF_HUB_OFFLINE": "1",
           "EXPLORER_APP_TIMING": "1"}
    log = open(tmp_path / "streamlit.log", "wb")  # noqa: SIM115 - closed after the app stops
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture()
def browser_page(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` "
                    "(or set EXPLORER_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.dialogs = []  # every alert/confirm the page tries to open
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(TIMEOUT_MS)
        try:
            yield page
        finally:
            browser.close()


def _shot(page, tmp_path: Path, name: str) -> Path:
    out = tmp_path / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, SCREENS / out.name)
    return out


def _title(page):
    return page.locator("h1").first


def test_search_open_follow_related_reload_and_hostile_title(app_url, browser_page, tmp_path):
    page = browser_page
    ids = talk_ids()

    # Search through the box (the first thing on the page).
    page.goto(app_url)
    box = page.get_by_label("Search talks and papers", exact=True)
    box.fill("attention translation")
    box.press("Enter")
    first = page.locator('[data-testid="stPageLink-NavLink"]', has_text="Attention for "
                         "machine translation").first
    first.wait_for()
    assert "q=attention+translation" in page.url or "q=attention%20translation" in page.url
    _shot(page, tmp_path, "search")

    # Open the result: the talk page, its id in the URL.
    first.click()
    page.wait_for_url(f"**talk={ids['Attention for machine translation']}*")
    assert _title(page).inner_text() == "Attention for machine translation"
    page.get_by_text("Related talks from other meetups").wait_for()
    page.get_by_text("Both cite “Attention layers without recurrence”").first.wait_for()
    _shot(page, tmp_path, "talk")

    # Back returns to the results with the query in the box; forward reopens the talk.
    page.go_back()
    page.wait_for_function(
        "document.querySelector('input[aria-label=\"Search talks and papers\"]')?.value "
        "=== 'attention translation'")
    first.wait_for()
    page.go_forward()
    page.get_by_text("Related talks from other meetups").wait_for()

    # Follow a related talk from another meetup.
    related = ids["Transformers for protein folding"]
    page.locator(f'a[href*="talk={related}"]').first.click()
    page.wait_for_url(f"**talk={related}*")
    page.wait_for_function(
        "document.querySelector('h1') && "
        "document.querySelector('h1').innerText === 'Transformers for protein folding'")

    # Back goes to the previous talk, forward returns.
    page.go_back()
    page.wait_for_function(
        "document.querySelector('h1') && "
        "document.querySelector('h1').innerText === 'Attention for machine translation'")
    page.go_forward()
    page.wait_for_function(
        "document.querySelector('h1') && "
        "document.querySelector('h1').innerText === 'Transformers for protein folding'")

    # The URL round-trips: a reload shows the same talk.
    page.reload()
    _title(page).wait_for()
    page.wait_for_function(
        "document.querySelector('h1') && "
        "document.querySelector('h1').innerText === 'Transformers for protein folding'")
    assert f"talk={related}" in page.url

    # A deep link at the root URL opens the paper page.
    page.goto(f"{app_url}/?paper=1706.03762")
    page.get_by_text("Cited at the meetup (2)").wait_for()
    assert _title(page).inner_text() == "Attention layers without recurrence"

    # The hostile title is text: shown literally, no <img> made from it, no dialog.
    page.goto(f"{app_url}/?talk={ids[HOSTILE]}")
    page.wait_for_function(
        "document.querySelector('h1') && document.querySelector('h1').innerText === "
        f"{HOSTILE!r}")
    page.goto(f"{app_url}/?q=message+passing+molecule+graphs")
    page.locator('[data-testid="stPageLink-NavLink"]', has_text=HOSTILE).first.wait_for()
    page.wait_for_timeout(500)
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert page.locator('a[href^="javascript:"]').count() == 0
    _shot(page, tmp_path, "hostile")


def test_pages_render_in_the_browser(app_url, browser_page, tmp_path):
    page = browser_page
    page.goto(f"{app_url}/meetups")
    page.get_by_text("4 meetups").wait_for()
    page.get_by_text("Speech recognition with deep networks").wait_for()
    _shot(page, tmp_path, "meetups")
    page.goto(f"{app_url}/map")
    page.locator(".js-plotly-plot .scatterlayer").first.wait_for()
    _shot(page, tmp_path, "map")
    # Clicking a point opens that item.
    page.locator(".js-plotly-plot .scatterlayer .point").first.click(force=True)
    page.wait_for_url("**/?*=*")
    assert "talk=" in page.url or "paper=" in page.url
    _title(page).wait_for()
    page.goto(f"{app_url}/map")
    page.locator(".js-plotly-plot .scatterlayer").first.wait_for()
    # The map's fallback picker opens an item at a shareable URL.
    page.locator('[data-testid="stSelectbox"]', has_text="Or open an item by title") \
        .locator("input").click()
    page.keyboard.type("Diffusion models")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?talk=m3-diffusion-models-for-image-generation")
    page.wait_for_function("document.querySelector('h1') && document.querySelector('h1')"
                           ".innerText === 'Diffusion models for image generation'")
    page.goto(f"{app_url}/organizer")
    _title(page).wait_for()
    assert _title(page).inner_text() == "Organizer"
    page.wait_for_timeout(1000)
    _shot(page, tmp_path, "organizer")
    # A click on a heatmap cell (Speech, 2017) lists that cell's talks.
    page.locator(".js-plotly-plot").first.wait_for()
    cell = page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
        const fl = gd._fullLayout, tr = gd._fullData[0], bb = gd.getBoundingClientRect();
        return {x: bb.left + fl._size.l + fl.xaxis.l2p(tr.x.indexOf('2017')),
                y: bb.top + fl._size.t + fl.yaxis.l2p(tr.y.indexOf('Speech'))}; }""")
    page.mouse.click(cell["x"], cell["y"])
    page.get_by_text("2017-09-15 · meetup AI · Speech recognition with deep networks").first \
        .wait_for(state="visible")
    # The open tab lives in the URL as a short value, and Back reopens the previous one.
    page.get_by_role("tab", name="Gaps").click()
    page.wait_for_function("location.search === '?tab=gaps'")
    # The accessible name carries the icon's ligature text too: match the label's end.
    page.get_by_role("tab", name=re.compile(r"Themes$")).click()
    page.wait_for_function("location.search === '?tab=themes'")
    page.go_back()
    page.wait_for_function("location.search === '?tab=gaps'")
    page.wait_for_function("document.querySelector('[role=tab][aria-selected=true]')"
                           "?.innerText.includes('Gaps')")
    page.goto(app_url)
    page.get_by_role("button", name="diffusion models").wait_for()
    _shot(page, tmp_path, "home")
    page.goto(f"{app_url}/?talk=m99-nope")
    page.get_by_text("in this archive").wait_for()


def _h1(page, text: str) -> None:
    page.wait_for_function("(t) => document.querySelector('h1')?.innerText === t", arg=text)


def _href(page) -> str:
    return page.evaluate("location.href")  # page.url can lag behind history.pushState


def test_navigation_subject_pages_titles_and_phone(app_url, browser_page, tmp_path):
    page = browser_page
    ids = talk_ids()

    # A search, a result, then the top bar's "Search" returns to that search.
    page.goto(f"{app_url}/?q=robots")
    page.locator('[data-testid="stPageLink-NavLink"]', has_text="Reinforcement learning "
                 "for robot control").first.click()
    _h1(page, "Reinforcement learning for robot control")
    page.wait_for_function("document.title.startsWith('Reinforcement learning for robot')")
    page.locator(".st-key-nav_bar a", has_text="Search").click()
    page.wait_for_function("location.search === '?q=robots'")
    # The title follows the rerun that restores the query (it can lag the URL by a beat).
    page.wait_for_function("document.title === 'robots – search · VDLM Explorer'")

    # Meetups with a year filter -> a talk -> Back: the filter is still there.
    page.goto(f"{app_url}/meetups?year=2017")
    page.get_by_text("2 meetups").wait_for()
    page.locator(f'a[href*="talk={ids["Speech recognition with deep networks"]}"]').click()
    _h1(page, "Speech recognition with deep networks")
    page.go_back()
    page.get_by_text("2 meetups").wait_for()
    assert _href(page).endswith("/meetups?year=2017")

    # Map coloured by kind -> a point -> Back: the colour choice is still there.
    page.goto(f"{app_url}/map?color=kind")
    page.locator(".js-plotly-plot .scatterlayer .point").first.click(force=True)
    page.wait_for_function("/[?&](talk|paper)=/.test(location.search)")
    _title(page).wait_for()
    page.go_back()
    page.wait_for_function("location.href.endsWith('/map?color=kind')")
    page.locator('[data-testid="stButtonGroup"] button[aria-checked="true"]',
                 has_text="Talk or paper").wait_for()

    # The meetup page: its talks, its cited papers, the next meetup; the tab says which.
    page.goto(f"{app_url}/?meetup=1")
    _h1(page, "Meetup #1")
    page.get_by_text("Papers cited at this meetup (2)").wait_for()
    assert page.title() == "Meetup #1 · VDLM Explorer"
    page.locator('a[href*="meetup=AI"]').first.click()
    _h1(page, "Meetup AI: AI Summit")

    # The speaker page under another spelling: both talks, with the co-speaker.
    page.goto(f"{app_url}/?speaker=Bea%20Fold")
    _h1(page, "Béa Föld")
    page.get_by_text("Talks (2)").wait_for()
    assert page.title() == "Béa Föld · VDLM Explorer"
    page.locator('a[href*="speaker=Gra"]').first.wait_for()

    # A paper arXiv does not describe: its id as title, said so, the slide text labelled.
    page.goto(f"{app_url}/?paper=9999.99999v2")
    _h1(page, "arXiv:9999.99999")
    page.get_by_text("arXiv has no paper with this id").first.wait_for()
    page.get_by_text("Slide text around the link").first.wait_for()
    assert "export.arxiv.org" not in page.inner_text("body")
    _shot(page, tmp_path, "paper_without_metadata")

    # A phone: filters folded, cards inside the screen, no sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/?q=graph+molecules")
    card = page.locator('[data-testid="stPageLink-NavLink"]', has_text="Graph networks for "
                        "molecules").first
    card.wait_for()
    assert page.get_by_text("Filters").first.is_visible()
    assert not page.get_by_text("Match", exact=True).first.is_visible()
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, tmp_path, "search_390")
