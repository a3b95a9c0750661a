"""Import arXiv's metadata snapshot (JSON lines, plain or gzip) into the field, filtered.

The snapshot is the file researchers download (Kaggle's "arxiv" dataset,
``arxiv-metadata-oai-snapshot.json``): one JSON object per line with ``id, submitter,
authors, title, comments, journal-ref, doi, report-no, categories, license, abstract,
versions[{version, created}], update_date, authors_parsed``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from embeddings.encoder import text_hash
from explorer.store.fieldstore import FieldStore

# arXiv's machine-learning neighbourhood: what `field import` keeps unless told otherwise.
DEFAULT_CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "cs.NE", "cs.IR", "cs.RO",
                      "stat.ML", "cs.SD", "eess.AS", "eess.IV")
BATCH = 2000  # records per transaction (and per checkpoint)
# arXiv's records are a few kB (the largest, with thousands of authors, a few hundred kB): a
# longer line is damage, skipped as malformed without ever holding more than this in memory.
MAX_LINE = 4_000_000
_WS = re.compile(r"\s+")


class SnapshotError(Exception):
    """The snapshot cannot be read at all (missing file, not JSON lines, bad filter)."""


def clean(text: str) -> str:
    """arXiv's titles and abstracts are hard-wrapped: one line, single spaces."""
    return _WS.sub(" ", text).strip()


def field_text(title: str, abstract: str) -> str:
    """The text a field paper is embedded as (the same composition as a cited paper)."""
    return f"{title}. {abstract}" if abstract else title


def parse_categories(spec: str | Iterable[str] | None) -> frozenset[str] | None:
    """"cs.LG,cs.CL" -> that set; "all" -> None (no filter); None -> the defaults.

    An archive name without a dot ("cs", "stat") keeps all of its categories.
    """
    if spec is None:
        return frozenset(DEFAULT_CATEGORIES)
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s]
    if items == ["all"]:
        return None
    bad = [s for s in items if not re.fullmatch(r"[a-z\-]+(\.[A-Za-z\-]+)?", s)]
    if bad or not items:
        raise SnapshotError(f"not an arXiv category: {', '.join(bad) or '(empty)'} "
                            "(e.g. cs.LG,stat.ML, an archive such as cs, or all)")
    return frozenset(items)


def wanted(categories: list[str], keep: frozenset[str] | None) -> bool:
    if keep is None:
        return True
    return any(c in keep or c.split(".")[0] in keep for c in categories)


