"""Bounded HTTP GETs: an overall deadline, a size cap, and a token sent only to its own origin.

Per-read timeouts alone let a server that drips a byte every few seconds hold a request for
hours, and reading a body without a cap lets it fill memory. Every GitHub and arXiv request
goes through `get`: the whole request (connect, headers, body, redirects) ends by its deadline.

Limits (environment variables, read at each request):
    EXPLORER_HTTP_DEADLINE   seconds for a whole request (default 120)
    EXPLORER_HTTP_TIMEOUT    seconds without a byte before giving up (default 30)
    EXPLORER_HTTP_MAX_MB     largest body accepted, in MB (default 200)
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

DEADLINE_S = 120.0
TIMEOUT_S = 30.0
MAX_MB = 200.0
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 1 << 16


class FetchError(Exception):
    """A request that did not bring a whole answer back.

    ``kind`` is one of connect (refused, no such host), timeout (no byte for a while),
    deadline (the whole request took too long), too_large, truncated (the connection
    ended before the body did), protocol (not HTTP, too many redirects).
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Response:
    """A complete answer: status, headers (lower-case names), body, and the final URL."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""


def limits() -> tuple[float, float, int]:
    """(deadline s, per-read timeout s, max bytes) from the environment or the defaults."""
    def num(name: str, default: float) -> float:
        try:
            value = float(os.environ.get(name) or default)
        except ValueError:
            return default
        return value if value > 0 else default

    return (num("EXPLORER_HTTP_DEADLINE", DEADLINE_S), num("EXPLORER_HTTP_TIMEOUT", TIMEOUT_S),
            int(num("EXPLORER_HTTP_MAX_MB", MAX_MB) * 1_000_000))


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports filled in: what a token is bound to."""
    p = urlsplit(url)
    port = p.port or {"http": 80, "https": 443}.get(p.scheme)
    return p.scheme.lower(), (p.hostname or "").lower(), port


def in_scope(url: str, base: str) -> bool:
    """Whether ``url`` is on ``base``'s origin and under its path (where a token may go)."""
    if origin(url) != origin(base):
        return False
    prefix = urlsplit(base).path.rstrip("/") + "/"
    return (urlsplit(url).path.rstrip("/") + "/").startswith(prefix)


def get(url: str, headers: dict[str, str] | None = None, token: str | None = None,
        token_origin: str | None = None, deadline: float | None = None,
        timeout: float | None = None, max_bytes: int | None = None,
        max_redirects: int = 5) -> Response:
    """GET a URL within a deadline and a size cap, following redirects.

    Args:
        url: http(s) URL.
        headers: request headers.
        token: sent as ``Authorization: Bearer`` only to URLs on ``token_origin``'s scheme,
            host and port and under its path, never to a host a redirect leads to.
        token_origin: the base URL that may see the token.
        deadline, timeout, max_bytes: override `limits()`.

    Returns:
        The `Response` of the last hop, whatever its status.

    Raises:
        FetchError: see its ``kind``.
    """
    d, t, m = limits()
    end = time.monotonic() + (deadline or d)
    timeout, max_bytes = timeout or t, max_bytes or m
    for _ in range(max_redirects + 1):
        hop = dict(headers or {})
        if token and token_origin and in_scope(url, token_origin):
            hop["Authorization"] = f"Bearer {token}"
        resp = _one(url, hop, end, timeout, max_bytes)
        location = resp.headers.get("location")
        if resp.status in _REDIRECTS and location:
            url = urljoin(url, location)
            continue
        return resp
    raise FetchError("protocol", f"more than {max_redirects} redirects from {url}")


def _one(url: str, headers: dict[str, str], end: float, timeout: float,
         max_bytes: int) -> Response:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("protocol", f"not an http(s) URL: {url[:200]}")
    remaining = end - time.monotonic()
    if remaining <= 0:
        raise FetchError("deadline", f"no answer from {parts.hostname} within the deadline")
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=min(timeout, remaining),
            context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=min(timeout, remaining))
    aborted = threading.Event()

    def abort() -> None:  # wakes a read blocked on a server that drips bytes
        aborted.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(remaining, abort)
    timer.daemon = True
    timer.start()
    host = parts.hostname
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path, headers={"Connection": "close", **headers})
        resp = conn.getresponse()
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchError("too_large", f"{host} sends {int(length):,} bytes, more than the "
                             f"{max_bytes:,} allowed (EXPLORER_HTTP_MAX_MB)")
        chunks, size = [], 0
        while True:
            if time.monotonic() > end:
                raise FetchError("deadline", f"{host} did not finish within the deadline")
            chunk = resp.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too_large", f"{host} sent more than {max_bytes:,} bytes "
                                 "(EXPLORER_HTTP_MAX_MB)")
            chunks.append(chunk)
        if aborted.is_set():
            raise FetchError("deadline", f"{host} did not finish within the deadline")
        if resp.length:  # Content-Length promised more than came
            raise FetchError("truncated", f"{host} closed the connection {resp.length:,} "
                             "bytes before the end of the answer")
        return Response(resp.status, resp.reason,
                        {k.lower(): v for k, v in resp.getheaders()}, b"".join(chunks), url)
    except FetchError:
        raise
    except (ConnectionRefusedError, socket.gaierror) as e:
        raise FetchError("connect", f"cannot connect to {host} ({e})") from e
    except (http.client.IncompleteRead, ConnectionResetError) as e:
        raise FetchError("truncated", f"{host} broke off the answer ({type(e).__name__})") from e
    except (TimeoutError, OSError, http.client.HTTPException) as e:
        if aborted.is_set():
            raise FetchError("deadline", f"{host} did not finish within the deadline") from e
        if isinstance(e, TimeoutError):
            raise FetchError("timeout", f"no answer from {host} within {timeout:g} s") from e
        kind = "protocol" if isinstance(e, http.client.HTTPException) else "truncated"
        if isinstance(e, ssl.SSLError) or (isinstance(e, OSError) and conn.sock is None):
            kind = "connect"
        raise FetchError(kind, f"{host}: {type(e).__name__}: {e}") from e
    finally:
        timer.cancel()
        conn.close()
