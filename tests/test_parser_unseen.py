"""Parser on invented pages in the styles of archive pages it has not seen (newer meetups,
pages whose details come in another order than the agenda, decorated markdown)."""

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.parser import parse_archive

ROOT = """# Vienna Deep Learning Meetup

| Date | #  | Speaker | Topic | Slides | Details |
| ---- | -- | ------- | ----- | ------ | ------- |
{rows}
"""


class Pages:
    """An archive held in memory: {path: text}."""

    def __init__(self, pages: dict[str, str]):
        self.pages = pages

    def files(self):
        return sorted(self.pages)

    def read(self, path):
        return self.pages[path].encode("utf-8")


def parse(key: str, page: str, rows: str = ""):
    return parse_archive(Pages({"README.md": ROOT.format(rows=rows),
                                f"Meetups/Meetup_{key}/README.md": page}))


def parse_rows(rows: str):
    """An archive that is only a root README with these talk rows."""
    return parse_archive(Pages({"README.md": ROOT.format(rows=rows)}))


def talks(corpus, key: str) -> dict:
    """{title: (speakers, abstract, arXiv ids)} of a meetup's talks."""
    return {t.title: (t.speakers, t.abstract,
                      [r.arxiv_id for r in corpus.refs if r.talk_id == t.id])
            for t in corpus.talks if t.meetup_key == key}


def test_arxiv_ids_go_to_the_talk_whose_details_name_them_in_any_order():
    page = """# 91st Vienna Deep Learning Meetup

* Date: 2026-09-09

## Agenda

* 18:45 – 19:30 Glacier Melt Forecasts with Small Models – Wenzel Aigner (Frostline)
* 19:40 – 20:20 Counting Owls by Sound – Leni Trautmann (Barnhollow)

## Abstracts

### Counting Owls by Sound

Owls hoot in the dark where cameras see nothing. We count them with a tiny audio
classifier, following arXiv:2402.01234.

### Glacier Melt Forecasts with Small Models

Meltwater decides whether valleys flood in spring. A small model trained on twenty
winters predicts it a week ahead.
"""
    got = talks(parse("91", page), "91")
    assert got["Counting Owls by Sound"][2] == ["2402.01234"]
    assert got["Glacier Melt Forecasts with Small Models"][2] == []
    assert got["Glacier Melt Forecasts with Small Models"][1].startswith("Meltwater decides")


def test_a_labelled_speaker_line_under_a_talk_heading_is_a_credit_not_a_talk():
    page = """# 92nd Vienna Deep Learning Meetup

* Date: 2026-10-14

| Time | Talk | Speaker |
|---|---|---|
| 18:45 | Reading Tree Rings with Transformers | Maren Falkner |
| 19:30 | Lossless Pigeon Routing | Quirin Adlhoch (Dovecote Systems) |

### 🌲 Reading Tree Rings with Transformers

**Speaker:** [Maren Falkner](https://example.org/mf), Alder Forest Lab

**Abstract:** Tree rings record droughts and fires for centuries. We read them from
photographs with a vision transformer, as described in arxiv.org/abs/2405.11111v2.

### Lossless Pigeon Routing

**Speaker:** Quirin Adlhoch (Dovecote Systems)

Pigeons find home without maps. We borrow their tricks for routing parcels in a city.
"""
    corpus = parse("92", page)
    got = talks(corpus, "92")
    assert set(got) == {"Reading Tree Rings with Transformers", "Lossless Pigeon Routing"}
    rings = got["Reading Tree Rings with Transformers"]
    assert rings[0] == ["Maren Falkner"]
    assert rings[1].startswith("Tree rings record droughts") and rings[2] == ["2405.11111"]
    assert got["Lossless Pigeon Routing"][1].startswith("Pigeons find home")
    assert got["Lossless Pigeon Routing"][2] == []
    falkner = next(t for t in corpus.talks if t.speakers == ["Maren Falkner"])
    assert falkner.affiliations == ["Alder Forest Lab"]
    assert corpus.warnings == []


def test_html_comments_and_details_blocks_are_markup_not_abstract_text():
    page = """# 93rd Vienna Deep Learning Meetup

* Date: 2026-11-18

**Sorting Socks with Reinforcement Learning**
Ottokar Wimmer, Lintwood Robotics

Laundry robots meet a thousand sock shapes. We teach one to pair them by trial and error.
<!-- slides promised
     for next week -->

<details>
<summary>About the speaker</summary>

Before robots, Ottokar built harpsichords for twelve years.

</details>
"""
    (talk,) = parse("93", page).talks
    assert talk.abstract == ("Laundry robots meet a thousand sock shapes. We teach one to pair "
                             "them by trial and error.")
    assert talk.bio == "Before robots, Ottokar built harpsichords for twelve years."


def test_emoji_before_a_title_or_a_speaker_name_are_decoration():
    page = """# 94th Vienna Deep Learning Meetup 🎉

* Date: 2026-12-09

**Weaving Patterns from Diffusion Models**

👩‍🔬 Rosalind Pichler, Loomworks

Looms read punch cards, diffusion models read noise. We generate weaving patterns that a
real loom can execute, see arXiv:2406.01010.

### 🎙️ Quiet Keyboards: Typing Sounds as a Side Channel
🧑🏽‍💻 Jovan Mraz (Hushmark)

Every key sounds a little different. We show how much a microphone can learn from typing.
"""
    got = talks(parse("94", page), "94")
    assert got == {
        "Weaving Patterns from Diffusion Models": (
            ["Rosalind Pichler"], ("Looms read punch cards, diffusion models read noise. We "
            "generate weaving patterns that a\nreal loom can execute, see arXiv:2406.01010."),
            ["2406.01010"]),
        "Quiet Keyboards: Typing Sounds as a Side Channel": (
            ["Jovan Mraz"], ("Every key sounds a little different. We show how much a "
            "microphone can learn from typing."), []),
    }


def test_a_lightning_talk_note_in_an_agenda_table_marks_the_kind_not_the_title():
    page = """# 95th Vienna Deep Learning Meetup

* Date: 2027-01-13

| Time | Talk | Speaker |
|---|---|---|
| 18:45 | Mapping Moss with Drones | Lorenz Habicher (Fernhill) |
| 19:30 | Compressing Birdsong (lightning talk) | Vroni Stadler |
"""
    corpus = parse("95", page)
    assert [(t.kind, t.title) for t in corpus.talks] == [
        (TALK, "Mapping Moss with Drones"), (SHORT_TALK, "Compressing Birdsong")]


def test_a_talk_label_before_an_em_dash_is_no_part_of_the_title():
    page = """# 96th Vienna Deep Learning Meetup

* Date: 2027-02-17

### Talk 1 — Glass Recycling with Hyperspectral Cameras
Bertl Ganglberger, Shardworks

Green and brown glass look alike in the dark. A hyperspectral camera and a small network
sort them at conveyor speed.

### Talk 2 — Proofreading Medieval Charters
Speakers: Ilvy Fasching and Konstanze Reif

Scribes made mistakes too. We train a model to spot them in scanned charters.
"""
    got = talks(parse("96", page), "96")
    assert {t: v[0] for t, v in got.items()} == {
        "Glass Recycling with Hyperspectral Cameras": ["Bertl Ganglberger"],
        "Proofreading Medieval Charters": ["Ilvy Fasching", "Konstanze Reif"]}
    assert got["Proofreading Medieval Charters"][1].startswith("Scribes made mistakes")


