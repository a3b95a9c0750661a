"""Parser over invented pages in the newer meetup layouts (2024 on) and their root table rows."""

from pathlib import Path

import pytest

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.archive import LocalArchive
from explorer.ingest.mdtext import GITHUB_BLOB
from explorer.ingest.parser import parse_archive
from explorer.ingest.readme_agenda import numbered_talk, speaker_line, table_talks
from explorer.ingest.readme_layouts import parse_page

FIXTURE = Path(__file__).parent / "fixtures" / "archive_new"
BLOB = GITHUB_BLOB + "Meetups/"


@pytest.fixture(scope="module")
def corpus():
    return parse_archive(LocalArchive(FIXTURE))


def rows(corpus, key):
    """(kind, title, speakers, affiliations, slides, video) of a meetup's talks, in order."""
    return [(t.kind, t.title, t.speakers, t.affiliations, t.slides_url, t.video_url)
            for t in corpus.talks if t.meetup_key == key]


def abstracts(corpus, key):
    return {t.title: t.abstract for t in corpus.talks if t.meetup_key == key}


def test_meetups_dates_titles_and_header_metadata(corpus):
    m = {x.key: x for x in corpus.meetups}
    assert list(m) == ["70", "71", "72", "73", "75", "100"]
    assert {k: x.date for k, x in m.items()} == {
        "70": "2025-11-12", "71": "2026-01-21", "72": "2026-03-04", "73": "2026-04-15",
        "75": "2026-06-03", "100": "2027-02-10"}
    assert m["70"].title == "70th Vienna Deep Learning Meetup" and m["70"].venue is None
    assert m["71"].venue == "Lindenhof Campus, Hall C"
    assert m["71"].meetup_url == ("https://www.meetup.com/vienna-deep-learning-meetup/events/"
                                  "310000071/")
    assert m["72"].venue == "Kaltenbrunn Observatory, Lecture Hall" and m["72"].meetup_url is None
    assert m["73"].title == "73rd Vienna Deep Learning Meetup"
    assert m["75"].source_path is None and m["75"].title == "75th Vienna Deep Learning Meetup"
    assert m["100"].source_path == "Meetups/Meetup_100/README.md"
    assert corpus.warnings == []


def test_2024_style_agenda_with_talk_abstract_sections(corpus):
    assert rows(corpus, "70") == [
        (TALK, "Tide Tables for Transformers: Forecasting Without Retraining",
         ["Ilse Brandauer"], ["Quillfeather Analytics"],
         BLOB + "Meetup_70/Brandauer_Tide_Tables.pdf", None),
        (TALK, "Pocket-Sized Planners: Tiny Models that Schedule Trains",
         ["Tobias Wendrich"], ["Hollowmere Institute"], None, None),
        (INTRO, "Intro / Events", [], [], BLOB + "Meetup_70/2025-11-12_70th_VDLM_Meetup.pdf",
         None),
    ]
    a = abstracts(corpus, "70")
    assert a["Tide Tables for Transformers: Forecasting Without Retraining"].startswith(
        "Ilse shows how a sequence model")
    assert a["Pocket-Sized Planners: Tiny Models that Schedule Trains"] == (
        "Timetables are constraint problems in disguise. Tobias presents a model with fewer "
        "than a million parameters that proposes train schedules, and a classical solver that "
        "repairs them.\nThe combination runs on a laptop and beats the solver alone on the "
        "regional network.")
    assert a["Intro / Events"] == ""  # the hot-topics call for contributions is no abstract
    (ref,) = corpus.refs
    assert ref.arxiv_id == "2403.07815"
    assert ref.talk_id == "m70-tide-tables-for-transformers-forecasting-without-retraining"


def test_page_without_date_header_gives_month_and_day():
    text = (FIXTURE / "Meetups/Meetup_70/README.md").read_text()
    page = parse_page(text, "Meetups/Meetup_70")
    assert page.date is None and page.month_day == (11, 12) and page.title == ""


def test_header_bullets_slides_list_and_talk_sections(corpus):
    slides = BLOB + "Meetup_71/slides/71st%20VDLM%20-%20"
    assert rows(corpus, "71") == [
        (INTRO, "Intro / Events", [], [], slides + "Intro.pdf", None),
        (TALK, "Graph Kitchens: Recipe Generation with Message Passing", ["Nora Eisenhut"],
         ["Vienna Culinary Informatics Lab"], slides + "Eisenhut%20-%20Graph%20Kitchens.pdf",
         None),
        (TALK, "Whispering Weights: Compressing Speech Models for Hearing Aids",
         ["Farid Oyelaran", "Malin Strand"], ["Tonwerk Audio", "TU Wien"],
         slides + "Whispering%20Weights.pdf", "https://youtu.be/fxWhisper71"),
    ]
    a = abstracts(corpus, "71")
    assert a["Graph Kitchens: Recipe Generation with Message Passing"].startswith(
        "Recipes are graphs")  # the '**Abstract:**' label is not part of the abstract
    assert a["Whispering Weights: Compressing Speech Models for Hearing Aids"].endswith(
        "listening tests with forty volunteers.")


def test_agenda_table_with_videos_and_two_speakers(corpus):
    assert rows(corpus, "72") == [
        (INTRO, "Intro & Announcements", [], [], BLOB + "Meetup_72/72nd%20VDLM%20Intro.pdf",
         None),
        (TALK, "Counting Stars with Diffusion Priors", ["Henrike Vogl", "Dario Maselli"],
         ["Kaltenbrunn Observatory"], BLOB + "Meetup_72/Counting%20Stars.pdf",
         "https://youtu.be/fxStars72"),
        (SHORT_TALK, "Ten Minutes of Tokenizer Trivia", ["Quentin Aubry"], [], None,
         "https://www.youtube.com/watch?v=fxTokens72"),
        (TALK, "Sketch-to-Mesh in the Browser", ["Yuki Tanabe", "Lorenz Haidl"],
         ["Polyform Studio"], BLOB + "Meetup_72/slides/sketch%20to%20mesh.pdf", None),
    ]
    assert abstracts(corpus, "72")["Counting Stars with Diffusion Priors"].startswith(
        "Crowded star fields defeat classical source detection.")


