"""The app's pure helpers: safe links, Markdown escaping, snippets, cards, the map, timelines."""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.views import (
    Link,
    context_label,
    escape_md,
    map_figure,
    meetup_label,
    meetup_timeline,
    paper_card,
    paper_item_id,
    project_2d,
    reason_line,
    safe_url,
    snippet,
    talk_card,
    when_label,
    year_of,
)


@pytest.mark.parametrize("url, expected", [
    ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/1706.03762"),
    ("  http://example.org/a?b=c  ", "http://example.org/a?b=c"),
    ("HTTPS://Example.org/x", "HTTPS://Example.org/x"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    (" javascript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("vbscript:msgbox", None),
    ("file:///etc/passwd", None),
    ("ftp://example.org/x", None),
    ("//example.org/x", None),
    ("/relative/path", None),
    ("https://", None),
    ("https://exa mple.org", None),
    ("https://example.org/\nx", None),
    ("http://[::1", None),  # urlsplit raises ValueError
    ("", None),
    (None, None),
    (42, None),
])
def test_safe_url_allows_only_absolute_http_links(url, expected):
    assert safe_url(url) == expected


def test_escape_md_neutralises_markup():
    assert escape_md("<img src=x onerror=alert(1)>") == \
        "\\<img src\\=x onerror\\=alert\\(1\\)\\>"
    assert escape_md("[click](javascript:x)") == "\\[click\\]\\(javascript\\:x\\)"
    assert escape_md("# *bold* _it_ `code` $x$ :red[x]") == \
        "\\# \\*bold\\* \\_it\\_ \\`code\\` \\$x\\$ \\:red\\[x\\]"
    assert escape_md("line\nbreak") == "line break"
    assert escape_md(None) == ""


def test_snippet_centres_on_the_first_query_term():
    text = " ".join(["filler"] * 60) + " attention is what matters here " + \
        " ".join(["more"] * 60)
    s = snippet(text, "Attention", width=80)
    assert "attention is what matters" in s
    assert s.startswith("…") and s.endswith("…")
    assert len(s) <= 82


def test_snippet_short_text_and_no_match():
    assert snippet("  short   text ", "zzz") == "short text"
    long = "word " * 100
    s = snippet(long, "absent", width=50)
    assert s.startswith("word") and s.endswith("…")
    assert snippet(None) == ""


def test_year_and_meetup_label():
    assert year_of("2019-03-07") == 2019
    assert year_of(None) is None and year_of("n/a") is None
    assert meetup_label(57) == "Meetup #57"
    assert meetup_label(57.0) == "Meetup #57"
    assert meetup_label("AI") == "Meetup AI"
    assert meetup_label(None) == "" and meetup_label(float("nan")) == ""


def test_talk_card_drops_unsafe_links_and_builds_meta():
    card = talk_card({"id": "m1-x", "title": "X", "meetup": 1, "date": "2017-03-01",
                      "kind": "talk", "speakers": ["A", "B"], "abstract": "About X.",
                      "slides_url": "javascript:alert(1)",
                      "video_url": "https://video.example.org/v",
                      "url": "https://www.meetup.com/e/1"})
    assert card.meta == "Meetup #1 · 2017-03-01 · A, B"
    assert card.links == [Link("Video", "https://video.example.org/v"),
                          Link("Meetup page", "https://www.meetup.com/e/1")]
    assert card.snippet == "About X." and card.year == 2017 and card.kind == "talk"


def test_a_talk_of_an_announced_meetup_is_marked_upcoming_on_its_card():
    card = talk_card({"id": "m27-x", "title": "X", "meetup": 27, "date": "2099-05-06"})
    assert card.meta == "Meetup #27 · 2099-05-06 (upcoming)" and card.year == 2099
    undated = talk_card({"id": "m28-y", "title": "Y", "meetup": 28, "date": None})
    assert undated.meta == "Meetup #28 · date unknown"


def test_paper_card_resolved_and_unresolved():
    resolved = paper_card({"id": "1706.03762", "title": "T", "resolved": True,
                           "authors": ["A", "B", "C", "D", "E"], "abstract": "Abs.",
                           "published": "2017-06-12T00:00:00Z",
                           "abs_url": "https://arxiv.org/abs/1706.03762v5", "pdf_url": ""})
    assert resolved.title == "T"
    assert resolved.meta == "arXiv paper · 2017-06-12 · A, B, C, et al."
    assert resolved.links == [Link("arXiv", "https://arxiv.org/abs/1706.03762v5")]
    bare = paper_card({"id": "arxiv:9999.99999", "title": "", "resolved": False,
                       "cited_in": [{"meetup": 12}, {"meetup": 12}, {"meetup": "AI"}]},
                      context="- Dreaming machines arXiv:9999.99999 (new!)")
    assert bare.meta == "arXiv paper · cited at Meetup #12, Meetup AI"
    # The slide's phrase is never passed off as a title: the id is, and the card says why.
    assert bare.title == "arXiv:9999.99999" and bare.status == "title not fetched yet"
    assert bare.snippet == "Dreaming machines arXiv:9999.99999 (new!)"
    assert bare.snippet_label == "Text around the link"  # where it was found is unknown
    from_slides = paper_card({"id": "9999.99999"}, context="Dreaming machines arXiv:9999.99999",
                             sources=["Meetups/Meetup_12/slides/hot_topics.pdf"])
    assert from_slides.snippet_label == "Slide text around the link"
    # Text of a meetup page is never called slide text.
    from_page = paper_card({"id": "9999.99999"}, context="Dreaming machines arXiv:9999.99999",
                           sources=["Meetups/Meetup_12/README.md", None])
    assert from_page.snippet_label == "Meetup page text around the link"
    mixed = ["Meetups/Meetup_12/README.md", "Meetups/Meetup_13/slides/x.PDF"]
    assert context_label(mixed) == "Text around the link"
    missing = paper_card({"id": "9999.99999", "status": "not_found", "resolved": False,
                          "reason": "cannot connect to https://export.arxiv.org/api/query"})
    assert missing.status == "arXiv has no paper with this id"
    assert "export.arxiv" not in f"{missing.title} {missing.meta} {missing.snippet}"
    assert bare.links == [Link("arXiv", "https://arxiv.org/abs/9999.99999")]
    assert resolved.status == "" and resolved.snippet_label == ""


def test_paper_item_id_normalises_prefix():
    assert paper_item_id("1706.03762") == "arxiv:1706.03762"
    assert paper_item_id("arXiv:1706.03762") == "arxiv:1706.03762"
    assert paper_item_id(" arxiv:1706.03762 ") == "arxiv:1706.03762"
    assert paper_item_id("1706.03762v1") == "arxiv:1706.03762"  # versions name one paper
    assert paper_item_id("arXiv:hep-th/9901001v12") == "arxiv:hep-th/9901001"


def test_reason_line():
    assert reason_line(["graph", "molecules"]) == "Shared terms: graph, molecules"
    # no claim of closeness without evidence: the item is only the model's nearest
    assert reason_line([]) == "Nearest in meaning by the model (no shared key terms)"


def test_project_2d_matches_pca_and_is_sign_stable():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 5)) * np.array([5.0, 2.0, 0.5, 0.1, 0.1])
    xy = project_2d(x)
    assert xy.shape == (30, 2)
    # The first axis carries the most variance, as PCA's first component does.
    assert xy[:, 0].var() > xy[:, 1].var()
    from sklearn.decomposition import PCA

    ref = PCA(n_components=2).fit_transform(x)
    np.testing.assert_allclose(np.abs(xy), np.abs(ref), atol=1e-8)
    np.testing.assert_allclose(project_2d(x), project_2d(x.copy()))
    # Signs are fixed by the loadings, not by SVD's whim: mirrored data gives a mirrored map.
    np.testing.assert_allclose(project_2d(-x), -project_2d(x), atol=1e-9)
    assert project_2d(np.ones((1, 4))).shape == (1, 2)


