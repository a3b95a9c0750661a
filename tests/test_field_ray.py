"""`explorer field build` on a local Ray (one start-up, ~10-30 s on 2 cores): embed, rerun, index."""

from __future__ import annotations

import json

import pytest
from field_fixtures import write_snapshot
from typer.testing import CliRunner

from explorer.cli import app
from explorer.field.embed import RayUnavailable, embed_field, plan_actors
from explorer.field.snapshot import import_snapshot
from explorer.store.fieldstore import FieldStore

pytestmark = pytest.mark.ray


def test_plan_actors_one_per_gpu_else_cpu_actors():
    assert plan_actors({"CPU": 16, "GPU": 2}) == {"actors": 2, "num_gpus": 1, "num_cpus": 1,
                                                  "device": "cuda", "threads": None}
    assert plan_actors({"CPU": 2})["actors"] == 1 and plan_actors({"CPU": 2})["threads"] == 2
    assert plan_actors({"CPU": 16})["actors"] == 4
    assert plan_actors({"CPU": 16}, cpus_per_actor=8)["actors"] == 2


def test_field_build_on_local_ray_then_rerun_embeds_nothing(tmp_path):
    d = tmp_path / "data"
    fs = FieldStore.open(d)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json.gz", 300), categories="all")
    seen = []
    try:
        report = embed_field(fs, "hashing-64", batch_size=16, num_cpus=2,
                             progress=seen.append, round_size=200)
    except RayUnavailable as e:
        pytest.fail(f"Ray did not start on this machine (not a bug in the explorer): {e}")
    assert report.embedded == report.pending_before == 300
    assert sum(seen) == 300 and len(seen) > 1  # batches came back one by one, in two rounds
    assert fs.count_pending("hashing-64") == 0
    # The stored vectors are the encoder's: Ray changed nothing in them.
    from embeddings.encoder import HashingEncoder
    from explorer.field.snapshot import field_text

    row = fs.papers_by_n([1])[1]
    want = HashingEncoder().encode([field_text(row["title"], row["abstract"])])[0]
    assert (fs.vector_of("hashing-64", row["id"]) == want).all()
    fs.close()
    # The command: nothing left to embed, so Ray is not even started; the index is built.
    res = CliRunner().invoke(app, ["field", "build", "--model", "hashing-64", "--json",
                                   "--data-dir", str(d)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert out["embed"]["embedded"] == 0 and out["index"]["count"] == 300
    assert "embedded 0" in res.stderr


def test_unreachable_cluster_is_a_clear_error(tmp_path):
    fs = FieldStore.open(tmp_path / "d")
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 5), categories="all")
    fs.close()
    res = CliRunner().invoke(app, ["field", "build", "--model", "hashing-64", "--ray-address",
                                   "127.0.0.1:1", "--data-dir", str(tmp_path / "d")])
    assert res.exit_code == 2
    assert "could not start the Ray cluster at 127.0.0.1:1" in res.output


@pytest.mark.slow
def test_ray_build_with_the_real_model_stores_what_plain_encode_gives(tmp_path):
    from embeddings.encoder import Encoder
    from explorer.field.snapshot import field_text

    fs = FieldStore.open(tmp_path / "d")
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 24), categories="all")
    try:
        report = embed_field(fs, None, batch_size=8, num_cpus=2)
    except RayUnavailable as e:
        pytest.fail(f"Ray did not start on this machine (not a bug in the explorer): {e}")
    assert report.embedded == 24 and report.model == "all-MiniLM-L6-v2"
    rows = list(fs.papers_by_n(list(range(1, 25))).values())
    want = Encoder().encode([field_text(r["title"], r["abstract"]) for r in rows])
    got = [fs.vector_of("all-MiniLM-L6-v2", r["id"]) for r in rows]
    assert all(abs(float(g @ w) - 1.0) < 1e-4 for g, w in zip(got, want))
    fs.close()


@pytest.mark.slow
def test_sigkill_during_ray_embedding_keeps_the_vectors_and_the_rerun_embeds_the_rest(tmp_path):
    """Kill `explorer field build` (driver and its local Ray) once some vectors are stored:
    the field stays readable, every stored vector is whole, the writer lock is free, and the
    rerun embeds only what was missing."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    from pathlib import Path

    import numpy as np

    root = Path(__file__).resolve().parents[1]
    d = tmp_path / "data"
    fs = FieldStore.open(d)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json.gz", 6000), categories="all")
    total = fs.count_pending("hashing-64")
    fs.close()
    env = {**os.environ, "PYTHONPATH": str(root), "RAY_ADDRESS": ""}
    cmd = [sys.executable, "-m", "explorer", "field", "build", "--model", "hashing-64",
           "--batch-size", "16", "--data-dir", str(d)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own group: Ray's processes go too
    db, stored, end = d / "field" / "field.sqlite", 0, time.monotonic() + 180
    try:
        while time.monotonic() < end and proc.poll() is None and not stored:
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                stored = con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
                con.close()
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        killed = proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    if not stored and not killed:
        pytest.fail("field build ended before storing a vector: "
                    + proc.stderr.read().decode()[-2000:])
    fs = FieldStore.open(d)
    kept = fs.conn.execute("SELECT vector FROM vectors WHERE model='hashing-64'").fetchall()
    assert len(kept) >= stored
    for (blob,) in kept:  # no torn row: each vector whole, finite and of unit length
        v = np.frombuffer(blob, dtype=np.float32)
        assert v.shape == (64,) and abs(float(np.linalg.norm(v)) - 1.0) < 1e-3
    left = fs.count_pending("hashing-64")
    assert left == total - len(kept)
    fs.close()
    res = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-2000:]  # the killed writer's lock is free
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert out["embed"]["embedded"] == left and out["index"]["count"] == 6000
    assert killed or left == 0  # (a machine fast enough to finish first still passes)
