"""An invented little meetup series for the search and API tests (no archive text)."""

from __future__ import annotations

from explorer.domain import CANCELLED, INTRO, SHORT_TALK, ArxivRef, Corpus, Meetup, Paper, Talk
from explorer.store import Store


def _talk(key: str, title: str, abstract: str = "", speakers=("Ada Example",), kind="talk",
          slides=None) -> Talk:
    from explorer.domain import talk_id

    return Talk(id=talk_id(key, title), meetup_key=key, title=title, speakers=list(speakers),
                abstract=abstract, kind=kind, slides_url=slides)


def invented_corpus() -> Corpus:
    """Three meetups (2018, 2021, and the 'AI' summit in 2017), talks, refs to two papers."""
    meetups = [
        Meetup("AI", None, "Summit on thinking machines", "2017-09-04",
               meetup_url="https://www.meetup.com/example/events/1/"),
        Meetup("2", 2, "2nd meetup", "2018-03-01", source_path="Meetups/Meetup_2/README.md"),
        Meetup("7", 7, "7th meetup", "2021-11-10",
               meetup_url="https://www.meetup.com/example/events/7/"),
    ]
    talks = [
        _talk("AI", "Robots that fold laundry", "Grasping cloth with reinforcement learning "
              "on a cheap robot arm.", speakers=["Bea Sample"]),
        _talk("AI", "Opening remarks", kind=INTRO, speakers=["Hosts"]),
        _talk("2", "Intro and hot topics", kind=INTRO, speakers=["Hosts"]),
        _talk("2", "Beekeeping with microphones", "Detecting a swarming hive from the hum of "
              "the bees with spectrogram classifiers.", speakers=["Carl Placeholder"],
              slides="https://example.org/bees.pdf"),
        _talk("2", "Graph networks for molecules", "Message passing over atoms and bonds "
              "predicts the solubility of molecules.", speakers=["Dora Invented"]),
        _talk("2", "Weather nowcasting canceled", kind=CANCELLED),
        _talk("7", "Molecule generation with graph diffusion", "A diffusion model over "
              "graphs proposes new molecules with wanted properties.",
              speakers=["Dora Invented", "Emil Madeup"]),
        _talk("7", "Spectrogram transformers for birdsong", "Classifying bird species from "
              "their songs with a transformer on spectrogram patches.", kind=SHORT_TALK,
              speakers=["Fay Fictional"]),
    ]
    intro2 = talks[2].id
    refs = [
        ArxivRef("2101.00001", "2", intro2, "hot topic: a zebra-striped benchmark of "
                 "graph neural networks for chemistry", "Meetups/Meetup_2/README.md"),
        ArxivRef("2101.00001", "7", None, "revisited: zebra benchmark for molecule graphs",
                 "Meetups/Meetup_7/README.md"),
        ArxivRef("2202.00002", "7", talks[7].id, "paper on xylophone audio tagging",
                 "Meetups/Meetup_7/README.md"),
    ]
    return Corpus(meetups=meetups, talks=talks, refs=refs)


INVENTED_PAPER = Paper(
    id="2101.00001", version=2, title="A zebra benchmark for graph neural networks",
    abstract="We release a benchmark of molecular property prediction tasks for graph "
             "neural networks.", authors=["Gil Nobody"], categories=["cs.LG"],
    published="2021-01-01", abs_url="https://arxiv.org/abs/2101.00001",
    pdf_url="https://arxiv.org/pdf/2101.00001", resolved=True)


def make_store(data_dir) -> Store:
    """A store holding the invented corpus; paper 2101.00001 resolved, 2202.00002 not found."""
    store = Store.open(data_dir)
    store.replace_corpus(invented_corpus())
    store.save_papers([INVENTED_PAPER, Paper(id="2202.00002", reason="arXiv: not found")])
    return store
