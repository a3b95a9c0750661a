"""Talk headers on meetup pages: bold and heading titles, agenda lines, schedule blocks, credits."""

from __future__ import annotations

import re

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.mdtext import (
    clean_name,
    fold,
    is_intro,
    is_person,
    links,
    resolve_link,
    strip_md,
    trim_symbols,
)
from explorer.ingest.readme_agenda import (
    PageTalk,
    agenda_line,
    link_urls,
    numbered_talk,
    speaker_line,
)
from explorer.ingest.slots import same_title

# Longer lines are prose: no talk header or agenda line is this long, and structure
# detection on them is skipped, which keeps every page linear in its length.
MAX_HEADER = 400
# Real pages list at most a dozen slots. Each new header is compared with every slot so far,
# so a page listing thousands would take minutes: the slots after this many are left out,
# with a warning naming the page and the line.
MAX_TALKS = 60

# A clock time as schedules write it: '18:30', '18.30', '18:30h', '18:30 Uhr', '6:30 pm'.
_CLOCK = r"~?\d{1,2}[:.]\d{2}(?:[ \t]{0,2}(?:h|uhr|[ap]\.?m\.?)(?!\w))?"
# '18:45 Uhr – Vortrag 1: ...': a dash after the time separates it from the slot.
_TIME = re.compile(rf"^{_CLOCK}(?:\s*[-–]\s*{_CLOCK})?\s*(?::|[–—]|-(?=\s))?\s*", re.IGNORECASE)
_TIME_HEAD = re.compile(rf"^{_CLOCK}(?:\s*[-–]\s*{_CLOCK})?\s*[:|–—-]?\s*", re.IGNORECASE)
# A line that is only a time ('19:40', '**19:40**', '18:45 –', '18:45 Talk 1'): a slot opens.
_TIME_ONLY = re.compile(rf"{_CLOCK}(?:\s*[-–]\s*{_CLOCK})?(?:\s*[-–|])?"
                        r"(?:\s*(?:talk|keynote)\s*\d{0,2})?", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*•+]|\(\d+\)|\d+[.)])\s+")
_LABEL = re.compile(r"^(?P<label>(?:main |short |lightning |invited )?(?:talk|vortrag)\s*#?\d*|"
                    r"keynote\s*#?\d*|"
                    r"short presentation|presentation|talk abstract)\s*[:.–—-]\s*(?P<rest>.*)$",
                    re.IGNORECASE)
# A link to a talk's material after its credit ('[slides](...)', '[[video](...)]'): its label
# is no word of the credit ('Ada Berg (Owl Uni) [slides](...)' is no affiliation 'slides').
_RESOURCE_LINK = re.compile(r"\[?\[(?:slides?|pdf|video|recording|youtube|code|github|paper|"
                            r"poster|notebook)\b[^\]]{0,40}\]\([^)]*\)\]?", re.IGNORECASE)
# Links to a talk's material closing a line of its text ('... long documents. [arXiv](...) ·
# [code](...)'): the text before them is what the line says.
TRAILING_MEDIA = re.compile(r"(?:[ \t]{0,3}[·|,;–—-]?[ \t]{0,3}\[?\[(?:slides?|pdf|video|recording|"
                            r"youtube|code|github|paper|poster|notebook|arxiv|project page|demo|"
                            r"blog|website)\b[^\]]{0,40}\]\([^)]*\)\]?){1,8}[ \t]*$", re.IGNORECASE)
# 'Paper: arXiv:2401.00001' (a citation line, e.g. a sub-bullet of an agenda item): no title.
_ARXIV_MENTION = re.compile(r"\barxiv\s*:|\barxiv\.org/|\b\d{4}\.\d{4,5}(?:v\d+)?\b", re.IGNORECASE)
_QUOTED = re.compile(r"^(?P<who>[^:\"“]{3,60}):\s*[\"“„](?P<title>[^\"”“]+)[\"”“]\s*$")
# '[slides](...)', '([pdf](...))', '[[Video](...)]' after a title: its material, no title words.
_MEDIA = re.compile(r"\s*[(\[]?\[\[?(?:slides?|pdf|video|recording)\]\([^()]*\)\]?[)\]]?",
                    re.IGNORECASE)
