"""Every layout family of the archive, on invented pages: details matched by content, Talk N
headings and lines, wrapped bold titles, speaker bios, cancel markers, roles, one talk once."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from explorer.cli import app
from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.archive import LocalArchive
from explorer.ingest.fidelity import check_archive
from explorer.ingest.mdtext import fold, is_role
from explorer.ingest.parser import parse_archive
from explorer.ingest.readme_layouts import parse_page
from explorer.ingest.slots import split_marker

FIXTURE = Path(__file__).parent / "fixtures" / "archive_family"


@pytest.fixture(scope="module")
def corpus():
    return parse_archive(LocalArchive(FIXTURE))


def talks(corpus, key):
    return {t.title: t for t in corpus.talks if t.meetup_key == key}


def test_numbered_details_go_to_their_own_agenda_item_not_the_next(corpus):
    t = talks(corpus, "81")
    assert list(t) == ["Kiln Curves - then and now", "Curriculum Learning for Fun and Profit",
                       "Porcelain Defects at a Glance",
                       "News and trends from CVPR, the largest vision conference"]
    kiln, curriculum = t["Kiln Curves - then and now"], t["Curriculum Learning for Fun and Profit"]
    assert kiln.kind == CANCELLED and kiln.abstract.endswith("took over the firing curve.")
    assert curriculum.abstract.startswith("Glazeworks sorts cups")  # not the next agenda line
    assert "Porcelain" not in curriculum.abstract
    defects = t["Porcelain Defects at a Glance"]  # '(3) Title' without speaker, by its title
    assert defects.abstract.startswith("Hairline cracks") and defects.speakers == ["Greta Falk"]
    assert "CVPR" not in defects.abstract and "details" not in defects.abstract
    report = t["News and trends from CVPR, the largest vision conference"]  # page only
    assert report.kind == TALK and report.speakers == ["Greta Falk", "Bodo Reiter"]
    assert report.abstract.startswith("Greta attended") and "Hairline" not in report.abstract
    abstracts = [x.abstract for x in t.values() if x.abstract]
    assert len(abstracts) == len(set(abstracts)) == 4  # no text handed to two talks


def test_talk_heading_with_title_on_the_next_line_and_speaker_bios(corpus):
    t = talks(corpus, "82")
    glacier = t["Glacier Retreat Seen by Vision Transformers"]
    assert glacier.speakers == ["Tamsin Moreau"] and glacier.affiliations == ["Firnlab"]
    assert glacier.abstract.startswith("Satellite images") and "climbed" not in glacier.abstract
    assert glacier.bio.startswith("Tamsin Moreau leads the AI research group")
    music = t["Tokenizers for Sheet Music"]
    assert music.speakers == ["Oskar Lindqvist", "Mei Takahashi"]
    assert music.affiliations == ["Notenwerk", "University of Graz"]  # 'PhD student' is a role
    assert music.bio.splitlines() == [
        "Oskar Lindqvist builds engraving software at Notenwerk.",
        "Mei Takahashi studies music information retrieval and plays the viola."]
    assert "viola" not in music.abstract
    assert not any(x.startswith(("Talk", "Glacier Retreat")) and x != glacier.title for x in t)


def test_talk_details_plain_lines_and_a_cancel_marker_before_the_label(corpus):
    t = talks(corpus, "83")
    assert set(t) == {"Intro / Events", "Sparse Autoencoders for Bird Calls",
                      "Counting Reeds with Drones"}
    birds = t["Sparse Autoencoders for Bird Calls"]
    assert birds.speakers == ["Ruth Abernathy"] and birds.affiliations == ["Auwald Acoustics"]
    assert birds.abstract.startswith("Bird calls overlap") and "fieldwork" not in birds.abstract
    assert birds.bio.startswith("Ruth Abernathy founded")
    reeds = t["Counting Reeds with Drones"]
    assert reeds.kind == CANCELLED and reeds.speakers == ["Jonas Pichler"]
    assert reeds.abstract.startswith("Reed beds change")


def test_bold_titles_wrapped_over_lines_are_one_talk(corpus):
    t = talks(corpus, "84")
    assert set(t) == {"Moth Wings and Metamaterials: Inverse Design with Neural Fields",
                      "Soil Carbon from Space"}
    soil = t["Soil Carbon from Space"]
    assert soil.speakers == ["Piet Hollander"] and soil.affiliations == ["Bodenblick"]
    assert soil.abstract.startswith("Soil carbon is measured")
    moth = t["Moth Wings and Metamaterials: Inverse Design with Neural Fields"]
    assert moth.abstract.startswith("Moth wings absorb") and moth.speakers == ["Helga Sørensen"]


def test_short_talk_by_name_with_a_role_and_the_host_company(corpus):
    t = talks(corpus, "85")
    short = t["Learning by Rowing"]
    assert short.kind == SHORT_TALK and short.speakers == ["Kasimir Brandt"]
    assert short.affiliations == ["Donauhort Analytics"] and short.abstract == ""
    assert t["Rowing Regattas as Sequence Labelling"].speakers == ["Wanda Okafor"]
    assert t["Intro / Events"].kind == INTRO


def test_one_talk_once_and_no_marker_titles(corpus):
    seen = [(t.meetup_key, t.title.lower()) for t in corpus.talks]
    assert len(seen) == len(set(seen))
    assert not [t.title for t in corpus.talks
                if t.title.lower().strip(" *:") in ("cancelled", "postponed")
                or t.title.lower().startswith("talk ")]
    assert corpus.warnings == []


@pytest.mark.parametrize(("line", "expected"), [
    ("** CANCELLED ** Talk 2: Moss Maps", ("Talk 2: Moss Maps", True)),
    ("* 19:00 Talk 3: Pond Physics (postponed)", ("* 19:00 Talk 3: Pond Physics", True)),
    ("Kelp Forests (Ada Vukovic) - CANCELLED", ("Kelp Forests (Ada Vukovic)", True)),
    ("[POSTPONED] **Lichen Learning**", ("**Lichen Learning**", True)),
    ("*** CANCELLED / POSTPONED: ***", ("*** CANCELLED / POSTPONED: ***", False)),
    ("The flight was on time.", ("The flight was on time.", False)),
])
def test_cancel_markers_anywhere_on_the_line(line, expected):
    cut, marked = split_marker(line)
    assert (cut.strip(), marked) == expected


def test_an_orphan_description_without_speaker_is_a_warning_not_a_talk():
    page = parse_page("# 9th\n\nAgenda:\n\n* Kelp Forests (Ada Vukovic, Reef Lab)\n\n"
                      "(1) Kelp Forests (Ada Vukovic, Reef Lab)\n\nKelp grows fast and we "
                      "count it from space every week.\n\n(2) Something Else Entirely\n\n"
                      "This paragraph belongs to no talk on the agenda at all.\n", "M")
    (kelp,) = page.talks
    assert kelp.abstract == "Kelp grows fast and we count it from space every week."
    assert page.unmatched == [(11, "Something Else Entirely")]


@pytest.mark.parametrize(("text", "role"), [
    ("Head of AI Research", True), ("PhD student", True), ("CTO", True),
    ("Senior Data Scientist", True), ("SBA Research", False), ("University of Graz", False),
    ("Donauhort Analytics", False),
])
def test_roles_are_not_organisations(text, role):
    assert is_role(text) is role


def test_check_reports_counts_per_meetup_and_orphans(tmp_path):
    report = check_archive(LocalArchive(FIXTURE))
    by = {m.meetup: m for m in report.meetups}
    assert (by["81"].talks, by["81"].with_abstract, by["81"].cancelled) == (3, 3, 1)
    assert by["85"].without_abstract == 1 and by["85"].date_source == "table"
    assert all(m.date_source == "table" for m in report.meetups)
    assert report.summary()["without_speakers"] == 0 and report.summary()["issues"] == 0
    page = FIXTURE / "Meetups/Meetup_81/README.md"
    root = tmp_path / "a"
    (root / "Meetups/Meetup_81").mkdir(parents=True)
    (root / "Meetups/Meetup_86").mkdir(parents=True)
    (root / "README.md").write_bytes((FIXTURE / "README.md").read_bytes())
    text = page.read_text().replace("(3) Porcelain Defects at a Glance", "(3) Kiln Gossip")
    (root / "Meetups/Meetup_81/README.md").write_text(text)
    (root / "Meetups/Meetup_86/README.md").write_text(text.replace("2026-05-13", "2026-12-02"))
    report = check_archive(LocalArchive(root))
    by = {m.meetup: m for m in report.meetups}
    assert any("'Kiln Gossip' matches no talk" in i for i in by["81"].issues)
    assert any("share 100% of their text" in i for i in by["86"].issues)
    assert by["86"].date_source == "page" and by["81"].with_abstract == 2


def test_check_command_json(tmp_path):
    result = CliRunner().invoke(app, ["check", "--source", str(FIXTURE), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout[result.stdout.index("{"):])
    assert out["summary"]["talks"] == 10 and out["summary"]["meetups"] == 5
    assert {m["meetup"]: m["without_abstract"] for m in out["meetups"]}["85"] == 1
    bad = CliRunner().invoke(app, ["check", "--source", str(tmp_path / "nope")])
    assert bad.exit_code == 2


class _Mem:
    name = "mem"

    def __init__(self, files):
        self.f = files

    def files(self):
        return sorted(self.f)

    def read(self, path):
        return self.f[path]


def test_control_characters_are_dropped_with_a_warning_never_the_page():
    root = (FIXTURE / "README.md").read_bytes()
    page = (FIXTURE / "Meetups/Meetup_83/README.md").read_bytes()
    corpus = parse_archive(_Mem({"README.md": root[:12] + b"\x00" + root[12:],
                                 "Meetups/Meetup_83/README.md": page.replace(b"Reed beds",
                                                                             b"Reed\x0c beds\x00")}))
    assert len([t for t in corpus.talks if t.kind != INTRO]) == 9  # the table is all there
    assert {(w.path, w.line) for w in corpus.warnings} == {("README.md", 1),
                                                            ("Meetups/Meetup_83/README.md", 28)}
    assert all("control character" in w.message for w in corpus.warnings)
    reeds = next(t for t in corpus.talks if t.title == "Counting Reeds with Drones")
    assert reeds.abstract.startswith("Reed beds change")


def _parse_time(line: str) -> float:
    files = {"README.md": ("| Date | # | Speaker | Topic |\n|--|--|--|--|\n| 2020-01-01 | 1 | "
                           f"Ada Berg | {line} |\n").encode(),
             "Meetups/Meetup_1/README.md": f"# 1st\n\n{line}\n\n* {line}\n**{line}\n".encode()}
    start = time.perf_counter()
    parse_archive(_Mem(files))
    return time.perf_counter() - start


@pytest.mark.parametrize("char", ["[", "*", "_", "(", "|", "`", "[x](", "A B, "])
def test_parse_time_grows_linearly_with_a_long_line(char):
    # The fastest of three runs, and a floor, keep other processes' noise out of the ratio.
    small = min(_parse_time(char * (20_000 // len(char))) for _ in range(3))
    large = min(_parse_time(char * (80_000 // len(char))) for _ in range(3))
    assert large / max(small, 0.05) < 8, (small, large)  # 4x the text: about 4x the time


VARIANTS = {
"A": """# 90th

