"""Insights for organizers: themes, themes over time, gaps with evidence, the novelty check."""

import importlib

# Loaded on first use (PEP 562): these pull in scikit-learn and pandas, and `explorer.api`
# (which inherits `explorer.insights.api`) must open fast for the app's first visitor.
_EXPORTS = {"gap_figure": "figures", "theme_heatmap": "figures", "find_gaps": "gaps",
            "item_frame": "gaps", "topic_model": "gaps", "topics_over_time": "gaps",
            "novelty_check": "novelty", "ThemeAssignment": "themes",
            "assign_themes": "themes", "theme_assignment": "themes"}

__all__ = ["ThemeAssignment", "assign_themes", "find_gaps", "gap_figure", "item_frame",
           "novelty_check", "theme_assignment", "theme_heatmap", "topic_model",
           "topics_over_time"]
assert sorted(__all__) == sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"explorer.insights.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'explorer.insights' has no attribute {name!r}")
