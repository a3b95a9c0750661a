"""`explorer field ...`: import arXiv's snapshot, harvest new papers, embed on Ray, index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from explorer.cli.common import AsJson, DataDir, _print_json, app, err
from explorer.cli.datadir import Wait, field_writing

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


def _open_field(data_dir: Path | None, create: bool = True):
    """The data dir's FieldStore, or exit 2 with what is wrong and what to run."""
    import sqlite3

    from explorer.store import StoreError
    from explorer.store.fieldstore import FieldStore

    try:
        return FieldStore.open(data_dir, create=create)
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    except (OSError, sqlite3.Error) as e:
        err.print(f"[red]error:[/red] cannot open the field database ({e}); " + _HEAL)
        raise typer.Exit(2) from None


_HEAL = ("if field.sqlite is damaged, move it away and run `explorer field import` and "
         "`explorer field build` again")


@contextmanager
def _field(data_dir: Path | None, errors: tuple[type[Exception], ...], create: bool = True
           ) -> Iterator:
    """The opened field for one writing command: ``errors`` end it with exit 2 and their
    message, a SQLite error names field.sqlite and how to heal it; always closed."""
    import sqlite3

    fs = _open_field(data_dir, create=create)
    try:
        yield fs
    except errors as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    except sqlite3.Error as e:
        raise _damaged(e, data_dir) from None
    finally:
        fs.close()


def _print_malformed(report) -> None:
    for e in report.errors:
        err.print(f"  [yellow]malformed[/yellow] {e}")
    if report.malformed > len(report.errors):
        err.print(f"  ... and {report.malformed - len(report.errors)} more malformed lines")


def _damaged(e: Exception, data_dir: Path | None):
    from explorer.store.fieldstore import FIELD_DB, field_dir

    err.print(f"[red]error:[/red] {field_dir(data_dir) / FIELD_DB} cannot be read or written "
              f"({type(e).__name__}: {e}); " + _HEAL)
    return typer.Exit(2)


def _field_is_damaged(data_dir: Path | None) -> bool:
    """Whether field.sqlite fails SQLite's own check (only on an error path: it reads it all)."""
    import sqlite3

    from explorer.store.fieldstore import FIELD_DB, field_dir

    try:
        con = sqlite3.connect(f"file:{field_dir(data_dir) / FIELD_DB}?mode=ro", uri=True)
        try:
            return con.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return True


SnapshotPath = typer.Argument(..., help="arxiv-metadata-oai-snapshot.json (or .gz).")


