"""`explorer field harvest` against a fake OAI-PMH server: resumption, 503, filters, updates."""

from __future__ import annotations

import json
import time

import pytest
from oai_server import FakeOAI, arxiv_record
from typer.testing import CliRunner

from explorer.cli import app
from explorer.field.harvest import HarvestError, harvest, oai_sets
from explorer.store.fieldstore import FieldStore


@pytest.fixture
def fs(tmp_path):
    store = FieldStore.open(tmp_path / "data")
    yield store
    store.close()


def pages():
    return [
        [arxiv_record("2401.00001", "Graph message passing at scale", "cs.LG", "2024-01-02"),
         arxiv_record("2401.00002", "Counting curves on surfaces", "math.AG", "2024-01-02"),
         arxiv_record("2401.00003", None, "cs.CL", "2024-01-03")],
        [arxiv_record("2401.00004", "Speech tokens for\n   language models", "cs.CL eess.AS",
                      "2024-01-04", updated="2024-02-01"),
         arxiv_record("2401.00005", "", "cs.LG", "2024-01-05", deleted=True)],
    ]


def test_harvest_follows_resumption_tokens_and_waits_out_503(fs):
    server = FakeOAI(pages(), fail_first=1)
    try:
        t = time.perf_counter()
        report = harvest(fs, "2024-01-01", "cs.LG,cs.CL", endpoint=server.url)
        waited = time.perf_counter() - t
    finally:
        server.close()
    assert waited >= 1.0  # the Retry-After of the 503 was honoured
    assert server.requests[0] == server.requests[1]  # the 503'd request, retried as it was
    assert server.requests[1] == {"verb": "ListRecords", "metadataPrefix": "arXiv",
                                  "from": "2024-01-01", "set": "cs"}
    assert server.requests[2] == {"verb": "ListRecords", "resumptionToken": "tok1"}
    assert (report.added, report.filtered, report.malformed) == (2, 1, 1)
    assert "2401.00003" in report.errors[0] and "title" in report.errors[0]
    got = fs.papers_by_id(["2401.00001", "2401.00004"])
    speech = got["2401.00004"]
    assert speech["title"] == "Speech tokens for language models"
    assert speech["authors"] == "Ada Example, Bo Sample"
    assert (speech["created"], speech["updated"]) == ("2024-01-04", "2024-02-01")


def test_second_harvest_starts_from_the_last_datestamp_and_updates(fs):
    server = FakeOAI(pages())
    try:
        harvest(fs, None, "cs.LG,cs.CL", endpoint=server.url)
        assert "from" not in server.requests[0]
        server.pages = [[arxiv_record("2401.00001", "Graph message passing, revised", "cs.LG",
                                      "2024-01-02", updated="2024-03-01")]]
        again = harvest(fs, None, "cs.LG,cs.CL", endpoint=server.url)
    finally:
        server.close()
    assert server.requests[-1]["from"] == "2024-02-01"
    assert (again.added, again.updated) == (0, 1)
    assert fs.papers_by_id(["2401.00001"])["2401.00001"]["title"].endswith("revised")


def test_harvest_failures_are_clear(fs, tmp_path, monkeypatch):
    server = FakeOAI(pages(), fail_first=10)
    try:
        with pytest.raises(HarvestError, match="503"):
            harvest(fs, "2024-01-01", "cs.LG", endpoint=server.url, max_retries=1)
    finally:
        server.close()
    with pytest.raises(HarvestError, match="YYYY-MM-DD"):
        harvest(fs, "yesterday", endpoint="http://127.0.0.1:1/oai")
    monkeypatch.setenv("EXPLORER_OAI_URL", "http://127.0.0.1:1/oai")
    res = CliRunner().invoke(app, ["field", "harvest", "--from", "2024-01-01",
                                   "--data-dir", str(tmp_path / "d")])
    assert res.exit_code == 2 and "127.0.0.1:1" in res.output