_CLOSERS = re.compile(
    r"^(anmeldung\b|registration (?:is|via|at|on|through|opens)\b|rsvp\b|join us|(?:very much |we are )?looking forward|please (?:also )?let us know|we (?:kindly |would like to )?thank|we'd like to thank|your (?:vdlm )?organi[sz]ers|we are (?:very )?(?:grateful|"
    r"thankful)|thanks|hope to see|see you|best regards|kind regards|cheers|after the talks?|"
    r"in the break|as usual|afterwards|inbetween|tom,|rene,|rené,|for the vdlm|this meetup)",
    re.IGNORECASE)
_NOT_TALK = re.compile(r"panel|moderat|keynotes?:?$|poster|wiki|t-shirt|organi[sz]ers|^[-*_=]{3,}$",
                       re.IGNORECASE)
# The evening's other slots: 'Welcome by ...', 'Q&A', 'Doors open & pizza', 'Drinks at the bar',
# 'End of the meetup' (but 'Food Recognition with CNNs', 'End-to-end ...' may be talks).
_SKIP_SLOT = re.compile(r"^(welcome|introduction) by |^(welcome|networking|wrap[- ]?up|break|q&a|"
                        r"pause|einlass|begrüßung|ende des|"
                        r"open discussions?|questions|doors open|get[- ]together)\b|^(pizza|food|"
                        r"drinks?|beers?|snacks|dinner|refreshments)(\s*$|\s*[&+,(]|\s+(and|with|"
                        r"at|in|on)\b)|^end of (the )?(meetup|event|evening|talks)\b", re.IGNORECASE)
# The hot-topics section's standing call for contributions describes no talk.
_CALL = re.compile(r"\b(get in touch|contact(?:@| us)|write (?:to|us)|tell us|let us know|"
                   r"reach out)\b", re.IGNORECASE)




