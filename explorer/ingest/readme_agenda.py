"""Agenda pieces of meetup pages: credit lines, agenda lines, agenda tables, numbered talk lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.mdtext import (
    clean_name,
    fold,
    is_intro,
    is_person,
    is_role,
    links,
    resolve_link,
    split_people,
    strip_md,
    trim_symbols,
)

VIDEO_URL = re.compile(r"youtu\.?be|vimeo\.com", re.IGNORECASE)
_ROLE = re.compile(r"research|scientist|engineer|lecturer|professor|student|candidate|postdoc|"
                   r"predoc|head\b|lead\b|founder|cto\b|ceo\b|manager|developer|director|"
                   r"consultant|intern\b|analyst|architect", re.IGNORECASE)
# '– cancelled', '(postponed)', '(cancelled — speaker ill)', '– postponed to June' at the end
_CANCEL = re.compile(r"\s*[-–—(]*\s*\b(cancel+ed|postponed)\b(?:(?:\s+(?:to|until|till|due to|"
                     r"because of)\b|\s*[-–—:,;])[^()\n]{0,40}?)?\)?\s*$", re.IGNORECASE)
_SHORT = re.compile(r"^(?:short|lightning)\s+talk\s*\d*\s*[:.–—-]\s*", re.IGNORECASE)
_SHORT_NOTE = re.compile(r"\s*\((?:short|lightning) talk\)", re.IGNORECASE)
# A link to a speaker's profile after the credit ('· [LinkedIn](...)'): no affiliation.
# Bounded spaces: '\s*[·,]?\s*' took cubic time on a long run of spaces (20 s for 4,000).
_PROFILE = re.compile(r"[ \t]{0,3}(?:[·|•,][ \t]{0,3})?\[\[?(?:linkedin|twitter|x|github|mastodon|bluesky|google "
                      r"scholar|scholar|orcid|(?:personal )?(?:web|website|homepage|home page))"
                      r"\]\([^()\s]*\)\]?", re.IGNORECASE)
_NO_TALK = re.compile(r"^(welcome|networking|wrap[- ]?up|break|q&a|open discussions?|questions|"
                      r"doors open|end|pause|einlass|ende|buffet|apéro|apero)\b", re.IGNORECASE)


# A credit's characters after a title's dash: no dash but a hyphen inside a word ('Jean-Luc')
_NAMEISH = r"(?:[^-–—()]|(?<=\w)-(?=\w))"


@dataclass
class PageTalk:
    """A slot found on a meetup page, with the page lines it came from."""

    title: str
    speakers: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    abstract: str = ""
    slides_url: str | None = None
    video_url: str | None = None
    kind: str = TALK
    line: int = 0
    end_line: int = 0
    number: int | None = None  # 'Talk 2' -> 2: the same number names the same talk
    bio: str = ""  # 'About the speaker' text, kept out of the abstract
    sources: int = 1  # places on the page naming this talk (agenda line, details block)
    spans: list[tuple[int, int]] = field(default_factory=list)  # its other (first, last) lines
    since: int = 0  # where its current lines start, when not at ``line`` (details resumed)

    def ranges(self) -> list[tuple[int, int]]:
        """The (first, last) page lines (1-based) of each place naming this talk."""
        start = self.since or self.line
        return [*self.spans, (start, max(self.end_line, start))]


def _org(affiliation: str) -> str:
    """'Researcher at SBA Research' -> 'SBA Research'; the role says nothing about the talk."""
    m = re.match(r"^(?P<role>[^,]{2,50}?)\s+(?:at|@)\s+(?P<org>\S.*)$", affiliation)
    if m and _ROLE.search(m["role"]):
        return re.sub(r"^the\s+", "", m["org"].strip(" ."), flags=re.IGNORECASE)
    return affiliation


def organisations(affiliations: list[str]) -> list[str]:
    """Affiliations without roles: ['Head of AI Research', 'CTO at Acme'] -> ['Acme']."""
    return list(dict.fromkeys(o for a in affiliations if (o := _org(a)) and not is_role(o)))


def speaker_line(text: str) -> tuple[list[str], list[str]] | None:
    """'by A (X), B' / '- A' / '*A, Org*' / 'A, Org' / 'A – Org' -> (speakers, affiliations)."""
    t = trim_symbols(strip_md(_PROFILE.sub("", text)).replace(" | ", ", "))  # 'A | Org'
    t = re.sub(r"^(?:[-–•]\s*|by\s+|with\s+|speakers?:\s*|presented by\s+)", "", t,
               flags=re.IGNORECASE)
    t = trim_symbols(t)  # '👤 Ada Berg, Org', 'Speaker: 🎤 Ada Berg'
    if not t or len(t) > 200:
        return None
    head = re.split(r",|\(|\s[-–—]\s?|\s+(?:and|&)\s+|:", t, maxsplit=1)[0].strip()
    if not is_person(head):
        return None
    people, affils = split_people(t, strict=True)
    return (people, organisations(affils)) if people else None


def agenda_line(body: str, name_first: bool = True) -> tuple[str, list[str], list[str]] | None:
    """An agenda line's talk: 'T by A, Org' / 'T (A, Org)' / 'A: T' / 'A - T' / 'T - A, Org'."""
    body = strip_md(body).strip()
    # '(Acme (Vienna), CTO)' -> '(Acme Vienna, CTO)': one level of nesting flattened
    body = re.sub(r"\(([^()]*)\(([^()]*)\)([^()]*)\)", r"(\1\2\3)", body)
    m = re.match(r"^[\"“](?P<t>[^\"”]+)[\"”]\s*(?:by|[-–—]|,)?\s*(?P<w>.*)$", body)
    if m and m["w"] and (sp := speaker_line(m["w"])):
        return m["t"].strip(), *sp
    for m in (re.match(r"^(?P<t>.+?)\s+by\s+(?P<w>[^()]+?(?:\([^()]*\))?)\s*$", body),
              re.match(r"^(?P<t>.+)\s+by\s+(?P<w>[^()]+?(?:\([^()]*\))?)\s*$", body)):
        if m and (sp := speaker_line(m["w"])):  # lazy, then greedy: 'Learning by Doing by A'
            return m["t"], *sp
    m = re.match(rf"^(?P<t>.+)\s[-–—]\s(?P<w>(?P<a>{_NAMEISH}{{4,60}})\([^()]{{2,80}}\))$", body)
    if m and is_person(m["a"]) and (sp := speaker_line(m["w"])):
        return m["t"], *sp  # 'T – Ada Berg (Wren Audio)': a name, then its organisation
    m = re.match(r"^(?P<t>.+?)\s*\((?:by\s+)?(?P<w>[^()]+)\)\s*(?P<tail>[:\-–].*)?$", body)
    if m and (sp := speaker_line(m["w"])) and not (  # 'Ada Berg (Owl Uni): Deep Owls'
            m["tail"] and m["tail"].startswith(":") and is_person(m["t"])):
        return m["t"], *sp
    m = re.match(r"^(?P<w>[^:]{4,60}?)\s*(?::|\s[-–—]\s)\s*(?P<t>.+)$", body)
    if name_first and m and is_person(m["w"]) and not is_person(m["t"]):
        return m["t"], [clean_name(m["w"])], []
    m = re.match(r"^(?P<w>[^:()]{4,60}?\([^()]{2,60}\))\s*:\s*(?P<t>.+)$", body)
    if m and (sp := speaker_line(m["w"])) and not is_person(m["t"]):
        return m["t"], *sp  # 'Ada Berg (Owl Uni): Deep Owls'

    m = re.match(r"^(?P<t>.+)\s[-–—]\s(?P<w>(?:[^-–—]|(?<=\w)-(?=\w))+)$", body)
    if m and (sp := speaker_line(m["w"])):
        return m["t"], *sp
    return None


