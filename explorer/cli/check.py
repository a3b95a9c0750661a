"""`explorer check`: how faithfully the archive is read, per meetup, for organizers fixing it."""

from __future__ import annotations

import typer
from rich.console import Console

from explorer.cli.common import AsJson, _print_json, _progress, app, err


@app.command()
def check(
    source: str = typer.Option(..., "--source", help="Archive directory, or 'github'."),
    as_json: bool = AsJson,
):
    """Per meetup: talks, with/without abstract and speakers, where the date came from, and
    everything suspicious (unmatched descriptions, repeated pages, conflicting dates)."""
    from explorer.ingest.archive import ArchiveUnavailable, open_archive
    from explorer.ingest.fidelity import check_archive

    try:
        archive = open_archive(source)
        files = archive.files()
    except ArchiveUnavailable as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    with _progress() as bar:
        task = bar.add_task("checking archive", total=len(files))
        report = check_archive(archive, progress=lambda *_: bar.advance(task))
    if as_json:
        _print_json(report.as_json())
        _refuse_empty(report, source)
        return
    from rich.table import Table

    table = Table("meetup", "date", "from", "talks", "no abstract", "no speaker", "cancelled",
                  "issues")
    for m in report.meetups:
        table.add_row(m.meetup, m.date or "", m.date_source, str(m.talks),
                      str(m.without_abstract), str(m.without_speakers), str(m.cancelled),
                      str(len(m.issues)))
    console = Console()
    console.print(table)
    for m in report.meetups:
        for issue in m.issues:
            console.print(f"meetup {m.meetup}: {issue}", markup=False, highlight=False)
    for issue in report.general:
        console.print(issue, markup=False, highlight=False)
    s = report.summary()
    console.print(", ".join(f"{k}: {v}" for k, v in s.items() if not isinstance(v, dict))
                  + "; dates " + ", ".join(f"{k} {v}" for k, v in s["dates"].items()),
                  markup=False, highlight=False)
    _refuse_empty(report, source)


def _refuse_empty(report, source: str) -> None:
    """Exit 2 when the source holds no meetup and no talk: not an archive (a script that
    runs `check` before `build` stops here, as `build` would refuse it)."""
    s = report.summary()
    if not s["talks"] and not s["meetups"]:
        err.print(f"[red]error:[/red] no meetup and no talk found in {source}: is it the "
                  "vdlm-meetups archive (a root README.md with the talks table and a folder "
                  "per meetup)? `explorer build` would refuse it")
        raise typer.Exit(2)



