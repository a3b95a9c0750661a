"""Themes, gaps with evidence, themes over time and plain-words novelty (hand-made data, a
fixture archive built with the hashing model, and the real model in a slow test)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from explorer.cli import app
from explorer.domain import Hit
from explorer.insights.figures import gap_figure, theme_heatmap
from explorer.insights.gaps import (
    find_gaps,
    stale_topics,
    talks_in,
    topic_table,
    topics_over_time,
    uncovered_topics,
)
from explorer.insights.novelty import headline
from explorer.insights.taxonomy import OTHER, THEMES, Theme, check_taxonomy
from explorer.insights.themes import (
    Settings,
    ThemeAssignment,
    assign_themes,
    keyword_pattern,
    pick,
    settings_for,
)

ARCHIVE = Path(__file__).parent / "fixtures" / "themes_archive"
FIXTURES = Path(__file__).parent / "fixtures"


# -- the taxonomy ------------------------------------------------------------------------------
def test_taxonomy_ids_are_stable_unique_and_described():
    check_taxonomy()
    ids = [t.id for t in THEMES]
    assert len(ids) == len(set(ids)) >= 20
    for expected in ("theme:speech", "theme:music-audio", "theme:medical", "theme:rl",
                     "theme:llm", "theme:agents", "theme:search-rag", "theme:security-privacy",
                     "theme:mlops", "theme:generative-media", "theme:time-series",
                     "theme:graphs", "theme:neuroscience", "theme:policy-ethics"):
        assert expected in ids
    with pytest.raises(ValueError, match="theme:x"):
        check_taxonomy((Theme("theme:x", "X", "about x"), Theme("theme:x", "Y", "about y")))
    with pytest.raises(ValueError, match="description"):
        check_taxonomy((Theme("theme:y", "Y", ""),))


def test_judgments_name_real_themes_and_do_not_overlap():
    tuning = json.loads((FIXTURES / "themes_tuning.json").read_text())["talks"]
    heldout = json.loads((FIXTURES / "themes_heldout.json").read_text())["talks"]
    assert len(tuning) >= 50 and len(heldout) >= 50
    assert not set(tuning) & set(heldout)
    known = {t.id for t in THEMES}
    assert all(set(v) <= known and v for v in (*tuning.values(), *heldout.values()))


def test_keywords_match_whole_words_and_phrases_only():
    pat = keyword_pattern(["rag", "gan", "speech", "time series"])
    assert pat.search("RAG: where are we now?") and pat.search("a GAN for faces")
    assert not pat.search("storage for organ donors")
    assert pat.search("Speech, and then music") and pat.search("long time series data")
    assert not pat.search("time-series-free") and keyword_pattern([]) is None


def test_pick_keeps_themes_near_the_best_above_the_threshold():
    s = Settings(threshold=0.3, margin=0.08, keyword_margin=0.3, max_themes=2)
    assert pick(np.array([[0.50, 0.45, 0.20]]), s) == [[0, 1]]
    assert pick(np.array([[0.50, 0.30, 0.20]]), s) == [[0]]
    # A keyword of the theme in the title widens its margin.
    assert pick(np.array([[0.50, 0.30, 0.20]]), s, np.array([[0, 1, 0]])) == [[0, 1]]
    assert pick(np.array([[0.25, 0.20]]), s) == [[]]
    assert pick(np.array([[0.9, 0.89, 0.88]]), s) == [[0, 1]]  # at most max_themes


# -- assignment on hand-made vectors -----------------------------------------------------------
TOY = (Theme("theme:a", "Apples", "apples"), Theme("theme:b", "Bees", "bees"),
       Theme("theme:c", "Clouds", "clouds", ("cumulus",)))


def _toy_embed(texts):
    axes = {"Apples": 0, "Bees": 1, "Clouds": 2}
    out = np.zeros((len(texts), 4), np.float32)
    for i, t in enumerate(texts):
        out[i, axes[t.split(":")[0]]] = 1.0
    return out


def test_assign_themes_multi_label_keywords_and_other():
    vecs = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0.9, 0.1, 0.05, 0.4]],
                    np.float32)
    titles = ["an apple talk", "apples and bees", "nothing", "cumulus apples"]
    a = assign_themes(["i0", "i1", "i2", "i3"], titles, titles, vecs, _toy_embed,
                      settings=Settings(threshold=0.3, margin=0.08, title_bonus=0.4,
                                        keyword_margin=0.5), themes=TOY)
    assert a.labels["i0"] == ["theme:a"]
    assert sorted(a.labels["i1"]) == ["theme:a", "theme:b"]  # both at cosine 0.71
    assert a.labels["i2"] == [] and a.themes_of("i2") == [OTHER]
    assert a.labels["i3"] == ["theme:a", "theme:c"]  # cumulus in the title
    assert a.members("theme:a") == ["i0", "i1", "i3"] and a.members(OTHER) == ["i2"]
    assert a.name(OTHER) == "Other (no theme)" and a.name("theme:b") == "Bees"
    with pytest.raises(ValueError, match="one of each"):
        assign_themes(["x"], [], [], vecs[:1], _toy_embed, themes=TOY)


def test_settings_are_calibrated_per_model():
    assert settings_for("sentence-transformers/all-MiniLM-L6-v2") == settings_for(
        "all-MiniLM-L6-v2") == Settings()
    assert settings_for("hashing-64") != Settings()


# -- gaps, counts and figures on a hand-made world ----------------------------------------------
def _world():
    """theme:a talks 2017-2019 and one in 2024 (recurs); theme:b talks until 2019 (stops);
    theme:c hot papers only; theme:d never anything; i-other in no theme."""
    rows = [
        ("a1", "talk", "A one", "2017-05-01", 5, None, ["theme:a"]),
        ("a2", "talk", "A two", "2019-05-01", 9, None, ["theme:a", "theme:b"]),
        ("a3", "talk", "A three", "2024-01-10", 20, None, ["theme:a"]),
        ("b1", "talk", "B one", "2018-03-01", 7, None, ["theme:b"]),
        ("b2", "talk", "B two", "2016-03-01", 2, None, ["theme:b"]),
        *[(f"p{i}", "paper", f"Paper {i}", f"202{i}-02-01", 10 + i, True, ["theme:c"])
          for i in range(4)],
        ("px", "paper", "Cited by a talk", "2021-02-01", 11, False, ["theme:c"]),
        ("o1", "talk", "Odd one", "2024-01-10", 20, None, []),
    ]
    items = pd.DataFrame([r[:6] for r in rows],
                         columns=["id", "kind", "title", "date", "meetup", "hot"])
    themes = [Theme(f"theme:{c}", f"Theme {c.upper()}", f"about {c}") for c in "abcd"]
    a = ThemeAssignment(themes, {r[0]: r[6] for r in rows},
                        {r[0]: {t: 0.5 for t in r[6]} for r in rows})
    return a, items


def test_a_theme_is_stale_only_without_a_talk_in_the_window():
    a, items = _world()
    gaps = stale_topics(a, items)  # as_of: the latest date, 2024-01-10
    assert [g.topic for g in gaps] == ["theme:b"]  # a recurs in 2024; c, d had no talk
    g = gaps[0]
    assert g.as_of == "2024-01-10" and g.window_years == 2.0
    assert g.last_talk == {"id": "a2", "title": "A two", "date": "2019-05-01", "meetup": "9"}
    assert [t["id"] for t in g.talks_evidence] == ["a2", "b1", "b2"]
    assert g.days_since_talk == (pd.Timestamp("2024-01-10") - pd.Timestamp("2019-05-01")).days
    assert "2019-05-01" in g.reason and "within 2 years" in g.reason
    assert [p["id"] for p in g.papers_evidence] == []  # c's papers are not b's
    # Asked as of 2022, a's 2024 talk has not happened yet: a and b are both stale (same
    # last talk a2, so ordered by id).
    assert [g.topic for g in stale_topics(a, items, as_of="2022-01-01")] == ["theme:a",
                                                                             "theme:b"]
    assert stale_topics(a, items, as_of="2020-01-01") == []
    with pytest.raises(ValueError, match="not a date"):
        stale_topics(a, items, as_of="next tuesday")


def test_a_stale_verdict_names_recent_talks_that_came_close_to_its_theme():
    a, items = _world()
    extra = pd.DataFrame([("o2", "talk", "Odd two", "2023-06-01", 19, None),
                          ("o3", "talk", "Old odd", "2018-06-01", 8, None),
                          ("o4", "paper", "Odd paper", "2023-07-01", 19, True)],
                         columns=items.columns)
    items = pd.concat([items, extra], ignore_index=True)
    for iid in ("o2", "o3", "o4"):
        a.labels[iid] = []
    # In the window: o1 and o2 (no theme) came closest to b, and a3 (filed under a) came
    # close to b too; o3 is too old; o4 is a paper.
    a.nearest.update({"o1": {"theme:b": 0.21}, "o2": {"theme:b": 0.24},
                      "a3": {"theme:b": 0.35}, "o3": {"theme:b": 0.5}, "o4": {"theme:b": 0.5}})
    (g,) = stale_topics(a, items)
    assert g.topic == "theme:b"
    assert [(t["id"], t["score"], t["themes"]) for t in g.near_misses] == [
        ("a3", 0.35, ["Theme A"]), ("o2", 0.24, []), ("o1", 0.21, [])]  # closest first
    assert ("3 talks in that time came close to this theme without being assigned to it"
            in g.reason)
    a.nearest.update({"o1": {"theme:c": 0.3}, "o2": {"theme:a": 0.3}, "a3": {}})
    (g,) = stale_topics(a, items)
    assert g.near_misses == [] and "close to this theme" not in g.reason


def test_assignment_keeps_the_themes_items_came_close_to():
    themes = [Theme("theme:a", "A", "about a"), Theme("theme:b", "B", "about b"),
              Theme("theme:c", "C", "about c")]
    vecs = np.array([[1.0, 0, 0], [0, 1.0, 0], [0.6, 0.8, 0], [0.8, 0, 0.6]], np.float32)
    tv = np.eye(3, dtype=np.float32)
    a = assign_themes(["x", "y", "z", "w"], ["x", "y", "z", "w"], ["x", "y", "z", "w"], vecs,
                      lambda texts: tv, settings=Settings(threshold=0.55, margin=0.06),
                      themes=themes)
    assert a.labels == {"x": ["theme:a"], "y": ["theme:b"], "z": ["theme:b"], "w": ["theme:a"]}
    # z: a above the threshold but outside the margin; w: c likewise; x and y: nothing close.
    assert a.nearest == {"z": {"theme:a": 0.6}, "w": {"theme:c": 0.6}}
    def lone(threshold):
        return assign_themes(["q"], ["q"], ["q"], np.array([[0.6, 0.8, 0]], np.float32),
                             lambda texts: tv, settings=Settings(threshold=threshold,
                                                                 margin=0.06), themes=themes)
    near = lone(0.85)  # in no theme, its best (0.8) within the margin of the threshold
    assert near.labels == {"q": []} and near.nearest == {"q": {"theme:b": 0.8}}
    far = lone(0.9)  # 0.8 is more than a margin below 0.9: close to nothing
    assert far.labels == {"q": []} and far.nearest == {}


def test_uncovered_lists_its_papers_and_talks():
    a, items = _world()
    gaps = uncovered_topics(a, items)
    assert [g.topic for g in gaps] == ["theme:c"]
    g = gaps[0]
    assert (g.papers, g.talks, g.last_talk, g.talks_evidence) == (4, 0, None, [])
    assert [p["id"] for p in g.papers_evidence] == ["p3", "p2", "p1", "p0"]
    assert g.papers_evidence[0] == {"id": "p3", "title": "Paper 3", "date": "2023-02-01",
                                    "meetup": "13"}
    assert "never a talk" in g.reason
    assert [x.kind for x in find_gaps(a, items)] == ["uncovered", "stale"]
    # A paper whose title was not fetched is named by its id; the words citing it are
    # labelled as such, never passed off as its title.
    items["resolved"] = items["id"] != "p3"
    items.loc[items["id"] == "p3", "title"] = "we record thousands of neurons, building on"
    (g,) = uncovered_topics(a, items)
    assert g.papers_evidence[0]["title"] == ("arXiv:p3 (title not fetched yet; cited as "
                                             "“we record thousands of neurons, building on”)")
    assert g.papers_evidence[1]["title"] == "Paper 2"


def test_every_theme_gets_a_table_row_and_counts_per_year():
    a, items = _world()
    table = topic_table(a, items).set_index("id")
    assert list(table.index[-1:]) == [OTHER]
    assert set(table.index) == {"theme:a", "theme:b", "theme:c", "theme:d", OTHER}
    assert table.loc["theme:a", "talks"] == 3 and table.loc["theme:b", "talks"] == 3
    assert table.loc["theme:d", "size"] == 0 and table.loc["theme:d", "last_date"] is None
    assert table.loc["theme:b", "last_talk_date"] == "2019-05-01"
    ot = topics_over_time(a, items)
    assert set(ot["topic"]) == {"theme:a", "theme:b", "theme:c", "theme:d", OTHER}
    get = ot.set_index(["topic", "kind", "year"])["count"]
    assert get[("theme:a", "talk", 2024)] == 1 and get[("theme:d", "talk", 2020)] == 0
    assert get[("theme:c", "paper", 2021)] == 2  # p1 and px
    assert len(ot) == 5 * 2 * (2024 - 2016 + 1)
    assert list(talks_in(a, items, "theme:b")["id"]) == ["a2", "b1", "b2"]
    assert list(talks_in(a, items, "theme:a", 2024)["id"]) == ["a3"]


def test_heatmap_covers_every_theme_with_one_layer_per_kind():
    a, items = _world()
    ot = topics_over_time(a, items)
    fig = theme_heatmap(ot)
    maps = [tr for tr in fig.data if tr.type == "heatmap"]
    assert [tr.name for tr in maps] == ["Talks", "Cited papers"]
    assert [tr.visible for tr in fig.data] == [True, True, False, False]
    talks = maps[0]
    assert list(talks.y) == ["Theme A", "Theme B", "Theme C", "Theme D", "Other (no theme)"]
    assert list(talks.x) == [str(y) for y in range(2016, 2025)]
    assert np.asarray(talks.z).sum() == ot[ot["kind"] == "talk"]["count"].sum()
    # Every cell has a clickable marker saying which theme, year and count it stands for.
    cells = fig.data[1]
    assert cells.type == "scatter" and len(cells.x) == 5 * 9
    assert ["theme:a", 2024, 1] in [list(c) for c in cells.customdata]
    assert fig.layout.clickmode == "event+select"
    assert len(fig.layout.updatemenus[0].buttons) == 2
    field = pd.concat([ot, ot.assign(kind="field", count=1)])  # a further source of counts
    assert [tr.name for tr in theme_heatmap(field).data if tr.type == "heatmap"] == [
        "Talks", "Cited papers", "field"]
    buttons = theme_heatmap(field).layout.updatemenus[0].buttons
    assert list(buttons[2].args[0]["visible"]) == [False] * 4 + [True] * 2
    assert "no dated items" in theme_heatmap(ot.iloc[0:0]).layout.title.text
    gf = gap_figure(find_gaps(a, items))
    assert [tr.name for tr in gf.data] == ["talks", "cited papers"]
    assert list(gf.data[0].x) == ["2019-05-01", "2018-03-01", "2016-03-01"]  # b's last talks
    assert list(gf.data[1].x) == ["2023-02-01", "2022-02-01", "2021-02-01", "2020-02-01"]
    assert gf.data[0].hovertext[0] == "2019-05-01 (meetup 9): A two"
    window = gf.layout.shapes[0]  # the two years before as_of, where b had no talk
    assert (window.x0, window.x1) == ("2022-01-10", "2024-01-10")
    assert gap_figure([]).layout.title.text == "No gaps found"


# -- novelty in plain words ---------------------------------------------------------------------
def _hit(i, score, meetup=33, date="2020-02-26"):
    return Hit(id=f"t{i}", kind="talk", title=f"Talk {i}", meetup=meetup, date=date,
               score=score)


def test_headline_says_the_verdict_in_words_with_talks_and_dates():
    hits = [_hit(1, 0.8), _hit(2, 0.6, 40, "2021-05-01"), _hit(3, 0.3)]
    assert headline("covered", hits, 0.55) == (
        "Already covered: “Talk 1” at meetup 33 (2020-02-26).")
    partly = headline("partly", [_hit(1, 0.6), _hit(2, 0.58, 40, "2021-05-01"),
                                 _hit(3, 0.3)], 0.55)
    assert partly.startswith("Partly covered by “Talk 1” at meetup 33 (2020-02-26); “Talk 2”")
    assert "Talk 3" not in partly
    themes = [{"id": "theme:rl", "name": "Reinforcement learning", "score": 0.5}]
    assert headline("new", hits, 0.55, themes=themes).startswith("New for this meetup")
    assert "Reinforcement learning" in headline("new", hits, 0.55, themes=themes)
    off = headline("new", hits, 0.55, off_topic=True, themes=themes)
    assert off.startswith("Off-topic for a deep-learning meetup?")


# -- a fixture archive: speech stops, RL and graphs recur, protein papers never get a talk ------
@pytest.fixture(scope="module")
def themes_build(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("themes")
    res = CliRunner().invoke(app, ["build", "--source", str(ARCHIVE), "--data-dir", str(d),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output
    return d


def _gaps(d, *extra):
    res = CliRunner().invoke(app, ["gaps", "--json", "--data-dir", str(d), *extra])
    assert res.exit_code == 0, res.output
    return {g["topic"]: g for g in json.loads(res.stdout)}


def test_fixture_archive_verdicts_a_stopped_theme_is_stale_a_recurring_one_is_not(themes_build):
    gaps = _gaps(themes_build)
    speech = gaps["theme:speech"]
    assert speech["kind"] == "stale" and speech["as_of"] == "2024-09-18"
    assert [t["id"] for t in speech["talks_evidence"]] == [
        "m22-text-to-speech-synthesis-for-many-voices",
        "m21-speech-recognition-with-recurrent-networks"]
    assert speech["talks_evidence"][0]["meetup"] == "22"
    assert speech["talks_evidence"][0]["date"] == "2019-11-06"
    assert "theme:rl" not in gaps and "theme:graphs" not in gaps
    science = gaps["theme:science"]
    assert science["kind"] == "uncovered" and science["talks"] == 0
    assert len(science["papers_evidence"]) >= 3
    assert all(p["id"].startswith("arxiv:") and p["date"] for p in science["papers_evidence"])
    # Back in 2021 graphs had just had a talk (2019-11) but RL too (2020-10): neither stale.
    early = _gaps(themes_build, "--as-of", "2021-06-01")
    assert "theme:speech" not in early and "theme:graphs" not in early


def test_no_stale_gap_has_a_talk_of_its_theme_in_the_window(themes_build):
    import explorer

    ex = explorer.open(themes_build)
    try:
        themes = ex.theme_assignment()
        talk_date = ex.talks().set_index("id")["date"].to_dict()
        for g in ex.gaps():
            if g.kind != "stale":
                continue
            window_start = pd.Timestamp(g.as_of) - pd.Timedelta(days=365.25 * g.window_years)
            recent = [i for i in themes.members(g.topic) if i in talk_date
                      and window_start < pd.Timestamp(talk_date[i]) <= pd.Timestamp(g.as_of)]
            assert recent == [], f"{g.topic} is called stale but has {recent}"
            assert g.talks_evidence, f"{g.topic} shows no evidence"
    finally:
        ex.close()


def test_cli_topics_and_novelty_speak_in_themes(themes_build):
    run = CliRunner()
    res = run.invoke(app, ["topics", "--json", "--data-dir", str(themes_build)])
    assert res.exit_code == 0, res.output
    topics = {t["id"]: t for t in json.loads(res.stdout)}
    assert set(topics) >= {t.id for t in THEMES}  # every theme, empty ones too
    assert topics["theme:speech"]["talks"] == 2
    assert topics["theme:speech"]["last_talk_date"] == "2019-11-06"
    assert topics["theme:agents"]["label"] == "AI agents & tool use"
    res = run.invoke(app, ["novelty", "Speech recognition with recurrent networks",
                           "--json", "--data-dir", str(themes_build)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["verdict"] == "covered" and out["off_topic"] is False
    assert out["headline"] == ("Already covered: “Speech recognition with recurrent "
                               "networks” at meetup 21 (2019-03-13).")
    assert out["themes"][0]["id"] == "theme:speech"
    res = run.invoke(app, ["gaps", "--data-dir", str(themes_build)])
    assert res.exit_code == 0 and "Speech" in res.stdout and "2019-11-06" in res.stdout


@pytest.mark.slow
def test_real_model_on_the_fixture_archive(tmp_path):
    import explorer

    d = tmp_path / "real"
    res = CliRunner().invoke(app, ["build", "--source", str(ARCHIVE), "--data-dir", str(d),
                                   "--offline"])
    assert res.exit_code == 0, res.output
    ex = explorer.open(d)
    try:
        gaps = {g.topic: g for g in ex.gaps()}
        assert gaps["theme:speech"].kind == "stale"
        assert "theme:rl" not in gaps and "theme:graphs" not in gaps
        off = ex.novelty("Quantum knitting patterns for sheep")
        assert off.off_topic and off.headline.startswith("Off-topic")
        on = ex.novelty("Graph neural networks for traffic forecasting")
        assert not on.off_topic and on.themes[0]["id"] == "theme:graphs"
    finally:
        ex.close()


def test_an_items_themes_do_not_depend_on_the_other_items():
    # Theme ids come from the taxonomy and each item is scored on its own, so a new meetup
    # (more items) never moves the themes of the old ones.
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(6, 4)).astype(np.float32)
    titles = [f"talk {i}" for i in range(6)]
    ids = [f"t{i}" for i in range(6)]
    s = Settings(threshold=0.1, margin=0.3)
    full = assign_themes(ids, titles, titles, vecs, _toy_embed, settings=s, themes=TOY)
    part = assign_themes(ids[:3], titles[:3], titles[:3], vecs[:3], _toy_embed, settings=s,
                         themes=TOY)
    assert {i: full.labels[i] for i in ids[:3]} == part.labels
    assert any(full.labels.values())  # not trivially empty


def test_organizer_figures_fit_a_phone():
    """Long theme labels wrap instead of being cut, year ticks are turned, legends and no
    colour bar take the chart's width (a phone is 390 px wide)."""
    from explorer.insights.figures import wrap_label

    assert wrap_label("Neural networks: fundamentals & architectures", 22) == (
        "Neural networks:<br>fundamentals &amp;<br>architectures")
    a, items = _world()
    ot = topics_over_time(a, items).replace({"label": {"Theme A": "A very long theme label "
                                                                   "about many things"}})
    fig = theme_heatmap(ot)
    assert fig.layout.yaxis.ticktext[0] == "A very long theme label<br>about many things"
    assert fig.layout.yaxis.tickvals[0] == "A very long theme label about many things"
    assert fig.layout.xaxis.tickangle == -90 and fig.data[0].showscale is False
    gf = gap_figure(find_gaps(a, items))
    assert gf.layout.legend.orientation == "h" and gf.layout.legend.y < 0
    assert gf.layout.yaxis.automargin is True


