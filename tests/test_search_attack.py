"""Trust attacks on search and related items: exact matches, padding, reasons (invented data)."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.encoder import HashingEncoder
from embeddings.index import VectorIndex
from explorer.search import SearchEngine
from explorer.search.exact import ExactIndex, arxiv_ids, plain_ids
from explorer.search.items import Item, item_int_id
from explorer.search.reasons import KeyPhrases

PAPER, OTHER = "arxiv:2101.00001", "arxiv:2202.00002"


def _item(item_id, title, text, kind="talk", speakers=(), cites=(), meetup=1) -> Item:
    return Item(id=item_id, kind=kind, title=title, text=text, lexical_text=text,
                meetups=(str(meetup),), meetup=meetup, date=None, url=None,
                speakers=tuple(speakers), cites=tuple(cites))


def _engine(items, vectors=None) -> SearchEngine:
    enc = HashingEncoder()
    v = enc.encode([it.text for it in items]) if vectors is None else vectors
    v = np.ascontiguousarray(v, dtype=np.float32)
    ids = np.array([item_int_id(it.id) for it in items], dtype=np.int64)
    return SearchEngine(items, v, VectorIndex.build(v, ids), enc)


# Two unresolved papers (their text is the page's link context) and talks citing them.
ITEMS = [
    _item(PAPER, "arXiv:2101.00001", "see https://arxiv.org/abs/2101.00001 zebra benchmark",
          kind="paper"),
    _item(OTHER, "arXiv:2202.00002", "paper https://arxiv.org/abs/2202.00002 xylophone tags",
          kind="paper"),
    _item("m1-zebras", "Zebra benchmarks for graphs", "Zebra benchmarks for graph networks.",
          speakers=["Zoë Brandstätter"], cites=["2101.00001"]),
    _item("m2-xylophones", "Xylophone tagging", "Tagging xylophone recordings.",
          speakers=["Jan Schlüter"], cites=["2202.00002"], meetup=2),
    _item("m3-horses", "Taming horses in singing voice detection", "Singing voice detection.",
          speakers=["Jan Schluter", "Maria Gold"], meetup=3),
    _item("m4-gold", "Extracting gold from your paper pile", "Mining papers for facts.",
          speakers=["Ida Nominal"], meetup=4),
]


@pytest.fixture(scope="module")
def engine():
    return _engine(ITEMS)


@pytest.mark.parametrize("query", [
    "arxiv.org/pdf/2101.00001v2.pdf", "https://doi.org/10.48550/arXiv.2101.00001",
    "https://huggingface.co/papers/2101.00001", "see 2101.00001.", "is it 2101.00001v3?"])
def test_an_arxiv_id_in_any_link_form_names_the_paper_then_the_talks_citing_it(query):
    idx = ExactIndex([it.id for it in ITEMS], [it.title for it in ITEMS],
                     [it.speakers for it in ITEMS], [it.cites for it in ITEMS])
    assert arxiv_ids(query) == ["2101.00001"]
    assert idx.matches(query) == [0, 2]  # the paper, then the talk citing it


def test_link_words_of_an_id_query_pad_nothing(engine):
    # "https", "arxiv", "org", "abs" are in every cited paper's text: they are not the query.
    assert plain_ids("https://arxiv.org/abs/2101.00001v2") == "2101.00001"
    hits = engine.search("https://arxiv.org/abs/2101.00001v2", k=10)
    assert [h.id for h in hits] == [PAPER, "m1-zebras"]
    assert {h.match for h in hits} == {"exact"}


def test_a_speaker_named_last_name_first_or_by_surname_alone_ranks_first():
    idx = ExactIndex([it.id for it in ITEMS], [it.title for it in ITEMS],
                     [it.speakers for it in ITEMS])
    assert idx.matches("Schlüter, Jan") == [3, 4]
    assert idx.matches("Brandstätter, Zoë") == [2]
    assert idx.matches("Schlueter") == [3, 4]  # a transliterated umlaut, surname only
    assert idx.matches("talks by brandstaetter") == [2]
    assert idx.matches("gold") == []  # a surname that is also a title word names no one
    assert idx.matches("Jan") == []   # a first name alone is no one in particular


def test_a_query_of_only_names_returns_no_hits_by_meaning(engine):
    # The model puts a name anywhere: say it is as close as can be to the gold talk.
    vector = engine.vectors[engine.pos["m4-gold"]]
    hits = engine.search("Zoë Brandstätter", k=10, vector=vector)
    assert [(h.id, h.match) for h in hits] == [("m1-zebras", "exact")]
    assert engine.exact.names_only("talks by Schlüter, Jan")
    assert not engine.exact.names_only("Jan Schlüter singing voice")
    # A query with words beside the name still ranks by meaning.
    mixed = engine.search("Jan Schlüter extracting gold", k=10, vector=vector)
    assert "m4-gold" in [h.id for h in mixed]


def test_related_leaves_out_what_is_further_than_two_random_items():
    e = np.eye(8)
    items = [_item(f"m{i}-t{i}", f"Talk {i}", f"talk {i}", meetup=i) for i in range(7)]
    items.append(_item(OTHER, "arXiv:2202.00002", "a paper", kind="paper", meetup=9))
    items[0] = _item("m0-t0", "Talk 0", "talk 0", cites=["2202.00002"], meetup=0)
    v = np.vstack([e[0], e[0] + e[1], e[0] + e[2], e[1] + e[2], e[3] + e[4], e[4] + e[5],
                   -e[0] + 0.1 * e[6], -e[0] + 0.1 * e[7]])  # 6, 7: opposite the seed
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    engine = _engine(items, v)
    assert engine.noise_floor == pytest.approx(0.0, abs=0.01)
    got = [h.id for h in engine.related("m0-t0", k=10)]
    assert "m6-t6" not in got and got[:2] in (["m1-t1", "m2-t2"], ["m2-t2", "m1-t1"])
    assert OTHER in got  # below the floor, but the seed cites it
    assert "m6-t6" in [h.id for h in engine.related("m0-t0", k=10, floor=False)]


def test_reasons_name_each_items_own_words_never_vague_ones():
    texts = ["Scientific reasoning in large language models. They reason about facts.",
             "Agents with reasoning. The large model verifies each LLM step.",
             "Serving LLMs with speculative decoding: the large model verifies tokens."]
    kp = KeyPhrases(texts, titles=[t.split(".")[0] for t in texts])
    assert kp.shared(1, 0) == ["reasoning"]  # as the first item writes it, not "reason"
    shared = kp.shared(2, 1)
    assert "large" not in " ".join(shared) and "verifies" not in " ".join(shared)
    assert shared == ["llms"]  # "LLM" and "LLMs" are one phrase, named once


def test_mcp_is_spelled_out_like_the_other_abbreviations():
    from explorer.search.lexical import expand_query

    assert expand_query("MCP security") == "MCP security (model context protocol)"