## Agenda

* 18:30 Intro
* 18:45 Talk 1: Lichens
* 19:45 Talk 2 (CANCELLED): Pond Physics

## Talk Details

Talk 1: Lichen Learning at Scale
Speaker: Nils Krog (Head of AI Research, Mossgrund)

Lichens grow slowly and so do our datasets. We count them anyway with a detector trained on drone photos.

About the speakers
Nils Krog has counted lichens for twenty years.

Talk 2: Pond Physics
Speaker: Cleo Marsh, PhD student at TU Wien

Ponds freeze from the top. We simulate it with a neural operator and compare with ice cores.
""",
"B": """# 91st

### Talk 1:
**Kelp Forests from Orbit**
*Ada Vukovic, CTO at Reef Lab*

Kelp forests shrink and grow with the seasons; we map them weekly from satellite images.

### ~~Talk 2: Coral Codes~~ (postponed)
*Ben Oduya, Lichen Corp*

Coral reefs, sequenced and embedded.

**About the speaker:**
Ben likes corals.
""",
"C": """# 92nd

**Talk 1:**
**Sparse Moss Maps for Alpine**
**Meadows**
by Ulla Berg (Mossgrund)

Alpine meadows are mapped with sparse models trained on a few labelled plots.

** POSTPONED ** **Talk 2: Glacier Tokens**
by Vera Lind, Firnlab

