"""The field under the one-writer rule and SIGKILL: a second writer is refused, a killed
import or index build leaves the field searchable and the next run resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from field_fixtures import write_snapshot
from test_field_search import embed_here, world  # noqa: F401  (the fixture)
from typer.testing import CliRunner

from embeddings.encoder import HashingEncoder
from explorer.cli import app
from explorer.field.index import FieldIndex, build_field_index
from explorer.field.snapshot import import_snapshot
from explorer.store.fieldstore import FieldStore
from explorer.store.generations import WriterLock

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("args", [["field", "import", "SNAP"], ["field", "harvest"],
                                  ["field", "build"]])
def test_a_second_field_writer_is_refused_naming_the_first(tmp_path, args):
    d = tmp_path / "data"
    snap = write_snapshot(tmp_path / "s.json", 20)
    args = [str(snap) if a == "SNAP" else a for a in args]
    with WriterLock(d, "build"):
        t = time.perf_counter()
        res = CliRunner().invoke(app, [*args, "--data-dir", str(d), "--wait", "0.3"])
        assert time.perf_counter() - t < 5
    assert res.exit_code == 3, res.output
    assert "being written by another process" in res.output and "explorer build" in res.output
    assert "Traceback" not in res.output
    assert not (d / "field" / "field.sqlite").exists()  # nothing touched while refused


@pytest.mark.parametrize("args", [["field", "import", "SNAP"], ["build", "--source", "SRC"]])
def test_an_unwritable_data_dir_is_a_clear_error(tmp_path, args):
    """(A data dir under a regular file: what a read-only one does for a non-root user.)"""
    (tmp_path / "afile").write_text("")
    d = tmp_path / "afile" / "data"
    fill = {"SNAP": str(write_snapshot(tmp_path / "s.json", 5)), "SRC": str(tmp_path)}
    res = CliRunner().invoke(app, [*(fill.get(a, a) for a in args), "--data-dir", str(d)])
    assert res.exit_code == 2, res.output
    assert "cannot write to" in res.output and "afile" in res.output
    assert "Traceback" not in res.output


def test_sigkill_during_field_import_keeps_the_field_and_the_rerun_resumes(tmp_path):
    d = tmp_path / "data"
    snap = write_snapshot(tmp_path / "s.json.gz", 30_000, off_field_rate=0.0)
    cmd = [sys.executable, "-m", "explorer", "field", "import", str(snap), "--data-dir", str(d)]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    db = d / "field" / "field.sqlite"
    end = time.monotonic() + 60
    done_before_kill = 0
    while time.monotonic() < end and proc.poll() is None:  # kill after the first checkpoint
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            done_before_kill = con.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
            con.close()
        except sqlite3.Error:
            pass
        if done_before_kill:
            break
        time.sleep(0.05)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    fs = FieldStore.open(d)
    mid = fs.count()  # readable after the kill, holding every committed batch
    assert mid >= done_before_kill
    fs.close()
    res = subprocess.run(cmd, check=False, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    fs = FieldStore.open(d)
    assert fs.count() == 30_000  # the rerun resumed: nothing lost, nothing twice
    fs.close()
    assert killed or mid == 30_000  # (a machine fast enough to finish first still passes)


_KILL_BEFORE_MANIFEST = """
import os, signal, sys
from explorer.store.fieldstore import FieldStore
from explorer.field.index import build_field_index
real = FieldStore.commit_index
def dying(self, name, files, manifest, digest):
    import explorer.store.fieldstore as m
    write = m.atomic_write_bytes
    def kill_at_manifest(path, data):
        if path.name == name + ".json":
            os.kill(os.getpid(), signal.SIGKILL)  # the content files are in place, no manifest
        write(path, data)
    m.atomic_write_bytes = kill_at_manifest
    return real(self, name, files, manifest, digest)
