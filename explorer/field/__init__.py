"""The field: arXiv's papers beyond the meetup, imported, harvested, embedded on Ray, searched."""
