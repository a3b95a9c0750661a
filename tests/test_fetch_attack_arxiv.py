"""A hostile or unlucky arXiv API: entries that are out of order, foreign, duplicated,
conflicting or unreadable; errors that name no id; HTML or oversized answers. One paper's
metadata never lands on another id, a guess is never stored as "arXiv has no such paper",
and the rest of the run goes on."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from arxiv_server import (
    FakeArxiv,
    entry_xml,
    error_entry_xml,
    feed_xml,
    invent_paper,
    invent_papers,
)
from fake_http import FakeServer, Reply
from test_fetch import _store

from explorer.papers import ArxivClient, fetch_papers
from explorer.store import NOT_FOUND, PENDING, RESOLVED, Store


def _client(url: str, **kw) -> ArxivClient:
    kw = {"delay_seconds": 0, "backoff": 0.0, "timeout": 2, **kw}
    return ArxivClient(base_url=url, sleep=lambda s: None, **kw)


def _rows(store: Store) -> dict:
    status = store.paper_status()
    return {p.id: (status[p.id], p.title, p.version, p.reason) for p in store.papers()}


def _title(p: dict) -> str:
    return " ".join(p["title"].split())


@pytest.fixture
def srv():
    with FakeServer() as s:
        yield s


def _ids_asked(path: str) -> list[str]:
    return [i for i in parse_qs(urlparse(path).query).get("id_list", [""])[0].split(",") if i]


def test_entries_out_of_order_or_for_other_ids_never_land_on_the_wrong_id(srv, tmp_path):
    a, b, foreign = invent_paper(1), invent_paper(2), invent_paper(3)
    srv.routes["/api/query"] = Reply(200, feed_xml([entry_xml(foreign), entry_xml(b),
                                                    entry_xml(a)]))
    store = _store(tmp_path, [a["id"], b["id"]])
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))
    rows = _rows(store)
    assert rows[a["id"]][:2] == (RESOLVED, _title(a))
    assert rows[b["id"]][:2] == (RESOLVED, _title(b))
    assert foreign["id"] not in rows and report.resolved == 2
    # Asked for one id and answered only about another: the id stays pending, and the reason
    # says what came back instead of "no entries".
    store2 = _store(tmp_path / "2", [a["id"]])
    srv.routes["/api/query"] = Reply(200, feed_xml([entry_xml(foreign)]))
    report = fetch_papers(store2, client=_client(srv.url + "/api/query", num_retries=1))
    (status, title, _, reason), = _rows(store2).values()
    assert (status, title) == (PENDING, "") and report.pending == 1
    assert foreign["id"] in reason and "not asked for" in reason


def test_duplicate_entries_keep_the_newest_version_and_a_conflict_stays_pending(srv, tmp_path):
    a, b = invent_paper(1), invent_paper(2)
    a3 = {**a, "version": 3, "title": "The newest title"}
    a1 = {**a, "version": 1, "title": "An old title"}
    b_one, b_two = {**b, "title": "One title"}, {**b, "title": "Another title"}
    srv.routes["/api/query"] = Reply(200, feed_xml([entry_xml(a3), entry_xml(b_one),
                                                    entry_xml(a1), entry_xml(b_two)]))
    store = _store(tmp_path, [a["id"], b["id"]])
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))
    rows = _rows(store)
    assert rows[a["id"]][:3] == (RESOLVED, "The newest title", 3)
    status, title, _, reason = rows[b["id"]]
    assert (status, title) == (PENDING, "")  # neither title is shown as the paper's
    assert b["id"] in reason and "two different entries" in reason
    assert any(b["id"] in w for w in report.warnings)
    assert len(srv.seen) == 1  # a conflict is not asked again in the same run


def test_old_style_id_cited_with_and_without_subject_class_both_resolve(tmp_path):
    paper = {**invent_paper(5), "id": "math/0309136"}
    with FakeArxiv({"math.GT/0309136": paper, "math/0309136": paper}) as api:
        store = _store(tmp_path, ["math.GT/0309136", "math/0309136"])
        report = fetch_papers(store, client=_client(api.url))
    rows = _rows(store)
    assert rows["math.GT/0309136"][:2] == (RESOLVED, _title(paper))
    assert rows["math/0309136"][:2] == (RESOLVED, _title(paper))
    assert report.not_found == 0 and len(api.requests) == 1


def test_an_unreadable_entry_stays_pending_naming_its_id_and_the_rest_resolves(srv, tmp_path):
    a, b, c = invent_papers(3, start=1)
    bad_date = entry_xml(a).replace(a["published"], "not-a-date")
    no_title = entry_xml(c).replace(f"<title>{c['title']}</title>", "<title>  </title>")
    assert no_title != entry_xml(c)
    srv.routes["/api/query"] = Reply(200, feed_xml([bad_date, entry_xml(b), no_title]))
    store = _store(tmp_path, [a["id"], b["id"], c["id"]])
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))  # no traceback
    rows = _rows(store)
    assert rows[b["id"]][:2] == (RESOLVED, _title(b))
    for p, why in ((a, "not-a-date"), (c, "no title")):
        status, title, _, reason = rows[p["id"]]
        assert (status, title) == (PENDING, "") and p["id"] in reason and why in reason
        assert any(p["id"] in w for w in report.warnings)
    # Next run asks for them again; a good answer resolves them.
    srv.routes["/api/query"] = Reply(200, feed_xml([entry_xml(a), entry_xml(c)]))
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))
    assert report.resolved == 3 and _ids_asked(srv.seen[-1].path) == [a["id"], c["id"]]


def test_a_paper_titled_error_is_a_paper_and_marks_no_other_id(srv, tmp_path):
    a, b = invent_paper(1), invent_paper(2)
    titled_error = {**a, "title": "Error", "abstract": f"We revisit the method of {b['id']}."}
    srv.routes["/api/query"] = Reply(200, feed_xml([entry_xml(titled_error), entry_xml(b)]))
    store = _store(tmp_path, [a["id"], b["id"]])
    fetch_papers(store, client=_client(srv.url + "/api/query"))
    rows = _rows(store)
    assert rows[a["id"]][:2] == (RESOLVED, "Error")
    assert rows[b["id"]][:2] == (RESOLVED, _title(b))


def test_a_persistent_error_naming_no_id_never_marks_ids_not_found(srv, tmp_path):
    srv.routes["/api/query"] = Reply(400, feed_xml([error_entry_xml("internal error, retry")]))
    ids = [p["id"] for p in invent_papers(8)]
    store = _store(tmp_path, ids)
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))
    assert (report.not_found, report.pending) == (0, 8)
    assert set(store.paper_status().values()) == {PENDING}
    assert len(srv.seen) <= 4  # halved down to one well-formed id (8, 4, 2, 1), then stopped
    assert "internal error" in report.warnings[-1]


def test_an_error_naming_no_id_still_finds_the_one_malformed_id(srv, tmp_path):
    papers = invent_papers(3)
    known = {p["id"]: p for p in papers}
    bad = "12345.1"

    def answer(path):
        asked = _ids_asked(path)
        if bad in asked:  # an error feed that does not say which id it is about
            return Reply(400, feed_xml([error_entry_xml("incorrect id format")]))
        return Reply(200, feed_xml([entry_xml(known[i]) for i in asked if i in known]))

    srv.routes["/api/query"] = answer
    store = _store(tmp_path, [papers[0]["id"], papers[1]["id"], bad, papers[2]["id"]])
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))
    status = store.paper_status()
    assert status[bad] == NOT_FOUND and report.resolved == 3
    assert "incorrect id format" in {p.id: p.reason for p in store.papers()}[bad]


def test_an_html_page_instead_of_atom_stops_the_run_with_ids_pending(srv, tmp_path):
    page = b"<!DOCTYPE html><html><body><p>Please log in<br></body></html>"
    srv.routes["/api/query"] = Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})
    ids = [p["id"] for p in invent_papers(120)]  # three batches
    store = _store(tmp_path, ids)
    report = fetch_papers(store, client=_client(srv.url + "/api/query", num_retries=2))
    assert len(srv.seen) == 3  # one batch tried three times; the others are not asked
    assert report.pending == 120 and set(store.paper_status().values()) == {PENDING}
    assert "HTML" in report.warnings[-1]


def test_an_oversized_arxiv_answer_stops_the_run_with_ids_pending(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_HTTP_MAX_MB", "0.001")
    a = invent_paper(1)
    srv.routes["/api/query"] = Reply(200, feed_xml([entry_xml(a)] * 20), chunked=True)
    store = _store(tmp_path, [a["id"]])
    report = fetch_papers(store, client=_client(srv.url + "/api/query"))
    assert len(srv.seen) == 1 and report.pending == 1  # asking again would cost as much
    assert "EXPLORER_HTTP_MAX_MB" in report.warnings[0]
    assert "EXPLORER_HTTP_MAX_MB" in store.papers()[0].reason
