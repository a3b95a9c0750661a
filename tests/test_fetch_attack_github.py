"""A hostile or unlucky GitHub: bad shas, blobs that are not what the tree says, a truncated
tree, rate limits, paths git cannot hold, huge READMEs. Nothing is used that was not checked,
the message names the file, and the current data stays."""

from __future__ import annotations

import json
import time

import pytest
from conftest import FIXTURES
from fake_http import FakeServer, Reply
from test_guards import _build, _out, _refused_and_intact, built  # noqa: F401 (fixture)

from explorer.ingest import archive as archive_mod
from explorer.ingest.archive import (
    ArchiveUnavailable,
    BlobUnavailable,
    GitHubArchive,
    git_blob_sha,
)
from explorer.store import BlobCache

ARCHIVE = FIXTURES / "archive"
TREE = "/api/repos/vdlm/meetups/git/trees/main"
ROOT = b"| Date | # | Speaker | Topic |\n|--|--|--|--|\n| 2030-01-02 | 3 | Ada Berg | Kettles |\n"


class Repo:
    """Files served as the GitHub tree listing and raw blobs of vdlm/meetups@main."""

    def __init__(self, srv: FakeServer, files: dict[str, bytes]):
        self.srv, self.files = srv, dict(files)
        self.entries: list[dict] = []  # extra tree entries
        self.truncated = False

    def serve(self, **shas: str) -> None:
        tree = [{"path": p, "type": "blob", "sha": git_blob_sha(b), "size": len(b)}
                for p, b in self.files.items()]
        body = {"tree": tree + self.entries, "truncated": self.truncated}
        self.srv.routes[TREE] = Reply(200, json.dumps(body).encode())
        for p, b in self.files.items():
            self.srv.routes.setdefault(self.raw(p), Reply(200, b))

    @staticmethod
    def raw(path: str) -> str:
        return f"/raw/vdlm/meetups/main/{path.replace(' ', '%20')}"


@pytest.fixture
def repo(monkeypatch):
    with FakeServer() as srv:
        monkeypatch.setenv("EXPLORER_GITHUB_API", srv.url + "/api")
        monkeypatch.setenv("EXPLORER_GITHUB_RAW", srv.url + "/raw")
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        yield Repo(srv, {"README.md": ROOT, "Meetups/Meetup_3/README.md": b"# Meetup 3\n"})


