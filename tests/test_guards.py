"""Guarded sources: a source that would lose the corpus is refused, the current one stays."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from fake_http import FakeServer, Reply
from typer.testing import CliRunner

from explorer.cli import app
from explorer.ingest.archive import git_blob_sha
from explorer.store import generations as gens

ARCHIVE = FIXTURES / "archive"
runner = CliRunner()


def _build(d: Path, source: str, *extra: str):
    return runner.invoke(app, ["build", "--source", source, "--data-dir", str(d),
                               "--model", "hashing-64", "--offline", *extra])


def _talks(d: Path) -> list[dict]:
    r = runner.invoke(app, ["talks", "--json", "--data-dir", str(d)])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _out(r) -> str:
    return " ".join(r.output.split())


@pytest.fixture
def built(tmp_path) -> Path:
    d = tmp_path / "d"
    assert _build(d, str(ARCHIVE)).exit_code == 0
    return d


def _refused_and_intact(d: Path, r, *words: str) -> None:
    before = gens.current_name(d)
    assert r.exit_code == 2, r.output
    assert "nothing was replaced" in _out(r)
    for w in words:
        assert w in _out(r), r.output
    assert gens.current_name(d) == before
    assert len(list((d / "generations").iterdir())) == 1  # the refused one left nothing


def test_an_empty_source_is_refused(built, tmp_path):
    talks = _talks(built)
    (tmp_path / "empty").mkdir()
    _refused_and_intact(built, _build(built, str(tmp_path / "empty")), "no meetups")
    assert _talks(built) == talks


def test_a_source_without_the_root_table_is_refused_unless_allowed(built, tmp_path):
    src = tmp_path / "noroot"
    shutil.copytree(ARCHIVE, src)
    (src / "README.md").unlink()
    _refused_and_intact(built, _build(built, str(src)), "no root README.md", "--allow-shrink")
    # A root README whose table is gone (here: replaced by prose) is refused the same way.
    (src / "README.md").write_text("# Meetups\n\nThe table moved elsewhere.\n")
    _refused_and_intact(built, _build(built, str(src)), "without a readable talks table")
    r = _build(built, str(src), "--allow-shrink")
    assert r.exit_code == 0, r.output
    assert "accepted with --allow-shrink" in _out(r)


def test_a_source_with_far_fewer_talks_is_refused_unless_allowed(built, tmp_path):
    src = tmp_path / "fewer"
    shutil.copytree(ARCHIVE, src)
    lines = (src / "README.md").read_text().splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("| 20")]
    drop = set(rows[: len(rows) // 2])
    (src / "README.md").write_text("\n".join(x for i, x in enumerate(lines) if i not in drop))
    for page in src.rglob("README.md"):
        if page.parent != src:
            page.unlink()
    n = len(_talks(built))
    _refused_and_intact(built, _build(built, str(src)), f"the current data has {n}", "90%")
    assert _build(built, str(src), "--allow-shrink").exit_code == 0
    assert len(_talks(built)) < 0.9 * n


def _described_archive(root: Path, pages: bool) -> Path:
    """Ten talks, all in the root table; with ``pages`` each meetup page gives abstracts."""
    subjects = {"a": "Counting owls in forest", "b": "Mapping moss on stone"}
    rows = "\n".join(f"| 2027-0{m}-01 | {m} | Ada Berg | {subjects[k]} {m} |"
                     for m in range(1, 6) for k in ("a", "b"))
    root.mkdir()
    (root / "README.md").write_text("| Date | # | Speaker | Topic |\n| --- | --- | --- | --- |\n"
                                    + rows + "\n")
    for m in range(1, 6) if pages else ():
        page = root / "Meetups" / f"Meetup_{m}"
        page.mkdir(parents=True)
        page.joinpath("README.md").write_text(f"# Meetup {m}\n\n" + "".join(
            f"### {subjects[k]} {m}\n\nWe study {subjects[k].lower()} with small models "
            f"and report what they find there.\n\n" for k in ("a", "b")))
    return root


def test_a_source_that_keeps_its_talks_table_but_lost_the_pages_is_refused(tmp_path):
    # the root table keeps every talk, so the talk count holds; the abstracts are gone
    d = tmp_path / "d"
    assert _build(d, str(_described_archive(tmp_path / "full", pages=True))).exit_code == 0
    assert sum(1 for t in _talks(d) if t["abstract"]) == 10
    bare = str(_described_archive(tmp_path / "bare", pages=False))
    _refused_and_intact(d, _build(d, bare), "0 talks with an abstract",
                        "the current data has 10", "meetup pages missing")
    assert _build(d, bare, "--allow-shrink").exit_code == 0
    assert len(_talks(d)) == 10 and not any(t["abstract"] for t in _talks(d))


# -- GitHub ------------------------------------------------------------------------------------
class FakeGitHubRepo:
    """The fixture archive served as the GitHub API's tree and raw blobs."""

    def __init__(self, srv: FakeServer, root: Path = ARCHIVE):
        self.srv = srv
        self.files = {p.relative_to(root).as_posix(): p.read_bytes()
                      for p in sorted(root.rglob("*")) if p.is_file()}
        self.extra_entries: list = []

    def serve(self) -> None:
        tree = [{"path": p, "type": "blob", "sha": git_blob_sha(b)} for p, b in self.files.items()]
        body = json.dumps({"tree": tree + self.extra_entries, "truncated": False}).encode()
        self.srv.routes["/api/repos/vdlm/meetups/git/trees/main"] = Reply(200, body)
        for p, b in self.files.items():
            self.srv.routes.setdefault(f"/raw/vdlm/meetups/main/{p.replace(' ', '%20')}",
                                       Reply(200, b))


