"""Parser on invented pages stored under other names and in other layouts: a page that is
no README.md, a bare-number or number-sign folder, talks headed '### Title – Speaker', a talk
in two parts, a translated section and a look back at an earlier meetup."""

import json
from urllib.parse import quote

from test_parser_unseen import ROOT, Pages, parse, talks

from explorer.ingest.archive import GitHubArchive, git_blob_sha, open_archive
from explorer.ingest.parser import parse_archive

PAGE = ("# Spring Evening\n\n* Date: 2026-03-11\n\n## Agenda\n\n"
        "* 18:45 Counting Owls by Sound – Ada Berg (Owl Uni)\n")
NAMES = ["Meetups/Meetup_76/index.md", "Meetups/Meetup_76.md", "Meetups/Meetup_76/README.markdown",
         "Meetups/76/README.md", "Meetups/Meetup #76/README.md", "Meetups/Meetup-76/readme.md",
         "Meetups/2026/Meetup_76/README.MD"]


def _local(tmp_path, pages: dict[str, str]):
    for path, text in pages.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return open_archive(str(tmp_path), None)


class _Tree(GitHubArchive):
    """The GitHub archive over a tree listing held in memory."""

    def __init__(self, files: dict[str, bytes]):
        self.blobs = files
        super().__init__(api="http://api.invalid", raw="http://raw.invalid")

    def _get(self, url, accept=None, max_bytes=None):
        if "/git/trees/" in url:
            return json.dumps({"tree": [{"path": p, "type": "blob", "sha": git_blob_sha(b),
                                         "size": len(b)} for p, b in self.blobs.items()]}).encode()
        return next(b for p, b in self.blobs.items() if url.endswith("/main/" + quote(p)))


def test_a_meetup_page_stored_under_another_name_or_folder_is_read_as_that_meetups(tmp_path):
    for n, name in enumerate(NAMES):
        files = {"README.md": ROOT.format(rows=""), name: PAGE,
                 ".github/PULL_REQUEST_TEMPLATE.md": "# Describe the change\n",
                 "CONTRIBUTING.md": "# How to add a meetup\n"}
        local = _local(tmp_path / str(n), files)
        github = _Tree({p: t.encode() for p, t in files.items()})
        assert local.files() == github.files() == sorted([name, "README.md"]), name
        for archive in (local, github):
            corpus = parse_archive(archive)
            assert [m.key for m in corpus.meetups] == ["76"], name
            assert list(talks(corpus, "76")) == ["Counting Owls by Sound"], name
            assert not corpus.warnings, name


def test_a_folders_readme_is_its_page_and_another_page_beside_it_is_named_not_used():
    other = "# Notes\n\n## Agenda\n\n* 18:45 Tree Rings with Transformers – Maren Falkner\n"
    corpus = parse_archive(Pages({"README.md": ROOT.format(rows=""),
                                  "Meetups/Meetup_76/ABOUT.md": other,
                                  "Meetups/Meetup_76/README.md": PAGE}))
    assert list(talks(corpus, "76")) == ["Counting Owls by Sound"]
    (w,) = corpus.warnings
    assert w.path == "Meetups/Meetup_76/ABOUT.md" and "Meetups/Meetup_76/README.md" in w.message


def test_talk_headings_naming_title_and_speaker_are_talks_with_their_abstracts():
    for first, second in (("### Counting Owls by Sound – Ada Berg (Owl Uni)",
                           "### Glacier Melt Forecasts with Small Models – Wenzel Aigner"),
                          ("### Ada Berg: Counting Owls by Sound",
                           "### Wenzel Aigner: Glacier Melt Forecasts with Small Models")):
        page = f"""# 76th Vienna Deep Learning Meetup

* Date: 2026-03-11

## Agenda

* 18:45 Ada Berg (Owl Uni)
* 19:40 Wenzel Aigner (Frostline)

## Talks

{first}

Owls hoot in the dark where cameras see nothing, see arXiv:2402.01234.

{second}

Meltwater decides whether valleys flood in spring.
"""
        got = talks(parse("76", page), "76")
        assert got == {
            "Counting Owls by Sound": (["Ada Berg"], ("Owls hoot in the dark where cameras see "
                                        "nothing, see arXiv:2402.01234."), ["2402.01234"]),
            "Glacier Melt Forecasts with Small Models": (
                ["Wenzel Aigner"], "Meltwater decides whether valleys flood in spring.", [])}