def test_a_cancel_note_in_a_talk_section_cancels_it_and_is_no_abstract():
    page = """# 97th Vienna Deep Learning Meetup

* Date: 2027-03-17

**Talk 1: Forecasting Bakery Demand**
- Resi Hollaus, Crumbline

Bread that is not sold is thrown away. We forecast demand per branch from weather and holidays.

**Talk 2: Acoustic Monitoring of Bridges**
- Severin Puchta, Spanwell

Unfortunately, this talk had to be postponed.
"""
    corpus = parse("97", page)
    got = {t.title: (t.kind, t.abstract) for t in corpus.talks}
    assert got["Acoustic Monitoring of Bridges"] == (CANCELLED, "")
    assert got["Forecasting Bakery Demand"][1].startswith("Bread that is not sold")
    # Postponed *from* an earlier meetup: held at this one, a talk like any other.
    held = parse("97", page.replace("Unfortunately, this talk had to be postponed.",
                                    "The talk was postponed from the February meetup."))
    assert {t.title: t.kind for t in held.talks}["Acoustic Monitoring of Bridges"] == TALK


def test_co_speakers_the_root_table_leaves_out_are_kept_from_the_page():
    rows = ("| 2027-04-21 | 98 | Resi Walcher | Weather Radar Nowcasting | "
            "[pdf](x.pdf) | [details](./Meetups/Meetup_98/) |\n"
            "| 2027-04-21 | 98 | Pauli Enzinger, Gitti Moser | Sorting Parcels by Shape | "
            "[pdf](y.pdf) | [details](./Meetups/Meetup_98/) |")
    page = """# 98th Vienna Deep Learning Meetup

* Date: 2027-04-21

### Weather Radar Nowcasting
Speakers: Therese Walcher, Kilian Hofbauer and Anni Lederer

Rain cells move fast. Three of us built a radar nowcast that runs on a laptop.

### Sorting Parcels by Shape
Speaker: Pauli Enzinger

A depth camera and a small network route parcels by their shape.
"""
    got = {t: v[0] for t, v in talks(parse("98", page, rows), "98").items()}
    # The page names the table's speaker (more fully) and two more: all three are kept.
    assert got["Weather Radar Nowcasting"] == ["Therese Walcher", "Kilian Hofbauer",
                                               "Anni Lederer"]
    # The table names more than the page: the table's list stays.
    assert got["Sorting Parcels by Shape"] == ["Pauli Enzinger", "Gitti Moser"]


def test_the_parse_says_where_each_meetup_date_came_from():
    rows = ("| 2027-04-21 | 98 | Resi Walcher | Weather Radar Nowcasting | "
            "[pdf](x.pdf) | [details](./Meetups/Meetup_98/) |")
    pages = {"README.md": ROOT.format(rows=rows),
             "Meetups/Meetup_99/README.md": "# 99th Vienna Deep Learning Meetup\n\n"
                                            "* Date: 2027-05-19\n",
             "Meetups/Meetup_100/README.md": "# 100th Vienna Deep Learning Meetup\n\n"
                                             "Wednesday, June 16th, 18:30\n"}
    corpus = parse_archive(Pages(pages))
    assert corpus.date_sources == {"98": "table", "99": "page", "100": "inferred"}
    assert {m.key: m.date for m in corpus.meetups}["100"] == "2027-06-16"
    from explorer.ingest.fidelity import check_corpus  # what `explorer check` reports
    assert {m.meetup: m.date_source for m in check_corpus(corpus).meetups} == \
        corpus.date_sources


def test_html_tags_leave_words_apart_and_lines_where_they_were():
    page = """# 101st Vienna Deep Learning Meetup

* Date: 2027-06-16

| Time | Talk | Speaker |
|---|---|---|
| 18:45 | Counting Beehives from Orbit | Hanna Zöchling<br>Waxmoor Institute |

### Talk 2: Frost Maps for Vineyards
Pius Leitgeb, Rimeworks

<details
  open>
<summary>Abstract</summary>

Late frost kills the buds.<br>We map cold air pools for p<i and i>0 nights ahead.
</details>

### Talk 3: Tuning Church Bells
Agathe Wurzer, Clapperhaus

Bells drift out of tune as they age, see arXiv:2407.02020.
<!-- draft: compare with arXiv:2407.09999 -->
"""
    corpus = parse("101", page)
    got = talks(corpus, "101")
    assert got["Counting Beehives from Orbit"][0] == ["Hanna Zöchling"]
    assert got["Frost Maps for Vineyards"][1] == (
        "Late frost kills the buds. We map cold air pools for p<i and i>0 nights ahead.")
    # the tag over two lines keeps the lines below it where they are: the id is the talk's
    assert got["Tuning Church Bells"][2] == ["2407.02020"]
    # an id in an HTML comment is no reference of the meetup
    assert [r.arxiv_id for r in corpus.refs] == ["2407.02020"]


def test_trademark_and_copyright_signs_stay_in_a_title_emoji_do_not():
    page = """# 102nd Vienna Deep Learning Meetup

* Date: 2027-07-14

### 🦀 Rewriting Our Tokenizer in C++™ 🚀
Gerold Pramberger, Ferrisfield

We ported the tokenizer and it got four times faster, mostly by allocating less.

### Thermal Drift in Lab Scales at 40°
Liesl Ortner (Balanceworks)

Scales drift when the lab warms up. A small model corrects the reading from the temperature.
"""
    assert set(talks(parse("102", page), "102")) == {
        "Rewriting Our Tokenizer in C++™", "Thermal Drift in Lab Scales at 40°"}


def test_an_arxiv_line_after_a_talks_description_is_that_talks():
    page = """# 103rd Vienna Deep Learning Meetup

* Date: 2027-08-18

## Agenda
- **Sourdough Starters under the Microscope** – Ferdl Hainzl (Crumbline)
- **Ski Lift Queue Forecasts** – Zita Obermair (Snowgate)

## Details

### Ski Lift Queue Forecasts
Queues at the valley station grow fast on sunny Saturdays, and we forecast them an hour ahead.
Paper: arXiv:2408.03030

### Sourdough Starters under the Microscope
Yeast and bacteria in a starter compete for sugar, and a small model counts both in images.
Paper: arXiv:2408.04040
"""
    got = talks(parse("103", page), "103")
    assert got["Ski Lift Queue Forecasts"][2] == ["2408.03030"]
    assert got["Sourdough Starters under the Microscope"][2] == ["2408.04040"]


def test_a_timed_agenda_item_reads_title_then_speaker_and_its_details_follow():
    page = """# 99th Vienna Deep Learning Meetup

* Date: 2027-05-19

## Agenda
* 18:45 Deep Owls – Ada Berg (Owl Uni)
* 19:30 Quantum Cats – Bob Chen (Cat Inc)

Paper of the month: arXiv:2403.00003

## Details

### Deep Owls
Owls hoot in the dark, see arXiv:2401.00001.

### Quantum Cats
Cats purr in superposition, see arXiv:2402.00002.
"""
    corpus = parse("99", page)
    got = talks(corpus, "99")
    # '(Owl Uni)' is an organisation, not a person; after a time the title comes first.
    assert got["Deep Owls"] == (["Ada Berg"], "Owls hoot in the dark, see arXiv:2401.00001.",
                                ["2401.00001"])
    assert got["Quantum Cats"][0] == ["Bob Chen"] and got["Quantum Cats"][2] == ["2402.00002"]
    assert {t.title: t.affiliations for t in corpus.talks}["Deep Owls"] == ["Owl Uni"]
    # The paper of the month belongs to the meetup, not to a talk.
    assert [r.talk_id for r in corpus.refs if r.arxiv_id == "2403.00003"] == [None]


def test_a_sub_bullet_under_an_agenda_item_is_part_of_it_not_a_talk():
    page = """# 100th Vienna Deep Learning Meetup

* Date: 2027-06-16

## Agenda
- **Deep Owls** – Ada Berg (Owl Uni)
  - Paper: arXiv:2401.00001
- **Quantum Cats** – Bob Chen (Cat Inc)
  - Paper: arXiv:2402.00002
"""
    got = talks(parse("100", page), "100")
    assert {t: (v[0], v[2]) for t, v in got.items()} == {
        "Deep Owls": (["Ada Berg"], ["2401.00001"]),
        "Quantum Cats": (["Bob Chen"], ["2402.00002"])}