@pytest.fixture
def github(monkeypatch):
    with FakeServer() as srv:
        monkeypatch.setenv("EXPLORER_GITHUB_API", srv.url + "/api")
        monkeypatch.setenv("EXPLORER_GITHUB_RAW", srv.url + "/raw")
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        repo = FakeGitHubRepo(srv)
        yield repo


def test_github_source_builds_through_the_configured_api(github, tmp_path):
    github.extra_entries = [{"path": 7, "type": "blob", "sha": "0" * 40},  # not a string
                            {"type": "blob", "sha": "1" * 40},
                            {"path": "../../etc/README.md", "type": "blob", "sha": "2" * 40}]
    github.serve()
    d = tmp_path / "d"
    r = _build(d, "github")
    assert r.exit_code == 0, r.output
    assert len(_talks(d)) == len(_talks(_local(tmp_path)))


def _local(tmp_path) -> Path:
    d = tmp_path / "local"
    assert _build(d, str(ARCHIVE)).exit_code == 0
    return d


def test_github_403_on_files_is_refused_naming_files_and_token(github, built):
    for p in github.files:
        if p.endswith("README.md") and p != "README.md":
            github.srv.routes[f"/raw/vdlm/meetups/main/{p.replace(' ', '%20')}"] = Reply(
                403, b"rate limited")
    github.serve()
    r = _build(built, "github")
    _refused_and_intact(built, r, "Meetups/Meetup_2/README.md (HTTP 403", "GITHUB_TOKEN")


def test_github_root_readme_that_fails_to_download_is_refused(github, built):
    github.srv.routes["/raw/vdlm/meetups/main/README.md"] = Reply(500, b"oops")
    github.serve()
    _refused_and_intact(built, _build(built, "github"), "README.md (HTTP 500")


def test_github_truncated_download_is_refused(github, built):
    github.srv.routes["/raw/vdlm/meetups/main/README.md"] = Reply(
        200, github.files["README.md"], truncate=100)
    github.serve()
    _refused_and_intact(built, _build(built, "github"), "README.md (127.0.0.1 closed the connection")


def test_github_dripping_downloads_end_the_build_in_bounded_time(github, built, monkeypatch):
    import time

    for p, b in github.files.items():
        github.srv.routes[f"/raw/vdlm/meetups/main/{p.replace(' ', '%20')}"] = Reply(
            200, b, drip=0.05)
    github.serve()
    monkeypatch.setenv("EXPLORER_HTTP_DEADLINE", "1")
    t0 = time.monotonic()
    r = _build(built, "github")
    assert time.monotonic() - t0 < 15  # one deadline, not one per file
    _refused_and_intact(built, r, "within the deadline", "not tried after")


