"""Parser on invented pages: agenda lines with emoji bullets and times, speakers whose names
carry hyphens and particles, footnoted arXiv ids, agenda speaker lines whose titles come
from the details below, and page titles naming a meetup beside another series."""

from test_parser_unseen import ROOT, Pages, parse, talks

from explorer.ingest.parser import parse_archive

HEAD = "# 117th Vienna Deep Learning Meetup\n\n* Date: 2027-03-10\n\n## Agenda\n\n"


def _slots(corpus):
    return [(t.title, t.speakers, t.affiliations) for t in corpus.talks]


def test_an_emoji_before_an_agenda_time_is_decoration_and_the_talk_is_read():
    for bullet in ("", "* "):
        page = HEAD + (f"{bullet}🕕 18:00 Doors open\n"
                       f"{bullet}🎤 18:45 Talk: Counting Owls by Sound – Ada Berg (Owl Uni)\n"
                       f"{bullet}🎤 19:30 Talk: Moss Mapping from Space – Ida Rautner (Lichen Labs)\n"
                       f"{bullet}🍕 20:15 Pizza & networking\n")
        assert _slots(parse("117", page)) == [
            ("Counting Owls by Sound", ["Ada Berg"], ["Owl Uni"]),
            ("Moss Mapping from Space", ["Ida Rautner"], ["Lichen Labs"])], repr(bullet)


def test_a_hyphenated_name_with_particles_after_a_dash_is_the_speaker_not_title_words():
    page = HEAD + ("* 18:45 Counting Owls by Sound – Ada van der Berg (Owl Uni)\n"
                   "* 19:15 Moss Mapping from Space – Jean-Luc de la Cruz (Lichen Labs)\n"
                   "* 19:45 Tree Rings with Transformers – Siobhán Ó Briain (Alder Lab)\n"
                   "* 20:15 Sorting Socks by Touch – Anne-Marie Lutz\n")
    assert _slots(parse("117", page)) == [
        ("Counting Owls by Sound", ["Ada van der Berg"], ["Owl Uni"]),
        ("Moss Mapping from Space", ["Jean-Luc de la Cruz"], ["Lichen Labs"]),
        ("Tree Rings with Transformers", ["Siobhán Ó Briain"], ["Alder Lab"]),
        ("Sorting Socks by Touch", ["Anne-Marie Lutz"], [])]


FOOTED = """# 111th Vienna Deep Learning Meetup

* Date: 2027-03-10

## Agenda

* 18:45 Counting Owls by Sound – Leni Trautmann (Barnhollow)
* 19:30 Moss Mapping from Space – Ida Rautner (Lichen Labs)

## Talk Details

### Counting Owls by Sound

Owls hoot in the dark where cameras see nothing; we count them with a tiny classifier[^3].

### Moss Mapping from Space

We map moss from satellite images with a segmentation model trained on few labels{moss}.

[^3]: Following arXiv:2402.01234, the owl census paper.
[^4]: Both build on
    arXiv:2310.04321.
"""


def test_a_footnotes_arxiv_id_goes_to_the_one_talk_whose_text_carries_its_mark():
    corpus = parse("111", FOOTED.format(moss="[^4]"))
    got = talks(corpus, "111")
    assert got["Counting Owls by Sound"][2] == ["2402.01234"]
    assert got["Moss Mapping from Space"][2] == ["2310.04321"]
    assert got["Moss Mapping from Space"][1].endswith("trained on few labels.")


def test_a_footnote_marked_in_two_talks_or_in_none_stays_with_the_meetup():
    corpus = parse("111", FOOTED.format(moss="[^3]"))
    assert {r.arxiv_id: r.talk_id for r in corpus.refs} == {"2402.01234": None,
                                                             "2310.04321": None}


