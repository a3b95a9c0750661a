"""Parser over the invented fixture archive: every layout, merging, refs, bad input."""

import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, TALK
from explorer.ingest.archive import LocalArchive
from explorer.ingest.mdtext import GITHUB_BLOB
from explorer.ingest.parser import meetup_key_of, parse_archive
from explorer.ingest.readme_layouts import parse_page

FIXTURE = Path(__file__).parent / "fixtures" / "archive"


def make_pdf(path: Path, lines: list[str]) -> None:
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i, line in enumerate(lines):
        c.drawString(72, 750 - 20 * i, line)
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


@pytest.fixture(scope="module")
def corpus():
    return parse_archive(LocalArchive(FIXTURE))


def talks_of(corpus, key):
    return [t for t in corpus.talks if t.meetup_key == key]


def test_meetups_keys_dates_and_metadata(corpus):
    m = {x.key: x for x in corpus.meetups}
    assert list(m) == ["1", "2", "5", "6", "7", "8", "AI"]  # 4 is only a placeholder row
    assert m["1"].source_path == "1. Meetup/README.md" and m["1"].venue == "Old Library"
    assert m["1"].meetup_url == "https://www.meetup.com/Example-Learning/events/100001/"
    assert m["AI"].number is None and m["AI"].label == "AI" and m["AI"].date == "2016-09-01"
    assert m["5"].date == "2030-03-03"  # page without headers: the table has the date
    assert m["7"].date == "2030-11-20"  # page gives "20 November": year from the neighbours
    assert m["8"].source_path is None and m["8"].title == "8th Vienna Deep Learning Meetup"


def test_bullet_layout_and_cancelled_block(corpus):
    t = {x.title: x for x in talks_of(corpus, "1")}
    knit = t["Neural Knitting: Past, Present, Patterns"]  # table title wins over the page's
    assert knit.speakers == ["Anton Weber", "Lise Moreau"] and knit.kind == TALK
    assert knit.slides_url == GITHUB_BLOB + "Meetups/Meetup_1/slides/knitting.pdf"
    assert "wombats in the wild" in t["Wavelets for Wombats"].abstract
    abacus = t["Introduction to Abacus Computing"]
    assert abacus.kind == CANCELLED and abacus.speakers == ["Bruno Keller"]


def test_talk_blocks_agenda_strikethrough_short_and_hot_topics(corpus):
    t = {x.title: x for x in talks_of(corpus, "2")}
    whistle = t["Teaching Robots to Whistle: a Tour"]
    assert whistle.speakers == ["Oskar Feldmann", "Mira Tallis"]
    assert whistle.affiliations == ["Whistle Works", "Tuneful Institute"]
    assert whistle.abstract.startswith("Robots can learn to whistle")
    assert t["Topological Tea Leaves"].affiliations == ["Leaf Analytics"]
    assert t["Origami Transformers"].kind == CANCELLED
    assert t["Ten Minutes of Bayesian Baking"].kind == SHORT_TALK
    assert t["Hot Topics"].kind == INTRO
    assert t["Hot Topics"].slides_url == GITHUB_BLOB + "Meetups/Meetup_2/slides/hot.pdf"
    assert t["Agenda and Announcements"].kind == INTRO
    assert len([x for x in talks_of(corpus, "2") if "Whistle" in x.title]) == 1  # agenda+block


def test_schedule_blocks_without_headers(corpus):
    t = {x.title: x for x in talks_of(corpus, "5")}
    assert set(t) == {"Intro / Jobs", "Sparse Lanterns: Routing Tokens Cheaply",
                      "Cartography of Loss Landscapes"}
    assert t["Sparse Lanterns: Routing Tokens Cheaply"].abstract.startswith("A look at routing")
    assert t["Sparse Lanterns: Routing Tokens Cheaply"].affiliations == ["Lantern Company"]
    assert t["Cartography of Loss Landscapes"].speakers == ["Fabian Roth"]
    assert t["Intro / Jobs"].kind == INTRO