def test_speaker_with_organisation_then_colon_then_title():
    page = """# 101st Vienna Deep Learning Meetup

* Date: 2027-07-14

- Talk 1 — Ada Berg (Owl Uni): Counting owls with tiny audio models
"""
    corpus = parse("101", page)
    (t,) = corpus.talks
    assert (t.title, t.speakers, t.affiliations) == (
        "Counting owls with tiny audio models", ["Ada Berg"], ["Owl Uni"])


def test_a_schedule_title_line_under_or_after_a_time_is_a_talk_even_if_it_reads_like_a_name():
    page = """Hello Deep Learners,

***

Agenda

18.30

    Introduction by the VDLM organizers

18.45

    Quantum Cats
    Bob Chen – Cat Inc

6:45 pm Teaching Robots to Fold Towels
Ada Berg, Owl Uni

Towels are floppy and robots are not. We show a policy that folds them in minutes.

**20:15 Uhr**

    Marble Sorters
    Greta Novak (Edge Labs)

## Talk Abstract: Quantum Cats

Cats purr in superposition. We measure them anyway, following arXiv:2405.00202.

## Hot Topics & Latest News:

* https://arxiv.org/abs/2405.00303
"""
    corpus = parse("90", page)
    got = talks(corpus, "90")
    assert {t.title: t.speakers for t in corpus.talks if t.kind == TALK} == {
        "Quantum Cats": ["Bob Chen"], "Teaching Robots to Fold Towels": ["Ada Berg"],
        "Marble Sorters": ["Greta Novak"]}
    assert got["Quantum Cats"][1:] == (
        "Cats purr in superposition. We measure them anyway, following arXiv:2405.00202.",
        ["2405.00202"])
    assert got["Teaching Robots to Fold Towels"][1].startswith("Towels are floppy")
    # the hot topics' paper belongs to the meetup's intro slot, not to a talk
    (hot,) = [r.talk_id for r in corpus.refs if r.arxiv_id == "2405.00303"]
    assert {t.id: t.kind for t in corpus.talks}[hot] == INTRO


def test_a_keynote_or_talk_label_on_a_schedule_title_line_is_no_part_of_the_title():
    page = """Hello Deep Learners,

***

Agenda

18:45

    Keynote: Twenty Years of Owl Research
    Prof. Ada Berg, Owl Uni
    Owls have been studied for centuries, but only recently with microphones everywhere.

19:45

    Talk 2 – Counting Sheep with Drones
    Bob Chen, Cat Inc
    Sheep move and drones are noisy. A small detector counts a flock from the air.
"""
    got = talks(parse("90", page), "90")
    assert {t: v[0] for t, v in got.items()} == {
        "Twenty Years of Owl Research": ["Ada Berg"], "Counting Sheep with Drones": ["Bob Chen"]}


def test_a_section_heading_over_a_speaker_first_block_is_no_talk_title():
    page = """# 90th Vienna Deep Learning Meetup

* Date: 2027-05-06

## Talks

Ada Berg, Owl Uni
Teaching Robots to Fold Towels

Towels are floppy and robots are not. We show a policy that folds them in under a minute.

Bob Chen, Cat Inc
Counting Sheep with Drones

Sheep move and drones are noisy. A small detector counts a flock from the air.
"""
    got = talks(parse("90", page), "90")
    assert {t: v[0] for t, v in got.items()} == {
        "Teaching Robots to Fold Towels": ["Ada Berg"], "Counting Sheep with Drones": ["Bob Chen"]}
    assert got["Teaching Robots to Fold Towels"][1].startswith("Towels are floppy")


def test_credit_lines_with_a_profile_link_a_pipe_or_with_name_their_speaker_and_org():
    page = """Hello Deep Learners,

***

Agenda

18:45

    Teaching Robots to Fold Towels
    Ada Berg, Owl Uni · [LinkedIn](https://www.linkedin.com/in/adaberg/)
    Towels are floppy and robots are not. We show a policy that folds them in minutes.

19:30

    Counting Sheep with Drones
    Speaker: Bob Chen | Cat Inc
    Sheep move and drones are noisy. A small detector counts a flock from the air.

20:15

    Marble Sorting at Scale
    with Greta Novak (Edge Labs)
    Marbles roll away. We sort ten thousand an hour with a camera and a small network.
"""
    corpus = parse("90", page)
    assert {t.title: (t.speakers, t.affiliations) for t in corpus.talks} == {
        "Teaching Robots to Fold Towels": (["Ada Berg"], ["Owl Uni"]),
        "Counting Sheep with Drones": (["Bob Chen"], ["Cat Inc"]),
        "Marble Sorting at Scale": (["Greta Novak"], ["Edge Labs"])}


def test_a_slides_link_after_a_schedule_title_is_the_talks_slides_not_title_words():
    page = """Hello Deep Learners,

***

Agenda

18:45

    Teaching Robots to Fold Towels [slides](./slides/towels.pdf)
    Ada Berg, Owl Uni
    Towels are floppy and robots are not. We show a policy that folds them in minutes.

19:30

    Counting Sheep with Drones ([pdf](https://example.org/sheep.pdf))
    Bob Chen, Cat Inc
"""
    corpus = parse("90", page)
    assert {t.title: t.slides_url for t in corpus.talks} == {
        "Teaching Robots to Fold Towels":
            "https://github.com/vdlm/meetups/blob/main/Meetups/Meetup_90/slides/towels.pdf",
        "Counting Sheep with Drones": "https://example.org/sheep.pdf"}


def test_a_bullet_that_only_links_a_paper_is_a_reference_not_an_intro_slot():
    page = """# 90th Vienna Deep Learning Meetup

* Date: 2027-05-06

### Teaching Robots to Fold Towels
Ada Berg, Owl Uni

Towels are floppy and robots are not. We show a policy that folds them in minutes.

## Reading list

- [Small towel models](https://arxiv.org/abs/2406.01111)
- [Sheep counting](https://arxiv.org/pdf/2406.02222v2)
"""
    corpus = parse("90", page)
    assert [(t.kind, t.title) for t in corpus.talks] == [(TALK, "Teaching Robots to Fold Towels")]
    assert {r.arxiv_id: r.talk_id for r in corpus.refs} == {"2406.01111": None,
                                                           "2406.02222": None}


def test_a_title_under_a_time_with_its_abstract_and_no_credit_line_keeps_the_abstract():
    rows = ("| 2027-05-06 | 90 | Ada Berg | Teaching Robots to Fold Towels | | "
            "[details](./Meetups/Meetup_90/) |")
    page = """Hello Deep Learners,

***

Agenda

18:45

    Teaching Robots to Fold Towels
    In this talk, we show a policy that folds towels in minutes, see arXiv:2406.07777.

19:45

    Networking & Discussions
"""
    got = talks(parse("90", page, rows), "90")
    assert got == {"Teaching Robots to Fold Towels": (
        ["Ada Berg"], ("In this talk, we show a policy that folds towels in minutes, see "
                       "arXiv:2406.07777."), ["2406.07777"])}


def test_an_abstracts_own_short_list_is_kept_and_the_evenings_logistics_are_not():
    page = """# 102nd Vienna Deep Learning Meetup

* Date: 2027-09-15

### Counting Owls by Sound
Ada Berg, Owl Uni

Owls hoot in the dark where cameras see nothing. We count them with a tiny model.

The talk covers three parts:
* recording setups
* the classifier
* field results

Sponsors:
* Cat Inc

* Pizza & drinks
"""
    ((_, abstract, _),) = talks(parse("102", page), "102").values()
    # Short items of the abstract's own list were dropped as too short to be prose.
    assert abstract.endswith("The talk covers three parts:\nrecording setups\nthe classifier\n"
                             "field results")
    assert "Sponsors" not in abstract and "Pizza" not in abstract


