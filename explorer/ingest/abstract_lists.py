"""An abstract's own list: its lead-in ('Topics covered:') and items, with or without bullets.

A page's lists after an abstract are usually the evening's ('Our sponsors:', '* Doors open');
a list belongs to the abstract only when a lead-in that announces the talk's content opens it.
"""

from __future__ import annotations

import re

from explorer.ingest.mdtext import links, strip_md
from explorer.ingest.readme_lines import _BULLET
from explorer.ingest.slots import BIO_HEAD

# A short lead-in that opens an abstract's own list ('Topics include:', 'The talk covers
# three parts:', 'Outline:'); 'Our sponsors:' or 'What to bring:' open none.
LEAD_IN = re.compile(
    r"\b(?:includ\w*|cover\w*|topics?|outline|overview|contents?|parts?|agenda of the talk|"
    r"discuss\w*|learn\w*|present\w*|show\w*|explor\w*|takeaways?|key points|we will|"
    r"you will)\b", re.IGNORECASE)


def plain_item(lines: list[str], k: int) -> bool:
    """Line k could be an item of a list written without bullets ('Curricula beat random
    order'): a short line of words, not a heading, label, sentence or link."""
    s = lines[k].strip()
    plain = strip_md(s)
    return (0 < len(plain.split()) <= 12 and not s.startswith(("#", "|", "**", "__", "["))
            and not plain.endswith((".", ":", "!", "?")) and not links(s)
            and not BIO_HEAD.match(s))


def in_list(lines: list[str], j: int) -> bool:
    """Line j is a list's lead-in ('Topics covered:') or an item of a list that has one
    (items one per line; one blank line may follow the lead-in)."""
    gap = False
    while j >= 0:
        s = lines[j].strip()
        if not s:
            if gap:
                return False
            gap, j = True, j - 1
            continue
        if strip_md(s).endswith(":"):
            return bool(LEAD_IN.search(strip_md(s)))
        if gap or not (_BULLET.match(s) or plain_item(lines, j)):
            return False
        j -= 1
    return False
