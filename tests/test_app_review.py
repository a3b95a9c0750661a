"""The app on an archive with an announced meetup and a meetup whose year was inferred:
every date says what it is, wherever it is shown (cards, talk, speaker, meetup, organizer).

Invented archive, written straight into a `Store`, indexed with the torch-free
`HashingEncoder`; no cited paper (a build may have none).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_app import assert_ok, link_labels, run_app, texts

from explorer.domain import Corpus, Meetup, Talk, talk_id
from explorer.store import Store

FUTURE = "2031-02-10"  # an announced meetup, after any test run's today
MEETUPS = [
    Meetup("1", 1, "Meetup #1", "2024-09-10", "Brewhouse"),
    Meetup("2", 2, "Meetup #2", "2025-03-04", "Observatory"),
    Meetup("3", 3, "Meetup #3", "2026-03-18", "Hazel Hall"),  # day and month only: year guessed
    Meetup("4", 4, "Meetup #4", FUTURE, "Clocktower Hall"),
]
TALKS = [  # meetup, title, speaker, abstract
    ("1", "Forecasting fermentation with transformers", "Agnes Brewer",
     "Transformers forecast fermentation temperature curves in brewery tanks."),
    ("2", "Counting stars with diffusion priors", "Henrike Sky",
     "A diffusion prior counts faint stars in crowded telescope images."),
    ("3", "Reinforcement learning for warehouse robots", "Lotte Picker",
     "Policy gradient agents learn to pick parcels; reward shaping keeps training safe."),
    ("4", "Reward models for watchmakers", "Rosalind Clock",
     "Reward models learned from preferences; reinforcement learning for tiny machines."),
]
IDS = {title: talk_id(m, title) for m, title, *_ in TALKS}
INFERRED, SCHEDULED = IDS[TALKS[2][1]], IDS[TALKS[3][1]]


def plain(text: str) -> str:
    """Markdown as the reader sees it: `escape_md`'s backslashes dropped."""
    return text.replace("\\", "")


@pytest.fixture()
def data(_data_dir):
    from embeddings.encoder import HashingEncoder
    from explorer.search import build_index

    talks = [Talk(id=IDS[title], meetup_key=m, title=title, speakers=[who], abstract=ab)
             for m, title, who, ab in TALKS]
    store = Store.open(_data_dir)
    store.replace_corpus(Corpus(meetups=MEETUPS, talks=talks, refs=[], date_sources={
        "1": "table", "2": "table", "3": "inferred", "4": "table"}))
    build_index(store, HashingEncoder())
    store.close()
    return _data_dir


def test_search_cards_say_upcoming_and_year_inferred(data):
    at = run_app({"q": "reinforcement learning reward", "mode": "bm25"})
    assert_ok(at)
    out = texts(at)
    assert "2026\\-03\\-18 \\(year inferred\\)" in out
    assert f"{FUTURE} (upcoming)".replace("-", "\\-").replace("(", "\\(").replace(
        ")", "\\)") in out


def test_talk_page_header_says_the_year_was_inferred(data):
    at = run_app({"talk": INFERRED})
    assert_ok(at)
    assert "2026\\-03\\-18 \\(year inferred\\)" in at.caption[0].value


def test_speaker_page_says_a_scheduled_talk_is_upcoming(data):
    at = run_app({"speaker": "Rosalind Clock"})
    assert_ok(at)
    assert "(upcoming)".replace("(", "\\(").replace(")", "\\)") in texts(at)


def test_meetup_neighbour_links_carry_what_their_dates_are(data):
    at = run_app({"meetup": "4"})
    assert_ok(at)
    labels = [plain(x) for x in link_labels(at)]
    assert "← Meetup #3 (2026-03-18, year inferred)" in labels
    at = run_app({"meetup": "3"})
    assert f"Meetup #4 ({FUTURE}, upcoming) →" in [plain(x) for x in link_labels(at)]


def test_empty_search_page_does_not_call_an_announced_meetup_the_latest(data):
    at = run_app()
    assert_ok(at)
    heads = [m.value for m in at.markdown if m.value.startswith("####")]
    assert "#### Next meetup (announced)" in heads and "#### Latest meetup" in heads
    labels = [plain(x) for x in link_labels(at)]
    nxt = next(x for x in labels if x.startswith("Meetup #4"))
    last = next(x for x in labels if x.startswith("Meetup #3"))
    assert f"{FUTURE} (upcoming)" in nxt and "2026-03-18 (year inferred)" in last
    assert labels.index(nxt) < labels.index(last)


def test_gaps_say_the_as_of_date_is_a_guess_and_draw_no_empty_chart(data):
    at = run_app({"tab": "gaps"}, page="organizer")
    assert_ok(at)
    note = next(plain(c.value) for c in at.caption if c.value.startswith("As of"))
    assert note.startswith("As of 2026-03-18 (year inferred), the last meetup held")
    # Four talks on four themes within two years: no gap, said once, with no empty chart.
    assert any("No gaps" in i.value for i in at.info)
    assert not [c for c in at.get("plotly_chart") if "No gaps found" in c.proto.spec]


def test_novelty_of_an_announced_title_does_not_say_it_was_covered(data):
    at = run_app({"tab": "new"}, page="organizer")
    at.text_area[0].set_value(TALKS[3][1])
    at.button[0].click().run()
    assert_ok(at)
    out = texts(at)
    assert "Already scheduled" in out
    verdict = next(c.value for c in at.caption if c.value.startswith("Verdict"))
    assert "announced" in verdict and not verdict.startswith("Verdict covered (")


def test_the_home_page_counts_announced_meetups_apart(data):
    at = run_app()
    assert_ok(at)
    # the span and the counts are of what happened; the announced meetup is said apart
    assert "#### Explore the Vienna Deep Learning Meetup from 2024 to 2026" in [
        m.value for m in at.markdown]
    counts = next(plain(c.value) for c in at.caption if "meetups" in c.value)
    assert counts.startswith("3 meetups · 3 talks")
    assert counts.endswith("1 meetup announced (1 talk)")
