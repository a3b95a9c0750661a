"""Footnotes on a meetup page: a definition ('[^3]: ... arXiv:2402.01234') at the page end
belongs to the talk whose text carries its mark ('[^3]'), when exactly one talk does."""

from __future__ import annotations

import re

_DEF = re.compile(r"^[ \t]{0,3}\[\^([^\]\s]{1,20})\]:[ \t]?(.*)$")


def owned_footnotes(lines: list[str], slots: list[tuple[object, object]]) -> list[tuple[object, str]]:
    """[(talk, definition text)] for each footnote whose mark stands in one talk's lines only.

    ``slots`` are (talk, page slot) pairs; a slot's ``ranges()`` are its 1-based line spans.
    A definition runs on over its indented lines. A mark in no talk's lines or in two talks'
    lines leaves the definition to the meetup.
    """
    out = []
    for n, line in enumerate(lines):
        d = _DEF.match(line)
        if not d:
            continue
        body = [d[2]]
        for more in lines[n + 1:]:
            if not re.match(r"^(?:[ \t]{2,}\S|\t)", more):
                break
            body.append(more.strip())
        mark = re.compile(r"\[\^" + re.escape(d[1]) + r"\](?!:)")
        owners = []
        for talk, slot in slots:
            hit = any(mark.search(lines[k]) for first, last in slot.ranges()
                      for k in range(max(first - 1, 0), min(last, len(lines)))
                      if not _DEF.match(lines[k]))
            if hit and all(talk is not o for o in owners):
                owners.append(talk)
        if len(owners) == 1:
            out.append((owners[0], " ".join(body)))
    return out
