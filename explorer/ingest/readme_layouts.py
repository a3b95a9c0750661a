"""Meetup README pages in all their layouts -> metadata and agenda slots (before merging)."""

from __future__ import annotations

import re

from explorer.domain import CANCELLED, INTRO
from explorer.ingest.abstract_lists import LEAD_IN, in_list, plain_item
from explorer.ingest.dates import dated_venue, parse_date
from explorer.ingest.mdtext import (
    _LINK,
    fold,
    is_intro,
    links,
    resolve_link,
    strip_html,
    strip_md,
    tidy_spaces,
    trim_symbols,
)
from explorer.ingest.readme_agenda import (
    PageTalk,
    agenda_line,
    link_urls,
    speaker_line,
    table_talks,
)
from explorer.ingest.readme_lines import (
    _ARXIV_MENTION,
    _BULLET,
    _CALL,
    _CLOSERS,
    _LABEL,
    _TIME,
    MAX_HEADER,
    MAX_TALKS,
    TRAILING_MEDIA,
    LineReader,
)
from explorer.ingest.readme_meta import MeetupPage, meta_line
from explorer.ingest.sections import PAST, TRANSLATION, foreign_sections
from explorer.ingest.slots import (
    BIO_HEAD,
    CANCEL_NOTE,
    DETAILS_INTRO,
    TALK_NUMBER,
    about_speaker,
    introduces,
    merge_twins,
    same_title,
    split_marker,
)
from explorer.ingest.speaker_agenda import pair_speaker_lines

# 'Speaker: A, Org' / '- Presenters: A & B': a credit line, whatever talk layout is around it.
_CREDIT_LABEL = re.compile(r"^(?:[-*•]\s*)?(?:speakers?|presenters?|presented by)\s*:",
                           re.IGNORECASE)


# A bare video address on a line ('Recording: https://youtu.be/abc').
_VIDEO = re.compile(r"https?://(?:www\.)?(?:youtu\.be|youtube\.com|vimeo\.com)/[^\s)>\]]+")


def credited(talk: PageTalk, title: str) -> None:
    """An agenda talk titled with this title and then its credit ('Ice Cores with Wenzel
    Aigner (Frostline)' for 'Ice Cores') gets both: its details show where the title ends."""
    if talk.speakers or len(title) < 8:
        return
    for cut in re.finditer(r"\s+(?:with|by|[-–—,:])\s+", talk.title):
        if fold(talk.title[:cut.start()]) == fold(title) and (
                sp := speaker_line(talk.title[cut.end():])):
            talk.title, (talk.speakers, talk.affiliations) = title, sp
            return


