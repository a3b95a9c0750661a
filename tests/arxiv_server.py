"""A fake arXiv API on 127.0.0.1 for tests: invented papers as Atom feeds, programmable faults.

Example:
    >>> with FakeArxiv({p["id"]: p for p in invent_papers(3)}) as api:
    ...     api.faults.append(Fault(status=429, retry_after=7))   # the next request gets a 429
    ...     fetch_papers(store, client=ArxivClient(base_url=api.url, delay_seconds=0))
    >>> api.requests[0].ids
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

_ID_FORMAT = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
_WORDS = ["sparse", "attention", "mixture", "experts", "diffusion", "contrastive", "graph",
          "neural", "recurrent", "memory", "scaling", "laws", "robust", "vision", "audio",
          "tokens", "reward", "policy"]


def invent_paper(i: int, old_style: bool = False) -> dict:
    """An invented paper, deterministic in ``i`` (nothing here is a real arXiv record)."""
    pid = f"cs/05{i:05d}" if old_style else f"{17 + i % 8}{1 + i % 12:02d}.{10000 + i:05d}"
    words = [_WORDS[(i * 7 + k * 3) % len(_WORDS)] for k in range(4)]
    return {
        "id": pid,
        "version": 1 + i % 3,
        "title": f"On {words[0]} {words[1]}\n  for {words[2]} (study {i})",
        "abstract": f"We study {' '.join(words)} & <friends> in invented setting {i}.",
        "authors": [f"Ada Example{i}", f"Bo Sample{i % 5}"],
        "categories": ["cs.LG", "stat.ML"] if i % 2 else ["cs.CV"],
        "published": f"20{17 + i % 8}-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z",
        "updated": f"20{17 + i % 8}-{1 + i % 12:02d}-{1 + i % 28:02d}T12:30:00Z",
    }


def invent_papers(n: int, start: int = 0) -> list[dict]:
    return [invent_paper(i) for i in range(start, start + n)]


def entry_xml(p: dict) -> str:
    """One arXiv-style <entry> for an invented paper dict."""
    vid = f"{p['id']}v{p['version']}"
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in p["authors"])
    cats = "".join(f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
                   for c in p["categories"])
    return (
        f"<entry><id>http://arxiv.org/abs/{vid}</id>"
        f"<updated>{p['updated']}</updated><published>{p['published']}</published>"
        f"<title>{escape(p['title'])}</title><summary>{escape(p['abstract'])}</summary>"
        f"{authors}"
        f'<link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>'
        f'<link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" '
        f'type="application/pdf"/>'
        f'<arxiv:primary_category term="{p["categories"][0]}" '
        f'scheme="http://arxiv.org/schemas/atom"/>{cats}</entry>'
    )


def error_entry_xml(message: str) -> str:
    """arXiv's error entry (for an id it cannot parse): no <published>, title 'Error'."""
    anchor = re.sub(r"\W+", "_", message)
    return (f"<entry><id>http://arxiv.org/api/errors#{anchor}</id><title>Error</title>"
            f"<summary>{escape(message)}</summary><updated>2024-01-01T00:00:00-05:00</updated>"
            "<author><name>arXiv api core</name></author></entry>")


def blank_entry_xml(arxiv_id: str) -> str:
    """What the old arXiv API sent for a well-formed but unknown id: an entry with no dates."""
    return f"<entry><id>http://arxiv.org/abs/{arxiv_id}</id><title></title></entry>"


def feed_xml(entries: list[str]) -> bytes:
    """An Atom feed around some entries, with arXiv's namespaces and opensearch header."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<title>arXiv Query</title><id>http://arxiv.org/api/fake</id>"
        "<updated>2024-01-01T00:00:00-05:00</updated>"
        f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>"
        f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
        + "".join(entries) + "</feed>"
    ).encode()


@dataclass
class Fault:
    """What the next request gets instead of a normal answer.

    kind: "status" (HTTP ``status``, with ``retry_after`` if set), "empty" (a feed without
    entries), "malformed" (broken XML), "slow" (answer after ``seconds``), "partial" (the
    first half of the ids only), "error" (an HTTP 400 error feed naming no id).
    """

    kind: str = "status"
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0


@dataclass
class Request:
    ids: list[str]
    at: float  # the server's clock (``FakeArxiv.clock``) when the request arrived


@dataclass
class FakeArxiv:
    """A threaded HTTP server answering ``/api/query?id_list=...`` like arXiv.

    Unknown ids are left out of the answer (``unknown="omit"``, today's arXiv) or sent as
    entries without dates (``unknown="blank"``); ids of an impossible format get arXiv's
    HTTP 400 error feed. ``faults`` is consumed one per request.
    """

    papers: dict[str, dict] = field(default_factory=dict)
    unknown: str = "omit"
    clock: Callable[[], float] = time.monotonic
    faults: deque = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api/query"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requested_ids(self) -> list[str]:
        return [i for r in self.requests for i in r.ids]

    def answer(self, ids: list[str]) -> tuple[int, dict, bytes]:
        with self._lock:
            self.requests.append(Request(ids, self.clock()))
            fault = self.faults.popleft() if self.faults else None
        if fault and fault.kind == "status":
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else {}
            return fault.status, headers, b"<html>busy</html>"
        if fault and fault.kind == "error":
            return 400, {}, feed_xml([error_entry_xml("internal error, try again")])
        if fault and fault.kind == "empty":
            return 200, {}, feed_xml([])
        if fault and fault.kind == "malformed":
            return 200, {}, feed_xml([entry_xml(invent_paper(0))])[:-40]
        if fault and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault and fault.kind == "partial":
            ids = ids[: len(ids) // 2]
        bad = [i for i in ids if not _ID_FORMAT.match(i)]
        if bad:
            return 400, {}, feed_xml([error_entry_xml(f"incorrect id format for {bad[0]}")])
        entries = []
        for i in ids:
            if i in self.papers:
                entries.append(entry_xml(self.papers[i]))
            elif self.unknown == "blank":
                entries.append(blank_entry_xml(i))
        return 200, {}, feed_xml(entries)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlparse(self.path).query)
                ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
                status, headers, body = fake.answer(ids)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/atom+xml")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the "slow" fault)

            def log_message(self, *args):
                pass

        return Handler


def closed_port_url() -> str:
    """An endpoint on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"
