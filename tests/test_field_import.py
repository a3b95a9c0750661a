"""`explorer field import`: filters, idempotence, resuming, malformed lines, updates."""

from __future__ import annotations

import json

import pytest
from field_fixtures import write_snapshot
from typer.testing import CliRunner

from explorer.cli import app
from explorer.field.snapshot import SnapshotError, import_snapshot, parse_categories
from explorer.store.fieldstore import FieldStore


@pytest.fixture
def fs(tmp_path):
    store = FieldStore.open(tmp_path / "data")
    yield store
    store.close()


def test_import_keeps_ml_papers_and_reimport_adds_nothing(fs, tmp_path):
    snap = write_snapshot(tmp_path / "snap.json", 300, off_field_rate=0.2)
    first = import_snapshot(fs, snap, batch=50)
    assert first.added == fs.count() > 0
    assert first.filtered > 0 and first.added + first.filtered == 300
    cats = [r[0] for r in fs.conn.execute("SELECT categories FROM papers")]
    assert not any(c.split()[0] in ("math.AG", "astro-ph.GA", "q-bio.PE", "hep-th")
                   for c in cats)
    again = import_snapshot(fs, snap)  # the checkpoint says done: nothing is read
    assert (again.added, again.lines) == (0, 0)
    reread = import_snapshot(fs, snap, restart=True)  # read in full: still nothing new
    assert (reread.added, reread.updated, reread.lines) == (0, 0, 300)
    assert fs.count() == first.added


def test_gzip_and_plain_give_the_same_field(tmp_path):
    a, b = FieldStore.open(tmp_path / "a"), FieldStore.open(tmp_path / "b")
    import_snapshot(a, write_snapshot(tmp_path / "s.json", 120, seed=3))
    import_snapshot(b, write_snapshot(tmp_path / "s.json.gz", 120, seed=3))
    rows = "SELECT id, title, abstract, created, text_hash FROM papers ORDER BY id"
    assert a.conn.execute(rows).fetchall() == b.conn.execute(rows).fetchall()
    a.close(), b.close()


def test_malformed_lines_are_reported_with_their_line_and_skipped(fs, tmp_path):
    snap = write_snapshot(tmp_path / "s.json", 40, bad_lines={
        2: "{broken", 5: "[1, 2]", 9: json.dumps({"id": "x", "categories": "cs.LG"}),
        12: json.dumps({"id": "y", "title": "T", "categories": "cs.LG", "abstract": 5})})
    report = import_snapshot(fs, snap, categories="all")
    assert report.malformed == 4
    assert [e.split(":")[1] for e in report.errors] == ["2", "5", "9", "12"]
    assert "missing or empty 'title'" in report.errors[2]
    assert "'abstract' is not a string" in report.errors[3]
    assert fs.count() == 40


def test_interrupted_import_resumes_from_its_checkpoint(fs, tmp_path):
    snap = write_snapshot(tmp_path / "s.json.gz", 500)
    calls = []

    def boom(pos, lines):
        calls.append(lines)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_snapshot(fs, snap, categories="all", progress=boom, batch=100)
    assert fs.count() == 200  # two batches committed
    rest = import_snapshot(fs, snap, categories="all", batch=100)
    assert rest.resumed_at == calls[1] and rest.lines == 500 - calls[1]
    assert rest.added == 300 and fs.count() == 500


def test_filters_by_date_and_a_newer_version_replaces_the_row(fs, tmp_path):
    snap = tmp_path / "s.json"
    write_snapshot(snap, 200)
    report = import_snapshot(fs, snap, categories="cs.CL", since="2021-01-01")
    rows = fs.conn.execute("SELECT categories, created FROM papers").fetchall()
    assert rows and len(rows) == report.added
    assert all("cs.CL" in r[0].split() and r[1] >= "2021-01-01" for r in rows)
    rec = json.loads(snap.read_text().splitlines()[0])
    rec.update(title="A revised title", update_date="2099-01-01", categories="cs.LG")
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(rec) + "\n")
    assert import_snapshot(fs, newer).added == 1
    rec["title"] = "Revised again"
    rec["update_date"] = "2099-02-01"
    newer.write_text(json.dumps(rec) + "\n")
    assert import_snapshot(fs, newer).updated == 1
    assert fs.papers_by_id([rec["id"]])[rec["id"]]["title"] == "Revised again"


