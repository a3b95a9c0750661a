"""One writer at a time: a new generation built beside the current one, made current when whole.

Example:
    >>> with Writer("data", "papers") as w:        # takes the data dir's writer lock
    ...     store = w.begin()                      # a copy of the current generation
    ...     fetch_papers(store)
    ...     w.commit({"what": "papers"})           # the one atomic step readers can see
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import explorer.store.generations as gens
from embeddings.index import IndexMismatch, IndexMissing
from explorer.store.database import Store, default_data_dir
from explorer.store.generations import StoreError, WriterLock
from explorer.store.vectorcache import VectorCache

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")


class Writer:
    """The writer lock, the current generation (read-only) and the one being built.

    Leaving the ``with`` block without `commit` (an error, a refused source, Ctrl-C)
    removes the new generation: the current one stays as it was.

    Args:
        data_dir: the data dir (default as `Store.open`).
        what: the command, shown to a second writer ("build", "papers", ...).
        wait: seconds to wait for a running writer (0: fail at once with `WriterBusy`).
    """

    def __init__(self, data_dir: str | os.PathLike | None, what: str, wait: float = 0.0):
        self.data_dir = default_data_dir(data_dir)
        self.what = what
        self.lock = WriterLock(self.data_dir, what, wait)
        self.previous: Store | None = None
        self.previous_error: str | None = None  # why the current generation cannot be read
        self.store: Store | None = None
        self._path: Path | None = None

    def __enter__(self) -> Self:
        self.lock.__enter__()
        try:
            gens.adopt_old_layout(self.data_dir)
            try:
                self.previous = Store.open(self.data_dir, create=False)
                self.previous.talk_count()
            except StoreError as e:
                self._close_previous()
                d = self.data_dir
                if (d / gens.POINTER).exists() or (d / gens.DB_NAME).exists():
                    self.previous_error = str(e)  # damaged, not new: built afresh
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise
        return self

    def _close_previous(self) -> None:
        if self.previous is not None:
            self.previous.close()
            self.previous = None

    def previous_talks(self) -> int | None:
        """Talk slots in the current generation (None: there is none, or it is unreadable)."""
        return self.previous.talk_count() if self.previous is not None else None

    def previous_abstracts(self) -> int | None:
        """Talks with an abstract in the current generation (None: there is none)."""
        if self.previous is None:
            return None
        return self.previous.conn.execute(
            "SELECT count(*) FROM talks WHERE abstract != ''").fetchone()[0]

    def begin(self) -> Store:
        """A writable store on a new generation: a copy of the current one (papers, topics
        and cached vectors carry over) or, without one, an empty database."""
        self._path = gens.begin(self.data_dir)
        if self.previous is not None:
            self.store = self.previous.copy_to(self._path)
            self.store.move_vectors_to_cache()
            # The index comes along (hard links: a writer replaces files, never edits them),
            # so `explorer papers` that changed nothing leaves search working.
            for src in sorted((self.previous.path / "index").glob("*")):
                if src.suffix in (".faiss", ".json"):
                    gens.link_or_copy(src, self._path / "index" / src.name)
        else:
            self.store = Store.open_at(self.data_dir, self._path, self._path.name,
                                       readonly=False, create=True)
        return self.store

    def commit(self, info: dict | None = None) -> str:
        """Make the new generation current (and prune old ones); returns its name."""
        if self.store is None or self._path is None:
            raise RuntimeError("commit() without begin()")
        info = {"what": self.what, "talks": self.store.talk_count(), **(info or {})}
        self.store.close()
        self.store = None
        name = gens.commit(self.data_dir, self._path, info)
        self._path = None
        prune_vector_cache(self.data_dir)
        return name

    def __exit__(self, *exc) -> None:
        try:
            if self.store is not None:
                self.store.close()
            if self._path is not None:  # not committed: it never became current
                shutil.rmtree(self._path, ignore_errors=True)
            self._close_previous()
        finally:
            self.lock.__exit__(*exc)


def prune_vector_cache(data_dir: Path) -> int:
    """Drop the shared cache's vectors that no kept generation indexes (called by the writer
    after a commit). Each build lists its texts in its index manifest (``text_hashes``); if
    a kept generation has no such list (built before it existed), nothing is dropped; a
    cache that cannot be pruned now (locked, damaged) is left for the next commit: the
    build it follows has already succeeded."""
    keep: set[tuple[str, str]] = set()
    for g in gens.generations(data_dir):
        manifest = Path(g["path"]) / "index" / "items.json"
        if not manifest.is_file():
            continue  # an ingest without an index embeds nothing
        try:
            m = json.loads(manifest.read_text())
            keep |= {(m["model"], h) for h in m["text_hashes"]}
        except (OSError, ValueError, KeyError, TypeError):
            return 0  # unknown texts: keep everything
    cache = VectorCache(data_dir, readonly=False)
    try:
        return cache.retain(keep) if keep else 0
    except sqlite3.Error:  # busy or damaged: housekeeping waits for the next commit
        return 0
    finally:
        cache.close()


def rollback(data_dir: str | os.PathLike | None = None, to: str | None = None,
             wait: float = 0.0) -> tuple[str, str]:
    """Make the previous (or a named) complete generation current; (from, to) names."""
    d = default_data_dir(data_dir)
    if not d.is_dir():  # not created by a rollback: there is nothing to go back to
        raise StoreError(f"no data dir at {d}: build one with `explorer build`")
    with WriterLock(d, "rollback", wait):
        return gens.rollback(d, to)


def list_generations(data_dir: str | os.PathLike | None = None) -> list[dict]:
    """Every complete generation of a data dir, oldest first (see `generations.generations`)."""
    return gens.generations(default_data_dir(data_dir))


def moved_on(store: Store) -> bool:
    """Whether the data dir's current generation is no longer the one ``store`` reads."""
    try:
        return (store.generation is not None
                and Store.current_generation(store.data_dir) != store.generation)
    except StoreError:
        return False


def read_current(data_dir: str | os.PathLike | None, load: Callable[[Store], T]) -> tuple[Store, T]:
    """(read-only store of the current generation, ``load(store)``), read from one generation.

    A build may switch generations (and prune an old one) while this reads: the pointer is
    read again and the whole read retried when the generation is no longer the current one.
    A damaged database becomes a StoreError that names `explorer rollback` and `build`.
    """
    for attempt in range(3):
        last = attempt == 2
        try:
            store = Store.open(data_dir, create=False)
        except StoreError:
            if last or gens.resolve(default_data_dir(data_dir)) is None:
                raise
            time.sleep(0.05)  # the generation just read may have been pruned: look again
            continue
        try:
            return store, load(store)
        except sqlite3.DatabaseError as e:
            store.close()
            if last or not moved_on(store):
                raise StoreError(f"the database of {store.data_dir} is damaged ({e}); "
                                 + gens.hint(store.data_dir)) from e
        except (StoreError, IndexMismatch, IndexMissing):
            store.close()
            if last or not moved_on(store):
                raise
        except BaseException:
            store.close()
            raise
    raise AssertionError("unreachable")  # pragma: no cover