def test_github_empty_tree_is_refused(github, built):
    github.files = {}
    github.serve()
    _refused_and_intact(built, _build(built, "github"), "no meetups")


def test_github_403_on_the_tree_mentions_the_token(github, built):
    github.srv.routes["/api/repos/vdlm/meetups/git/trees/main"] = Reply(403, b"limit")
    r = _build(built, "github")
    assert r.exit_code == 2 and "GITHUB_TOKEN" in _out(r) and "HTTP 403" in _out(r)


def test_github_token_is_not_sent_where_the_api_redirects(github, tmp_path, monkeypatch):
    github.serve()
    monkeypatch.setenv("GITHUB_TOKEN", "s3cret")
    with FakeServer() as other:
        other.routes["/tree"] = github.srv.routes["/api/repos/vdlm/meetups/git/trees/main"]
        github.srv.routes["/api/repos/vdlm/meetups/git/trees/main"] = Reply(
            301, b"", {"Location": other.url + "/tree"})
        assert _build(tmp_path / "d", "github").exit_code == 0
        assert [s.authorization for s in other.seen] == [None]
    api_calls = [s for s in github.srv.seen if s.path.startswith("/api/")]
    raw_calls = [s for s in github.srv.seen if s.path.startswith("/raw/")]
    assert {s.authorization for s in api_calls} == {"Bearer s3cret"}
    assert {s.authorization for s in raw_calls} == {None}


def test_github_cache_is_checked_on_read(github, tmp_path):
    github.serve()
    d = tmp_path / "d"
    assert _build(d, "github").exit_code == 0
    sha = git_blob_sha(github.files["README.md"])
    (d / "cache" / "github" / sha).write_bytes(b"damaged")
    github.srv.seen.clear()
    assert _build(d, "github").exit_code == 0
    assert [s.path for s in github.srv.seen if s.path.startswith("/raw/")] == [
        "/raw/vdlm/meetups/main/README.md"]  # only the damaged one is fetched again
    assert (d / "cache" / "github" / sha).read_bytes() == github.files["README.md"]


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_warning(tmp_path):
    import os

    src = tmp_path / "odd"
    shutil.copytree(ARCHIVE, src)
    os.makedirs(os.path.join(os.fsencode(src), b"Meetups", b"bad\xffname"))
    with open(os.path.join(os.fsencode(src), b"Meetups", b"bad\xffname", b"README.md"),
              "wb") as f:
        f.write(b"# Meetup 99\n")
    r = _build(tmp_path / "d", str(src))
    assert r.exit_code == 0, r.output
    assert "not UTF-8; skipped" in _out(r)


def test_explorer_notices_a_newer_build(built):
    import explorer

    ex = explorer.open(built)
    assert not ex.stale()
    assert _build(built, str(ARCHIVE)).exit_code == 0
    assert ex.stale() and ex.search("robots", k=2)  # still answers from its own build
    ex.close()
    ex = explorer.open(built)
    assert not ex.stale() and ex.generation == gens.current_name(built)
    ex.close()


def test_a_nul_in_the_root_readme_is_dropped_and_the_corpus_ingested(built, tmp_path):
    """The parser drops control characters with a warning (issue 11): the build goes through
    with (nearly) every talk, never refused, never a shrunken corpus."""
    src = tmp_path / "nul"
    shutil.copytree(ARCHIVE, src)
    data = (src / "README.md").read_bytes()
    cut = data.index(b"|")  # inside the talks table's first line
    (src / "README.md").write_bytes(data[:20] + b"\x00" + data[20:cut] + b"\x00\x07"
                                    + data[cut:])
    before = _talks(built)
    r = _build(built, str(src))
    assert r.exit_code == 0, r.output
    after = _talks(built)
    assert len(after) >= 0.95 * len(before)
    assert {t["id"] for t in after} >= {t["id"] for t in before} - {None}
