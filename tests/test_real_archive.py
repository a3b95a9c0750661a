"""The parser over the real meetup archive (read from ../shared, never copied into the repo)."""

import os
from pathlib import Path

import pytest

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.archive import LocalArchive
from explorer.ingest.mdtext import fold
from explorer.ingest.parser import parse_archive
from explorer.ingest.roottable import parse_table

CORPUS = Path(os.environ.get("EXPLORER_CORPUS")
              or Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "vdlm-meetups")

pytestmark = pytest.mark.skipif(
    not (CORPUS / "README.md").exists(),
    reason=f"real archive not found at {CORPUS} (set EXPLORER_CORPUS to a copy of vdlm/meetups)")


@pytest.fixture(scope="module")
def parsed():
    return parse_archive(LocalArchive(CORPUS))


@pytest.fixture(scope="module")
def table_rows():
    rows, warnings = parse_table((CORPUS / "README.md").read_text(encoding="utf-8"))
    assert warnings == []
    return rows


def _surnames(names):
    return {fold(n).split()[-1] for n in names if fold(n)}


def test_every_table_row_is_a_talk_with_meetup_date_speakers(parsed, table_rows):
    meetups = {m.key: m for m in parsed.meetups}
    wanted = [r for r in table_rows if r.meetup_key == "AI" or int(r.meetup_key) <= 57]
    assert len(wanted) > 100
    for row in wanted:
        talks = [t for t in parsed.talks if t.meetup_key == row.meetup_key
                 and t.title == row.title]
        assert len(talks) == 1, (row.meetup_key, row.title)
        assert meetups[row.meetup_key].date == row.date
        assert _surnames(talks[0].speakers) == _surnames(row.speakers), row.title
        assert (talks[0].kind == INTRO) == row.intro


def test_page_only_talks_and_counts(parsed, table_rows):
    def count(key, kinds=(TALK, SHORT_TALK)):
        return sum(t.meetup_key == key and t.kind in kinds for t in parsed.talks)

    in_table = {k: sum(r.meetup_key == k and not r.intro for r in table_rows)
                for k in {r.meetup_key for r in table_rows}}
    # Counts verified by reading the pages: talks the table does not list.
    assert count("42") == 2 and "42" not in in_table         # page only (table placeholder)
    assert count("8") == in_table["8"] + 1                   # a conference report slot
    assert count("28") == in_table["28"] + 1                 # a short presentation
    assert count("33") == in_table["33"] + 1                 # a short talk
    assert count("47") == in_table["47"] + 4                 # a four-part second session
    assert count("3", (CANCELLED,)) == 1 and count("15", (CANCELLED,)) == 1
    assert count("38", (CANCELLED,)) == 1
    assert count("35") == in_table["35"]                     # its page describes meetup 36


def test_metadata_and_fallbacks(parsed):
    m = {x.key: x for x in parsed.meetups}
    assert m["AI"].number is None and m["AI"].date == "2017-09-04"
    assert m["56"].date == "2024-01-17" and m["57"].date == "2024-03-19"  # pages w/o headers
    assert m["53"].source_path is None and m["53"].date  # table only
    assert m["1"].meetup_url and "meetup.com" in m["1"].meetup_url
    assert m["19"].meetup_url is None  # its page copied meetup 1's link
    assert all(x.date for x in parsed.meetups)
    ids = [t.id for t in parsed.talks]
    assert len(ids) == len(set(ids))


def test_page_details_are_merged(parsed):
    with_abstract = [t for t in parsed.talks if t.abstract and t.kind == TALK]
    assert len(with_abstract) >= 60
    slides = [t for t in parsed.talks if t.slides_url]
    assert all(t.slides_url.startswith(("https://", "http://")) for t in slides)


def test_meetup_15_each_item_has_its_own_abstract(parsed):
    """Its agenda lists four talks (one cancelled); its numbered details name them a little
    differently. Talks are found by a few words of their titles, never the page's text."""
    fifteen = [x for x in parsed.talks if x.meetup_key == "15"]
    assert len(fifteen) == 4

    def talk(start):
        (found,) = [x for x in fifteen if fold(x.title).startswith(start)]
        return found

    vision, transfer = talk("computer vision"), talk("transfer learning")
    medical, nips = talk("deep learning on 3d"), talk("latest news and trends from nips")
    assert vision.kind == CANCELLED and "chihuahuas" in fold(vision.abstract)
    assert fold(transfer.abstract).startswith("moonvision") and "3d" not in fold(transfer.abstract)
    assert fold(medical.abstract).startswith("radiology") and "nips" not in fold(medical.abstract)
    assert nips.kind == TALK and fold(nips.abstract).startswith("nips is")
    assert _surnames(nips.speakers) == {"donner", "schluter"}
    assert not any("details about" in fold(x.abstract) for x in fifteen)


def test_no_marker_titles_no_duplicates_no_shared_abstracts(parsed):
    assert not [t.title for t in parsed.talks if fold(t.title) in ("cancelled", "postponed")
                or fold(t.title).startswith("talk ")]
    seen = [(t.meetup_key, fold(t.title)) for t in parsed.talks]
    assert len(seen) == len(set(seen))
    texts = [(t.meetup_key, t.abstract) for t in parsed.talks if t.abstract]
    assert len(texts) == len(set(texts))  # one talk's text is never handed to another