def test_a_placeholder_row_without_a_page_is_named_not_silently_dropped():
    rows = ("| ... | 103 | | | | |\n"
            "| ... | 104 | | | | |\n"
            "| 2027-11-10 | 105 | Ada Berg | Counting Owls by Sound | [pdf](x.pdf) | |")
    page = "# 104th Vienna Deep Learning Meetup\n\n* Date: 2027-10-13\n"
    corpus = parse("104", page, rows)
    said = [(w.message, w.line) for w in corpus.warnings if "placeholder" in w.message]
    # 103: nothing known, said so (with the table's line); 104 has a page, 105 a real row.
    assert len(said) == 1 and said[0][0].startswith("meetup 103 is only a placeholder row")
    assert said[0][1] == 5
    assert {m.key for m in corpus.meetups} == {"104", "105"}


def test_emoji_around_a_meetup_title_are_decoration():
    page = "# 106th Vienna Deep Learning Meetup 🎉\n\n* Date: 2027-12-01\n"
    (m,) = parse("106", page).meetups
    assert m.title == "106th Vienna Deep Learning Meetup"


def test_a_page_in_another_folder_style_or_titled_with_a_number_sign_finds_its_meetup():
    from explorer.ingest.parser import meetup_key_of

    assert meetup_key_of("Meetups/2027-12-01_Meetup_107/README.md") == "107"
    assert meetup_key_of("Meetups/VDLM107/README.md") == "107"
    assert meetup_key_of("Meetups/next/README.md", "Vienna Deep Learning Meetup #107") == "107"
    assert meetup_key_of("Meetups/next/README.md", "107. Vienna Deep Learning Meetup") == "107"
    # A year or a plural folder is no meetup number.
    assert meetup_key_of("Meetups/Meetups_2027/README.md", "Deep Learning in 2027") is None
    page = "# Vienna Deep Learning Meetup #107\n\n* Date: 2027-12-01\n"
    corpus = parse_archive(Pages({"README.md": ROOT.format(rows=""),
                                  "Meetups/next/README.md": page}))
    assert [m.key for m in corpus.meetups] == ["107"] and not corpus.warnings


def test_a_meetup_folder_beats_a_page_whose_title_only_mentions_that_meetup():
    from explorer.ingest.parser import meetup_key_of

    for title in ("Follow-up to Meetup 57", "Follow-up to the 57th meetup",
                  "12. März 2025 – Vienna Deep Learning Meetup", "Meetup 3 talks on LLMs",
                  "Vienna Deep Learning Meetup 10 Year Anniversary"):
        assert meetup_key_of("Meetups/Misc/README.md", title) is None, title
    for title, key in (("58th Vienna Deep Learning Meetup", "58"), ("The 58th Meetup", "58"),
                       ("VDLM #58", "58"), ("Meetup No. 58!", "58"),
                       ("58. Vienna Deep Learning Meetup", "58")):
        assert meetup_key_of("Meetups/Misc/README.md", title) == key, title
    real = ("# 57th Vienna Deep Learning Meetup\n\n* Date: 2027-05-05\n\n## Agenda\n\n"
            "* 18:45 Counting Owls by Sound – Ada Berg (Owl Uni)\n")
    # Sorted first, titled with the meetup's number sign: still not the meetup's page.
    other = "# Follow-up to Meetup #57\n\nMore owls.\n"
    corpus = parse_archive(Pages({"README.md": ROOT.format(rows=""),
                                  "Meetups/Follow-ups/README.md": other,
                                  "Meetups/Meetup_57/README.md": real}))
    assert list(talks(corpus, "57")) == ["Counting Owls by Sound"]
    (w,) = corpus.warnings
    assert w.path == "Meetups/Follow-ups/README.md" and "Meetups/Meetup_57/README.md" in w.message


def test_the_evenings_lists_and_a_reading_list_after_an_abstract_are_not_the_talks():
    page = """# 108th Vienna Deep Learning Meetup

* Date: 2028-01-19

### Lossless Pigeon Routing
Ada Berg, Owl Uni

Pigeons find their way home. We route packets the same way, without losing any.

Topics:
* Registration of homing signals
* loss-free relays

Our sponsors:
* Cat Inc
* Dog Corp

What to bring:
* your laptop

* Doors open at 18:00
* Free entry

* [Mamba](https://arxiv.org/abs/2312.00752)
* [RWKV](https://arxiv.org/abs/2305.13048)
"""
    corpus = parse("108", page)
    ((_, abstract, ids),) = talks(corpus, "108").values()
    # The talk's own list is kept, a one-word lead-in and an item that starts like
    # logistics ('Registration of ...') included; the evening's lists are not.
    assert abstract.endswith("Topics:\nRegistration of homing signals\nloss-free relays")
    for other in ("sponsors", "Cat Inc", "laptop", "Doors open", "Free entry", "Mamba"):
        assert other not in abstract
    # A closing list of paper links is the meetup's reading list, not this talk's.
    assert ids == [] and sorted(r.arxiv_id for r in corpus.refs) == ["2305.13048", "2312.00752"]


def test_a_timed_food_or_doors_slot_before_a_talk_is_no_talk():
    head = "# 102nd Vienna Deep Learning Meetup\n\n* Date: 2027-09-15\n\n## Schedule\n\n"
    owls = ("18:45\nCounting Owls by Sound\nAda Berg, Owl Uni\n\n"
            "Owls hoot in the dark where cameras see nothing. We count them.\n")
    rows = "| 2027-09-15 | 102 | Ada Berg | Counting Owls by Sound | | |"
    doors = "18:00\nDoors open & pizza\nThanks to Cat Inc for the food, and see you all at the "
    call = "18:00\nMingling in the lobby\nLet us know if you want to give a talk at one of the "
    pizza = "18:00\nPizza & Beer\nOur host Cat Inc sponsors the food and drinks, enjoy them in "
    for slot in (doors + "next meetup!\n\n", call + "next meetups.\n\n", pizza + "the lobby.\n\n"):
        corpus = parse("102", head + slot + owls, rows)
        assert list(talks(corpus, "102")) == ["Counting Owls by Sound"], slot
    # A talk whose title starts with such a word is still a talk.
    food = "Food Recognition with Small Models"
    corpus = parse("102", head + owls.replace("Counting Owls by Sound", food))
    assert talks(corpus, "102")[food][0] == ["Ada Berg"]


def test_html_links_keep_their_address():
    page = """# 109th Vienna Deep Learning Meetup

* Date: 2028-02-16
* Meetup: <a href="https://www.meetup.com/x/events/1/" target="_blank">event page</a>

## Agenda

* 18:45 Counting Owls by Sound – Ada Berg (Owl Uni) <a href='slides/owls.pdf'><b>slides</b></a>
  <A target=_blank HREF=https://youtu.be/owls>video</A>
"""
    rows = "| 2028-02-16 | 109 | Ada Berg | Counting Owls by Sound | | |"
    corpus = parse("109", page, rows)
    (t,) = corpus.talks
    assert t.title == "Counting Owls by Sound" and t.speakers == ["Ada Berg"]
    assert t.slides_url and t.slides_url.endswith("Meetups/Meetup_109/slides/owls.pdf")
    assert t.video_url == "https://youtu.be/owls"
    from explorer.ingest.mdtext import strip_html

    text = 'a <a href="x.pdf">\nslides</a> <a href="https://x.org/?a=1&amp;b=2">the x</a>\nb'
    assert strip_html(text) == "a  \nslides  [the x](https://x.org/?a=1&b=2)\nb"
    assert strip_html(page).count("\n") == page.count("\n")
    assert "* Meetup: [event page](https://www.meetup.com/x/events/1/)" in strip_html(page)


