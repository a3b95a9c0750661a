"""Resolve the cited arXiv ids to paper metadata: batched, polite, cached and resumable."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import arxiv

from explorer import fetch
from explorer.domain import Paper
from explorer.papers.arxiv_feed import WELL_FORMED, Answer, TransientError, read_feed
from explorer.store import NOT_FOUND, PENDING, RESOLVED, Store

DEFAULT_URL = "https://export.arxiv.org/api/query"
DEFAULT_DELAY = 3.0  # arXiv's terms of use: no more than one request every three seconds
BATCH_SIZE = 50
MAX_WAIT = 60.0  # a Retry-After longer than this ends the run (ids stay pending)
RECHECK_DAYS = 30.0  # ids arXiv did not know are asked again after this many days
_RETRY_STATUS = {429, 500, 502, 503, 504}
NOT_FETCHED = "not fetched yet: run `explorer papers`"
_USER_AGENT = f"vdlm-explorer (arxiv.py/{arxiv.__version__})"


@dataclass
class FetchReport:
    """What one `fetch_papers` run did; the status counts cover every cited id."""

    cited: int = 0
    requested: int = 0  # ids asked of arXiv in this run
    resolved: int = 0
    not_found: int = 0
    pending: int = 0
    requests_made: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.cited} cited arXiv ids: {self.resolved} resolved, {self.not_found} "
                f"not found, {self.pending} pending ({self.requests_made} requests to arXiv)")


class Unreachable(Exception):
    """The endpoint cannot be reached at all (refused, DNS, proxy): stop the run at once."""


class GiveUp(Exception):
    """arXiv kept failing (or asked to wait too long): stop the run, keep the rest pending."""


class _EmptyAnswer(TransientError):
    """A well-formed answer without a single entry: arXiv's known flakiness, or unknown ids."""