def link_urls(text: str, base_dir: str) -> tuple[str | None, str | None]:
    """(slides URL, video URL) of the links in ``text``; posters are not slides."""
    slides = video = None
    for label, target in links(text):
        url = resolve_link(base_dir, target)
        if not url:
            continue
        if VIDEO_URL.search(url) or re.match(r"\[?(video|recording)\b", label, re.IGNORECASE):
            video = video or url
        elif slides is None and "poster" not in label.lower():
            slides = url
    return slides, video


def _without_links(text: str) -> str:
    return re.sub(r"\[?\[[^\]]*\]\([^)]*\)\]?", "", text).strip()


def _credit(title: str, credit: str, kind: str, line: int, urls: str, base: str) -> PageTalk:
    """A slot from a title and a credit text (both markdown), cancel markers and labels read."""
    struck = "~~" in title  # '~~Neural Codecs~~': struck from the agenda
    title, credit = strip_md(title).strip(), strip_md(_without_links(credit)).strip()
    if struck or _CANCEL.search(title) or _CANCEL.search(credit):
        kind = CANCELLED
    title, credit = _CANCEL.sub("", title), _CANCEL.sub("", credit)
    if _SHORT.match(title) or _SHORT_NOTE.search(title):  # 'Short talk: T', 'T (lightning talk)'
        title = _SHORT_NOTE.sub("", _SHORT.sub("", title))
        kind = kind if kind == CANCELLED else SHORT_TALK
    people = speaker_line(credit) if credit else None
    speakers, affils = people or ([], [])
    if kind != CANCELLED and is_intro(title, speakers if speakers else []):
        kind, speakers, affils = INTRO, [], []
    slides, video = link_urls(urls, base)
    return PageTalk(title=title.strip(" :"), speakers=speakers, affiliations=affils,
                    slides_url=slides, video_url=video, kind=kind, line=line, end_line=line)


