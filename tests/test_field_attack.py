"""The field against an unlucky user and a misbehaving OAI server: looping resumption tokens,
OAI errors, records changed without a new version, an index left over from another
field.sqlite, and a field build with a model the archive does not use."""

from __future__ import annotations

import shutil
import threading

import pytest
from field_fixtures import write_snapshot
from oai_server import FakeOAI, arxiv_record
from search_corpus import make_store
from test_field_harvest import pages
from test_field_search import embed_here, world  # noqa: F401  (the fixture)
from typer.testing import CliRunner

from embeddings.encoder import HashingEncoder
from embeddings.index import IndexMismatch
from explorer.cli import app
from explorer.field.harvest import HarvestError, harvest
from explorer.field.index import FieldIndex
from explorer.field.snapshot import import_snapshot
from explorer.search import build_index
from explorer.store.fieldstore import FieldStore

CATS = "cs.LG,cs.CL"


def _mark(url: str) -> str:
    """The meta key of the harvest's start date (its categories sorted)."""
    return f"oai_last|{url}|cs.CL,cs.LG"


@pytest.fixture
def fs(tmp_path):
    store = FieldStore.open(tmp_path / "data")
    yield store
    store.close()


def _harvest_in_thread(fs: FieldStore, url: str, seconds: float = 15.0):
    """Harvest in a thread: (exception or report, whether it ended within ``seconds``)."""
    out: list = []

    def run():
        try:
            out.append(harvest(fs, None, CATS, endpoint=url))
        except Exception as e:  # noqa: BLE001  (handed to the test)
            out.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    return (out[0] if out else None), not t.is_alive()


def test_a_resumption_token_that_comes_back_ends_the_harvest(fs):
    """A server that answers a page with the token that asked for it would be harvested
    forever (each request within its deadline, the whole never ending)."""
    server = FakeOAI(pages(), loop=1)  # page 1 names itself as the next page
    try:
        got, ended = _harvest_in_thread(fs, server.url)
        asked = len(server.requests)
    finally:
        server.close()
    assert ended, f"the harvest was still looping after {asked} requests"
    assert isinstance(got, HarvestError), got
    assert "tok1" in str(got) and "again" in str(got)
    assert asked <= 4  # page 0, page 1, page 1 again: then it stops
    assert "2401.00001" in fs.papers_by_id(["2401.00001"])  # what came is kept
    assert fs.get_meta(_mark(server.url)) is None  # start date not moved


def test_oai_errors_bad_token_and_no_records_are_clear(fs):
    """badResumptionToken mid-harvest: an error naming it, the records before kept, the
    start date unmoved; noRecordsMatch: an empty harvest, not an error."""
    server = FakeOAI(pages(), bad_token=1)
    try:
        with pytest.raises(HarvestError, match="(?i)badResumptionToken"):
            harvest(fs, None, CATS, endpoint=server.url)
        assert fs.count() == 1 and fs.get_meta(_mark(server.url)) is None
        server.pages, server.bad_token = [], None
        nothing = harvest(fs, "2024-05-01", "cs.LG,stat.ML", endpoint=server.url)
    finally:
        server.close()
    assert (nothing.lines, nothing.added) == (0, 0)
    assert [r.get("set") for r in server.requests[-2:]] == ["cs", "stat"]  # both sets asked


def test_a_record_changed_without_a_new_version_replaces_the_stored_one(fs):
    """arXiv changes a record's metadata (a corrected title, a journal reference) without
    a new version: the header's datestamp moves, <updated> does not. The change must
    replace the stored paper, not be counted unchanged."""
    first = arxiv_record("2401.00001", "Graph mesage passing", "cs.LG", "2024-01-02")
    fixed = arxiv_record("2401.00001", "Graph message passing", "cs.LG", "2024-01-02",
                         datestamp="2024-06-01")
    server = FakeOAI([[first]])
    try:
        harvest(fs, None, CATS, endpoint=server.url)
        server.pages = [[fixed]]
        again = harvest(fs, None, CATS, endpoint=server.url)
        server.pages = [[first]]  # the old record served again: it never wins
        stale = harvest(fs, "2024-01-01", CATS, endpoint=server.url)
    finally:
        server.close()
    assert (again.added, again.updated) == (0, 1)
    assert stale.updated == 0
    assert fs.count() == 1
    assert fs.papers_by_id(["2401.00001"])["2401.00001"]["title"] == "Graph message passing"


def _replace_field_db(world, tmp_path, seed: int) -> None:  # noqa: F811
    """What the damage messages tell a user: move field.sqlite away, import again."""
    field = world / "field"
    for p in field.glob("field.sqlite*"):
        shutil.move(p, tmp_path / p.name)
    fs = FieldStore.open(world)
    import_snapshot(fs, write_snapshot(tmp_path / "other.json", 400, seed=seed),
                    categories="all")
    fs.close()


@pytest.mark.parametrize("compressed", [False, True])
def test_an_index_left_from_another_field_sqlite_is_refused(world, tmp_path,  # noqa: F811
                                                           compressed):
    """Its row numbers now name other papers: searching it would show one paper's title
    for another paper's vector."""
    if compressed:
        from explorer.field.index import build_field_index

        fs = FieldStore.open(world)
        build_field_index(fs, "hashing-64", compressed=True, nlist=8, m=16, nprobe=8)
        fs.close()
    _replace_field_db(world, tmp_path, seed=5)
    fs = FieldStore.open(world)
    try:
        with pytest.raises(IndexMismatch, match="another field.sqlite"):
            FieldIndex.load(fs)
    finally:
        fs.close()
    res = CliRunner().invoke(app, ["search", "graph message passing", "--scope", "field",
                                   "--data-dir", str(world)])
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and "explorer field build" in out, res.output


