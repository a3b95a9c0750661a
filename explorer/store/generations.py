"""The data dir's generations: each build writes a whole one, a pointer file names the current.

Layout under the data dir::

    CURRENT                  the current generation's name (replaced atomically, after fsync)
    generations/<name>/      explorer.sqlite, index/, generation.json (written last: complete)
    cache/github/<sha>       downloads shared by every generation, checked against their sha
    writer.lock              flock-ed by the one process writing (build, ingest, papers, rollback)
    explorer.sqlite, index/  the layout before generations: read in place, adopted by a build
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

POINTER = "CURRENT"
GENERATIONS = "generations"
MANIFEST = "generation.json"
LOCK = "writer.lock"
DB_NAME = "explorer.sqlite"
KEEP_PREVIOUS = 2  # generations kept besides the current one (for `explorer rollback`)
_NAME = re.compile(r"^g(\d{6})-\d{8}T\d{6}Z$")


class StoreError(Exception):
    """The data dir cannot be used as it is (wrong schema, corrupt file...)."""


class WriterBusy(StoreError):
    """Another process holds the data dir's writer lock."""


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op where directories cannot sync)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)  # mkstemp's 0600 would lock out readers of the data
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def hint(data_dir: object) -> str:
    """What to run when a generation is damaged."""
    return (f"run `explorer rollback --data-dir {data_dir}` to go back to the previous build, "
            f"or `explorer build --source DIR|github --data-dir {data_dir}` to build afresh")


def default_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """``data_dir`` if given, else ``$EXPLORER_DATA_DIR``, else ``data/``."""
    return Path(data_dir or os.environ.get("EXPLORER_DATA_DIR") or "data")


class BlobCache:
    """Content-addressed file cache (the GitHub archive's downloads)."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        safe = "".join(c for c in key if c.isalnum() or c in "-_.")
        return self.root / safe

    def get(self, key: str) -> bytes | None:
        p = self._path(key)
        return p.read_bytes() if p.exists() else None

    def put(self, key: str, data: bytes) -> None:
        atomic_write_bytes(self._path(key), data)


def github_cache(data_dir: str | os.PathLike | None = None) -> BlobCache:
    """The data dir's cache of GitHub downloads (by git blob sha)."""
    return BlobCache(default_data_dir(data_dir) / "cache" / "github")


# -- reading -----------------------------------------------------------------------------------
def current_name(data_dir: Path) -> str | None:
    """The current generation's name, or None (no pointer: a new or an old-layout data dir)."""
    try:
        name = (Path(data_dir) / POINTER).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise StoreError(f"{Path(data_dir) / POINTER} cannot be read ({e}); "
                         + hint(data_dir)) from e
    if not _NAME.match(name):
        raise StoreError(f"{Path(data_dir) / POINTER} names no generation ({name[:40]!r}); "
                         + hint(data_dir))
    return name


def _current_or_none(data_dir: Path) -> str | None:
    """The current name, None also when the pointer is damaged (a writer replaces it)."""
    try:
        return current_name(data_dir)
    except StoreError:
        return None


def is_generation(path: Path) -> bool:
    """Whether ``path`` is a complete generation directory."""
    return (Path(path) / MANIFEST).is_file()


def resolve(data_dir: Path) -> tuple[Path, Path, str | None] | None:
    """(data dir root, directory holding the database, generation name) to read, or None.

    ``data_dir`` may be the data dir (its current generation, else the old layout's files
    at its top) or one generation's directory (that generation).
    """
    d = Path(data_dir)
    if is_generation(d) and d.parent.name == GENERATIONS:
        return d.parent.parent, d, d.name
    name = current_name(d)
    if name is not None:
        return d, d / GENERATIONS / name, name
    if (d / DB_NAME).exists():
        return d, d, None
    return None