def numbered_talk(line: str, lineno: int, base: str) -> PageTalk | None:
    """'1. **Title** — Speaker (Org) [[slides](...)]', '~~...~~' or '(cancelled)' -> a slot."""
    s = line.strip()
    m = re.match(r"^(?:\d+[.)]|[-*+])\s+(?P<struck>~~)?\s*\*\*(?P<t>[^*]+)\*\*\s*"
                 r"(?:[—–-]|\bby\b|,)\s*(?P<w>.*)$", s)
    if not m:
        return None
    if re.fullmatch(r"(?:(?:short|lightning|invited) )?(?:talk|keynote|workshop|tutorial)"
                    r"\s*#?\d*\s*:?", m["t"].strip(), re.IGNORECASE):
        return None  # '**Keynote** — Ada Berg (Owl Uni): Deep Owls': a label, no title
    credit = m["w"].removesuffix("~~") if m["struck"] else m["w"]
    talk = _credit(m["t"], credit, CANCELLED if m["struck"] else TALK, lineno, s, base)
    if talk.kind != INTRO and not talk.speakers:
        return None
    return talk


def _columns(cells: list[str]) -> dict[str, int] | None:
    if len(cells) > 40:
        return None  # no agenda table is that wide
    names = [fold(c) for c in cells]
    talk = next((i for i, n in enumerate(names) if n in (
        "talk", "title", "topic", "session", "what", "talk title", "vortrag", "titel", "thema")),
        None)  # 'Speaker(s)', 'Presenter', German 'Vortragende': who
    who = next((i for i, n in enumerate(names) if re.fullmatch(
        r"speakers?|speaker s|presenters?|presenter s|who|by|vortragender?|referent(?:in)?|"
        r"sprecher(?:in)?", n)), None)
    if talk is None or who is None:
        return None
    cols = {"talk": talk, "who": who}
    for i, n in enumerate(names):
        if n in ("slides", "video", "recording", "links", "material", "abstract"):
            cols[n] = i
    return cols


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().removeprefix("|").removesuffix("|").split("|")]


def table_talks(lines: list[str], base: str) -> list[tuple[int, int, list[PageTalk]]]:
    """Agenda tables ('| Time | Talk | Speaker |' and kin) on a page.

    Args:
        lines: the page's lines.
        base: the page's archive folder, for relative links.

    Returns:
        [(first line index, index after the table, slots)] for each agenda table.
    """
    out = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|") or (cols := _columns(_cells(lines[i]))) is None:
            i += 1
            continue
        first, slots, i = i, [], i + 1
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            cells = _cells(lines[i])
            i += 1
            if all(re.fullmatch(r":?-*:?", c) for c in cells) or len(cells) <= cols["talk"]:
                continue
            title = _without_links(cells[cols["talk"]])
            credit = cells[cols["who"]] if cols["who"] < len(cells) else ""
            plain = strip_md(title)
            if not plain or _NO_TALK.match(plain) and not is_intro(plain) or re.match(
                    r"panel\b", plain, re.IGNORECASE):  # a panel is no talk (as in lists)
                continue
            extra = " ".join(cells[c] for k, c in cols.items() if k not in ("who",)
                             and c < len(cells))
            talk = _credit(title, credit, TALK, i, extra, base)
            if is_intro(talk.title):
                talk.kind, talk.speakers, talk.affiliations = INTRO, [], []
            if "abstract" in cols and cols["abstract"] < len(cells):
                talk.abstract = strip_md(_without_links(cells[cols["abstract"]]))
            slots.append(talk)
        out.append((first, i, slots))
    return out
