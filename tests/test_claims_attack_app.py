"""The Organizer page on an archive that announces a meetup (dated after today): the gaps say
what "now" is, and the announced talk is shown as upcoming, never as a talk given."""

from __future__ import annotations

from test_app import assert_ok, link_labels, run_app, texts
from test_claims_attack_dates import FUTURE, announced_archive
from typer.testing import CliRunner

from explorer.cli import app


def _build(src, data_dir):
    res = CliRunner().invoke(app, ["build", "--source", str(src), "--data-dir", str(data_dir),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output


def test_organizer_names_its_as_of_date_and_shows_announced_talks_as_upcoming(
        _data_dir, tmp_path):
    _build(announced_archive(tmp_path / "archive"), _data_dir)
    at = run_app({"tab": "gaps"}, page="organizer")
    assert_ok(at)
    shown = texts(at).replace("\\", "")  # Markdown escapes off
    # "Now" is the last meetup held, and the page says so; the announced one is named apart.
    assert "As of 2024-09-18, the last meetup held" in shown, shown
    assert f"1 meetup announced after it ({FUTURE}) is not counted" in shown
    assert "Announced talks on this theme (not given yet, not counted):" in shown
    labels = [x.replace("\\", "") for x in link_labels(at)]
    announced = [x for x in labels if x.startswith(FUTURE)]
    assert announced and all("(upcoming)" in x for x in announced), labels
    # The talk list under the heatmap: the announced talk is marked, the others are not.
    speech = [x for x in labels if "Speech synthesis with diffusion" in x]
    assert speech and all("(upcoming)" in x for x in speech), speech
    # The themes table counts the talks given and the announced ones apart.
    (table,) = [d.value for d in at.dataframe if "label" in d.value.columns]
    row = table.set_index("label").loc["Speech"]
    assert (row["talks"], row["upcoming"], row["last_talk_date"], row["next_talk_date"]) == (
        2, 1, "2019-11-06", FUTURE)


def test_novelty_names_an_announced_talk_as_scheduled(_data_dir, tmp_path):
    _build(announced_archive(tmp_path / "archive"), _data_dir)
    at = run_app({"tab": "new"}, page="organizer")
    at.text_area[0].input("Speech synthesis with diffusion models")
    at.button[0].click().run()
    assert_ok(at)
    heads = [m.value.replace("\\", "") for m in at.markdown if "Already" in m.value]
    assert heads and heads[0].startswith("**Already scheduled: a talk of meetup 27"), heads
    assert any("an announced talk has this title" in c.value for c in at.caption)
    assert "Closest talks (past and announced):" in [m.value for m in at.markdown]


def _build_without_papers(src, data_dir):
    """The themes fixture archive with every arXiv citation taken out, built."""
    import re
    import shutil

    from test_claims_attack_dates import ARCHIVE

    shutil.copytree(ARCHIVE, src)
    for page in src.rglob("README.md"):  # the hot topics cite nothing
        page.write_text(re.sub(r"\(arXiv:[0-9.]+\)", "", page.read_text()))
    _build(src, data_dir)


def test_an_archive_without_cited_papers_says_so_instead_of_promising_them(_data_dir,
                                                                          tmp_path):
    _build_without_papers(tmp_path / "archive", _data_dir)
    at = run_app({"tab": "gaps"}, page="organizer")
    assert_ok(at)
    shown = texts(at).replace("\\", "")
    # No button switches to cited papers when there are none, and the gaps say that only
    # stale themes could be checked.
    assert "buttons above the chart" not in shown
    assert ("No cited arXiv paper in this build: whether a theme is read about more than "
            "talked about cannot be checked, only whether it went stale.") in shown


def test_a_talk_page_without_any_cited_paper_does_not_claim_none_is_close(_data_dir,
                                                                         tmp_path):
    import explorer

    _build_without_papers(tmp_path / "archive", _data_dir)
    ex = explorer.open(_data_dir)
    tid = ex.talks()["id"].iloc[0]
    ex.close()
    at = run_app({"talk": tid})
    assert_ok(at)
    captions = [c.value for c in at.caption]
    assert "No cited arXiv paper in this build to compare with." in captions, captions
    assert "Nothing close enough in the archive." not in captions
