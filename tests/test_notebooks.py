"""The notebooks run end to end on a fixture build and are stored without outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from typer.testing import CliRunner

from explorer.cli import app

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ARCHIVE = Path(__file__).parent / "fixtures" / "notebook_archive"


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory) -> Path:
    """The invented notebook archive built with the hashing model, offline."""
    d = tmp_path_factory.mktemp("nbdata")
    res = CliRunner().invoke(app, ["build", "--source", str(ARCHIVE), "--data-dir", str(d),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output
    return d


@pytest.fixture(scope="module")
def field_build(tmp_path_factory) -> Path:
    """The notebook archive plus a generated field: LLM papers jump in 2020 (the meetup's
    first LLM talk is 2021-06-16), medical papers in 2022 (never a talk)."""
    from datetime import date

    from radar_fixtures import write_trend_snapshot
    from test_field_search import embed_here

    from embeddings.encoder import HashingEncoder
    from explorer.field.snapshot import import_snapshot
    from explorer.store.fieldstore import FieldStore

    d = tmp_path_factory.mktemp("nbfield")
    res = CliRunner().invoke(app, ["build", "--source", str(ARCHIVE), "--data-dir", str(d),
                                   "--model", "hashing", "--offline"])
    assert res.exit_code == 0, res.output
    years = range(2014, 2025)
    per_year = {"llm": {y: 10 if y < 2020 else 60 for y in years},
                "medical": {y: 8 if y < 2022 else 50 for y in years},
                "vision": {y: 60 for y in years}, "speech": {y: 30 for y in years}}
    fs = FieldStore.open(d)
    import_snapshot(fs, write_trend_snapshot(d.parent / "nbfield.json", per_year,
                                             last_day=date(2024, 6, 30)), categories="all")
    embed_here(fs, HashingEncoder())
    fs.close()
    return d


def test_the_four_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01_topic_evolution.ipynb", "02_gap_analysis.ipynb",
                                           "03_talk_paper_links.ipynb",
                                           "04_meetup_vs_field.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name} cell {cell.id} stores outputs: run `python notebooks/build_notebooks.py`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_the_public_api(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                       if c.cell_type == "code")
    assert "explorer.open(os.environ.get(\"EXPLORER_DATA_DIR\"))" in source
    for private in ("explorer.store", "explorer.search", "explorer.search.items", "from embeddings",
                    "import embeddings", ".engine", ".store", "._"):
        assert private not in source, f"{path.name} reaches into {private}"


def test_notebook_sources_match_the_generator(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_nb", REPO / "notebooks" /
                                                  "build_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for fresh in mod.build(tmp_path):
        stored = REPO / "notebooks" / fresh.name
        assert json.loads(fresh.read_text()) == json.loads(stored.read_text()), (
            f"{fresh.name} differs from notebooks/build_notebooks.py: rebuild it")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_end_to_end(path, request, monkeypatch, tmp_path):
    data = request.getfixturevalue("field_build" if path.stem.startswith("04")
                                   else "fixture_build")
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(data))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Error" not in text
    assert "Explorer(data_dir=" in text and "hashing-64" in text
    if path.stem.startswith("02"):
        # The fixture's hot topics are full of protein folding papers, one talk on science;
        # the first proposal restates a past talk.
        assert "protein" in text.lower() and "hot-topic papers cited" in text
        assert "theme:science" in text and "Already covered" in text
    if path.stem.startswith("01"):
        assert "themes over 29 talks and papers" in text
    if path.stem.startswith("03"):
        assert "13 papers, 13 citations" in text
    if path.stem.startswith("04"):
        # Medical papers rise in the field (2022) and the meetup never talks about them.
        assert "[theme:medical] Medical imaging & health: In the field:" in text
        assert "never a talk" in text
        assert re.search(r"\[theme:medical\] rose in the field in 2022-\d\d; no talk yet", text), text
        # LLM papers rise in 2020; the first LLM talk is 2021-06-16, months later.
        m = re.search(r"\[theme:llm\] rose in the field in (2020-\d\d); first talk "
                      r"(\d{4}-\d\d-\d\d), (\d+) months later", text)
        assert m, text[-3000:]
        assert m.group(2) == "2021-06-16" and 12 <= int(m.group(3)) <= 18