def test_a_talk_given_in_two_parts_is_two_slots_not_one_talk_twice():
    page = """# 76th Vienna Deep Learning Meetup

* Date: 2026-03-11

## Agenda

* 18:45 Diffusion Models from Scratch (Part 1) – Ada Berg (Owl Uni)
* 19:30 Break
* 19:45 Diffusion Models from Scratch (Part 2) – Ada Berg (Owl Uni)
"""
    want = ["Diffusion Models from Scratch (Part 1)", "Diffusion Models from Scratch (Part 2)"]
    assert list(talks(parse("76", page), "76")) == want
    rows = ("| 2026-03-11 | 76 | Ada Berg | Diffusion Models from Scratch (Part 1) | | |\n"
            "| 2026-03-11 | 76 | Ada Berg | Diffusion Models from Scratch (Part 2) | | |")
    assert list(talks(parse("76", page, rows), "76")) == want
    assert list(talks(parse("76", "# 76th Vienna Deep Learning Meetup\n", rows), "76")) == want


def test_a_translated_section_repeats_the_talks_and_adds_none():
    page = """# 76th Vienna Deep Learning Meetup

* Date: 2026-03-11

## Agenda

### Counting Owls by Sound – Ada Berg (Owl Uni)

Owls hoot in the dark where cameras see nothing.

## Deutsch

### Eulen zählen am Klang – Ada Berg (Owl Uni)

Eulen rufen im Dunkeln, wo Kameras nichts sehen.
"""
    got = talks(parse("76", page), "76")
    assert got == {"Counting Owls by Sound": (
        ["Ada Berg"], "Owls hoot in the dark where cameras see nothing.", [])}


def test_talks_of_an_earlier_meetup_the_page_looks_back_on_are_not_this_meetups():
    page = """# 76th Vienna Deep Learning Meetup

* Date: 2026-03-11

## Agenda

* 18:45 Glacier Melt Forecasts with Small Models – Wenzel Aigner (Frostline)

## Previously

* At Meetup 75: Counting Owls by Sound – Ada Berg (Owl Uni)
* Recording of last meetup's talk: Tree Rings with Transformers – Maren Falkner

## Venue

TU Wien, Gußhausstraße 27
"""
    corpus = parse("76", page)
    assert list(talks(corpus, "76")) == ["Glacier Melt Forecasts with Small Models"]


def test_html_headings_are_read_as_markdown_headings():
    from test_parser_unseen import parse, talks

    page = """# 101st Meetup

* Date: 2027-10-06

<h2>Agenda</h2>

* 18:45 Talk 1: Counting Owls by Sound by Leni Trautmann (Barnhollow)

<h2>Talk Details</h2>

<h3 id="owls">Talk 1: Counting Owls by Sound</h3>

<p>Owls hoot in the dark where cameras see nothing; we count them with a tiny classifier.</p>
"""
    # the title kept its tags ('<h3>Talk 1: ...</h3>'), and the talk id was built from them
    assert talks(parse("101", page), "101") == {"Counting Owls by Sound": (
        ["Leni Trautmann"],
        "Owls hoot in the dark where cameras see nothing; we count them with a tiny classifier.",
        [])}


def test_footnotes_stay_out_of_titles_credits_and_the_last_abstract():
    from test_parser_unseen import parse, talks

    page = """# 102nd Meetup

* Date: 2027-11-10

## Agenda

* 18:45 Talk 1: Counting Owls by Sound[^1] by Leni Trautmann (Barnhollow)[^2]
* 19:30 Talk 2: Moss Mapping from Space by Ida Rautner (Lichen Labs)

## Talk Details

### Talk 1: Counting Owls by Sound

Owls hoot in the dark where cameras see nothing; we count them with a tiny classifier[^3].

### Talk 2: Moss Mapping from Space

We map moss from satellite images with a segmentation model trained on few labels.

[^1]: The title changed since the announcement.
[^2]: Joining remotely.
[^3]: Following arXiv:2402.01234, the owl census paper.
"""
    corpus = parse("102", page)
    got = talks(corpus, "102")
    assert got["Counting Owls by Sound"][0] == ["Leni Trautmann"]
    assert next(t for t in corpus.talks if t.title == "Counting Owls by Sound"
                ).affiliations == ["Barnhollow"]
    # the footnotes went into the last talk's abstract, with their arXiv id; the id is
    # the talk's whose text carries its mark
    assert got["Moss Mapping from Space"][1] == (
        "We map moss from satellite images with a segmentation model trained on few labels.")
    assert got["Moss Mapping from Space"][2] == []
    owls = next(t.id for t in corpus.talks if t.title == "Counting Owls by Sound")
    assert [(r.arxiv_id, r.talk_id) for r in corpus.refs] == [("2402.01234", owls)]
