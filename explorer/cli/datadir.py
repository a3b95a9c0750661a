"""The data dir's generations: the writer lock and guarded source for writing commands; rollback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from explorer.cli.common import AsJson, DataDir, _print_json, _progress, app, err

Wait = typer.Option(0.0, "--wait", min=0.0, help="Seconds to wait for another build or "
                    "papers run on the same data dir (default: stop at once, naming it).")
AllowShrink = typer.Option(False, "--allow-shrink", help="Accept a source without the root "
                           "talks table or with fewer than 90% of the current talks.")
BUSY = 3  # exit status when another writer holds the data dir


@contextmanager
def lock_errors() -> Iterator[None]:
    """Another writer holding the lock: exit 3 naming it; a dir that cannot be written (e.g.
    read-only): exit 2 naming it. No traceback either way."""
    from explorer.store.generations import StoreError, WriterBusy

    try:
        yield
    except WriterBusy as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(BUSY) from None
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None


@contextmanager
def writing(data_dir: Path | None, what: str, wait: float) -> Iterator:
    """The data dir's `Writer`, or exit 3 naming the process that holds it."""
    from explorer.store.datadir import Writer

    with lock_errors():
        writer = Writer(data_dir, what, wait).__enter__()
    try:
        if writer.previous_error:
            err.print(f"[yellow]warning[/yellow] the current data cannot be read "
                      f"({writer.previous_error}); building a new generation from scratch")
        yield writer
    finally:  # without a commit the new generation is removed, the current one stays
        writer.__exit__(None, None, None)


def parse_source(source: str, writer, allow_shrink: bool):
    """Read and parse the archive, then check it against the current generation.

    Exits 2 with the reason when the source cannot be read, lost files, or would lose talks.
    """
    from explorer.ingest.archive import ArchiveUnavailable, open_archive
    from explorer.ingest.guard import SourceRefused, check_source
    from explorer.ingest.parser import parse_archive
    from explorer.store import github_cache

    try:
        archive = open_archive(source, github_cache(writer.data_dir))
        files = archive.files()
    except ArchiveUnavailable as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    with _progress() as bar:
        task = bar.add_task("parsing archive", total=len(files))
        corpus = parse_archive(archive, progress=lambda *_: bar.advance(task))
    for note in getattr(archive, "notes", []):
        err.print(f"  [yellow]warning[/yellow] {note}")
    try:
        notes = check_source(corpus, archive, writer.previous_talks(), allow_shrink,
                             writer.previous_abstracts())
    except SourceRefused as e:
        err.print(f"[red]refused:[/red] {e}")
        raise typer.Exit(2) from None
    for note in notes:
        err.print(f"  [yellow]accepted with --allow-shrink[/yellow] {note}")
    return corpus


@app.command()
def rollback(
    to: str | None = typer.Option(None, "--to", help="Generation name (default: the one "
                                  "before the current)."),
    wait: float = Wait,
    data_dir: Path | None = DataDir,
):
    """Make the previous build current again (see `explorer generations`)."""
    from explorer.store.datadir import rollback as do_rollback

    with lock_errors():
        before, after = do_rollback(data_dir, to, wait)
    err.print(f"current generation: [bold]{after}[/bold] (was {before or 'none'})")


@app.command()
def generations(
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """List the data dir's builds (generations), the current one marked."""
    from explorer.store.datadir import list_generations

    found = list_generations(data_dir)
    if as_json:
        _print_json(found)
        return
    from rich.table import Table

    table = Table("", "generation", "created", "what", "talks")
    for g in found:
        table.add_row("*" if g["current"] else "", g["name"], g.get("created", ""),
                      g.get("what", g.get("adopted", "")), str(g.get("talks", "")))
    Console().print(table)


@contextmanager
def field_writing(data_dir: Path | None, what: str, wait: float) -> Iterator:
    """The writer locks of a field command (import, harvest, build): the data dir's and the
    field dir's own (data dirs that share one field dir through ``$EXPLORER_FIELD_DIR``
    still have one field writer). Exit 3 naming the running writer, exit 2 when a dir
    cannot be written."""
    from contextlib import ExitStack

    from explorer.store import default_data_dir
    from explorer.store.fieldstore import field_dir
    from explorer.store.generations import WriterLock

    # The field dir's own lock too, wherever it is: two data dirs naming one field dir (one
    # of them its home) then still contend for one lock file.
    dirs = [default_data_dir(data_dir), field_dir(data_dir)]
    with ExitStack() as stack:
        with lock_errors():
            locks = [stack.enter_context(WriterLock(d, f"field {what}", wait)) for d in dirs]
        yield locks[0]
