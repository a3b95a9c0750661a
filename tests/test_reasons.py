"""'Why related' reasons: shared key phrases, shared cited papers, never filler words."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.encoder import HashingEncoder
from embeddings.index import VectorIndex
from explorer.search import SearchEngine
from explorer.search.items import Item, item_int_id
from explorer.search.reasons import KeyPhrases, phrase_line, phrases

# Invented talks (no archive text): pairs with a known real link, and filler around it.
TEXTS = {
    "m1-grasping": "Robots that grasp. Our researcher presents deep reinforcement learning "
                   "for robot grasping, a look at reward shaping in June.",
    "m2-games": "Playing board games. The speaker presents how reinforcement learning agents "
                "master board games with reward shaping and self-play; a look back in June.",
    "m3-voices": "Neural voices. We build speech synthesis for German with a neural vocoder.",
    "m4-tts": "Text-to-speech in practice. A speech synthesis system for audio books, from "
              "text to waveform with a vocoder.",
    "m5-bees": "Beehive acoustics. A researcher presents hive monitoring in June.",
    "m6-hives": "Counting bees. A look at bee counting at hive entrances in June.",
    "m7-deep": "Deep learning. An overview of deep learning and neural networks.",
    "m8-nets": "Neural networks today. Deep learning with neural networks, an overview.",
}


def _items(cites=None) -> list[Item]:
    cites = cites or {}
    out = []
    for i, (tid, text) in enumerate(TEXTS.items()):
        out.append(Item(id=tid, kind="talk", title=text.split(".")[0], text=text,
                        lexical_text=text, meetups=(str(i + 1),), meetup=i + 1,
                        date=None, url=None, speakers=("Ida Nominal",),
                        cites=tuple(cites.get(tid, ()))))
    return out


def _engine(items) -> SearchEngine:
    enc = HashingEncoder()  # not a model of meaning: reasons skip the model scoring
    vectors = enc.encode([it.text for it in items])
    ids = np.array([item_int_id(it.id) for it in items], dtype=np.int64)
    return SearchEngine(items, vectors, VectorIndex.build(vectors, ids), enc)


@pytest.fixture(scope="module")
def engine():
    extra = Item(id="arxiv:2301.00001", kind="paper", title="Vocoders at scale",
                 text="Vocoders at scale. Waveform generation.", lexical_text="Vocoders",
                 meetups=("3",), meetup=3, date=None, url=None)
    items = _items({"m3-voices": ["2301.00001"], "m4-tts": ["2301.00001", "2302.00002"]})
    return _engine(items + [extra])


def test_phrases_never_span_stop_words_months_or_filler():
    got = phrases("Our researcher presents deep reinforcement learning in June.")
    assert "reinforcement learning" in got and "deep reinforcement learning" in got
    assert not {"researcher", "presents", "june", "our", "in"} & {w for p in got
                                                                  for w in p.split()}
    assert "text speech" not in phrases("text-to-speech")  # "to" ends the run
    assert "speech" in phrases("text-to-speech")


def test_reason_names_the_shared_multi_word_phrase(engine):
    r = engine.reasons("m1-grasping", "m2-games")
    assert r[0].kind == "phrases"
    assert "reinforcement learning" in r[0].terms and "reward shaping" in r[0].terms
    words = {w for t in r[0].terms for w in t.split()}
    assert not words & {"presents", "look", "researcher", "june", "speaker"}


def test_a_shared_cited_paper_comes_first(engine):
    r = engine.reasons("m3-voices", "m4-tts")
    assert r[0].kind == "paper" and r[0].text == "Both cite “Vocoders at scale”"
    assert r[1].kind == "phrases" and "speech synthesis" in r[1].terms
    talk_paper = engine.reasons("m3-voices", "arxiv:2301.00001")
    assert talk_paper[0].kind == "paper" and "cites it" in talk_paper[0].text


def test_filler_only_or_generic_only_overlap_gives_no_phrase_reason(engine):
    # "researcher presents ... June" / "a look ... June": filler, and one word ("hive")
    # that no title has, which without the model to vouch for it is not enough.
    assert engine.reasons("m5-bees", "m6-hives") == []
    # Only generic domain words ("deep learning", "neural networks") in common: no reason.
    assert engine.reasons("m7-deep", "m8-nets") == []


def test_keyphrases_prefer_longer_phrases_and_drop_their_parts():
    kp = KeyPhrases(["graph neural networks for molecule property prediction",
                     "molecule property prediction with graph transformers",
                     "music"] + [f"filler text number {i}" for i in range(20)])
    terms = kp.shared(0, 1, n=3)
    assert terms[0] == "molecule property prediction"
    assert "molecule" not in terms and "property prediction" not in terms
    assert phrase_line(["a", "b", "c"]) == "Both about a, b and c"
    assert phrase_line([]) == ""


def test_model_score_drops_phrases_about_neither_item():
    kp = KeyPhrases(["speech synthesis setup", "speech synthesis setup again", "other"])
    assert set(kp.shared(0, 1, n=3)) == {"speech synthesis setup"}
    scored = kp.shared(0, 1, n=3, score=lambda ps: np.array(
        [0.9 if "speech" in p else 0.0 for p in ps]))
    assert scored == ["speech synthesis setup"]
    assert kp.shared(0, 1, score=lambda ps: np.zeros(len(ps))) == []
