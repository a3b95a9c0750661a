"""`explorer field build` on a local Ray when some texts cannot be embedded: the rest goes
on, the failures are named by paper id and reason, and no vector lands on another paper."""

from __future__ import annotations

import json

import numpy as np
import pytest
from field_fixtures import record, write_snapshot
from typer.testing import CliRunner

from embeddings.encoder import HashingEncoder
from explorer.cli import app
from explorer.field.snapshot import field_text, import_snapshot
from explorer.store.fieldstore import FieldStore

pytestmark = pytest.mark.ray


def _poisoned(rng_seed: int, title: str) -> str:
    import random

    rec = record(99_999, random.Random(rng_seed), off_field_rate=0.0)
    rec.update(id=f"2601.{rng_seed:05d}", title=title)
    return json.dumps(rec)


def test_texts_that_fail_on_ray_are_named_and_the_rest_is_embedded(tmp_path, monkeypatch):
    from embeddings import ray_encode

    base = ray_encode.EncodeBatch

    class Flaky(base):  # defined here: Ray ships it to its workers by value
        def __call__(self, batch):
            texts = [str(t) for t in batch["text"]]
            if any("POISON" in t for t in texts):
                raise ValueError("the tokenizer chokes on POISON")
            out = super().__call__(batch)
            for i, t in enumerate(texts):
                if "NANTEXT" in t:
                    out["vector"][i] = np.nan
            return out

    monkeypatch.setattr(ray_encode, "EncodeBatch", Flaky)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    d = tmp_path / "data"
    fs = FieldStore.open(d)
    snap = write_snapshot(tmp_path / "s.json", 300, off_field_rate=0.0, bad_lines={
        40: _poisoned(1, "A POISON title"), 200: _poisoned(2, "A NANTEXT title")})
    import_snapshot(fs, snap, categories="all")
    assert fs.count() == 302
    fs.close()
    res = CliRunner().invoke(app, ["field", "build", "--model", "hashing-64", "--num-cpus",
                                   "2", "--batch-size", "16", "--json", "--data-dir", str(d)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert out["embed"]["embedded"] == 300 and out["index"]["count"] == 300
    failed = out["embed"]["failed"]
    assert [f.split(":")[0] for f in sorted(failed)] == ["2601.00001", "2601.00002"]
    assert "POISON" in " ".join(failed) and "not a finite" in " ".join(failed)
    assert "2601.00001" in res.stderr and "2601.00002" in res.stderr
    fs = FieldStore.open(d)
    assert fs.count_pending("hashing-64") == 2  # a rerun tries them again
    enc = HashingEncoder()
    rows = fs.papers_by_n(list(range(1, 303)))
    for row in rows.values():  # every stored vector is its own paper's text's
        got = fs.vector_of("hashing-64", row["id"])
        if row["id"].startswith("2601."):
            assert got is None
            continue
        want = enc.encode([field_text(row["title"], row["abstract"])])[0]
        assert got is not None and np.allclose(got, want), row["id"]
    fs.close()
