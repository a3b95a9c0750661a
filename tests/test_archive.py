"""Archive sources: a local directory and GitHub over HTTP (a local server stands in for it)."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from explorer.ingest.archive import (
    ArchiveUnavailable,
    BlobUnavailable,
    GitHubArchive,
    LocalArchive,
    git_blob_sha,
    open_archive,
)
from explorer.store import BlobCache

FIXTURE = Path(__file__).parent / "fixtures" / "archive"


def test_local_archive_lists_readmes_and_pdfs_only(tmp_path):
    (tmp_path / "Meetups" / "Meetup_3" / "slides").mkdir(parents=True)
    (tmp_path / "README.md").write_text("# root")
    (tmp_path / "Meetups" / "Meetup_3" / "README.md").write_text("# three")
    (tmp_path / "Meetups" / "Meetup_3" / "slides" / "a b.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "Meetups" / "Meetup_3" / "photo.jpg").write_bytes(b"\xff\xd8")
    archive = open_archive(str(tmp_path))
    assert archive.files() == ["Meetups/Meetup_3/README.md", "Meetups/Meetup_3/slides/a b.pdf",
                               "README.md"]
    assert archive.read("README.md") == b"# root"
    with pytest.raises(BlobUnavailable):
        archive.read("../outside.md")


def test_local_archive_missing_dir(tmp_path):
    with pytest.raises(ArchiveUnavailable, match="not a directory"):
        LocalArchive(tmp_path / "nope")


class FakeGitHub:
    """Serves a tree listing and raw blobs that a test writes; records blob requests."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.broken: set[str] = set()
        self.blob_requests: list[str] = []
        self.auth: list[str | None] = []  # Authorization header of each request
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.auth.append(self.headers.get("Authorization"))
                if self.path.startswith("/api/repos/vdlm/meetups/git/trees/main"):
                    tree = [{"path": p, "type": "blob", "sha": git_blob_sha(d)}
                            for p, d in fake.files.items()]
                    tree.append({"path": "Meetups", "type": "tree", "sha": "0" * 40})
                    body = json.dumps({"tree": tree, "truncated": False}).encode()
                    return self._send(200, body)
                prefix = "/raw/vdlm/meetups/main/"
                if self.path.startswith(prefix):
                    path = unquote(self.path[len(prefix):])
                    fake.blob_requests.append(path)
                    if path in fake.files and path not in fake.broken:
                        return self._send(200, fake.files[path])
                return self._send(404, b"not found")

            def _send(self, code, body):
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def github(monkeypatch):
    fake = FakeGitHub()
    fake.thread.start()
    monkeypatch.setenv("EXPLORER_GITHUB_API", fake.base + "/api")
    monkeypatch.setenv("EXPLORER_GITHUB_RAW", fake.base + "/raw")
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_github_fetches_wanted_files_and_caches_by_sha(github, tmp_path):
    github.files = {"README.md": b"# root", "Meetups/Meetup_1/README.md": b"# one",
                    "Meetups/Meetup_1/slides/my talk.pdf": b"%PDF-fake",
                    "Meetups/Meetup_1/photo.jpg": b"\xff\xd8"}
    cache = BlobCache(tmp_path / "cache")
    archive = open_archive("github", cache)
    assert archive.files() == ["Meetups/Meetup_1/README.md",
                               "Meetups/Meetup_1/slides/my talk.pdf", "README.md"]
    assert [archive.read(p) for p in archive.files()] == [b"# one", b"%PDF-fake", b"# root"]
    assert sorted(github.blob_requests) == sorted(archive.files())  # the photo is never fetched

    github.blob_requests.clear()
    again = open_archive("github", cache)
    assert [again.read(p) for p in again.files()] == [b"# one", b"%PDF-fake", b"# root"]
    assert github.blob_requests == [] and again.downloads == 0

    github.files["Meetups/Meetup_1/README.md"] = b"# one, edited"
    third = open_archive("github", cache)
    contents = {p: third.read(p) for p in third.files()}
    assert contents["Meetups/Meetup_1/README.md"] == b"# one, edited"
    assert github.blob_requests == ["Meetups/Meetup_1/README.md"]


def test_github_failed_blob_is_a_warning_for_the_parser(github, tmp_path):
    from explorer.ingest.parser import parse_archive

    github.files = {"README.md": b"| Date | # | Speaker | Topic |\n|--|--|--|--|\n"
                                 b"| 2030-01-02 | 3 | Ada Berg | Slow Kettles |\n",
                    "Meetups/Meetup_3/README.md": b"# 3rd"}
    github.broken = {"Meetups/Meetup_3/README.md"}
    archive = GitHubArchive(cache=BlobCache(tmp_path / "c"))
    with pytest.raises(BlobUnavailable, match="404"):
        archive.read("Meetups/Meetup_3/README.md")
    corpus = parse_archive(archive)
    assert [t.title for t in corpus.talks] == ["Slow Kettles"]
    assert any(w.path == "Meetups/Meetup_3/README.md" and "404" in w.message
               for w in corpus.warnings)


def test_github_unreachable_fails_with_hint(monkeypatch):
    with socket.socket() as s:  # a port nobody listens on: connection refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("EXPLORER_GITHUB_API", f"http://127.0.0.1:{port}")
    with pytest.raises(ArchiveUnavailable, match="--source DIR"):
        open_archive("github", None)


def test_github_http_error_on_tree(github):
    github.server.RequestHandlerClass.do_GET = lambda self: self._send(403, b"rate limited")
    with pytest.raises(ArchiveUnavailable, match="403.*--source DIR"):
        open_archive("github", None)


def test_github_token_is_sent_to_the_api_only(github, tmp_path, monkeypatch):
    github.files = {"README.md": b"# root"}
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    archive = open_archive("github", BlobCache(tmp_path / "cache"))
    archive.read("README.md")
    assert github.auth == ["Bearer t0ken", None]  # the tree listing, then the raw blob
