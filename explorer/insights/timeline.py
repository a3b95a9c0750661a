"""What had happened by a date: "now" for the organizer's claims, and the talks after it.

The archive lists announced meetups too: a meetup dated after today has not taken place, so
its talks cover no theme yet. Every claim is made as of a date (by default the last meetup
held); a talk after that date is never counted as coverage, and is named, as scheduled (or,
asking about the past, as later), wherever the claim is shown.

Example: as of 2024-01-10, a talk dated 2099-05-06 at meetup 27 is "1 talk scheduled after
2024-01-10 (2099-05-06, meetup 27)"; one dated 2023-12-01 asked as of 2021-06-01 is
"1 later talk, after 2021-06-01 (2023-12-01, meetup 19)".
"""

from __future__ import annotations

import datetime

import pandas as pd

SHOWN = 3  # dates named per sentence


def today() -> str:
    """Today as an ISO date: what "upcoming" is measured from."""
    return datetime.date.today().isoformat()


def after(df: pd.DataFrame, as_of) -> pd.Series:
    """Rows of ``df`` (column ``date``) dated after ``as_of``; undated rows are not."""
    if as_of is None:
        return pd.Series(False, index=df.index)
    dates = pd.to_datetime(df["date"], errors="coerce")
    return dates.notna() & (dates > pd.Timestamp(as_of))


def upcoming(date: str | None, now: str | None = None) -> bool:
    """Whether an ISO ``date`` is after today (``now``): an announced meetup."""
    return bool(date) and str(date)[:10] > (now or today())


def scheduled_words(talks: list[dict], as_of: str, now: str | None = None) -> str:
    """"; 1 talk scheduled after AS_OF (DATE, meetup M)" for announced talks and "; 1 later
    talk, after AS_OF (...)" for talks given after a past ``as_of``; "" for none."""
    out = ""
    for label, group in (("scheduled", [t for t in talks if upcoming(t["date"], now)]),
                         ("later", [t for t in talks if not upcoming(t["date"], now)])):
        if not group:
            continue
        n = len(group)
        what = (f"{n} talk{'s' * (n > 1)} scheduled after {as_of}" if label == "scheduled"
                else f"{n} later talk{'s' * (n > 1)}, after {as_of}")
        dates = ", ".join(f"{t['date']}, meetup {t['meetup'] or '?'}" for t in group[:SHOWN])
        out += f"; {what} ({dates}{', …' if n > SHOWN else ''}), not counted"
    return out


def undated_words(n: int) -> str:
    """"; 1 talk without a date, not counted" (it may be recent: the verdict cannot tell)."""
    if not n:
        return ""
    return (f"; {n} talk{'s' * (n > 1)} without a date, not counted (undated: "
            f"{'they' if n > 1 else 'it'} may be recent)")
