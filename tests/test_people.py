"""People: one person per speaker whatever the spelling."""

from __future__ import annotations

import pytest

from explorer.ingest.people import group_people, person_key


@pytest.mark.parametrize("a, b", [
    ("René Donner", "Rene Donner"),
    ("Jan Schlüter", "Jan Schluter"),
    ("Jan Schlüter", "Jan Schlueter"),
    ("Tom Lidy", "Thomas Lidy"),
    ("Michael M. Pieler", "Michael Pieler"),
    ("  jan   SCHLÜTER ", "Jan Schlüter"),
    ("Georg Fuerlinger", "Georg Fürlinger"),
])
def test_spellings_of_one_person_share_a_key(a, b):
    assert person_key(a) == person_key(b) != ""


@pytest.mark.parametrize("a, b", [
    ("Tom Lidy", "Tom Lindy"),
    ("Alex Smith", "Alexander Brown"),
    ("Jan Schlüter", "Jana Schlüter"),
    ("Michael Pieler", "Michaela Pieler"),
])
def test_different_people_keep_different_keys(a, b):
    assert person_key(a) != person_key(b)


def test_the_most_used_spelling_names_the_person_and_ties_keep_the_accents():
    people = group_people(["Tom Lidy", "Thomas Lidy", "Thomas Lidy", "Rene Donner",
                           "René Donner", "Ada Lovelace"])
    assert [(p.name, p.aliases, p.mentions) for p in people] == [
        ("Ada Lovelace", ("Ada Lovelace",), 1),
        ("René Donner", ("Rene Donner", "René Donner"), 2),
        ("Thomas Lidy", ("Thomas Lidy", "Tom Lidy"), 3),
    ]
    assert [p.id for p in people] == ["ada-lovelace", "rene-donner", "thomas-lidy"]


def test_a_middle_initial_never_names_the_person_on_a_tie():
    (p,) = group_people(["Michael M. Pieler", "Michael Pieler"])
    assert p.name == "Michael Pieler"


def test_empty_names_are_no_one():
    assert group_people(["", "  ", "—"]) == []