def manifest(path: Path) -> dict:
    """A generation's manifest ({} when unreadable)."""
    try:
        return json.loads((Path(path) / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def generations(data_dir: Path) -> list[dict]:
    """Every complete generation, oldest first: {name, path, current, **manifest}."""
    d = Path(data_dir)
    cur = _current_or_none(d)
    out = []
    for p in sorted((d / GENERATIONS).glob("g*")):
        if _NAME.match(p.name) and is_generation(p):
            out.append({**manifest(p), "name": p.name, "path": str(p), "current": p.name == cur})
    return out


# -- writing (only while holding the WriterLock) -----------------------------------------------
def _next_name(data_dir: Path) -> str:
    seqs = [int(m.group(1)) for p in (Path(data_dir) / GENERATIONS).glob("g*")
            if (m := _NAME.match(p.name))]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"g{max(seqs, default=0) + 1:06d}-{stamp}"


def begin(data_dir: Path) -> Path:
    """A new, empty generation directory (incomplete until `commit`)."""
    path = Path(data_dir) / GENERATIONS / _next_name(data_dir)
    path.mkdir(parents=True)
    fsync_dir(path.parent)
    return path


def commit(data_dir: Path, path: Path, info: dict, keep: int | None = None) -> str:
    """Mark a generation complete and make it current (one atomic rename), then prune."""
    d = Path(data_dir)
    for f in path.rglob("*"):  # everything the generation holds is on disk before the switch
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    info = {**info, "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    atomic_write_bytes(path / MANIFEST, json.dumps(info, indent=2).encode())
    atomic_write_bytes(d / POINTER, f"{path.name}\n".encode())
    prune(d, keep)
    return path.name


def prune(data_dir: Path, keep: int | None = None) -> list[str]:
    """Remove incomplete generations (left by killed builds) and all but ``keep`` previous ones."""
    d = Path(data_dir)
    if keep is None:
        keep = int(os.environ.get("EXPLORER_KEEP_GENERATIONS") or KEEP_PREVIOUS)
    keep = max(1, keep)
    cur = current_name(d)
    removed = []
    others = []
    for p in sorted((d / GENERATIONS).glob("*")):
        if p.name == cur:
            continue
        if not (_NAME.match(p.name) and is_generation(p)):
            removed.append(p)
        else:
            others.append(p)
    removed += others[:-keep]
    for p in removed:
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    return [p.name for p in removed]


def rollback(data_dir: Path, to: str | None = None) -> tuple[str, str]:
    """Make an earlier complete generation current; returns (from, to) names."""
    d = Path(data_dir)
    gens = generations(d)
    cur = _current_or_none(d)
    if to is None:
        older = [g for g in gens if cur is None or g["name"] < cur]
        if not older:
            raise StoreError(f"no earlier generation in {d} to roll back to "
                             f"(generations: {', '.join(g['name'] for g in gens) or 'none'})")
        to = older[-1]["name"]
    elif to not in {g["name"] for g in gens}:
        raise StoreError(f"no complete generation {to!r} in {d} (see `explorer generations`)")
    atomic_write_bytes(d / POINTER, f"{to}\n".encode())
    return cur or "", to


def link_or_copy(src: Path, dst: Path) -> None:
    """Put ``src`` at ``dst`` as a hard link (a copy where links fail, e.g. across disks).

    Safe because a writer replaces files, never edits them in place.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def adopt_old_layout(data_dir: Path) -> str | None:
    """Turn an old-layout data dir (explorer.sqlite and index/ at the top) into a generation.

    The files are hard-linked into the generation first, so a reader finds them at every
    moment; the top-level names go only once the pointer names the generation.
    """
    import sqlite3

    d = Path(data_dir)
    db = d / DB_NAME
    if (d / POINTER).exists() or not db.exists():
        return None
    # A hot journal beside the old database belongs to it: let SQLite roll it back first.
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError:
        pass
    finally:
        conn.close()
    path = begin(d)
    moved = [db] + sorted((d / "index").glob("*.faiss")) + sorted((d / "index").glob("*.json"))
    for src in moved:
        link_or_copy(src, path / src.relative_to(d))
    name = commit(d, path, {"adopted": "the data dir's files from before generations"})
    for src in moved:
        src.unlink(missing_ok=True)
    return name


class WriterLock:
    """The data dir's one-writer lock (``flock``: the kernel drops it when the holder dies).

    Args:
        data_dir: the data dir.
        what: what the holder does ("build", "papers"...), shown to whoever waits.
        wait: seconds to wait for a running writer; 0 fails at once.

    Raises:
        WriterBusy: another process still holds the lock after ``wait`` seconds.
    """

    def __init__(self, data_dir: Path, what: str, wait: float = 0.0):
        self.path = Path(data_dir) / LOCK
        self.what, self.wait = what, wait
        self._fd: int | None = None

    def __enter__(self) -> Self:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:  # a read-only data dir, a missing mount: name it, no traceback
            raise StoreError(f"cannot write to {self.path.parent} ({e.strerror or e}): a "
                             "writing command needs a writable data dir") from e
        deadline = time.monotonic() + max(0.0, self.wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    os.close(fd)
                    raise WriterBusy(
                        f"{self.path.parent} is being written by another process ({holder}); "
                        "wait for it to finish, or pass --wait SECONDS") from None
                time.sleep(0.1)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "what": self.what,
                "command": " ".join(sys.argv)[:300],
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    def holder(self) -> str:
        """Who holds the lock, as far as its file says."""
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            info = {}
        if not info:
            return "starting up"
        return (f"`explorer {info.get('what', '?')}`, pid {info.get('pid')} on "
                f"{info.get('host')}, since {info.get('since')}")

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
