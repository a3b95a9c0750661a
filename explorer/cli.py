"""The `explorer` command line: ingest, papers, build, search, related, topics, gaps, novelty."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Semantic explorer of meetup talks and the arXiv papers they cite.")
err = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", help="Data dir (default: $EXPLORER_DATA_DIR or data/).")
AsJson = typer.Option(False, "--json", help="Print JSON.")


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=False)


def _open_store(data_dir: Path | None):
    """The data dir's store, or exit 2 saying how to build one."""
    from explorer.store import Store, StoreError

    try:
        return Store.open(data_dir, create=False)
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)


def _ingest(source: str, data_dir: Path | None):
    """Parse the archive and replace the stored corpus in one transaction."""
    from explorer.archive import ArchiveUnavailable, open_archive
    from explorer.parser import parse_archive
    from explorer.store import Store

    store = Store.open(data_dir)
    try:
        archive = open_archive(source, store.github_cache())
        files = archive.files()
    except ArchiveUnavailable as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    with _progress() as bar:
        task = bar.add_task("parsing archive", total=len(files))
        corpus = parse_archive(archive, progress=lambda *_: bar.advance(task))
    # Parse everything before touching the database: a failure above leaves it as it was.
    store.replace_corpus(corpus)
    kinds: dict[str, int] = {}
    for t in corpus.talks:
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    err.print(
        f"ingested [bold]{len(corpus.meetups)}[/bold] meetups, "
        f"[bold]{kinds.get('talk', 0) + kinds.get('short talk', 0)}[/bold] talks "
        f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}), "
        f"[bold]{len(corpus.refs)}[/bold] arXiv references, "
        f"[bold]{len(corpus.warnings)}[/bold] warnings"
    )
    for w in corpus.warnings[:20]:
        err.print(f"  [yellow]warning[/yellow] {w}")
    if len(corpus.warnings) > 20:
        err.print(f"  ... and {len(corpus.warnings) - 20} more (`explorer warnings`)")
    return store


@app.command()
def ingest(
    source: str = typer.Option(..., "--source", help="Archive directory, or 'github'."),
    data_dir: Path | None = DataDir,
):
    """Parse meetups, talks and arXiv references from an archive into the database."""
    _ingest(source, data_dir).close()


