"""The field radar's part of the Python API (`Explorer` inherits it; api.py stays short)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class FieldRadar:
    """``ex.field_theme_counts()`` and ``ex.field_radar()`` (see `explorer.insights.radar`)."""

    def field_theme_counts(self):
        """Field papers per theme and month (`FieldThemeCounts`, computed once; empty with
        a ``note`` naming the commands to run when no field is imported or embedded)."""
        from explorer.field.themes import field_theme_counts

        if getattr(self, "_field_counts", None) is None:  # set on first use
            self._field_counts = field_theme_counts(self)
        return self._field_counts

    def field_radar(self, years: bool = False, **settings) -> pd.DataFrame:
        """Per theme: its share of the field's papers in the last full year against the 3
        years before, rising or not, and the meetup's last talk; flagged = rising in the
        field with no talk in two years. ``years=True``: the field's papers and share beside
        the meetup's talks per theme and year. Empty, with ``.attrs["note"]`` saying which
        commands to run, when no field is there.

        Settings (``ratio``, ``min_papers``, ``baseline``, ``window_years``) override the
        defaults of `explorer.insights.radar.field_radar`.
        """
        from explorer.field.themes import radar_for

        # Once per explorer, like the counts it is made of: the Organizer asks for it three
        # times on every rerun (the gaps' evidence, the table, the per-year chart).
        cache = self.__dict__.setdefault("_radar_cache", {})
        key = (years, tuple(sorted(settings.items())))
        if key not in cache:
            cache[key] = radar_for(self, years=years, **settings)
        return cache[key]