def test_map_figure_escapes_titles_and_carries_ids():
    ids = ["m1-a", "arxiv:1", "m2-b"]
    fig = map_figure(ids, ["talk", "paper", "talk"], ["<img src=x>", "P", "B"],
                     np.array([[0, 0], [1, 1], [2, 0]]), [2017, 2018, 2019])
    custom = [c for tr in fig.data for c in (tr.customdata or [])]
    assert sorted(custom) == sorted(ids)
    hover = " ".join(h for tr in fig.data for h in (tr.hovertext or []))
    assert "<img" not in hover and "&lt;img src=x&gt;" in hover
    # The year scale runs across the top (a phone cannot spare a bar beside the map).
    bar = fig.data[0].marker.colorbar
    assert bar.orientation == "h" and bar.yanchor == "bottom" and fig.data[0].marker.showscale
    assert not fig.data[1].marker.showscale and fig.layout.legend.title.text == ""
    by_topic = map_figure(ids, ["talk", "paper", "talk"], ["A", "P", "B"], np.zeros((3, 2)),
                          ["graphs", "graphs", "vision"], selected="m2-b",
                          hover=[["Ada <b>", "Meetup #1 · 2017-03-01"], [], []])
    # One legend entry per topic whatever the kind, each in its own colour.
    assert [tr.name for tr in by_topic.data] == ["graphs", "vision", "selected"]
    assert list(by_topic.data[0].marker.symbol) == ["circle", "diamond"]
    assert by_topic.data[0].marker.color != by_topic.data[1].marker.color
    assert by_topic.data[0].hovertext[0] == "<b>A</b><br>Ada &lt;b&gt;<br>Meetup #1 · 2017-03-01"