@app.command()
def talks(
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """List every talk."""
    store = _open_store(data_dir)
    records = store.talk_records()
    if as_json:
        _print_json(records)
        return
    from rich.table import Table

    table = Table("meetup", "date", "kind", "title", "speakers")
    for r in records:
        table.add_row(str(r["meetup"]), r["date"] or "", r["kind"], r["title"],
                      ", ".join(r["speakers"]))
    Console().print(table)


@app.command()
def warnings(
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """List what the last ingest could not parse (file and line)."""
    found = _open_store(data_dir).warnings()
    if as_json:
        _print_json([{"path": w.path, "line": w.line, "message": w.message} for w in found])
        return
    for w in found:
        print(w)


@app.command()
def meetups(
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """List every meetup with its date, venue and number of talks."""
    store = _open_store(data_dir)
    counts: dict[str, int] = {}
    for t in store.talks():
        if t.kind in ("talk", "short talk"):
            counts[t.meetup_key] = counts.get(t.meetup_key, 0) + 1
    records = [{"meetup": m.label, "date": m.date, "title": m.title, "venue": m.venue,
                "url": m.page_url, "talks": counts.get(m.key, 0)} for m in store.meetups()]
    if as_json:
        _print_json(records)
        return
    from rich.table import Table

    table = Table("meetup", "date", "talks", "title", "venue")
    for r in records:
        table.add_row(str(r["meetup"]), r["date"] or "", str(r["talks"]), r["title"],
                      r["venue"] or "")
    Console().print(table)


@app.command()
def build(
    source: str = typer.Option(..., "--source", help="Archive directory, or 'github'."),
    data_dir: Path | None = DataDir,
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path "
                                        "(default $EXPLORER_MODEL or all-MiniLM-L6-v2)."),
    device: str | None = typer.Option(None, "--device", help="cuda, mps or cpu (default: auto)."),
    offline: bool = typer.Option(False, "--offline", help="Do not contact arXiv."),
):
    """Ingest, fetch arXiv metadata, embed and index: everything the app and search need."""
    from embeddings.encoder import get_encoder
    from explorer.papers import fetch_papers, ids_to_fetch
    from explorer.search import build_index

    store = _ingest(source, data_dir)
    with _progress() as bar:
        task = bar.add_task("arXiv metadata",
                            total=0 if offline else len(ids_to_fetch(store, False)))
        report = fetch_papers(store, offline=offline,
                              progress=lambda n=1: bar.advance(task, n))
    for w in report.warnings:
        err.print(f"  [yellow]warning[/yellow] {w}")
    err.print(f"papers: {report.summary()}")
    encoder = get_encoder(model, device=device)
    with _progress() as bar:
        task = bar.add_task(f"embedding ({encoder.model_id})", total=None)
        result = build_index(store, encoder, progress=lambda n=1: bar.advance(task, n),
                             on_start=lambda total: bar.update(task, total=total))
    err.print(f"index: {result.summary()}")
    store.close()
    # Topics are updated here, not on first use, so their ids are fixed when the data is.
    from explorer.api import open as open_explorer
    from explorer.gaps import topic_model

    ex = open_explorer(data_dir)
    with err.status("updating topics"):
        tm = topic_model(ex)
    ex.close()
    err.print(f"topics: {len(tm.topics)}  data dir: {ex.data_dir}")


@app.command()
def papers(
    refresh: bool = typer.Option(False, "--refresh", help="Ask arXiv again for every id."),
    offline: bool = typer.Option(False, "--offline", help="Do not contact arXiv."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Fetch arXiv metadata for the cited papers (cached, resumable) and list them."""
    from explorer.papers import fetch_papers, ids_to_fetch, papers_records
    store = _open_store(data_dir)
    with _progress() as bar:
        task = bar.add_task("arXiv metadata", total=0 if offline else
                            len(ids_to_fetch(store, refresh)))
        report = fetch_papers(store, refresh=refresh, offline=offline,
                              progress=lambda n=1: bar.advance(task, n))
    for w in report.warnings:
        err.print(f"  [yellow]warning[/yellow] {w}")
    err.print(f"papers: {report.summary()}")
    if as_json:
        _print_json(papers_records(store))
    store.close()


def _open_explorer(data_dir: Path | None):
    """`explorer.open`, or exit 2 with the error (no database, no index, stale index)."""
    from embeddings.index import VectorIndexError
    from explorer.api import open as open_explorer
    from explorer.store import StoreError

    try:
        return open_explorer(data_dir)
    except (StoreError, VectorIndexError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)


def _print_hits(hits, as_json: bool) -> None:
    import dataclasses

    if as_json:
        _print_json([dataclasses.asdict(h) for h in hits])
        return
    from rich.table import Table

    table = Table("score", "kind", "meetup", "date", "title", "id")
    for h in hits:
        table.add_row(f"{h.score:.3f}", h.kind, "" if h.meetup is None else str(h.meetup),
                      h.date or "", h.title, h.id)
    Console().print(table)


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for, in your own words."),
    k: int = typer.Option(10, "--k", min=1, help="Number of hits."),
    kind: str | None = typer.Option(None, "--kind", help="talk or paper (default: both)."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, dense or bm25."),
    years: str | None = typer.Option(None, "--years", help="A year or range: 2019-2023."),
    meetup: str | None = typer.Option(None, "--meetup", help="Meetup number (or AI)."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Search talks and papers (hybrid: meaning + keywords)."""
    ex = _open_explorer(data_dir)
    try:
        hits = ex.search(query, k=k, kind=kind, mode=mode, years=years, meetup=meetup)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    finally:
        ex.close()
    _print_hits(hits, as_json)


@app.command()
def related(
    item_id: str = typer.Argument(..., help="A talk id (m57-...) or paper id (arxiv:...)."),
    k: int = typer.Option(10, "--k", min=1, help="Number of hits."),
    kind: str | None = typer.Option(None, "--kind", help="talk or paper (default: both)."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Talks and papers closest in meaning to a talk or paper (other meetups' talks)."""
    ex = _open_explorer(data_dir)
    try:
        hits = ex.related(item_id, k=k, kind=kind)
    except (KeyError, ValueError) as e:
        err.print(f"[red]error:[/red] {e.args[0] if e.args else e}")
        raise typer.Exit(2)
    finally:
        ex.close()
    _print_hits(hits, as_json)


# -- topics, gaps, novelty (explorer/topics.py, gaps.py, novelty.py) ---------------------------
@app.command()
def topics(
    as_json: bool = AsJson,
    refit: bool = typer.Option(False, "--refit", help="Cluster afresh (topic ids may change)."),
    data_dir: Path | None = DataDir,
):
    """List the topics of talks and papers (stable ids; new items join existing topics)."""
    from explorer.gaps import item_frame, topic_model, topic_table

    ex = _open_explorer(data_dir)
    with err.status("clustering topics"):
        table = topic_table(topic_model(ex, refit=refit), item_frame(ex))
    ex.close()
    if as_json:
        _print_json([{k: r[k] for k in ("id", "label", "terms", "size", "talks", "papers",
                                         "first_date", "last_date")}
                     for r in table.to_dict("records")])
        return
    from rich.table import Table

    out = Table("id", "label", "size", "talks", "papers", "first", "last",
                title="Topics (largest first)")
    for r in table.to_dict("records"):
        out.add_row(str(r["id"]), r["label"], str(r["size"]), str(r["talks"]), str(r["papers"]),
                    r["first_date"] or "", r["last_date"] or "")
    Console().print(out)


@app.command()
def gaps(
    as_json: bool = AsJson,
    as_of: str | None = typer.Option(None, "--as-of", help="Date 'now' is measured from "
                                        "(default: the last meetup)."),
    data_dir: Path | None = DataDir,
):
    """Topics for the next season: followed in hot-topic papers but without talks, or stale."""
    from explorer.gaps import find_gaps, item_frame, topic_model

    ex = _open_explorer(data_dir)
    with err.status("clustering topics"):
        found = find_gaps(topic_model(ex), item_frame(ex), as_of=as_of)
    ex.close()
    if as_json:
        _print_json([g.to_dict() for g in found])
        return
    from rich.table import Table

    out = Table("kind", "topic", "label", "talks", "papers", "why", "evidence",
                title="Gaps", show_lines=True)
    for g in found:
        evidence = [f"last talk: {g.last_talk['title']}"] if g.last_talk else []
        evidence += [f"{p['id']} {p['title']}" for p in g.papers_evidence[:3]]
        out.add_row(g.kind, str(g.topic), g.label, str(g.talks), str(g.papers), g.reason,
                    "\n".join(evidence))
    Console().print(out)


@app.command()
def novelty(
    text: str = typer.Argument(..., help="Proposed talk title and/or abstract."),
    k: int = typer.Option(5, "-k", help="Closest past talks to list."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Would a proposed talk repeat a past one? Verdict covered / partly / new."""
    from explorer.novelty import novelty_check

    ex = _open_explorer(data_dir)
    try:
        result = novelty_check(ex, text, k=k)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    finally:
        ex.close()
    if as_json:
        _print_json(result.to_dict())
        return
    from rich.table import Table

    covered, partly = result.thresholds
    Console().print(f"verdict: [bold]{result.verdict}[/bold] (best cosine {result.score:.3f}; "
                    f"covered >= {covered}, partly >= {partly})")
    out = Table("score", "meetup", "date", "title", "id", title="Closest past talks")
    for h in result.closest:
        out.add_row(f"{h.score:.3f}", str(h.meetup), h.date or "", h.title, h.id)
    Console().print(out)
