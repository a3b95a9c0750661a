"""What every `explorer` command shares: the Typer app, options, JSON output, progress bars, openers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperGroup

err = Console(stderr=True)


class _Guarded(TyperGroup):
    """Every command: a damaged data dir or an unusable model ends in a message, exit 2."""

    def invoke(self, ctx):
        import sqlite3

        from embeddings.encoder import ModelUnavailable
        from embeddings.index import VectorIndexError
        from explorer.store.generations import StoreError, hint
        from explorer.store.vectorcache import not_damage

        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as e:
            data_dir = _data_dir_of(ctx)
            if not_damage(e):  # a lock held too long, a full disk: nothing to roll back
                err.print(f"[red]error:[/red] the database in {data_dir} cannot be used right "
                          f"now ({e}); try again")
            else:
                err.print(f"[red]error:[/red] the database in {data_dir} is damaged ({e}); "
                          f"{hint(data_dir)}")
        except (StoreError, VectorIndexError, ModelUnavailable) as e:
            err.print(f"[red]error:[/red] {e}")
        except OSError as e:  # a data dir that cannot be written, a full disk, a model path...
            err.print(f"[red]error:[/red] {type(e).__name__}: {e}")
        raise typer.Exit(2)


_seen: dict[str, object] = {}  # the --data-dir of the running command, for error messages


def _remember(value):
    _seen["data_dir"] = value
    return value


def _data_dir_of(ctx) -> str:
    from explorer.store import default_data_dir

    return str(default_data_dir(_seen.get("data_dir")))


app = typer.Typer(add_completion=False, no_args_is_help=True, cls=_Guarded,
                  help="Semantic explorer of meetup talks and the arXiv papers they cite.")

DataDir = typer.Option(None, "--data-dir", callback=_remember,
                       help="Data dir (default: $EXPLORER_DATA_DIR or data/).")
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

    themed = any(getattr(h, "theme", None) for h in hits)  # hybrid's evidence, when any
    table = Table("score", "match", "kind", "meetup", "date", "title", "id",
                  *(["theme the query fits"] if themed else []))
    for h in hits:
        table.add_row(f"{h.score:.3f}", getattr(h, "match", ""), h.kind,
                      "" if h.meetup is None else str(h.meetup), h.date or "", h.title, h.id,
                      *([getattr(h, "theme", None) or ""] if themed else []))
    Console().print(table)