def test_bad_input_is_a_clear_error(fs, tmp_path):
    with pytest.raises(SnapshotError, match="no snapshot at"):
        import_snapshot(fs, tmp_path / "nope.json")
    with pytest.raises(SnapshotError, match="not an arXiv category"):
        parse_categories("cs.LG,<b>")
    assert parse_categories("all") is None
    res = CliRunner().invoke(app, ["field", "import", str(tmp_path / "nope.json"),
                                   "--data-dir", str(tmp_path / "d")])
    assert res.exit_code == 2 and "no snapshot" in res.output


def test_cli_import_reports_json(tmp_path):
    snap = write_snapshot(tmp_path / "s.json", 60, bad_lines={4: "nope"})
    res = CliRunner().invoke(app, ["field", "import", str(snap), "--categories", "all",
                                   "--json", "--data-dir", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert (out["added"], out["malformed"], out["total"]) == (60, 1, 60)
    assert out["errors"][0].endswith(":4: Expecting value")


def test_a_truncated_gzip_keeps_what_was_read_and_names_the_line(fs, tmp_path):
    snap = write_snapshot(tmp_path / "s.json.gz", 3000, off_field_rate=0.0)
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(snap.read_bytes()[: snap.stat().st_size // 2])
    with pytest.raises(SnapshotError, match=r"cut\.json\.gz ends early .* after line \d+"):
        import_snapshot(fs, cut, batch=100)
    kept = fs.count()
    assert kept > 0  # the papers before the damage are stored
    res = CliRunner().invoke(app, ["field", "import", str(cut), "--data-dir",
                                   str(tmp_path / "data")])
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and f"the field holds {kept:,}): download the snapshot" in out
    assert "Traceback" not in res.output and "Aborted" not in res.output
    assert import_snapshot(fs, snap).added == 3000 - kept  # the whole file completes it


def test_a_huge_line_is_skipped_without_being_held(fs, tmp_path, monkeypatch):
    from explorer.field import snapshot

    monkeypatch.setattr(snapshot, "MAX_LINE", 10_000)
    huge = json.dumps({"id": "2101.99999", "title": "T", "categories": "cs.LG",
                       "abstract": "x" * 50_000})
    snap = write_snapshot(tmp_path / "s.json", 10, bad_lines={4: huge}, off_field_rate=0.0)
    report = import_snapshot(fs, snap)
    assert report.malformed == 1 and ":4: a line of 50," in report.errors[0]
    assert fs.count() == 10 and not fs.papers_by_id(["2101.99999"])


def test_repeated_ids_keep_the_newest_version_whatever_their_order(fs, tmp_path):
    base = {"id": "2101.00007", "categories": "cs.LG", "abstract": "a"}
    lines = [dict(base, title="Newest", update_date="2024-05-01"),
             dict(base, title="Oldest", update_date="2020-01-01"),
             dict(base, title="Middle", update_date="2022-01-01")]
    snap = tmp_path / "dup.json"
    snap.write_text("".join(json.dumps(r) + "\n" for r in lines))
    report = import_snapshot(fs, snap)  # one batch
    assert (report.added, report.unchanged) == (1, 2)
    assert fs.papers_by_id(["2101.00007"])["2101.00007"]["title"] == "Newest"
    fs2 = FieldStore.open(tmp_path / "other")
    import_snapshot(fs2, snap, batch=1)  # one line per batch: the same answer
    assert fs2.papers_by_id(["2101.00007"])["2101.00007"]["title"] == "Newest"
    fs2.close()