def test_cli_harvest_uses_the_env_endpoint(tmp_path, monkeypatch):
    server = FakeOAI(pages())
    monkeypatch.setenv("EXPLORER_OAI_URL", server.url)
    try:
        res = CliRunner().invoke(app, ["field", "harvest", "--categories", "cs.CL", "--json",
                                       "--data-dir", str(tmp_path / "d")])
    finally:
        server.close()
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert out["added"] == 1 and out["path"] == server.url  # only the cs.CL paper


def test_oai_sets_cover_the_categories():
    assert oai_sets(frozenset({"cs.LG", "stat.ML", "eess.AS", "cs.CL"})) == ["cs", "eess", "stat"]
    assert oai_sets(frozenset({"astro-ph.GA"})) == ["physics:astro-ph"]
    assert oai_sets(None) == [None]


def test_harvest_is_bounded_like_every_request(fs, monkeypatch):
    """A long Retry-After, a dripping server and a huge answer each end the harvest soon,
    with a clear message, keeping what came before (issue 10's bounds on the OAI client)."""
    server = FakeOAI(pages(), fail_first=1, retry_after="299")
    try:
        t = time.perf_counter()
        with pytest.raises(HarvestError, match="299 s"):
            harvest(fs, "2024-01-01", "cs.LG", endpoint=server.url)
        assert time.perf_counter() - t < 5
    finally:
        server.close()
    monkeypatch.setenv("EXPLORER_HTTP_DEADLINE", "1.5")
    server = FakeOAI(pages(), drip=0.2)
    try:
        t = time.perf_counter()
        with pytest.raises(HarvestError, match="deadline"):
            harvest(fs, "2024-01-01", "cs.LG", endpoint=server.url)
        assert time.perf_counter() - t < 6
    finally:
        server.close()
    monkeypatch.delenv("EXPLORER_HTTP_DEADLINE")
    monkeypatch.setenv("EXPLORER_HTTP_MAX_MB", "0.001")  # 1 kB: a page is larger
    server = FakeOAI(pages())
    try:
        with pytest.raises(HarvestError, match="EXPLORER_HTTP_MAX_MB"):
            harvest(fs, "2024-01-01", "cs.LG", endpoint=server.url)
    finally:
        server.close()


def test_a_bad_retry_after_is_the_default_wait(fs):
    server = FakeOAI(pages(), fail_first=1, retry_after="soon")
    try:
        report = harvest(fs, "2024-01-01", "cs.LG", endpoint=server.url, max_wait=0.5)
    except HarvestError as e:  # the default (10 s) is above this max_wait: refused, clearly
        assert "10 s" in str(e)
    else:
        raise AssertionError(f"expected the cap to refuse the default wait, got {report}")
    finally:
        server.close()


def test_a_page_cut_short_fails_the_harvest_and_keeps_the_pages_before(fs):
    """sickle parses leniently: a page cut in half used to pass as a shorter page, lose the
    resumption token and move the harvest's start date past the missing records."""
    server = FakeOAI(pages(), cut=1)
    try:
        with pytest.raises(HarvestError, match="truncated or invalid"):
            harvest(fs, None, "cs.LG,cs.CL", endpoint=server.url)
        assert set(fs.papers_by_id(["2401.00001", "2401.00003"])) == {"2401.00001"}
        assert fs.get_meta(f"oai_last|{server.url}|cs.CL,cs.LG") is None  # start unmoved
        server.cut = None
        harvest(fs, None, "cs.LG,cs.CL", endpoint=server.url)
    finally:
        server.close()
    assert "from" not in server.requests[-2]  # the rerun started from the beginning
    assert "2401.00004" in fs.papers_by_id(["2401.00004"])
    # The harvest resumes from its oai_last mark alone: it leaves no checkpoint row that
    # nothing reads (one more per start date, the snapshot import's table)
    assert fs.conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 0
