"""arXiv refs of the archive's slide PDFs, each given to the talk (or meetup) it belongs to.

A PDF belongs to the talk whose slides link names it; a PDF no talk links is its folder's
meetup's (the intro and hot-topics slot). A PDF sitting in one meetup's folder but linked
from another meetup's talk is its folder's: the papers of meetup 70's slides are never
meetup 69's, whatever a copied link says (and the clash is warned about).
"""

from __future__ import annotations

from collections.abc import Callable

from explorer.domain import INTRO, Corpus, ParseWarning, Talk, talk_id
from explorer.ingest.arxiv_ids import find_arxiv_ids
from explorer.ingest.keys import meetup_key_of
from explorer.ingest.mdtext import archive_path
from explorer.ingest.pdftext import PdfTextError, pdf_text


def intro_slot(corpus: Corpus, key: str) -> Talk:
    """The meetup's intro slot, made ('Intro and hot topics') when it has none."""
    slot = next((t for t in corpus.talks if t.meetup_key == key and t.kind == INTRO), None)
    if slot is None:
        slot = Talk(id=talk_id(key, "Intro and hot topics"), meetup_key=key,
                    title="Intro and hot topics", kind=INTRO)
        corpus.talks.append(slot)
    return slot


def _owner(corpus: Corpus, path: str, owners: list[Talk], known: set[str]
           ) -> tuple[str | None, Talk | None]:
    """(meetup key, talk or None) a PDF's papers go to; a clash of link and folder warned."""
    folder = meetup_key_of(path)
    mine = [t for t in owners if folder is None or t.meetup_key == folder]
    if owners and not mine:
        linked = ", ".join(sorted({t.meetup_key for t in owners}))
        fate = ("its papers are that meetup's" if folder in known else
                "that meetup is in no table row or page; skipped")
        corpus.warnings.append(ParseWarning(path, f"linked as slides of meetup {linked}'s talk "
                                            f"but sits in meetup {folder}'s folder; {fate}"))
    owner = next((t for t in mine if t.kind == INTRO), mine[0] if mine else None)
    return (owner.meetup_key if owner else folder), owner


def pdf_refs(corpus: Corpus, archive, pdfs: list[str], add: Callable,
             progress: Callable[[str], None] | None = None) -> None:
    """Reads each PDF and calls ``add(id, key, talk, context, path)`` for its arXiv ids."""
    claims: dict[str, list[Talk]] = {}
    for t in corpus.talks:
        p = archive_path(t.slides_url)
        if p:
            claims.setdefault(p, []).append(t)
    known = {m.key for m in corpus.meetups}
    for path in pdfs:
        if progress:
            progress(path)
        key, owner = _owner(corpus, path, claims.get(path, []), known)
        if key not in known:
            if path not in claims or meetup_key_of(path) is None:
                corpus.warnings.append(ParseWarning(path, "PDF outside any known meetup; "
                                                    "skipped"))
            continue
        notes: list[str] = []
        try:
            text = pdf_text(archive.read(path), notes)
        except PdfTextError as e:
            corpus.warnings.append(ParseWarning(path, f"PDF could not be parsed ({e})"))
            continue
        except Exception as e:  # noqa: BLE001 - download or read failure of one file
            corpus.warnings.append(ParseWarning(path, f"cannot read: {e}"))
            continue
        corpus.warnings.extend(ParseWarning(path, f"PDF partly read: {n}") for n in notes)
        found = find_arxiv_ids(text)
        if found and owner is None:
            owner = intro_slot(corpus, key)
        for ident, ctx in found:
            add(ident, key, owner, ctx, path)
