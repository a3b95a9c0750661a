"""Invented arXiv snapshot records in the real format (for the field tests and benchmark).

Every title and abstract is composed here from a small invented vocabulary; nothing is
copied from arXiv.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import date, timedelta
from pathlib import Path

# Topic -> words its papers use; the field tests search for these.
TOPICS = {
    "speech": ["speech", "acoustic", "phoneme", "spectrogram", "speaker", "vocoder"],
    "graphs": ["graph", "message", "passing", "node", "molecule", "edge"],
    "diffusion": ["diffusion", "denoising", "score", "sampler", "noise", "image"],
    "robots": ["robot", "grasping", "policy", "reward", "manipulation", "control"],
    "language": ["language", "token", "translation", "attention", "decoder", "prompt"],
    "vision": ["segmentation", "detection", "pixel", "convolution", "camera", "video"],
}
ML_CATS = {"speech": "cs.SD eess.AS", "graphs": "cs.LG", "diffusion": "cs.CV cs.LG",
           "robots": "cs.RO cs.AI", "language": "cs.CL", "vision": "cs.CV"}
OFF_FIELD = ["math.AG", "astro-ph.GA", "q-bio.PE", "hep-th"]
ADJ = ["Scalable", "Robust", "Sparse", "Efficient", "Adaptive", "Contrastive", "Latent",
       "Hierarchical", "Causal", "Federated"]
VERBS = ["We propose", "This paper studies", "We introduce", "We revisit", "We analyse"]
FILLER = ["benchmark", "baseline", "ablation", "dataset", "objective", "regularizer",
          "estimator", "curriculum", "pretraining", "inference"]


def record(i: int, rng: random.Random, off_field_rate: float = 0.1) -> dict:
    """The i-th invented record: an id like 2103.00042, one topic, versions, authors."""
    topic = rng.choice(sorted(TOPICS))
    words = TOPICS[topic]
    day = date(2016, 1, 1) + timedelta(days=rng.randrange(3600))
    off = rng.random() < off_field_rate
    cats = rng.choice(OFF_FIELD) if off else ML_CATS[topic]
    w = rng.sample(words, 3)
    title = f"{rng.choice(ADJ)} {w[0]} {w[1]} models\n  for {w[2]} tasks {i}"
    sentences = [f"{rng.choice(VERBS)} a {w[0]} method built on {w[1]} and {w[2]}."]
    for _ in range(rng.randrange(3, 7)):
        a, b = rng.sample(words, 2)
        sentences.append(f"Our {rng.choice(FILLER)} combines {a} with {b} and improves the "
                         f"{rng.choice(FILLER)} by {rng.randrange(2, 40)} points.")
    created = day.strftime("%a, %-d %b %Y 10:00:00 GMT")
    versions = [{"version": "v1", "created": created}]
    if rng.random() < 0.3:
        later = day + timedelta(days=rng.randrange(5, 200))
        versions.append({"version": "v2", "created": later.strftime("%a, %-d %b %Y 09:00:00 GMT")})
    update = day + timedelta(days=rng.randrange(0, 300))
    authors = [(f"Surname{rng.randrange(500)}", f"A{rng.randrange(26)}.") for _ in
               range(rng.randrange(1, 5))]
    return {
        "id": f"{day:%y%m}.{i:05d}", "submitter": f"{authors[0][1]} {authors[0][0]}",
        "authors": ", ".join(f"{f} {s}" for s, f in authors), "title": title,
        "comments": f"{rng.randrange(6, 30)} pages", "journal-ref": None, "doi": None,
        "report-no": None, "categories": cats,
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "abstract": "  " + "\n".join(sentences) + "\n", "versions": versions,
        "update_date": update.isoformat(), "authors_parsed": [[s, f, ""] for s, f in authors],
    }


def write_snapshot(path: Path, n: int, seed: int = 0, gz: bool | None = None,
                   bad_lines: dict[int, str] | None = None, off_field_rate: float = 0.1) -> Path:
    """Write n invented records as JSON lines (gzip if the name ends in .gz).

    Args:
        bad_lines: 1-based line number -> raw text written there instead (malformed lines),
            pushing the records after it down a line.
    """
    rng = random.Random(seed)
    gz = path.suffix == ".gz" if gz is None else gz
    bad_lines = bad_lines or {}
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as f:
        line, i = 1, 0
        while i < n:
            if line in bad_lines:
                f.write(bad_lines[line] + "\n")
            else:
                f.write(json.dumps(record(i, rng, off_field_rate)) + "\n")
                i += 1
            line += 1
    return path
