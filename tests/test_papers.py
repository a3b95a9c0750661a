"""arXiv metadata: batching, spacing, retries, caching, resuming, offline, unreachable, CLI."""

from __future__ import annotations

import itertools
import json
import socket

import pytest
from arxiv_server import FakeArxiv, Fault, closed_port_url, invent_paper, invent_papers
from typer.testing import CliRunner

from explorer.domain import ArxivRef, Corpus, Meetup, Paper, Talk
from explorer.papers import NOT_FETCHED, ArxivClient, fetch_papers, ids_to_fetch, papers_records
from explorer.store import NOT_FOUND, PENDING, RESOLVED, Store


class FakeClock:
    """A clock that moves only when slept on; records every sleep."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_store(tmp_path, ids: list[str]) -> Store:
    """A store whose corpus cites ``ids`` from two meetups (every third id cited twice)."""
    meetups = [Meetup(key="7", number=7, title="Meetup 7", date="2018-03-01"),
               Meetup(key="AI", number=None, title="Invented Summit", date="2017-09-04")]
    talks = [Talk(id="m7-graphs", meetup_key="7", title="Graphs"),
             Talk(id="mai-hot-topics", meetup_key="AI", title="Hot topics", kind="intro-and-hot-topics")]
    refs = [ArxivRef(i, "7", "m7-graphs", f"slide {n}") for n, i in enumerate(ids)]
    refs += [ArxivRef(i, "AI", "mai-hot-topics", "news") for i in ids[::3]]
    store = Store.open(tmp_path / "data")
    store.replace_corpus(Corpus(meetups=meetups, talks=talks, refs=refs))
    return store


def client_for(api: FakeArxiv, clock: FakeClock | None = None, **kw) -> ArxivClient:
    clock = clock or FakeClock()
    kw = {"delay_seconds": 3.0, "backoff": 1.0, "timeout": 5.0, "page_size": 50, **kw}
    return ArxivClient(base_url=api.url, clock=clock, sleep=clock.sleep, **kw)


def test_resolves_fields_and_records(tmp_path):
    papers = [*invent_papers(3), invent_paper(4, old_style=True)]
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        report = fetch_papers(store, client=client_for(api))
    assert (report.resolved, report.not_found, report.pending, report.requests_made) == (4, 0, 0, 1)
    got = {p.id: p for p in store.papers()}
    p0, old = got[papers[0]["id"]], got["cs/0500004"]
    assert p0.title == "On sparse experts for graph (study 0)"  # whitespace folded
    assert p0.abstract.startswith("We study") and "& <friends>" in p0.abstract
    assert p0.version == 1 and p0.authors == ["Ada Example0", "Bo Sample0"]
    assert p0.categories == ["cs.CV"] and p0.published == "2017-01-01"
    assert p0.abs_url == f"https://arxiv.org/abs/{p0.id}" and p0.resolved
    assert old.resolved and old.version == 2 and old.categories == ["cs.CV"]
    records = {r["id"]: r for r in papers_records(store)}
    assert set(records) == {p["id"] for p in papers}
    assert records[p0.id]["cited_in"] == [
        {"meetup": 7, "talk_id": "m7-graphs", "context": "slide 0"},
        {"meetup": "AI", "talk_id": "mai-hot-topics", "context": "news"}]
    assert records["cs/0500004"]["resolved"] is True and records["cs/0500004"]["reason"] == ""


def test_250_refs_with_faults_all_settled_then_cached(tmp_path):
    known = invent_papers(247)
    unknown = ["2401.99991", "2401.99992"]
    bad = "12345.1"  # an id arXiv cannot even parse: it answers a 400 error feed
    ids = [p["id"] for p in known[:120]] + unknown + [bad] + [p["id"] for p in known[120:]]
    store = make_store(tmp_path, ids)
    assert len(store.refs()) > 250
    with FakeArxiv({p["id"]: p for p in known}) as api:
        api.faults.extend([Fault(status=429, retry_after=4), Fault(status=503),
                           Fault("empty"), Fault("malformed"), Fault("partial"),
                           Fault("slow", seconds=1.0)])
        client = client_for(api, timeout=0.3)
        report = fetch_papers(store, client=client)
        assert not api.faults  # every fault was served
        status = store.paper_status()
        assert set(status) == set(ids)
        assert {i for i, s in status.items() if s == NOT_FOUND} == {*unknown, bad}
        assert {i for i, s in status.items() if s == RESOLVED} == {p["id"] for p in known}
        assert (report.resolved, report.not_found, report.pending) == (247, 3, 0)
        reasons = {p.id: p.reason for p in store.papers() if not p.resolved}
        assert "no entry" in reasons[unknown[0]] and "incorrect id format" in reasons[bad]
        n = len(api.requests)
        again = fetch_papers(store, client=client_for(api))
        assert again.requests_made == 0 and len(api.requests) == n
        assert (again.resolved, again.not_found, again.pending) == (247, 3, 0)


def test_requests_are_batched_and_spaced(tmp_path):
    clock = FakeClock()
    papers = invent_papers(120)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}, clock=clock) as api:  # server stamps fake time
        fetch_papers(store, client=client_for(api, clock, delay_seconds=3.0))
    assert [len(r.ids) for r in api.requests] == [50, 50, 20]
    gaps = [b.at - a.at for a, b in zip(api.requests, api.requests[1:])]
    assert gaps == [3.0, 3.0]


def test_spacing_with_a_real_short_delay(tmp_path):
    papers = invent_papers(6)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        client = ArxivClient(base_url=api.url, delay_seconds=0.05, page_size=2)
        fetch_papers(store, client=client)
    stamps = [r.at for r in api.requests]
    assert len(stamps) == 3
    assert all(b - a >= 0.05 for a, b in itertools.pairwise(stamps))


def test_retry_after_and_exponential_backoff(tmp_path):
    clock = FakeClock()
    papers = invent_papers(3)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.extend([Fault(status=429, retry_after=7), Fault(status=503),
                           Fault(status=503)])
        report = fetch_papers(store, client=client_for(api, clock, delay_seconds=0,
                                                       backoff=0.5))
    assert clock.sleeps == [7, 1.0, 2.0]  # Retry-After beats backoff 0.5; then 0.5*2, 0.5*4
    assert report.resolved == 3 and report.requests_made == 4


def test_retry_after_too_long_stops_with_ids_pending(tmp_path):
    clock = FakeClock()
    papers = invent_papers(3)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.append(Fault(status=429, retry_after=3600))
        report = fetch_papers(store, client=client_for(api, clock, max_wait=300))
    assert clock.sleeps == [] and report.pending == 3 and report.requests_made == 1
    assert "3600" in report.warnings[0]
    assert all("3600" in p.reason for p in store.papers())


def test_persistent_server_errors_stop_the_run_and_keep_ids_pending(tmp_path):
    clock = FakeClock()
    papers = invent_papers(120)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.extend([Fault(status=503)] * 3)
        report = fetch_papers(store, client=client_for(api, clock, num_retries=2))
        assert len(api.requests) == 3  # one batch tried 3 times, then the run stopped
        assert report.pending == 120 and "HTTP 503" in report.warnings[0]
        assert set(store.paper_status().values()) == {PENDING}
        report = fetch_papers(store, client=client_for(api))  # the next run picks them up
    assert report.resolved == 120


def test_malformed_xml_retried_then_batch_pending_then_resolved_later(tmp_path):
    clock = FakeClock()
    papers = invent_papers(60)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.extend([Fault("malformed")] * 3)
        report = fetch_papers(store, client=client_for(api, clock, num_retries=2))
        assert (report.resolved, report.pending) == (10, 50)  # the other batch went on
        assert "malformed XML" in report.warnings[0]
        pending = [p for p in store.papers() if not p.resolved]
        assert all("malformed XML" in p.reason for p in pending)
        before = len(api.requested_ids())
        report = fetch_papers(store, client=client_for(api))
        assert report.resolved == 60
        assert sorted(api.requested_ids()[before:]) == sorted(p.id for p in pending)


def test_empty_feed_is_retried_before_giving_up(tmp_path):
    papers = invent_papers(5)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.extend([Fault("empty"), Fault("empty")])
        report = fetch_papers(store, client=client_for(api))
    assert report.resolved == 5 and report.requests_made == 3


def test_unknown_ids_are_not_found_only_beside_a_control_never_from_empty_feeds(tmp_path):
    papers = invent_papers(4)
    store = make_store(tmp_path, [p["id"] for p in papers] + ["2312.00001"])
    with FakeArxiv({p["id"]: p for p in papers}, unknown="blank") as api:
        report = fetch_papers(store, client=client_for(api))
    assert (report.resolved, report.not_found) == (4, 1)
    # asked a second time, beside a resolved id whose entry shows the feed is not empty
    assert api.requests[-1].ids == ["2312.00001", papers[0]["id"]]
    # Today's arXiv leaves unknown ids out: alone, the answer is an empty feed, which is
    # arXiv's flakiness as often as a "no": the id stays pending, whatever the retries.
    store2 = make_store(tmp_path / "b", ["2312.00002"])
    with FakeArxiv({}) as api:
        report = fetch_papers(store2, client=client_for(api, num_retries=1))
    assert (report.not_found, report.pending) == (0, 1) and len(api.requests) == 2
    assert "no entries" in store2.papers()[0].reason
    # With a resolved id known, the second ask carries it and the unknown id is not_found.
    store3 = make_store(tmp_path / "c", [papers[0]["id"], "2312.00003"])
    with FakeArxiv({papers[0]["id"]: papers[0]}) as api:
        report = fetch_papers(store3, client=client_for(api, num_retries=1))
    assert (report.resolved, report.not_found) == (1, 1)
    assert "no entry" in {p.id: p for p in store3.papers()}["2312.00003"].reason


def test_empty_feeds_all_along_leave_ids_pending_not_not_found(tmp_path):
    papers = invent_papers(3)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.extend([Fault("empty")] * 10)
        report = fetch_papers(store, client=client_for(api, num_retries=2))
    assert (report.resolved, report.not_found, report.pending) == (0, 0, 3)


def test_not_found_ids_are_asked_again_after_some_days(tmp_path, monkeypatch):
    store = make_store(tmp_path, ["2312.00004"])
    store.save_papers([Paper(id="2312.00004", reason="arXiv returned no entry")])
    assert ids_to_fetch(store) == []
    store.conn.execute("UPDATE papers SET fetched_at = datetime('now', '-40 days')")
    store.conn.commit()
    assert ids_to_fetch(store) == ["2312.00004"]
    monkeypatch.setenv("EXPLORER_ARXIV_RECHECK_DAYS", "60")
    assert ids_to_fetch(store) == []


def test_error_naming_no_id_halves_the_batch(tmp_path):
    papers = invent_papers(4)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        api.faults.append(Fault("error"))
        report = fetch_papers(store, client=client_for(api))
    assert [len(r.ids) for r in api.requests] == [4, 2, 2] and report.resolved == 4


def test_interrupted_run_resumes_with_remaining_ids(tmp_path):
    papers = invent_papers(250)
    ids = [p["id"] for p in papers]
    store = make_store(tmp_path, ids)
    batches = []

    def stop_after_two(n):
        batches.append(n)
        if len(batches) == 2:
            raise KeyboardInterrupt

    with FakeArxiv({p["id"]: p for p in papers}) as api:
        with pytest.raises(KeyboardInterrupt):
            fetch_papers(store, progress=stop_after_two, client=client_for(api))
        status = store.paper_status()
        assert [status[i] for i in ids[:100]] == [RESOLVED] * 100
        assert {status[i] for i in ids[100:]} == {PENDING}
        api.requests.clear()
        report = fetch_papers(store, client=client_for(api))
    assert sorted(api.requested_ids()) == sorted(ids[100:])
    assert report.resolved == 250 and report.requested == 150


def test_unreachable_endpoint_stops_at_once_with_ids_pending(tmp_path):
    clock = FakeClock()
    ids = [p["id"] for p in invent_papers(120)]
    store = make_store(tmp_path, ids)
    client = ArxivClient(base_url=closed_port_url(), clock=clock, sleep=clock.sleep)
    report = fetch_papers(store, client=client)
    assert report.requests_made == 1 and clock.sleeps == []  # no retries, no backoff
    assert report.pending == 120 and "cannot connect" in report.warnings[0]
    assert all("cannot connect" in p.reason and not p.resolved for p in store.papers())


def test_dns_failure_is_unreachable(tmp_path, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    clock = FakeClock()
    store = make_store(tmp_path, ["1706.00001"])
    client = ArxivClient(base_url="http://arxiv.invalid/api/query", clock=clock,
                         sleep=clock.sleep)
    report = fetch_papers(store, client=client)
    assert report.pending == 1 and clock.sleeps == [] and "cannot connect" in report.warnings[0]


def test_refresh_refetches_and_a_failure_keeps_stored_data(tmp_path):
    papers = invent_papers(3)
    store = make_store(tmp_path, [p["id"] for p in papers])
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        fetch_papers(store, client=client_for(api))
        assert fetch_papers(store, client=client_for(api)).requests_made == 0
        api.faults.extend([Fault(status=503)] * 2)
        report = fetch_papers(store, refresh=True, client=client_for(api, num_retries=1))
        assert report.requests_made == 2 and report.resolved == 3  # old rows kept
        assert all(p.resolved and p.title for p in store.papers())
        papers[0]["title"] = "A renamed invented paper"
        del api.papers[papers[1]["id"]]  # left out of the answer: keeps its stored metadata
        report = fetch_papers(store, refresh=True, client=client_for(api))
    assert report.requests_made == 2 and report.resolved == 3  # asked twice for papers[1]
    titles = {p.id: p.title for p in store.papers()}
    assert titles[papers[0]["id"]] == "A renamed invented paper"
    assert titles[papers[1]["id"]] == " ".join(papers[1]["title"].split())


def test_offline_makes_no_request_and_records_bare_references(tmp_path):
    store = make_store(tmp_path, ["1706.00001", "cs/0501001"])
    client = ArxivClient(base_url=closed_port_url())
    report = fetch_papers(store, offline=True, client=client)
    assert client.requests_made == 0 and report.pending == 2 and report.requested == 0
    records = papers_records(store)
    assert [r["id"] for r in records] == ["1706.00001", "cs/0501001"]
    assert all(not r["resolved"] and r["reason"] == NOT_FETCHED for r in records)
    assert records[1]["cited_in"][0]["meetup"] == 7


def test_cli_papers_json_and_offline(tmp_path, monkeypatch):
    from explorer.cli import app

    papers = invent_papers(3)
    store = make_store(tmp_path, [p["id"] for p in papers])
    store.close()
    data = str(tmp_path / "data")
    runner = CliRunner()
    offline = runner.invoke(app, ["papers", "--offline", "--json", "--data-dir", data])
    assert offline.exit_code == 0, offline.output
    monkeypatch.setenv("EXPLORER_ARXIV_URL", closed_port_url())
    down = runner.invoke(app, ["papers", "--data-dir", data])
    assert down.exit_code == 0 and "cannot connect" in down.output
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        monkeypatch.setenv("EXPLORER_ARXIV_URL", api.url)
        monkeypatch.setenv("EXPLORER_ARXIV_DELAY", "0")
        result = runner.invoke(app, ["papers", "--json", "--data-dir", data])
    assert result.exit_code == 0, result.output
    start = result.stdout.index("[")
    records = json.loads(result.stdout[start:])
    assert [r["title"] for r in records] == [" ".join(p["title"].split()) for p in papers]
    missing = runner.invoke(app, ["papers", "--data-dir", str(tmp_path / "nothing")])
    assert missing.exit_code == 2


def test_default_delay_is_three_seconds_and_env_overrides(monkeypatch):
    monkeypatch.delenv("EXPLORER_ARXIV_DELAY", raising=False)
    monkeypatch.delenv("EXPLORER_ARXIV_URL", raising=False)
    client = ArxivClient()
    assert client.delay_seconds == 3.0
    assert client.query_url_format.startswith("https://export.arxiv.org/api/query?")
    monkeypatch.setenv("EXPLORER_ARXIV_DELAY", "0.5")
    assert ArxivClient().delay_seconds == 0.5


def test_retry_after_as_seconds_or_http_date():
    import requests

    from explorer.papers.arxiv_meta import _retry_after

    def resp(value):
        r = requests.Response()
        r.headers["Retry-After"] = value
        return r

    now = 1_700_000_000.0  # 2023-11-14 22:13:20 GMT
    assert _retry_after(resp("7"), now) == 7.0
    assert _retry_after(resp("Tue, 14 Nov 2023 22:13:50 GMT"), now) == 30.0
    assert _retry_after(resp("Tue, 14 Nov 2023 22:00:00 GMT"), now) == 0.0  # already past
    assert _retry_after(resp("soon"), now) is None


def test_cli_papers_interrupted_keeps_what_arxiv_answered(tmp_path, monkeypatch):
    import explorer.papers as papers_mod
    from explorer.cli import app

    papers = invent_papers(250)
    ids = [p["id"] for p in papers]
    make_store(tmp_path, ids).close()
    data = str(tmp_path / "data")
    real = papers_mod.fetch_papers

    def ctrl_c_after_two_batches(store, **kw):
        seen = []

        def progress(n=1):
            seen.append(n)
            if len(seen) == 2:
                raise KeyboardInterrupt
        return real(store, **{**kw, "progress": progress})

    monkeypatch.setattr(papers_mod, "fetch_papers", ctrl_c_after_two_batches)
    with FakeArxiv({p["id"]: p for p in papers}) as api:
        monkeypatch.setenv("EXPLORER_ARXIV_URL", api.url)
        monkeypatch.setenv("EXPLORER_ARXIV_DELAY", "0")
        result = CliRunner().invoke(app, ["papers", "--data-dir", data])
    assert result.exit_code == 130, result.output
    assert "fetched so far are kept" in result.output
    # the two batches arXiv answered are in the current data (they were all lost)
    status = Store.open(data).paper_status()
    assert sum(1 for i in ids if status[i] == RESOLVED) == 100
    assert {status[i] for i in ids[100:]} == {PENDING}
