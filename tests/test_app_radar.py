"""The Organizer's "Field radar" section and the gaps' field evidence (AppTest, invented field)."""

from __future__ import annotations

import pytest
from test_app import assert_ok, build_app_data, run_app, texts
from test_field_radar import add_field


@pytest.fixture()
def data(_data_dir, tmp_path):
    build_app_data(_data_dir)
    add_field(_data_dir, tmp_path)
    return _data_dir


def test_organizer_shows_the_rising_theme_with_its_numbers(data):
    at = run_app(page="organizer")
    assert_ok(at)
    out = texts(at).replace("\\", "")  # markdown escapes dropped
    assert "Field radar" in out
    # The flagged theme, its evidence in numbers, and the plot of share vs talks.
    assert "**Medical imaging & health** · rising in the field, never a talk" in out
    assert "In the field: " in out and "2019's papers" in out and "2016-2018" in out
    radar = [d.value for d in at.dataframe if "baseline_years" in d.value.columns]
    assert radar and "Medical imaging & health" in set(radar[0]["label"])
    assert at.multiselect(key="radar_themes").value == ["Medical imaging & health"]
    assert len(at.get("plotly_chart")) == 3  # themes over time, gaps, the radar
    # A gap (speech: last talk 2017) says how its theme does in the field.
    assert any(c.value.replace("\\", "").startswith("In the field:") and "down from" in
               c.value for c in at.caption)


def test_without_a_field_the_radar_names_the_commands(_data_dir):
    build_app_data(_data_dir)
    at = run_app(page="organizer")
    assert_ok(at)
    out = texts(at)
    assert "Field radar" in out
    info = " ".join(i.value for i in at.info)
    assert "explorer field import" in info and "explorer field build" in info


def test_a_field_imported_but_not_embedded_says_so(_data_dir, tmp_path):
    from field_fixtures import write_snapshot

    from explorer.field.snapshot import import_snapshot
    from explorer.store.fieldstore import FieldStore

    build_app_data(_data_dir)
    fs = FieldStore.open(_data_dir)
    import_snapshot(fs, write_snapshot(tmp_path / "s.json", 30), categories="all")
    fs.close()
    at = run_app(page="organizer")
    assert_ok(at)
    info = " ".join(i.value for i in at.info)
    assert "embedded" in info and "explorer field build" in info, info
    assert "No field imported" not in info