def first_version_date(record: dict) -> str | None:
    """YYYY-MM-DD of version 1 ("Mon, 2 Apr 2007 19:18:42 GMT"), else the update date."""
    for v in record.get("versions") or []:
        created = v.get("created") if isinstance(v, dict) else None
        if created:
            try:
                return datetime.strptime(created, "%a, %d %b %Y %H:%M:%S %Z").date().isoformat()
            except ValueError:
                continue
    upd = record.get("update_date")
    return upd if isinstance(upd, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", upd) else None


def to_row(record: object) -> tuple:
    """A snapshot record as a `FieldStore` papers row.

    Raises:
        TypeError, ValueError: the record lacks an id, a title or has fields of the wrong type.
    """
    if not isinstance(record, dict):
        raise TypeError(f"expected a JSON object, got {type(record).__name__}")
    for key in ("id", "title", "categories"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise ValueError(f"missing or empty {key!r}")
    for key in ("abstract", "authors", "doi", "journal-ref", "comments", "license",
                "update_date"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"{key!r} is not a string")
    title, abstract = clean(record["title"]), clean(record.get("abstract") or "")
    return (record["id"].strip(), title, abstract, clean(record.get("authors") or ""),
            clean(record["categories"]), first_version_date(record), record.get("update_date"),
            record.get("doi"), record.get("journal-ref"), record.get("comments"),
            record.get("license"), text_hash(field_text(title, abstract)))


@dataclass
class ImportReport:
    """What an import did: lines read, papers added / updated / filtered out, bad lines."""

    path: str
    lines: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    filtered: int = 0
    malformed: int = 0
    resumed_at: int = 0
    errors: list[str] = field(default_factory=list)  # the first MAX_ERRORS "path:line: why"

    MAX_ERRORS = 20

    def summary(self) -> str:
        resumed = f" (resumed after line {self.resumed_at})" if self.resumed_at else ""
        return (f"{self.path}: {self.lines} lines read{resumed}: {self.added} papers added, "
                f"{self.updated} updated, {self.unchanged} unchanged, {self.filtered} "
                f"outside the filter, {self.malformed} malformed lines skipped")


def _source_key(path: Path, keep: frozenset[str] | None, since: str | None) -> str:
    st = path.stat()
    cats = "all" if keep is None else ",".join(sorted(keep))
    return f"{path.resolve()}|{st.st_size}|{int(st.st_mtime)}|{cats}|{since or ''}"


def _open(path: Path):
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")


def import_snapshot(fs: FieldStore, path: str | os.PathLike, categories=None,
                    since: str | None = None, restart: bool = False,
                    progress: Callable[[int, int], object] | None = None,
                    batch: int = BATCH) -> ImportReport:
    """Stream a snapshot into the field: new ids inserted, newer versions replace older.

    Idempotent (the same file again adds 0) and resumable: each batch commits with a
    checkpoint (line and byte offset), and the next import of the same file (same size,
    mtime and filters) continues from it; ``restart`` reads it from the start again.

    Args:
        fs: the field store.
        path: the snapshot (``.json``, or gzip whatever its name).
        categories: see `parse_categories` (default: `DEFAULT_CATEGORIES`).
        since: YYYY-MM-DD; keep papers whose first version is that day or later.
        progress: called with (bytes of the file read, lines read) after each batch.

    Raises:
        SnapshotError: no such file, or a bad filter.
    """
    path = Path(path)
    if not path.is_file():
        raise SnapshotError(f"no snapshot at {path} (download arxiv-metadata-oai-snapshot.json "
                            "from Kaggle's 'arxiv' dataset)")
    if since is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", since):
        raise SnapshotError(f"--since wants YYYY-MM-DD, got {since!r}")
    keep = parse_categories(categories)
    source = _source_key(path, keep, since)
    report = ImportReport(str(path))
    cp = None if restart else fs.checkpoint(source)
    state = {"lines": 0, "offset": 0, "added": 0, "updated": 0, "malformed": 0, "done": False}
    if cp:
        state.update({k: cp[k] for k in ("lines", "offset", "added", "updated", "malformed")})
        report.resumed_at = cp["lines"]
        if cp["done"]:
            state["done"] = True
    with _open(path) as f:
        if state["offset"]:
            f.seek(state["offset"])  # gzip seeks forward by decompressing: no JSON parsing
        pending: list[tuple] = []
        lineno = state["lines"]

        def flush(done: bool) -> None:
            state.update(lines=lineno, offset=offset, done=done)
            upsert(fs, pending, report, source, state)
            pending.clear()
            if progress:
                progress(_compressed_pos(f), lineno)

        def take(line: bytes) -> None:
            try:
                row = to_row(json.loads(line))
            except (TypeError, ValueError, RecursionError) as e:
                why = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
                _bad(report, state, f"{path}:{lineno}: {why}")
                return
            if not wanted(row[4].split(), keep) or (since and (row[5] or "") < since):
                report.filtered += 1
                return
            pending.append(row)
            if len(pending) >= batch:
                flush(False)

        offset = state["offset"]
        try:
            for line, size in _lines(f):
                lineno += 1
                offset += size
                report.lines += 1
                if size > len(line):
                    _bad(report, state, f"{path}:{lineno}: a line of {size:,} bytes, longer "
                                        f"than any arXiv record ({MAX_LINE:,}): skipped")
                    continue
                if line.strip():
                    take(line)
        except (EOFError, OSError, zlib.error) as e:  # a truncated or damaged file
            flush(False)  # what was read is kept (and the checkpoint points after it)
            raise SnapshotError(f"{path} ends early or is damaged after line {lineno} ({e}); "
                                "the papers up to there are kept (the field holds "
                                f"{fs.count():,}): download the snapshot again and import it") from e
        flush(True)
    return report


def _bad(report: ImportReport, state: dict, message: str) -> None:
    report.malformed += 1
    state["malformed"] += 1
    if len(report.errors) < ImportReport.MAX_ERRORS:
        report.errors.append(message)


def _lines(f) -> Iterator[tuple[bytes, int]]:
    """(line, its size in bytes) of a binary file; a line over MAX_LINE comes back empty
    with its real size (its bytes are read through, never kept)."""
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) <= MAX_LINE or line.endswith(b"\n"):
            yield line, len(line)
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = f.readline(1 << 20)
            if not line:
                break
            size += len(line)
        yield b"", size


def upsert(fs: FieldStore, rows: list[tuple], report, source: str | None = None,
           state: dict | None = None) -> None:
    """Insert new ids, replace rows whose update date is newer, count the rest unchanged;
    commit with the source's checkpoint ``state`` in one transaction (no checkpoint without
    a ``source``: the OAI harvest resumes from its last datestamp instead)."""
    have = fs.updated_of([r[0] for r in rows])
    inserts, updates, seen = [], [], {}
    for row in rows:  # of repeated ids in one batch the newest wins (the later one on a tie)
        old = seen.get(row[0])
        if old is None or (row[6] or "") >= (old[6] or ""):
            seen[row[0]] = row
    for pid, row in seen.items():
        if pid not in have:
            inserts.append(row)
        elif (row[6] or "") > (have[pid] or ""):
            updates.append(row)
        else:
            report.unchanged += 1
    report.unchanged += len(rows) - len(seen)
    report.added += len(inserts)
    report.updated += len(updates)
    if state is not None:
        state.update(added=state["added"] + len(inserts),
                     updated=state["updated"] + len(updates))
    fs.write_batch(inserts, updates, source, state)


def _compressed_pos(f) -> int:
    """Bytes of the file on disk read so far (for gzip: of the compressed stream)."""
    inner = getattr(f, "fileobj", None) or getattr(getattr(f, "_buffer", None), "raw", None)
    fobj = getattr(inner, "_fp", None) or getattr(inner, "fileobj", None) or inner
    try:
        return int((fobj or f).tell())
    except (OSError, ValueError, AttributeError):
        return 0
