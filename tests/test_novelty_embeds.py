"""The novelty check embeds the proposal once, and the themes' descriptions not at all when the
explorer's topic prior already holds their vectors (a fixture archive, the hashing model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import explorer
from explorer.cli import app
from explorer.insights.taxonomy import THEMES
from explorer.insights.themes import theme_texts

ARCHIVE = Path(__file__).parent / "fixtures" / "themes_archive"
PROPOSALS = ["Speech recognition with recurrent networks",
             "Graph neural networks for traffic forecasting",
             "Quantum knitting patterns for sheep"]


class Counting:
    """The hashing encoder, recording every text it is asked to embed."""

    def __init__(self, encoder, semantic: bool):
        self.inner, self.semantic, self.texts = encoder, semantic, []
        self.model_id, self.dim, self.device = encoder.model_id, encoder.dim, encoder.device
        self.loaded = True

    def encode(self, texts, batch_size=64, progress=False):
        self.texts.extend(texts)
        return self.inner.encode(texts, batch_size=batch_size, progress=progress)


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("novelty")
    res = CliRunner().invoke(app, ["build", "--source", str(ARCHIVE), "--data-dir", str(d),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output
    return d


def _open(d: Path, semantic: bool):
    ex = explorer.open(d)
    ex.engine.encoder = Counting(ex.engine.encoder, semantic)
    return ex, ex.engine.encoder


@pytest.mark.parametrize("semantic", [False, True])
def test_the_proposal_is_embedded_once_per_check(build, semantic):
    # semantic=False: the hashing stand-in, no topic prior (the themes are embedded by the
    # check); True: as a real model, the prior's theme vectors are reused.
    ex, enc = _open(build, semantic)
    try:
        ex.topic_prior()  # as the app's first search does
        for text in PROPOSALS:
            enc.texts.clear()
            ex.novelty(text)
            assert enc.texts.count(text) == 1, enc.texts
            themes_embedded = sum(enc.texts.count(t) for t in theme_texts(THEMES))
            assert themes_embedded == (0 if semantic else len(THEMES))
    finally:
        ex.close()


def test_reused_vectors_give_the_answer_embedding_gives(build):
    plain, _ = _open(build, semantic=False)
    reused, _ = _open(build, semantic=True)
    try:
        assert reused.topic_prior() is not None and plain.topic_prior() is None
        for text in PROPOSALS:
            assert reused.novelty(text).to_dict() == plain.novelty(text).to_dict()
    finally:
        plain.close()
        reused.close()
