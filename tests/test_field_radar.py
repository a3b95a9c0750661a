"""The field radar: themes rising in the field beside the meetup's talks, and gaps' field evidence.

A generated field where medical papers jump from 10 a year to 80 in 2019 (the last full
year) and the meetup (tests/test_app.py's archive, last meetup 2019-11-20) never had a
medical talk; graphs rise too but had a talk at the last meetup; speech is flat.
"""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from radar_fixtures import write_trend_snapshot
from test_app import build_app_data
from test_field_search import embed_here
from typer.testing import CliRunner

import explorer
from embeddings.encoder import HashingEncoder
from explorer.cli import app
from explorer.field.snapshot import import_snapshot
from explorer.field.themes import count_field_themes, pick_mask
from explorer.insights import radar
from explorer.insights.themes import Settings, pick
from explorer.store.fieldstore import FieldStore

FLAT = {y: 40 for y in range(2015, 2020)}
PER_YEAR = {
    "medical": {2015: 10, 2016: 10, 2017: 10, 2018: 10, 2019: 80, 2020: 5},
    "speech": {**FLAT, 2020: 10},
    "graphs": {2015: 20, 2016: 20, 2017: 20, 2018: 20, 2019: 60, 2020: 10},
    "vision": {**{y: 60 for y in range(2015, 2020)}, 2020: 15},
}
LAST_DAY = date(2020, 3, 31)  # 2020 is partial: 2019 is the last full year


def add_field(d, tmp_path, per_year=PER_YEAR, last_day=LAST_DAY, first=0):
    fs = FieldStore.open(d)
    path = tmp_path / f"trend-{first}.json"
    import_snapshot(fs, write_trend_snapshot(path, per_year, last_day, first=first),
                    categories="all")
    embed_here(fs, HashingEncoder())
    fs.close()


@pytest.fixture
def world(_data_dir, tmp_path):
    build_app_data(_data_dir)
    add_field(_data_dir, tmp_path)
    return _data_dir


def test_radar_names_the_theme_rising_in_the_field_with_no_talk(world):
    ex = explorer.open(world)
    try:
        r = ex.field_radar()
        years = ex.field_radar(years=True)
    finally:
        ex.close()
    flagged = r[r["flagged"]]
    assert flagged["topic"].tolist() == ["theme:medical"], r.head()
    med = flagged.iloc[0]
    # Its numbers, as the per-year frame has them: 2019 against the mean of 2016-2018.
    m = years[years["topic"] == "theme:medical"].set_index("year")
    assert med["year"] == 2019 and med["papers"] == m.at[2019, "field_papers"]
    assert 76 <= med["papers"] <= 84  # the 80 generated medical papers, give or take noise
    assert med["total"] == m.at[2019, "field_total"] == 240  # every 2019 paper (80+40+60+60)
    base = np.mean([m.at[y, "field_share"] for y in (2016, 2017, 2018)])
    assert med["baseline_share"] == pytest.approx(base)
    assert med["growth"] == pytest.approx(med["share"] / base) and med["growth"] > 3
    assert med["baseline_years"] == "2016-2018" and med["last_talk"] is None
    assert "2019's papers" in med["evidence"] and "2016-2018" in med["evidence"]
    assert f"({med['papers']} of 240)" in med["evidence"]
    # Graphs rise as well, but the last meetup had a graph talk: rising, not flagged.
    g = r.set_index("topic").loc["theme:graphs"]
    assert g["rising"] and g["recent_talk"] and not g["flagged"]
    assert g["last_talk"] == "2019-11-20"
    # Speech is flat in count but loses share: not rising.
    assert not r.set_index("topic").loc["theme:speech", "rising"]
    # The meetup's talks per year sit beside the field's share.
    assert years[(years["topic"] == "theme:graphs") & (years["year"] == 2019)]["talks"].item() == 1
    assert m["talks"].sum() == 0


def test_streaming_in_small_chunks_counts_what_one_pass_counts(world):
    ex = explorer.open(world)
    try:
        assignment = ex.theme_assignment()
        themes, settings = list(assignment.themes), assignment.settings
        from explorer.insights.themes import theme_texts

        tv = ex.embed(theme_texts(themes))
        fs = FieldStore.open(world)
        small = count_field_themes(fs.iter_dated_vectors(ex.model, 7), tv, themes, settings)
        whole = count_field_themes(fs.iter_dated_vectors(ex.model, 10**6), tv, themes,
                                   settings)
        fs.close()
    finally:
        ex.close()
    pd.testing.assert_frame_equal(small.counts, whole.counts)
    pd.testing.assert_frame_equal(small.totals, whole.totals)
    assert small.embedded == whole.embedded == sum(sum(v.values()) for v in PER_YEAR.values())
    assert small.as_of <= LAST_DAY.isoformat()


