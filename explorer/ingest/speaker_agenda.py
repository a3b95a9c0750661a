"""Agenda lines that name only a speaker ('* 18:45 Ada Berg (Owl Uni)') whose titles are the
headings of the details below ('### Counting Owls by Sound' + its abstract).

The two are paired only when the agenda's speaker-only lines and the details' headings are
as many and the headings form one run at one level: the n-th speaker gets the n-th heading.
Any doubt (other counts, a heading that names a speaker itself, a run broken by another
level, a pairing that would not read back) leaves the page as it was.
"""

from __future__ import annotations

import re

from explorer.ingest.mdtext import fold, is_intro, is_person, strip_md, trim_symbols
from explorer.ingest.readme_agenda import agenda_line
from explorer.ingest.readme_lines import _NOT_TALK, _TIME
from explorer.ingest.slots import BIO_HEAD, DETAILS_INTRO

_ITEM = re.compile(r"^(?P<lead>[ \t]{0,3}(?:[-*•+][ \t]+)?)(?P<rest>\S.*)$")
_WHO = re.compile(r"(?P<name>[^()]{4,60}?)[ \t]*(?:\((?P<org>[^()]{2,80})\))?")
_HEADING = re.compile(r"^[ \t]{0,3}(?P<level>#{2,6})[ \t]+(?P<text>\S.*?)[ \t#]*$")
_CONTAINER = {"agenda", "schedule", "program", "programme", "details", "talks", "talk details",
              "abstracts", "the talks", "speakers"}
# Sections after the talks that are no talk: they end the run and are not counted.
_NO_TALK = re.compile(r"\b(?:venue|location|sponsors?|registration|food|drinks|directions|"
                      r"getting there|contact|code of conduct|livestream|recordings?|slides|"
                      r"about us|about the meetup|next meetup|organi[sz]ers?)\b", re.IGNORECASE)


def _speaker_only(line: str) -> tuple[str, str, str] | None:
    """'* 18:45 Ada Berg (Owl Uni)' -> ('* ', '18:45 ', 'Ada Berg (Owl Uni)'), else None."""
    m = _ITEM.match(line)
    if not m:
        return None
    rest = trim_symbols(strip_md(m["rest"]))
    t = _TIME.match(rest)
    if not t or not t.group(0).strip():
        return None
    who = rest[t.end():].strip()
    w = _WHO.fullmatch(who)
    if not w or not is_person(w["name"]) or agenda_line(who) is not None:
        return None
    return m["lead"], rest[:t.end()], who


def pair_speaker_lines(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The page with each speaker-only agenda line given its details heading's title:
    '* 18:45 Ada Berg (Owl Uni)' -> '* 18:45 Counting Owls by Sound – Ada Berg (Owl Uni)';
    and the (line, speaker) of the speaker-only lines left without a title."""
    lines = text.split("\n")
    items = [(k, got) for k, line in enumerate(lines) if (got := _speaker_only(line))]
    paired = _paired(lines, items) if items else None
    if paired is None:
        return text, [(k + 1, who) for k, (_, _, who) in items]
    return paired, []


def _paired(lines: list[str], items: list) -> str | None:
    heads: list[tuple[int, str]] = []
    level = None
    for k in range(items[-1][0] + 1, len(lines)):
        h = _HEADING.match(lines[k])
        if not h:
            continue
        title = trim_symbols(strip_md(h["text"]))
        if fold(title) in _CONTAINER or DETAILS_INTRO.match(title):
            if heads:
                break
            continue
        if _NO_TALK.search(title) or BIO_HEAD.match(title):
            break
        if level is not None and len(h["level"]) != level:
            if len(h["level"]) < level:
                break
            continue  # a sub-heading inside a talk's details
        if is_person(title) or is_intro(title) or _NOT_TALK.search(title) or agenda_line(title):
            return None  # a heading naming a speaker, a slot or no talk: not the plain run
        nxt = next((x.strip() for x in lines[k + 1:] if x.strip()), "")
        if not nxt or nxt.startswith("#"):
            return None  # a heading without its abstract
        level = len(h["level"])
        heads.append((k, title))
    if len(heads) != len(items) or any(k < items[-1][0] for k, _ in heads):
        return None
    out = list(lines)
    for (k, (lead, time, who)), (_, title) in zip(items, heads):
        line = f"{lead}{time}{title} – {who}"
        got = agenda_line(f"{title} – {who}")
        if not got or got[0].strip() != title or not got[1]:
            return None
        out[k] = line
    return "\n".join(out)