def test_the_build_stores_the_assignment_and_readers_use_it(themes_build, monkeypatch):
    """`explorer build` keeps the assignment in its generation: opening the data dir reads
    it back (no embedding of theme descriptions), identical to computing it afresh."""
    import explorer
    import explorer.insights.themes as th

    ex = explorer.open(themes_build)
    assert ex.store.get_meta(th.META_KEY)  # written by the build
    fresh = th.assign_themes  # what a recomputation would call

    def refuse(*a, **k):
        raise AssertionError("the stored assignment should have been used")
    monkeypatch.setattr(th, "assign_themes", refuse)
    stored = ex.theme_assignment()
    monkeypatch.setattr(th, "assign_themes", fresh)
    again = th.theme_assignment(ex, settings=th.settings_for(ex.model))  # computed afresh
    assert stored.labels == again.labels and stored.scores == again.scores
    assert stored.nearest == again.nearest
    ex.close()


@pytest.mark.parametrize("moved", [("TAXONOMY_VERSION", "a-newer-taxonomy"),
                                   ("ASSIGNMENT_FORMAT", 99)])  # newer themes or newer code
def test_a_stored_assignment_for_other_items_or_taxonomy_is_not_used(themes_build,
                                                                      monkeypatch, moved):
    import explorer
    import explorer.insights.themes as th

    ex = explorer.open(themes_build)
    calls = []
    real = th.assign_themes
    monkeypatch.setattr(th, "assign_themes", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(th, *moved)  # the key moved on
    ex.theme_assignment()
    assert calls == [1]
    assert ex.store.readonly  # a reader recomputes and never writes
    ex.close()


def test_why_related_names_a_shared_theme_before_the_model_loads(themes_build, monkeypatch):
    import explorer
    from explorer.insights.themes import stored_theme_assignment

    ex = explorer.open(themes_build)
    monkeypatch.setattr(ex.engine.encoder, "loaded", False, raising=False)  # still loading
    stored = stored_theme_assignment(ex)
    assert stored is not None
    ids = [it.id for it in ex.engine.items if it.kind == "talk"]
    pair = next(((a, b) for a in ids for b in ids if a != b and set(stored.labels.get(a, []))
                 & set(stored.labels.get(b, []))), None)
    assert pair is not None
    assert ex._shared_topic(*pair)  # from the stored themes; the model is never asked
    ex.close()


def _with_stored(themes_build, tmp_path, stored) -> tuple:
    """A copy of the build whose generation stores ``stored(key, labels)`` as its themes
    (written through a writable store, as a build or a damaged disk would leave it).

    Returns:
        (the copy's explorer, opened afresh; the labels the build computed).
    """
    import shutil

    import explorer
    import explorer.insights.themes as th
    from explorer.store import Store

    d = tmp_path / "copy"
    shutil.copytree(themes_build, d)
    ex = explorer.open(d)
    key, labels, gen = th._stored_key(ex), ex.theme_assignment().labels, ex.store.path
    ex.close()
    store = Store.open(gen, readonly=False)
    store.set_meta(th.META_KEY, stored(key, labels))
    store.close()
    return explorer.open(d), labels


def test_the_stored_near_misses_are_read_back(themes_build, tmp_path):
    import explorer.insights.themes as th

    ex, _ = _with_stored(themes_build, tmp_path, lambda key, labels: json.dumps(
        {"key": key, "labels": labels, "scores": {},
         "nearest": {"m1-x": {"theme:speech": 0.3}}}))
    assert th.stored_theme_assignment(ex).nearest == {"m1-x": {"theme:speech": 0.3}}
    ex.close()


def test_themes_stored_before_near_misses_were_kept_are_still_read(themes_build, tmp_path):
    """A data dir built before `nearest` was stored keeps reading its themes without the
    model (near misses unknown until the next build), rather than recomputing on every open."""
    import explorer.insights.themes as th

    ex, labels = _with_stored(themes_build, tmp_path, lambda key, labels: json.dumps(
        {"key": key, "labels": labels, "scores": {}}))
    stored = th.stored_theme_assignment(ex)
    assert stored is not None and stored.labels == labels and stored.nearest == {}
    ex.close()


@pytest.mark.parametrize("damage", ["{not json", "labels-not-lists", "labels-a-list", "null",
                                    "nearest-a-list"])
def test_a_damaged_stored_assignment_is_computed_again(themes_build, tmp_path, damage):
    import explorer.insights.themes as th

    def damaged(key, labels):  # the right key, damaged values
        return {"labels-not-lists": json.dumps({"key": key, "labels": {"x": [1]},
                                                "nearest": {}}),
                "labels-a-list": json.dumps({"key": key, "labels": [1, 2], "nearest": {}}),
                "nearest-a-list": json.dumps({"key": key, "labels": labels,
                                              "nearest": ["x"]})}.get(damage, damage)
    ex, want = _with_stored(themes_build, tmp_path, damaged)
    assert th.stored_theme_assignment(ex) is None
    assert ex.theme_assignment().labels == want  # recomputed, same answer
    ex.close()


def test_without_stored_themes_the_store_is_asked_once_while_the_model_loads(themes_build,
                                                                            monkeypatch):
    import explorer
    import explorer.insights.themes as th

    ex = explorer.open(themes_build)
    monkeypatch.setattr(ex.engine.encoder, "loaded", False, raising=False)
    asked = []
    monkeypatch.setattr(th, "stored_theme_assignment", lambda e: asked.append(1))  # none
    ids = [it.id for it in ex.engine.items]
    for a, b in itertools.pairwise(ids):
        assert ex._shared_topic(a, b) == ""  # no themes yet, and no waiting for the model
    assert asked == [1]
    ex.close()
