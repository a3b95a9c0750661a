"""`python -m explorer` is the `explorer` command."""

from explorer.cli import app

app(prog_name="explorer")
