"""The paper page (?paper=ID); the rendering lives in app_pages/item.py."""

from app_pages import item

item.paper_page()