def test_pick_mask_is_the_archive_rule_vectorised():
    rng = np.random.default_rng(0)
    scores = rng.normal(0.3, 0.2, (300, 12)).astype(np.float32)
    in_title = (rng.random((300, 12)) < 0.1).astype(np.float32)
    s = Settings(threshold=0.3, margin=0.08, keyword_margin=0.3, max_themes=3)
    mask = pick_mask(scores, s, in_title)
    for i, cols in enumerate(pick(scores, s, in_title)):
        assert sorted(cols) == sorted(np.nonzero(mask[i])[0].tolist())


def test_rising_definition_on_hand_made_numbers():
    rows = []
    for y, (a, total) in {2016: (20, 1000), 2017: (30, 1000), 2018: (10, 1000),
                          2019: (80, 1000)}.items():
        rows.append(("theme:a", "A", y, a, total, a / total, 0))
        rows.append(("theme:b", "B", y, 15 if y == 2019 else 1, total,
                     (15 if y == 2019 else 1) / total, 0))
    years = pd.DataFrame(rows, columns=radar.YEAR_COLUMNS)
    r = radar.field_radar(years, {"theme:b": "2019-06-01"}, "2020-02-01", "2019-12-01",
                          min_papers=20).set_index("topic")
    a = r.loc["theme:a"]
    assert a["year"] == 2019 and a["baseline_share"] == pytest.approx(0.02)
    assert a["growth"] == pytest.approx(4.0) and a["rising"] and a["flagged"]
    assert a["evidence"] == ("In the field: 8.0% of 2019's papers (80 of 1,000), up from 2.0% "
                             "in 2016-2018 (4.0x): rising")
    b = r.loc["theme:b"]  # 15x its share, but under the minimum count
    assert not b["rising"] and b["trend"] == "rising, few papers" and not b["flagged"]
    assert radar.last_full_year("2019-12-31") == 2019
    assert radar.last_full_year("2020-02-01") == 2019


def test_months_from_rise_to_first_talk():
    months = [f"{y}-{m:02d}" for y in range(2015, 2021) for m in range(1, 13)]
    totals = pd.DataFrame([(m, 100) for m in months], columns=["month", "papers"])
    counts = pd.DataFrame([("theme:a", m, 30 if m >= "2019-01" else 5) for m in months],
                          columns=["topic", "month", "papers"])
    rises = radar.rise_months(counts, totals, {"theme:a": "A"})
    # 12 months ending there vs the 36 before: (5*k + 30*(12-k))/1200 >= 1.5 * 0.05 first
    # when 25*(12-k) >= 30, i.e. two months of 2019 in the window: February 2019.
    assert rises["rise_month"].tolist() == ["2019-02"]
    items = pd.DataFrame([("t1", "talk", "x", "2018-05-01", "theme:a"),
                          ("t2", "talk", "y", "2019-09-20", "theme:a")],
                         columns=["id", "kind", "title", "date", "topic"])
    lag = radar.talk_lags(rises, items).iloc[0]
    assert lag["months_after"] == 7 and lag["first_talk"] == "2019-09-20"
    assert lag["talks_before"] == 1


def test_gaps_carry_the_field_evidence_and_are_bare_without_a_field(world, tmp_path):
    ex = explorer.open(world)
    try:
        gaps = ex.gaps()
    finally:
        ex.close()
    speech = [g for g in gaps if g.topic == "theme:speech"]
    assert speech and speech[0].kind == "stale"  # last speech talk 2017-09-15
    ev = speech[0].field_evidence
    assert ev["year"] == 2019 and ev["papers"] == 40 and ev["trend"] == "falling"
    assert "down from" in ev["evidence"]
    json.dumps([g.to_dict() for g in gaps])  # JSON-safe (no NaN objects)
    bare = tmp_path / "bare"
    build_app_data(bare)
    ex = explorer.open(bare)
    try:
        assert all(g.field_evidence is None for g in ex.gaps())
        r = ex.field_radar()
        assert r.empty and "explorer field import" in r.attrs["note"]
        assert "explorer field build" in r.attrs["note"]
    finally:
        ex.close()


