"""Dates as meetup pages write them: ISO, "7.4.2016", "April 7, 2016", "7th of April"."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
MONTHS |= {"jän": 1, "mär": 3, "mae": 3, "mai": 5, "okt": 10, "dez": 12}  # German: '17. März'
_MONTH_RE = r"(jan|jän|feb|mar|mär|mae|apr|may|mai|jun|jul|aug|sep|oct|okt|nov|dec|dez)[a-zä]*\.?"

def parse_date(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """('2016-04-07' | 'April 7, 2016' | '7 April' ...) -> (iso or None, (month, day) or None)."""
    m = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.search(
        r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", text)
    if m:
        y, mo, d = (m[1], m[2], m[3]) if len(m[1]) == 4 else (m[3], m[2], m[1])
        try:
            return date(int(y), int(mo), int(d)).isoformat(), None
        except ValueError:
            return None, None
    low = text.lower()
    m = re.search(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", low)
    if m:
        mo, d, y = MONTHS[m[1]], int(m[2]), m[3]
    else:
        m = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(\d{{4}}))?",
                      low)
        if not m:
            return None, None
        d, mo, y = int(m[1]), MONTHS[m[2]], m[3]
    try:
        if y:
            return date(int(y), mo, d).isoformat(), None
        date(2000, mo, d)
    except ValueError:
        return None, None
    return None, (mo, d)


def infer_year(number: int | None, month_day: tuple[int, int], known: dict[int, str]) -> str:
    """The year that puts (month, day) between the neighbouring meetups' dates."""
    before = [n for n in known if number is not None and n < number]
    after = [n for n in known if number is not None and n > number]
    prev = known[max(before)] if before else None
    nxt = known[min(after)] if after else None
    base = int((prev or nxt or str(date.today().year))[:4])
    for year in (base, base + 1, base - 1):
        try:
            d = date(year, *month_day).isoformat()
        except ValueError:
            continue
        if (prev is None or d >= prev) and (nxt is None or d <= nxt):
            return d
    return date(base, *month_day).isoformat()


def dated_venue(lines: list[str]) -> str | None:
    """The venue of a short line giving a date, then '@' or a pin and a place ('4 Nov 2026 @
    Kestrel Hall', '📅 Jan 14, 2027 | 📍 Lichen Labs' -> 'Kestrel Hall', 'Lichen Labs')."""
    for line in lines:
        when, at, where = re.sub(r"\s*📍\s*", " @ ", line.strip().strip("*_ ")).partition(" @ ")
        where = re.split(r"\s+[|·]\s+", where)[0].strip(" *_.|")
        if at and len(line) <= 120 and any(parse_date(when)) and re.search(r"[^\W\d_]{2}", where):
            return where
    return None
