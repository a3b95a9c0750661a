"""The field radar's part of the Python API (`Explorer` inherits it; api.py stays short)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class FieldRadar:
    """``ex.field_theme_counts()`` and ``ex.field_radar()`` (see `explorer.insights.radar`)."""

    def _refresh_field(self) -> None:
        """Drop what was read from the field if it was imported or rebuilt since this explorer
        last looked (`field` commands make no new generation, and the app keeps one explorer
        per generation). One stat of the field index's manifest (or of field.sqlite)."""
        from explorer.store.fieldstore import field_dir

        root = field_dir(self.store.data_dir)
        try:
            st = (root / "index" / "field.json").stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (root / "field.sqlite").exists()
        if stamp != getattr(self, "_field_stamp", None):
            self._field_stamp = stamp
            self._field_counts, self._radar_cache, self._field = None, {}, None

    def field_theme_counts(self):
        """Field papers per theme and month (`FieldThemeCounts`, computed once per build of
        the field; empty with a ``note`` naming the commands to run when no field is imported
        or embedded)."""
        from explorer.field.themes import field_theme_counts

        self._refresh_field()
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
        self.field_theme_counts()  # drops the cache below when the field changed
        cache = self.__dict__.setdefault("_radar_cache", {})
        key = (years, tuple(sorted(settings.items())))
        if key not in cache:
            cache[key] = radar_for(self, years=years, **settings)
        return cache[key]
