"""Faults during builds: random SIGKILLs, concurrent builds, a reader searching in a loop.

Every build is a real `explorer build` subprocess (hashing encoder, offline: seconds each) on
one data dir, alternating between the archive (A) and a copy without its last meetup page (B),
so the old and the new corpus differ. Prints a markdown table: kills, recoveries (search works
and answers from the old or the new corpus), mixed reads, lost talks, tracebacks.

    python benchmarks/faults.py [--source DIR] [--kills 20] [--pairs 10] [--reader-builds 5]
                                [--field-kills 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUERIES = ("neural networks", "reinforcement learning", "language models", "vision")


def variant(source: Path, dest: Path) -> Path:
    """A copy of the archive without its last meetup page (a different, still >90% corpus)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("*.jpg", "*.png", "*.jpeg"))
    pages = sorted(p for p in dest.rglob("README.md") if p.parent != dest)
    if pages:
        pages[-1].unlink()
    return dest


def build_cmd(source: Path, data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "explorer", "build", "--source", str(source), "--data-dir",
            str(data_dir), "--model", "hashing-64", "--offline"]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
            "EXPLORER_ARXIV_URL": "http://127.0.0.1:9/none"}


def start_build(source: Path, data_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(build_cmd(source, data_dir), env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def run_build(source: Path, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(build_cmd(source, data_dir), env=_env(), capture_output=True,
                          text=True, check=False)


def snapshot(data_dir: Path) -> tuple[str, set[str], int]:
    """(identity of the talks read, talk ids, hits not among what was read) of one open."""
    import explorer

    ex = explorer.open(data_dir)
    try:
        records = ex.store.talk_records()
        talk_ids = {r["id"] for r in records}
        paper_ids = {f"arxiv:{p}" for p in ex.papers()["id"]}
        unknown = 0
        for q in QUERIES:
            for h in ex.search(q, k=20):
                unknown += h.id not in (talk_ids if h.kind == "talk" else paper_ids)
    finally:
        ex.close()
    ident = hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()
    return ident, talk_ids, unknown


def kills(n: int, a: Path, b: Path, d: Path, identities: dict, rng: random.Random,
          span: float) -> dict:
    """n builds, each SIGKILLed at a random moment; after each: does search still work?"""
    out = {"kills": 0, "recoveries": 0, "mixed": 0, "lost": 0, "tracebacks": 0}
    r = run_build(a, d)
    assert r.returncode == 0, r.stderr
    old = identities[a]
    out["completed"] = 0  # builds that finished before their kill time came
    for i in range(3 * n):
        if out["kills"] >= n:
            break
        src = b if i % 2 == 0 else a
        out["runs"] = i + 1
        p = start_build(src, d)
        at = rng.uniform(0.05, span)
        time.sleep(at)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            out["kills"] += 1
            out.setdefault("at", []).append(at)
        else:
            out["completed"] += 1
        _, err = p.communicate()
        out["tracebacks"] += "Traceback" in err
        try:
            ident, ids, unknown = snapshot(d)
        except Exception:  # noqa: BLE001 - a data dir that cannot be searched is the failure
            out["mixed"] += 1
            continue
        ok = ident in (identities[a], identities[b]) and unknown == 0
        out["recoveries"] += ok
        out["mixed"] += not ok
        if not ok:
            out["lost"] += len(identities["ids", old] - ids)
        else:
            old = ident
    r = run_build(a, d)  # a lock left by a killed build must not block the next one
    out["next_build_ok"] = r.returncode == 0
    return out


def pairs(n: int, a: Path, b: Path, d: Path, identities: dict) -> dict:
    """n times two builds started together on one data dir."""
    out = {"runs": n, "both_ran": 0, "refused_busy": 0, "broken": 0, "tracebacks": 0,
           "other_failures": 0}
    for _ in range(n):
        procs = [start_build(a, d), start_build(b, d)]
        for p in procs:
            _, err = p.communicate()
            out["tracebacks"] += "Traceback" in err
            if p.returncode == 3 and "being written by another process" in " ".join(err.split()):
                out["refused_busy"] += 1
            elif p.returncode != 0:
                out["other_failures"] += 1
        out["both_ran"] += all(p.returncode == 0 for p in procs)
        try:
            ident, _, unknown = snapshot(d)
            out["broken"] += ident not in (identities[a], identities[b]) or unknown > 0
        except Exception:  # noqa: BLE001
            out["broken"] += 1
    return out


def reader(builds: int, a: Path, b: Path, d: Path, identities: dict) -> dict:
    """A thread opening and searching in a loop while builds switch generations."""
    out = {"builds": builds, "reads": 0, "errors": 0, "unknown_hits": 0, "mixed": 0,
           "generations_seen": 0}
    seen: set[str] = set()
    stop = threading.Event()
    errors: list[str] = []

    def loop() -> None:
        from explorer.store import Store

        while not stop.is_set():
            try:
                ident, _, unknown = snapshot(d)
                seen.add(Store.current_generation(d) or "")
            except Exception as e:  # noqa: BLE001
                out["errors"] += 1
                errors.append(f"{type(e).__name__}: {e}")
                continue
            out["reads"] += 1
            out["unknown_hits"] += unknown
            out["mixed"] += ident not in (identities[a], identities[b])

    r = run_build(a, d)
    assert r.returncode == 0, r.stderr
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    for i in range(builds):
        r = run_build(b if i % 2 == 0 else a, d)
        if r.returncode != 0:
            errors.append(r.stderr[-300:])
    stop.set()
    t.join()
    out["generations_seen"] = len(seen)
    out["first_errors"] = errors[:3]
    return out


def field_kills(n: int, tmp: Path, rng: random.Random, papers: int = 40_000) -> dict:
    """SIGKILL `explorer field import` at random moments on one data dir, then finish it.

    After each kill the field must open and hold no fewer papers than before (committed
    batches survive); the final run must resume and end with every paper exactly once. A
    writer that finds the data dir locked by a killed one must not be refused.
    """
    sys.path.insert(0, str(REPO / "tests"))
    import sqlite3

    from field_fixtures import write_snapshot

    snap = write_snapshot(tmp / "field-snap.json.gz", papers, off_field_rate=0.0)
    d = tmp / "d-field"
    cmd = [sys.executable, "-m", "explorer", "field", "import", str(snap), "--data-dir", str(d)]
    out = {"runs": n, "kills": 0, "recoveries": 0, "lost": 0, "tracebacks": 0,
           "refused_busy": 0, "final_count": 0, "expected": papers}
    before = 0
    for _ in range(n):
        proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            out["kills"] += 1
        _, stderr = proc.communicate()
        out["tracebacks"] += "Traceback" in (stderr or "")
        out["refused_busy"] += proc.returncode == 3
        try:
            con = sqlite3.connect(f"file:{d / 'field' / 'field.sqlite'}?mode=ro", uri=True)
            now = con.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
            con.close()
        except sqlite3.Error:
            now = -1
        out["recoveries"] += now >= before
        out["lost"] += max(0, before - now)
        before = max(before, now)
    r = subprocess.run(cmd, env=_env(), capture_output=True, text=True, check=False)
    out["tracebacks"] += "Traceback" in r.stderr
    con = sqlite3.connect(f"file:{d / 'field' / 'field.sqlite'}?mode=ro", uri=True)
    out["final_count"] = con.execute("SELECT COUNT(DISTINCT id) FROM papers").fetchone()[0]
    con.close()
    out["final_ok"] = r.returncode == 0 and out["final_count"] == papers
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("EXPLORER_CORPUS") or REPO.parent / "shared/corpus/vdlm-meetups"
    if not (Path(default) / "README.md").exists():
        default = REPO / "tests/fixtures/archive"
    ap.add_argument("--source", type=Path, default=Path(default))
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--reader-builds", type=int, default=5)
    ap.add_argument("--field-kills", type=int, default=5,
                    help="SIGKILLs during `explorer field import` (0: skip).")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        tmp = Path(tmp)
        a = tmp / "A"
        shutil.copytree(args.source, a, ignore=shutil.ignore_patterns("*.jpg", "*.png", "*.jpeg"))
        b = variant(args.source, tmp / "B")
        identities: dict = {}
        took = []
        for src in (a, b, a):  # the last one rebuilds over A: a warm build, like the faults
            ref = tmp / f"ref-{src.name}"
            t0 = time.monotonic()
            r = run_build(src, ref)
            took.append(time.monotonic() - t0)
            assert r.returncode == 0, r.stderr
            identities[src], identities["ids", identities[src]], _ = snapshot(ref)
        span = min(took)
        results = {
            "kills": kills(args.kills, a, b, tmp / "d-kills", identities, rng, span),
            "pairs": pairs(args.pairs, a, b, tmp / "d-pairs", identities),
            "reader": reader(args.reader_builds, a, b, tmp / "d-reader", identities),
            "field": field_kills(args.field_kills, tmp, rng) if args.field_kills else None,
            "build_seconds": round(span, 2),
            "talks": [len(identities["ids", identities[a]]), len(identities["ids", identities[b]])],
        }
    k, p, r = results["kills"], results["pairs"], results["reader"]
    print(f"Source: {args.source} (A: {results['talks'][0]} talk slots, B: "
          f"{results['talks'][1]}); a warm build ≈ {results['build_seconds']} s\n")
    print("| scenario | runs | kills | recoveries | mixed reads | lost talks | tracebacks | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(f"| SIGKILL at a random moment of a build | {k['runs']} | {k['kills']} | "
          f"{k['recoveries']} | {k['mixed']} | {k['lost']} | {k['tracebacks']} | "
          f"killed {min(k.get('at', [0])):.1f}-{max(k.get('at', [0])):.1f} s into builds; "
          f"{k['completed']} builds finished before their kill; next build after the kills: "
          f"{'ok' if k['next_build_ok'] else 'FAILED'} |")
    print(f"| two builds started together | {p['runs']} pairs | 0 | {p['runs'] - p['broken']} | "
          f"{p['broken']} | 0 | {p['tracebacks']} | second refused (busy, exit 3): "
          f"{p['refused_busy']}; both ran in turn: {p['both_ran']}; other failures: "
          f"{p['other_failures']} |")
    print(f"| reader searching in a loop during builds | {r['builds']} builds | 0 | "
          f"{r['reads']} of {r['reads'] + r['errors']} reads | {r['mixed'] + r['unknown_hits']} | "
          f"0 | {r['errors']} errors | generations seen: {r['generations_seen']} |")
    f = results["field"]
    if f:
        print(f"| SIGKILL during `field import` | {f['runs']} | {f['kills']} | "
              f"{f['recoveries']} | 0 | {f['lost']} papers | {f['tracebacks']} | refused as "
              f"busy after a kill: {f['refused_busy']}; final run resumed to "
              f"{f['final_count']} of {f['expected']} papers: "
              f"{'ok' if f['final_ok'] else 'FAILED'} |")
    if r["first_errors"]:
        print("\nreader errors:", *r["first_errors"], sep="\n  ")
    return results


if __name__ == "__main__":
    main()
