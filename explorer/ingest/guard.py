"""Guards on a parsed source: refuse one that would silently lose talks instead of storing it."""

from __future__ import annotations

from explorer.domain import Corpus

# A build may keep this share of the current generation's talks and still go through. The
# archive only grows (a meetup adds talks; edits merge or drop a few rows), while the faults
# seen lose a quarter (a root README that failed to download: 180 -> 130) or everything (an
# empty source): 90% lets ordinary edits pass and stops those.
SHRINK_LIMIT = 0.90
# Talks with an abstract may fall further (an edit that drops one meetup page of a small
# archive loses a fifth of them); losing the pages folder while the root table stays loses
# nearly all of them: half stops that and lets ordinary edits through.
ABSTRACT_LIMIT = 0.5
_SHOWN = 5  # failed files named in a message


class SourceRefused(Exception):
    """The source would replace the corpus with less than it should; nothing was replaced."""


def failed_files_message(failed: dict[str, str]) -> str:
    """Why a source that could not read every file it needs is refused."""
    names = ", ".join(f"{p} ({why})" for p, why in list(failed.items())[:_SHOWN])
    more = f" and {len(failed) - _SHOWN} more" if len(failed) > _SHOWN else ""
    msg = f"{len(failed)} file(s) of the source could not be read: {names}{more}"
    if any("HTTP 403" in why or "HTTP 429" in why for why in failed.values()):
        msg += ("; GitHub refused the downloads (rate limit): set GITHUB_TOKEN to a token "
                "(a classic token without scopes will do) and run the build again")
    return msg


def root_table_rows(archive) -> int | None:
    """Rows of the root README's talks table (None: the source has no root README)."""
    from explorer.ingest.parser import ROOT, decode
    from explorer.ingest.roottable import parse_table

    if ROOT not in archive.files():
        return None
    try:
        text = decode(archive.read(ROOT), ROOT, [])
    except Exception:  # noqa: BLE001 - unreadable is reported as failed by the archive
        return 0
    return len(parse_table(text, ROOT)[0]) if text else 0


def check_source(corpus: Corpus, archive, previous_talks: int | None,
                 allow_shrink: bool = False, previous_abstracts: int | None = None) -> list[str]:
    """Refuse a parsed source that yields nothing, lost files, may lack files (a truncated
    listing) or lost many talks.

    Args:
        corpus: what the parser made of the source.
        archive: the source (``files()``, ``read()``; ``failed``: path -> reason, and
            ``incomplete``: why its listing may lack files, if any).
        previous_talks: talks in the current generation (None: there is none).
        allow_shrink: accept a source without talks table, with an incomplete listing
            or with far fewer talks, or far fewer talks with an abstract.
        previous_abstracts: talks with an abstract in the current generation (the root
            table keeps the talk count when the meetup pages are lost; the abstracts go).

    Returns:
        Notes on what was accepted only because of ``allow_shrink``.

    Raises:
        SourceRefused: with a message saying what is wrong and how to go on.
    """
    name = getattr(archive, "name", "the source")
    failed = dict(getattr(archive, "failed", {}) or {})
    if failed:
        raise SourceRefused(f"{name}: {failed_files_message(failed)}; nothing was replaced")
    if not corpus.meetups:
        raise SourceRefused(f"{name} yields no meetups (is it a copy of github.com/vdlm/meetups, "
                            "with README.md and Meetups/ at its top?); nothing was replaced")
    notes = []
    incomplete = getattr(archive, "incomplete", "")
    if incomplete:
        msg = f"{name}: {incomplete}"
        if not allow_shrink:
            raise SourceRefused(f"{msg}; nothing was replaced (pass --allow-shrink to build "
                                "from the files listed, or use --source DIR with a clone)")
        notes.append(msg)
    rows = root_table_rows(archive)
    if not rows:
        why = ("has no root README.md" if rows is None
               else "has a root README.md without a readable talks table")
        msg = f"{name} {why}, the index of every talk"
        if not allow_shrink:
            raise SourceRefused(f"{msg}; nothing was replaced (pass --allow-shrink to build "
                                "from the meetup pages alone)")
        notes.append(msg)
    n = len(corpus.talks)
    if previous_talks and n < SHRINK_LIMIT * previous_talks:
        msg = (f"{name} yields {n} talks, the current data has {previous_talks} "
               f"(below {SHRINK_LIMIT:.0%} of them)")
        if not allow_shrink:
            raise SourceRefused(f"{msg}; nothing was replaced (pass --allow-shrink if the "
                                "archive really lost them)")
        notes.append(msg)
    described = sum(1 for t in corpus.talks if t.abstract)
    if previous_abstracts and described < ABSTRACT_LIMIT * previous_abstracts:
        msg = (f"{name} yields {described} talks with an abstract, the current data has "
               f"{previous_abstracts} (below {ABSTRACT_LIMIT:.0%} of them: are meetup pages "
               "missing?)")
        if not allow_shrink:
            raise SourceRefused(f"{msg}; nothing was replaced (pass --allow-shrink if the "
                                "archive really lost them)")
        notes.append(msg)
    return notes