def test_meetup_timeline_newest_first_with_talks_and_year_filter():
    meetups = [{"key": "1", "number": 1, "date": "2017-01-01"},
               {"key": "AI", "number": None, "date": "2017-09-01"},
               {"key": "2", "number": 2.0, "date": "2018-01-01"},
               {"key": "X", "number": None, "date": None}]
    talks = [{"id": "a", "meetup": 1}, {"id": "b", "meetup": "AI"}, {"id": "c", "meetup": 2},
             {"id": "d", "meetup": 2}]
    tl = meetup_timeline(meetups, talks)
    assert [m["key"] for m, _ in tl] == ["2", "AI", "1", "X"]
    assert [[t["id"] for t in ts] for _, ts in tl] == [["c", "d"], ["b"], ["a"], []]
    assert [m["key"] for m, _ in meetup_timeline(meetups, talks, year=2017)] == ["AI", "1"]


def test_plain_text_strips_archive_markup():
    from app_pages.text import plain_text

    assert plain_text("**Fig. 3.** Results # Honorable Mention ## more") == (
        "Fig. 3. Results Honorable Mention more")
    assert plain_text("see <http://example.org/x> and [the paper](https://a.org/(b))") == (
        "see and the paper")
    assert plain_text("- one\n- two *three* `code` | cell |") == "one two three code cell"
    assert plain_text("Meetup #12 in C# <b>bold</b>") == "Meetup #12 in C# bold"


def test_highlight_md_bolds_query_words_and_escapes_the_rest():
    from app_pages.text import highlight_md

    assert highlight_md("Transformer models [x](y)", "transformers") == (
        "**Transformer** models \\[x\\]\\(y\\)")
    assert highlight_md("<script>", "script") == "\\<**script**\\>"
    assert highlight_md("no match here", "graph") == "no match here"
    assert highlight_md("a*b", None) == "a\\*b"


def test_snippet_centres_on_a_stemmed_match():
    text = "Intro words. " * 30 + "A transformer layer in the middle. " + "Tail words. " * 30
    s = snippet(text, "transformers", width=120)
    assert "transformer layer" in s and s.startswith("…") and s.endswith("…")


def test_kind_label_reads_as_words():
    from app_pages.views import kind_label

    assert kind_label("talk") == "" and kind_label(None) == ""
    assert kind_label("intro-and-hot-topics") == "intro and hot topics"


def test_a_meetup_after_today_is_said_to_be_upcoming():
    assert when_label("2031-01-15", today="2026-12-03") == "2031-01-15 (upcoming)"
    assert when_label("2026-12-03", today="2026-12-03") == "2026-12-03"  # tonight: as it is
    assert when_label("2019-03-07", today="2026-12-03") == "2019-03-07"
    assert when_label(None) == when_label("") == "date unknown"
    assert when_label("2999-01-01").endswith("(upcoming)")  # today's date by default


def test_a_date_whose_year_was_inferred_says_so():
    assert when_label("2019-04-07", source="inferred") == "2019-04-07 (year inferred)"
    assert when_label("2019-04-07", source="table") == "2019-04-07"
    assert when_label("2031-01-15", today="2026-12-03", source="inferred") == (
        "2031-01-15 (upcoming, year inferred)")


def test_a_talk_card_says_when_its_meetup_year_was_inferred():
    card = talk_card({"id": "m6-x", "title": "X", "meetup": 6, "date": "2026-03-18",
                      "date_source": "inferred"})
    assert card.meta == "Meetup #6 · 2026-03-18 (year inferred)"
    told = talk_card({"id": "m5-y", "title": "Y", "meetup": 5, "date": "2025-11-12",
                      "date_source": "table"})
    assert told.meta == "Meetup #5 · 2025-11-12"