FieldStore.commit_index = dying
fs = FieldStore.open(sys.argv[1])
build_field_index(fs, "hashing-64")
"""


def test_sigkill_in_the_field_index_switch_keeps_the_old_index(world, tmp_path):  # noqa: F811
    fs = FieldStore.open(world)
    before = FieldIndex.load(fs).manifest
    added = import_snapshot(fs, write_snapshot(tmp_path / "more.json", 60, seed=9), categories="all").added
    assert added > 0
    embed_here(fs, HashingEncoder())
    fs.close()
    res = subprocess.run([sys.executable, "-c", _KILL_BEFORE_MANIFEST, str(world)], check=False,
                         env=_env(),
                         capture_output=True, timeout=120)
    assert res.returncode == -signal.SIGKILL
    fs = FieldStore.open(world)
    assert FieldIndex.load(fs).manifest == before  # still the old, whole index
    search = CliRunner().invoke(app, ["search", "graph message passing", "--scope", "field",
                                      "--json", "--data-dir", str(world)])
    assert search.exit_code == 0, search.output
    fs.close()
    fs = FieldStore.open(world)
    (fs.index_dir / ".new-x.vectors.npy").write_bytes(b"left by a killed build")
    assert fs.drop_stale_temp_files() == 1
    after = build_field_index(fs, "hashing-64")  # the next build switches to the new one
    assert after["count"] == before["count"] + added
    names = sorted(p.name for p in fs.index_dir.iterdir())
    assert names == sorted([*after["files"].values(), "field.json"])  # orphans dropped
    fs.close()


def _field_search(d: Path):
    res = CliRunner().invoke(app, ["search", "graph message passing", "--scope", "field",
                                   "--data-dir", str(d)])
    return res, " ".join(res.output.split())


def _damage_db(d: Path, how: str) -> None:
    db = d / "field" / "field.sqlite"
    if how == "empty":
        db.write_bytes(b"")
    elif how == "garbage":  # not even an SQLite header
        db.write_bytes(bytes(range(256)) * 64)
    else:  # zero pages in the middle: the header stays valid, the tables do not
        with open(db, "r+b") as f:
            f.seek(db.stat().st_size // 4)
            f.write(b"\0" * (db.stat().st_size // 2))


@pytest.mark.parametrize("how", ["empty", "garbage", "zeroed"])
def test_a_damaged_field_db_names_field_sqlite_and_the_field_commands(world, how):  # noqa: F811
    _damage_db(world, how)
    size = (world / "field" / "field.sqlite").stat().st_size
    res, out = _field_search(world)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "field.sqlite" in out.replace(" ", "") and "explorer field import" in out
    assert "rollback" not in out  # the field has no generations: a rollback would not help
    assert (world / "field" / "field.sqlite").stat().st_size == size  # a reader never writes
    archive = CliRunner().invoke(app, ["search", "graph", "--data-dir", str(world)])
    assert archive.exit_code == 0  # the archive's search is untouched


@pytest.mark.parametrize("sampled", [True, False])
def test_an_index_naming_papers_the_db_lacks_is_an_error_not_fewer_hits(world,  # noqa: F811
                                                                        sampled):
    """Refused on opening, by the manifest's sample of its papers; a manifest written before
    the sample is refused when a search meets the missing papers."""
    if not sampled:
        import json

        path = world / "field" / "index" / "field.json"
        manifest = json.loads(path.read_text())
        del manifest["ids"]
        path.write_text(json.dumps(manifest))
    (world / "field" / "field.sqlite").unlink()
    FieldStore.open(world).close()  # a fresh, empty field.sqlite beside the old index
    res, out = _field_search(world)
    want = "another field.sqlite" if sampled else "names papers that"
    assert res.exit_code == 2 and want in out and "explorer field build" in out


@pytest.mark.parametrize("damage", ["manifest", "vectors", "vectors-header", "vectors-rows"])
def test_a_damaged_compressed_field_index_is_named(tmp_path, damage):
    d = tmp_path / "data"
    from search_corpus import make_store

    from explorer.search import build_index

    store = make_store(d)
    build_index(store, HashingEncoder())
    store.close()
    fs = FieldStore.open(d)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 1500), categories="all")
    embed_here(fs, HashingEncoder())
    m = build_field_index(fs, "hashing-64", compressed=True, nlist=8, m=16, nprobe=8)
    vec = fs.index_file(m, ".vectors.npy")
    assert oct(vec.stat().st_mode & 0o777) == "0o644"  # readable by the app's user too
    fs.close()
    if damage == "manifest":
        (d / "field" / "index" / "field.json").write_text('{"files": 3}')
    elif damage == "vectors":
        with open(vec, "r+b") as f:
            f.truncate(vec.stat().st_size // 2)
    elif damage == "vectors-rows":  # same size, valid header, other numbers in every row
        arr = np.load(vec, mmap_mode="r+")
        arr[:] = np.roll(np.asarray(arr), 1, axis=0)
        arr.flush()
        del arr
    else:
        with open(vec, "r+b") as f:
            f.write(b"garbage!")
    res, out = _field_search(d)
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert "explorer field build" in out and ("corrupt" in out or "damaged" in out)


def test_field_radar_on_a_damaged_field_names_field_sqlite(world):  # noqa: F811
    _damage_db(world, "zeroed")
    res = CliRunner().invoke(app, ["field", "radar", "--data-dir", str(world)])
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "field.sqlite" in out.replace(" ", "") and "rollback" not in out


def test_data_dirs_sharing_a_field_dir_still_have_one_field_writer(tmp_path, monkeypatch):
    """$EXPLORER_FIELD_DIR outside the data dir: a field writer of another data dir holds
    the field dir's own lock, so this one is refused and touches nothing."""
    shared = tmp_path / "shared-field"
    monkeypatch.setenv("EXPLORER_FIELD_DIR", str(shared))
    snap = write_snapshot(tmp_path / "s.json", 20)
    with WriterLock(shared, "field import"):  # the other data dir's writer
        res = CliRunner().invoke(app, ["field", "import", str(snap), "--data-dir",
                                       str(tmp_path / "mine"), "--wait", "0.2"])
    assert res.exit_code == 3, res.output
    assert "being written by another process" in res.output and str(shared) in res.output
    assert not (shared / "field.sqlite").exists()
    # Free again: the import runs, and leaves both locks free behind it.
    res = CliRunner().invoke(app, ["field", "import", str(snap), "--data-dir",
                                   str(tmp_path / "mine")])
    assert res.exit_code == 0, res.output
    assert (shared / "field.sqlite").exists()
    for d in (shared, tmp_path / "mine"):
        with WriterLock(d, "check"):  # would raise WriterBusy if still held
            pass