def test_links_to_a_talks_material_are_no_part_of_its_credit_and_a_linked_meetup_page_counts():
    page = """# 109th Vienna Deep Learning Meetup

* Date: 2028-02-16
* Meetup: [event page](https://www.meetup.com/vienna-deep-learning-meetup/events/123/)

## Agenda
* 18:45 Counting Owls – Ada Berg (Owl Uni) [slides](./slides/owls.pdf)
* 19:30 Quantum Cats – Bob Chen, Cat Inc [[slides](./slides/cats.pdf)] [video](https://youtu.be/x)
"""
    corpus = parse("109", page)
    assert corpus.meetups[0].meetup_url == \
        "https://www.meetup.com/vienna-deep-learning-meetup/events/123/"
    got = {t.title: (t.speakers, t.affiliations, t.slides_url, t.video_url)
           for t in corpus.talks}
    owls, cats = got["Counting Owls"], got["Quantum Cats"]
    assert owls[:2] == (["Ada Berg"], ["Owl Uni"]) and owls[2].endswith("/slides/owls.pdf")
    assert cats[:2] == (["Bob Chen"], ["Cat Inc"]) and cats[3] == "https://youtu.be/x"


def test_a_lightning_talk_label_over_a_credit_line_under_a_time_marks_a_short_talk():
    page = """Dear friends of neural nets,

join us on January 15 at Otterbank for an evening of talks!

## Agenda

18:45

    Keynote: Forests of Thought
    Ada Kogler, Birchwood Institute

19:30

    Lightning Talk: Tiny Tokenizers
    Bruno Falk, Pebble AI

21:30 Wrap up & End
"""
    rows = ("| 2026-01-15 | 98 | Ada Kogler | Forests of Thought | | |\n"
            "| 2026-01-15 | 98 | Bruno Falk | Tiny Tokenizers | | |")
    for r in ("", rows):
        corpus = parse("98", page, r)
        assert [(t.kind, t.title, t.speakers) for t in corpus.talks] == [
            (TALK, "Forests of Thought", ["Ada Kogler"]),
            (SHORT_TALK, "Tiny Tokenizers", ["Bruno Falk"])]


def test_a_root_table_title_still_to_be_announced_takes_the_pages_title():
    page = """# 99th Vienna Deep Learning Meetup

* Date: 2026-03-18

18:40

* Learning to Count Bees with Event Cameras

Greta Moser, Hivemind GmbH

Event cameras see fast wings. We count bees at a hive entrance without frames.
"""
    for title in ("Talk title TBA", "TBD", "Title: to be announced"):
        corpus = parse("99", page, f"| 2026-03-18 | 99 | Greta Moser | {title} | | |")
        (talk,) = corpus.talks
        assert talk.title == "Learning to Count Bees with Event Cameras"
        assert talk.speakers == ["Greta Moser"] and talk.abstract.startswith("Event cameras")
        assert corpus.warnings == []


def test_a_paragraph_labelled_about_a_speaker_by_name_is_the_bio_not_the_abstract():
    page = """# 100th Vienna Deep Learning Meetup

* Date: 2026-04-22

18:40

    Forests of Thought
    Ada Kogler, Birchwood Institute

19:30

    Frog Calls on Four Bits
    Cilli Haas, Pondlab

## Talk Abstract: Forests of Thought

Reasoning models branch, prune and backtrack. We grow their traces as forests on purpose.

About Ada: Ada Kogler leads the reasoning group at Birchwood Institute and studied beetles.

## Talk Abstract: Frog Calls on Four Bits

Frog calls are short and loud. We quantize a detector to run on a solar sensor.

**About Cilli Haas**

Cilli built her first frog detector from a doorbell and a pond microphone.
"""
    got = {t.title: (t.abstract, t.bio) for t in parse("100", page).talks}
    forests = ("Reasoning models branch, prune and backtrack. We grow their traces as forests "
               "on purpose.")
    ada = "Ada Kogler leads the reasoning group at Birchwood Institute and studied beetles."
    frogs = "Frog calls are short and loud. We quantize a detector to run on a solar sensor."
    cilli = "Cilli built her first frog detector from a doorbell and a pond microphone."
    assert got == {"Forests of Thought": (forests, ada), "Frog Calls on Four Bits": (frogs, cilli)}


def test_a_talk_headings_number_or_numbered_talk_label_is_no_part_of_the_title():
    page = """# 101st Vienna Deep Learning Meetup

* Date: 2026-05-20

## Talks

### 1. Fast Kettles: Predicting Boil Times

**Speaker:** Jonas Ried, Steamworks

Kettles boil at different speeds. We predict how long one takes from its first sounds.

### Talk #2: Slow Kettles and Patience

*Lotte Brandl, Teacup University*

Patience is a virtue. We measure how long people wait for a kettle before they leave.
"""
    got = {t.title: t.speakers for t in parse("101", page).talks}
    assert got == {"Fast Kettles: Predicting Boil Times": ["Jonas Ried"],
                   "Slow Kettles and Patience": ["Lotte Brandl"]}


def test_a_quoted_abstract_keeps_its_text_and_loses_the_quote_markers():
    page = """# 102nd Vienna Deep Learning Meetup

* Date: 2026-06-17

**Slow Kettles and Patience**
*Lotte Brandl, Teacup University*

> Patience is a virtue. We measure how long people wait for a kettle,
> following arXiv:2401.01234.
"""
    got = talks(parse("102", page), "102")
    assert got == {"Slow Kettles and Patience": (
        ["Lotte Brandl"], ("Patience is a virtue. We measure how long people wait for a kettle,"
                           "\nfollowing arXiv:2401.01234."), ["2401.01234"])}


def test_a_title_under_a_time_that_reads_like_a_credit_is_a_title_over_its_credit_line():
    page = """Dear friends of neural nets,

join us on May 22, 2026 at Harbour Labs.

18:40

    Quill Winner – Teapot Arena: How We Won the Brewing Track
    Paula Rind, independent
    We describe our winning solution, including distillation (https://arxiv.org/abs/2405.05555).

20:00

    Mixture of Kettles
    Quentin Lutz, Harbour Labs
    Routing tokens to kettles saves compute.
"""
    rows = ("| 2026-05-22 | 103 | Paula Rind | Quill Winner - Teapot Arena | | |\n"
            "| 2026-05-22 | 103 | Quentin Lutz | Mixture of Kettles | | |")
    for r in ("", rows):
        corpus = parse("103", page, r)
        rind = next(t for t in corpus.talks if t.speakers == ["Paula Rind"])
        assert rind.affiliations == ["independent"]
        assert rind.abstract.startswith("We describe our winning solution")
        assert [x.arxiv_id for x in corpus.refs if x.talk_id == rind.id] == ["2405.05555"]
    assert rind.title == "Quill Winner - Teapot Arena"


def test_hot_topic_bullets_naming_a_presenter_and_a_paper_are_papers_not_talks():
    page = """# 110th Vienna Deep Learning Meetup

* Date: 2028-03-15

## Agenda
* 18:45 Counting Owls – Ada Berg (Owl Uni)

## Hot Topics & Latest News

* Max Tauber (Otterbank): Small reasoning models, arXiv:2501.01234
* Lena Graf: Diffusion for weather, https://arxiv.org/abs/2502.05678
"""
    corpus = parse("110", page)
    # No talk 'Diffusion for weather, https://...', no 'arXiv:...' affiliation of anyone.
    assert [t.title for t in corpus.talks if t.kind == TALK] == ["Counting Owls"]
    assert all("arXiv" not in a and "reasoning" not in a
               for t in corpus.talks for a in t.affiliations)
    intro = next(t for t in corpus.talks if t.kind != TALK)
    assert sorted((r.arxiv_id, r.talk_id) for r in corpus.refs) == [
        ("2501.01234", intro.id), ("2502.05678", intro.id)]  # the hot topics' papers


