"""The app's meetup and speaker pages, honest paper cards and cards with highlighted snippets."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_app import assert_ok, data, link_labels, link_params, run_app, talk_ids, texts  # noqa: F401


def test_meetup_page_lists_talks_papers_and_neighbours(data):  # noqa: F811
    at = run_app({"meetup": "1"})
    assert_ok(at)
    assert at.title[0].value == "Meetup \\#1"
    out = texts(at)
    assert "Lecture hall A" in out and "2017\\-03\\-01" in out
    assert [b.proto.url for b in at.get("link_button")] == [
        "https://www.meetup.com/example-dl/events/1/"]
    params = link_params(at)
    ids = talk_ids()
    assert f"talk={ids['Attention for machine translation']}" in params
    assert "speaker=Ada+Quill" in params or "speaker=Ada%20Quill" in params
    # Both cited papers, the one arXiv does not know titled by its id, with its slide text.
    assert "**arXiv\\:9999\\.99999**" in link_labels(at)
    assert "quantum dreaming" in out and "Slide text around the link" in out
    # Next meetup by date is the AI summit; there is no previous one.
    assert "meetup=AI" in params and not any("←" in label for label in link_labels(at))


def test_meetup_page_by_key_and_unknown_meetup(data):  # noqa: F811
    at = run_app({"meetup": "AI"})
    assert_ok(at)
    assert at.title[0].value == "Meetup AI\\: AI Summit"
    assert "meetup=1" in link_params(at) and "meetup=2" in link_params(at)
    at = run_app({"meetup": "99"})
    assert_ok(at)
    assert at.warning and "No meetup" in at.warning[0].value


def test_speaker_page_finds_every_spelling(data):  # noqa: F811
    at = run_app({"speaker": "Bea Fold"})  # the pages write Béa Föld and Bea Foeld
    assert_ok(at)
    assert at.title[0].value == "Béa Föld"
    out = texts(at)
    assert "Also written as: Bea Foeld" in out and "Talks (2)" in out
    ids = talk_ids()
    params = link_params(at)
    assert f"talk={ids['Transformers for protein folding']}" in params
    assert f"talk={ids['Graph networks for molecules']}" in params
    assert "speaker=Gra+Ph" in params or "speaker=Gra%20Ph" in params  # co-speaker
    assert "Related talks by others" in out


def test_speaker_page_shows_affiliations_and_unknown_speaker(data):  # noqa: F811
    at = run_app({"speaker": "ada quill"})
    assert_ok(at)
    assert at.title[0].value == "Ada Quill"
    out = texts(at)
    assert "Quill Lab Vienna (2017)" in out
    # the bio of the talk she gave alone, escaped, with where it comes from
    assert "Ada Quill studies \\*\\*translation\\*\\* at Quill Lab" in out
    assert "As the meetup page put it for “Attention for machine translation”" in out
    bio = next(m.value for m in at.markdown if m.value.startswith("Ada Quill studies"))
    assert "\\<script\\>" in bio  # shown as text, never run
    at = run_app({"speaker": "Béa Föld"})  # her talks have no bio: no 'About'
    assert_ok(at)
    assert not [e for e in at.expander if e.label == "About"]
    at = run_app({"speaker": "Nobody Here"})
    assert_ok(at)
    assert at.warning and "No speaker named" in at.warning[0].value


def test_paper_version_suffix_is_accepted(data):  # noqa: F811
    at = run_app({"paper": "1706.03762v1"})
    assert_ok(at)
    assert at.title[0].value == "Attention layers without recurrence"


def test_search_cards_highlight_matches_link_people_and_hide_scores(data):  # noqa: F811
    at = run_app({"q": "diffusion"})
    assert_ok(at)
    md = "\n".join(m.value for m in at.markdown)
    assert "**Diffusion**" in md or "**diffusion**" in md
    out = texts(at)
    assert "score" not in out.lower()
    assert "speaker=Di+Fuse" in link_params(at) or "speaker=Di%20Fuse" in link_params(at)
    assert "meetup=3" in link_params(at)


def test_meetup_filter_without_a_query_stays_out_of_the_url(data):  # noqa: F811
    at = run_app()
    at.selectbox[0].select("3").run()
    assert_ok(at)
    assert "meetup" not in at.query_params  # /?meetup=3 alone is the meetup's page
    at.text_input[0].input("graph").run()
    assert at.query_params["meetup"] == "3"


def test_ten_results_a_page_and_the_count_in_the_url(data):  # noqa: F811
    def results(at):
        return [p for p in link_params(at) if p.startswith(("talk=", "paper="))]

    # A query that every item clears the relevance floor for (issue 12): words of all.
    broad = "networks models learning attention graph protein robots speech"
    at = run_app({"q": broad, "kind": "talk"})
    assert_ok(at)
    assert len(results(at)) == 7  # every talk of the fixture, no button for more
    assert "More results" not in [b.label for b in at.button]
    at = run_app({"q": broad})
    assert len(results(at)) == 10  # one page of the ten items
    at = run_app({"q": "graph", "n": "20"})  # Back to a longer list keeps its length
    assert at.query_params["n"] == "20"
    at.text_input[0].input("diffusion").run()  # a new query starts at one page again
    assert "n" not in at.query_params


def test_slot_kinds_read_as_words_not_slugs(data):  # noqa: F811
    """The timeline says 'intro and hot topics', not the raw kind; the meetup page does not
    repeat it under a slot of that very title."""
    at = run_app(page="meetups")
    assert_ok(at)
    labels = link_labels(at)
    assert any("Intro and hot topics" in lab and "intro and hot topics" in lab for lab in labels)
    assert not any("intro-and-hot-topics" in lab for lab in labels)
    at = run_app({"meetup": "1"})
    assert_ok(at)
    assert "intro and hot topics" not in [c.value for c in at.caption]


def test_speaker_page_says_why_each_talk_by_others_is_related(data):  # noqa: F811
    at = run_app({"speaker": "Bea Fold"})
    assert_ok(at)
    captions = [c.value for c in at.caption]
    reasons = [c for c in captions if c.startswith(("Both", "Nearest in meaning", "Shared",
                                                    "Also cite"))]
    assert reasons, captions
