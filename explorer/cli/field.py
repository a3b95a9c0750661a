"""`explorer field ...`: import arXiv's snapshot, harvest new papers, embed on Ray, index."""

from __future__ import annotations

from pathlib import Path

import typer

from explorer.cli.common import AsJson, DataDir, _print_json, app, err

field_app = typer.Typer(no_args_is_help=True, help="The field: arXiv's papers beyond the "
                        "meetup (import, harvest, build on Ray).")
app.add_typer(field_app, name="field")

Categories = typer.Option(None, "--categories", help="Comma-separated arXiv categories or "
                          "archives (default: the ML set, see README; 'all': no filter).")


def _rate_progress():
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                    TextColumn("{task.fields[lines]} lines, {task.fields[rate]}"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err)
SnapshotPath = typer.Argument(..., help="arxiv-metadata-oai-snapshot.json (or .gz).")


@field_app.command("import")
def import_(
    path: Path = SnapshotPath,
    categories: str | None = Categories,
    since: str | None = typer.Option(None, "--since", help="Keep papers first submitted on "
                                     "or after YYYY-MM-DD."),
    restart: bool = typer.Option(False, "--restart", help="Read the file from the start "
                                 "again instead of resuming."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Stream arXiv's metadata snapshot into the field (idempotent, resumable)."""
    import time

    from explorer.field.snapshot import SnapshotError, import_snapshot
    from explorer.fieldstore import FieldStore

    fs = FieldStore.open(data_dir)
    t0 = time.perf_counter()
    try:
        with _rate_progress() as bar:
            size = path.stat().st_size if path.is_file() else None
            task = bar.add_task("importing", total=size, lines=0, rate="")

            def tick(pos: int, lines: int) -> None:
                rate = lines / max(time.perf_counter() - t0, 1e-9)
                bar.update(task, completed=pos, lines=lines, rate=f"{rate:,.0f} lines/s")

            report = import_snapshot(fs, path, categories=categories, since=since,
                                     restart=restart, progress=tick)
            bar.update(task, completed=size)
    except SnapshotError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    finally:
        total = fs.count()
        fs.close()
    for e in report.errors:
        err.print(f"  [yellow]malformed[/yellow] {e}")
    if report.malformed > len(report.errors):
        err.print(f"  ... and {report.malformed - len(report.errors)} more malformed lines")
    secs = time.perf_counter() - t0
    err.print(f"{report.summary()} in {secs:.1f}s ({report.lines / max(secs, 1e-9):,.0f} "
              f"lines/s); the field holds {total} papers")
    if as_json:
        import dataclasses

        _print_json({**dataclasses.asdict(report), "seconds": round(secs, 3), "total": total})
