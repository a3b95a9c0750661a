"""Parser on more invented pages in styles the archive copy does not show (2024-2027 pages:
emoji and German labels, agenda tables with other headers, cancelled meetups, keynotes,
co-speakers, degrees, wrapped abstracts). Every page here is made up."""

from test_parser_unseen import parse, talks

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK


def by_title(corpus, key: str) -> dict:
    return {t.title: t for t in corpus.talks if t.meetup_key == key}


def test_meta_lines_behind_an_emoji_or_with_german_labels_give_date_and_venue():
    page = """# 🎉 63rd Vienna Deep Learning Meetup

📅 **Date:** Thursday, 12 March 2026, 18:00
📍 **Venue:** Hörsaal 3, Kestrel Campus
🔗 **Anmeldung:** [meetup.com](https://www.meetup.com/vdlm/events/300001/)
"""
    m = parse("63", page).meetups[0]
    assert (m.date, m.venue) == ("2026-03-12", "Hörsaal 3, Kestrel Campus")
    assert m.meetup_url == "https://www.meetup.com/vdlm/events/300001/"
    german = """# 72. Vienna Deep Learning Meetup

**Datum:** Mittwoch, 17. März 2027, 18:30 Uhr
**Ort:** Dachs Akademie, Seminarraum 2
"""
    corpus = parse("72", german)
    m = corpus.meetups[0]
    assert (m.date, m.venue) == ("2027-03-17", "Dachs Akademie, Seminarraum 2")
    assert corpus.date_sources["72"] == "page"


def test_a_wrapped_abstract_line_its_list_and_a_quoted_line_stay_in_the_abstract():
    page = """# 63rd Vienna Deep Learning Meetup

Date: 2026-03-12

### Sparse Mixtures for Tiny Devices

*Jonas Pichler & Mira Haslinger*

Mixture-of-experts models are large but only a few experts fire per token. We port them to
microcontrollers:

1. expert pruning,
2. 4-bit routing tables,
3. on-device caching.

> "Sparsity is the cheapest accelerator."

Paper: arXiv:2401.04088
"""
    got = talks(parse("63", page), "63")
    speakers, abstract, refs = got["Sparse Mixtures for Tiny Devices"]
    assert speakers == ["Jonas Pichler", "Mira Haslinger"]
    for piece in ("We port them to\nmicrocontrollers:", "1. expert pruning,",
                  "2. 4-bit routing tables,", "3. on-device caching.",
                  '"Sparsity is the cheapest accelerator."'):
        assert piece in abstract
    assert refs == ["2401.04088"]


def test_an_agenda_table_headed_speaker_s_or_in_german_is_read_and_its_breaks_are_no_talks():
    page = """# 64th Vienna Deep Learning Meetup

Date: 2026-04-23

| Time | Title | Speaker(s) |
|------|-------|------------|
| 18:30 | Begrüßung & Hot Topics | VDLM Team |
| 18:45 | Retrieval for Legal Texts | Dr. Lena Auer (Justitia AI), Markus Berger (Univ. of Vienna) |
| 19:30 | Pause | |
| 19:45 | Diffusion for Protein Design | Sofia Reiter, PhD candidate at IST Austria |
"""
    got = by_title(parse("64", page), "64")
    assert set(got) == {"Begrüßung & Hot Topics", "Retrieval for Legal Texts",
                        "Diffusion for Protein Design"}
    assert got["Begrüßung & Hot Topics"].kind == INTRO
    legal = got["Retrieval for Legal Texts"]
    assert legal.speakers == ["Lena Auer", "Markus Berger"]
    assert legal.affiliations == ["Justitia AI", "Univ. of Vienna"]
    assert got["Diffusion for Protein Design"].affiliations == ["IST Austria"]
    german = """# 66th Vienna Deep Learning Meetup

| Uhrzeit | Vortrag | Vortragende |
|---|---|---|
| 18:30 | Einlass | |
| 19:00 | Speech Recognition for Dialects | Julia Fuchs (Sparrow Speech) |
"""
    got = by_title(parse("66", german), "66")
    assert list(got) == ["Speech Recognition for Dialects"]
    assert got["Speech Recognition for Dialects"].speakers == ["Julia Fuchs"]


def test_a_struck_agenda_item_with_a_postpone_note_is_a_cancelled_talk_not_dropped():
    page = """# 65th Vienna Deep Learning Meetup

Date: 2026-05-20

## Programme

1. Intro & Hot Topics
2. "Small Language Models on the Edge" by Hanna Vogt (TU Graz)
3. ~~Graph Transformers for Traffic~~ – Tobias Lechner – *postponed to June*
4. Audio Transformers – Lukas Brunner (Wren Audio) – cancelled due to illness
"""
    got = by_title(parse("65", page), "65")
    graph = got["Graph Transformers for Traffic"]
    assert (graph.kind, graph.speakers) == (CANCELLED, ["Tobias Lechner"])
    audio = got["Audio Transformers"]
    assert (audio.kind, audio.speakers, audio.affiliations) == (
        CANCELLED, ["Lukas Brunner"], ["Wren Audio"])
    assert got["Small Language Models on the Edge"].kind == TALK


def test_a_degree_after_a_speakers_name_is_no_organisation():
    page = """# 65th Vienna Deep Learning Meetup

Date: 2026-05-20

* Lightning talk: Label Noise in Medical Images – Eva Steiner, MSc (MedUni Wien)
* Robust Speech Models – Dr. Jan Holler, PhD
"""
    got = by_title(parse("65", page), "65")
    noise = got["Label Noise in Medical Images"]
    assert (noise.kind, noise.speakers, noise.affiliations) == (
        SHORT_TALK, ["Eva Steiner"], ["MedUni Wien"])
    assert got["Robust Speech Models"].affiliations == []


