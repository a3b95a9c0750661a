"""Bytes of an archive page -> its text, each repair named in a warning."""

from __future__ import annotations

import re

from explorer.domain import ParseWarning

# Control characters other than tab and line ends; splitlines() would also break lines at
# some of them (\x0b, \x0c, \x1c-\x1e), so they go before the page is read.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")


def decode(data: bytes, path: str, warnings: list[ParseWarning]) -> str | None:
    """UTF-8 text of a page; binary junk -> None, bad bytes replaced, stray control
    characters (a NUL, a form feed) dropped; each with a warning naming the file."""
    sample = data[:4096]
    if sample and sum(b < 9 or 13 < b < 32 or b == 0x0b for b in sample) > len(sample) // 20:
        warnings.append(ParseWarning(path, "binary data, not a markdown page; skipped"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        warnings.append(ParseWarning(path, f"invalid UTF-8 at byte {e.start}; bad bytes "
                                     "replaced", line))
        text = data.decode("utf-8", errors="replace")
    first = _CONTROL.search(text)
    if first:
        count = sum(len(m) for m in _CONTROL.findall(text))
        line = text.count("\n", 0, first.start()) + 1
        warnings.append(ParseWarning(path, f"{count} control character(s) such as "
                                     f"{first[0][0]!r} removed", line))
        text = _CONTROL.sub("", text)
    return text
