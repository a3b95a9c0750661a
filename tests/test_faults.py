"""benchmarks/faults.py on the fixture archive: random SIGKILLs, concurrent builds, a reader."""

from __future__ import annotations

import random
import sys

import pytest
from conftest import FIXTURES, REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import faults

pytestmark = pytest.mark.slow  # real `explorer build` subprocesses, a few seconds each


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    import shutil

    tmp = tmp_path_factory.mktemp("faults")
    a = tmp / "A"
    shutil.copytree(FIXTURES / "archive", a)
    b = faults.variant(FIXTURES / "archive", tmp / "B")
    identities: dict = {}
    for src in (a, b):
        r = faults.run_build(src, tmp / f"ref-{src.name}")
        assert r.returncode == 0, r.stderr
        identities[src], identities["ids", identities[src]], _ = faults.snapshot(
            tmp / f"ref-{src.name}")
    assert identities[a] != identities[b]
    return tmp, a, b, identities


def test_random_kills_leave_the_old_or_the_new_corpus(setup):
    tmp, a, b, identities = setup
    out = faults.kills(4, a, b, tmp / "kills", identities, random.Random(1), span=2.5)
    assert out["kills"] >= 1 and out["recoveries"] == out["runs"]
    assert (out["mixed"], out["lost"], out["tracebacks"]) == (0, 0, 0)
    assert out["next_build_ok"]


def test_concurrent_builds_never_break_the_data_dir(setup):
    tmp, a, b, identities = setup
    out = faults.pairs(2, a, b, tmp / "pairs", identities)
    assert (out["broken"], out["tracebacks"], out["other_failures"]) == (0, 0, 0)
    assert out["refused_busy"] + out["both_ran"] == 2  # each pair: one refused, or in turn


def test_a_reader_in_a_loop_during_builds_never_errs_or_mixes(setup):
    tmp, a, b, identities = setup
    out = faults.reader(2, a, b, tmp / "reader", identities)
    assert out["reads"] > 0 and out["first_errors"] == []
    assert (out["errors"], out["unknown_hits"], out["mixed"]) == (0, 0, 0)
    assert out["generations_seen"] >= 2


def test_random_kills_during_field_import_lose_nothing_and_the_rerun_resumes(tmp_path):
    out = faults.field_kills(3, tmp_path, random.Random(2), papers=20_000)
    assert out["recoveries"] == out["runs"] and out["lost"] == 0
    assert (out["tracebacks"], out["refused_busy"]) == (0, 0)  # a killed writer's lock is free
    assert out["final_ok"], out
