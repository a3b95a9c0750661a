"""A copy of the shared archive with the seeds' hot-topics slide text put back as slide PDFs.

The shared archive carries no PDFs, so it yields no arXiv references; the seeds hold text
extracted from three real hot-topics decks. This script writes that text into generated PDFs
in the meetup folder each deck belongs to (found from the ordinal or the date it names), so
the whole pipeline (PDF text -> arXiv ids -> papers -> topics and gaps) runs on real data.
Nothing is written into the repository.

    python benchmarks/seeded_archive.py OUT_DIR [--corpus DIR] [--seeds DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

_ORDINAL = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b[^\n]{0,40}?\bMeetup", re.IGNORECASE)
_DATES = [
    (re.compile(r"\b(\d{1,2})(?:<sup>)?(?:st|nd|rd|th)(?:</sup>)?\s+([A-Z][a-z]+)\s+(\d{4})"), "%d %B %Y"),
    (re.compile(r"\b([A-Z][a-z]{2,8})\s+(\d{1,2}),\s+(\d{4})"), None),
]


def meetup_number(text: str, dates: dict[str, int]) -> int | None:
    """The meetup a slide deck belongs to: the ordinal it names, else a date it names.

    Args:
        text: the deck's text.
        dates: ISO date -> meetup number, from the root table.
    """
    head = text[:3000]
    m = _ORDINAL.search(head)
    if m:
        return int(m.group(1))
    for rx, _ in _DATES:
        for g in rx.finditer(head):
            parts = g.groups()
            if parts[0].isdigit():
                day, month, year = parts
            else:
                month, day, year = parts
            for fmt in ("%d %B %Y", "%d %b %Y"):
                try:
                    iso = datetime.strptime(f"{day} {month} {year}", fmt).date().isoformat()
                except ValueError:
                    continue
                if iso in dates:
                    return dates[iso]
    return None


def text_pdf(text: str) -> bytes:
    """A PDF whose pages carry ``text`` (long lines wrapped), written with reportlab."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for raw in text.splitlines():
        for i in range(0, max(len(raw), 1), 95):
            c.drawString(30, y, raw[i:i + 95])
            y -= 12
            if y < 40:
                c.showPage()
                y = 800
    c.save()
    return buf.getvalue()


def build_seeded_archive(corpus: Path, seeds: Path, out: Path) -> dict[str, int]:
    """Copy ``corpus`` to ``out`` and add each slide-text seed as a hot-topics PDF.

    Returns:
        seed file name -> meetup number, for the seeds that are slide decks.
    """
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(corpus, out)
    rows = (corpus / "README.md").read_text(encoding="utf-8").splitlines()
    dates = {}
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) > 2 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells[0]) and cells[1].isdigit():
            dates[cells[0]] = int(cells[1])
    placed = {}
    for seed in sorted(seeds.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        if text.lstrip().startswith("# ") and "* Date:" in text[:300]:
            continue  # a meetup page, not a slide deck
        number = meetup_number(text, dates)
        if number is None:
            print(f"{seed.name}: no meetup found in its text, skipped", file=sys.stderr)
            continue
        folder = out / "Meetups" / f"Meetup_{number}" / "slides"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"hot_topics_{seed.stem}.pdf").write_bytes(text_pdf(text))
        placed[seed.name] = number
    return placed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "vdlm-meetups")
    ap.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    a = ap.parse_args()
    for name, number in build_seeded_archive(a.corpus, a.seeds, a.out).items():
        print(f"{name} -> Meetup_{number}")


if __name__ == "__main__":
    main()
