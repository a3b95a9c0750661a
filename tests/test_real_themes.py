"""Themes and gaps on the real archive with the real model (read from ../shared, never copied)."""

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from explorer.cli import app

CORPUS = Path(os.environ.get("EXPLORER_CORPUS")
              or Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "vdlm-meetups")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (CORPUS / "README.md").exists(),
    reason=f"real archive not found at {CORPUS} (set EXPLORER_CORPUS to a copy of vdlm/meetups)")]


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    import explorer

    d = tmp_path_factory.mktemp("real")
    res = CliRunner().invoke(app, ["build", "--source", str(CORPUS), "--data-dir", str(d),
                                   "--offline"])
    assert res.exit_code == 0, res.output
    ex = explorer.open(d)
    yield ex
    ex.close()


def test_no_stale_gap_is_contradicted_by_the_timeline(ex):
    themes = ex.theme_assignment()
    talk_date = ex.talks().set_index("id")["date"].to_dict()
    gaps = ex.gaps()
    assert gaps and all(g.as_of == ex.last_meetup_date() for g in gaps if g.kind == "stale")
    for g in gaps:
        assert g.talks_evidence or g.papers_evidence, f"{g.topic} shows no evidence"
        if g.kind != "stale":
            continue
        start = pd.Timestamp(g.as_of) - pd.Timedelta(days=365.25 * g.window_years)
        recent = [i for i in themes.members(g.topic) if talk_date.get(i)
                  and start < pd.Timestamp(talk_date[i]) <= pd.Timestamp(g.as_of)]
        assert recent == [], f"{g.label} is called stale but has {recent}"


def test_the_issue_examples_are_not_called_stale(ex):
    # Music talks in 2023-2024, LLM security in 2025, diffusion in 2024-2025: not stale.
    stale = {g.topic for g in ex.gaps() if g.kind == "stale"}
    assert not stale & {"theme:music-audio", "theme:security-privacy",
                        "theme:generative-media", "theme:llm"}
    over_time = ex.topics_over_time()
    llm = over_time[(over_time["topic"] == "theme:llm") & (over_time["kind"] == "talk")]
    assert llm[llm["year"] == llm["year"].max()]["count"].iloc[0] > 0  # in the latest year