def test_an_escaped_pipe_in_a_root_table_cell_is_part_of_the_cell():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls \\| Bats: Hearing in the Dark | "
            "[pdf](x.pdf) | |")
    corpus = parse_rows(rows)
    (talk,) = corpus.talks
    assert talk.title == "Owls | Bats: Hearing in the Dark"
    assert talk.speakers == ["Ada Berg"] and talk.slides_url.endswith("/x.pdf")


def test_html_and_emoji_in_root_table_cells_are_markup_not_names_or_title_words():
    rows = ("| 2027-06-09 | 106 | Ada Berg<br>Jonas Kettl (Owlworks) | 🦉 Owls Hear<br/>in the Dark"
            " | <a href=\"x.pdf\">pdf</a> | |\n"
            "| 2027-06-09 | 106 | 🎤 Mira Lund | Counting Bats by Echo 🦇 | | |")
    corpus = parse_rows(rows)
    got = {t.title: (t.speakers, t.affiliations, t.slides_url) for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": (["Ada Berg", "Jonas Kettl"], ["Owlworks"],
                                             "https://github.com/vdlm/meetups/blob/main/x.pdf"),
                   "Counting Bats by Echo": (["Mira Lund"], [], None)}


def test_a_root_table_date_in_day_month_year_or_with_a_month_name_is_read():
    for cell in ("09.06.2027", "9.6.2027", "June 9, 2027", "9 Jun 2027", "2027-06-09 (online)"):
        rows = f"| {cell} | 106 | Ada Berg | Owls Hear in the Dark | | |"
        corpus = parse_rows(rows)
        assert [m.date for m in corpus.meetups] == ["2027-06-09"], cell
        assert corpus.warnings == [], cell


def test_a_root_table_number_cell_with_a_number_sign_or_label_names_the_meetup():
    for cell in ("#106", "# 106", "No. 106", "Meetup 106"):
        rows = f"| 2027-06-09 | {cell} | Ada Berg | Owls Hear in the Dark | | |"
        corpus = parse_rows(rows)
        assert [t.meetup_key for t in corpus.talks] == ["106"], cell
        assert corpus.warnings == [], cell


def test_a_root_table_topic_noting_a_cancel_or_a_short_talk_gives_the_kind_not_title_words():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark (cancelled) | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl | ~~Counting Bats by Echo~~ | | |\n"
            "| 2027-06-09 | 106 | Mira Lund | Moths and Moonlight (lightning talk) | | |\n"
            "| 2027-06-09 | 106 | Resi Walcher | Short talk: Hedgehog Gaits | | |\n"
            "| 2027-06-09 | 106 | Pauli Enzinger | Badger Burrows from Lidar | | |")
    page = """# 106th Vienna Deep Learning Meetup

* Date: 2027-06-09

### Badger Burrows from Lidar
Speaker: Pauli Enzinger

A drone with a lidar maps burrows under the forest floor.
"""
    corpus = parse("106", page, rows)
    got = {t.title: t.kind for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": CANCELLED, "Counting Bats by Echo": CANCELLED,
                   "Moths and Moonlight": SHORT_TALK, "Hedgehog Gaits": SHORT_TALK,
                   "Badger Burrows from Lidar": TALK}


def test_a_root_table_speaker_or_talk_still_to_be_announced_is_no_speaker_and_no_talk():
    rows = ("| 2027-07-14 | 107 | TBA | TBA | | |\n"
            "| 2027-07-14 | 107 | ? | ? | | |\n"
            "| 2027-06-09 | 106 | tba | Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | Speaker TBD | Counting Bats by Echo | | |\n"
            "| 2027-05-12 | 105 | TBA | TBA | | |")
    page = """# 105th Vienna Deep Learning Meetup

* Date: 2027-05-12

### Moths and Moonlight
Speaker: Mira Lund (Nightwing)

Moths circle lamps; a small model tells the species apart from their flight.
"""
    corpus = parse("105", page, rows)
    assert {m.key: m.date for m in corpus.meetups} == {
        "105": "2027-05-12", "106": "2027-06-09", "107": "2027-07-14"}
    got = {t.title: (t.meetup_key, t.speakers, t.affiliations) for t in corpus.talks}
    # the upcoming meetup has a date and no talk yet; a page's talk is not taken for stale
    assert got == {"Owls Hear in the Dark": ("106", [], []),
                   "Counting Bats by Echo": ("106", [], []),
                   "Moths and Moonlight": ("105", ["Mira Lund"], ["Nightwing"])}
    assert corpus.warnings == []


def test_the_root_tables_header_repeated_mid_table_is_no_row():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | | |\n"
            "| Date | # | Speaker | Topic | Slides | Details |\n"
            "| ---- | -- | ------- | ----- | ------ | ------- |\n"
            "| 2027-05-12 | 105 | Jonas Kettl | Counting Bats by Echo | | |")
    corpus = parse_rows(rows)
    assert {t.title: t.meetup_key for t in corpus.talks} == {
        "Owls Hear in the Dark": "106", "Counting Bats by Echo": "105"}
    assert corpus.warnings == []


def test_a_talk_listed_twice_in_the_root_table_is_one_talk_with_the_links_of_both():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl | Hot Topics | | |\n"
            "| 2027-06-09 | 106 | Mira Lund | Hot Topics | | |\n"
            "| 2027-06-09 | 106 | Ada Berg | Owls hear in the dark | [pdf](x.pdf) | |")
    corpus = parse_rows(rows)
    got = [(t.title, t.speakers, t.slides_url) for t in corpus.talks if t.kind == TALK]
    assert got == [("Owls Hear in the Dark", ["Ada Berg"],
                    "https://github.com/vdlm/meetups/blob/main/x.pdf")]
    assert len(corpus.talks) == 3  # two speakers' slots of the same name stay two
    assert [w.line for w in corpus.warnings] == [8]


def test_a_root_tables_bare_addresses_vimeo_videos_and_slides_in_the_topic_are_material():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | https://example.org/owls.pdf"
            " | https://vimeo.com/1234 |\n"
            "| 2027-06-09 | 106 | Jonas Kettl | Counting Bats by Echo [slides](y.pdf) | "
            "| [video](https://vimeo.com/5678) |")
    corpus = parse_rows(rows)
    got = {t.title: (t.slides_url, t.video_url) for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": ("https://example.org/owls.pdf",
                                             "https://vimeo.com/1234"),
                   "Counting Bats by Echo": ("https://github.com/vdlm/meetups/blob/main/y.pdf",
                                             "https://vimeo.com/5678")}


def test_a_speaker_cells_at_sign_or_shared_affiliation_note_names_the_organisation():
    rows = ("| 2027-06-09 | 106 | Ada Berg @ Owlworks | Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl & Mira Lund (both Batcave Labs) | "
            "Counting Bats by Echo | | |")
    corpus = parse_rows(rows)
    got = {t.title: (t.speakers, t.affiliations) for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": (["Ada Berg"], ["Owlworks"]),
                   "Counting Bats by Echo": (["Jonas Kettl", "Mira Lund"], ["Batcave Labs"])}


def test_a_root_table_with_other_header_names_or_rows_without_outer_pipes_is_read():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | |\n"
            "2027-05-12 | 105 | Jonas Kettl | Counting Bats by Echo | [pdf](y.pdf)\n"
            "| 2027-04-14 | 104 | Mira Lund | Moths and Moonlight | |")
    for head in ("| Date | # | Speaker(s) | Topic | Slides |",
                 "| **Date** | **No.** | **Speakers** | **Title** | **Slides** |",
                 "Date | Meetup | Presenter | Talk | Slides"):
        text = f"# Talks\n\n{head}\n|---|---|---|---|---|\n{rows}\n\nMore text.\n"
        corpus = parse_archive(Pages({"README.md": text}))
        assert {t.title: (t.meetup_key, t.speakers) for t in corpus.talks} == {
            "Owls Hear in the Dark": ("106", ["Ada Berg"]),
            "Counting Bats by Echo": ("105", ["Jonas Kettl"]),
            "Moths and Moonlight": ("104", ["Mira Lund"])}, head
        assert corpus.warnings == [], head