class LineReader:
    """Finds where talks start; the page reader supplies lines, base, page, cur, start()."""

    def nonblank(self, i: int, limit: int = 2) -> int | None:
        for j in range(i, min(len(self.lines), i + limit + 1)):
            if self.lines[j].strip():
                return j
        return None

    def slides_in(self, text: str) -> str | None:
        for label, target in links(text):
            url = resolve_link(self.base, target)
            if url and not re.search(r"youtu|vimeo", url) and "poster" not in label.lower():
                return url
        return None

    def credits(self, talk: PageTalk, j: int) -> int:
        """Reads the speaker / subtitle / slides lines under a talk header from line j."""
        seen_blank = 0
        while j < len(self.lines):
            s = self.lines[j].strip()
            if not s:
                seen_blank += 1
                if seen_blank > 1 or talk.speakers:
                    break
                j += 1
                continue
            plain = strip_md(s)
            if re.fullmatch(r"[\[(]*\[?slides?[^\]]*\]?\(.*", s, re.IGNORECASE) or (
                    links(s) and not strip_md(re.sub(r"\[\[?[^\]]*\]\([^)]*\)\]?", "", s))):
                talk.slides_url = talk.slides_url or self.slides_in(s)
            elif re.fullmatch(r"\[?slides? not (yet )?available\]?", plain, re.IGNORECASE):
                pass
            elif _ARXIV_MENTION.search(s):
                break  # 'Max Tauber (Otterbank): a paper, arXiv:...': a paper, no credit
            elif not talk.speakers and (sp := speaker_line(s)):
                talk.speakers, talk.affiliations = sp
            elif not talk.title and len(plain) < 200:
                talk.title = plain
            elif (not talk.speakers and len(plain) < 120 and (k := self.nonblank(j + 1, 0))
                  and speaker_line(self.lines[k])):
                talk.title = f"{talk.title} {plain}"  # a subtitle line under the bold title
            else:
                break
            seen_blank = 0
            j += 1
        return j

    def bold_block(self, i: int) -> tuple[str, str, int] | None:
        s = self.lines[i].strip()
        if s.startswith("#"):
            return s.lstrip("#").strip(), "", i + 1
        if not s.startswith("**") or s.startswith("***"):
            return None
        text, j = s[2:], i
        while "**" not in text and j + 1 < len(self.lines) and j - i < 3:
            j += 1
            text += "\n" + self.lines[j].strip()
        if "**" not in text:
            return None
        inner, rest = text.split("**", 1)
        while not rest.strip() and j + 1 < len(self.lines) and j - i < 3 and re.fullmatch(
                r"\*\*[^*]{1,200}\*\*", self.lines[j + 1].strip()) and not inner.rstrip(
                ).endswith((".", ":", "!", "?")):
            j += 1  # '**Title that wraps**' / '**over two bold lines**'
            inner += " " + self.lines[j].strip()[2:-2]
        return " ".join(inner.split()), rest.strip(), j + 1

    def header_talk(self, i: int) -> int | None:
        block = self.bold_block(i)
        if not block:
            return None
        inner, rest, j = block
        inner = strip_md(inner).strip()
        if _TIME_ONLY.fullmatch(inner):
            return None  # '**19:30 Uhr**': the time of the block below, no title
        inner = _TIME_HEAD.sub("", inner) if re.match(r"\S+\s+\S", inner) else inner
        inner = re.sub(r"^\d{1,2}[.)]\s+(?=\S)", "", inner)  # '### 1. Title': its number
        talk = PageTalk(title="", line=i + 1)
        m, q = _LABEL.match(inner), _QUOTED.match(inner)
        if m:
            talk.title = m["rest"]
            if re.match(r"short|lightning", m["label"], re.IGNORECASE):
                talk.kind = SHORT_TALK
        elif q and is_person(q["who"]):
            talk.title, talk.speakers = q["title"].strip(), [clean_name(q["who"])]
        elif fold(inner) in ("agenda", "schedule", "details", "talks", "slides", "program"):
            return None
        elif self.lines[i].lstrip().startswith("#") and (any(
                same_title(inner, t.title) for t in self.page.talks) or fold(inner) in {
                fold(t) for t in getattr(self, "known", ())}):  # whole title: '## Deep RL'
                # over a page's intro is no talk 'Deep RL: Learning Like a Baby
            talk.title = inner  # '### <title of an agenda or root-table talk>': its abstract
        elif (lead := re.match(r"[-–—:]\s+(\S.{20,})$", rest)) and any(
                same_title(inner, t.title) for t in self.page.talks):
            talk.title, talk.abstract, rest = inner, lead[1], ""  # '**Title** — Abstract ...'
        elif is_intro(inner.rstrip(": ")):
            talk.title, talk.kind = inner.rstrip(": "), INTRO
        elif (k := self.nonblank(j, 1)) is not None and speaker_line(self.lines[k]) \
                and not _NOT_TALK.search(inner):
            talk.title = inner.rstrip(":")
        elif links(rest) and self.slides_in(rest) and not _NOT_TALK.search(inner):
            talk.title = inner.rstrip(":")  # '**Title** [[Slides](...)]', speakers in prose
        elif self.lines[i].lstrip().startswith("##") and not _NOT_TALK.search(inner) and (
                credit := agenda_line(inner)):  # '### Title – Ada Berg (Org)', '### Ada: Title'
            talk.title, talk.speakers, talk.affiliations = credit
        else:
            return None
        if talk.kind == TALK and is_intro(talk.title):
            talk.kind = INTRO
        if rest:
            talk.slides_url = self.slides_in(rest)
            if (sp := speaker_line(re.sub(r"\[\[?.*", "", rest))):
                talk.speakers, talk.affiliations = sp
        self.start(talk)
        return self.credits(talk, j)

    def under_time(self, i: int) -> bool:
        """The line sits in a schedule, under a line that is only a time ('19:40')."""
        for k in range(i - 1, max(i - 3, -1), -1):
            if self.lines[k].strip():
                return _TIME_ONLY.fullmatch(strip_md(self.lines[k])) is not None
        return False

    def line_talk(self, i: int) -> int | None:
        s = self.lines[i].strip()
        if (numbered := numbered_talk(s, i + 1, self.base)) is not None:
            self.start(numbered)
            return i + 1
        struck = "~~" in s
        plain = strip_md(s)
        if re.fullmatch(r"(cancel+ed|postponed)( / (cancel+ed|postponed))?:?", plain, re.IGNORECASE):
            self.cancel_next = True
            self.close()
            return i + 1
        bulleted = _BULLET.match(s) is not None and not s.startswith("**")
        bare = _RESOURCE_LINK.sub("", s).strip()  # '[slides](...)' after a credit: no words
        unbulleted = strip_md(_BULLET.sub("", bare)) if bulleted else strip_md(bare)
        if _TIME.match(lead := trim_symbols(unbulleted)):  # '🎤 18:45 Talk: ...'
            unbulleted = lead
        body = _TIME.sub("", unbulleted)
        under = self.under_time(i)  # 'Title by A' on its own under '19:40': no 'A: T' there
        timed = body != unbulleted or under
        short = re.search(r"\s*\((?:short|lightning) talk\)", body, re.IGNORECASE)
        if short:  # 'Title (short talk) by A'
            body = body[:short.start()] + body[short.end():]
        m = _LABEL.match(body)
        if m:
            body = m["rest"]
        q = _QUOTED.match(body)
        if q and is_person(q["who"]):
            found = (q["title"], [clean_name(q["who"])], [])
        elif (bulleted or timed or m or struck) and body and not _SKIP_SLOT.match(body):
            found = agenda_line(re.sub(r"\s*[-–(]*\s*(cancel+ed|postponed)\)?\s*$", "", body,
                                   flags=re.IGNORECASE), name_first=not timed)
        else:
            found = None
        if m and not body or (m and not found and re.search(r"\d", m["label"]) and (
                bulleted or not timed) and not _SKIP_SLOT.match(body) and not is_intro(body)):
            # "Talk 1:" alone (title and speaker follow) or "Talk 1: Title" (speaker follows)
            talk = PageTalk(title=body, line=i + 1, kind=SHORT_TALK if "short" in m["label"].lower()
                            else TALK)
            self.start(talk)
            return i + 1 if (bulleted or timed) else self.credits(talk, i + 1)
        if (not found and bulleted and self.cur is not None and self.cur.line >= i - 1
                and _BULLET.match(self.lines[self.cur.line - 1].strip())
                and (o := re.fullmatch(r"(?P<t>[^()]{8,200}?)\s*\((?P<org>[^()]{2,60})\)", body))
                and not _SKIP_SLOT.match(body) and not is_intro(o["t"])):
            # '* Title (Company)' between the talks of an agenda list: a talk, speaker unknown
            self.start(PageTalk(title=o["t"].strip(), affiliations=[o["org"].strip()],
                                line=i + 1))
            return i + 1
        if not found:
            label = strip_md(re.sub(r"\[\[?[^\]]*\]\([^)]*\)\]?\]?", "", _BULLET.sub("", s)))
            label = label.strip(" :") or "Intro"
            papers = all(_ARXIV_MENTION.search(t) for _, t in links(s))  # '- [X](arxiv...)'
            if bulleted and is_intro(label) and links(s) and not papers:
                talk = PageTalk(title=label,
                                kind=INTRO, line=i + 1, slides_url=self.slides_in(s))
                self.start(talk)
                return self.credits(talk, i + 1)
            return None
        title, speakers, affils = found
        title = re.sub(r"^an? (overview )?presentation (of|about|on)\s+", "", title, flags=re.IGNORECASE)
        kind = INTRO if is_intro(title, speakers) else TALK
        if struck or re.search(r"(cancel+ed|postponed)\W*$", plain, re.IGNORECASE):
            kind = CANCELLED
        elif (short or m and re.match(r"short|lightning", m["label"], re.IGNORECASE)) and \
                kind == TALK:
            kind = SHORT_TALK
        self.start(PageTalk(title=title.strip(), speakers=speakers, affiliations=affils,
                            kind=kind, line=i + 1, slides_url=self.slides_in(s),
                            video_url=link_urls(s, self.base)[1]))
        return i + 1

    def pair_talk(self, i: int) -> int | None:
        """A schedule block: a title line, then a 'Speaker, Affiliation' line, then abstract
        (or the speaker line first, directly above the title, as a block of its own)."""
        media = _MEDIA.sub("", self.lines[i])  # 'Title [slides](...)': the link is no title
        plain = _BULLET.sub("", strip_md(media))
        lines = self.lines
        if plain.startswith("#"):
            return None  # a heading no talk header took ('## Talks'): a section, no title
        if (0 < i < len(lines) - 2 and not lines[i - 1].strip() and lines[i + 1].strip()
                and not lines[i + 2].strip() and re.search(r",|\s[-–]\s", plain)
                and (sp := speaker_line(plain))
                and not speaker_line(lines[i + 1]) and len(lines[i + 1].strip()) <= 200):
            title = strip_md(lines[i + 1])
            if not _NOT_TALK.search(title) and not title.endswith("."):
                self.start(PageTalk(title=title, speakers=sp[0], affiliations=sp[1],
                                    kind=INTRO if is_intro(title) else TALK, line=i + 1))
                return i + 2
        # '18:45 Title' over its credit line, or the title under a line '18:45': a slot's
        # title, even one that reads like a name ('Quantum Cats' over 'Bob Chen, Cat Inc')
        timed = _TIME.match(plain) if re.match(r"\S+\s+\S", plain) else None
        plain = plain[timed.end():] if timed else plain
        slot = timed is not None or self.under_time(i)
        named = is_person(plain) and not slot
        k = self.nonblank(i + 1, 1)  # under a time, a line over a credit line is the title,
        credited = slot and k is not None and speaker_line(self.lines[k])  # 'A – B: C' too
        if (not 3 <= len(plain) <= 200 or plain.endswith((".", ":", ",")) or "http" in plain
                or _ARXIV_MENTION.search(plain) or _TIME.match(plain) or plain.startswith("::")
                or named or _SKIP_SLOT.match(plain) or _NOT_TALK.search(plain)
                or speaker_line(plain) and not (slot and (is_person(plain) or credited))):
            return None
        if _CLOSERS.match(plain):
            return None
        if k is None:
            return None
        if not (sp := speaker_line(self.lines[k])):
            nxt = strip_md(self.lines[k])
            if not (slot and len(nxt.split()) >= 6 and nxt.endswith((".", "!", "?"))
                    and not _BULLET.match(self.lines[k].strip())
                    and not _CLOSERS.match(nxt) and not _CALL.search(nxt)):  # 'Thanks to ...'
                return None
            sp, k = ([], []), k - 1  # under a time, a title and its abstract: speaker unsaid
        title = re.sub(r"^(?:talk abstract|abstract)\s*:\s*", "", plain, flags=re.IGNORECASE)
        short = False
        if (m := _LABEL.match(title)) and m["rest"]:
            title = m["rest"]  # 'Keynote: Title', 'Talk 2 – Title' over the credit line
            short = re.match(r"short|lightning", m["label"], re.IGNORECASE) is not None
        above = strip_md(self.lines[i - 1]) if i else ""
        kind = INTRO if is_intro(title) or (above and is_intro(above)) else (
            SHORT_TALK if short else TALK)
        slides, video = link_urls(self.lines[i], self.base) if media != self.lines[i] else (None,
                                                                                          None)
        self.start(PageTalk(title=title, speakers=sp[0], affiliations=sp[1], kind=kind,
                            line=i + 1, slides_url=slides, video_url=video))
        return self.credits(self.cur, k + 1)