def test_numbered_talk_list_with_cancelled_and_struck_talks(corpus):
    assert rows(corpus, "73") == [
        (INTRO, "Intro / Events", [], [], BLOB + "Meetup_73/slides/73rd%20VDLM%20Intro.pdf",
         None),
        (TALK, "Fermenting Features: Self-Supervised Learning on Brewery Sensor Data",
         ["Agnes Pfeiffer"], ["Hopfenwerk Analytics"],
         BLOB + "Meetup_73/slides/Pfeiffer%20Fermenting%20Features.pdf", None),
        (CANCELLED, "Label Noise Is a Feature, Not a Bug", ["Casimir Novak"],
         ["University of Graz"], None, None),
        (CANCELLED, "Bayesian Barrels: Uncertainty for Cask Ageing", ["Lotte Verhoeven"],
         ["Eikhout Cooperage"], None, None),
        (SHORT_TALK, "Distilling Hop Aromas into Embeddings", ["Emre Kaya", "Selma Hadžić"],
         ["Aromalab"], None, None),
    ]
    assert abstracts(corpus, "73")[
        "Fermenting Features: Self-Supervised Learning on Brewery Sensor Data"].startswith(
        "Fermentation tanks log temperature")


def test_root_table_only_meetups_and_video_links_in_details(corpus):
    assert rows(corpus, "75") == [
        (INTRO, "Intro / Events", [], [], BLOB + "Meetup_75/2026-06-03_75th_VDLM.pdf", None),
        (TALK, "Lanternfish: Sonar Embeddings for Deep-Sea Surveys",
         ["Ottilie Brandstetter", "Kwame Asante"], [], BLOB + "Meetup_75/Lanternfish.pdf",
         "https://youtu.be/fxLantern75"),
        (TALK, "Snow Globes and Scene Graphs", ["Ignaz Rotheneder"], [], None,
         "https://youtu.be/fxSnow75?si=abc"),
    ]
    # a page with only a title and one slides link for the evening: the table has the talks
    assert rows(corpus, "100") == [
        (TALK, "Clockwork Critics: Reward Models for Watchmakers", ["Rosalind Achterberg"], [],
         BLOB + "Meetup_100/Achterberg%20Clockwork.pdf", None),
        (TALK, "Origami Optimisers", ["Bartholomew Quist"], [], None,
         "https://www.youtube.com/watch?v=fxOrigami100"),
    ]


def test_talk_ids_are_unique_and_stable(corpus):
    ids = [t.id for t in corpus.talks]
    assert len(ids) == len(set(ids)) == 20
    assert "m100-origami-optimisers" in ids and "m73-bayesian-barrels-uncertainty-for-cask-ageing" \
        in ids


@pytest.mark.parametrize(("line", "expected"), [
    ("2. **Kelp Forests** — Ada Vukovic (Reef Lab) [[slides](<./s/kelp.pdf>)]",
     (TALK, "Kelp Forests", ["Ada Vukovic"], ["Reef Lab"], GITHUB_BLOB + "M/s/kelp.pdf")),
    ("- **Short talk: Moss Maps** by Ben Oduya, Lichen Corp",
     (SHORT_TALK, "Moss Maps", ["Ben Oduya"], ["Lichen Corp"], None)),
    ("3. ~~**Pond Physics** — Cleo Marsh~~", (CANCELLED, "Pond Physics", ["Cleo Marsh"], [], None)),
    ("4. **Pond Physics** — Cleo Marsh (postponed)",
     (CANCELLED, "Pond Physics", ["Cleo Marsh"], [], None)),
    ("1. **Welcome & Hot Topics** — VDLM organizers", (INTRO, "Welcome & Hot Topics", [], [], None)),
])
def test_numbered_talk_items(line, expected):
    t = numbered_talk(line, 7, "M")
    assert (t.kind, t.title, t.speakers, t.affiliations, t.slides_url) == expected
    assert t.line == 7


def test_numbered_item_that_is_no_talk():
    assert numbered_talk("1. **Note** — bring your own mug", 1, "") is None
    assert numbered_talk("1. Plain list item", 1, "") is None


def test_agenda_table_column_names_and_skipped_rows():
    lines = ["intro", "| Zeit | Title | Speakers | Video |", "|--|--|--|--|",
             "| 18:00 | Doors open | | |",
             "| 18:30 | Lichen Learning | Nils Krog & Ulla Berg | [Recording](https://vimeo.com/1) |",
             "| 19:30 | Networking | | |", "", "after"]
    ((first, end, slots),) = table_talks(lines, "")
    assert (first, end) == (1, 6)
    (t,) = slots
    assert (t.title, t.speakers, t.video_url, t.line) == (
        "Lichen Learning", ["Nils Krog", "Ulla Berg"], "https://vimeo.com/1", 5)


def test_role_prefix_is_dropped_from_affiliations():
    assert speaker_line("Vera Lind - Senior Researcher at Mossgrund Institute") == (
        ["Vera Lind"], ["Mossgrund Institute"])
    assert speaker_line("Vera Lind, University of Texas at Austin") == (
        ["Vera Lind"], ["University of Texas at Austin"])