class _Reader(LineReader):
    def __init__(self, text: str, base_dir: str, known: tuple[str, ...] = ()):
        self.known = known  # the root table's titles of this meetup: '### <one>' is its talk
        self.lines = text.splitlines()
        self.base = base_dir
        self.page = MeetupPage()
        self.cur: PageTalk | None = None
        self.cancel_next = False
        self.cancel_line: int | None = None  # a marker was cut from this line (index)
        self.in_bio = False  # lines go to the current talk's speaker bio
        self.closed: PageTalk | None = None
        self.at = 0  # the line being read (index)
        self.unmatched: list[tuple[int, str]] = []  # (line, title) of orphan descriptions
        self.labelled: list[tuple[str, str, bool]] = []  # (label, url, is video): link lists
        self.foreign = foreign_sections(self.lines)  # translations and looks back
        self.tables = {first: (end, slots) for first, end, slots in table_talks(self.lines,
                                                                                 base_dir)}

    def start(self, talk: PageTalk) -> None:
        if self.cancel_next or (self.cancel_line is not None and talk.line == self.cancel_line + 1):
            talk.kind, self.cancel_next = CANCELLED, False
        if talk.number is None and (n := TALK_NUMBER.search(self.lines[talk.line - 1]
                                                            if talk.line else "")):
            talk.number = int(n[1])
        self.close()
        if len(self.page.talks) >= MAX_TALKS:  # pathological: see MAX_TALKS
            self.page.cut_at = self.page.cut_at or talk.line or None
            return
        self.cur = talk
        self.page.talks.append(talk)

    def close(self) -> None:
        """Ends the current talk's section at line ``self.at`` (a next talk, a heading, a
        closer): a described talk's lines run to the line before it, so a short line after
        its description ('Paper: arXiv:...') is still the talk's; a list item or table row
        is one line."""
        t = self.cur
        head = self.lines[(t.since or t.line) - 1].strip() if t and (t.since or t.line) else ""
        if t is not None and (t.abstract or t.bio or not (
                _BULLET.match(head) or head.startswith("|"))):
            t.end_line = max(t.end_line, self.at)
        self.closed = t or self.closed  # the talk whose section ended last
        self.cur = None
        self.in_bio = False

    def sub_item(self, i: int) -> bool:
        """Line ``i`` is a list item nested under the current talk's own list item."""
        t = self.cur
        head = self.lines[(t.since or t.line) - 1] if t is not None and (t.since or t.line) \
            else ""
        indent = len(self.lines[i]) - len(self.lines[i].lstrip())
        return bool(_BULLET.match(head.strip())) and indent > len(head) - len(head.lstrip())

    def resume(self, i: int) -> int | None:
        """A details header naming a talk already on the agenda ('(3) Title', 'Talk 2:
        Title', a title line): that talk's description follows, whatever its position."""
        s = self.lines[i].strip()
        plain = trim_symbols(_BULLET.sub("", strip_md(s).lstrip("#").strip()))  # "### 🎤 Talk 2: T"
        if not plain or len(plain) > 200 or plain.endswith((".", ",")) or not self.page.talks:
            return None
        m = _LABEL.match(plain)
        body = m["rest"] if m else plain
        found = agenda_line(body)
        title = found[0] if found else re.sub(r"\s*\([^()]*\)\s*$", "", body)
        k = self.nonblank(i + 1, 2)
        follows = k is not None and (speaker_line(self.lines[k]) or len(
            strip_md(self.lines[k]).split()) >= 6) and not _BULLET.match(self.lines[k].strip())
        ordered = re.match(r"^\(\d+\)\s", s) is not None
        if not follows and not ordered:
            return None
        twin = next((t for t in self.page.talks if t is not self.cur and title
                     and same_title(t.title, title)), None)
        if twin is not None:
            credited(twin, title)
        if twin is None:
            if ordered and not (found and found[1]):  # '(3) Title' and no agenda item of it
                self.unmatched.append((i + 1, title))
                self.close()
                return i + 1
            return None
        self.close()
        self.cur = twin
        twin.sources += 1
        twin.spans.append(twin.ranges()[-1])  # its details start here, not at its agenda line
        twin.since = twin.end_line = i + 1
        if found and found[1] and not twin.speakers:
            twin.speakers, twin.affiliations = found[1], found[2]
        return self.credits(twin, i + 1)

    def link_lists(self) -> None:
        """Collects '[[PDF - Title](...)]' links anywhere on the page (they name their talk)."""
        for s in self.lines:
            for label, target in links(s):
                label = label.lstrip("[ ")
                if re.match(r"^(pdf|slides?|video|recording)\s*[-–:]", label, re.IGNORECASE):
                    url = resolve_link(self.base, target)
                    if url:
                        video = link_urls(f"[{label}]({target})", self.base)[1] is not None
                        self.labelled.append((re.split(r"[-–:]", label, 1)[1], url, video))

    def run(self) -> MeetupPage:
        self.link_lists()
        i, n = 0, len(self.lines)
        while i < n:
            self.at = i
            if self.foreign[i] == PAST or self.foreign[i] == TRANSLATION and self.page.talks:
                self.close()  # a talk of another evening, or one this page already gave
                i += 1
                continue
            if i in self.tables:
                end, slots = self.tables[i]
                for slot in slots:
                    self.start(slot)
                self.close()
                i = end
                continue
            s = self.lines[i].strip()
            plain = strip_md(s)
            if meta_line(self.page, s):
                i += 1
                continue
            if s.startswith("# ") and not self.page.title:
                self.page.title = trim_symbols(strip_md(s[2:]))  # '60th ... Meetup 🎉'
                i += 1
                continue
            if len(s) > MAX_HEADER:
                self.prose(i, s, strip_md(s))
                i += 1
                continue
            if self.cur is None and BIO_HEAD.match(s) and (last := self.ruled_off(i)):
                self.cur = last  # its abstract, a rule '---', then 'About the speaker'
            about = about_speaker(s, self.cur.speakers) if self.cur is not None else None
            if self.cur is not None and (about is not None or (bio := BIO_HEAD.match(s))):
                self.in_bio = True  # 'About the speaker:', 'About Ada:' (+ the bio's text)
                rest = strip_md(about if about is not None else bio["rest"])
                if rest:
                    self.cur.bio = f"{self.cur.bio}\n{rest}".strip()
                i += 1
                continue
            if DETAILS_INTRO.match(plain) or re.match(r"\[\^[^\]\s]{1,20}\]:", s):
                self.close()  # a footnote's text ('[^1]: ...') is no talk's abstract
                i += 1
                continue
            if (self.cur is not None and self.cur.kind == INTRO and _BULLET.match(s)
                    and _ARXIV_MENTION.search(s)):
                i += 1  # 'Ada Berg: a paper, arXiv:...' in hot topics: a paper, not a talk
                continue
            if self.cur is not None and self.credit(plain):
                i += 1  # '**Speaker:** [Name](profile), Org': a credit, never a talk's title
                continue
            nxt = self.talk_at(i) if s else None
            if nxt is not None:
                if self.cur is not None:
                    self.cur.end_line = nxt
                i = nxt
                continue
            if _BULLET.match(s) and self.sub_item(i):
                self.cur.end_line = max(self.cur.end_line, i + 1)  # '  - Paper: arXiv:...'
            elif _BULLET.match(s) and links(s) and all(
                    _ARXIV_MENTION.search(t) for _, t in links(s)) and not (
                    self.cur is not None and self.cur.kind == INTRO):
                self.close()  # '* [Mamba](https://arxiv.org/abs/...)' after a talk: the
                # meetup's reading list, not that talk's (hot topics keep theirs)
            elif _BULLET.match(s) and not links(s) and not (
                    self.cur is not None and (self.cur.abstract or self.in_bio)):
                self.close()  # the next item of a list that is not a talk
            if (re.fullmatch(r"\*\*[^*]{1,120}\*\*:?", s) and not (
                    self.cur is not None and self.cur.kind == INTRO) and not re.match(
                    r"(?:talk )?(?:abstract|summary|description)\b", plain, re.IGNORECASE)
                    and not (self.cur is not None and not self.in_bio and self.listed(
                        i, s, plain))):  # '**Topics covered:**' opens the abstract's list
                self.close()  # '**Conference Review:**', '**Panel**': a section of no talk
                i += 1
                continue
            closer = _CLOSERS.match(re.sub(r"^[^\w]{1,5}", "", plain))  # '*) This meetup ...'
            if (not s or re.fullmatch(r"[-*_]{3,}", s) or s.startswith(("#", "::"))
                    or closer or _TIME.match(plain)):
                if s:  # a rule, a header, '::', a closer or a time ends the talk; a blank not
                    self.close()
                i += 1
                continue
            self.prose(i, s, plain)
            i += 1
        self.at = n
        self.close()
        return self.page

    def talk_at(self, i: int) -> int | None:
        """Reads a talk starting on line i (a cancel marker on it cancels the talk)."""
        original = self.lines[i]
        cut, marked = split_marker(original)
        if marked:
            self.lines[i], self.cancel_line = cut, i
        nxt = self.resume(i) or self.header_talk(i) or self.line_talk(i) or self.pair_talk(i)
        if marked:
            self.cancel_line = None
            if nxt is None:
                self.lines[i] = original  # no talk here: the word is prose
            elif self.cur is not None and self.cur.line <= i + 1:
                self.cur.kind = CANCELLED
        return nxt

    def credit(self, plain: str) -> bool:
        """A labelled credit line ('Speaker: A, Org') of the current talk: taken when the talk
        has no speakers yet or the line names the same people more fully."""
        if not _CREDIT_LABEL.match(plain) or not (sp := speaker_line(plain)):
            return False
        had = {fold(n).split()[-1] for n in self.cur.speakers if fold(n)}
        if had and not had <= {fold(n).split()[-1] for n in sp[0] if fold(n)}:
            return False  # other people: the line belongs to a talk not recognised here
        if len(sp[0]) >= len(self.cur.speakers) and (sp[1] or not self.cur.affiliations):
            self.cur.speakers, self.cur.affiliations = sp
        return True

    def listed(self, i: int, s: str, plain: str) -> bool:
        """A short line of the abstract's own list, which goes on from kept abstract text:
        a lead-in ('Topics include:') right before list items, or a list item right after
        a kept line (or after a kept line ending in ':', a blank between). The evening's
        lists after an abstract ('Our sponsors:', '* Doors open at 18:00') are not its."""
        if not self.cur.abstract or len(plain) > 200:
            return False
        prev = next((j for j in range(i - 1, -1, -1) if self.lines[j].strip()), None)
        if prev is None or self.cur.end_line != prev + 1:  # the line before was not kept
            return False
        if plain.endswith(":"):
            k = self.nonblank(i + 1, 1)
            return bool(LEAD_IN.search(plain)) and k is not None and (bool(
                _BULLET.match(self.lines[k].strip())) or plain_item(self.lines, k))
        after = prev == i - 1 or strip_md(self.lines[prev].strip()).endswith(":")
        return after and (bool(_BULLET.match(s)) or (
            plain_item(self.lines, i) and in_list(self.lines, prev)))

    def ruled_off(self, i: int) -> PageTalk | None:
        """The talk read last, if only blank lines and a rule separate it from line i."""
        last = self.closed
        if last is None or not last.abstract or last.end_line > i:
            return None
        between = [self.lines[j].strip() for j in range(last.end_line, i)]
        return last if all(not b or re.fullmatch(r"[-*_]{3,}", b) for b in between) else None

    def wraps(self, i: int, s: str) -> bool:
        """Line i goes on with the sentence of the kept line right above it ('... We port them
        to' / 'microcontrollers:'): a paragraph wrapped there, not a line of its own."""
        prev = self.lines[i - 1].strip() if i else ""
        kept = self.cur.bio if self.in_bio else self.cur.abstract
        return bool(prev and kept and self.cur.end_line == i and not _BULLET.match(s)
                    and not _BULLET.match(prev) and kept.endswith(strip_md(prev))
                    and not strip_md(prev).endswith((".", "!", "?", ":")))

    def prose(self, i: int, s: str, plain: str) -> None:
        """A line of text: the current talk's abstract, or its speaker bio."""
        if self.cur is None:  # '## Speakers' / '**Ada Berg** is a researcher at ...'
            owners = [t for t in self.page.talks if introduces(plain, t.speakers)]
            if len(owners) == 1 and plain.endswith(".") and plain not in owners[0].bio:
                owners[0].bio = f"{owners[0].bio}\n{plain}".strip()
            return
        if not self.cur.slides_url and links(s) and re.search(r"slides", s, re.IGNORECASE):
            self.cur.slides_url = self.slides_in(s)
            # 'Sparse patterns make it cheap. [Slides](a.pdf) · [Video](...)': the text stays
            plain = strip_md(_LINK.sub("", s)).strip(" ·|,;-–—")
        elif strip_md(bare := TRAILING_MEDIA.sub("", s)) and bare != s:
            plain = strip_md(bare).strip(" ·|,;-–—")  # '... documents. [arXiv](...) · [code](...)'
        ends = plain.rstrip("\"'”’»)").endswith((".", "?", "!"))  # '> "... a regulariser."'
        if (len(plain.split()) >= 6 or ends or self.listed(i, s, plain) or self.wraps(
                i, s)) and not (
                self.cur.kind == INTRO and _CALL.search(plain)) and not is_intro(
                re.sub(r"^\(optional\)\s*", "", plain)):
            text = re.sub(r"^(?:abstract|summary)\s*:\s*", "", plain, flags=re.IGNORECASE)
            if CANCEL_NOTE.match(text):
                self.cur.kind = CANCELLED
                return
            if self.cur.abstract and not self.in_bio and introduces(text, self.cur.speakers):
                self.in_bio = True  # 'Ada Berg is a researcher at ...' after the abstract
            if (about := about_speaker(text, self.cur.speakers)) is not None:
                self.in_bio, text = True, about  # a long 'About Ada: Ada leads ...'
            if self.in_bio:
                self.cur.bio = f"{self.cur.bio}\n{text}".strip()
            else:
                self.cur.abstract = f"{self.cur.abstract}\n{text}".strip()
            self.cur.end_line = i + 1
        if self.cur.video_url is None:
            self.cur.video_url = next((resolve_link(self.base, t) for _, t in links(s)
                                       if re.search(r"youtu|vimeo", t)), None) or (
                bare[0] if (bare := _VIDEO.search(_LINK.sub("", s))) and not re.search(
                    r"stream|/live/", s, re.IGNORECASE) else None)  # the evening's stream


