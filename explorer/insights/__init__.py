"""Insights for organizers: topics with stable ids, topics over time, gaps, the novelty check."""

from explorer.insights.gaps import find_gaps, item_frame, topic_model, topics_over_time
from explorer.insights.novelty import novelty_check

__all__ = ["find_gaps", "item_frame", "novelty_check", "topic_model", "topics_over_time"]