def test_the_same_field_rebuilt_is_not_refused(world):  # noqa: F811
    """The check does not fire on the field the index was built from, updates included."""
    fs = FieldStore.open(world)
    row = fs.papers_by_n([1])[1]
    fs.write_batch([], [(row["id"], "A new title", *[row[c] for c in (
        "abstract", "authors", "categories", "created")], "2099-01-01", None, None, None,
        None, row["text_hash"])])
    assert FieldIndex.load(fs).count == 400
    fs.close()


@pytest.fixture
def archive_and_field(tmp_path, monkeypatch):
    """An archive indexed with hashing-64 and a field embedded with it; Ray may not start
    (nothing here needs it, and the real model must not be embedded by mistake)."""
    from explorer.field import embed

    def no_ray(*a, **k):
        raise embed.RayUnavailable("Ray is not started in this test")

    monkeypatch.setattr(embed, "start_ray", no_ray)
    d = tmp_path / "data"
    store = make_store(d)
    build_index(store, HashingEncoder())
    store.close()
    fs = FieldStore.open(d)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 50), categories="all")
    embed_here(fs, HashingEncoder())
    fs.close()
    return d


def test_field_build_uses_the_archives_model_by_default(archive_and_field):
    d = archive_and_field
    res = CliRunner().invoke(app, ["field", "build", "--data-dir", str(d)])
    assert res.exit_code == 0, res.output
    fs = FieldStore.open(d)
    assert fs.read_manifest("field")["model"] == "hashing-64"
    fs.close()


def test_field_build_with_another_model_than_the_archive_is_refused(archive_and_field):
    """A field index of another model than the archive's could never be searched, and it
    would replace the one that can (after hours of embedding)."""
    d = archive_and_field
    ok = CliRunner().invoke(app, ["field", "build", "--data-dir", str(d)])
    assert ok.exit_code == 0, ok.output
    res = CliRunner().invoke(app, ["field", "build", "--model", "hashing-32", "--data-dir",
                                   str(d)])
    out = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    assert "hashing-32" in out and "hashing-64" in out and "explorer build" in out
    assert "Ray is not started" not in out  # refused before any embedding
    fs = FieldStore.open(d)
    assert fs.read_manifest("field")["model"] == "hashing-64"  # the searchable index stays
    assert fs.count_pending("hashing-32") == 50  # and nothing was embedded with the other
    fs.close()


def test_a_harvest_from_a_later_or_future_date_leaves_no_gap_behind(fs):
    """The next plain harvest starts at the mark: a `--from` past it must not move the mark
    over the days it skipped, and a date in the future (a typo) is refused, not stored."""
    server = FakeOAI(pages())
    mark = _mark(server.url)
    try:
        harvest(fs, None, CATS, endpoint=server.url)
        assert fs.get_meta(mark) == "2024-02-01"
        server.pages = [[arxiv_record("2406.00001", "Later paper", "cs.LG", "2024-06-02")]]
        harvest(fs, "2024-06-01", CATS, endpoint=server.url)
        assert fs.get_meta(mark) == "2024-02-01"  # 2024-02-01 .. 06-01 still to harvest
        harvest(fs, None, CATS, endpoint=server.url)
        assert fs.get_meta(mark) == "2024-06-02"  # a plain harvest covered the gap
        with pytest.raises(HarvestError, match="future"):
            harvest(fs, "2999-01-01", CATS, endpoint=server.url)
    finally:
        server.close()
    assert fs.get_meta(mark) == "2024-06-02"


def test_an_import_never_shrinks_the_field(fs, tmp_path):
    """A smaller, older or narrower snapshot adds what it lacks and never removes or
    downgrades a paper (the field has no deletes: only newer versions replace)."""
    import json

    snap = write_snapshot(tmp_path / "s.json", 200, off_field_rate=0.0)
    import_snapshot(fs, snap, categories="all")
    before = fs.conn.execute("SELECT * FROM papers ORDER BY n").fetchall()
    older = [json.loads(line) for line in snap.read_text().splitlines()[:20]]
    for rec in older:
        rec.update(title="An older title", update_date="2000-01-01")
    small = tmp_path / "small.json"
    small.write_text("".join(json.dumps(r) + "\n" for r in older))
    report = import_snapshot(fs, small, categories="cs.CL")
    assert report.added == report.updated == 0
    assert fs.conn.execute("SELECT * FROM papers ORDER BY n").fetchall() == before


def test_vectors_of_another_length_under_one_model_are_refused(fs, tmp_path):
    """A model replaced at the same path keeps its model id: its vectors must not be stored
    beside the old ones, and a stored mix must not be reshaped into rows that straddle
    papers (4 + 4 + 10 floats read as three rows of 6)."""
    import numpy as np

    from explorer.store import StoreError

    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 3, off_field_rate=0.0),
                    categories="all")
    rows = fs.pending("m", 10)
    fs.save_vectors("m", [rows[0]["text_hash"]], np.ones((1, 4), np.float32))
    with pytest.raises(ValueError, match="4"):
        fs.save_vectors("m", [rows[1]["text_hash"]], np.ones((1, 10), np.float32))
    with fs.conn:  # a mix written before the check
        fs.conn.executemany("INSERT INTO vectors VALUES ('m', ?, ?)", [
            (rows[1]["text_hash"], np.ones(4, np.float32).tobytes()),
            (rows[2]["text_hash"], np.ones(10, np.float32).tobytes())])
    with pytest.raises(StoreError, match=f"row {rows[2]['n']}"):
        list(fs.iter_vectors("m"))
    with pytest.raises(StoreError, match=f"row {rows[2]['n']}"):
        list(fs.iter_dated_vectors("m"))