def test_spot_check_tolerates_a_few_papers_updated_since_the_build():
    from explorer.field.index import spot_check

    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(100, 8)).astype(np.float32)
    rows = np.arange(1, 101, dtype=np.int64)

    class Field:  # the stored vectors, as field.sqlite would give them
        def __init__(self, changed):
            self.changed = changed

        def vectors_by_n(self, model, ns):
            return {n: (-vecs[n - 1] if n in self.changed else vecs[n - 1]) for n in ns}
    assert spot_check(Field(set()), "m", vecs, rows) == ""
    assert spot_check(Field({1}), "m", vecs, rows) == ""  # one harvested update: fine
    assert "sampled rows differ" in spot_check(Field(set(range(1, 101))), "m", vecs, rows)


def test_a_field_writer_of_the_home_data_dir_also_holds_the_field_dirs_lock(tmp_path):
    """Data dir A's field lives in A/field; data dir B names A/field as its field dir. A's
    field writer holds A/field's lock too, so B's writer contends for the same lock."""
    home = tmp_path / "A"
    snap = write_snapshot(tmp_path / "s.json", 20)
    with WriterLock(home / "field", "field import"):  # as A's running field writer holds it
        res = CliRunner().invoke(app, ["field", "import", str(snap), "--data-dir", str(home),
                                       "--wait", "0.2"])
    assert res.exit_code == 3, res.output
    assert "being written by another process" in res.output
