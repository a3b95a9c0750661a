"""A proposal that names a past talk by its title is "covered" by that talk, whatever the cosine.

The fixture: the themes archive plus a talk with a short title and a long abstract that does
not repeat it ("Mixture of Experts" of meetup 69 on the real archive): its bare title is far
from the talk's title+abstract vector, so the dense check alone calls it new.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import explorer
from explorer.cli import app

ARCHIVE = Path(__file__).parent / "fixtures" / "themes_archive"
TITLE = "Sparse expert routing: lessons from production"
ABSTRACT = ("Conditional computation lets a language model grow its parameter count while "
            "each token only activates a small slice of it. We discuss gating networks, load "
            "balancing losses, capacity factors, token dropping, distillation into dense "
            "students and the serving costs of trillion parameter checkpoints on clusters.")
TALK = "m26-sparse-expert-routing-lessons-from-production"
UNRELATED = ["Quantum knitting patterns for sheep", "Graph neural networks for traffic forecasting"]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("novelty_exact")
    src = root / "archive"
    shutil.copytree(ARCHIVE, src)
    page = src / "Meetups" / "Meetup_26" / "README.md"
    page.write_text(page.read_text().replace(
        "### Hot Topics", f"### Talk 3: {TITLE}\n\n*Dora Kim, Example Institute*\n\n"
                          f"{ABSTRACT}\n\n### Hot Topics"))
    readme = src / "README.md"
    readme.write_text(readme.read_text().replace(
        "| 2024-09-18 | 26 | Ben Ortiz |",
        f"| 2024-09-18 | 26 | Dora Kim | {TITLE} | | [details](./Meetups/Meetup_26/) |\n"
        "| 2024-09-18 | 26 | Ben Ortiz |", 1))
    d = root / "data"
    res = CliRunner().invoke(app, ["build", "--source", str(src), "--data-dir", str(d),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output
    return d


@pytest.fixture(scope="module")
def ex(build):
    ex = explorer.open(build)
    yield ex
    ex.close()


def test_the_fixture_talk_is_far_from_its_bare_title(ex):
    # The case the rule is for: by cosine alone the title does not even reach "partly".
    assert ex.engine.item(TALK).title == TITLE
    hits = ex.engine.search(TITLE, k=5, kind="talk", mode="dense", include_weak=True,
                            exact=False)
    score = next((h.score for h in hits if h.id == TALK), 0.0)
    assert score < ex.novelty("x").thresholds[1]


@pytest.mark.parametrize("text", [TITLE, TITLE.lower() + ".", f"“{TITLE}”",
                                  f"{TITLE}\nWe revisit routing with a brand new benchmark.",
                                  f"Title: {TITLE}\n\nWe revisit routing with new results."])
def test_a_proposal_with_a_past_talks_title_is_covered_by_it(ex, text):
    n = ex.novelty(text)
    assert n.verdict == "covered" and not n.off_topic
    assert n.closest[0].id == TALK and n.closest[0].match == "exact"
    assert len({h.id for h in n.closest}) == len(n.closest) <= 5
    assert n.headline == ("Already covered: a talk of meetup 26 (2024-09-18) has this title: "
                          f"“{TITLE}”.")


def test_the_main_title_before_a_subtitle_names_the_talk_too(ex):
    n = ex.novelty("Sparse expert routing\nA new abstract.")
    assert n.verdict == "covered" and n.closest[0].id == TALK and n.named == "in title"
    assert n.headline == (f"Already covered: a talk of meetup 26 (2024-09-18) has this as its "
                          f"main title: “{TITLE}”.")


def test_a_title_the_cosine_already_covers_keeps_the_usual_headline(ex):
    n = ex.novelty("Speech recognition with recurrent networks")
    assert n.verdict == "covered"
    assert n.closest[0].id == "m21-speech-recognition-with-recurrent-networks"
    assert n.headline == ("Already covered: “Speech recognition with recurrent networks” at "
                          "meetup 21 (2019-03-13).")


def test_the_title_must_be_the_whole_proposal_or_its_first_line(ex):
    # A title inside the abstract, or a short part of a title, names nothing.
    # Nor does a run of words inside a title, however long, or one cut mid-word.
    for text in [f"We extend {TITLE.lower()} to vision.", "expert routing: lessons from production",
                 "parse expert routing: lessons", f"Routing in vision transformers\nBuilds on {TITLE}."]:
        assert all(h.match != "exact" for h in ex.novelty(text).closest), text


def test_unrelated_proposals_keep_their_verdict(ex):
    from explorer.insights.novelty import verdict

    for text in UNRELATED:
        n = ex.novelty(text)
        assert all(h.match != "exact" for h in n.closest)
        assert n.verdict == verdict(n.closest[0].score, *n.thresholds)
        assert not n.headline.startswith("Already covered: a talk of")
    assert ex.novelty(UNRELATED[0]).verdict == "new"


def test_the_cli_prints_the_title_headline(build):
    res = CliRunner().invoke(app, ["novelty", TITLE, "--json", "--data-dir", str(build)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["verdict"] == "covered" and out["closest"][0]["id"] == TALK
    assert out["closest"][0]["match"] == "exact"
    assert out["headline"].startswith("Already covered: a talk of meetup 26")
    res = CliRunner().invoke(app, ["novelty", TITLE, "--data-dir", str(build)])
    plain = " ".join(res.output.split())
    assert res.exit_code == 0 and "has this title" in plain
    # The cosine shown is the closest in meaning, not the named talk's: the line says both.
    assert "(a past talk has this title; best cosine" in plain and "(title)" in plain, plain
