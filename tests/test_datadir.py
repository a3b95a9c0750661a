"""The data dir's generations: atomic builds, rollback, one writer, read-only readers, damage named."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, REPO
from typer.testing import CliRunner

import explorer
from explorer.cli import app
from explorer.store import Store, StoreError
from explorer.store import generations as gens

ARCHIVE = FIXTURES / "archive"
runner = CliRunner()


def _build(d: Path, source: Path = ARCHIVE, *extra: str):
    return runner.invoke(app, ["build", "--source", str(source), "--data-dir", str(d),
                               "--model", "hashing-64", "--offline", *extra])


def _cli(*args: str):
    return runner.invoke(app, list(args))


def _out(r) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(r.output.split())


def _files(d: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(d)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in d.rglob("*") if p.is_file()}


@pytest.fixture
def built(tmp_path) -> Path:
    d = tmp_path / "d"
    r = _build(d)
    assert r.exit_code == 0, r.output
    return d


def test_a_build_writes_a_generation_and_switches_the_pointer(built):
    cur = gens.current_name(built)
    g = built / "generations" / cur
    assert (g / "explorer.sqlite").is_file() and (g / "index" / "items.faiss").is_file()
    assert gens.manifest(g)["talks"] == len(json.loads(_cli("talks", "--json", "--data-dir",
                                                            str(built)).stdout))
    assert not (built / "explorer.sqlite").exists()  # nothing at the top but the pointer
    r = _build(built)
    assert r.exit_code == 0, r.output
    second = gens.current_name(built)
    assert second > cur and [g["name"] for g in gens.generations(built)] == [cur, second]


def test_rollback_goes_back_and_search_answers_from_the_old_generation(built, tmp_path):
    first = gens.current_name(built)
    smaller = tmp_path / "smaller"
    import shutil

    shutil.copytree(ARCHIVE, smaller)
    (smaller / "Meetups" / "Meetup_6" / "README.md").unlink()
    assert _build(built, smaller).exit_code == 0
    second = gens.current_name(built)
    r = _cli("rollback", "--data-dir", str(built))
    assert r.exit_code == 0, r.output
    assert gens.current_name(built) == first and first in _out(r)
    ex = explorer.open(built)
    assert ex.store.generation == first and ex.search("robots", k=3)
    ex.close()
    assert _cli("rollback", "--data-dir", str(built)).exit_code == 2  # nothing older
    assert _cli("rollback", "--to", second, "--data-dir", str(built)).exit_code == 0
    assert gens.current_name(built) == second


def test_old_generations_are_pruned_and_incomplete_ones_removed(built):
    (built / "generations" / "g000002-20000101T000000Z").mkdir()  # a killed build's leftover
    for _ in range(4):
        assert _build(built).exit_code == 0
    names = [p.name for p in (built / "generations").iterdir()]
    assert len(names) == 1 + gens.KEEP_PREVIOUS
    assert "g000002-20000101T000000Z" not in names


def test_an_old_layout_data_dir_is_read_in_place_then_adopted(tmp_path):
    from search_corpus import make_store

    from embeddings.encoder import HashingEncoder
    from explorer.search import build_index

    d = tmp_path / "old"
    store = make_store(d)  # explorer.sqlite and index/ at the top, as before generations
    build_index(store, HashingEncoder())
    store.close()
    before = _files(d)
    ex = explorer.open(d)
    old_hits = [h.id for h in ex.search("zebra", k=3)]
    ex.close()
    assert _files(d) == before  # reading wrote nothing
    r = _build(d)
    assert r.exit_code == 0, r.output
    assert not (d / "explorer.sqlite").exists()
    adopted = gens.generations(d)[0]
    assert "adopted" in adopted and not adopted["current"]
    assert _cli("rollback", "--data-dir", str(d)).exit_code == 0
    ex = explorer.open(d)
    assert [h.id for h in ex.search("zebra", k=3)] == old_hits
    ex.close()


def test_reading_commands_never_write(built):
    before = _files(built)
    for args in (["talks", "--json"], ["meetups", "--json"], ["warnings", "--json"],
                 ["search", "robots", "--json"], ["topics", "--json"], ["gaps", "--json"],
                 ["generations", "--json"]):
        r = _cli(*args, "--data-dir", str(built))
        assert r.exit_code == 0, (args, r.output)
    assert _files(built) == before


def test_store_open_on_a_built_data_dir_is_read_only_unless_asked(built):
    """Only `explorer build` (holding the writer lock) writes a generation: a plain
    Store.open of a built data dir reads, and a write is a clear error that changes nothing."""
    from explorer.domain import Corpus
    before = _files(built)
    store = Store.open(built)  # create=True, the default, must not make the live one writable
    assert store.readonly and store.generation == gens.current_name(built)
    talks = len(store.talks())
    from embeddings.encoder import HashingEncoder
    from explorer.search import build_index
    for write in (lambda: store.replace_corpus(Corpus(meetups=[], talks=[], refs=[])),
                  lambda: store.set_meta("k", "v"), lambda: store.save_papers([]),
                  lambda: build_index(store, HashingEncoder(dim=32))):  # the index files
        with pytest.raises(StoreError, match=rf"generation {store.generation} .*read-only"):
            write()
    assert len(store.talks()) == talks > 0
    store.close()
    assert _files(built) == before
    writable = Store.open(built, readonly=False)  # an explicit choice still works
    writable.set_meta("k", "v")
    assert writable.get_meta("k") == "v"
    writable.close()


def test_an_empty_database_is_named_and_left_alone(built):
    db = built / "generations" / gens.current_name(built) / "explorer.sqlite"
    db.write_bytes(b"")
    for args in (["talks", "--json"], ["search", "robots"]):
        r = _cli(*args, "--data-dir", str(built))
        assert r.exit_code == 2 and "explorer rollback" in _out(r), r.output
        assert "Traceback" not in _out(r)
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert db.stat().st_size == 0  # no schema written into it
    assert _cli("rollback", "--data-dir", str(built)).exit_code == 2  # only one generation
    assert _build(built).exit_code == 0  # a build heals it
    assert _cli("talks", "--json", "--data-dir", str(built)).exit_code == 0


def test_a_damaged_database_page_is_a_clear_error(built):
    assert _build(built).exit_code == 0
    db = built / "generations" / gens.current_name(built) / "explorer.sqlite"
    data = bytearray(db.read_bytes())
    page = 4096
    for i in range(page, len(data), page):  # every page after the header: garbage
        data[i:i + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    for args in (["talks", "--json"], ["search", "robots"], ["meetups"]):
        r = _cli(*args, "--data-dir", str(built))
        assert r.exit_code == 2, (args, r.output)
        assert "explorer rollback" in _out(r) and "explorer build" in _out(r)
    with pytest.raises(StoreError, match="rollback"):
        explorer.open(built)
    assert _cli("rollback", "--data-dir", str(built)).exit_code == 0
    assert _cli("search", "robots", "--data-dir", str(built)).exit_code == 0


def test_a_damaged_index_names_rollback_and_build(built):
    index = built / "generations" / gens.current_name(built) / "index" / "items.faiss"
    data = bytearray(index.read_bytes())
    data[-10:] = b"\x00" * 10
    index.write_bytes(bytes(data))
    r = _cli("search", "robots", "--data-dir", str(built))
    assert r.exit_code == 2 and "explorer rollback" in _out(r) and "explorer build" in _out(r)


def test_a_bad_cached_vector_is_recomputed_and_a_build_heals(built):
    ex = explorer.open(built)
    want = [(h.id, h.score) for h in ex.search("robots juggle", k=5, mode="dense")]
    ex.close()
    gen_db = built / "generations" / gens.current_name(built) / "explorer.sqlite"
    assert sqlite3.connect(gen_db).execute("SELECT count(*) FROM vectors").fetchone() == (0,)
    conn = sqlite3.connect(built / "cache" / "vectors.sqlite")  # shared by the generations
    rows = conn.execute("SELECT rowid, vector FROM vectors").fetchall()
    bad = {rows[0][0]: np.full(64, np.nan, np.float32), rows[1][0]: np.ones(64, np.float32),
           rows[2][0]: np.ones(12, np.float32) / np.sqrt(12)}
    for rowid, v in bad.items():
        conn.execute("UPDATE vectors SET vector=? WHERE rowid=?", (v.tobytes(), rowid))
    conn.commit()
    conn.close()
    ex = explorer.open(built)
    assert [(h.id, h.score) for h in ex.search("robots juggle", k=5, mode="dense")] == want
    assert np.isfinite(ex.engine.vectors).all()
    ex.close()
    r = _build(built)  # before: VectorIndex.build refused the bad vector, every build failed
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(built / "cache" / "vectors.sqlite")
    healed = {rowid: np.frombuffer(v, np.float32) for rowid, v in
              conn.execute("SELECT rowid, vector FROM vectors")}
    conn.close()
    assert all(abs(np.linalg.norm(v) - 1) < 1e-3 and v.shape == (64,) for v in healed.values())


def test_a_damaged_shared_vector_cache_is_a_miss_and_a_build_replaces_it(built):
    cache = built / "cache" / "vectors.sqlite"
    cache.write_bytes(b"not a database at all" * 200)
    before = _files(built)
    r = _cli("search", "robots", "--data-dir", str(built))
    assert r.exit_code == 0, r.output
    assert _files(built) == before  # the reader embedded the texts again, wrote nothing
    assert _build(built).exit_code == 0
    assert (built / "cache" / "vectors.sqlite.damaged").exists()
    conn = sqlite3.connect(cache)
    assert conn.execute("SELECT count(*) FROM vectors").fetchone()[0] > 0
    conn.close()


def test_gaps_as_of_not_a_date_is_a_usage_error(built):
    r = _cli("gaps", "--as-of", "not-a-date", "--data-dir", str(built))
    assert r.exit_code == 2 and "not a date" in _out(r)


def test_the_manifest_model_is_loaded_from_local_files_only(monkeypatch):
    import huggingface_hub.constants as hc
    import sentence_transformers

    from embeddings.encoder import Encoder, ModelUnavailable

    seen = []

    def fake(source, device=None):
        seen.append((source, hc.HF_HUB_OFFLINE))
        raise OSError("not found locally")

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", fake)
    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
    with pytest.raises(ModelUnavailable, match="--model"):
        _ = Encoder("someone/model-named-by-a-manifest", device="cpu", local_only=True).model
    assert seen == [("someone/model-named-by-a-manifest", True)]


def test_an_edited_manifest_model_is_a_clear_error_not_a_download(built):
    mpath = built / "generations" / gens.current_name(built) / "index" / "items.json"
    m = json.loads(mpath.read_text())
    m["model"] = "someone/elsewhere-model"
    mpath.write_text(json.dumps(m))
    r = _cli("search", "robots", "--data-dir", str(built))
    assert r.exit_code == 2 and "not available locally" in _out(r), r.output


# -- one writer --------------------------------------------------------------------------------
def test_a_second_writer_is_refused_naming_the_first(built):
    with gens.WriterLock(built, "build"):
        r = _build(built, ARCHIVE, "--wait", "0.3")
        assert r.exit_code == 3
        assert "being written by another process" in _out(r) and f"pid {os.getpid()}" in _out(r)
        assert _cli("rollback", "--data-dir", str(built)).exit_code == 3
    assert _build(built).exit_code == 0


def test_a_lock_held_by_a_killed_process_does_not_block(built):
    code = ("import sys, time; from explorer.store.generations import WriterLock\n"
            f"with WriterLock({str(built)!r}, 'build'):\n"
            "    print('locked', flush=True); time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert p.stdout.readline().strip() == "locked"
    assert _build(built).exit_code == 3
    p.send_signal(signal.SIGKILL)
    p.wait()
    r = _build(built)
    assert r.exit_code == 0, r.output


def test_a_build_killed_midway_leaves_the_current_generation_searchable(built):
    before = _cli("talks", "--json", "--data-dir", str(built)).stdout
    first = gens.current_name(built)
    cmd = [sys.executable, "-m", "explorer", "build", "--source", str(ARCHIVE), "--data-dir",
           str(built), "--model", "hashing-64", "--offline"]
    p = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(REPO)},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:  # kill once it writes its own
        if len(list((built / "generations").iterdir())) > 1:
            break
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert gens.current_name(built) == first
    assert _cli("talks", "--json", "--data-dir", str(built)).stdout == before
    assert _cli("search", "robots", "--data-dir", str(built)).exit_code == 0
    assert _build(built).exit_code == 0  # and the next build is not blocked
    assert len(list((built / "generations").iterdir())) == 2  # the half-built one is gone


def test_the_app_follows_the_current_generation(built, monkeypatch):
    from app_pages import common

    monkeypatch.setenv("EXPLORER_DATA_DIR", str(built))
    first = common.data_dir()
    assert Path(first).name == gens.current_name(built)
    assert _build(built).exit_code == 0
    assert common.data_dir() != first and Path(common.data_dir()).name == \
        Store.current_generation(built)


def test_papers_writes_a_new_generation_and_search_keeps_working(built):
    first = gens.current_name(built)
    r = _cli("papers", "--offline", "--json", "--data-dir", str(built))
    assert r.exit_code == 0, r.output
    assert gens.current_name(built) != first
    assert _cli("search", "robots", "--data-dir", str(built)).exit_code == 0


def test_a_damaged_pointer_is_named_and_a_build_or_rollback_repairs_it(built):
    assert _build(built).exit_code == 0
    (built / "CURRENT").write_text("garbage\n")
    r = _cli("talks", "--json", "--data-dir", str(built))
    assert r.exit_code == 2 and "explorer rollback" in _out(r)
    assert _cli("rollback", "--data-dir", str(built)).exit_code == 0  # to the newest whole one
    assert _cli("talks", "--json", "--data-dir", str(built)).exit_code == 0
    (built / "CURRENT").write_text("garbage\n")
    r = _build(built)
    assert r.exit_code == 0 and "cannot be read" in _out(r), r.output
    assert _cli("search", "robots", "--data-dir", str(built)).exit_code == 0


def test_an_older_schema_is_read_as_it_is_and_a_build_brings_it_up_to_date(built):
    from explorer.store import SCHEMA_VERSION

    db = built / "generations" / gens.current_name(built) / "explorer.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript("ALTER TABLE talks DROP COLUMN bio; PRAGMA user_version = 1;")
    conn.close()
    before = _files(built)
    r = _cli("talks", "--json", "--data-dir", str(built))
    assert r.exit_code == 0, r.output
    assert all(t["bio"] == "" for t in json.loads(r.stdout))
    assert _cli("search", "robots", "--data-dir", str(built)).exit_code == 0
    assert _files(built) == before  # no migration written by a reader
    assert _build(built).exit_code == 0
    new = built / "generations" / gens.current_name(built) / "explorer.sqlite"
    conn = sqlite3.connect(new)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_rollback_with_one_generation_or_no_data_dir_is_clear_and_changes_nothing(built,
                                                                                   tmp_path):
    only = gens.current_name(built)
    r = _cli("rollback", "--data-dir", str(built))
    assert r.exit_code == 2 and "no earlier generation" in _out(r) and only in _out(r)
    assert gens.current_name(built) == only
    missing = tmp_path / "nothing-here"
    r = _cli("rollback", "--data-dir", str(missing))
    assert r.exit_code == 2 and "explorer build" in _out(r)
    assert not missing.exists()  # a rollback never creates a data dir


def _cached(d: Path) -> set[tuple[str, str]]:
    con = sqlite3.connect(d / "cache" / "vectors.sqlite")
    try:
        return set(con.execute("SELECT model, text_hash FROM vectors"))
    finally:
        con.close()


def test_the_vector_cache_keeps_only_what_kept_generations_index(built):
    """A build drops cached vectors no kept generation indexes (texts edited away long
    ago), keeps every vector a kept generation needs, and embeds nothing twice."""
    before = _cached(built)
    model = next(iter(before))[0]
    con = sqlite3.connect(built / "cache" / "vectors.sqlite")
    with con:
        con.execute("INSERT INTO vectors VALUES (?,?,?)",
                    (model, "f" * 64, np.ones(4, np.float32).tobytes()))  # no build's text
    con.close()
    r = _build(built)
    assert r.exit_code == 0, _out(r)
    assert re.search(r"\b0 embedded", _out(r)), _out(r)  # every text came from the cache
    assert _cached(built) == before  # the orphan went, the needed ones stayed
    ex = explorer.open(built)
    assert ex.search("attention") is not None
    ex.close()


def test_no_vector_is_dropped_while_a_kept_generation_does_not_list_its_texts(built):
    cur = gens.generations(built)[-1]
    manifest = Path(cur["path"]) / "index" / "items.json"
    m = json.loads(manifest.read_text())
    del m["text_hashes"]  # as built before the list existed
    manifest.write_text(json.dumps(m))
    con = sqlite3.connect(built / "cache" / "vectors.sqlite")
    with con:
        con.execute("INSERT INTO vectors VALUES (?,?,?)",
                    (m["model"], "e" * 64, np.ones(4, np.float32).tobytes()))
    con.close()
    assert _build(built).exit_code == 0
    assert (m["model"], "e" * 64) in _cached(built)


def test_a_cache_that_cannot_be_pruned_does_not_fail_the_build(built, monkeypatch):
    from explorer.store.vectorcache import VectorCache

    def busy(self, keep):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(VectorCache, "retain", busy)
    before = gens.generations(built)[-1]["name"]
    r = _build(built)
    assert r.exit_code == 0, _out(r)
    assert gens.generations(built)[-1]["name"] != before  # the new build is current


def test_a_locked_vector_cache_is_a_miss_not_damage(tmp_path, monkeypatch):
    """Another process holding the cache's lock makes reads miss and writes wait for a later
    build; the cache file is never set aside as damaged (its vectors stay)."""
    from explorer.store.vectorcache import VectorCache, cache_path

    monkeypatch.setattr(VectorCache, "timeout", 0.1)
    v = np.ones(4, np.float32) / 2
    cache = VectorCache(tmp_path, readonly=False)
    cache.put([("m", "a" * 64, v.tobytes())])
    cache.close()
    holder = sqlite3.connect(cache_path(tmp_path))
    holder.execute("BEGIN EXCLUSIVE")
    busy = VectorCache(tmp_path, readonly=False)
    busy.put([("m", "b" * 64, v.tobytes())])  # waits 0.1 s, then leaves it for later
    assert busy.get("m", ["a" * 64]) == {}
    busy.close()
    holder.rollback()
    holder.close()
    assert not list(tmp_path.glob("cache/*.damaged*"))
    again = VectorCache(tmp_path, readonly=True)
    assert list(again.get("m", ["a" * 64, "b" * 64])) == ["a" * 64]
    again.close()
