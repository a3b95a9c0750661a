"""Page slots, one talk once: cancel markers, talk numbers, speaker bios, and twins merged by title or number."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from explorer.domain import CANCELLED, INTRO, TALK
from explorer.ingest.mdtext import fold, strip_md, trim_symbols, unquote
from explorer.ingest.readme_agenda import PageTalk

# A cancel / postpone marker anywhere on a line: '** CANCELLED **', '[postponed]', '- CANCELLED'.
# Bounded runs only, so a line of a million '*' or '(' is read in linear time.
# Its reason or new date goes with it: 'postponed to June', '(cancelled — speaker ill)'.
_MARK = re.compile(r"(?:\*{1,3}|_{1,2}|\[|\()?[ \t]{0,3}\b(?:cancel+ed|postponed)\b(?:(?:[ \t]{1,3}"
                   r"(?:to|until|till|due[ \t]to|because[ \t]of)\b|[ \t]{0,3}[–—:;][ \t]{0,3})"
                   r"[^()\[\]*_~\n]{0,40}?(?=[)\]*_~]|$))?[ \t]{0,3}"
                   r"(?:\*{1,3}|_{1,2}|\]|\))?[ \t]{0,3}!?", re.IGNORECASE)
_LEFTOVER = re.compile(r"[ \t]{0,3}(?:[-–—/:]|\b(?:and|or)\b)[ \t]{0,3}$|^[ \t]{0,3}[-–—/:][ \t]{0,3}")
# 'About the speaker:', '**About the speakers**', '#### About the speaker', German 'Über den
# Vortragenden:' (+ text on the line).
BIO_HEAD = re.compile(r"^(?:#{1,6}[ \t]{0,3})?(?:\*\*|__)?[ \t]{0,3}(?:about[ \t]{1,3}the[ \t]{1,3}"
                      r"(?:speakers?|presenters?|authors?)\b[ \t]{0,3}(?:\(s\))?|"
                      r"(?:speakers?[ \t]{1,3})?(?:bios?|biograph(?:y|ies))[ \t]{0,3}(?=[:*_]|$)|"
                      r"über[ \t]{1,3}(?:den|die|das)[ \t]{1,3}(?:vortragenden?|referent(?:in|en)?|"
                      r"sprecher(?:in)?)\b)"
                      r"[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}:?[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}"
                      r"(?P<rest>.*)$", re.IGNORECASE)
# 'This talk has been cancelled.' inside a talk's section: the talk is cancelled.
CANCEL_NOTE = re.compile(r"^(?:unfortunately,?[ \t]{1,3})?(?:(?:this|the)[ \t]{1,3}talk[ \t]{1,3}"
                         r"(?:has[ \t]{1,3}been|is|was|(?:had|has|will)[ \t]{1,3}(?:to[ \t]{1,3})?be)"
                         r"[ \t]{1,3})?(?:cancel+ed|postponed)\b(?![ \t]{1,3}from\b)[^.]{0,60}\.?$",
                         re.IGNORECASE)  # 'postponed from the May meetup': it is held here
# Lines that announce the details section: they belong to no talk.
DETAILS_INTRO = re.compile(r"^(?:here are |below (?:are|you find) |you can find )?(?:the |some |more )?"
                           r"(?:talk |talks' )?(?:details|abstracts|talks)\b[^.]{0,40}:?$",
                           re.IGNORECASE)
_REPORT = re.compile(r"\b(?:nips|neurips|iclr|icml|cvpr|eccv|iccv|ismir|conference|report|recap)\b")
TALK_NUMBER = re.compile(r"\b(?:talk|keynote)[ \t]{0,3}(\d{1,2})\b", re.IGNORECASE)


_BIO_VERB = re.compile(r"(?:is|was|has|holds|received|leads|works|worked|joined|studied|studies|"
                       r"heads|teaches|researches|"
                       r"obtained|graduated|founded|co-founded|currently)\b")


def introduces(paragraph: str, speakers: list[str]) -> bool:
    """A paragraph that opens with a speaker's full name and a verb of a bio:
    'Dr. Ada Berg received her doctorate ...' -> True for speakers ['Ada Berg']."""
    head = fold(re.sub(r"^(?:(?:dr|prof|mag|di)\.?\s+)+", "", paragraph[:120], flags=re.IGNORECASE))
    return any(len(name.split()) >= 2 and head.startswith(name + " ") and _BIO_VERB.match(
        head[len(name) + 1:]) for name in map(fold, speakers))


_ABOUT_NAME = re.compile(r"^(?:#{1,6}[ \t]{0,3})?(?:\*\*|__)?[ \t]{0,3}about[ \t]{1,3}"
                         r"(?P<name>[^\W\d_][^:*_\n]{0,60}?)[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}"
                         r"(?::|$)[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}(?P<rest>.*)$", re.IGNORECASE)


def about_speaker(line: str, speakers: list[str]) -> str | None:
    """The text after a label 'About <speaker>:' ('About Ada:', '**About Ada Berg**',
    '### About Dr. Berg'), naming a speaker by full, first or last name; None otherwise."""
    m = _ABOUT_NAME.match(line)
    if not m:
        return None
    name = fold(re.sub(r"^(?:(?:dr|prof|mag|di)\.?\s+)+", "", m["name"], flags=re.IGNORECASE))
    for full in map(fold, speakers):
        parts = full.split()
        if parts and name in (full, parts[0], parts[-1]):
            return m["rest"]
    return None


def split_marker(line: str) -> tuple[str, bool]:
    """('** CANCELLED ** Talk 2: Moss', True) from a line; the line unchanged and False if no
    marker, or if the marker is all the line says (a heading for the talks below it)."""
    if not _MARK.search(line):
        return line, False
    rest = _MARK.sub(" ", line)
    for _ in range(2):
        rest = _LEFTOVER.sub("", rest.rstrip()).rstrip()
    if len(re.findall(r"[^\W\d_]{2,}", strip_md(rest))) < 1:
        return line, False
    return rest, True


# 'Part 2', 'Teil II', '(2/2)': the part of a talk given in two slots
_PART = re.compile(r"\b(?:part|teil)[ \t]{0,3}(\d{1,2}|[ivx]{1,4}|one|two|three)\b|\((\d)[ \t]{0,2}/"
                   r"[ \t]{0,2}\d\)", re.IGNORECASE)


def other_parts(a: str, b: str) -> bool:
    """'X (Part 1)' and 'X (Part 2)': two parts of one title, two slots."""
    pa, pb = (m and (m[1] or m[2]).lower() for m in (_PART.search(a), _PART.search(b)))
    return pa is not None and pb is not None and pa != pb


def same_title(a: str, b: str) -> bool:
    """Two spellings of one talk's title: near-equal, or one (12+ letters) inside the other;
    'X (Part 1)' and 'X (Part 2)' are two slots, not one talk twice."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if other_parts(a, b):
        return False
    if len(min(fa, fb, key=len)) >= 12 and (fa in fb or fb in fa):
        return True
    return SequenceMatcher(None, fa, fb).ratio() >= 0.85


