"""Parser on invented pages in the styles of archive pages it has not seen (newer meetups,
pages whose details come in another order than the agenda, decorated markdown)."""

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