def test_a_root_table_date_with_typographic_hyphens_or_a_two_digit_year_is_read():
    for cell in ("2027\u201106\u201109", "2027\u201306\u201309", "09.06.27"):
        rows = f"| {cell} | 106 | Ada Berg | Owls Hear in the Dark | | |"
        corpus = parse_rows(rows)
        assert [m.date for m in corpus.meetups] == ["2027-06-09"], cell
        assert corpus.warnings == [], cell


def test_a_root_table_speaker_with_an_initial_or_people_joined_by_plus_are_speakers():
    rows = ("| 2027-06-09 | 106 | A. Berg | Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl + Mira Lund | Counting Bats by Echo | | |")
    corpus = parse_rows(rows)
    got = {t.title: (t.speakers, t.affiliations) for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": (["A. Berg"], []),
                   "Counting Bats by Echo": (["Jonas Kettl", "Mira Lund"], [])}


def test_a_root_table_topic_in_quotes_or_after_a_talk_label_is_the_bare_title():
    rows = ("| 2027-06-09 | 106 | Ada Berg | \u201cOwls Hear in the Dark\u201d | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl | Keynote: Counting Bats by Echo | | |\n"
            "| 2027-06-09 | 106 | Mira Lund | Talk 3: \"Moths and Moonlight\" | | |\n"
            "| 2027-06-09 | 106 | Resi Walcher | Hedgehogs: \"Gait\" from Video | | |")
    corpus = parse_rows(rows)
    assert [t.title for t in corpus.talks] == [
        "Owls Hear in the Dark", "Counting Bats by Echo", "Moths and Moonlight",
        "Hedgehogs: \"Gait\" from Video"]


def test_a_line_break_in_a_root_table_speaker_cell_parts_name_and_emphasised_organisation():
    rows = "| 2027-06-09 | 106 | Ada Berg<br>*Owlworks* | Owls Hear in the Dark | | |"
    (talk,) = parse_archive(Pages({"README.md": ROOT.format(rows=rows)})).talks
    assert (talk.speakers, talk.affiliations) == (["Ada Berg"], ["Owlworks"])


def test_notes_about_the_people_in_a_speaker_cell_are_neither_people_nor_organisations():
    rows = ("| 2027-06-09 | 106 | Ada Berg (she/her) et al. | Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | Panel: Jonas Kettl, Mira Lund | Counting Bats by Echo | | |\n"
            "| 2027-06-09 | 106 | Resi Walcher (Hedgeworks) and colleagues | Hedgehog Gaits | | |")
    corpus = parse_rows(rows)
    got = {t.title: (t.speakers, t.affiliations) for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": (["Ada Berg"], []),
                   "Counting Bats by Echo": (["Jonas Kettl", "Mira Lund"], []),
                   "Hedgehog Gaits": (["Resi Walcher"], ["Hedgeworks"])}


def test_profile_links_in_a_root_table_speaker_cell_are_no_organisation():
    rows = ("| 2027-06-09 | 106 | Ada Berg (Owlworks) ([LinkedIn](https://example.org/ab)) | "
            "Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl · [@jk](https://example.org/jk) | "
            "Counting Bats by Echo | | |\n"
            "| 2027-06-09 | 106 | [Mira Lund](https://example.org/ml) [🔗](https://example.org/m) | "
            "Moths and Moonlight | | |")
    corpus = parse_rows(rows)
    got = {t.title: (t.speakers, t.affiliations) for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": (["Ada Berg"], ["Owlworks"]),
                   "Counting Bats by Echo": (["Jonas Kettl"], []),
                   "Moths and Moonlight": (["Mira Lund"], [])}


def test_root_table_rows_in_an_html_comment_are_hidden_and_the_table_goes_on_after_it():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | | |\n"
            "<!-- | 2027-06-09 | 106 | Jonas Kettl | Counting Bats by Echo | | | -->\n"
            "<!--\n| 2027-06-09 | 106 | Resi Walcher | Hedgehog Gaits | | |\n-->\n"
            "| 2027-05-12 | 105 | Mira Lund | Moths and Moonlight | | |")
    corpus = parse_rows(rows)
    assert {t.title: t.meetup_key for t in corpus.talks} == {
        "Owls Hear in the Dark": "106", "Moths and Moonlight": "105"}
    assert corpus.warnings == []


def test_a_root_table_row_leaving_date_and_number_to_the_row_above_is_that_meetups():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | | |\n"
            "|  |  | Jonas Kettl | Counting Bats by Echo | | |\n"
            "| \" | \" | Mira Lund | Moths and Moonlight | | |\n"
            "| 2027-06-09 |  | Resi Walcher | Hedgehog Gaits | | |\n"
            "| 2027-05-12 |  | Pauli Enzinger | Badger Burrows | | |")
    corpus = parse_rows(rows)
    assert {t.title: t.meetup_key for t in corpus.talks} == {
        "Owls Hear in the Dark": "106", "Counting Bats by Echo": "106",
        "Moths and Moonlight": "106", "Hedgehog Gaits": "106"}
    assert [m.date for m in corpus.meetups] == ["2027-06-09"]
    # another date and no number: which meetup is unsure, said so
    assert [w.line for w in corpus.warnings] == [9]


def test_a_root_table_row_naming_only_a_slot_of_the_evening_is_no_talk():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | | |\n"
            "| 2027-06-09 | 106 | | Networking & Drinks | | |\n"
            "| 2027-06-09 | 106 | VDLM | Pizza and Networking | | |\n"
            "| 2027-06-09 | 106 | | Questions Owls Ask | | |")
    corpus = parse_rows(rows)
    assert [t.title for t in corpus.talks] == ["Owls Hear in the Dark", "Questions Owls Ask"]
    rows = "| 2027-07-14 | 107 | | Networking & Drinks | | |"
    corpus = parse_rows(rows)
    assert corpus.talks == [] and [m.date for m in corpus.meetups] == ["2027-07-14"]


EVENING = """# 93rd Deep Learning Meetup: Owl Acoustics / Learning by Doing

4 Nov 2026 @ Kestrel Hall

## Agenda:

* 18:30 Welcome by the meetup organizers
* 18:45 Talk 1: Counting Owls by Sound at Night by Leni Trautmann (Barnhollow)
* 20:00 Talk 2: Learning by Doing: Curriculum Design for Small Robots by Wenzel Aigner and Mira Holt (Frostline Labs)
* 20:40 Short Talk: Tiny Glaciers by Ida Rautner (TU Wien)

## Talk Details:

### Talk 1: Counting Owls by Sound at Night

Owls hoot in the dark where cameras see nothing. We count them with a tiny audio classifier.

---

**About the speaker**

Leni Trautmann leads the audio team at Barnhollow.

### Talk 2: Learning by Doing: Curriculum Design for Small Robots

Robots learn faster when tasks get harder slowly. We show a curriculum that adapts itself.

**Topics covered (tentative):**

Curricula beat random task order
Self-paced schedules need a signal

**About the Speakers** 

Wenzel Aigner and Mira Holt build robots at Frostline Labs.

### Short Talk: Tiny Glaciers

A five-minute look at glaciers in a jar.

**About the Speaker:**
Ida Rautner studies ice at TU Wien.

We'd like to thank Kestrel Hall for the venue.
Your VDLM organizers
"""


def test_a_bold_lead_in_keeps_its_unbulleted_list_in_the_abstract_and_the_bio_after_it():
    corpus = parse("93", EVENING)
    by_title = {t.title: t for t in corpus.talks if t.meetup_key == "93"}
    robots = by_title["Learning by Doing: Curriculum Design for Small Robots"]
    # the lead-in closed the talk: its list was lost and 'About the Speakers' became a talk
    assert "About the Speakers" not in by_title
    assert robots.abstract.splitlines()[-2:] == ["Curricula beat random task order",
                                                 "Self-paced schedules need a signal"]
    assert robots.bio == "Wenzel Aigner and Mira Holt build robots at Frostline Labs."
    assert robots.speakers == ["Wenzel Aigner", "Mira Holt"]