def test_a_bold_keynote_label_and_a_speaker_with_organisation_before_the_title():
    page = """# 67th Vienna Deep Learning Meetup (announcement)

**Date:** 14 October 2027 — save the date!

Talks confirmed so far:

* **Keynote** — Prof. Klara Hummel (JKU Linz): *Continual Learning without Forgetting*
* Maximilian Eder (Robin Robotics): Sim-to-Real for Warehouse Robots
"""
    corpus = parse("67", page)
    got = by_title(corpus, "67")
    assert set(got) == {"Continual Learning without Forgetting",
                        "Sim-to-Real for Warehouse Robots"}
    keynote = got["Continual Learning without Forgetting"]
    assert (keynote.speakers, keynote.affiliations) == (["Klara Hummel"], ["JKU Linz"])
    sim = got["Sim-to-Real for Warehouse Robots"]
    assert (sim.speakers, sim.affiliations) == (["Maximilian Eder"], ["Robin Robotics"])
    assert corpus.meetups[0].date == "2027-10-14"


def test_the_talks_of_a_cancelled_meetup_are_cancelled_not_held():
    page = """# 68th Vienna Deep Learning Meetup

Date: 2026-11-11

⚠️ **This meetup has been cancelled** due to a strike. The talks move to the next meetup.

## Agenda (original)

- 18:45 Causal Inference for Marketing — Petra Koller (Magpie Analytics)
- 19:30 Audio Transformers — Lukas Brunner
"""
    rows = ("| 2026-11-11 | 68 | Petra Koller | Causal Inference for Marketing | | |\n"
            "| 2026-11-11 | 68 | Mia Roth | Bandits for Pricing | | |")
    got = by_title(parse("68", page, rows), "68")
    assert set(got) == {"Causal Inference for Marketing", "Audio Transformers",
                        "Bandits for Pricing"}
    assert {t.kind for t in got.values()} == {CANCELLED}
    assert got["Causal Inference for Marketing"].speakers == ["Petra Koller"]


def test_a_co_speaker_named_after_with_is_a_speaker_not_an_organisation():
    page = """# 70th Vienna Deep Learning Meetup

Date: 2027-01-20

## Agenda

- 18:45 – 19:15 **Talk 1:** Vision-Language Models for Robotics — Dr. Ursula Binder (Falcon Robotics) with Leo Haas
"""
    t = by_title(parse("70", page), "70")["Vision-Language Models for Robotics"]
    assert (t.speakers, t.affiliations) == (["Ursula Binder", "Leo Haas"], ["Falcon Robotics"])


def test_an_abstract_line_ending_in_links_to_material_is_kept():
    page = """# 71st Vienna Deep Learning Meetup

Date: 2027-02-17

**🧠 Memory in Transformers**
*Clara Wimmer, PhD candidate at Univ. Innsbruck*

Transformers forget what falls out of the window. We review memory layers and test them on
long documents. [arXiv](https://arxiv.org/abs/2410.00001) · [code](https://github.com/x/y)
"""
    got = talks(parse("71", page), "71")
    _, abstract, refs = got["Memory in Transformers"]
    assert abstract.endswith("test them on\nlong documents.")
    assert refs == ["2410.00001"]


def test_a_german_schedule_with_uhr_a_dash_vortrag_labels_and_a_german_bio_label():
    page = """# 72. Vienna Deep Learning Meetup

**Datum:** 17.03.2027

## Programm

* 18:30 Uhr – Begrüßung
* 18:45 Uhr – Vortrag 1: Sprachmodelle für Behörden – Mag. Karin Huber (Stadt Wien)
* 20:15 Uhr – Networking & Getränke

## Vorträge

#### Vortrag 1: Sprachmodelle für Behörden

Behörden schreiben viele Briefe. Wir zeigen, wie ein Sprachmodell Entwürfe erstellt.

**Über die Vortragende:** Karin Huber leitet das Datenteam der Stadt.

Anmeldung über meetup.com – begrenzte Plätze!
"""
    got = by_title(parse("72", page), "72")
    assert [t.title for t in got.values() if t.kind == TALK] == ["Sprachmodelle für Behörden"]
    t = got["Sprachmodelle für Behörden"]
    assert (t.speakers, t.affiliations) == (["Karin Huber"], ["Stadt Wien"])
    assert t.abstract == ("Behörden schreiben viele Briefe. Wir zeigen, wie ein Sprachmodell "
                          "Entwürfe erstellt.")
    assert t.bio == "Karin Huber leitet das Datenteam der Stadt."


def test_agenda_table_rows_struck_or_noted_cancelled_a_welcome_intro_and_a_panel():
    page = """# 73rd Vienna Deep Learning Meetup

Date: 2027-04-21

| Time  | Title | Speaker |
|-------|-------|---------|
| 18:30 | Welcome & Hot Topics | VDLM |
| 18:45 | ❌ ~~Neural Codecs~~ | Rita Kogler |
| 19:00 | Sound Maps (cancelled — speaker ill) | Nora Weiss |
| 19:15 | Tabular Foundation Models | Dr. Hans Egger, Principal Scientist, Stork Bank |
| 19:45 | Panel: AI in Healthcare | Moderator: Eva Leitgeb; Panelists: Paul Aigner, Sarah Koch |
"""
    got = by_title(parse("73", page), "73")
    assert set(got) == {"Welcome & Hot Topics", "Neural Codecs", "Sound Maps",
                        "Tabular Foundation Models"}
    assert got["Welcome & Hot Topics"].kind == INTRO
    assert got["Neural Codecs"].kind == got["Sound Maps"].kind == CANCELLED
    assert got["Sound Maps"].speakers == ["Nora Weiss"]
    assert got["Tabular Foundation Models"].affiliations == ["Stork Bank"]