def _fixture_files() -> dict[str, bytes]:
    return {p.relative_to(ARCHIVE).as_posix(): p.read_bytes()
            for p in sorted(ARCHIVE.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("sha", ["..", ".", "", "not-a-sha", "../" * 5 + "etc/passwd"])
def test_a_tree_sha_that_is_no_sha_fails_that_file_not_the_run(repo, tmp_path, sha):
    repo.serve()
    body = json.loads(repo.srv.routes[TREE].body)
    body["tree"][0]["sha"] = sha  # README.md
    repo.srv.routes[TREE] = Reply(200, json.dumps(body).encode())
    archive = GitHubArchive(cache=BlobCache(tmp_path / "cache"))  # no traceback
    assert "README.md" in archive.failed and "sha" in archive.failed["README.md"]
    with pytest.raises(BlobUnavailable, match="README.md"):
        archive.read("README.md")
    assert archive.read("Meetups/Meetup_3/README.md") == b"# Meetup 3\n"
    assert not [s for s in repo.srv.seen if s.path == Repo.raw("README.md")]


def test_a_blob_that_does_not_match_its_sha_is_never_used_or_cached(repo, tmp_path):
    repo.serve()
    repo.srv.routes[Repo.raw("README.md")] = Reply(200, ROOT.replace(b"Kettles", b"Spoons"))
    cache = BlobCache(tmp_path / "cache")
    archive = GitHubArchive(cache=cache)
    with pytest.raises(BlobUnavailable, match="README.md.*does not match"):
        archive.read("README.md")
    assert "does not match" in archive.failed["README.md"]
    assert cache.get(git_blob_sha(ROOT)) is None
    assert cache.get(git_blob_sha(ROOT.replace(b"Kettles", b"Spoons"))) is None


def test_a_mismatching_blob_refuses_the_build_and_keeps_the_current_data(repo, built):  # noqa: F811
    repo.files = _fixture_files()
    page = "Meetups/Meetup_2/README.md"
    repo.srv.routes[Repo.raw(page)] = Reply(200, repo.files[page] + b"\nInjected line\n")
    repo.serve()
    _refused_and_intact(built, _build(built, "github"), page, "does not match")


def test_a_truncated_tree_is_refused_unless_the_user_allows_it(repo, built):  # noqa: F811
    repo.files = _fixture_files()
    repo.truncated = True
    repo.serve()
    _refused_and_intact(built, _build(built, "github"), "truncated", "--allow-shrink")
    r = _build(built, "github", "--allow-shrink")
    assert r.exit_code == 0, r.output
    assert "accepted with --allow-shrink" in _out(r) and "truncated" in _out(r)


def test_a_rate_limit_names_when_it_resets_and_the_token(repo, monkeypatch):
    reset = int(time.time()) + 1800
    limited = Reply(403, b'{"message": "API rate limit exceeded"}',
                    {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
    repo.srv.routes[TREE] = limited
    with pytest.raises(ArchiveUnavailable) as e:
        GitHubArchive()
    when = time.strftime("%H:%M UTC", time.gmtime(reset))
    assert f"resets at {when}" in str(e.value) and "set GITHUB_TOKEN" in str(e.value)
    assert "in 30 min" in str(e.value) or "in 29 min" in str(e.value)
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")  # a token's own limit: no "set GITHUB_TOKEN"
    with pytest.raises(ArchiveUnavailable) as e:
        GitHubArchive()
    assert f"resets at {when}" in str(e.value) and "GITHUB_TOKEN's" in str(e.value)
    assert "set GITHUB_TOKEN" not in str(e.value)


@pytest.mark.parametrize("path", ["./README.md", "Meetups//README.md", "/README.md",
                                  "Meetups/../README.md", "Meetups/./Meetup_9/README.md",
                                  "Meetups/Meetup_9/README.md/"])
def test_tree_paths_git_cannot_hold_are_skipped_with_a_note(repo, path):
    repo.entries = [{"path": path, "type": "blob", "sha": "a" * 40}]
    repo.serve()
    archive = GitHubArchive()
    assert archive.files() == ["Meetups/Meetup_3/README.md", "README.md"]
    assert any(path in n and "skipped" in n for n in archive.notes)


def test_a_huge_readme_is_refused_naming_it_without_reading_it_all(repo, monkeypatch):
    monkeypatch.setattr(archive_mod, "README_MAX_BYTES", 1000)
    big = b"# Meetup 3\n" + b"words " * 2000
    repo.files["Meetups/Meetup_3/README.md"] = big
    repo.serve()
    archive = GitHubArchive()
    with pytest.raises(BlobUnavailable, match="Meetups/Meetup_3/README.md.*too large"):
        archive.read("Meetups/Meetup_3/README.md")
    assert not [s for s in repo.srv.seen if "Meetup_3" in s.path]  # the tree said its size
    # A tree without sizes: the download is cut at the cap.
    body = json.loads(repo.srv.routes[TREE].body)
    for e in body["tree"]:
        del e["size"]
    repo.srv.routes[TREE] = Reply(200, json.dumps(body).encode())
    archive = GitHubArchive()
    with pytest.raises(BlobUnavailable, match="Meetups/Meetup_3/README.md"):
        archive.read("Meetups/Meetup_3/README.md")
    assert "1,000" in archive.failed["Meetups/Meetup_3/README.md"]
    assert archive.read("README.md") == ROOT  # a README under the cap is read
