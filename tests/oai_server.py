"""A fake arXiv OAI-PMH server on 127.0.0.1 for the harvest tests (invented records)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/'
        'OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><request verb="ListRecords">'
        'http://127.0.0.1/oai</request>')


def arxiv_record(pid: str, title: str | None, cats: str, created: str, updated: str | None = None,
                 deleted: bool = False, datestamp: str | None = None) -> str:
    """One <record> in the arXiv metadata format (title None: a record missing its title;
    ``datestamp``: the header's, when the record changed without a new version)."""
    status = ' status="deleted"' if deleted else ""
    header = (f'<header{status}><identifier>oai:arXiv.org:'
              f'{pid}</identifier><datestamp>{datestamp or updated or created}</datestamp>'
              f'<setSpec>cs</setSpec></header>')
    if deleted:
        return f"<record>{header}</record>"
    t = "" if title is None else f"<title>{escape(title)}</title>"
    up = f"<updated>{updated}</updated>" if updated else ""
    return (f'<record>{header}<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
            f'<id>{pid}</id><created>{created}</created>{up}<authors><author><keyname>Example'
            f'</keyname><forenames>Ada</forenames></author><author><keyname>Sample</keyname>'
            f'<forenames>Bo</forenames></author></authors>{t}<categories>{cats}</categories>'
            f'<abstract>  An invented abstract about {escape(title or "nothing")}.\n  Two lines.'
            f'</abstract></arXiv></metadata></record>')


class FakeOAI:
    """Serves ``pages`` (lists of record XML) linked by resumption tokens; the first
    ``fail_first`` requests get 503 with Retry-After: ``retry_after``; with ``drip`` > 0 the
    body goes out one byte every ``drip`` seconds; page ``cut`` is sent cut in half (its
    Content-Length says so: what a proxy that lost the rest would pass on); page ``loop``
    names itself as the next page (a server whose resumption token never moves on); a
    request for page ``bad_token`` gets the OAI error badResumptionToken. ``requests``
    logs the queries."""

    def __init__(self, pages: list[list[str]], fail_first: int = 0, retry_after: str = "1",
                 drip: float = 0.0, cut: int | None = None, loop: int | None = None,
                 bad_token: int | None = None):
        self.pages, self.fail_left, self.requests = pages, fail_first, []
        self.cut, self.loop, self.bad_token = cut, loop, bad_token
        self.retry_after, self.drip = retry_after, drip
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):
                q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                owner.requests.append(q)
                if owner.fail_left > 0:
                    owner.fail_left -= 1
                    self.send_response(503)
                    self.send_header("Retry-After", owner.retry_after)
                    self.end_headers()
                    return
                page = int(q["resumptionToken"].removeprefix("tok")) if "resumptionToken" in q \
                    else 0
                records = owner.pages[page] if owner.pages else []
                if page and page == owner.bad_token:
                    body = (HEAD + '<error code="badResumptionToken">expired</error></OAI-PMH>')
                elif not records:
                    body = (HEAD + '<error code="noRecordsMatch">nothing</error></OAI-PMH>')
                else:
                    more = page + 1 < len(owner.pages) or page == owner.loop
                    nxt = page if page == owner.loop else page + 1
                    token = (f'<resumptionToken cursor="{page}">tok{nxt}</resumptionToken>'
                             if more else '<resumptionToken cursor="0"/>')
                    body = HEAD + "<ListRecords>" + "".join(records) + token + \
                        "</ListRecords></OAI-PMH>"
                data = body.encode()
                if owner.cut is not None and records and page == owner.cut:
                    data = data[:len(data) // 2]
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if owner.drip <= 0:
                    self.wfile.write(data)
                    return
                import time

                try:
                    for i in range(len(data)):
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                        time.sleep(owner.drip)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oai"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
