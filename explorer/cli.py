"""The `explorer` command line: ingest, papers, build, search, related, topics, gaps, novelty."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Semantic explorer of meetup talks and the arXiv papers they cite.")
err = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", help="Data dir (default: $EXPLORER_DATA_DIR or data/).")


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=False)


def _ingest(source: str, data_dir: Optional[Path]):
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
    data_dir: Optional[Path] = DataDir,
):
    """Parse meetups, talks and arXiv references from an archive into the database."""
    _ingest(source, data_dir).close()


@app.command()
def talks(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    data_dir: Optional[Path] = DataDir,
):
    """List every talk."""
    from explorer.store import Store, StoreError

    try:
        store = Store.open(data_dir, create=False)
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
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
def warnings(data_dir: Optional[Path] = DataDir):
    """List what the last ingest could not parse (file and line)."""
    from explorer.store import Store

    for w in Store.open(data_dir, create=False).warnings():
        print(w)


@app.command()
def build(
    source: str = typer.Option(..., "--source", help="Archive directory, or 'github'."),
    data_dir: Optional[Path] = DataDir,
    model: Optional[str] = typer.Option(None, "--model", help="Embedding model name or path "
                                        "(default $EXPLORER_MODEL or all-MiniLM-L6-v2)."),
    device: Optional[str] = typer.Option(None, "--device", help="cuda, mps or cpu (default: auto)."),
    offline: bool = typer.Option(False, "--offline", help="Do not contact arXiv."),
):
    """Ingest, fetch arXiv metadata, embed and index: everything the app and search need."""
    from embeddings.encoder import get_encoder
    from explorer.papers import fetch_papers
    from explorer.search import build_index

    store = _ingest(source, data_dir)
    with _progress() as bar:
        task = bar.add_task("arXiv metadata", total=None)
        report = fetch_papers(store, offline=offline,
                              progress=lambda n=1: bar.advance(task, n))
    for w in report.warnings:
        err.print(f"  [yellow]warning[/yellow] {w}")
    err.print(f"papers: {report.summary()}")
    encoder = get_encoder(model, device=device)
    with _progress() as bar:
        task = bar.add_task(f"embedding ({encoder.model_id})", total=None)
        result = build_index(store, encoder, progress=lambda n=1: bar.advance(task, n))
    err.print(f"index: {result.summary()}  data dir: {store.data_dir}")
    store.close()