Glaciers, tokenized for language models of the climate.
""",
"D": """# 93rd

## Talks

### Talk 1: Mycelium Networks as Message Passing
**Speaker:** Ines Falkner, Senior Researcher at Pilzlab

**Abstract:** Fungi route nutrients through networks that look like graph neural nets. We fit one.

**Bio:** Ines grows mushrooms on her balcony.

### Talk 2: Hedgehog Counting
**Speakers:** Otto Brenner & Lea Kranz (TU Graz)

*This talk has been cancelled.*
""",
"E": """# 94th

Talk Details:

Talk 1: Snail Mail Routing
Speaker: Rosa Quint (Postwerk)
Abstract: We route snail mail with reinforcement learning and it is slow but it works.

Talk 2 - Otter Detection
Speaker: Finn Laube, CTO, Otterwatch
Abstract: Otters are hard to spot; a detector trained on thermal images spots them anyway.

Speaker bio: Finn has counted otters since 2019.
""",
}


def _slots(key):
    page = parse_page(VARIANTS[key], "M")
    assert page.unmatched == []
    return [(t.kind, t.title, t.speakers, t.affiliations, t.abstract[:20], t.bio[:12])
            for t in page.talks]


def test_talk_details_heading_numbers_match_agenda_short_names():
    assert _slots("A") == [
        (TALK, "Lichen Learning at Scale", ["Nils Krog"], ["Mossgrund"], "Lichens grow slowly ",
         "Nils Krog ha"),
        (CANCELLED, "Pond Physics", ["Cleo Marsh"], ["TU Wien"], "Ponds freeze from th", ""),
    ]


def test_heading_label_then_bold_title_and_a_struck_postponed_heading():
    assert _slots("B") == [
        (TALK, "Kelp Forests from Orbit", ["Ada Vukovic"], ["Reef Lab"], "Kelp forests shrink ",
         ""),
        (CANCELLED, "Coral Codes", ["Ben Oduya"], ["Lichen Corp"], "Coral reefs, sequenc",
         "Ben likes co"),
    ]


def test_bold_label_then_a_title_over_two_bold_lines_and_a_bold_postponed_marker():
    assert _slots("C") == [
        (TALK, "Sparse Moss Maps for Alpine Meadows", ["Ulla Berg"], ["Mossgrund"],
         "Alpine meadows are m", ""),
        (CANCELLED, "Glacier Tokens", ["Vera Lind"], ["Firnlab"], "Glaciers, tokenized ", ""),
    ]


def test_a_list_of_names_before_and_is_all_people():
    from explorer.ingest.mdtext import split_people

    assert split_people("Ada Berg, Bo Li and Cleo Marsh", strict=True) == (
        ["Ada Berg", "Bo Li", "Cleo Marsh"], [])
    assert split_people("Ada Berg, Leaf Labs and Bo Li, Moss Corp", strict=True) == (
        ["Ada Berg", "Bo Li"], ["Leaf Labs", "Moss Corp"])


def test_a_bio_paragraph_after_the_abstract_is_kept_apart():
    page = parse_page("# 9th\n\n**Talk 1:\nKelp Forests**\nby Ada Berg, Reef Lab\n\nKelp grows "
                      "fast and we count it from space every single week.\n\nDr. Ada Berg "
                      "received her doctorate in marine biology.\n", "M")
    (kelp,) = page.talks
    assert kelp.abstract == "Kelp grows fast and we count it from space every single week."
    assert kelp.bio == "Dr. Ada Berg received her doctorate in marine biology."


FAMILY_PAGES = [p.read_text() for p in sorted(FIXTURE.rglob("README.md"))]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(FAMILY_PAGES), data=st.data())
def test_mangled_family_pages_never_crash_nor_double_a_talk(page, data):
    text = page
    for _ in range(data.draw(st.integers(0, 6))):
        pos = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            junk = data.draw(st.sampled_from(
                ["** CANCELLED **", "(postponed)", "About the speaker:", "Talk 2:", "(3) ",
                 "### Talk 1:\n", "**", "\n", "Talk Details:\n", "\x00", "by ", " (", "…"]))
            text = text[:pos] + junk + data.draw(st.text(max_size=6)) + text[pos:]
        else:
            text = text[:pos] + text[pos + data.draw(st.integers(0, 60)):]
    result = parse_page(text, "Meetups/Meetup_81")
    titles = [fold(t.title) for t in result.talks]
    assert all(titles) and len(titles) == len(set(titles))
    corpus = parse_archive(_Mem({"Meetups/Meetup_81/README.md": text.encode("utf-8",
                                                                            "surrogatepass")}))
    assert len({t.id for t in corpus.talks}) == len(corpus.talks)


@pytest.mark.parametrize(("line", "title", "affiliations"), [
    ("Short talk: Oars by Kasimir Brandt (Donauhort Analytics, Head of AI Research)", "Oars",
     ["Donauhort Analytics"]),
    (("Oars in the Loss Landscape (short talk) by Kasimir Brandt (Head of AI Research at "
      "Donauhort Analytics)"), "Oars in the Loss Landscape", ["Donauhort Analytics"]),
    ("Lightning talk - Rowing by Numbers by Kasimir Brandt (Donauhort Analytics (Vienna), CTO)",
     "Rowing by Numbers", ["Donauhort Analytics Vienna"]),
    ("20:00 Short talk: Oars by Kasimir Brandt (Donauhort Analytics…)", "Oars",
     ["Donauhort Analytics"]),
])
def test_short_talk_by_name_in_a_schedule_never_credits_the_host(line, title, affiliations):
    text = ("# 1st\n\nAgenda\n\n18:30\n\n    Welcome by the host, Donauhort Analytics\n\n19:40\n\n"
            f"    {line}\n\n20:00\n\n    Networking\n")
    (talk,) = parse_page(text, "M").talks
    assert (talk.kind, talk.title, talk.speakers, talk.affiliations) == (
        SHORT_TALK, title, ["Kasimir Brandt"], affiliations)


def test_bio_labels_and_a_cancel_note_inside_the_section():
    assert _slots("D") == [
        (TALK, "Mycelium Networks as Message Passing", ["Ines Falkner"], ["Pilzlab"],
         "Fungi route nutrient", "Ines grows m"),
        (CANCELLED, "Hedgehog Counting", ["Otto Brenner", "Lea Kranz"], ["TU Graz"], "", ""),
    ]
    assert [t[1:] for t in _slots("E")] == [
        ("Snail Mail Routing", ["Rosa Quint"], ["Postwerk"], "We route snail mail ", ""),
        ("Otter Detection", ["Finn Laube"], ["Otterwatch"], "Otters are hard to s",
         "Finn has cou"),
    ]


def test_a_described_talk_without_speaker_nor_table_row_is_a_warning():
    page = ("# 95th\n\n## Agenda\n\n* 18:30 Talk 1: Kelp Forests by Ada Berg (Reef Lab)\n"
            "* 19:30 Talk 2: Moss Maps\n\n### Talk 1: Kelp Forests\n\nKelp grows fast and we "
            "count it every week.\n\n### Talk 3: Lichen Lore\n\nLichens are slow and so is "
            "this paragraph about them.\n")
    corpus = parse_archive(_Mem({"Meetups/Meetup_95/README.md": page.encode()}))
    assert [(t.title, t.speakers, t.abstract[:10]) for t in corpus.talks] == [
        ("Kelp Forests", ["Ada Berg"], "Kelp grows"), ("Moss Maps", [], "")]
    (w,) = [w for w in corpus.warnings if w.path != "README.md"]  # (no root table here)
    assert (w.path, w.line) == ("Meetups/Meetup_95/README.md", 12) and "'Lichen Lore'" in w.message


def test_a_talk_heading_without_title_takes_the_agenda_title_of_its_number():
    page = parse_page("# 96th\n\n## Agenda\n\n* 18:45 Talk 1: Glacier Retreat\n* 19:30 Talk 2: "
                      "Sheet Music\n\n### Talk 1:\n**Speaker:** Tamsin Moreau (Firnlab)\n\n"
                      "Glaciers retreat and we measure how fast they do it.\n\n### Talk 2:\n\n"
                      "Speaker: Oskar Lind, Notenwerk\n\nSheet music is not text but models "
                      "read it.\n", "M")
    assert [(t.title, t.speakers, t.abstract[:14]) for t in page.talks] == [
        ("Glacier Retreat", ["Tamsin Moreau"], "Glaciers retre"),
        ("Sheet Music", ["Oskar Lind"], "Sheet music is")]


def test_check_an_empty_dir_is_refused_like_build_would(tmp_path):
    (tmp_path / "empty").mkdir()
    for extra in ([], ["--json"]):
        res = CliRunner().invoke(app, ["check", "--source", str(tmp_path / "empty"), *extra])
        out = " ".join(res.output.split())
        assert res.exit_code == 2 and "no meetup and no talk found in" in out
        assert "Traceback" not in res.output


def test_a_described_agenda_item_without_speaker_or_table_row_is_kept(tmp_path):
    """An agenda line and its details block name one talk: kept, its speaker missing, even
    with no root-table row; a lone description naming nobody is still left out."""
    (tmp_path / "README.md").write_text(
        "# Invented\n\n| Date | # | Speaker | Topic | Slides | Details |\n"
        "| -- | -- | -- | -- | -- | -- |\n"
        "| 2026-11-18 | 90 | Ada Quill | Ferns | | [details](./Meetups/Meetup_90/) |\n")
    page = tmp_path / "Meetups" / "Meetup_91"
    page.mkdir(parents=True)
    (page / "README.md").write_text(
        "# 91st Meetup\n\n* Date: 2026-12-09\n\n## Agenda\n\n"
        "* 19:00 Talk 1: Lichen Lessons (Nils Krog)\n* 19:30 Talk 2: Moss Maps\n\n"
        "### Talk 2: Moss Maps\n\nMosses mapped from drone images across three valleys, "
        "with a small segmentation network.\n\n"
        "### About our host\n\nThe host lab studies bryophytes and has kindly offered the "
        "room, drinks and a view of the valley.\n")
    got = {t.title: t for t in parse_archive(LocalArchive(tmp_path)).talks
           if t.meetup_key == "91"}
    assert "Moss Maps" in got and got["Moss Maps"].speakers == []
    assert got["Moss Maps"].abstract.startswith("Mosses mapped")
    assert "About our host" not in got


def test_a_page_listing_hundreds_of_talks_is_cut_with_a_warning(tmp_path):
    """Every header is compared with the slots so far: past MAX_TALKS slots a page is cut
    (1000 talks took 25 s before, 1.8 s after), and the warning names the page and line."""
    from explorer.ingest.readme_lines import MAX_TALKS

    words = ["moss", "lichen", "fern", "kelp", "otter", "heron", "glacier", "kiln",
             "porcelain", "river", "basalt"]
    body = "\n".join(f"### Talk {i}: {words[i % 11].title()} {words[(i * 7) % 11]} {i}\n\n"
                     f"Speaker: Ann Bee{i}\n\nA few words about talk {i} and its subject.\n"
                     for i in range(3 * MAX_TALKS))
    (tmp_path / "README.md").write_text(
        "# Invented\n\n| Date | # | Speaker | Topic | Slides | Details |\n"
        "| -- | -- | -- | -- | -- | -- |\n"
        "| 2026-11-18 | 90 | Ada Quill | Ferns | | [details](./Meetups/Meetup_90/) |\n")
    page = tmp_path / "Meetups" / "Meetup_92"
    page.mkdir(parents=True)
    (page / "README.md").write_text("# 92nd Meetup\n\n* Date: 2026-12-10\n\n" + body)
    corpus = parse_archive(LocalArchive(tmp_path))
    assert len([t for t in corpus.talks if t.meetup_key == "92"]) <= MAX_TALKS
    cut = [w for w in corpus.warnings if f"more than {MAX_TALKS} talks" in w.message]
    assert len(cut) == 1 and cut[0].path.endswith("Meetup_92/README.md") and cut[0].line
