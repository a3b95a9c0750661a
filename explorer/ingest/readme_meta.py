"""What a meetup page says about its meetup: title, date, venue, event page, a cancel note."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from explorer.ingest.dates import parse_date
from explorer.ingest.mdtext import strip_md, trim_symbols
from explorer.ingest.readme_agenda import PageTalk


@dataclass
class MeetupPage:
    """What a meetup README says about its meetup."""

    title: str = ""
    date: str | None = None
    month_day: tuple[int, int] | None = None  # when only day and month are given
    venue: str | None = None
    meetup_url: str | None = None
    talks: list[PageTalk] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # orphan descriptions
    unpaired: list[tuple[int, str]] = field(default_factory=list)  # agenda speakers, no title
    cut_at: int | None = None  # the line of the first slot left out (MAX_TALKS reached)
    cancelled: bool = False  # 'This meetup has been cancelled': none of its talks was held


# 'Date: ...', '📍 **Venue:** ...', 'Datum:', 'Ort:', 'Anmeldung: [meetup.com](...)'.
_META = re.compile(r"^[-*]?\s*(date|datum|when|wann|venue|location|where|ort|wo|meetup page|"
                   r"meetup|registration|anmeldung|rsvp)\s*:\s*(.+)$", re.IGNORECASE)
_DATE_KEYS, _VENUE_KEYS = ("date", "datum", "when", "wann"), ("venue", "location", "where",
                                                             "ort", "wo")
# 'This meetup has been cancelled', '⚠️ Unfortunately, the event had to be cancelled.'
# ('postponed' is not here: a postponed meetup keeps its talks, on its new date.)
MEETUP_CANCEL = re.compile(r"^(?:unfortunately,?\s+|update:\s+)?(?:this|the|today'?s|tonight'?s)"
                           r"\s+(?:meetup|event)\s+(?:(?:has|had|will|must)\s+(?:to\s+)?be(?:en)?"
                           r"|is|was)\s+cancel+ed\b", re.IGNORECASE)


def meta_line(page: MeetupPage, s: str) -> bool:
    """Reads a line of the meetup's metadata into the page; False if it is none."""
    plain = trim_symbols(strip_md(s))
    if MEETUP_CANCEL.match(plain):
        page.cancelled = True
        return True
    meta = _META.match(plain)
    if not meta:
        return False
    key, value = meta[1].lower(), meta[2].strip()
    value, _, other = value.partition(" · ")  # 'Date: 2027-05-19 · Location: X'
    if (more := re.match(r"(venue|location|where|ort|wo)\s*:\s*(.+)$", other.strip(),
                         re.IGNORECASE)) and not page.venue:
        page.venue = more[2].strip()
    if key in _DATE_KEYS:
        page.date, page.month_day = parse_date(value)
    elif key in _VENUE_KEYS:
        page.venue = value
    elif "meetup.com" in s and (url := re.search(r"https?://[^\s)>\]]+", s)):
        page.meetup_url = url[0]  # bare, <...> or '[event page](...)'
    return True