def _same_number(a: PageTalk, b: PageTalk) -> bool:
    """'Talk 1: Lichens' on the agenda and 'Talk 1: Lichen Learning' in the details: the same
    number, and a word in common (its first five letters) or one title empty."""
    if a.number is None or a.number != b.number:
        return False
    wa, wb = ({w[:5] for w in fold(x.title).split() if len(w) > 3} for x in (a, b))
    return bool(wa & wb) or not fold(a.title) or not fold(b.title)


def merge_twins(talks: list[PageTalk]) -> list[PageTalk]:
    """Slots naming the same talk (agenda line and details block) merged into one.

    The fuller credit, the longer of two nested titles, every link and both abstracts are
    kept; a cancel marker on either side cancels the talk.
    """
    merged: list[PageTalk] = []
    for t in talks:
        t.title = unquote(trim_symbols(" ".join(t.title.split())))
    # '### Talk 2:' with the speaker but no title: its title is the agenda's 'Talk 2: ...'
    titled = [t for t in talks if fold(t.title)]
    for t in talks:
        if not fold(t.title) and t.number is not None:
            agenda = next((m for m in titled if m.number == t.number), None)
            if agenda is not None:
                t.title = agenda.title
    for t in talks:
        if not fold(t.title):  # no letter or digit: a stray '|' or '—', not a title
            continue
        twin = next((m for m in merged if same_title(m.title, t.title) or _same_number(m, t)),
                    None)
        if twin is None:
            merged.append(t)
            continue
        twin.sources += t.sources
        fa, fb = fold(twin.title), fold(t.title)
        if len(fb) > len(fa) and (fa in fb or not same_title(twin.title, t.title)):
            twin.title = t.title  # 'Talk 1: Kelp' on the agenda, the full title in the details
        if len(t.speakers) > len(twin.speakers) or not twin.affiliations and t.affiliations \
                and len(t.speakers) == len(twin.speakers):
            twin.speakers, twin.affiliations = t.speakers, t.affiliations  # the fuller credit
        twin.slides_url = twin.slides_url or t.slides_url
        twin.video_url = twin.video_url or t.video_url
        if t.abstract and t.abstract not in twin.abstract:
            twin.abstract = f"{twin.abstract}\n{t.abstract}".strip()
        if t.bio and t.bio not in twin.bio:
            twin.bio = f"{twin.bio}\n{t.bio}".strip()
        if t.kind == CANCELLED or twin.kind == INTRO and t.kind != INTRO:
            twin.kind = t.kind
        twin.number = twin.number if twin.number is not None else t.number
        twin.spans.extend(t.ranges())  # its lines elsewhere, not all lines in between
    for t in merged:  # 'Latest news from NIPS' with speakers and a description: a report talk
        if t.kind == INTRO and t.speakers and len(t.abstract) >= 200 and _REPORT.search(
                fold(t.title)):
            t.kind = TALK
    return merged
