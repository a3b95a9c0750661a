"""The talk page's "From the field" section (AppTest, HashingEncoder, invented field)."""

from __future__ import annotations

import re

import pytest
from field_fixtures import write_snapshot
from test_app import assert_ok, build_app_data, run_app, talk_ids, texts
from test_field_search import embed_here

from embeddings.encoder import HashingEncoder
from explorer.field.index import build_field_index
from explorer.field.snapshot import import_snapshot
from explorer.store.fieldstore import FieldStore

TALK = "Attention for machine translation"  # meetup #1, 2017-03-01
_DATE = re.compile(r"submitted (\d{4}\\-\d\d\\-\d\d)")


@pytest.fixture()
def data(_data_dir, tmp_path):
    build_app_data(_data_dir)
    fs = FieldStore.open(_data_dir)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 300), categories="all")
    embed_here(fs, HashingEncoder())
    build_field_index(fs, "hashing-64")
    fs.close()
    return _data_dir


def dates(at) -> list[str]:
    return [m.group(1).replace("\\", "") for c in at.caption if (m := _DATE.search(c.value))]


def test_talk_page_lists_field_papers_and_filters_before_after(data):
    at = run_app({"talk": talk_ids()[TALK]})
    assert_ok(at)
    out = texts(at)
    assert "From the field" in out
    links = [m.value for m in at.markdown if "arxiv.org/abs/" in m.value]
    assert len(links) == 5
    assert len(dates(at)) == 5
    at.radio(key="field_when").set_value("After the talk").run()
    assert_ok(at)
    assert dates(at) and all(d >= "2017-03-01" for d in dates(at))
    at.radio(key="field_when").set_value("Before the talk").run()
    assert dates(at) and all(d < "2017-03-01" for d in dates(at))


def test_without_a_field_the_section_says_how_to_get_one(_data_dir):
    build_app_data(_data_dir)
    at = run_app({"talk": talk_ids()[TALK]})
    assert_ok(at)
    out = texts(at)
    assert "From the field" in out and "explorer field import" in out
