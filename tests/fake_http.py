"""A programmable HTTP server on 127.0.0.1 for fault tests: drips, truncates, redirects, refuses.

Example:
    >>> with FakeServer() as srv:
    ...     srv.routes["/a"] = Reply(200, b"hello")
    ...     srv.routes["/slow"] = Reply(200, b"x" * 100, drip=0.2)   # a byte every 0.2 s
    ...     fetch.get(srv.url + "/a").body
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What a route answers.

    status/body/headers: the answer. ``drip``: seconds between single bytes of the body.
    ``truncate``: send only this many bytes of the body (the Content-Length stays whole),
    then close. ``chunked``: send the body chunked, broken off after ``truncate`` bytes when
    set. ``length``: Content-Length to announce instead of the real one.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0
    truncate: int | None = None
    chunked: bool = False
    length: int | None = None


@dataclass
class Seen:
    path: str
    authorization: str | None


class FakeServer:
    """Routes by exact path (query string included), else by path without the query."""

    def __init__(self):
        self.routes: dict[str, Reply | object] = {}
        self.seen: list[Seen] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.seen.append(Seen(self.path, self.headers.get("Authorization")))
                reply = fake.routes.get(self.path) or fake.routes.get(self.path.split("?")[0])
                if callable(reply):
                    reply = reply(self.path)
                reply = reply or Reply(404, b"not found")
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def _send(self, r: Reply) -> None:
                self.send_response(r.status)
                for k, v in r.headers.items():
                    self.send_header(k, v)
                body = r.body if r.truncate is None else r.body[:r.truncate]
                if r.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(r.body), body))
                    if r.truncate is None:
                        self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
                self.send_header("Content-Length", str(r.length if r.length is not None
                                                       else len(r.body)))
                self.end_headers()
                if r.drip:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(r.drip)
                else:
                    self.wfile.write(body)
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
