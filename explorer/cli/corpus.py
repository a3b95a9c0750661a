"""Commands that write or list the corpus: ingest, build, papers, talks, meetups, warnings."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from explorer.cli.common import AsJson, DataDir, _open_store, _print_json, _progress, app, err
from explorer.cli.datadir import AllowShrink, Wait, parse_source, writing
from explorer.store import date_sources


def _report(corpus) -> None:
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


@app.command()
def ingest(
    source: str = typer.Option(..., "--source", help="Archive directory, or 'github'."),
    allow_shrink: bool = AllowShrink,
    wait: float = Wait,
    data_dir: Path | None = DataDir,
):
    """Parse meetups, talks and arXiv references from an archive into a new generation
    (`explorer build` also embeds and indexes them for search)."""
    with writing(data_dir, "ingest", wait) as w:
        corpus = parse_source(source, w, allow_shrink)
        # Parsed and checked before anything is written: a failure leaves the data as it was.
        w.begin().replace_corpus(corpus)
        _report(corpus)
        w.commit({"source": source})


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
    sources = date_sources(store)
    records = [{"meetup": m.label, "date": m.date, "date_source": sources.get(m.key),
                "title": m.title, "venue": m.venue, "url": m.page_url,
                "talks": counts.get(m.key, 0)} for m in store.meetups()]
    if as_json:
        _print_json(records)
        return
    from rich.table import Table

    table = Table("meetup", "date", "talks", "title", "venue")
    for r in records:
        when = (r["date"] or "") + (" (year inferred)" if r["date_source"] == "inferred" else "")
        table.add_row(str(r["meetup"]), when, str(r["talks"]), r["title"], r["venue"] or "")
    Console().print(table)


@app.command()
def build(
    source: str = typer.Option(..., "--source", help="Archive directory, or 'github'."),
    data_dir: Path | None = DataDir,
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path "
                                        "(default $EXPLORER_MODEL or all-MiniLM-L6-v2)."),
    device: str | None = typer.Option(None, "--device", help="cuda, mps or cpu (default: auto)."),
    offline: bool = typer.Option(False, "--offline", help="Do not contact arXiv."),
    allow_shrink: bool = AllowShrink,
    wait: float = Wait,
):
    """Ingest, fetch arXiv metadata, embed, index and find topics in a new generation, then
    make it current in one step (a failure or a kill leaves the current one as it was)."""
    from embeddings.encoder import get_encoder
    from explorer.api import Explorer
    from explorer.papers import fetch_papers, ids_to_fetch
    from explorer.search import SearchEngine, build_index

    with writing(data_dir, "build", wait) as w:
        corpus = parse_source(source, w, allow_shrink)
        store = w.begin()
        store.replace_corpus(corpus)
        _report(corpus)
        with _progress() as bar:
            task = bar.add_task("arXiv metadata",
                                total=0 if offline else len(ids_to_fetch(store, False)))
            report = fetch_papers(store, offline=offline,
                                  progress=lambda n=1: bar.advance(task, n))
        for warning in report.warnings:
            err.print(f"  [yellow]warning[/yellow] {warning}")
        err.print(f"papers: {report.summary()}")
        encoder = get_encoder(model, device=device)
        with _progress() as bar:
            task = bar.add_task(f"embedding ({encoder.model_id})", total=None)
            result = build_index(store, encoder, progress=lambda n=1: bar.advance(task, n),
                                 on_start=lambda total: bar.update(task, total=total))
        err.print(f"index: {result.summary()}")
        # Themes are assigned here, so a failure shows at build time (and keeps the current
        # generation) rather than in the app.
        ex = Explorer(store, SearchEngine.load(store, encoder=encoder))
        with err.status("assigning themes"):
            themes = ex.theme_assignment()
        name = w.commit({"source": source, "model": encoder.model_id,
                         "items": result.items})
    used = {t for ts in themes.labels.values() for t in ts}
    other = sum(1 for ts in themes.labels.values() if not ts)
    err.print(f"themes: {len(used)} of {len(themes.themes)} in use (taxonomy "
              f"{themes.version}), {other} item{'s' * (other != 1)} in no theme")
    err.print(f"data dir: {w.data_dir}  generation: {name}")


@app.command()
def papers(
    refresh: bool = typer.Option(False, "--refresh", help="Ask arXiv again for every id."),
    offline: bool = typer.Option(False, "--offline", help="Do not contact arXiv."),
    as_json: bool = AsJson,
    wait: float = Wait,
    data_dir: Path | None = DataDir,
):
    """Fetch arXiv metadata for the cited papers (cached, resumable) and list them; the
    result is a new generation (`explorer build` re-indexes the papers for search)."""
    from explorer.papers import fetch_papers, ids_to_fetch, papers_records

    _open_store(data_dir).close()  # no data yet: say how to build it
    with writing(data_dir, "papers", wait) as w:
        store = w.begin()
        try:
            with _progress() as bar:
                task = bar.add_task("arXiv metadata", total=0 if offline else
                                    len(ids_to_fetch(store, refresh)))
                report = fetch_papers(store, refresh=refresh, offline=offline,
                                      progress=lambda n=1: bar.advance(task, n))
        except KeyboardInterrupt:  # each batch is stored whole: keep what arXiv answered
            w.commit({"refresh": refresh, "interrupted": True})
            err.print("interrupted: the papers fetched so far are kept; run `explorer papers` "
                      "again for the rest")
            raise typer.Exit(130) from None
        for warning in report.warnings:
            err.print(f"  [yellow]warning[/yellow] {warning}")
        err.print(f"papers: {report.summary()}")
        records = papers_records(store)
        w.commit({"refresh": refresh})
    if as_json:
        _print_json(records)


@app.command()
def people(
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """List every speaker once, with every spelling pages used and their talks."""
    from explorer.ingest.people import group_people, person_key

    records = _open_store(data_dir).talk_records()
    found = group_people(s for r in records for s in r["speakers"])
    talks = {p.key: [r["id"] for r in records if p.key in {person_key(s) for s in r["speakers"]}]
             for p in found}
    rows = [{"id": p.id, "name": p.name, "aliases": list(p.aliases), "talks": talks[p.key]}
            for p in found]
    if as_json:
        _print_json(rows)
        return
    from rich.table import Table

    table = Table("name", "talks", "also written")
    for r in rows:
        table.add_row(r["name"], str(len(r["talks"])),
                      ", ".join(a for a in r["aliases"] if a != r["name"]))
    Console().print(table)
