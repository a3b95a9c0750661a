"""Which meetup a file is about: from its folder, else from its page title.

A folder names its meetup outright ('Meetups/Meetup_19', '2024-04-08_Meetup_58', 'VDLM58',
'1. Meetup', 'AI_Summit'); a title only in a few anchored forms ('58th Vienna Deep Learning
Meetup', 'Vienna Deep Learning Meetup #58', 'Meetup No. 58', '58. Vienna Deep Learning
Meetup'), so that 'Follow-up to Meetup 57', '12. März 2025 – Vienna Deep Learning Meetup' or
'Meetup 3 talks on LLMs' name no meetup.
"""

from __future__ import annotations

import re

_FOLDER = re.compile(r"(?:\b|_)(?:meetup|vdlm)[_ -]?(\d{1,3})\b|^(\d{1,3})(?:st|nd|rd|th)?"
                     r"\.?[_ -]*meetup\b", re.IGNORECASE)
_SUMMIT = re.compile(r"ai[_ -]?summit.*", re.IGNORECASE)
_SERIES = r"(?:vienna\s+)?(?:deep\s+learning\s+)?(?:meetup|vdlm)\b"
_TITLE = [
    # '58th Vienna Deep Learning Meetup', 'The 58th Meetup'
    re.compile(r"^\W*(?:the\s+)?(\d{1,3})(?:st|nd|rd|th)\b", re.IGNORECASE),
    # 'Vienna Deep Learning Meetup #58', 'VDLM #58', 'Meetup No. 58' - nothing after
    re.compile(r"\b(?:meetup|vdlm)\s*(?:#\s*|(?:no|nr)\.?\s*)(\d{1,3})[^\w]*$", re.IGNORECASE),
    # '58. Vienna Deep Learning Meetup' (not '12. März 2025 – ...')
    re.compile(r"^\W*(\d{1,3})\.\s*" + _SERIES, re.IGNORECASE),
]


def folder_key(path: str) -> str | None:
    """The meetup a file's folder names. Example: 'Meetups/Meetup_19/README.md' -> '19',
    '1. Meetup/README.md' -> '1', 'AI_Summit/x.pdf' -> 'AI', 'Meetups/Misc/README.md' -> None.
    """
    for folder in reversed(path.split("/")[:-1]):
        m = _FOLDER.search(folder)
        if m:
            return str(int(m[1] or m[2]))
        if _SUMMIT.fullmatch(folder):
            return "AI"
    return None


def title_key(title: str) -> str | None:
    """The meetup a page title names in one of the anchored forms, else None."""
    for pattern in _TITLE:
        m = pattern.search(title.strip())
        if m:
            return str(int(m[1]))
    return None


def meetup_key_of(path: str, title: str = "") -> str | None:
    """The meetup a file belongs to, from its folder (else its page title). Example:
    'Meetups/Meetup_19/README.md' -> '19', '1. Meetup/README.md' -> '1', 'AI_Summit/' -> 'AI'.
    """
    return folder_key(path) or title_key(title)
