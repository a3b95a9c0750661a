"""Keep the field current through arXiv's OAI-PMH interface (the `sickle` client).

``ListRecords`` with metadataPrefix ``arXiv``, one OAI set per archive of the wanted
categories (cs, stat, eess, ...), from a date on; resumption tokens are followed by sickle,
and a ``503`` with ``Retry-After`` is waited out and retried (up to `MAX_WAIT`; every request is
bounded by `explorer.fetch`'s deadline and size cap; a resumption token named twice ends
the harvest instead of repeating its pages forever). Records go through the same upsert as
the snapshot import, dated by their header's datestamp when it is later than ``<updated>``
(a metadata change without a new version). The endpoint is ``$EXPLORER_OAI_URL``, else
arXiv's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date

from explorer.field.snapshot import ImportReport, parse_categories, to_row, upsert, wanted
from explorer.store.fieldstore import FieldStore

OAI_URL = "https://oaipmh.arxiv.org/oai"
MAX_WAIT = 60.0  # a Retry-After longer than this ends the harvest (what came so far is kept)
ARXIV_NS = "{http://arxiv.org/OAI/arXiv/}"
BATCH = 500
# Archives whose OAI set is the archive name; the other (physics) archives are
# "physics:<archive>".
_TOP_SETS = {"cs", "math", "stat", "eess", "econ", "q-bio", "q-fin", "physics"}


class HarvestError(Exception):
    """The OAI server could not be harvested (unreachable, HTTP error, bad XML)."""


class _Answer:
    """What sickle reads of a `requests` response, made from a bounded `explorer.fetch` one."""

    def __init__(self, resp):
        self.status_code, self.headers, self.content = resp.status, resp.headers, resp.body
        self.encoding = None
        self.url = resp.url

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HarvestError(f"{self.url} answered HTTP {self.status_code}")


def _client(endpoint: str, max_retries: int, max_wait: float):
    """A sickle client whose every request goes through `explorer.fetch.get` (an overall
    deadline and a size cap, like GitHub and arXiv) and whose 503 waits are capped."""
    from urllib.parse import urlencode

    from sickle import Sickle

    from explorer import fetch

    class Bounded(Sickle):
        tokens: set[str]  # every resumption token a page named (per client)

        def _request(self, kwargs):
            sep = "&" if "?" in self.endpoint else "?"
            try:
                answer = _Answer(fetch.get(self.endpoint + sep + urlencode(kwargs)))
            except fetch.FetchError as e:
                raise HarvestError(f"OAI-PMH request to {self.endpoint} failed ({e.kind}): "
                                   f"{e}") from e
            if answer.status_code == 200:  # sickle parses leniently: a cut page would pass
                from lxml import etree

                try:
                    root = etree.fromstring(answer.content)
                except etree.XMLSyntaxError as e:
                    raise HarvestError(f"{self.endpoint} answered truncated or invalid "
                                       f"OAI-PMH XML ({e})") from e
                self._check_token(root)
            return answer

        def _check_token(self, root) -> None:
            """A token named a second time would repeat its pages forever: refused."""
            el = root.find(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken")
            token = (el.text or "").strip() if el is not None else ""
            if not token:
                return
            if token in self.tokens:
                raise HarvestError(f"{self.endpoint} named the resumptionToken {token!r} "
                                   "again: its pages would repeat forever (a server bug); "
                                   "run `explorer field harvest` again later")
            self.tokens.add(token)

        def get_retry_after(self, http_response):
            raw = http_response.headers.get("retry-after", "")
            try:
                wait = float(raw) if raw else float(self.default_retry_after)
            except ValueError:
                wait = float(self.default_retry_after)  # an HTTP date or junk: the default
            if wait > max_wait:
                raise HarvestError(f"{self.endpoint} asks to wait {wait:.0f} s (Retry-After), "
                                   f"more than the {max_wait:.0f} s allowed: run `explorer "
                                   "field harvest` again later")
            return max(0.0, wait)

    client = Bounded(endpoint, max_retries=max_retries, default_retry_after=10)
    client.tokens = set()
    return client


def oai_url() -> str:
    return os.environ.get("EXPLORER_OAI_URL") or OAI_URL


def oai_sets(keep: frozenset[str] | None) -> list[str | None]:
    """The OAI sets covering the wanted categories ([None]: everything)."""
    if keep is None:
        return [None]
    archives = sorted({c.split(".")[0] for c in keep})
    return [a if a in _TOP_SETS else f"physics:{a}" for a in archives]


def record_dict(meta, datestamp: str | None = None) -> dict:
    """An ``<arXiv>`` metadata element as a snapshot-style record (see snapshot.to_row).

    Its update date is the later of ``<updated>`` (the last version's) and the header's
    ``datestamp``: arXiv changes metadata (a corrected title, a journal reference) without
    a new version, and only the datestamp says so; the change must replace the stored row.
    """
    def text(tag: str) -> str | None:
        el = meta.find(ARXIV_NS + tag)
        return el.text if el is not None and el.text is not None else None

    authors = []
    for a in meta.iter(ARXIV_NS + "author"):
        parts = [a.findtext(ARXIV_NS + t) for t in ("forenames", "keyname", "suffix")]
        authors.append(" ".join(p.strip() for p in parts if p and p.strip()))
    created = text("created")
    stamp = (datestamp or "")[:10]
    stamp = stamp if re.fullmatch(r"\d{4}-\d\d-\d\d", stamp) else None
    versions = []
    if created and re.fullmatch(r"\d{4}-\d\d-\d\d", created):
        d = date.fromisoformat(created)
        versions = [{"version": "v1", "created": d.strftime("%a, %d %b %Y 00:00:00 GMT")}]
    return {"id": text("id"), "title": text("title"), "abstract": text("abstract"),
            "authors": ", ".join(authors), "categories": text("categories"),
            "comments": text("comments"), "journal-ref": text("journal-ref"),
            "doi": text("doi"), "license": text("license"), "versions": versions,
            "update_date": max((d for d in (text("updated") or created, stamp) if d),
                               default=None)}


def harvest(fs: FieldStore, from_date: str | None = None, categories=None,
            endpoint: str | None = None, max_retries: int = 5, max_wait: float = MAX_WAIT,
            progress: Callable[[int], object] | None = None) -> ImportReport:
    """Add and update field papers from OAI-PMH records changed since ``from_date``.

    Args:
        from_date: YYYY-MM-DD, not in the future; None: the day of the last harvest of
            this endpoint and these categories (or everything the server has, the first
            time). A date past that day leaves it where it was (the days between are
            still read by the next harvest without ``from_date``).
        categories: as for `explorer field import`.
        endpoint: the OAI base URL (default: `oai_url()`).
        max_retries: 503 answers to wait out (their Retry-After) before giving up.
        max_wait: the longest Retry-After waited out; a longer one ends the harvest.
        progress: called with the number of records read after each batch.

    Raises:
        HarvestError: the server failed or answered something that is not OAI-PMH.
    """
    from requests import RequestException
    from sickle.oaiexceptions import NoRecordsMatch, OAIError

    if from_date is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", from_date):
        raise HarvestError(f"--from wants YYYY-MM-DD, got {from_date!r}")
    if from_date is not None and from_date > date.today().isoformat():
        raise HarvestError(f"--from {from_date} is in the future: nothing can have changed "
                           "since then")
    keep = parse_categories(categories)
    endpoint = endpoint or oai_url()
    cats = "all" if keep is None else ",".join(sorted(keep))
    mark = f"oai_last|{endpoint}|{cats}"
    last = fs.get_meta(mark)
    # A --from past the mark skips the days between: the mark stays, so the next plain
    # harvest still reads them (moving it would lose them for good).
    gap = from_date is not None and last is not None and from_date > last
    from_date = from_date or last
    report = ImportReport(endpoint)
    # No checkpoint row (the snapshot import's): a harvest resumes from ``mark``, the last
    # datestamp of a harvest that finished, since a half-done one's latest datestamp may
    # already be past records of a set it has not read yet.
    client = _client(endpoint, max_retries, max_wait)
    latest = from_date or ""
    pending: list[tuple] = []
    for oai_set in oai_sets(keep):
        args = {"metadataPrefix": "arXiv", "ignore_deleted": True}
        if from_date:
            args["from"] = from_date
        if oai_set:
            args["set"] = oai_set
        try:
            for rec in client.ListRecords(**args):
                report.lines += 1
                latest = max(latest, rec.header.datestamp or "")
                meta = rec.xml.find(".//" + ARXIV_NS + "arXiv")
                try:
                    if meta is None:
                        raise ValueError("no <arXiv> metadata")
                    row = to_row(record_dict(meta, rec.header.datestamp))
                except (TypeError, ValueError) as e:
                    report.malformed += 1
                    if len(report.errors) < ImportReport.MAX_ERRORS:
                        report.errors.append(f"{endpoint} record {rec.header.identifier}: {e}")
                    continue
                if not wanted(row[4].split(), keep):
                    report.filtered += 1
                    continue
                pending.append(row)
                if len(pending) >= BATCH:
                    upsert(fs, pending, report)
                    pending.clear()
                    if progress:
                        progress(report.lines)
        except NoRecordsMatch:
            continue
        except HarvestError as e:
            upsert(fs, pending, report)  # keep what came before the failure
            raise HarvestError(f"{e} (after {report.lines} records; they are kept)") from e
        except (RequestException, OAIError) as e:
            upsert(fs, pending, report)  # keep what came before the failure
            raise HarvestError(f"OAI-PMH harvest of {endpoint} failed after {report.lines} "
                               f"records: {type(e).__name__}: {e}") from e
        except Exception as e:  # a record sickle cannot read, XML that is not OAI-PMH
            upsert(fs, pending, report)
            raise HarvestError(f"{endpoint} answered something that is not OAI-PMH after "
                               f"{report.lines} records ({type(e).__name__}: {e}); they "
                               "are kept") from e
    upsert(fs, pending, report)
    if latest and not gap:
        fs.set_meta(mark, latest[:10])
    return report
