"""Insights for organizers: themes, themes over time, gaps with evidence, the novelty check."""

from explorer.insights.figures import gap_figure, theme_heatmap
from explorer.insights.gaps import find_gaps, item_frame, topic_model, topics_over_time
from explorer.insights.novelty import novelty_check
from explorer.insights.themes import ThemeAssignment, assign_themes, theme_assignment

__all__ = ["ThemeAssignment", "assign_themes", "find_gaps", "gap_figure", "item_frame",
           "novelty_check", "theme_assignment", "theme_heatmap", "topic_model",
           "topics_over_time"]
