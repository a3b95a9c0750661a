"""Organizer claims at the edges of time: an announced (upcoming) meetup, a talk exactly at
the window's edge, undated talks. A talk that has not happened is no coverage; where it is
shown, it is shown as scheduled."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from explorer.cli import app
from explorer.domain import Hit
from explorer.insights import radar
from explorer.insights.gaps import (
    find_gaps,
    items_with_themes,
    stale_topics,
    topic_table,
    topics_over_time,
    uncovered_topics,
)
from explorer.insights.novelty import headline
from explorer.insights.taxonomy import Theme
from explorer.insights.themes import ThemeAssignment

ARCHIVE = Path(__file__).parent / "fixtures" / "themes_archive"
FUTURE = "2099-05-06"  # an announced meetup: after any day these tests run on


def _world(extra=()):
    """b: talks until 2019 and one announced for 2099; c: hot papers, its only talk announced;
    a: a talk at the last held meetup (2024-01-10)."""
    rows = [
        ("a1", "talk", "A one", "2024-01-10", 20, None, ["theme:a"]),
        ("b1", "talk", "B one", "2019-05-01", 9, None, ["theme:b"]),
        ("b9", "talk", "B announced", FUTURE, 99, None, ["theme:b"]),
        ("c9", "talk", "C announced", FUTURE, 99, None, ["theme:c"]),
        *[(f"p{i}", "paper", f"Paper {i}", f"202{i}-02-01", 10 + i, True, ["theme:c"])
          for i in range(4)],
        *extra,
    ]
    items = pd.DataFrame([r[:6] for r in rows],
                         columns=["id", "kind", "title", "date", "meetup", "hot"])
    themes = [Theme(f"theme:{c}", f"Theme {c.upper()}", f"about {c}") for c in "abc"]
    return ThemeAssignment(themes, {r[0]: r[6] for r in rows},
                           {r[0]: {t: 0.5 for t in r[6]} for r in rows}), items


def test_an_announced_talk_is_no_coverage_but_is_named_as_scheduled():
    a, items = _world()
    gaps = {g.topic: g for g in find_gaps(a, items, as_of="2024-01-10")}
    b = gaps["theme:b"]  # its last held talk is 2019: stale, whatever is announced
    assert b.kind == "stale" and b.talks == 1 and b.last_talk["id"] == "b1"
    assert [t["id"] for t in b.scheduled] == ["b9"]
    assert f"1 talk scheduled after 2024-01-10 ({FUTURE}, meetup 99)" in b.reason
    c = gaps["theme:c"]  # read about, never talked about: the announced talk is not one yet
    assert c.kind == "uncovered" and c.talks == 0 and c.last_talk is None
    assert "never a talk" in c.reason and "1 talk scheduled" in c.reason
    assert [t["id"] for t in c.scheduled] == ["c9"] and c.talks_evidence == []
    assert "theme:a" not in gaps


def test_uncovered_counts_only_what_happened_by_as_of():
    a, items = _world([(f"a0{i}", "talk", "A old", "2015-01-01", 1, None, ["theme:a"])
                       for i in range(4)])
    # Asked as of 2021, the 2022-2023 papers had not been cited yet: 2 papers, below the
    # three a theme needs to count as followed.
    assert uncovered_topics(a, items, as_of="2021-06-01") == []
    (c,) = uncovered_topics(a, items, as_of="2023-06-01")
    assert c.papers == 4 and [p["id"] for p in c.papers_evidence] == ["p3", "p2", "p1", "p0"]


def test_a_talk_exactly_two_years_back_still_counts_a_day_more_does_not():
    a, items = _world()
    edge = (pd.Timestamp("2019-05-01") + pd.Timedelta(days=730)).date().isoformat()
    assert [g.topic for g in stale_topics(a, items, as_of=edge)] == []  # b1 is 730 days old
    later = (pd.Timestamp("2019-05-01") + pd.Timedelta(days=731)).date().isoformat()
    (g,) = stale_topics(a, items, as_of=later)
    assert g.topic == "theme:b" and g.days_since_talk == 731
    # Rounded to "2.0 years", the reason would contradict itself ("2.0 years before ...; no
    # talk within 2 years"): it gives the days.
    assert g.reason.startswith(f"last talk 2019-05-01, 731 days (2.0 years) before {later};")


def test_an_undated_talk_is_never_taken_for_a_recent_one():
    a, items = _world([("b0", "talk", "B undated", None, None, None, ["theme:b"])])
    (b,) = [g for g in stale_topics(a, items, as_of="2024-01-10")]
    assert b.topic == "theme:b" and b.last_talk["id"] == "b1"
    assert "undated" in b.reason and "1 talk without a date" in b.reason


def test_theme_table_and_counts_per_year_keep_announced_talks_apart():
    a, items = _world()
    table = topic_table(a, items, as_of="2024-01-10").set_index("id")
    assert table.loc["theme:b", "talks"] == 1 and table.loc["theme:b", "upcoming"] == 1
    assert table.loc["theme:b", "last_talk_date"] == "2019-05-01"
    assert table.loc["theme:b", "next_talk_date"] == FUTURE
    assert table.loc["theme:c", "talks"] == 0 and table.loc["theme:c", "last_talk_date"] is None
    assert table.loc["theme:a", "next_talk_date"] is None
    ot = topics_over_time(a, items, as_of="2024-01-10")
    assert 2099 not in set(ot["year"])  # no column of talks that have not happened


def test_the_radar_takes_a_held_talk_not_an_announced_one_as_the_last():
    a, items = _world([("b2", "talk", "B recent", "2023-12-01", 19, None, ["theme:b"])])
    last = radar.last_talk_dates(items_with_themes(a, items), as_of="2024-01-10")
    assert last["theme:b"] == "2023-12-01" and "theme:c" not in last
    # Without an as_of (the field radar's call), talks after today are not the last either.
    assert radar.last_talk_dates(items_with_themes(a, items)) == last
    years = pd.DataFrame([("theme:b", "Theme B", y, 100 * (y == 2023) + 10, 1000, 0.0, 0)
                          for y in (2020, 2021, 2022, 2023)], columns=radar.YEAR_COLUMNS)
    years["field_share"] = years["field_papers"] / years["field_total"]
    (row,) = radar.field_radar(years, last, "2024-01-10", "2024-01-10").to_dict("records")
    assert row["rising"] and row["recent_talk"] and not row["flagged"]


def test_novelty_calls_an_announced_talk_scheduled_not_past():
    hit = Hit(id="t9", kind="talk", title="Talk 9", meetup=99, date=FUTURE, score=0.8)
    assert headline("covered", [hit], 0.55) == (
        f"Already scheduled: “Talk 9” at meetup 99 ({FUTURE}, upcoming).")
    past = Hit(id="t1", kind="talk", title="Talk 1", meetup=33, date="2020-02-26", score=0.6)
    assert headline("partly", [past, hit], 0.55) == (
        "Partly covered by “Talk 1” at meetup 33 (2020-02-26); “Talk 9” at meetup 99 "
        f"({FUTURE}, upcoming).")


# -- a built archive with an announced meetup ---------------------------------------------------
def announced_archive(src: Path) -> Path:
    """The themes fixture archive plus meetup 27, announced for 2099, with a speech talk."""
    shutil.copytree(ARCHIVE, src)
    readme = src / "README.md"
    head = "| ---- | -- | ------- | ----- | ------ | ------- |\n"
    readme.write_text(readme.read_text().replace(
        head, head + f"| {FUTURE} | 27 | Ada Lorenz | Speech synthesis with diffusion models "
                     "| | [details](./Meetups/Meetup_27/) |\n", 1))
    (src / "Meetups" / "Meetup_27").mkdir()
    (src / "Meetups" / "Meetup_27" / "README.md").write_text(
        f"# 27th Example Theme Meetup\n\n* Date: {FUTURE}\n* Venue: Example Hall\n\n"
        "## Details\n\n### Talk 1: Speech synthesis with diffusion models\n\n"
        "*Ada Lorenz, Example Institute*\n\nText-to-speech with diffusion: voices, vocoders "
        "and speech recognition.\n")
    return src


@pytest.fixture(scope="module")
def announced(tmp_path_factory) -> Path:
    """``announced_archive`` built with the hashing model."""
    root = tmp_path_factory.mktemp("announced")
    src = announced_archive(root / "archive")
    d = root / "data"
    res = CliRunner().invoke(app, ["build", "--source", str(src), "--data-dir", str(d),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output
    return d


def _json(*args):
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_gaps_are_measured_from_the_last_held_meetup_not_an_announced_one(announced):
    gaps = {g["topic"]: g for g in _json("gaps", "--data-dir", str(announced))}
    # The last held meetup (2024-09-18) had RL and graph talks: neither is stale.
    assert {g["as_of"] for g in gaps.values() if g["kind"] == "stale"} == {"2024-09-18"}
    assert "theme:rl" not in gaps and "theme:graphs" not in gaps
    speech = gaps["theme:speech"]  # stopped in 2019; its 2099 talk is announced, not given
    assert speech["kind"] == "stale"
    assert speech["last_talk"]["date"] == "2019-11-06"
    assert [t["meetup"] for t in speech["scheduled"]] == ["27"]
    assert "scheduled" in speech["reason"]


def test_topics_keep_the_last_held_talk_and_the_announced_one_apart(announced):
    topics = {t["id"]: t for t in _json("topics", "--data-dir", str(announced))}
    speech = topics["theme:speech"]
    assert speech["last_talk_date"] == "2019-11-06" and speech["next_talk_date"] == FUTURE
    assert speech["talks"] == 2 and speech["upcoming"] == 1


def test_novelty_of_an_announced_talks_title_says_scheduled(announced):
    out = _json("novelty", "Speech synthesis with diffusion models", "--data-dir",
                str(announced))
    assert out["verdict"] == "covered" and out["named"] == "title"
    assert out["headline"] == (f"Already scheduled: a talk of meetup 27 ({FUTURE}, upcoming) "
                               "has this title: “Speech synthesis with diffusion models”.")
    res = CliRunner().invoke(app, ["novelty", "Speech synthesis with diffusion models",
                                   "--data-dir", str(announced)], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and f"{FUTURE} (upcoming)" in res.stdout, res.stdout
    assert "verdict: covered (an announced talk has this title;" in res.stdout
