"""Invented arXiv snapshot records whose subjects follow a chosen number of papers per year.

For the field radar: each subject's titles carry one taxonomy theme's keywords, so the
Organizer's assignment puts them in that theme. Every title and abstract is composed here.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

# subject -> (arXiv category, words its titles and abstracts use)
SUBJECTS = {
    "medical": ("eess.IV", ["medical", "clinical", "radiology", "diagnosis", "mri"]),
    "speech": ("eess.AS", ["speech", "speech recognition", "spoken", "voice"]),
    "graphs": ("cs.LG", ["graph", "graphs", "message passing", "gnn"]),
    "llm": ("cs.CL", ["large language models", "llm", "prompting", "chatgpt"]),
    "vision": ("cs.CV", ["object detection", "segmentation", "image classification"]),
}
ADJ = ["Scalable", "Robust", "Sparse", "Efficient", "Adaptive", "Latent", "Causal"]


def trend_record(i: int, subject: str, day: date, rng: random.Random) -> dict:
    cat, words = SUBJECTS[subject]
    a, b = rng.sample(words, 2)
    title = f"{rng.choice(ADJ)} {a} with {b} number {i}"
    abstract = (f"We study {a} and {b}. Our method improves {rng.choice(words)} by "
                f"{rng.randrange(2, 40)} points on a benchmark.")
    return {"id": f"{day:%y%m}.{i:05d}", "submitter": "A. Writer", "authors": "A. Writer",
            "title": title, "comments": None, "journal-ref": None, "doi": None,
            "report-no": None, "categories": cat, "license": None, "abstract": abstract,
            "versions": [{"version": "v1",
                          "created": day.strftime("%a, %-d %b %Y 10:00:00 GMT")}],
            "update_date": day.isoformat(), "authors_parsed": [["Writer", "A.", ""]]}


def write_trend_snapshot(path: Path, per_year: dict[str, dict[int, int]],
                         last_day: date | None = None, seed: int = 0, first: int = 0) -> Path:
    """Write records: ``per_year[subject][year]`` papers of each subject in each year, on
    random days of that year (up to ``last_day`` in its year: a partial last year); ids are
    numbered from ``first``."""
    rng = random.Random(seed)
    i = first
    with open(path, "w", encoding="utf-8") as f:
        for subject, years in per_year.items():
            for year, n in sorted(years.items()):
                start = date(year, 1, 1)
                end = last_day if last_day and last_day.year == year else date(year, 12, 31)
                for _ in range(n):
                    day = start + timedelta(days=rng.randrange((end - start).days + 1))
                    f.write(json.dumps(trend_record(i, subject, day, rng)) + "\n")
                    i += 1
    return path
