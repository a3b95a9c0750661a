"""Which meetup a file is about: from its folder, else from its page title.

A folder names its meetup outright ('Meetups/Meetup_19', '2024-04-08_Meetup_58', 'VDLM58',
'1. Meetup', 'AI_Summit'); a title only in a few anchored forms ('58th Vienna Deep Learning
Meetup', 'Vienna Deep Learning Meetup #58', 'Meetup No. 58', '58. Vienna Deep Learning
Meetup'), so that 'Follow-up to Meetup 57', '12. März 2025 – Vienna Deep Learning Meetup' or
'Meetup 3 talks on LLMs' name no meetup.
"""

from __future__ import annotations

import re

_FOLDER = re.compile(r"(?:\b|_)(?:meetup|vdlm)[_ -]?(?:(?:#|n[or]\.?)[_ -]?)?(\d{1,3})\b|"
                     r"^(\d{1,3})(?:st|nd|rd|th)?\.?[_ -]*meetup\b", re.IGNORECASE)
_PAGE = re.compile(r"\.(?:md|markdown)$", re.IGNORECASE)
_SUMMIT = re.compile(r"ai[_ -]?summit.*", re.IGNORECASE)
_SERIES = r"(?:vienna\s+)?(?:deep\s+learning\s+)?(?:meetup|vdlm)\b"
_TITLE = [
    # '58th Vienna Deep Learning Meetup', 'The 58th Meetup'
    re.compile(r"^\W*(?:the\s+)?(\d{1,3})(?:st|nd|rd|th)\b", re.IGNORECASE),
    # 'Vienna Deep Learning Meetup #58', 'VDLM #58', 'Meetup No. 58' - nothing after
    re.compile(r"\b(?:meetup|vdlm)\s*(?:#\s*|(?:no|nr)\.?\s*)(\d{1,3})[^\w]*$", re.IGNORECASE),
    # 'Meetup #76 / PyData Vienna #12': a co-host after a slash or pipe, naming no other meetup
    re.compile(r"\b(?:meetup|vdlm)\s*(?:#\s*|(?:no|nr)\.?\s*)(\d{1,3})\s*[/|×&+]\s*"
               r"(?![^\n]*\b(?:meetup|vdlm)\b)[^/|\n]{2,60}$", re.IGNORECASE),
    # '58. Vienna Deep Learning Meetup' (not '12. März 2025 – ...')
    re.compile(r"^\W*(\d{1,3})\.\s*" + _SERIES, re.IGNORECASE),
]


_NUMBERED = re.compile(r"\b(?:meetup|vdlm)\s*(?:#\s*|(?:no|nr)\.?\s*)\d{1,3}\b", re.IGNORECASE)


def folder_key(path: str) -> str | None:
    """The meetup a file's folder names. Example: 'Meetups/Meetup_19/README.md' -> '19',
    '1. Meetup/README.md' -> '1', 'AI_Summit/x.pdf' -> 'AI', 'Meetups/Misc/README.md' -> None.
    """
    parts = path.split("/")
    for k in range(len(parts) - 2, -1, -1):
        folder = parts[k]
        m = _FOLDER.search(folder)
        if m:
            return str(int(m[1] or m[2]))
        if _SUMMIT.fullmatch(folder):
            return "AI"
        if re.fullmatch(r"\d{1,3}", folder) and k and parts[k - 1].lower() == "meetups":
            return str(int(folder))  # 'Meetups/76/README.md'
    return None


def is_readme(path: str) -> bool:
    """'README.md', 'readme.markdown', 'Readme.MD': the page of its folder."""
    return re.fullmatch(r"readme\.(?:md|markdown)", path.rsplit("/", 1)[-1], re.IGNORECASE) is not None


def page_key(path: str) -> str | None:
    """The meetup a page names by its folder, or by its own file name when it is no README:
    'Meetups/Meetup_76.md' -> '76', 'Meetups/Meetup_76/index.md' -> '76'."""
    key = folder_key(path)
    if key is None and not is_readme(path) and (m := _FOLDER.search(_PAGE.sub("", path.rsplit(
            "/", 1)[-1]))):
        key = str(int(m[1] or m[2]))
    return key


def title_key(title: str) -> str | None:
    """The meetup a page title names in one of the anchored forms, else None; a title that
    numbers two meetups ('Meetup #76 / PyData Vienna Meetup #12') names none for sure."""
    if len(_NUMBERED.findall(title)) > 1:
        return None
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
