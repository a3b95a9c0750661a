"""The themes, gaps and novelty part of the Python API (`Explorer` inherits it)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from explorer.search.topical import TopicPrior


class Insights:
    """``ex.theme_assignment()``, ``ex.topics()``, ``ex.gaps()``, ``ex.novelty()``, and the
    topic prior hybrid search blends in (`explorer.search.topical`)."""

    def topic_model(self, refit: bool = False):
        """The data dir's k-means `TopicModel` (the former topics; kept for comparison)."""
        from explorer.insights.gaps import topic_model

        return topic_model(self, refit=refit)

    def theme_assignment(self):
        """The `ThemeAssignment` of every item to the taxonomy's themes (computed once)."""
        from explorer.insights.themes import theme_assignment

        if self._themes is None:
            found = theme_assignment(self)  # outside the lock: it reads tables under it
            with self._lock:
                self._themes = self._themes or found
        return self._themes

    def _items(self):
        from explorer.insights.gaps import item_frame

        return item_frame(self)

    def topics(self) -> pd.DataFrame:
        """One row per theme: id ("theme:speech"), label, terms, size, talks, papers,
        first_date, last_date, representatives, description, last_talk_date, and the talks
        announced for meetups after today apart: upcoming, next_talk_date."""
        from explorer.insights.gaps import topic_table
        from explorer.insights.timeline import today

        return topic_table(self.theme_assignment(), self._items(), as_of=today())

    def topics_over_time(self) -> pd.DataFrame:
        """Items per theme per year (every theme, every year), talks and papers apart; talks
        announced for meetups after today are not counted (they have not happened)."""
        from explorer.insights.gaps import topics_over_time
        from explorer.insights.timeline import today

        return topics_over_time(self.theme_assignment(), self._items(), as_of=today())

    def last_meetup_date(self, today: str | None = None) -> str | None:
        """The date of the latest meetup held by ``today`` (default: today): "now" for the
        gaps. A meetup the archive announces for a later day has not happened yet."""
        from explorer.insights.timeline import today as today_

        dates = self.meetups()["date"].dropna().astype(str).str[:10]
        dates = dates[(dates != "") & (dates <= (today or today_()))]
        return str(dates.max()) if len(dates) else None

    def gaps(self, as_of: str | None = None) -> list:
        """Themes read about but not talked about, then themes without a talk in two years
        before ``as_of`` (default: the date of the last meetup held), each with its
        evidence; talks after ``as_of`` count as none, and are named as scheduled."""
        from explorer.field.themes import with_field_evidence
        from explorer.insights.gaps import find_gaps

        return with_field_evidence(self, find_gaps(  # gap.field_evidence, with a field
            self.theme_assignment(), self._items(), as_of=as_of or self.last_meetup_date()))

    def novelty(self, text: str, k: int = 5):
        """Would a proposed talk repeat a past one? `Novelty` (verdict, headline, closest)."""
        from explorer.insights.novelty import novelty_check

        return novelty_check(self, text, k=k)

    def topic_prior(self) -> TopicPrior | None:
        """The items' themes as hybrid search's topic prior (computed once, with the model).

        None for an encoder without a model of meaning (the hashing stand-in: its cosines
        between a short query and a theme's description are hash collisions), and None,
        with a warning, when the themes cannot be computed: search then ranks by meaning
        and words alone rather than failing.
        """
        if not getattr(self.engine.encoder, "semantic", True):
            return None
        if getattr(self, "_topic_prior", None) is None:
            from explorer.insights.themes import search_prior

            try:
                ids = [it.id for it in self.engine.items]
                prior = search_prior(self.theme_assignment(), ids, self.engine.vectors,
                                     self.embed)
            except Exception as e:  # noqa: BLE001 - a ranking aid, never a failed search
                warnings.warn(f"search without the topic prior: themes failed ({e})",
                              stacklevel=2)
                return None
            with self._lock:
                self._topic_prior = getattr(self, "_topic_prior", None) or prior
        return self._topic_prior

    def _shared_topic(self, a_id: str, b_id: str) -> str:
        # Never waits for the model: themes the build stored, once computed, or when the
        # model is in memory.
        if self._themes is None and not getattr(self.engine.encoder, "loaded", True):
            from explorer.insights.themes import stored_theme_assignment

            if not getattr(self, "_stored_themes_read", False):  # once: it hashes every text
                found = stored_theme_assignment(self)
                with self._lock:
                    self._themes = self._themes or found
                    self._stored_themes_read = True
            if self._themes is None:
                return ""
        from explorer.insights.themes import OTHER

        try:
            themes = self.theme_assignment()
        except Exception:  # noqa: BLE001 - a reason is decoration, the themes may be absent
            return ""
        a, b = (self.engine.item(i).id for i in (a_id, b_id))
        shared = [t for t in themes.themes_of(a) if t != OTHER and t in themes.themes_of(b)]
        return themes.name(shared[0]) if shared else ""
