"""The root README's talks table: one row per talk with date, meetup number, speaker, topic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from explorer.domain import CANCELLED, SHORT_TALK, TALK, ArxivRef, ParseWarning
from explorer.ingest.arxiv_ids import find_arxiv_ids
from explorer.ingest.dates import parse_date
from explorer.ingest.htmltable import pipe_tables
from explorer.ingest.mdtext import (
    ORGANIZERS,
    blank_comments,
    fold,
    is_intro,
    links,
    resolve_link,
    split_people,
    strip_html,
    strip_md,
    trim_symbols,
    unquote,
)
from explorer.ingest.readme_agenda import VIDEO_URL
from explorer.ingest.readme_lines import _LABEL as TALK_LABEL
from explorer.ingest.slots import split_marker


@dataclass
class TableRow:
    """One talk row of the root README table (``| Date | # | Speaker | Topic | Slides | ...``)."""

    meetup_key: str
    date: str | None
    title: str
    speakers: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    slides_url: str | None = None
    video_url: str | None = None
    intro: bool = False
    line: int = 0
    kind: str = TALK  # CANCELLED or SHORT_TALK when the topic cell says so
    tba: bool = False  # no talk (yet): 'TBA | TBA', 'Networking'; it dates its meetup
    venue: str | None = None  # a 'Venue' / 'Location' column's cell
    refs: list[tuple[str, str]] = field(default_factory=list)  # arXiv (id, context) of the talk
    shared_refs: list[tuple[str, str]] = field(default_factory=list)  # of a cell talks share
    talk_id: str | None = None  # the talk made of this row (set by the parser)


# 'Short talk: T', 'T (lightning talk)': the kind of the talk, no part of its title.
_SHORT = re.compile(r"^(?:short|lightning)\s+talk\s*\d*\s*[:.–—-]\s*|"
                    r"\s*\((?:short|lightning)\s+talk\)", re.IGNORECASE)


# A row's title that only says the title is not known yet ('Talk title TBA', 'Title: TBD',
# '(to be announced)'): the title of the page's talk it is matched to is the talk's title.
UNKNOWN_TITLE = re.compile(r"^\(?(?:(?:talk\s+)?title\s*[:-]?\s*)?(?:tba|tbd|t\.b\.[ad]\.|\?+|"
                      r"to be (?:announced|confirmed|determined))\.?\)?$", re.IGNORECASE)
# A speaker cell that only says the speaker is not known yet ('TBA', 'tbd', '?', 'N.N.',
# 'Speaker TBA'): no speaker and no affiliation.
UNKNOWN_SPEAKER = re.compile(r"^\(?(?:speakers?\s*[:-]?\s*)?(?:tba|tbd|t\.b\.[ad]\.|\?+|"
                        r"n\.\s?n\.?|to be (?:announced|confirmed|determined))\.?\)?$",
                        re.IGNORECASE)


def iso_date(text: str) -> str | None:
    """'2019-10-29', '2019‑10‑29' (other hyphens), '29.10.2019', '29.10.19', 'Oct 29, 2019' ->
    '2019-10-29'; a cell without a full valid date (no year, '10/29/2019' whose day and month
    order is unsure) -> None."""
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = _first_day(text)
    text = re.sub(r"\b(\d{1,2}\.\d{1,2}\.)(\d{2})\b(?!\.\d)", r"\g<1>20\2", text)  # the archive is 2016+
    return parse_date(text)[0]


# A range of days ('23-24 Sep 2027', 'Sep 23-24, 2027', '23.-24.09.2027'): its first day.
_RANGES = [(re.compile(r"(?<![-\d.])\b(\d{1,2})\.?\s*-\s*\d{1,2}\.?(?=\s*[A-Za-z]{3})"), r"\1"),
           (re.compile(r"\b([A-Za-z]{3,}\.?\s+\d{1,2})(?:st|nd|rd|th)?\s*-\s*\d{1,2}"
                       r"(?:st|nd|rd|th)?\b"), r"\1"),
           (re.compile(r"\b(\d{1,2})\.\s*-\s*\d{1,2}\.(?=\d{1,2}\.\d{2,4}\b)"), r"\1.")]


def _first_day(text: str) -> str:
    for pattern, first in _RANGES:
        text = pattern.sub(first, text)
    return text


def meetup_key(cell: str) -> str | None:
    """'57', '#57', 'No. 57', 'Meetup 57' -> '57', 'AI' -> 'AI', '' or '...' -> None."""
    cell = re.sub(r"^(?:(?:meetup|no|nr)\b\.?\s*)?#?\s*(?=\d)", "", strip_md(cell).strip(),
                  flags=re.IGNORECASE)
    if re.fullmatch(r"\d{1,4}", cell):
        return str(int(cell))
    if re.fullmatch(r"[A-Za-z][\w-]{0,15}", cell):
        return cell.upper() if cell.lower() == "ai" else cell
    return None


# A link to the talk's material in its topic cell ('T [slides](x.pdf)'): no title words.
_MATERIAL = re.compile(r"\[\s*(?:slides?|pdf|video|recording|youtube)\s*\]\(\s*<?[^()\s<>]+>?\s*\)",
                       re.IGNORECASE)
# A link to a speaker's profile ('([LinkedIn](...))', '· [@ada](...)', '[🔗](...)'): no name
# and no organisation; a link on the name itself ('[Ada Berg](...)') stays the name.
_PROFILE_LINK = re.compile(r"\s*[·•]?\s*\(?\s*\[(?:linkedin|twitter|x|github|mastodon|bluesky|"
                      r"(?:google )?scholar|orcid|(?:personal )?(?:web|website|homepage|home "
                      r"page)|@[^\[\]]*|[^\w\[\]]*)\]\([^()\s]*\)\s*\)?", re.IGNORECASE)
# A date or '#' cell that repeats the row above: left blank, '"', '〃', 'ditto'.
_DITTO = re.compile(r"|\"|''|〃|ditto|same", re.IGNORECASE)
# A row that only names a slot of the evening ('Networking & Drinks', 'Pizza', 'Break').
_SLOT = re.compile(r"(?:(?:welcome|networking|wrap[- ]?up|(?:coffee )?break|q&a|open discussions?|"
                   r"doors open|end|drinks|pizza|food|snacks|get[- ]together|socializing)"
                   r"[\s&,+/.!]*(?:and\s+)?)+", re.IGNORECASE)
_BARE = re.compile(r"https?://[^\s<>|]+")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|") if not body.endswith("\\|") else body
    # '\|' is a pipe inside a cell ('Owls \| Bats'), not a cell border
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", body)]


# Header names ('Speaker(s)', '**Topic**', 'No.') -> the column they are.
_HEADS = {"date": "date", "speaker": "speaker", "speakers": "speaker", "speaker s": "speaker",
          "presenter": "speaker", "presenters": "speaker", "topic": "topic", "title": "topic",
          "talk": "topic", "slides": "slides", "details": "details", "video": "video",
          "videos": "video", "recording": "video", "venue": "venue", "location": "venue",
          "when": "date", "day": "date", "talk title": "topic", "title of the talk": "topic",
          "speaker s name": "speaker", "speaker name": "speaker"}
_KEYS = ("#", "no", "nr", "meetup #", "meetup", "meetup no", "meetup nr", "event", "vdlm",
         "vdlm #", "edition")


def _header(cells: list[str]) -> dict[str, int] | None:
    """Column of each field if the cells are a talks table's header, else None."""
    cols: dict[str, int] = {}
    for i, c in enumerate(cells):
        cols.setdefault(_HEADS.get(fold(c), ""), i)
    keys = [strip_md(c).strip(" .:").lower() for c in cells]
    key_col = next((keys.index(k) for k in _KEYS if k in keys), None)
    if key_col is None or not {"date", "speaker", "topic"} <= cols.keys():
        return None
    cols.pop("", None)
    return {**cols, "key": key_col}


def parse_table(text: str, path: str = "README.md", placeholders: dict[str, int] | None = None
                ) -> tuple[list[TableRow], list[ParseWarning]]:
    """Talk rows of the first table whose header names Date, #, Speaker and Topic.

    Args:
        text: the root README.
        path: its archive path, for warnings.
        placeholders: filled with meetup key -> line of each placeholder row, if given.

    Returns:
        (rows in table order, warnings); placeholder rows (no speaker and no topic) are skipped.
    """
    rows: list[TableRow] = []
    warnings: list[ParseWarning] = []
    cols: dict[str, int] | None = None
    prev_line = 0
    last: tuple[dict[str, int], int] | None = None  # the last talks table's columns, width
    unread = False
    # rows in an HTML comment are hidden, not talks; a comment's lines stay, blank; an HTML
    # table's rows are read as pipe rows
    for lineno, line in enumerate(pipe_tables(blank_comments(text)).splitlines(), 1):
        if not re.search(r"(?<!\\)\|", line):  # a table line may leave out its outer pipes
            if cols is not None and rows and line.strip():
                cols = None  # the table ended; a later table may start again
            continue
        cells = _cells(line)
        if cols is None and len(cells) > 40:
            continue  # no talks table has that many columns (and a row of '|' is no header)
        if cols is None:
            cols = _header(cells)
            if cols is not None:
                last = (cols, len(cells))
                continue
            if last is None or not _goes_on(cells, *last):
                if last is None and not unread and {"date", "speaker", "topic"} & {
                        _HEADS.get(fold(c)) for c in cells} == {"date", "speaker", "topic"}:
                    unread = True  # the talks table's header, without a meetup number column
                    warnings.append(ParseWarning(path, "a talks table whose header names no "
                                                 "meetup number column ('#'); its rows are "
                                                 "not read", lineno))
                continue
            cols = last[0]  # the talks table goes on after a heading ('### 2026')
        if all(re.fullmatch(r":?-*:?", c) for c in cells):
            continue  # the |---|---| separator
        if _header(cells) is not None:
            continue  # the header repeated further down the table
        above = rows[-1] if rows and rows[-1].line == prev_line else None  # the row just above
        prev_line = lineno
        need = max(cols["date"], cols["key"], cols["speaker"], cols["topic"]) + 1
        if len(cells) < need:
            if any(c.strip(" .") for c in cells):
                warnings.append(ParseWarning(path, f"table row has {len(cells)} cells, "
                                        f"expected at least {need}", lineno))
            continue
        for part, own in _br_parts(cells, cols):
            row = _row(part, cols, lineno, above, path, warnings, placeholders)
            if row is not None:
                raw = " ".join(part[c] for c in own if c < len(part))
                shared = " ".join(c for i, c in enumerate(part) if i not in own)
                row.refs, row.shared_refs = find_arxiv_ids(raw), find_arxiv_ids(shared)
                rows.append(row)
    if last is None and not unread:
        warnings.append(ParseWarning(path, "no talks table (a header naming Date, #, Speaker "
                                     "and Topic) found; no talks read from it"))
    _one_date(rows, warnings, path)
    return _once(rows, warnings, path), warnings


def _goes_on(cells: list[str], cols: dict[str, int], width: int) -> bool:
    """A row without a header of its own, as wide as the talks table, with a meetup number
    and a date where the table has them: the talks table, split by a heading, goes on."""
    key = meetup_key(cells[cols["key"]]) if cols["key"] < len(cells) else None
    return (len(cells) == width and key is not None and key.isdigit()
            and iso_date(cells[cols["date"]]) is not None)


def _one_date(rows: list[TableRow], warnings: list[ParseWarning], path: str) -> None:
    """A meetup number dated otherwise in a later row (a numbering slip?) is named."""
    first: dict[str, TableRow] = {}
    for r in rows:
        f = first.setdefault(r.meetup_key, r) if r.date else first.get(r.meetup_key)
        if f is not None and r.date and f.date != r.date:
            warnings.append(ParseWarning(path, f"meetup {r.meetup_key} is dated {f.date} on line "
                                         f"{f.line} but {r.date} here; the talk is kept under "
                                         f"meetup {r.meetup_key} (is the number right?)", r.line))


def table_refs(corpus, rows: list[TableRow], path: str = "README.md") -> None:
    """The arXiv papers root-table rows link: the row's talk's; a cell several talks of a
    row share, and a row that made no talk, give them to the meetup only."""
    seen = {(r.meetup_key, r.arxiv_id) for r in corpus.refs}
    keys = {m.key for m in corpus.meetups}
    for row in rows:
        for refs, talk in ((row.refs, row.talk_id), (row.shared_refs, None)):
            for ident, ctx in refs:
                if row.meetup_key in keys and (row.meetup_key, ident) not in seen:
                    seen.add((row.meetup_key, ident))
                    corpus.refs.append(ArxivRef(ident, row.meetup_key, talk, ctx, path))


def _row(cells: list[str], cols: dict[str, int], lineno: int, above: TableRow | None,
         path: str, warnings: list[ParseWarning], placeholders: dict[str, int] | None
         ) -> TableRow | None:
    """The talk row of one talk's cells; None for a placeholder or unreadable row."""
    # HTML in a cell: '<br>' parts people ('Ada Berg<br>Jonas Kettl') and is a space in a
    # title; '<a href>' links keep their address; emoji around a title or name are decoration
    cells = [strip_html(_BR.sub({cols["topic"]: " ", cols["speaker"]: ", "}.get(i, " "), c))
             for i, c in enumerate(cells)]
    cells[cols["speaker"]] = _PROFILE_LINK.sub("", cells[cols["speaker"]])
    speaker_cell = ", ".join(trim_symbols(p) for p in re.split(r"\s*,\s*", cells[cols["speaker"]]))
    topic = trim_symbols(strip_md(_MATERIAL.sub(" ", cells[cols["topic"]])))
    # a struck-through topic ('~~T~~'), 'T (cancelled)', '[postponed] T': a cancelled talk
    topic, cancelled = split_marker(topic)
    cancelled = cancelled or re.fullmatch(r"~~[^~].*~~", cells[cols["topic"]]) is not None
    kind = CANCELLED if cancelled else SHORT_TALK if _SHORT.search(topic) else TALK
    topic = unquote(trim_symbols(_SHORT.sub("", topic).strip()))
    if (label := TALK_LABEL.match(topic)) and label["rest"]:
        topic = unquote(label["rest"])  # 'Talk 2: T', 'Keynote: "T"': the title is T
    key = meetup_key(cells[cols["key"]])
    if not strip_md(speaker_cell) and not topic:
        if key is not None and placeholders is not None:
            placeholders.setdefault(key, lineno)
        return None  # placeholder row such as "| ... | 42 | | |"
    date_cell = cells[cols["date"]]
    if key is None and above and _DITTO.fullmatch(strip_md(cells[cols["key"]])) and (
            _DITTO.fullmatch(strip_md(date_cell)) or iso_date(date_cell) == above.date):
        key, date_cell = above.meetup_key, above.date or ""  # 'same as above'
    if key is None:
        warnings.append(ParseWarning(path, f"table row without a meetup number "
                                f"({cells[cols['key']]!r})", lineno))
        return None
    day = iso_date(date_cell)
    if day is None and date_cell.strip(" ."):
        warnings.append(ParseWarning(path, f"unreadable date {date_cell!r}", lineno))
    unknown = UNKNOWN_SPEAKER.match(strip_md(speaker_cell)) is not None
    speakers, affils = ([], []) if unknown else split_people(speaker_cell)
    affils = [a for a in affils if fold(a) not in ORGANIZERS]  # the organizers' slot
    # 'Networking & Drinks', 'Pizza', 'Break': a slot of the evening; it dates, is no talk
    slot = not speakers and not is_intro(topic) and _SLOT.fullmatch(topic) is not None
    slides = video = None
    texts = [(c, cells[cols[c]]) for c in ("slides", "details", "video")
             if c in cols and cols[c] < len(cells)]
    texts.append(("slides", " ".join(_MATERIAL.findall(cells[cols["topic"]]))))
    # a link on the title to a PDF ('[T](slides/t.pdf)') is the slides; one to arXiv a paper
    texts.append(("slides", " ".join(f"[pdf]({t})" for _, t in links(cells[cols["topic"]])
                                     if re.search(r"\.pdf$", t.split("?")[0], re.IGNORECASE)
                                     and not find_arxiv_ids(t))))
    for col, cell in texts:
        # '[pdf](x.pdf)'; a cell with a bare address and no link: that address
        for label, target in links(cell) or [(u, u) for u in re.findall(_BARE, cell)]:
            url = resolve_link("", target)
            if not url:
                continue
            if "video" in label.lower() or VIDEO_URL.search(url):
                video = video or url
            elif col == "slides" and slides is None:
                slides = url
    return TableRow(meetup_key=key, date=day, title=topic or "(untitled)",
                    speakers=speakers, affiliations=affils, slides_url=slides,
                    video_url=video, intro=is_intro(topic, speakers), line=lineno,
                    kind=kind,
                    tba=slot or unknown and UNKNOWN_TITLE.match(topic) is not None,
                    venue=strip_md(cells[cols["venue"]]).strip(" -–—") or None
                    if cols.get("venue", len(cells)) < len(cells) else None)


# A title part that goes on from the one before ('Owls and<br>Bats', 'Owls<br>in the Dark'):
# no title of its own.
_OPEN_END = re.compile(r"(?:[:,&+/–—-]|\b(?:and|or|of|for|the|a|an|in|on|with|to|from|by|via|at|"
                       r"und|oder|der|die|das|mit|für|von))$", re.IGNORECASE)


def _br_parts(cells: list[str], cols: dict[str, int]) -> list[tuple[list[str], set[int]]]:
    """The cells of each talk of a row ('T1<br>T2' by 'A<br>B': two talks), with the columns
    that are that talk's own (a cell parted the same way); one row is one talk otherwise.
    Parted only when titles and speakers pair up: each title part starts a title, each
    speaker part names a person."""
    titles = [p.strip() for p in _BR.split(cells[cols["topic"]])]
    people = [p.strip() for p in _BR.split(cells[cols["speaker"]])]
    n = len(titles)
    plain = [trim_symbols(strip_md(strip_html(t))) for t in titles]
    if (n < 2 or len(people) != n or not all(plain)
            or any(not re.match(r"[\W\d]*[A-Z0-9ÀÖØ-Þ]", t) for t in plain[1:])
            or any(_OPEN_END.search(t) for t in plain[:-1])
            or any(not split_people(strip_html(p))[0] for p in people)):
        return [(cells, set(range(len(cells))))]
    own = {c for c in range(len(cells)) if len(_BR.split(cells[c])) == n}
    return [([_BR.split(c)[i] if j in own else c for j, c in enumerate(cells)], own)
            for i in range(n)]


def _once(rows: list[TableRow], warnings: list[ParseWarning], path: str) -> list[TableRow]:
    """A talk listed twice (same meetup, title and speakers, or one row without speakers) is
    one talk: the first row, with the links only the second has."""
    first: dict[tuple[str, str], TableRow] = {}
    out = []
    for r in rows:
        twin = first.get((r.meetup_key, fold(r.title)))
        if twin is None or r.tba or (r.speakers and twin.speakers and
                                {*map(fold, r.speakers)} != {*map(fold, twin.speakers)}):
            first.setdefault((r.meetup_key, fold(r.title)), r)
            out.append(r)
            continue
        twin.slides_url, twin.video_url = twin.slides_url or r.slides_url, twin.video_url or r.video_url
        twin.speakers, twin.affiliations = twin.speakers or r.speakers, twin.affiliations or r.affiliations
        twin.refs, twin.shared_refs = twin.refs + r.refs, twin.shared_refs + r.shared_refs
        warnings.append(ParseWarning(path, f"meetup {r.meetup_key}'s {r.title!r} is listed again "
                                f"(first on line {twin.line}); kept once", r.line))
    return out
