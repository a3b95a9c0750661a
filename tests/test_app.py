"""The Streamlit app through AppTest: every page, deep links, bad ids, a missing index.

The data dir is built from a small invented archive (written straight into a `Store`) and
indexed with the torch-free `HashingEncoder`, so these tests need no model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.domain import INTRO, ArxivRef, Corpus, Meetup, Paper, Talk, talk_id
from explorer.store import Store

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
HOSTILE = "<img src=x onerror=alert(1)>"

# An invented archive: four meetups, talks on distinct subjects, three cited ids of which
# one arXiv does not know.
MEETUPS = [
    Meetup("1", 1, "Meetup #1", "2017-03-01", "Lecture hall A",
           "https://www.meetup.com/example-dl/events/1/"),
    Meetup("AI", None, "AI Summit", "2017-09-15", "Town hall"),
    Meetup("2", 2, "Meetup #2", "2018-05-10", "Lab B"),
    Meetup("3", 3, "Meetup #3", "2019-11-20", "Lab C"),
]
TALKS = [
    ("1", "Attention for machine translation", ["Ada Quill"],
     ("Attention layers align source and target words in neural machine translation; we "
      "compare attention heads and recurrent encoders."),
     "https://example.org/slides/attention.pdf", "https://video.example.org/watch?v=att"),
    ("1", HOSTILE, ["Mallory Markup"],
     "Graph neural networks pass messages between nodes of molecule graphs.",
     "javascript:alert(2)", None),
    ("AI", "Speech recognition with deep networks", ["Sam Sound"],
     "Acoustic models and language models for speech recognition and transcription.",
     None, None),
    ("2", "Transformers for protein folding", ["Béa Föld"],
     "Attention transformers predict protein structure from amino acid sequences.",
     "https://example.org/slides/protein.pdf", None),
    ("2", "Reinforcement learning for robot control", ["Rob Otto"],
     "Policy gradients and reward shaping let robots learn to grasp objects.", None, None),
    ("3", "Graph networks for molecules", ["Gra Ph", "Bea Foeld"],
     "Message passing graph neural networks predict properties of molecule graphs.", None,
     None),
    ("3", "Diffusion models for image generation", ["Di Fuse"],
     "Denoising diffusion models generate images by reversing a noising process.", None, None),
]

AFFILIATIONS = {"Attention for machine translation": ["Quill Lab Vienna"]}
# A speaker bio with markup that must show as text, never run or render.
BIOS = {"Attention for machine translation":
        "Ada Quill studies **translation** at Quill Lab. <script>alert(1)</script>"}


def talk_ids() -> dict[str, str]:
    """Title -> talk id of the fixture talks."""
    return {title: talk_id(m, title) for m, title, *_ in TALKS}


def build_app_data(data_dir: Path) -> Path:
    """Write the invented archive, its papers and a hashing-encoder index into data_dir.

    Args:
        data_dir: an empty directory (created if needed).

    Returns:
        data_dir.
    """
    from embeddings.encoder import HashingEncoder
    from explorer.search import build_index

    ids = talk_ids()
    talks = [Talk(id=ids[title], meetup_key=m, title=title, speakers=sp, abstract=ab,
                  slides_url=slides, video_url=video,
                  affiliations=AFFILIATIONS.get(title, []), bio=BIOS.get(title, ""))
             for m, title, sp, ab, slides, video in TALKS]
    intro = Talk(id=talk_id("1", "Intro and hot topics"), meetup_key="1",
                 title="Intro and hot topics", kind=INTRO)
    refs = [
        ArxivRef("1706.03762", "1", ids["Attention for machine translation"],
                 "we build on the attention-only encoder of arXiv:1706.03762"),
        ArxivRef("1706.03762", "2", ids["Transformers for protein folding"],
                 "the protein model reuses attention blocks (arXiv:1706.03762)"),
        ArxivRef("2006.11239", "3", ids["Diffusion models for image generation"],
                 "denoising objective as in arXiv:2006.11239"),
        ArxivRef("9999.99999", "1", intro.id,
                 "hot topic: a mysterious preprint on quantum dreaming arXiv:9999.99999",
                 "Meetups/Meetup_1/slides/hot_topics.pdf"),
    ]
    store = Store.open(data_dir)
    store.replace_corpus(Corpus(meetups=MEETUPS, talks=[intro, *talks], refs=refs,
                                date_sources={"1": "table", "AI": "table", "2": "page",
                                              "3": "inferred"}))  # meetup 3: year guessed
    store.save_papers([
        Paper(id="1706.03762", version=5, title="Attention layers without recurrence",
              abstract="An encoder-decoder built from attention layers alone translates "
                       "sentences without recurrent networks.",
              authors=["A. Author", "B. Author"], categories=["cs.CL"],
              published="2017-06-12T00:00:00Z", abs_url="https://arxiv.org/abs/1706.03762v5",
              pdf_url="https://arxiv.org/pdf/1706.03762v5", resolved=True),
        Paper(id="2006.11239", version=2, title="Denoising diffusion for images",
              abstract="Diffusion models trained to denoise generate high quality images.",
              authors=["C. Author"], categories=["cs.LG"], published="2020-06-19T00:00:00Z",
              abs_url="https://arxiv.org/abs/2006.11239v2",
              pdf_url="https://arxiv.org/pdf/2006.11239v2", resolved=True),
        Paper(id="9999.99999", reason="arXiv has no paper with this id", resolved=False),
    ])
    build_index(store, HashingEncoder())
    store.close()
    return data_dir


# -- helpers -----------------------------------------------------------------------------------
@pytest.fixture()
def data(_data_dir):
    """The conftest's per-test data dir ($EXPLORER_DATA_DIR), filled with the fixture."""
    return build_app_data(_data_dir)