def test_heading_sections_italic_speakers_and_inline_agenda(corpus):
    six = {x.title: x for x in talks_of(corpus, "6")}
    assert six["Quantum Pancakes for Beginners"].affiliations == ["Griddle Institute"]
    assert six["Hot Papers – Fresh Findings"].kind == INTRO
    assert len(six) == 2
    seven = {x.title: x for x in talks_of(corpus, "7")}
    assert seven["Counting Sheep with Graph Networks"].speakers == ["Ilse Brandauer"]
    assert seven["Shepherding Large Models"].speakers == ["Tobias Wendt"]
    assert seven["Shepherding Large Models"].affiliations == ["Flock GmbH"]


def test_table_only_meetup_with_video(corpus):
    t = {x.title: x for x in talks_of(corpus, "8")}
    assert t["Gradient Gardening at Scale"].video_url == "https://youtu.be/fixture8"
    assert t["Gradient Gardening at Scale"].slides_url == \
        GITHUB_BLOB + "Meetups/Meetup_8/Quast%20Gardening.pdf"
    assert [x.kind for x in talks_of(corpus, "8")] == [INTRO, TALK]  # intro first


def test_ids_unique_and_stable(corpus):
    ids = [t.id for t in corpus.talks]
    assert len(ids) == len(set(ids))
    assert "m1-wavelets-for-wombats" in ids and "mai-machines-that-juggle" in ids
    assert ids == [t.id for t in parse_archive(LocalArchive(FIXTURE)).talks]


def test_readme_refs_linked_to_their_talk_or_hot_topics(corpus):
    refs = {(r.meetup_key, r.arxiv_id): r for r in corpus.refs}
    assert set(refs) == {("1", "1802.01234"), ("2", "1905.00001"), ("2", "cs/0601007"),
                         ("2", "math.GT/0309136"), ("6", "2101.12345"), ("6", "0704.0001")}
    assert refs[("1", "1802.01234")].talk_id == "m1-wavelets-for-wombats"
    assert refs[("2", "1905.00001")].talk_id == "m2-teaching-robots-to-whistle-a-tour"
    assert refs[("2", "cs/0601007")].talk_id == "m2-hot-topics"
    assert refs[("6", "0704.0001")].talk_id == "m6-hot-papers-fresh-findings"


