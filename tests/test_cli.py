"""The `explorer` command line over the fixture archive: ingest, talks --json, warnings."""

from __future__ import annotations

import json

from conftest import FIXTURES
from typer.testing import CliRunner

from explorer.cli import app

ARCHIVE = FIXTURES / "archive"
runner = CliRunner()


def _talks(data_dir) -> list[dict]:
    result = runner.invoke(app, ["talks", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_then_talks_json(tmp_path):
    result = runner.invoke(app, ["ingest", "--source", str(ARCHIVE), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "ingested 7 meetups" in result.output
    assert "6 arXiv references" in result.output
    assert "README.md:20" in result.output  # the malformed table row, with its line
    talks = _talks(tmp_path)
    by_id = {t["id"]: t for t in talks}
    assert set(talks[0]) == {"id", "meetup", "date", "title", "speakers", "affiliations",
                             "abstract", "url", "slides_url", "video_url", "kind", "bio"}
    assert by_id["m2-teaching-robots-to-whistle-a-tour"]["speakers"] == ["Oskar Feldmann",
                                                                         "Mira Tallis"]
    assert by_id["m2-teaching-robots-to-whistle-a-tour"]["meetup"] == 2
    assert by_id["mai-machines-that-juggle"]["meetup"] == "AI"
    assert by_id["m1-introduction-to-abacus-computing"]["kind"] == "cancelled"
    assert [t["date"] for t in talks] == sorted(t["date"] for t in talks)


def test_reingest_keeps_ids_and_has_no_duplicates(tmp_path):
    args = ["ingest", "--source", str(ARCHIVE), "--data-dir", str(tmp_path)]
    assert runner.invoke(app, args).exit_code == 0
    first = _talks(tmp_path)
    assert runner.invoke(app, args).exit_code == 0
    assert _talks(tmp_path) == first
    assert len({t["id"] for t in first}) == len(first)


def test_missing_archive_directory_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["ingest", "--source", str(tmp_path / "nope"),
                                 "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "nope" in result.output


def test_talks_without_database_says_how_to_build(tmp_path):
    result = runner.invoke(app, ["talks", "--json", "--data-dir", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "explorer build --source" in result.output


def test_github_source_offline_fails_fast_naming_source(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_GITHUB_API", "http://127.0.0.1:9")  # discard port: refused
    result = runner.invoke(app, ["ingest", "--source", "github", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--source" in result.output


def test_warnings_lists_file_and_line(tmp_path):
    runner.invoke(app, ["ingest", "--source", str(ARCHIVE), "--data-dir", str(tmp_path)])
    result = runner.invoke(app, ["warnings", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout.startswith("README.md:20: table row has 2 cells")
    as_json = runner.invoke(app, ["warnings", "--json", "--data-dir", str(tmp_path)])
    first = json.loads(as_json.stdout)[0]
    assert (first["path"], first["line"]) == ("README.md", 20)


def test_meetups_json_counts_talks_not_intro_slots(tmp_path):
    runner.invoke(app, ["ingest", "--source", str(ARCHIVE), "--data-dir", str(tmp_path)])
    result = runner.invoke(app, ["meetups", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    by_label = {m["meetup"]: m for m in json.loads(result.stdout)}
    assert by_label[2]["talks"] == 3  # two talks and a short talk; intro and cancelled not
    assert by_label["AI"]["talks"] == 1 and by_label[2]["date"] == "2016-07-11"


def test_people_json_lists_each_speaker_once_with_their_talks(tmp_path):
    runner.invoke(app, ["ingest", "--source", str(ARCHIVE), "--data-dir", str(tmp_path)])
    result = runner.invoke(app, ["people", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    by_name = {p["name"]: p for p in json.loads(result.stdout)}
    assert by_name["Mira Tallis"]["talks"] == ["m2-teaching-robots-to-whistle-a-tour"]
    assert len(by_name) == len({p["id"] for p in by_name.values()})


def test_a_year_inferred_from_the_neighbouring_meetups_says_so(tmp_path):
    archive = tmp_path / "archive"
    (archive / "Meetups" / "Meetup_97").mkdir(parents=True)
    (archive / "README.md").write_text(
        "| Date | # | Speaker | Topic |\n| --- | --- | --- | --- |\n"
        "| 2027-05-01 | 96 | Ada Berg | Owl Song |\n| 2027-07-01 | 98 | Bo Lind | Moss Maps |\n")
    (archive / "Meetups" / "Meetup_97" / "README.md").write_text(
        "# 97th Meetup\n\nOn June 16 we meet again.\n\n## Agenda\n\n"
        "* 18:45 Ice Cores as Sequences - Wenzel Aigner, Frostline\n")
    data = tmp_path / "data"
    assert runner.invoke(app, ["ingest", "--source", str(archive), "--data-dir",
                               str(data)]).exit_code == 0
    result = runner.invoke(app, ["meetups", "--json", "--data-dir", str(data)])
    by_label = {m["meetup"]: m for m in json.loads(result.stdout)}
    assert (by_label[97]["date"], by_label[97]["date_source"]) == ("2027-06-16", "inferred")
    assert by_label[96]["date_source"] == "table"
    table = runner.invoke(app, ["meetups", "--data-dir", str(data)], env={"COLUMNS": "200"})
    assert "2027-06-16 (year inferred)" in table.stdout
    assert "2027-05-01 (year" not in table.stdout