def parse_page(text: str, base_dir: str, known: tuple[str, ...] = ()) -> MeetupPage:
    """Metadata and agenda slots of one meetup README.

    Args:
        text: the README (already decoded).
        base_dir: its archive folder, against which relative links resolve.
        known: titles the root table lists for this meetup (a page without an agenda may
            describe them under headings of their titles alone).

    Returns:
        The page; a slot named twice (agenda line and details block) appears once.
    """
    text, unpaired = pair_speaker_lines(tidy_spaces(strip_html(text).replace(
        "\t", "    ").replace("\xa0", " ")))
    reader = _Reader(text, base_dir, known)  # '18:45 Ada Berg (Org)' over '### Title'
    page = reader.run()
    if not page.date and not page.month_day:
        head = " ".join(line for line in reader.lines[:12])
        page.date, page.month_day = parse_date(head)
    page.venue = page.venue or dated_venue(reader.lines[:30])
    merged = merge_twins(page.talks)
    page.unmatched = reader.unmatched
    page.unpaired = [(n, who) for n, who in unpaired if not any(  # not credited elsewhere
        fold(s) in fold(who) for t in merged for s in t.speakers)]
    for label, url, video in reader.labelled:
        for t in merged:
            if (t.video_url if video else t.slides_url) is None and (same_title(label, t.title) or (
                    t.kind == INTRO and is_intro(label))):
                if video:
                    t.video_url = url
                else:
                    t.slides_url = url
                break
    page.talks = merged
    return page