def test_pdf_refs_go_to_the_claiming_talk_or_an_intro_slot(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(FIXTURE, root)
    make_pdf(root / "Meetups/Meetup_2/slides/whistle.pdf",
             ["Whistling results", "https://arxiv.org/abs/1905.00001v2 (again)",
              "arXiv:2002.05709 contrastive whistles"])
    make_pdf(root / "Meetups/Meetup_8/stray.pdf", ["Extra deck arXiv:2105.01601"])
    make_pdf(root / "Meetups/Meetup_5/lanterns.pdf", ["no papers here, version 3.10"])
    (root / "Meetups/Meetup_6/slides").mkdir(parents=True, exist_ok=True)
    (root / "Meetups/Meetup_6/slides/pancakes.pdf").write_bytes(b"%PDF-1.4 truncated junk")
    seen = []
    corpus = parse_archive(LocalArchive(root), progress=seen.append)
    refs = {(r.meetup_key, r.arxiv_id): r for r in corpus.refs}
    assert refs[("2", "2002.05709")].talk_id == "m2-teaching-robots-to-whistle-a-tour"
    assert refs[("2", "2002.05709")].source_path == "Meetups/Meetup_2/slides/whistle.pdf"
    assert refs[("2", "1905.00001")].source_path == "Meetups/Meetup_2/README.md"  # first kept
    assert refs[("8", "2105.01601")].talk_id == "m8-intro-events"  # unclaimed -> intro slot
    assert not any(k == "5" for k, _ in refs)
    assert any(w.path == "Meetups/Meetup_6/slides/pancakes.pdf" and "PDF" in w.message
               for w in corpus.warnings)
    assert "Meetups/Meetup_8/stray.pdf" in seen and "README.md" in seen


def test_unclaimed_pdf_creates_intro_slot(tmp_path):
    root = tmp_path / "a"
    shutil.copytree(FIXTURE, root)
    make_pdf(root / "Meetup_7/slides/extra.pdf", ["see arXiv:1312.6114"])
    corpus = parse_archive(LocalArchive(root))
    ref = next(r for r in corpus.refs if r.arxiv_id == "1312.6114")
    slot = next(t for t in corpus.talks if t.id == ref.talk_id)
    assert slot.meetup_key == "7" and slot.kind == INTRO


def test_bad_pages_become_warnings(tmp_path):
    root = tmp_path / "a"
    shutil.copytree(FIXTURE, root)
    (root / "Meetups/Meetup_2/README.md").write_bytes(
        (root / "Meetups/Meetup_2/README.md").read_bytes().replace(b"Glasshouse", b"Glass\xffhouse"))
    (root / "Meetups/Meetup_6/README.md").write_bytes(b"\x00\x01\x02binary\x00junk" * 50)
    (root / "Meetups/Meetup_9").mkdir()
    (root / "Meetups/Meetup_9/README.md").write_text("just some words, no headers at all")
    corpus = parse_archive(LocalArchive(root))
    msgs = {(w.path, w.line): w.message for w in corpus.warnings}
    assert "invalid UTF-8" in msgs[("Meetups/Meetup_2/README.md", 4)]
    assert "binary" in msgs[("Meetups/Meetup_6/README.md", None)]
    assert "2 cells" in msgs[("README.md", 20)]
    assert "Teaching Robots to Whistle: a Tour" in [t.title for t in corpus.talks]
    assert "Quantum Pancakes for Beginners" in [t.title for t in corpus.talks]  # from the table
    assert "9" in [m.key for m in corpus.meetups]


def test_meetup_key_of_paths():
    assert meetup_key_of("Meetups/Meetup_19/README.md") == "19"
    assert meetup_key_of("1. Meetup/README.md") == "1"
    assert meetup_key_of("Meetup_19/slides/x.pdf") == "19"
    assert meetup_key_of("Meetups/AI_Summit/README.md") == "AI"
    assert meetup_key_of("Misc/README.md", "# 12th Meetup") == "12"
    assert meetup_key_of("Misc/README.md") is None


PAGES = [p.read_text() for p in sorted(FIXTURE.rglob("README.md"))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(PAGES), data=st.data())
def test_mangled_pages_never_crash(page, data):
    text = page
    for _ in range(data.draw(st.integers(0, 6))):
        op = data.draw(st.sampled_from(["insert", "delete", "truncate"]))
        pos = data.draw(st.integers(0, len(text)))
        if op == "insert":
            junk = (data.draw(st.sampled_from(
                ["**", "~~", "|", "\n", "(", ")", "[x](<", "Talk 1:", "* Date: 99", ":: ::",
                 "    ", "\u2022 A B: C", "arXiv:", "\x00", "by ", "\ud7ff"]))
                + data.draw(st.text(max_size=8)))
            text = text[:pos] + junk + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + data.draw(st.integers(0, 40)):]
        else:
            text = text[:pos]
    page_result = parse_page(text, "Meetups/Meetup_3")
    assert all(t.title for t in page_result.talks)

    class One:
        name = "mem"

        def files(self):
            return ["Meetups/Meetup_3/README.md", "README.md"]

        def read(self, path):
            return text.encode("utf-8", "surrogatepass") if path != "README.md" else \
                (FIXTURE / "README.md").read_bytes()[:data.draw(st.integers(0, 3000))]

    corpus = parse_archive(One())
    assert len({t.id for t in corpus.talks}) == len(corpus.talks)
