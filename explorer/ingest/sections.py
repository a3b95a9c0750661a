"""Page sections whose talks are not this evening's: a translation of what the page already
said ('## Deutsch', '## English version') and a look back ('## Previously', '## Last meetup')."""

from __future__ import annotations

import re

from explorer.ingest.mdtext import strip_md

TRANSLATION, PAST = "translation", "past"
_LANGUAGE = re.compile(r"^(?:(?:auf|in)\s+)?(?:deutsch|german|english|englisch)(?:\s+(?:version|"
                       r"fassung|translation|übersetzung))?|^(?:deutsche|englische)\s+(?:version|"
                       r"fassung)", re.IGNORECASE)
_PAST = re.compile(r"^(?:previously|past (?:meetups?|talks|events)|last (?:meetup|time|month)|"
                   r"(?:at |from )?(?:the |our )?(?:previous|last|earlier) (?:meetups?|talks|"
                   r"events?)|recap of|rückblick|letztes (?:mal|meetup)|beim letzten meetup)\b",
                   re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def foreign_sections(lines: list[str]) -> list[str | None]:
    """Per line: TRANSLATION or PAST when it lies under such a heading (the heading included,
    up to the next heading of its level or above), else None."""
    out: list[str | None] = []
    stack: list[tuple[int, str | None]] = []
    for line in lines:
        m = _HEADING.match(line.strip())
        if m:
            level = len(m[1])
            while stack and stack[-1][0] >= level:
                stack.pop()
            head = re.sub(r"^[^\w]+", "", strip_md(m[2])).strip()
            kind = PAST if _PAST.match(head) else TRANSLATION if _LANGUAGE.match(head) and (
                len(head.split()) <= 3) else None
            stack.append((level, kind))
        out.append(next((k for _, k in reversed(stack) if k), None))
    return out
