"""The talk page (?talk=ID); the rendering lives in app_pages/item.py."""

from app_pages import item

item.talk_page()