def test_a_title_naming_the_meetup_beside_a_co_hosts_series_names_that_meetup():
    from explorer.ingest.parser import meetup_key_of

    for title in ("Meetup #76 / PyData Vienna #12", "VDLM #76 | PyData Vienna",
                  "76th Meetup (Special Edition)"):
        assert meetup_key_of("Meetups/next/README.md", title) == "76", title
    # two meetups named, or a number without its sign: no meetup
    for title in ("Meetup #76 / Meetup #77", "Meetup #76 / PyData Vienna Meetup #12",
                  "Meetup 3 talks on LLMs / PyData"):
        assert meetup_key_of("Meetups/next/README.md", title) is None, title
    page = ("# Meetup #76 / PyData Vienna #12\n\n* Date: 2027-12-01\n\n## Agenda\n\n"
            "* 18:45 Counting Owls by Sound – Ada Berg (Owl Uni)\n")
    corpus = parse_archive(Pages({"README.md": ROOT.format(rows=""),
                                  "Meetups/next/README.md": page}))
    assert list(talks(corpus, "76")) == ["Counting Owls by Sound"] and not corpus.warnings


SPEAKERS = """# 110th Vienna Deep Learning Meetup

* Date: 2027-03-10

## Agenda

* 18:30 Doors open
* 18:45 Ada Berg (Owl Uni)
* 19:30 Ida Rautner (Lichen Labs)

## Talks

### Counting Owls by Sound

Owls hoot in the dark where cameras see nothing, see arXiv:2402.01234.

### Moss Mapping from Space

We map moss from satellite images.
{more}
## Venue

Lichen Labs, Moosgasse 3.
"""


def test_speaker_only_agenda_lines_take_the_details_headings_as_many_in_the_same_order():
    corpus = parse("110", SPEAKERS.format(more=""))
    assert _slots(corpus) == [("Counting Owls by Sound", ["Ada Berg"], ["Owl Uni"]),
                              ("Moss Mapping from Space", ["Ida Rautner"], ["Lichen Labs"])]
    got = talks(corpus, "110")
    assert got["Counting Owls by Sound"][1:] == (
        "Owls hoot in the dark where cameras see nothing, see arXiv:2402.01234.", ["2402.01234"])
    assert got["Moss Mapping from Space"][1:] == ("We map moss from satellite images.", [])


def test_speaker_only_agenda_lines_and_a_different_number_of_headings_are_not_paired():
    extra = "\n### Sorting Socks by Touch\n\nLaundry robots meet a thousand sock shapes.\n"
    corpus = parse("110", SPEAKERS.format(more=extra))
    assert not any(t.speakers for t in corpus.talks)
    # not paired, and not silently dropped: each speaker-only line is named
    tail = "' but no talk title that can be paired with it; left out"
    assert [(w.line, w.message) for w in corpus.warnings] == [
        (8, "agenda line names 'Ada Berg (Owl Uni)" + tail),
        (9, "agenda line names 'Ida Rautner (Lichen Labs)" + tail)]


def test_tidy_spaces_cuts_runs_and_trailing_blanks_only():
    from explorer.ingest.mdtext import tidy_spaces

    assert tidy_spaces("  * Owls   by Ada  \n| a" + " " * 40 + "| b |\t\n") == (
        "  * Owls   by Ada\n| a" + " " * 16 + "| b |\n")


def test_a_page_of_long_blank_runs_does_not_hang_the_parse():
    # A line of 200,000 blanks inside a table row or after a bullet: patterns that start with
    # optional blanks rescanned the run from each position (cubic: the build never ended).
    import subprocess
    import sys

    code = """
import sys
sys.path.insert(0, "tests")
from test_parser_unseen import parse
run = " " * 200000
page = ("# 98th Meetup\\n\\n* Date: 2027-01-01\\n\\n## Agenda\\n\\n* " + run + "\\n\\n"
        "| 2027-01-01 | 98 | " + run + " | " + run + " |\\n\\n" + run + " by Ada Berg (Owl Uni)\\n")
print(len(parse("98", page).meetups))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          timeout=60)  # seconds; the parse takes under one (minutes before)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1"
