"""Parser on invented root-table rows and slide PDFs in styles the archive copy does not show
(newer meetups: rows without a page, hot-topics decks citing arXiv papers)."""

import io

from test_parser_unseen import ROOT, Pages, parse_rows

from explorer.domain import INTRO, TALK
from explorer.ingest.arxiv_ids import find_arxiv_ids
from explorer.ingest.parser import parse_archive

BLOB = "https://github.com/vdlm/meetups/blob/main/"
HEAD = "| Date | # | Speaker | Topic | Slides | Details |\n|---|---|---|---|---|---|\n"


class Files(Pages):
    """An archive of {path: text or bytes}."""

    def read(self, path):
        data = self.pages[path]
        return data if isinstance(data, bytes) else data.encode("utf-8")


def pdf(lines, links=(), pages=1, encrypt=None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for _ in range(pages):
        for i, line in enumerate(lines):
            c.drawString(72, 750 - 20 * i, line)
        for i, url in enumerate(links):  # a link annotation over a word that is no address
            c.linkURL(url, (72, 100 + 20 * i, 200, 115 + 20 * i))
        c.showPage()
    c.save()
    return buf.getvalue()


def refs(corpus):
    return sorted((r.arxiv_id, r.meetup_key, r.talk_id) for r in corpus.refs)


# ---- root table ---------------------------------------------------------------------------


def test_two_talks_in_one_root_table_row_parted_by_line_breaks_are_two_talks():
    rows = ("| 2027-06-09 | 106 | Ada Berg (Owlworks)<br>Jonas Kettl | Owls Hear in the Dark<br>"
            "Counting Bats by Echo | [pdf](o.pdf)<br>[pdf](b.pdf) | |\n"
            "| 2027-05-12 | 105 | Mira Lund<br>Resi Walcher | Moths and<br>Moonlight | | |")
    corpus = parse_rows(rows)
    got = {t.title: (t.meetup_key, t.speakers, t.affiliations, t.slides_url)
           for t in corpus.talks}
    assert got == {
        "Owls Hear in the Dark": ("106", ["Ada Berg"], ["Owlworks"], BLOB + "o.pdf"),
        "Counting Bats by Echo": ("106", ["Jonas Kettl"], [], BLOB + "b.pdf"),
        # a title broken after 'and' is one title by two speakers
        "Moths and Moonlight": ("105", ["Mira Lund", "Resi Walcher"], [], None)}
    assert corpus.warnings == []


def test_an_arxiv_link_in_a_root_table_row_is_a_ref_of_that_rows_talk():
    rows = ("| 2027-06-09 | 106 | Ada Berg | [Owls Hear in the Dark](https://arxiv.org/abs/"
            "2501.01234v2) | | |\n"
            "| 2027-06-09 | 106 | Jonas Kettl | Counting Bats by Echo | [slides](b.pdf) | "
            "paper: arXiv:2502.04321 |\n"
            "| 2027-05-12 | 105 | Mira Lund | Moths and Moonlight | | |")
    corpus = parse_rows(rows)
    ids = {t.title: t.id for t in corpus.talks}
    assert refs(corpus) == sorted([("2501.01234", "106", ids["Owls Hear in the Dark"]),
                                   ("2502.04321", "106", ids["Counting Bats by Echo"])])
    owl = next(r for r in corpus.refs if r.arxiv_id == "2501.01234")
    assert owl.source_path == "README.md" and "Owls Hear" in owl.context
    # the arXiv link on the title is the paper, not the talk's slides
    assert all(t.slides_url is None for t in corpus.talks if t.title != "Counting Bats by Echo")


def test_a_link_on_a_root_table_title_to_a_pdf_is_the_talks_slides():
    rows = "| 2027-06-09 | 106 | Ada Berg | [Owls Hear in the Dark](Meetups/Meetup_106/owls.pdf) | | |"
    (talk,) = parse_rows(rows).talks
    assert talk.title == "Owls Hear in the Dark"
    assert talk.slides_url == BLOB + "Meetups/Meetup_106/owls.pdf"


def test_a_root_table_split_by_year_headings_goes_on_under_each_heading():
    text = ("# VDLM\n\n## 2027\n\n" + HEAD +
            "| 2027-09-22 | 108 | Ada Berg | Owls Hear in the Dark | | |\n\n### 2026\n\n"
            "| 2026-06-10 | 100 | Jonas Kettl | Counting Bats by Echo | | |\n"
            "| 2026-05-13 | 99 | Mira Lund | Moths and Moonlight | | |\n\n"
            "## Organizers\n\n| Name | Role |\n|---|---|\n| Resi Walcher | Host |\n")
    corpus = parse_archive(Pages({"README.md": text}))
    assert {t.title: t.meetup_key for t in corpus.talks} == {
        "Owls Hear in the Dark": "108", "Counting Bats by Echo": "100",
        "Moths and Moonlight": "99"}
    assert corpus.warnings == []


def test_an_html_root_table_is_read_like_a_markdown_one():
    text = """# VDLM

<table>
<tr><th>Date</th><th>#</th><th>Speaker</th><th>Topic</th><th>Slides</th></tr>
<tr><td>2027-09-22</td><td>108</td><td>Ada Berg (Owlworks)</td><td>Owls Hear in the Dark</td>
<td><a href="s/o.pdf">pdf</a></td></tr>
<tr>
  <td>2027-06-09</td>
  <td>107</td>
  <td>Jonas Kettl</td>
  <td>Counting Bats by Echo</td>
  <td></td>
</tr>
<tr><td>2027-05-12</td><td></td><td>Mira Lund</td><td>Moths and Moonlight</td><td></td></tr>
</table>
"""
    corpus = parse_archive(Pages({"README.md": text}))
    got = {t.title: (t.meetup_key, t.speakers, t.affiliations, t.slides_url)
           for t in corpus.talks}
    assert got == {"Owls Hear in the Dark": ("108", ["Ada Berg"], ["Owlworks"], BLOB + "s/o.pdf"),
                   "Counting Bats by Echo": ("107", ["Jonas Kettl"], [], None)}
    assert [m.date for m in corpus.meetups] == ["2027-06-09", "2027-09-22"]
    # the row without a number is named with its own line
    assert [(w.path, w.line) for w in corpus.warnings] == [("README.md", 14)]


def test_a_meetup_number_repeated_with_another_date_is_warned_about():
    rows = ("| 2027-06-09 | 106 | Ada Berg | Owls Hear in the Dark | | |\n"
            "| 2027-07-14 | 106 | Jonas Kettl | Counting Bats by Echo | | |")
    corpus = parse_rows(rows)
    # the rows say meetup 106: the talks stay there, the first date dates it, and the clash
    # is named with the line of the row that disagrees
    assert {t.title: t.meetup_key for t in corpus.talks} == {
        "Owls Hear in the Dark": "106", "Counting Bats by Echo": "106"}
    assert [m.date for m in corpus.meetups] == ["2027-06-09"]
    (w,) = corpus.warnings
    assert w.path == "README.md" and w.line == 6 and "2027-07-14" in w.message


def test_a_root_table_date_range_dates_the_meetup_by_its_first_day():
    for cell in ("23–24 Sep 2027", "Sep 23-24, 2027", "23.-24.09.2027", "Tue, 23 Sep 2027"):
        corpus = parse_rows(f"| {cell} | 106 | Ada Berg | Owls Hear in the Dark | | |")
        assert [m.date for m in corpus.meetups] == ["2027-09-23"], cell
        assert corpus.warnings == [], cell


def test_root_table_headers_named_otherwise_are_read_and_an_unread_table_is_warned_about():
    rows = "| 2027-09-22 | 108 | Ada Berg | Owls Hear in the Dark | |\n"
    for head in ("| When | Nr. | Speaker | Topic | Slides |", "| Date | No | Speaker | Talk title | Slides |",
                 "| Date | Event | Speaker | Topic | Slides |"):
        corpus = parse_archive(Pages({"README.md": f"# VDLM\n\n{head}\n|---|---|---|---|---|\n{rows}"}))
        assert [t.title for t in corpus.talks] == ["Owls Hear in the Dark"], head
    text = "# VDLM\n\n| Date | Speaker | Topic |\n|---|---|---|\n| 2027-09-22 | Ada Berg | Owls |\n"
    corpus = parse_archive(Pages({"README.md": text}))
    assert corpus.talks == []
    assert [(w.path, w.line) for w in corpus.warnings] == [("README.md", 3)]


# ---- slide PDFs ---------------------------------------------------------------------------


def test_arxiv_ids_broken_across_lines_by_text_extraction_are_found():
    assert [i for i, _ in find_arxiv_ids("see https://arxiv.org/abs/2501.\n01234 now")] == []
    from explorer.ingest.pdftext import rejoin_ids

    text = rejoin_ids("see https://arxiv.org/abs/2501.\n01234 and arXiv:2502.0432\n1 and "
                      "arXiv: 2503\n.05555 and arXiv:1312.6114\n2 results")
    assert [i for i, _ in find_arxiv_ids(text)] == ["2501.01234", "2502.04321", "2503.05555",
                                                   "1312.6114"]
    root = ROOT.format(rows="| 2027-10-20 | 70 | Ada Berg | Owls Hear in the Dark | | |")
    deck = pdf(["Hot topics", "https://arxiv.org/abs/2501.", "01234", "arXiv:2502.", "04321"])
    corpus = parse_archive(Files({"README.md": root, "Meetups/Meetup_70/hot.pdf": deck}))
    assert [r.arxiv_id for r in corpus.refs] == ["2501.01234", "2502.04321"]


def test_a_reference_list_citing_corr_is_arxiv():
    text = "[1] A. Berg. Owls. CoRR, abs/2502.04321, 2025. [2] ar5iv.org/abs/2503.01111"
    assert [i for i, _ in find_arxiv_ids(text)] == ["2502.04321", "2503.01111"]


def test_a_pdf_linked_from_another_meetups_row_keeps_its_refs_in_its_own_folders_meetup():
    root = ROOT.format(rows=(
        "| 2027-10-20 | 70 | Ada Berg | Owls Hear in the Dark | | |\n"
        "| 2027-09-22 | 69 | Jonas Kettl | Intro & Hot Topics | "
        "[slides](Meetups/Meetup_70/hot.pdf) | |\n"
        "| 2027-09-22 | 69 | Mira Lund | Counting Bats by Echo | [slides](bats.pdf) | |"))
    corpus = parse_archive(Files({"README.md": root,
                                  "Meetups/Meetup_70/hot.pdf": pdf(["arXiv:2501.01234"]),
                                  "bats.pdf": pdf(["arXiv:2502.04321"])}))
    intro70 = next(t for t in corpus.talks if t.meetup_key == "70" and t.kind == INTRO)
    bats = next(t for t in corpus.talks if t.title == "Counting Bats by Echo")
    # a paper in meetup 70's folder is not meetup 69's; a file outside any meetup's folder
    # is the talk that links it
    assert refs(corpus) == sorted([("2501.01234", "70", intro70.id),
                                   ("2502.04321", "69", bats.id)])
    (w,) = corpus.warnings
    assert w.path == "Meetups/Meetup_70/hot.pdf" and "69" in w.message and "70" in w.message


def test_an_encrypted_damaged_or_long_pdf_is_a_warning_naming_it_and_the_rest_is_read():
    root = ROOT.format(rows="| 2027-10-20 | 70 | Ada Berg | Owls Hear in the Dark | | |")
    good = pdf(["Hot topics arXiv:2502.04321"])
    long_deck = pdf(["page arXiv:2503.01111"], pages=3)
    from explorer.ingest import pdftext

    old, pdftext.MAX_PAGES = pdftext.MAX_PAGES, 2
    try:
        corpus = parse_archive(Files({
            "README.md": root, "Meetups/Meetup_70/a_locked.pdf": pdf(["arXiv:2501.01234"],
                                                                     encrypt="secret"),
            "Meetups/Meetup_70/b_cut.pdf": good[: len(good) // 2],
            "Meetups/Meetup_70/c_good.pdf": good, "Meetups/Meetup_70/d_long.pdf": long_deck}))
    finally:
        pdftext.MAX_PAGES = old
    assert [r.arxiv_id for r in corpus.refs] == ["2502.04321", "2503.01111"]
    got = {w.path: w.message for w in corpus.warnings}
    assert set(got) == {"Meetups/Meetup_70/a_locked.pdf", "Meetups/Meetup_70/b_cut.pdf",
                        "Meetups/Meetup_70/d_long.pdf"}
    assert "password" in got["Meetups/Meetup_70/a_locked.pdf"]
    assert "first 2 of 3 pages" in got["Meetups/Meetup_70/d_long.pdf"]


def test_arxiv_links_only_in_link_annotations_are_refs():
    root = ROOT.format(rows="| 2027-10-20 | 70 | Ada Berg | Owls Hear in the Dark | | |")
    deck = pdf(["Hot topics", "paper", "paper"], links=[
        "https://www.alphaxiv.org/overview/2503.01111", "https://huggingface.co/papers/2502.04321"])
    corpus = parse_archive(Files({"README.md": root, "Meetups/Meetup_70/hot.pdf": deck}))
    assert sorted(r.arxiv_id for r in corpus.refs) == ["2502.04321", "2503.01111"]
    assert {t.kind for t in corpus.talks} == {TALK, INTRO}