def run_app(query_params: dict | None = None, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query_params or {}).items():
        at.query_params[k] = v
    if page:  # AppTest resolves custom url paths only after a first run
        at.run()
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


def texts(at) -> str:
    """Everything the app wrote as markdown, captions, text and page links, one per line."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.title] + [e.value for e in at.subheader]
    parts += [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.error]
    parts += [e.proto.label for e in content_links(at)]
    return "\n".join(str(p) for p in parts)


NAV = ("Search", "Meetups", "Map", "Organizer")  # the top bar's links, on every page


def content_links(at) -> list:
    """The page links of the page's content (the top bar's left out)."""
    return [e for e in at.get("page_link") if e.proto.label not in NAV]


def link_labels(at) -> list[str]:
    return [e.proto.label for e in content_links(at)]


def link_params(at) -> list[str]:
    """The query strings of the page links (e.g. 'talk=m1-attention-…')."""
    return [e.proto.query_string for e in content_links(at)]


def assert_ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


# -- search --------------------------------------------------------------------------------------
def test_empty_search_page_suggests_queries(data):
    at = run_app()
    assert_ok(at)
    assert at.text_input[0].label == "Search talks and papers"
    assert at.text_input[0].value == ""
    labels = [b.label for b in at.button]
    assert "transformers" in labels and "diffusion models" in labels
    assert "4 meetups" in texts(at)
    assert "3 cited arXiv papers (2 with arXiv metadata)" in texts(at)


def test_empty_search_page_lists_the_latest_meetup(data):
    at = run_app()
    ids = talk_ids()
    params = link_params(at)
    assert f"talk={ids['Graph networks for molecules']}" in params
    assert f"talk={ids['Diffusion models for image generation']}" in params
    assert f"talk={ids['Speech recognition with deep networks']}" not in params


def test_query_param_runs_search_and_fills_the_box(data):
    at = run_app({"q": "diffusion images"})
    assert_ok(at)
    assert at.text_input[0].value == "diffusion images"
    labels = link_labels(at)
    assert labels, texts(at)
    top2 = " ".join(labels[:2])
    assert "Diffusion models for image generation" in top2
    assert "Denoising diffusion for images" in top2
    ids = talk_ids()
    assert f"talk={ids['Diffusion models for image generation']}" in link_params(at)


def test_typing_a_query_searches_and_updates_the_url(data):
    at = run_app()
    at.text_input[0].input("speech recognition").run()
    assert_ok(at)
    assert "Speech recognition with deep networks" in link_labels(at)[0]
    assert at.query_params["q"] == "speech recognition"


def test_returning_to_results_restores_the_query_from_the_url(data):
    at = run_app({"q": "speech recognition"})
    tid = talk_ids()["Speech recognition with deep networks"]
    del at.query_params["q"]
    at.query_params["talk"] = tid
    at.run()  # the talk page: the search box is gone, and with it its state
    assert at.title[0].value == "Speech recognition with deep networks"
    del at.query_params["talk"]
    at.query_params["q"] = "speech recognition"  # the browser's back button
    at.run()
    assert_ok(at)
    assert at.text_input[0].value == "speech recognition"
    assert at.query_params["q"] == "speech recognition"
    assert "Speech recognition with deep networks" in link_labels(at)[0]


def test_suggested_query_button_runs_it(data):
    at = run_app()
    next(b for b in at.button if b.label == "diffusion models").click().run()
    assert_ok(at)
    assert at.text_input[0].value == "diffusion models"
    assert any("Diffusion" in label for label in link_labels(at))


def test_kind_filter_from_url_keeps_only_papers(data):
    at = run_app({"q": "attention", "kind": "paper"})
    assert_ok(at)
    params = link_params(at)
    assert params and all(p.startswith("paper=") for p in params), params
    assert "paper=arxiv%3A1706.03762" in params or "paper=arxiv:1706.03762" in params


def test_bm25_mode_without_matching_words_says_no_results(data):
    at = run_app({"q": "zebra", "mode": "bm25"})
    assert_ok(at)
    assert link_labels(at) == []
    assert "No talks or papers match" in texts(at)
    assert "Clear filters" in [b.label for b in at.button]  # mode is a filter


def test_no_close_match_offers_the_nearest_few_collapsed(data):
    at = run_app({"q": "tax return deadlines"})
    assert_ok(at)
    assert "No talks or papers match" in texts(at)
    nearest = [e for e in at.expander if "No close match" in e.label]
    assert len(nearest) == 1 and nearest[0].proto.expanded is False
    assert len(nearest[0].get("page_link")) >= 1  # the nearest items, inside the expander


def test_first_visitor_gets_keyword_results_while_the_model_loads(data):
    import threading

    from app_pages import common

    class Loading:
        _warm = threading.Event()  # never set: the model is "still loading"

        def search(self, query, **kwargs):
            return [kwargs["mode"]]

    hits, provisional = common.search_now(Loading(), "attention", mode="hybrid", k=5)
    assert hits == ["bm25"] and provisional
    Loading._warm.set()
    assert common.search_now(Loading(), "attention", mode="hybrid") == (["hybrid"], False)
    assert common.model_ready(Loading()) and common.model_ready(object())


def test_invalid_url_filters_fall_back_with_a_note(data):
    at = run_app({"q": "attention", "mode": "nonsense", "years": "abc", "meetup": "999"})
    assert_ok(at)
    out = texts(at)
    assert "Ignored mode=nonsense" in out and "Ignored years=abc" in out
    assert "Ignored meetup=999" in out
    assert link_labels(at), "the search still runs with the defaults"


def test_meetup_filter_limits_results(data):
    at = run_app({"q": "graph molecules", "meetup": "3"})
    assert_ok(at)
    ids = talk_ids()
    params = link_params(at)
    assert f"talk={ids['Graph networks for molecules']}" in params
    assert not any(ids[HOSTILE] in p for p in params), "meetup 1's talk is filtered out"


def test_hostile_title_is_escaped_text(data):
    at = run_app({"q": "message passing molecule graphs"})
    assert_ok(at)
    hostile = [label for label in link_labels(at) if "onerror" in label]
    assert hostile, link_labels(at)
    assert "\\<img" in hostile[0], "angle brackets are escaped for markdown"
    # The hostile talk's javascript: slides link is never rendered.
    assert "javascript" not in "\n".join(e.value for e in at.markdown)


# -- item pages ----------------------------------------------------------------------------------
def test_talk_page_shows_details_related_and_cited_papers(data):
    tid = talk_ids()["Attention for machine translation"]
    at = run_app({"talk": tid})
    assert_ok(at)
    assert at.title[0].value == "Attention for machine translation"
    out = texts(at)
    assert "Ada Quill" in out and "Meetup \\#1" in out
    assert [b.proto.url for b in at.get("link_button")][:2] == [
        "https://example.org/slides/attention.pdf", "https://video.example.org/watch?v=att"]
    assert "Papers cited in this talk (1)" in out
    assert "Related talks from other meetups" in out and "Related papers" in out
    params = link_params(at)
    # Related talks come from other meetups: the hostile talk (meetup 1) is not listed.
    assert not any(talk_ids()[HOSTILE] in p for p in params)
    assert f"talk={talk_ids()['Transformers for protein folding']}" in params
    # Why related: the paper both talks cite comes before any shared phrase.
    assert "Both cite “Attention layers without recurrence”" in out
    # Its own cited paper is listed once, under "Papers cited", not again as related.
    assert params.count("paper=arxiv%3A1706.03762") == 1


def test_talk_page_via_its_own_url_path(data):
    tid = talk_ids()["Reinforcement learning for robot control"]
    at = run_app({"talk": tid}, page="talk")
    assert_ok(at)
    assert at.title[0].value == "Reinforcement learning for robot control"


def test_hostile_talk_page_shows_title_as_text_and_drops_bad_link(data):
    at = run_app({"talk": talk_ids()[HOSTILE]})
    assert_ok(at)
    assert at.title[0].value == "\\<img src\\=x onerror\\=alert\\(1\\)\\>"
    assert at.get("link_button") == [] or all(
        b.proto.url.startswith("http") for b in at.get("link_button"))


def test_paper_page_lists_citing_talks_with_context(data):
    at = run_app({"paper": "1706.03762"})  # bare id works as well as arxiv:<id>
    assert_ok(at)
    assert at.title[0].value == "Attention layers without recurrence"
    out = texts(at)
    assert "Cited at the meetup (2)" in out
    assert "attention\\-only encoder" in out  # the citing context
    ids = talk_ids()
    params = link_params(at)
    assert f"talk={ids['Attention for machine translation']}" in params
    assert f"talk={ids['Transformers for protein folding']}" in params


def test_unresolved_paper_is_a_bare_reference_with_slide_context(data):
    at = run_app({"paper": "arxiv:9999.99999"})
    assert_ok(at)
    assert at.title[0].value == "arXiv\\:9999\\.99999"  # the id, never a guessed title
    out = texts(at)
    assert "Only the arXiv id is known" in out and "arXiv has no paper with this id" in out
    assert "quantum dreaming" in out
    assert "**Intro and hot topics**" in link_labels(at)  # the citing slot opens its page
    assert "Meetup \\#1" in out


@pytest.mark.parametrize("params", [{"talk": "m99-no-such-talk"}, {"paper": "0000.00000"},
                                    {"talk": ""}, {"paper": "<script>"}])
def test_invalid_ids_give_a_friendly_message(data, params):
    at = run_app(params)
    assert_ok(at)
    assert at.warning and "No " in at.warning[0].value and "in this archive" in at.warning[0].value
    assert "Search talks and papers instead" in link_labels(at)


# -- other pages ---------------------------------------------------------------------------------
def test_meetups_page_newest_first_with_year_filter(data):
    at = run_app(page="meetups")
    assert_ok(at)
    heads = [m for m in link_labels(at) if m.startswith("**Meetup")]
    assert heads[0].startswith("**Meetup \\#3**") and heads[-1].startswith("**Meetup \\#1**")
    assert len(heads) == 4
    # the year of meetup 3 was inferred from its neighbours: the date says so, others not
    assert "2019\\-11\\-20 \\(year inferred\\)" in heads[0]  # as markdown, escaped
    assert not any("inferred" in h for h in heads[1:])
    assert "meetup=3" in link_params(at)  # each opens its meetup page
    at.segmented_control[0].set_value("2017").run()
    assert_ok(at)
    heads = [m for m in link_labels(at) if m.startswith("**Meetup")]
    assert [h.split("**")[1] for h in heads] == ["Meetup AI", "Meetup \\#1"]
    assert at.query_params["year"] == "2017"


def test_map_page_draws_every_item(data):
    at = run_app(page="map_view")
    assert_ok(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    import json

    fig = json.loads(charts[0].proto.spec)
    points = sum(len(tr.get("customdata", [])) for tr in fig["data"])
    assert points == 7 + 3  # seven talks (the intro slot is not indexed), three papers
    assert at.selectbox[0].label == "Or open an item by title"


def test_map_selectbox_opens_the_item(data):
    at = run_app(page="map_view")
    sb = at.selectbox[0]
    i = next(o for o in sb.options if o.startswith("Diffusion models"))
    sb.select(i).run()
    assert_ok(at)
    assert at.title[0].value == "Diffusion models for image generation"


def test_organizer_page_shows_themes_gaps_and_checks_novelty(data):
    at = run_app(page="organizer")
    assert_ok(at)
    assert at.title[0].value == "Organizer"
    assert len(at.get("plotly_chart")) == 2  # themes over time, gaps
    assert at.dataframe and {"label", "talks", "papers"} <= set(at.dataframe[0].value.columns)
    ids = talk_ids()
    # The heatmap's cell picker lists the talks of a theme, linked to their pages.
    picker = at.selectbox[0]
    assert picker.label == "Talks of the theme" and picker.options
    speech = next(i for i, o in enumerate(picker.options) if o.startswith("Speech"))
    picker.select_index(speech).run()
    assert_ok(at)
    assert f"talk={ids['Speech recognition with deep networks']}" in link_params(at)
    at.text_area[0].input("Diffusion models that generate images by denoising")
    at.button[0].click().run()  # the form's submit button
    assert_ok(at)
    assert any(m.value.startswith("**New for this meetup") or
               m.value.startswith("**Already covered") or m.value.startswith("**Partly")
               for m in at.markdown)
    assert f"talk={ids['Diffusion models for image generation']}" in link_params(at)
    # A proposal pasted as 'Title\nAbstract' whose title is a past talk's is covered by it,
    # and the card says why (`novelty.named_talks`).
    at.text_area[0].input("Attention for machine translation\nA fresh look at new benchmarks.")
    at.button[0].click().run()
    assert_ok(at)
    (head,) = [m.value for m in at.markdown if m.value.startswith("**Already covered")]
    assert "has this title" in head and "Attention for machine translation" in head, head
    assert any("a past talk has this title; closest in meaning at cosine" in c.value
               for c in at.caption)
    assert f"talk={ids['Attention for machine translation']}" in link_params(at)


def test_a_stale_gap_shows_the_recent_talks_that_came_close_to_its_theme(data,
                                                                            monkeypatch):
    from explorer.insights import gaps

    ids = talk_ids()
    near = ids["Speech recognition with deep networks"]
    real = gaps.stale_topics

    def with_a_near_miss(*a, **k):
        found = real(*a, **k) or [gaps.Gap(kind="stale", topic="theme:rl", label="RL",
                                           talks=1, papers=0, score=3.0, reason="old")]
        found[0].near_misses = [{"id": near, "title": "Speech recognition with deep networks",
                                 "date": "2099-01-01", "meetup": "3", "score": 0.25,
                                 "themes": ["Speech"]}]
        return found
    monkeypatch.setattr(gaps, "stale_topics", with_a_near_miss)
    at = run_app(page="organizer")
    assert_ok(at)
    assert any(m.value.startswith("Talks in that time that came close to this theme")
               for m in at.markdown)
    # The near miss's own link (its date is unique on the page), with its score as evidence.
    (link,) = [e for e in content_links(at) if e.proto.label.startswith(r"2099\-01\-01")]
    assert link.proto.query_string == f"talk={near}"
    assert r"theme score 0\.25; filed under Speech" in link.proto.label  # Markdown-escaped


def test_missing_index_shows_the_build_command(_data_dir):
    at = run_app({"q": "attention"})
    assert_ok(at)
    code = [c.value for c in at.code]
    assert code and code[0].startswith("explorer build --source DIR|github --data-dir")
    assert str(_data_dir.resolve()) in code[0]
    assert "No index yet" in texts(at)


def test_database_without_index_shows_the_build_command(_data_dir):
    Store.open(_data_dir).close()  # a database, but `explorer build` never ran
    at = run_app(page="map_view")
    assert_ok(at)
    assert any(c.value.startswith("explorer build") for c in at.code)


def test_talk_page_shows_the_speaker_bio_escaped(data):
    ids = talk_ids()
    at = run_app({"talk": ids["Attention for machine translation"]})
    assert_ok(at)
    about = [e for e in at.expander if e.label == "About the speaker"]
    assert len(about) == 1
    shown = [m.value for m in about[0].markdown]
    assert any("Ada Quill studies" in v for v in shown)
    assert all("<script>" not in v and "**translation**" not in v for v in shown)  # escaped
    # A talk whose page says nothing about its speaker has no such section.
    at = run_app({"talk": ids["Diffusion models for image generation"]})
    assert_ok(at)
    assert not [e for e in at.expander if e.label == "About the speaker"]


@pytest.mark.parametrize(("given", "slug"), [
    ("gaps", "gaps"), ("Themes", "themes"), (":material/lightbulb: Gaps", "gaps"),
    ("nonsense", "time"), (None, "time")])
def test_organizer_tab_lives_in_the_url_as_a_short_value(data, given, slug):
    from app_pages.organizer import TABS

    at = run_app({"tab": given} if given else None, page="organizer")
    assert_ok(at)
    assert at.session_state["organizer_tab"] == TABS[slug]  # the tab that opens
    # The URL carries the short value (an old link's label is rewritten), the first tab none.
    assert at.query_params.get("tab", ["time"]) in ([slug], slug)
