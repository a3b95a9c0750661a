"""The `explorer` command line: one module per group of commands, all on one Typer app."""

from explorer.cli import check, corpus, datadir, field, query  # noqa: F401  (each module registers its commands)
from explorer.cli.common import app

__all__ = ["app"]
