"""The archive -> Corpus: meetups, talks (root table merged with meetup pages), arXiv refs.

Slides links are stored as absolute GitHub URLs
(``https://github.com/vdlm/meetups/blob/main/<quoted archive path>``), external links as they
are; ``mdtext.archive_path`` turns such a URL back into the archive path.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from difflib import SequenceMatcher

from explorer.domain import (
    CANCELLED,
    INTRO,
    SHORT_TALK,
    TALK,
    ArxivRef,
    Corpus,
    Meetup,
    ParseWarning,
    Talk,
    talk_id,
)
from explorer.ingest.arxiv_ids import find_arxiv_ids
from explorer.ingest.dates import infer_year
from explorer.ingest.decoding import decode
from explorer.ingest.footnotes import owned_footnotes
from explorer.ingest.keys import (  # noqa: F401 - re-exported
    folder_key,
    is_readme,
    meetup_key_of,
    page_key,
    title_key,
)
from explorer.ingest.mdtext import blank_comments, fold, tidy_spaces
from explorer.ingest.readme_layouts import MeetupPage, PageTalk, parse_page
from explorer.ingest.readme_lines import MAX_TALKS
from explorer.ingest.roottable import UNKNOWN_TITLE, TableRow, parse_table, table_refs
from explorer.ingest.slide_refs import pdf_refs
from explorer.ingest.slots import other_parts

ROOT = "README.md"


def _title_score(a: str, b: str) -> float:
    fa, fb = fold(a), fold(b)
    if not fa or not fb or other_parts(a, b):  # 'X (Part 1)' is not 'X (Part 2)'
        return 0.0
    short, long_ = sorted((fa, fb), key=len)
    if len(short) >= 12 and short in long_:
        return 0.9
    return SequenceMatcher(None, fa, fb).ratio()


def _surnames(names: list[str]) -> set[str]:
    return {fold(n).split()[-1] for n in names if fold(n)}


def _fuller(table_names: list[str], page_names: list[str]) -> list[str]:
    """Table speakers, each replaced by the page's spelling of the same surname if fuller;
    the page's list (in its order) when it names every table speaker and more (a co-speaker
    the table left out is not dropped)."""
    if _surnames(table_names) < _surnames(page_names):
        table_names, page_names = page_names, table_names
    out = []
    for name in table_names:
        twin = next((p for p in page_names if _surnames([p]) == _surnames([name])), None)
        out.append(twin if twin and len(twin) >= len(name) else name)
    return out or list(page_names)


def merge_talks(rows: list[TableRow], page: list[PageTalk]) -> tuple[list[tuple], int]:
    """Pairs table rows with page slots that name the same talk.

    Returns:
        ([(row | None, page slot | None)] in page order then unmatched rows, matches).
    """
    def solo(t, pool):  # the only non-intro slot of that speaker on its side
        return sum(1 for x in pool if not _is_intro(x) and _surnames(x.speakers)
                   & _surnames(t.speakers)) == 1

    cands = []
    for ri, r in enumerate(rows):
        for pi, p in enumerate(page):
            s = _title_score(r.title, p.title)
            shared = bool(_surnames(r.speakers) & _surnames(p.speakers))
            both_talks = not _is_intro(r) and not _is_intro(p)
            if _is_intro(r) and _is_intro(p):
                s = max(s, 0.6)  # one meetup has one intro slot, however it is named
            if s >= 0.6 or (shared and s >= 0.3) or (
                    shared and both_talks and solo(r, rows) and solo(p, page)):
                cands.append((s + 0.3 * shared, ri, pi))
    row_of: dict[int, int] = {}
    used: set[int] = set()
    for _, ri, pi in sorted(cands, reverse=True):
        if ri not in used and pi not in row_of:
            row_of[pi], _ = ri, used.add(ri)
    pairs = [(rows[row_of[pi]] if pi in row_of else None, p) for pi, p in enumerate(page)]
    rest = [r for ri, r in enumerate(rows) if ri not in used]
    rest.sort(key=lambda r: not r.intro)  # the intro slot opens the evening
    return pairs + [(r, None) for r in rest], len(row_of)


def _is_intro(x) -> bool:
    return x.intro if isinstance(x, TableRow) else x.kind == INTRO


def _talk(key: str, row: TableRow | None, slot: PageTalk | None) -> Talk:
    if row is None:
        return Talk(id="", meetup_key=key, title=slot.title, speakers=slot.speakers,
                    affiliations=slot.affiliations, abstract=slot.abstract,
                    slides_url=slot.slides_url, video_url=slot.video_url, kind=slot.kind,
                    bio=slot.bio)
    kind = INTRO if row.intro else row.kind  # a cancel note on either side cancels
    if slot is not None and slot.kind in (CANCELLED, SHORT_TALK) and kind in (TALK, SHORT_TALK):
        kind = slot.kind
    named = slot is not None and slot.title and UNKNOWN_TITLE.match(row.title.strip())
    return Talk(id="", meetup_key=key, title=slot.title if named else row.title,
                speakers=_fuller(row.speakers, slot.speakers if slot else []),
                affiliations=(slot.affiliations if slot and slot.affiliations
                              else row.affiliations),
                abstract=slot.abstract if slot else "",
                slides_url=row.slides_url or (slot.slides_url if slot else None),
                video_url=row.video_url or (slot.video_url if slot else None), kind=kind,
                bio=slot.bio if slot else "")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_archive(archive, progress: Callable[[str], None] | None = None) -> Corpus:
    """Everything the archive says about meetups, talks and cited arXiv papers.

    Args:
        archive: an object with ``files()`` and ``read(path)`` (see ``explorer.ingest.archive``).
        progress: called with each file's path as it is read (drive a progress bar with it).

    Returns:
        The corpus; unreadable files and rows become ``ParseWarning``s, never exceptions.
    """
    corpus = Corpus()
    warn = corpus.warnings
    files = archive.files()
    texts: dict[str, str] = {}
    pdfs: list[str] = []
    for path in files:
        if path.lower().endswith(".pdf"):
            pdfs.append(path)
            continue
        if progress:
            progress(path)
        try:
            text = decode(archive.read(path), path, warn)
        except Exception as e:  # noqa: BLE001 - one unreadable file must not stop the rest
            warn.append(ParseWarning(path, f"cannot read: {e}"))
            continue
        if text is not None:
            texts[path] = text

    rows: list[TableRow] = []
    placeholders: dict[str, int] = {}
    if ROOT in texts:
        rows, table_warnings = parse_table(tidy_spaces(texts[ROOT]), ROOT, placeholders)
        warn.extend(table_warnings)
    else:
        warn.append(ParseWarning(ROOT, "no root README with the talks table"))
    pages: dict[str, tuple[str, MeetupPage, str]] = {}
    by_title: set[str] = set()  # keys of pages found by their title, not their folder
    # A folder's README is its page; another page in that folder ('notes.md') comes second.
    for path, text in sorted(texts.items(), key=lambda pt: (not is_readme(pt[0]), pt[0])):
        if path == ROOT:
            continue
        base = path.rsplit("/", 1)[0] if "/" in path else ""
        key = page_key(path)
        try:
            page = parse_page(text, base, tuple(r.title for r in rows if r.meetup_key == key))
        except Exception as e:  # noqa: BLE001 - a layout bug must cost one page, not the corpus
            warn.append(ParseWarning(path, f"page could not be parsed ({type(e).__name__}: {e})"))
            continue
        if page.cut_at is not None:
            warn.append(ParseWarning(path, f"the page lists more than {MAX_TALKS} talks; the "
                                     "ones from here on are left out", page.cut_at))
        for line, title in page.unmatched:
            warn.append(ParseWarning(path, f"description {title!r} matches no talk on the "
                                     "agenda and names no speaker; left out", line))
        for line, who in page.unpaired:
            warn.append(ParseWarning(path, f"agenda line names {who!r} but no talk title that can "
                                     "be paired with it; left out", line))
        by_folder, key = key is not None, key or title_key(page.title)
        if key is None:
            warn.append(ParseWarning(path, "cannot tell which meetup this page is about"))
            continue
        if key in by_title and by_folder:  # a folder names its meetup more surely than a title
            warn.append(ParseWarning(pages[key][0], f"titled as meetup {key}, but {path} is "
                                     "that meetup's own folder page; ignored"))
        elif key in pages:
            warn.append(ParseWarning(path, f"second page for meetup {key} "
                                     f"(first: {pages[key][0]}); ignored"))
            continue
        pages[key] = (path, page, blank_comments(text))  # arXiv ids in comments are no refs
        if by_folder:
            by_title.discard(key)
        else:
            by_title.add(key)

    by_key: dict[str, list[TableRow]] = {}
    for r in rows:
        by_key.setdefault(r.meetup_key, []).append(r)
    warn.extend(ParseWarning(ROOT, f"meetup {k} is only a placeholder row here (no date, "
                             "speaker or topic) and has no page: nothing is known about it",
                             line) for k, line in placeholders.items()
                if k not in by_key and k not in pages)
    keys = sorted(set(by_key) | set(pages), key=lambda k: (not k.isdigit(), int(k) if
                                                             k.isdigit() else 0, k))
    known = {}
    for k in keys:
        d = next((r.date for r in by_key.get(k, []) if r.date), None) or (
            pages[k][1].date if k in pages else None)
        if d and k.isdigit():
            known[int(k)] = d

    spans: dict[str, list[tuple[Talk, PageTalk]]] = {}
    for k in keys:
        krows, (path, page, _) = by_key.get(k, []), pages.get(k, (None, None, None))
        number = int(k) if k.isdigit() else None
        table_date = next((r.date for r in krows if r.date), None)
        krows = [r for r in krows if not r.tba]  # 'TBA | TBA': a date, no talk yet
        day = table_date or (page.date if page else None)
        if page and page.date and table_date and page.date != table_date:
            warn.append(ParseWarning(path, f"page says {page.date}, the root table says "
                                     f"{table_date}; using the table"))
        if day is None and page and page.month_day:
            day = infer_year(number, page.month_day, known)
        corpus.date_sources[k] = ("table" if table_date else "page" if page and page.date
                                  else "inferred" if day else "none")
        slots = page.talks if page else []
        pairs, matched = merge_talks(krows, slots)
        stale = (page is not None and matched == 0 and any(not _is_intro(r) for r in krows)
                 and any(not _is_intro(s) for s in slots))
        if stale:
            warn.append(ParseWarning(path, "none of the page's talks is in the root table for "
                                     f"meetup {k}; the page seems to describe another event, "
                                     "its extra talks are left out"))
            pairs = [(r, s) for r, s in pairs if r is not None]
        title = (page.title if page and page.title else
                 "AI Summit Vienna" if k == "AI" else
                 f"{_ordinal(number)} Vienna Deep Learning Meetup" if number else k)
        corpus.meetups.append(Meetup(key=k, number=number, title=title, date=day,
                                     venue=(page.venue if page else None) or next(
                                         (r.venue for r in by_key.get(k, []) if r.venue), None),
                                     meetup_url=page.meetup_url if page else None,
                                     source_path=path))
        ids: set[str] = set()
        for row, slot in pairs:
            if row is None and slot.kind in (TALK, SHORT_TALK) and slot.abstract \
                    and not slot.speakers and slot.sources < 2:  # on the agenda too: a talk
                warn.append(ParseWarning(path, f"description {slot.title!r} names no speaker, "
                                         "is on no agenda and matches no talk of the root "
                                         "table; left out", slot.line or None))
                continue
            if row and slot and not row.intro and _title_score(row.title, slot.title) < 0.3 \
                    and not UNKNOWN_TITLE.match(row.title.strip()):
                warn.append(ParseWarning(path, f"the root table's {row.title!r} is matched by "
                                         f"its speaker to the page's {slot.title!r}; the "
                                         "table's title is used", slot.line or None))
            talk = _talk(k, row, slot)
            if page is not None and page.cancelled and talk.kind in (TALK, SHORT_TALK):
                talk.kind = CANCELLED  # 'This meetup has been cancelled': no talk was held
            base_id = talk_id(k, talk.title)
            talk.id, n = base_id, 2
            while talk.id in ids:
                talk.id, n = f"{base_id}-{n}", n + 1
            ids.add(talk.id)
            if row is not None:
                row.talk_id = talk.id  # the row's arXiv links are this talk's
            corpus.talks.append(talk)
            if slot is not None:
                spans.setdefault(k, []).append((talk, slot))
    _drop_copied_urls(corpus, pages, by_key)
    table_refs(corpus, rows)
    _collect_refs(corpus, archive, pages, spans, pdfs, progress)
    return corpus


def _drop_copied_urls(corpus: Corpus, pages: dict, by_key: dict) -> None:
    """A meetup.com link shared by two meetups belongs to the one whose page date is right."""
    seen: dict[str, list[int]] = {}
    for i, m in enumerate(corpus.meetups):
        if m.meetup_url:
            seen.setdefault(m.meetup_url, []).append(i)
    for idx in seen.values():
        for i in idx[1:] if len(idx) > 1 else []:
            m = corpus.meetups[i]
            page = pages.get(m.key, (None, None))[1]
            if page is not None and page.date != m.date:
                corpus.meetups[i] = Meetup(**{**m.__dict__, "meetup_url": None})


def _collect_refs(corpus, archive, pages, spans, pdfs, progress) -> None:
    seen = {(r.meetup_key, r.arxiv_id) for r in corpus.refs}  # the root table's come first

    def add(ident, key, talk, context, path):
        if (key, ident) not in seen:
            seen.add((key, ident))
            corpus.refs.append(ArxivRef(ident, key, talk.id if talk else None, context, path))

    for key, (path, page, text) in pages.items():
        if not any(m.key == key for m in corpus.meetups):
            continue
        lines = text.splitlines()
        for talk, slot in spans.get(key, []):
            for first, last in slot.ranges():
                for ident, ctx in find_arxiv_ids("\n".join(lines[max(first - 1, 0): last])):
                    add(ident, key, talk, ctx, path)
        for talk, note in owned_footnotes(lines, spans.get(key, [])):  # '[^3]: arXiv:...'
            for ident, ctx in find_arxiv_ids(note):
                add(ident, key, talk, ctx, path)
        intro = next((t for t in corpus.talks if t.meetup_key == key and t.kind == INTRO), None)
        for ident, ctx in find_arxiv_ids(text):
            add(ident, key, intro, ctx, path)

    pdf_refs(corpus, archive, pdfs, add, progress)


def main(argv: list[str]) -> int:
    """``python -m explorer.ingest.parser ARCHIVE_DIR``: per-meetup counts (TSV) and warnings."""
    from explorer.ingest.archive import open_archive

    if len(argv) != 1:
        print("usage: python -m explorer.ingest.parser ARCHIVE_DIR|github", file=sys.stderr)
        return 2
    corpus = parse_archive(open_archive(argv[0]))
    print("meetup\tdate\ttalks\tshort\tintro\tcancelled\trefs\ttitle")
    for m in corpus.meetups:
        kinds = [t.kind for t in corpus.talks if t.meetup_key == m.key]
        refs = sum(r.meetup_key == m.key for r in corpus.refs)
        print(f"{m.key}\t{m.date or ''}\t{kinds.count(TALK)}\t{kinds.count(SHORT_TALK)}\t"
              f"{kinds.count(INTRO)}\t{kinds.count(CANCELLED)}\t{refs}\t{m.title}")
    counted = sum(t.kind in (TALK, SHORT_TALK) for t in corpus.talks)
    print(f"total\t\t{counted}\t\t\t\t{len(corpus.refs)}\t{len(corpus.meetups)} meetups")
    for w in corpus.warnings:
        print(f"warning\t{w}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