def test_a_bio_after_a_rule_is_its_talks_and_the_sign_off_is_no_ones():
    by_title = {t.title: t for t in parse("93", EVENING).talks if t.meetup_key == "93"}
    assert by_title["Counting Owls by Sound at Night"].bio == (
        "Leni Trautmann leads the audio team at Barnhollow.")
    assert by_title["Tiny Glaciers"].bio == "Ida Rautner studies ice at TU Wien."
    assert by_title["Tiny Glaciers"].kind == SHORT_TALK


def test_a_date_line_with_at_names_the_venue():
    meetup = next(m for m in parse("93", EVENING).meetups if m.key == "93")
    assert (meetup.date, meetup.venue) == ("2026-11-04", "Kestrel Hall")


PINNED = """# 95th Vienna Deep Learning Meetup: Owls and Moss

📅 January 14, 2027 | 📍 Lichen Labs, Vienna

## Agenda

* 18:45 Talk 1: Sparse Attention for Owl Calls by Leni Trautmann (Barnhollow)
* 19:30 Talk 2: When Moss Meets Transformers by Ida Rautner (Lichen Labs)

## Talk Details

### Talk 1: Sparse Attention for Owl Calls

Attention over long recordings is expensive; sparse patterns make it cheap. [Slides](slides/owls.pdf) · [Recording](https://youtu.be/owl123)

### Talk 2 - When Moss Meets Transformers

Moss grows slowly and transformers learn fast, so we pair them.

Recording: https://www.youtube.com/watch?v=moss987
"""


def test_a_line_of_abstract_with_a_slides_link_keeps_its_text_and_a_bare_recording_counts():
    by_title = {t.title: t for t in parse("95", PINNED).talks if t.meetup_key == "95"}
    owls = by_title["Sparse Attention for Owl Calls"]
    # the slides link used to swallow the line: the talk had no abstract
    assert owls.abstract == ("Attention over long recordings is expensive; sparse patterns "
                             "make it cheap.")
    assert owls.slides_url.endswith("/Meetups/Meetup_95/slides/owls.pdf")
    assert owls.video_url == "https://youtu.be/owl123"
    assert by_title["When Moss Meets Transformers"].video_url == (
        "https://www.youtube.com/watch?v=moss987")


def test_a_pinned_place_or_a_where_label_names_the_venue():
    meetup = next(m for m in parse("95", PINNED).meetups if m.key == "95")
    assert (meetup.date, meetup.venue) == ("2027-01-14", "Lichen Labs, Vienna")
    page = "# Meetup #96\n\n**When:** March 3, 2027, 18:30\n**Where:** Kestrel Hall, Floor 3\n"
    meetup = next(m for m in parse("96", page).meetups if m.key == "96")
    assert (meetup.date, meetup.venue) == ("2027-03-03", "Kestrel Hall, Floor 3")


JOINT = """# 97th Vienna Deep Learning Meetup – joint event with a Python meetup

Date: 2027-04-21

## Agenda

* 18:45 Talk 1: Lichen Detection on the Edge by Ida Rautner (Lichen Labs)
* 19:20 Talk 2: Sequence Models for Ice Cores with Wenzel Aigner (Frostline)

## Talk Details

### 🎤 Talk 1: Lichen Detection on the Edge

Lichens grow on stone; we detect them on a microcontroller with a 200 KB model.

### 🎤 Talk 2: Sequence Models for Ice Cores

Ice cores store centuries of climate and we treat them as long token sequences.

## Speakers

**Ida Rautner** is an engineer at Lichen Labs working on tiny vision models.

**Wenzel Aigner** studies glaciers at Frostline and builds sequence models.
"""


def test_the_details_heading_shows_where_an_agenda_title_ends_and_its_credit_begins():
    got = talks(parse("97", JOINT), "97")
    # was one talk titled '... with Wenzel Aigner (Frostline)', no speaker, no abstract
    assert got["Sequence Models for Ice Cores"][:2] == (
        ["Wenzel Aigner"],
        "Ice cores store centuries of climate and we treat them as long token sequences.")
    assert len(got) == 2


def test_a_speakers_section_gives_each_talk_the_bio_that_introduces_its_speaker():
    by_title = {t.title: t for t in parse("97", JOINT).talks if t.meetup_key == "97"}
    assert by_title["Lichen Detection on the Edge"].bio == (
        "Ida Rautner is an engineer at Lichen Labs working on tiny vision models.")
    assert by_title["Sequence Models for Ice Cores"].bio == (
        "Wenzel Aigner studies glaciers at Frostline and builds sequence models.")


def test_a_bold_title_with_its_abstract_on_the_same_line_and_one_line_of_meta():
    page = """# 98th Vienna Deep Learning Meetup

**Date:** 2027-05-19 · **Location:** Online and Kestrel Hall

## Program

| Time | Title | Speaker |
| --- | --- | --- |
| 18:45 | Graph Networks for Bird Migration | Mira Holt (Barnhollow) |

## Abstracts

**Graph Networks for Bird Migration** — Birds fly along routes that form a graph; we forecast arrivals with message passing.

Livestream: https://www.youtube.com/live/bird555
"""
    corpus = parse("98", page)
    got = talks(corpus, "98")
    assert got["Graph Networks for Bird Migration"][1] == (
        "Birds fly along routes that form a graph; we forecast arrivals with message passing.")
    assert next(m for m in corpus.meetups if m.key == "98").venue == "Online and Kestrel Hall"
    # the evening's livestream is no talk's recording
    assert next(t for t in corpus.talks if t.meetup_key == "98").video_url is None


def test_a_venue_column_of_the_root_table_gives_a_page_less_meetup_its_venue():
    root = """# Vienna Deep Learning Meetup

| Date | # | Speaker | Topic | Slides | Video | Location |
| ---- | -- | ------- | ----- | ------ | ----- | -------- |
| 2027-05-19 | 98 | Mira Holt (Barnhollow) | Graph Networks for Bird Migration | | [YouTube](https://youtu.be/b98) | [Kestrel Hall](https://example.org/kestrel) |
| 2027-04-21 | 97 | Wenzel Aigner | Sequence Models for Ice Cores | | | |
"""
    corpus = parse_archive(Pages({"README.md": root}))
    venues = {m.key: m.venue for m in corpus.meetups}
    assert venues == {"98": "Kestrel Hall", "97": None}
    assert [t.title for t in corpus.talks if t.meetup_key == "98"] == [
        "Graph Networks for Bird Migration"]


def test_a_page_without_agenda_describes_the_root_tables_talks_under_their_titles():
    rows = ("| 2027-06-16 | 99 | Jonas Pichler | Owl Counting at Scale | | |\n"
            "| 2027-06-16 | 99 | Ida Rautner | Deep Moss: Mapping Moss from Space | | |")
    page = """# 99th Meetup

## Deep Moss

Dear all, after the summer we meet again with two talks on nature.

### Owl Counting at Scale

We count owls across Austria with microphones and a small classifier.

### Deep Moss: Mapping Moss from Space

We map moss from satellite images with a segmentation model.
"""
    got = talks(parse("99", page, rows), "99")
    # the abstracts were lost: no agenda on the page named these headings as talks
    assert got["Owl Counting at Scale"][:2] == (
        ["Jonas Pichler"], "We count owls across Austria with microphones and a small classifier.")
    # a section named like a title's main part ('## Deep Moss') is no talk of its intro
    assert got["Deep Moss: Mapping Moss from Space"][1] == (
        "We map moss from satellite images with a segmentation model.")
    assert len(got) == 2
