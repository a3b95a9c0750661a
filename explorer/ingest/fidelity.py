"""How faithfully the archive was read: per meetup, talks with/without abstract and speakers, date source, suspicious things."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import pairwise

from explorer.domain import CANCELLED, SHORT_TALK, TALK, Corpus
from explorer.ingest.mdtext import fold

COUNTED = (TALK, SHORT_TALK)
# Titles that are a marker or a label, never the name of a talk.
_MARKER_TITLE = re.compile(r"^(?:cancel+ed|postponed|tba|tbd|talk\s*\d*|short talk\s*\d*|"
                           r"speaker|abstract|about the speakers?)$", re.IGNORECASE)


@dataclass
class MeetupCheck:
    """What the parse made of one meetup."""

    meetup: str
    date: str | None
    date_source: str  # table | page | inferred | none
    talks: int = 0  # talks and short talks (cancelled and intro slots not counted)
    with_abstract: int = 0
    without_abstract: int = 0
    with_speakers: int = 0
    without_speakers: int = 0
    cancelled: int = 0
    issues: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    """Every meetup's check, and what concerns no single meetup."""

    meetups: list[MeetupCheck] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Totals over all meetups (the numbers an issue's closing note quotes)."""
        keys = ("talks", "with_abstract", "without_abstract", "with_speakers",
                "without_speakers", "cancelled")
        out = {k: sum(getattr(m, k) for m in self.meetups) for k in keys}
        out["meetups"] = len(self.meetups)
        out["dates"] = {s: sum(m.date_source == s for m in self.meetups)
                        for s in ("table", "page", "inferred", "none")}
        out["issues"] = sum(len(m.issues) for m in self.meetups) + len(self.general)
        return out

    def as_json(self) -> dict:
        return {"summary": self.summary(), "meetups": [asdict(m) for m in self.meetups],
                "general": self.general}


def _shingles(text: str, n: int = 5) -> set[str]:
    words = fold(text).split()
    return {" ".join(words[i:i + n]) for i in range(max(len(words) - n + 1, 0))}


def same_text_pages(texts: dict[str, str], threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Pairs of pages whose bodies (header lines aside) are mostly the same text.

    Returns:
        [(path a, path b, share of shared 5-word runs)] for each pair at or over the threshold.
    """
    bodies = {}
    for path, text in texts.items():
        body = "\n".join(line for line in text.splitlines()
                         if not re.match(r"^\s*(#|[-*]\s*(date|venue|meetup page|web page)\s*:)",
                                         line, re.IGNORECASE))
        sh = _shingles(body)
        if len(sh) >= 20:  # a few lines in common (a sign-off) say nothing
            bodies[path] = sh
    paths = sorted(bodies)
    out = []
    for i, a in enumerate(paths):
        for b in paths[i + 1:]:
            inter = len(bodies[a] & bodies[b])
            share = inter / min(len(bodies[a]), len(bodies[b]))
            if share >= threshold:
                out.append((a, b, round(share, 2)))
    return out


def check_corpus(corpus: Corpus, texts: dict[str, str] | None = None) -> CheckReport:
    """The fidelity report of a parse.

    Args:
        corpus: what ``parse_archive`` made of the archive (``corpus.date_sources`` says
            where each meetup's date came from).
        texts: the archive's pages (path -> text), to find pages that repeat each other.
    """
    sources = corpus.date_sources
    report = CheckReport()
    by_path: dict[str, MeetupCheck] = {}
    by_key: dict[str, MeetupCheck] = {}
    for m in corpus.meetups:
        mc = MeetupCheck(meetup=m.key, date=m.date,
                         date_source=sources.get(m.key) or ("none" if not m.date else "unknown"))
        report.meetups.append(mc)
        by_key[m.key] = mc
        if m.source_path:
            by_path[m.source_path] = mc
    seen: dict[tuple[str, str], int] = {}
    for t in corpus.talks:
        mc = by_key.get(t.meetup_key)
        if mc is None:
            report.general.append(f"talk {t.id} belongs to no known meetup")
            continue
        if _MARKER_TITLE.match(t.title.strip(" :*")):
            mc.issues.append(f"talk {t.id} is titled like a marker: {t.title!r}")
        twin = (t.meetup_key, fold(t.title))
        seen[twin] = seen.get(twin, 0) + 1
        if seen[twin] == 2:
            mc.issues.append(f"talk {t.title!r} appears more than once")
        if t.kind == CANCELLED:
            mc.cancelled += 1
        if t.kind not in COUNTED:
            continue
        mc.talks += 1
        if t.abstract.strip():
            mc.with_abstract += 1
        else:
            mc.without_abstract += 1
        if t.speakers:
            mc.with_speakers += 1
        else:
            mc.without_speakers += 1
            mc.issues.append(f"talk {t.title!r} has no speaker")
    for t in corpus.talks:  # an abstract that opens a line with another talk's title
        lines = [fold(x) for x in t.abstract.splitlines()]
        for o in corpus.talks:
            ft = fold(o.title)
            if o is not t and o.meetup_key == t.meetup_key and len(ft) >= 20 and any(
                    x.startswith(ft) for x in lines) and t.meetup_key in by_key:
                by_key[t.meetup_key].issues.append(
                    f"the abstract of {t.title!r} holds the title of {o.title!r}")
    abstracts: dict[str, list] = {}
    for t in corpus.talks:
        if len(t.abstract) >= 80:
            abstracts.setdefault(fold(t.abstract), []).append(t)
    for same in abstracts.values():
        if len({t.meetup_key for t in same}) < len(same):
            for t in same[1:]:
                if t.meetup_key in by_key:
                    by_key[t.meetup_key].issues.append(
                        f"talk {t.title!r} has the same abstract as {same[0].title!r}")
    for w in corpus.warnings:
        mc = by_path.get(w.path)
        if mc is not None:
            mc.issues.append(f"{'line ' + str(w.line) + ': ' if w.line else ''}{w.message}")
        else:
            report.general.append(str(w))
    dated = sorted((m for m in corpus.meetups if m.number is not None and m.date),
                   key=lambda m: m.number)
    for prev, nxt in pairwise(dated):
        if nxt.date < prev.date:
            by_key[nxt.key].issues.append(
                f"dated {nxt.date}, before meetup {prev.key} ({prev.date})")
    for a, b, share in same_text_pages(texts or {}):
        msg = f"{a} and {b} share {share:.0%} of their text"
        for path in (a, b):
            if path in by_path:
                by_path[path].issues.append(msg)
        if a not in by_path and b not in by_path:
            report.general.append(msg)
    return report


def check_archive(archive, progress: Callable[[str], None] | None = None) -> CheckReport:
    """Parse ``archive`` (nothing is written) and report how faithfully it was read."""
    from explorer.ingest.parser import decode, parse_archive

    corpus = parse_archive(archive, progress=progress)
    pages = {}
    for path in archive.files():
        if "/" in path and path.lower().endswith("readme.md"):
            try:
                text = decode(archive.read(path), path, [])
            except Exception:  # noqa: BLE001, S112 - unreadable pages are already parse warnings
                continue
            if text:
                pages[path] = text
    return check_corpus(corpus, pages)
