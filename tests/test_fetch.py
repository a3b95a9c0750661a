"""Bounded HTTP: deadlines against dripping servers, size caps, truncation, tokens on redirects."""

from __future__ import annotations

import time

import pytest
from arxiv_server import FakeArxiv, invent_papers
from fake_http import FakeServer, Reply

from explorer import fetch
from explorer.domain import ArxivRef, Corpus, Meetup, Talk
from explorer.papers import ArxivClient, fetch_papers
from explorer.store import PENDING, Store


@pytest.fixture
def srv():
    with FakeServer() as s:
        yield s


def test_whole_answer_and_headers(srv):
    srv.routes["/a"] = Reply(200, b"hello", {"X-Thing": "1"})
    r = fetch.get(srv.url + "/a")
    assert (r.status, r.body, r.headers["x-thing"]) == (200, b"hello", "1")


def test_a_dripping_server_is_cut_at_the_overall_deadline(srv, monkeypatch):
    # One byte every 0.1 s: a per-read timeout never fires; the deadline does.
    srv.routes["/drip"] = Reply(200, b"x" * 1000, drip=0.1)
    monkeypatch.setenv("EXPLORER_HTTP_DEADLINE", "1")
    t0 = time.monotonic()
    with pytest.raises(fetch.FetchError) as e:
        fetch.get(srv.url + "/drip", timeout=5)
    assert e.value.kind == "deadline"
    assert time.monotonic() - t0 < 3


def test_size_cap_by_announced_length_and_by_bytes_read(srv, monkeypatch):
    monkeypatch.setenv("EXPLORER_HTTP_MAX_MB", "0.001")  # 1000 bytes
    srv.routes["/big"] = Reply(200, b"y" * 5000)
    with pytest.raises(fetch.FetchError, match="EXPLORER_HTTP_MAX_MB") as e:
        fetch.get(srv.url + "/big")
    assert e.value.kind == "too_large"
    srv.routes["/liar"] = Reply(200, b"y" * 5000, chunked=True)  # no length announced
    with pytest.raises(fetch.FetchError) as e:
        fetch.get(srv.url + "/liar")
    assert e.value.kind == "too_large"


@pytest.mark.parametrize("reply", [Reply(200, b"z" * 100, truncate=10),
                                   Reply(200, b"z" * 100, chunked=True, truncate=10)])
def test_truncated_answers_are_reported_as_truncated(srv, reply):
    srv.routes["/cut"] = reply
    with pytest.raises(fetch.FetchError) as e:
        fetch.get(srv.url + "/cut")
    assert e.value.kind == "truncated"


def test_refused_connection_is_a_connect_error():
    from arxiv_server import closed_port_url

    with pytest.raises(fetch.FetchError) as e:
        fetch.get(closed_port_url())
    assert e.value.kind == "connect"


def test_token_goes_to_its_origin_only_and_is_dropped_on_redirect(srv):
    with FakeServer() as other:
        srv.routes["/api/x"] = Reply(302, b"", {"Location": other.url + "/elsewhere"})
        other.routes["/elsewhere"] = Reply(200, b"ok")
        r = fetch.get(srv.url + "/api/x", token="s3cret", token_origin=srv.url + "/api")
        assert r.body == b"ok"
        assert srv.seen[-1].authorization == "Bearer s3cret"
        assert other.seen[-1].authorization is None
    # Same origin but outside the API's path (the raw host of tests): no token either.
    srv.routes["/raw/y"] = Reply(200, b"raw")
    fetch.get(srv.url + "/raw/y", token="s3cret", token_origin=srv.url + "/api")
    assert srv.seen[-1].authorization is None
    assert not fetch.in_scope("http://127.0.0.1.evil.example/api/x", "http://127.0.0.1/api")


def test_redirect_loops_end(srv):
    srv.routes["/loop"] = Reply(302, b"", {"Location": "/loop"})
    with pytest.raises(fetch.FetchError, match="redirects"):
        fetch.get(srv.url + "/loop")


# -- arXiv over a faulty network ---------------------------------------------------------------
def _store(tmp_path, ids):
    store = Store.open(tmp_path / "d")
    store.replace_corpus(Corpus([Meetup("1", 1, "First", "2020-01-01")],
                                [Talk("m1-a", "1", "A talk")],
                                [ArxivRef(i, "1", "m1-a", f"see {i}", "README.md")
                                 for i in ids]))
    return store


def _client(url, **kw):
    return ArxivClient(base_url=url, delay_seconds=0, backoff=0.01, timeout=2, **kw)


def test_arxiv_truncated_answers_are_retried_then_left_pending(srv, tmp_path):
    srv.routes["/api/query"] = Reply(200, b"<feed>" * 50, truncate=20)
    store = _store(tmp_path, ["2101.00001", "2101.00002"])
    report = fetch_papers(store, client=_client(srv.url + "/api/query", num_retries=2))
    assert (report.pending, report.resolved, report.not_found) == (2, 0, 0)
    assert len(srv.seen) == 3  # tried, retried twice, then the run stopped
    assert "truncated" in report.warnings[0]
    assert set(store.paper_status().values()) == {PENDING}


def test_arxiv_dripping_answer_ends_at_the_deadline(srv, tmp_path, monkeypatch):
    srv.routes["/api/query"] = Reply(200, b"x" * 1000, drip=0.1)
    monkeypatch.setenv("EXPLORER_HTTP_DEADLINE", "0.5")
    store = _store(tmp_path, ["2101.00001"])
    t0 = time.monotonic()
    report = fetch_papers(store, client=_client(srv.url + "/api/query", num_retries=1))
    assert time.monotonic() - t0 < 5
    assert report.pending == 1 and "deadline" in report.warnings[0]


def test_arxiv_retry_after_beyond_a_minute_ends_the_run_with_ids_pending(tmp_path):
    papers = invent_papers(3)
    store = _store(tmp_path, [p["id"] for p in papers])
    from arxiv_server import Fault

    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.append(Fault(status=429, retry_after=299))
        t0 = time.monotonic()
        report = fetch_papers(store, client=_client(api.url))
    assert time.monotonic() - t0 < 5 and report.pending == 3
    assert "299" in report.warnings[0] and "EXPLORER_ARXIV_MAX_WAIT" in report.warnings[0]
