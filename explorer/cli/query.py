"""Commands that ask the built data dir: search, related, topics, gaps, novelty."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from explorer.cli.common import AsJson, DataDir, _open_explorer, _print_hits, _print_json, app, err

Scope = typer.Option("archive", "--scope", help="archive (talks, cited papers), field (arXiv "
                     "papers from `explorer field build`) or all (both, by cosine).")


def _fail(e: Exception) -> None:
    """Exit 2 naming a bad argument, a missing field or field index; re-raise anything else."""
    from embeddings.index import VectorIndexError
    from explorer.store import StoreError

    if not isinstance(e, (KeyError, ValueError, StoreError, VectorIndexError)):
        raise e
    err.print(f"[red]error:[/red] {e.args[0] if isinstance(e, KeyError) and e.args else e}")
    raise typer.Exit(2)


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for, in your own words."),
    k: int = typer.Option(10, "--k", min=1, help="Number of hits."),
    kind: str | None = typer.Option(None, "--kind", help="talk or paper (default: both)."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, dense or bm25."),
    years: str | None = typer.Option(None, "--years", help="A year or range: 2019-2023."),
    meetup: str | None = typer.Option(None, "--meetup", help="Meetup number (or AI)."),
    scope: str = Scope,
    include_weak: bool = typer.Option(False, "--all", help="Also the nearest hits below the "
                                      "relevance floor (marked weak)."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Search talks and papers (hybrid: meaning + keywords); only close matches unless --all."""
    ex = _open_explorer(data_dir)
    try:
        hits = ex.search(query, k=k, kind=kind, mode=mode, years=years, meetup=meetup,
                         scope=scope, include_weak=include_weak)
    except Exception as e:  # noqa: BLE001 - _fail re-raises what it does not expect
        _fail(e)
    finally:
        ex.close()
    if not hits and not as_json:
        err.print("No close match; `--all` shows the nearest hits anyway.")
    _print_hits(hits, as_json)


@app.command()
def related(
    item_id: str = typer.Argument(..., help="A talk id (m57-...) or paper id (arxiv:...)."),
    k: int = typer.Option(10, "--k", min=1, help="Number of hits."),
    kind: str | None = typer.Option(None, "--kind", help="talk or paper (default: both)."),
    scope: str = typer.Option("archive", "--scope", help="archive, or field: the nearest "
                              "arXiv papers of the field (`explorer field build`)."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Talks and papers closest in meaning to a talk or paper (other meetups' talks)."""
    ex = _open_explorer(data_dir)
    try:
        hits = ex.related(item_id, k=k, kind=kind, scope=scope)
    except Exception as e:  # noqa: BLE001 - _fail re-raises what it does not expect
        _fail(e)
    finally:
        ex.close()
    _print_hits(hits, as_json)


# -- themes, gaps, novelty (explorer/insights/) -----------------------------------------------
@app.command()
def topics(
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """List the themes of talks and papers (a curated taxonomy; stable ids like theme:speech)."""
    ex = _open_explorer(data_dir)
    with err.status("assigning themes"):
        table = ex.topics()
    ex.close()
    if as_json:
        _print_json([{k: r[k] for k in ("id", "label", "description", "terms", "size", "talks",
                                         "papers", "first_date", "last_date", "last_talk_date",
                                         "upcoming", "next_talk_date")}
                     for r in table.to_dict("records")])
        return
    from rich.table import Table

    out = Table("id", "theme", "talks", "papers", "first", "last talk",
                title="Themes (most talks first)")
    for r in table.to_dict("records"):
        out.add_row(r["id"], r["label"], str(r["talks"]) + (  # announced: not yet given
            f" (+{r['upcoming']} upcoming {r['next_talk_date']})" if r["upcoming"] else ""),
                    str(r["papers"]), r["first_date"] or "", r["last_talk_date"] or "")
    Console().print(out)


def _iso_date(value: str | None) -> str | None:
    """A YYYY-MM-DD date, else a usage error."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def gaps(
    as_json: bool = AsJson,
    as_of: str | None = typer.Option(None, "--as-of", callback=_iso_date,
                                     help="Date 'now' is measured from, YYYY-MM-DD "
                                     "(default: the last meetup held; an announced one "
                                     "is not counted)."),
    data_dir: Path | None = DataDir,
):
    """Themes for the next season: followed in hot-topic papers but without talks, or stale."""
    ex = _open_explorer(data_dir)
    try:
        with err.status("assigning themes"):
            found = ex.gaps(as_of=as_of)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    finally:
        ex.close()
    if as_json:
        _print_json([g.to_dict() for g in found])
        return
    from rich.table import Table

    out = Table("kind", "theme", "talks", "papers", "why", "evidence", title="Gaps",
                show_lines=True)
    for g in found:
        evidence = [f"talk {t['date'] or '?'} meetup {t['meetup'] or '?'}: {t['title']} "
                    f"({t['id']})" for t in g.talks_evidence]
        evidence += [f"paper {p['date'] or '?'}: {p['title']} ({p['id']})"
                     for p in g.papers_evidence[:3]]
        evidence += [f"close to it (theme score {t['score']}; filed under "
                     f"{', '.join(t['themes']) or 'no theme'}): talk {t['date'] or '?'} "
                     f"meetup {t['meetup'] or '?'}: {t['title']} ({t['id']})"
                     for t in g.near_misses]
        out.add_row(g.kind, f"{g.label}\n{g.topic}", str(g.talks), str(g.papers), g.reason,
                    "\n".join(evidence))
    Console().print(out)


@app.command()
def novelty(
    text: str = typer.Argument(..., help="Proposed talk title and/or abstract."),
    k: int = typer.Option(5, "-k", help="Closest past talks to list."),
    as_json: bool = AsJson,
    data_dir: Path | None = DataDir,
):
    """Would a proposed talk repeat a past one? Verdict covered / partly / new, in words."""
    ex = _open_explorer(data_dir)
    try:
        result = ex.novelty(text, k=k)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    finally:
        ex.close()
    if as_json:
        _print_json(result.to_dict())
        return
    from rich.table import Table

    from explorer.insights.timeline import upcoming

    covered, partly = result.thresholds
    whose = ("an announced talk" if result.closest and upcoming(result.closest[0].date)
             else "a past talk")
    Console().print(result.headline, markup=False)
    Console().print(f"verdict: [bold]{result.verdict}[/bold] ("
                    + {"title": f"{whose} has this title; ",
                       "in title": f"{whose} has this main title; "}.get(result.named, "")
                    + f"best cosine {result.score:.3f}; covered >= {covered}, partly >= {partly})"
                    + ("; off-topic" if result.off_topic else ""))
    out = Table("score", "meetup", "date", "title", "id", title="Closest talks")
    for h in result.closest:  # a talk of an announced meetup has not been given yet
        out.add_row(f"{h.score:.3f}" + (" (title)" if h.match == "exact" else ""),
                    str(h.meetup), (h.date or "date unknown")
                    + (" (upcoming)" if upcoming(h.date) else ""), h.title, h.id)
    Console().print(out)