@field_app.command("import")
def import_(
    path: Path = SnapshotPath,
    categories: str | None = Categories,
    since: str | None = typer.Option(None, "--since", help="Keep papers first submitted on "
                                     "or after YYYY-MM-DD."),
    restart: bool = typer.Option(False, "--restart", help="Read the file from the start "
                                 "again instead of resuming."),
    wait: float = Wait,
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Stream arXiv's metadata snapshot into the field (idempotent, resumable)."""
    with field_writing(data_dir, "import", wait):
        _import(path, categories, since, restart, as_json, data_dir)


def _import(path, categories, since, restart, as_json, data_dir) -> None:
    import time

    from explorer.field.snapshot import SnapshotError, import_snapshot

    t0 = time.perf_counter()
    with _field(data_dir, (SnapshotError,)) as fs, _rate_progress() as bar:
        size = path.stat().st_size if path.is_file() else None
        task = bar.add_task("importing", total=size, lines=0, rate="")

        def tick(pos: int, lines: int) -> None:
            rate = lines / max(time.perf_counter() - t0, 1e-9)
            bar.update(task, completed=pos, lines=lines, rate=f"{rate:,.0f} lines/s")

        report = import_snapshot(fs, path, categories=categories, since=since,
                                 restart=restart, progress=tick)
        bar.update(task, completed=size)
        total = fs.count()
    _print_malformed(report)
    secs = time.perf_counter() - t0
    err.print(f"{report.summary()} in {secs:.1f}s ({report.lines / max(secs, 1e-9):,.0f} "
              f"lines/s); the field holds {total} papers")
    if as_json:
        import dataclasses

        _print_json({**dataclasses.asdict(report), "seconds": round(secs, 3), "total": total})


@field_app.command("build")
def build(
    ray_address: str | None = typer.Option(None, "--ray-address", help="A Ray cluster "
                                           "(default: $RAY_ADDRESS, else a local Ray)."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Texts per forward pass."),
    model: str | None = typer.Option(None, "--model", help="Embedding model (default: the "
                                     "archive's index's; another one is refused)."),
    num_cpus: int | None = typer.Option(None, "--num-cpus", min=1, help="CPUs of the local "
                                        "Ray (default: all)."),
    compressed: bool | None = typer.Option(None, "--compressed/--exact", help="Index kind "
                                           "(default: compressed from 100k papers on)."),
    wait: float = Wait,
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Embed the field papers not embedded yet on Ray, then build the field index."""
    with field_writing(data_dir, "build", wait):
        _build(ray_address, batch_size, model, num_cpus, compressed, as_json, data_dir)


def _field_model(model: str | None, data_dir: Path | None) -> str | None:
    """The model to embed the field with: the archive's by default; another one is refused
    (exit 2) before anything is embedded, since the archive's queries could never search
    an index of it, and it would replace the index they can search."""
    from embeddings.encoder import get_encoder
    from explorer.store.fieldstore import archive_model

    archive = archive_model(data_dir)
    if model is None or archive is None:
        return model or archive
    wanted = get_encoder(model).model_id
    if wanted != archive:
        err.print(f"[red]error:[/red] the archive is indexed with {archive!r}, not {wanted!r}: "
                  "a field index of another model could not be searched from it. Run "
                  f"`explorer build --model {model}` first to change the model, or leave out "
                  "--model")
        raise typer.Exit(2)
    return model


def _build(ray_address, batch_size, model, num_cpus, compressed, as_json, data_dir) -> None:
    from embeddings.index import VectorIndexError
    from explorer.field.embed import EmbedError, RayUnavailable, embed_field
    from explorer.field.index import build_field_index

    model = _field_model(model, data_dir)
    from explorer.store import StoreError

    errors = (RayUnavailable, EmbedError, VectorIndexError, StoreError)
    with _field(data_dir, errors, create=False) as fs:
        fs.drop_stale_temp_files()
        with _bar() as bar:
            task = bar.add_task("embedding on Ray", total=None)
            report = embed_field(fs, model, ray_address=ray_address, batch_size=batch_size,
                                 num_cpus=num_cpus, progress=lambda n: bar.advance(task, n),
                                 on_start=lambda total: bar.update(task, total=total))
        err.print(report.summary())
        for f in report.failed:
            err.print(f"  [yellow]not embedded[/yellow] {f}")
        with _bar() as bar:
            task = bar.add_task("indexing", total=None)
            manifest = build_field_index(fs, report.model, compressed=compressed,
                                         progress=lambda n: bar.advance(task, n),
                                         on_start=lambda n: bar.update(task, total=n))
    err.print(f"field index: {manifest['count']} papers, {manifest['kind']} ({report.model})")
    if as_json:
        import dataclasses

        _print_json({"embed": {**dataclasses.asdict(report), "rate": report.rate},
                     "index": manifest})


def _bar():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:,.1f} texts/s" if task.speed else "")

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    Rate(), TimeElapsedColumn(), TimeRemainingColumn(), console=err)


@field_app.command("harvest")
def harvest_(
    from_date: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: the day "
                                         "of the last harvest)."),
    categories: str | None = Categories,
    wait: float = Wait,
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Add new and updated papers from arXiv's OAI-PMH interface ($EXPLORER_OAI_URL)."""
    with field_writing(data_dir, "harvest", wait):
        _harvest(from_date, categories, as_json, data_dir)


def _harvest(from_date, categories, as_json, data_dir) -> None:
    from explorer.field.harvest import HarvestError, harvest, oai_url
    from explorer.field.snapshot import SnapshotError

    with _field(data_dir, (HarvestError, SnapshotError)) as fs, \
            err.status(f"harvesting {oai_url()}") as status:
        report = harvest(fs, from_date, categories,
                         progress=lambda n: status.update(f"harvesting {oai_url()}: {n} records"))
    for e in report.errors:
        err.print(f"  [yellow]malformed[/yellow] {e}")
    err.print(report.summary().replace("lines read", "records read"))
    if as_json:
        import dataclasses

        _print_json(dataclasses.asdict(report))


@field_app.command("radar")
def radar_(
    show_all: bool = typer.Option(False, "--all", help="Every theme, not only the rising ones."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Themes rising in the field (share of papers in the last full year vs the 3 years
    before) beside the meetup's talks; flagged: rising with no talk in two years."""
    import math
    import sqlite3

    from rich.console import Console
    from rich.table import Table

    from explorer.cli.common import _open_explorer
    from explorer.field.themes import field_theme_counts

    ex = _open_explorer(data_dir)
    try:
        with _bar() as bar:  # moves only the first time: the counts are cached in the field
            task = bar.add_task("field papers to themes", total=None)
            field_theme_counts(ex, progress=lambda n: bar.advance(task, n),
                               on_start=lambda n: bar.update(task, total=n))
        radar = ex.field_radar()
    except sqlite3.DatabaseError as e:
        if _field_is_damaged(data_dir):  # else the archive's: the app's guard names rollback
            raise _damaged(e, data_dir) from None
        raise
    finally:
        ex.close()
    err.print(radar.attrs.get("note", ""))
    rows = radar if show_all else radar[radar["rising"].astype(bool)]
    if as_json:
        records = rows.to_dict("records")
        for r in records:
            for k, v in r.items():
                if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
                    r[k] = None if math.isnan(v) else "inf"
        _print_json(records)
        return
    if radar.empty:
        return
    table = Table("theme", "year", "papers", "share", "3 years before", "growth", "last talk",
                  "flag", title="The field radar")
    for r in rows.itertuples():
        growth = ("new" if math.isinf(r.growth) else "" if math.isnan(r.growth)
                  else f"{r.growth:.1f}x")
        before = ("" if math.isnan(r.baseline_share)
                  else f"{r.baseline_share:.1%} ({r.baseline_years})")
        table.add_row(r.label, str(r.year), f"{r.papers:,}", f"{r.share:.1%}", before, growth,
                      r.last_talk or "never", "no recent talk" if r.flagged else "")
    Console().print(table)
    if rows.empty:
        err.print("No theme is rising in the field.")