class ArxivClient(arxiv.Client):
    """`arxiv.Client` aimed at a configurable endpoint, with an injectable clock and sleep so
    the request spacing and the Retry-After handling can be tested without real waiting.

    Example:
        >>> client = ArxivClient(base_url="http://127.0.0.1:8000/api/query", delay_seconds=0)
        >>> client.query(["1706.03762"]).papers["1706.03762"].title
    """

    def __init__(self, base_url: str | None = None, delay_seconds: float | None = None,
                 page_size: int = BATCH_SIZE, num_retries: int = 4, timeout: float = 30.0,
                 backoff: float = 5.0, max_wait: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if delay_seconds is None:
            delay_seconds = float(os.environ.get("EXPLORER_ARXIV_DELAY", DEFAULT_DELAY))
        super().__init__(page_size=page_size, delay_seconds=delay_seconds,
                         num_retries=num_retries)
        # The package builds every request URL from this class attribute; the instance
        # attribute redirects it without touching its URL encoding.
        self.query_url_format = (base_url or os.environ.get("EXPLORER_ARXIV_URL")
                                 or DEFAULT_URL) + "?{}"
        if max_wait is None:
            max_wait = float(os.environ.get("EXPLORER_ARXIV_MAX_WAIT") or MAX_WAIT)
        self.timeout, self.backoff, self.max_wait = timeout, backoff, max_wait
        self.clock, self.sleep = clock, sleep
        self.requests_made = 0
        self._last: float | None = None

    def query(self, ids: list[str]) -> Answer:
        """One `id_list` query, retried on 429/503/timeouts/truncated or malformed answers and
        on feeds without a single entry (arXiv's known flakiness: never taken as an answer).

        Args:
            ids: arXiv ids without version, at most `page_size`.

        Returns:
            The Answer. Raises Unreachable, GiveUp, or TransientError (the batch stays pending).
        """
        search = arxiv.Search(id_list=ids, max_results=len(ids))
        url = self._format_url(search, 0, len(ids))
        for attempt in range(self.num_retries + 1):
            try:
                answer = read_feed(self._get(url), ids)
                if answer.empty():
                    raise _EmptyAnswer(answer.emptiness())
                return answer
            except TransientError as e:
                if attempt == self.num_retries:
                    if e.fatal:
                        raise GiveUp(f"{e} after {attempt + 1} tries") from e
                    raise TransientError(f"{e} ({attempt + 1} tries)") from e
                wait = self.backoff * 2 ** attempt
                if e.retry_after is not None:
                    if e.retry_after > self.max_wait:
                        raise GiveUp(f"{e}; arXiv asks to wait {e.retry_after:.0f} s, more "
                                     f"than {self.max_wait:.0f} s (EXPLORER_ARXIV_MAX_WAIT)"
                                     ) from e
                    wait = max(wait, e.retry_after)
                self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _get(self, url: str) -> bytes:
        """One GET, spaced at least `delay_seconds` after the end of the previous one, within
        the deadline and size cap of `explorer.fetch`."""
        if self._last is not None:
            wait = self._last + self.delay_seconds - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.requests_made += 1
        try:
            resp = fetch.get(url, {"User-Agent": _USER_AGENT}, timeout=self.timeout)
        except fetch.FetchError as e:
            if e.kind == "connect":
                raise Unreachable(f"cannot connect to {_host(url)} ({e})") from e
            if e.kind in ("too_large", "deadline"):  # asking again would cost as much
                raise GiveUp(str(e)) from e
            # Timeouts, deadlines, truncated or broken answers: retried, then reported.
            raise TransientError(f"{e.kind}: {e}", fatal=True) from e
        finally:
            self._last = self.clock()
        if resp.status in _RETRY_STATUS:
            raise TransientError(f"HTTP {resp.status}", _retry_after(resp), fatal=True)
        if resp.status not in (200, 400):  # arXiv sends its error feeds with 400
            raise GiveUp(f"HTTP {resp.status} from {_host(url)}")
        if resp.headers.get("content-type", "").lower().startswith("text/html"):
            # A login page or a proxy in the way: every batch would get the same.
            raise TransientError(f"{_host(url)} answered with an HTML page, not arXiv's Atom "
                                 "feed (a proxy or a login page in the way?)", fatal=True)
        return resp.body


def _host(url: str) -> str:
    return url.split("?")[0]


def _retry_after(resp, now: float | None = None) -> float | None:
    """Seconds the server asks to wait: ``Retry-After`` as seconds or as an HTTP date."""
    headers = {k.lower(): v for k, v in resp.headers.items()}
    value = headers.get("retry-after", "").strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def cited_ids(store: Store) -> list[str]:
    """Every arXiv id the corpus cites, once, in order of first citation."""
    return list(dict.fromkeys(r.arxiv_id for r in store.refs()))


def ids_to_fetch(store: Store, refresh: bool = False) -> list[str]:
    """The cited ids a run would ask arXiv for: all with `refresh`, else those not yet
    resolved, and those answered `not_found` more than RECHECK_DAYS ago
    (``$EXPLORER_ARXIV_RECHECK_DAYS``): a paper may appear, an answer may have been wrong."""
    status = store.paper_status()
    days = float(os.environ.get("EXPLORER_ARXIV_RECHECK_DAYS") or RECHECK_DAYS)
    stale = store.not_found_before(days)
    return [i for i in cited_ids(store)
            if refresh or status.get(i) not in (RESOLVED, NOT_FOUND) or i in stale]


def fetch_papers(store: Store, refresh: bool = False, offline: bool = False,
                 progress: Callable[[int], None] | None = None,
                 client: ArxivClient | None = None) -> FetchReport:
    """Fetch arXiv metadata for every cited id that has none yet, saving after each batch.

    Ids resolved or answered `not_found` earlier are not asked again unless `refresh`;
    `pending` ids (the network failed) are. A run stopped midway keeps its batches.

    Args:
        store: the data dir's store (refs must be ingested).
        refresh: ask arXiv again for every cited id.
        offline: make no request; only give every cited id a (pending) row.
        progress: called as `progress(n)` when n more ids are settled (bar.advance);
            `len(ids_to_fetch(store, refresh))` is the total.
        client: the ArxivClient to use (default: one from $EXPLORER_ARXIV_URL/_DELAY).

    Returns:
        The FetchReport; unreachable endpoints and give-ups are warnings, not exceptions.
    """
    ids = cited_ids(store)
    status = store.paper_status()
    todo = ids_to_fetch(store, refresh)
    report = FetchReport(cited=len(ids), requested=0 if offline else len(todo))
    _mark_pending(store, [i for i in ids if i not in status], NOT_FETCHED)
    if offline or not todo:
        return _count(store, ids, report)
    client = client or ArxivClient()
    size, start = max(1, client.page_size), client.requests_made
    queue = deque((todo[k:k + size], False) for k in range(0, len(todo), size))
    progress = progress or (lambda n: None)
    # An id is `not_found` only when a feed with entries lacks it: a second ask carries a
    # resolved id as a control, so an empty feed (arXiv's flakiness) never counts as "no".
    control = next((i for i in ids if status.get(i) == RESOLVED), None)
    try:
        while queue:
            batch, recheck = queue.popleft()
            extra = [control] if recheck and control and control not in batch else []
            try:
                answer = client.query(batch + extra)
            except TransientError as e:
                report.warnings.append(f"{len(batch)} ids left pending: {e}")
                _mark_pending(store, batch, str(e))
                progress(len(batch))
                continue
            for i in extra:
                answer.papers.pop(i, None)
                answer.rejected.pop(i, None)
                answer.unreadable.pop(i, None)
            control = control or next(iter(answer.papers), None)
            if answer.error and not (answer.papers or answer.rejected or answer.unreadable):
                if len(batch) > 1:  # an error we cannot pin on an id: halve the batch
                    half = len(batch) // 2
                    queue.extendleft([(batch[half:], recheck), (batch[:half], recheck)])
                    continue
                if WELL_FORMED.match(batch[0]):  # not about this id: arXiv is in trouble
                    raise GiveUp(f"{answer.error} (asked for {batch[0]} alone)")
                answer.rejected[batch[0]] = answer.error
            # An entry that could not be trusted leaves its id pending, asked again next run.
            for i, why in answer.unreadable.items():
                if i in batch:
                    report.warnings.append(why)
                    _mark_pending(store, [i], why)
            missing = [i for i in batch if i not in answer.papers and i not in answer.rejected
                       and i not in answer.unreadable]
            if missing and not recheck:
                queue.append((missing, True))  # ask once more before giving an id up
            else:
                for i in missing:
                    answer.rejected[i] = "arXiv returned no entry for this id (asked twice)"
            # arXiv withdraws but never deletes papers: an id it left out of a refresh keeps
            # the metadata stored earlier.
            lost = [Paper(id=i, reason=why) for i, why in answer.rejected.items()
                    if status.get(i) != RESOLVED]
            store.save_papers(list(answer.papers.values()) + lost)
            progress(len(answer.papers) + len(answer.rejected) + len(answer.unreadable))
    except (Unreachable, GiveUp) as e:
        left = batch + [i for ids_left, _ in queue for i in ids_left]
        report.warnings.append(f"arXiv request stopped: {e}; {len(left)} ids kept pending, "
                               "run `explorer papers` again later")
        _mark_pending(store, left, str(e))
    finally:
        report.requests_made = client.requests_made - start
    return _count(store, ids, report)


def _mark_pending(store: Store, ids: list[str], reason: str) -> None:
    """Give ids a pending row with the reason, without overwriting data already stored."""
    status = store.paper_status()
    keep = [i for i in ids if status.get(i) not in (RESOLVED, NOT_FOUND)]
    if keep:
        store.save_papers([Paper(id=i, reason=reason) for i in keep],
                          status=dict.fromkeys(keep, PENDING))


def _count(store: Store, ids: list[str], report: FetchReport) -> FetchReport:
    status = store.paper_status()
    report.resolved = sum(status.get(i) == RESOLVED for i in ids)
    report.not_found = sum(status.get(i) == NOT_FOUND for i in ids)
    report.pending = len(ids) - report.resolved - report.not_found
    return report


def papers_records(store: Store) -> list[dict]:
    """The `explorer papers --json` objects: one per cited id, resolved or not, with the
    meetups and talks citing it.

    Args:
        store: the data dir's store.

    Returns:
        Dicts with id, version, title, abstract, authors, categories, published, updated,
        abs_url, pdf_url, resolved, status, reason and cited_in [{meetup, talk_id, context}].
    """
    labels = {m.key: m.label for m in store.meetups()}
    papers = {p.id: p for p in store.papers()}
    status = store.paper_status()
    cited: dict[str, list[dict]] = {}
    for r in store.refs():
        where = {"meetup": labels.get(r.meetup_key, r.meetup_key), "talk_id": r.talk_id,
                 "context": r.context}
        entries = cited.setdefault(r.arxiv_id, [])
        if where not in entries:
            entries.append(where)
    records = []
    for arxiv_id, where in cited.items():
        p = papers.get(arxiv_id) or Paper(id=arxiv_id, reason=NOT_FETCHED)
        records.append({
            "id": p.id, "version": p.version, "title": p.title, "abstract": p.abstract,
            "authors": p.authors, "categories": p.categories, "published": p.published,
            "updated": p.updated, "abs_url": p.abs_url or f"https://arxiv.org/abs/{p.id}",
            "pdf_url": p.pdf_url or f"https://arxiv.org/pdf/{p.id}", "resolved": p.resolved,
            "status": status.get(arxiv_id, PENDING), "reason": p.reason, "cited_in": where,
        })
    return records
