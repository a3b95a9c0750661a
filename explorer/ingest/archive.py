"""Archive sources: a local copy of github.com/vdlm/meetups, or that repository over HTTPS."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
import urllib.parse
from pathlib import Path
from typing import Protocol

from explorer import fetch
from explorer.ingest.keys import is_readme
from explorer.store import BlobCache

REPO = "vdlm/meetups"
DEFAULT_REF = "main"
TIMEOUT_S = 10.0
# The largest README read (the real pages are tens of kB): a bigger one is refused, not parsed.
README_MAX_BYTES = 10_000_000
_SHA = re.compile(r"^[0-9a-f]{40}$")  # a git blob id (sha-1, what git_blob_sha computes)
_TOKEN_HINT = ("GitHub limits unauthenticated use to 60 API calls an hour: set GITHUB_TOKEN "
               "(a token without scopes will do)")


class ArchiveUnavailable(Exception):
    """The archive cannot be read at all (no such directory, GitHub unreachable...)."""


class BlobUnavailable(Exception):
    """One file of the archive could not be fetched; the rest can still be read."""


class Archive(Protocol):
    name: str

    def files(self) -> list[str]: ...

    def read(self, path: str) -> bytes: ...


def wanted(path: str) -> bool:
    """README pages and PDFs are read; photos, posters' images and the rest are not.

    Example: 'Meetups/Meetup_5/README.md' -> True, 'Meetups/Meetup_5/img/a.jpg' -> False.
    """
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(".pdf") or is_page(path)


def is_page(path: str) -> bool:
    """A markdown page: a README anywhere; any other .md / .markdown file in a folder (a
    meetup's 'index.md', 'Meetups/Meetup_76.md'), but not the root's CONTRIBUTING.md or a
    hidden folder's templates. Example: 'Meetups/Meetup_76/index.md' -> True."""
    parts = path.split("/")
    name = parts[-1].lower()
    if name == "readme.md" or is_readme(path):
        return True
    return (len(parts) > 1 and name.endswith((".md", ".markdown"))
            and not any(p.startswith(".") for p in parts))


class LocalArchive:
    """A directory laid out like the GitHub repository (root README.md, Meetups/...)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        if not self.root.is_dir():
            raise ArchiveUnavailable(f"{self.root} is not a directory")
        self.name = str(self.root)
        self.notes: list[str] = []  # non-fatal oddities (a file name that is not UTF-8...)
        self.failed: dict[str, str] = {}  # wanted files that could not be read -> why

    def files(self) -> list[str]:
        """Archive-relative POSIX paths of README.md files and PDFs, sorted."""
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in filenames:
                rel = (Path(dirpath) / f).relative_to(self.root).as_posix()
                try:
                    rel.encode("utf-8")
                except UnicodeEncodeError:
                    shown = rel.encode("utf-8", "backslashreplace").decode()
                    self.notes.append(f"{shown}: file name is not UTF-8; skipped")
                    continue
                if wanted(rel):
                    out.append(rel)
        return sorted(set(out))

    def read(self, path: str) -> bytes:
        p = (self.root / path).resolve()
        if self.root.resolve() not in p.parents:
            raise BlobUnavailable(f"{path}: outside the archive")
        try:
            return p.read_bytes()
        except OSError as e:
            self.failed[path] = e.strerror or str(e)
            raise BlobUnavailable(f"{path}: {e.strerror or e}") from e


def git_blob_sha(data: bytes) -> str:
    """The sha git gives a file's content (what the trees API lists)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class GitHubArchive:
    """The vdlm/meetups repository over HTTPS, READMEs and PDFs only (the repo is mostly photos).

    The tree is listed once with the GitHub API; each wanted blob is downloaded from the raw
    host and kept in ``cache`` under its blob sha, so a second run downloads only what changed.
    """

    def __init__(self, cache: BlobCache | None = None, repo: str = REPO,
                 ref: str | None = None, api: str | None = None, raw: str | None = None,
                 timeout: float = TIMEOUT_S):
        self.repo = repo
        self.ref = ref or os.environ.get("EXPLORER_GITHUB_REF") or DEFAULT_REF
        self.api = (api or os.environ.get("EXPLORER_GITHUB_API") or "https://api.github.com")
        self.raw = (raw or os.environ.get("EXPLORER_GITHUB_RAW")
                    or "https://raw.githubusercontent.com")
        self.api, self.raw = self.api.rstrip("/"), self.raw.rstrip("/")
        self.cache = cache
        self.timeout = timeout
        self.name = f"github:{repo}@{self.ref}"
        self.downloads = 0  # blobs fetched over the network in this run (the rest were cached)
        self.notes: list[str] = []  # non-fatal oddities (a truncated tree listing...)
        self.failed: dict[str, str] = {}  # wanted files that could not be downloaded -> why
        self.incomplete = ""  # why the listing may lack files (the guard refuses it)
        self._sizes: dict[str, int] = {}  # blob sizes the tree listing gives
        self._stalled = ""  # the download that ran out of time, if one did
        self._shas = self._list_tree()

    def _get(self, url: str, accept: str | None = None, max_bytes: int | None = None) -> bytes:
        """The body of a 200 answer; anything else raises fetch.FetchError (status kind
        "http" with the code, and when a rate limit resets, in the message)."""
        headers = {"User-Agent": "vdlm-explorer"}
        if accept:
            headers["Accept"] = accept
        # The token goes to the API's origin only (never to a host a redirect names):
        # unauthenticated API calls are limited to 60 an hour per address.
        resp = fetch.get(url, headers, token=os.environ.get("GITHUB_TOKEN") or None,
                         token_origin=self.api, timeout=self.timeout, max_bytes=max_bytes)
        if resp.status != 200:
            raise fetch.FetchError("http", f"HTTP {resp.status} {resp.reason}".strip()
                                   + _rate_limit(resp.headers))
        return resp.body

    def _list_tree(self) -> dict[str, str]:
        url = f"{self.api}/repos/{self.repo}/git/trees/{urllib.parse.quote(self.ref)}?recursive=1"
        hint = "use a local copy instead: --source DIR (a clone of github.com/vdlm/meetups)"
        try:
            body = self._get(url, accept="application/vnd.github+json")
        except fetch.FetchError as e:
            if e.kind == "http":
                extra = _token_hint(str(e))
                raise ArchiveUnavailable(f"GitHub answered {e} for {url}{extra}; {hint}") from e
            raise ArchiveUnavailable(f"cannot list the repository at {self.api} ({e}); "
                                     f"{hint}") from e
        try:
            tree = json.loads(body)
            entries = tree["tree"]
            if not isinstance(entries, list):
                raise TypeError("'tree' is not a list")
        except (ValueError, KeyError, TypeError) as e:
            raise ArchiveUnavailable(f"unexpected tree listing from {url} ({e}); {hint}") from e
        if tree.get("truncated"):
            self.incomplete = ("GitHub truncated the repository's tree listing (more entries "
                               "than it lists at once): files may be missing")
        shas = {}
        for e in entries:  # anything but a well-formed blob entry is skipped, never a crash
            if not (isinstance(e, dict) and e.get("type") == "blob"):
                continue
            path, sha = e.get("path"), e.get("sha")
            if not (isinstance(path, str) and path):
                self.notes.append(f"tree entry without a usable path or sha: {str(e)[:80]}")
                continue
            try:
                path.encode("utf-8")
            except UnicodeEncodeError:
                shown = path.encode("utf-8", "backslashreplace").decode()[:80]
                self.notes.append(f"{shown}: file name is not UTF-8; skipped")
                continue
            # git never stores an empty, "." or ".." name: such a path is no repository file.
            if path.startswith("/") or {"", ".", ".."} & set(path.split("/")):
                self.notes.append(f"{path[:80]}: not a path inside the repository; skipped")
                continue
            if not wanted(path):
                continue
            if not (isinstance(sha, str) and _SHA.match(sha.lower())):
                # Never a cache file name or a download we could check.
                self.failed[path] = f"the tree listing gives no valid blob sha ({str(sha)[:20]!r})"
                continue
            shas[path] = sha.lower()
            if isinstance(e.get("size"), int):
                self._sizes[path] = e["size"]
        return shas

    def files(self) -> list[str]:
        return sorted(self._shas)

    def read(self, path: str) -> bytes:
        """The file's bytes, from the cache when its blob sha was downloaded before.

        Raises:
            BlobUnavailable: not in the tree, or the download failed (also in ``failed``).
        """
        sha = self._shas.get(path)
        if sha is None:
            raise BlobUnavailable(f"{path}: {self.failed.get(path, 'not in the repository tree')}")
        cap = README_MAX_BYTES if is_page(path) else None
        if cap is not None and self._sizes.get(path, 0) > cap:
            return self._fail(path, f"too large for a README ({self._sizes[path]:,} bytes, "
                                    f"more than {cap:,})")
        if self.cache is not None:
            cached = self.cache.get(sha)
            # Checked on read: a damaged cache file is downloaded again, never used.
            if cached is not None and git_blob_sha(cached) == sha:
                return cached
        if self._stalled:  # the build is refused anyway: do not wait on a stalled host again
            self.failed[path] = f"not tried after {self._stalled} ran out of time"
            raise BlobUnavailable(f"{path}: not downloaded ({self.failed[path]})")
        url = f"{self.raw}/{self.repo}/{urllib.parse.quote(self.ref)}/{urllib.parse.quote(path)}"
        limit = None if cap is None else min(cap, fetch.limits()[2])
        try:
            data = self._get(url, max_bytes=limit)
        except fetch.FetchError as e:
            if e.kind == "too_large" and limit is not None:
                return self._fail(path, f"too large for a README (more than {limit:,} bytes)")
            self.failed[path] = str(e)
            if e.kind in ("deadline", "timeout"):
                self._stalled = path
            raise BlobUnavailable(f"{path}: download failed ({e})") from e
        self.downloads += 1
        # Content that is not the blob the tree lists (the branch moved on, a proxy changed
        # it) would mix two versions of the archive: it is neither used nor cached.
        if git_blob_sha(data) != sha:
            return self._fail(path, f"downloaded content does not match its blob sha "
                                    f"{sha[:12]} (the repository changed during the build? "
                                    "run it again)")
        if self.cache is not None:
            self.cache.put(sha, data)
        return data

    def _fail(self, path: str, why: str) -> bytes:
        self.failed[path] = why
        raise BlobUnavailable(f"{path}: {why}")


def _rate_limit(headers: dict[str, str]) -> str:
    """' (rate limit used up; resets at 14:05 UTC, in 30 min)' from GitHub's headers, or ''."""
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") != "0" or not reset.isdigit():
        return ""
    minutes = max(0, math.ceil((int(reset) - time.time()) / 60))
    when = time.strftime("%H:%M UTC", time.gmtime(int(reset)))
    return f" (rate limit used up; resets at {when}, in {minutes} min)"


def _token_hint(error: str) -> str:
    """What to do about a 403 or 429 from the API: set a token, or the token is the limit."""
    if not error.startswith(("HTTP 403", "HTTP 429")):
        return ""
    if os.environ.get("GITHUB_TOKEN"):
        return "; GITHUB_TOKEN was sent: the limit is GITHUB_TOKEN's own, or it lacks access"
    return f"; {_TOKEN_HINT}"


def open_archive(source: str, cache: BlobCache | None = None) -> Archive:
    """The archive named by ``--source``: "github", or a directory.

    Args:
        source: "github" for the repository over HTTPS (base URLs from
            ``EXPLORER_GITHUB_API`` / ``EXPLORER_GITHUB_RAW``), else a local directory.
        cache: where GitHub downloads are kept by blob sha (``Store.github_cache()``).

    Returns:
        An object with ``name``, ``files()`` and ``read(path)``.

    Raises:
        ArchiveUnavailable: the directory does not exist or GitHub cannot be reached.
    """
    if source == "github":
        return GitHubArchive(cache=cache)
    return LocalArchive(source)