def test_cli_field_radar_json_lists_the_rising_themes_with_numbers(world):
    res = CliRunner().invoke(app, ["field", "radar", "--json", "--data-dir", str(world)])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["topic"] for r in rows[:2]] == ["theme:medical", "theme:graphs"]
    assert rows[0]["flagged"] and rows[0]["year"] == 2019 and rows[0]["growth"] > 3
    assert all(r["rising"] for r in rows)
    res = CliRunner().invoke(app, ["field", "radar", "--all", "--data-dir", str(world)],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "Medical imaging" in res.stdout and "no recent talk" in \
        res.stdout and "Speech" in res.stdout


def test_cli_field_radar_without_a_field_says_what_to_run(_data_dir):
    build_app_data(_data_dir)
    res = CliRunner().invoke(app, ["field", "radar", "--json", "--data-dir", str(_data_dir)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [] and "explorer field import" in res.stderr


def test_counts_are_cached_until_new_papers_are_embedded(world, tmp_path, monkeypatch):
    import explorer.field.themes as ft

    ex = explorer.open(world)
    first = ex.field_theme_counts()
    ex.close()
    real = ft.count_field_themes

    def must_not_count(*a, **k):
        raise AssertionError("the counts cached in field.sqlite should have been read")
    monkeypatch.setattr(ft, "count_field_themes", must_not_count)
    ex = explorer.open(world)
    again = ex.field_theme_counts()
    ex.close()
    monkeypatch.setattr(ft, "count_field_themes", real)
    pd.testing.assert_frame_equal(first.counts, again.counts)
    add_field(world, tmp_path, {"medical": {2019: 10}}, first=50_000)  # 10 more medical papers
    ex = explorer.open(world)
    more = ex.field_theme_counts()
    ex.close()
    assert more.embedded == first.embedded + 10
    assert not math.isnan(more.totals["papers"].sum())


def test_keyword_matcher_agrees_with_keyword_hits():
    import random

    from field_fixtures import record

    from explorer.field.themes import KeywordMatcher
    from explorer.insights.taxonomy import THEMES
    from explorer.insights.themes import keyword_hits

    rng = random.Random(3)
    titles = [record(i, rng)["title"] for i in range(300)]
    titles += ["Large Language Models for RADIOLOGY", "A GNN-based robot", "non-graph data",
               "Self-driving cars and LLMs", "", "Ünïcode SPEECH"]
    got = KeywordMatcher(THEMES)(titles)
    assert got.sum() > 50
    assert (got == keyword_hits(titles, THEMES)).all()


def test_radar_figure_has_one_turned_tick_per_year_and_the_legend_below():
    from explorer.insights.radar import radar_figure

    years = pd.DataFrame({"topic": "t", "label": "Theme T", "year": range(2014, 2026),
                          "talks": 1, "field_share": 0.1, "field_papers": 5,
                          "field_total": 50})
    fig = radar_figure(years, ["t"])
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickangle == -45
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0


def test_the_radar_is_computed_once_per_explorer_and_kind(world, monkeypatch):
    """The Organizer asks three times per rerun (gap evidence, table, chart): once each."""
    import explorer
    import explorer.field.themes as ft

    calls = []
    real = ft.radar_for
    monkeypatch.setattr(ft, "radar_for", lambda ex, **kw: calls.append(kw) or real(ex, **kw))
    ex = explorer.open(world)
    first = ex.field_radar()
    assert ex.field_radar() is first and not first.empty
    ex.field_radar(years=True)
    ex.field_radar(years=True)
    ft.with_field_evidence(ex, [])
    assert calls == [{"years": False}, {"years": True}]
    ex.close()


def test_an_open_explorer_sees_a_field_imported_after_it_opened(world, tmp_path):
    """The app keeps one explorer per generation, and field commands make none: the radar
    and field search follow the field's own files instead of staying 'no field'."""
    import shutil

    import explorer

    d = tmp_path / "copy"
    shutil.copytree(world, d)
    shutil.move(d / "field", tmp_path / "field-later")
    ex = explorer.open(d)
    try:
        assert ex.field_radar().empty and ex.field_theme_counts().empty
        shutil.move(tmp_path / "field-later", d / "field")  # imported and embedded since
        assert not ex.field_radar().empty
        from explorer.field.index import build_field_index

        fs = FieldStore.open(d)
        build_field_index(fs, "hashing-64")  # and now indexed: field search opens too
        fs.close()
        assert ex.search("graph networks", k=3, scope="field")
    finally:
        ex.close()


def test_years_with_a_sliver_of_the_field_are_no_baseline():
    """Imported `--since 2019`: the years before hold only a few papers revised later. Their
    shares say nothing, so the theme has no baseline instead of a 'rising' verdict."""
    rows = []
    for y, (a, total) in {2016: (1, 30), 2017: (0, 25), 2018: (1, 40),
                          2019: (80, 1000)}.items():
        rows.append(("theme:a", "A", y, a, total, a / total, 0))
    years = pd.DataFrame(rows, columns=radar.YEAR_COLUMNS)
    a = radar.field_radar(years, {}, "2020-02-01", "2019-12-01").set_index("topic").loc[
        "theme:a"]
    assert a["trend"] == "no baseline" and not a["rising"] and not a["flagged"]
    assert "no earlier year to compare with" in a["evidence"]


def test_a_reader_that_cannot_write_the_cache_still_gets_the_counts(world, monkeypatch):
    import sqlite3

    from explorer.store.fieldstore import FieldStore

    def read_only(self, key, value):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    monkeypatch.setattr(FieldStore, "set_meta", read_only)
    ex = explorer.open(world)
    try:
        counts = ex.field_theme_counts()  # the radar raised here: the cache write failed
        assert not counts.empty and counts.embedded > 0
        assert not ex.field_radar().empty
    finally:
        ex.close()
