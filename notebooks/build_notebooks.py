"""Writes the analysis notebooks (without outputs): ``python notebooks/build_notebooks.py``.

The notebooks use only the public API (``explorer.open`` and the explorer's methods, plus
the pure figure functions of ``explorer.insights``) and read the data dir from
``$EXPLORER_DATA_DIR``; tests/test_notebooks.py runs them on a fixture build.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

OPEN = """import os

import pandas as pd

import explorer

ex = explorer.open(os.environ.get("EXPLORER_DATA_DIR"))  # the data dir `explorer build` made
ex"""

TOPIC_EVOLUTION = [
    new_markdown_cell(
        "# Themes across the meetup's history\n\n"
        "Talks and the arXiv papers they cite are sorted into a curated, versioned taxonomy "
        "of machine-learning themes (speech, music & audio, LLMs, reinforcement learning, "
        "...). An item belongs to the themes its embedding is closest to, with keywords in "
        "its title as extra evidence; several themes at most, or none (\"Other\"). Theme "
        "ids (`theme:speech`) come from the taxonomy, so they never move between builds.\n\n"
        "Set `EXPLORER_DATA_DIR` to a built data dir before running."),
    new_code_cell(OPEN),
    new_code_cell("""from explorer.insights import theme_heatmap  # a pure plotly figure

themes = ex.theme_assignment()
in_none = sum(1 for labels in themes.labels.values() if not labels)
print(f"taxonomy {themes.version}: {len(themes.themes)} themes over "
      f"{len(themes.labels)} talks and papers; {in_none} in no theme")"""),
    new_markdown_cell("## The themes, most talks first"),
    new_code_cell("""table = ex.topics()
table[["id", "label", "talks", "papers", "first_date", "last_talk_date"]]"""),
    new_markdown_cell("Each theme's most typical items (highest scores):"),
    new_code_cell("""titles = {**ex.talks().set_index("id")["title"].to_dict(),
          **{"arxiv:" + p.id: p.title or "arXiv:" + p.id for p in ex.papers().itertuples()}}
for row in table[table["size"] > 0].itertuples():
    print(f"[{row.id}] {row.label}")
    for item_id in row.representatives:
        print(f"     - {titles.get(item_id, item_id)}")"""),
    new_markdown_cell(
        "## Themes over time at a glance\n\n"
        "Talks per theme and year; the buttons switch to cited papers (dated by the meetup "
        "that first cited them). Every theme has a row, so an empty row is a theme never "
        "covered."),
    new_code_cell("""over_time = ex.topics_over_time()
theme_heatmap(over_time)"""),
    new_code_cell("""over_time.pivot_table(index="label", columns=["kind", "year"], values="count",
                      aggfunc="sum", fill_value=0)"""),
    new_markdown_cell("## Which theme led each year?"),
    new_code_cell("""talks_per_year = over_time[over_time["kind"] == "talk"]
leaders = (talks_per_year[talks_per_year["count"] > 0]
           .sort_values(["year", "count"], ascending=[True, False])
           .groupby("year").head(1)[["year", "topic", "label", "count"]])
leaders"""),
]

GAP_ANALYSIS = [
    new_markdown_cell(
        "# Gap analysis for the next season\n\n"
        "Two kinds of gaps, decided on the same themes the heatmap shows: themes the "
        "community follows in the hot-topics slots (cited papers) but that hardly ever had "
        "a talk, and themes with talks once but none within two years of the last meetup. "
        "Each gap lists the talks and papers it was decided on. Then a novelty check for "
        "some proposed talks."),
    new_code_cell(OPEN),
    new_code_cell("""from explorer.insights import gap_figure  # a pure plotly figure

gaps = ex.gaps()  # "now" is the last meetup, so the answer does not depend on the day
print(f"{len(ex.topics())} themes; the last meetup was on {ex.last_meetup_date()}")"""),
    new_markdown_cell("## Followed in papers, (almost) never a talk"),
    new_code_cell("""uncovered = [g for g in gaps if g.kind == "uncovered"]
pd.DataFrame([g.to_dict() for g in uncovered],
             columns=["topic", "label", "papers", "talks", "score", "reason"])"""),
    new_code_cell("""for g in uncovered:
    print(f"[{g.topic}] {g.label}: {g.reason}")
    for p in g.papers_evidence:
        print(f"     paper {p['date']}  {p['id']}  {p['title']}")
    for t in g.talks_evidence:
        print(f"     talk  {t['date']}  meetup {t['meetup']}  {t['id']}")"""),
    new_markdown_cell("## Stale themes: talks once, none in the last two years"),
    new_code_cell("""stale = [g for g in gaps if g.kind == "stale"]
for g in stale:
    print(f"[{g.topic}] {g.label}: {g.reason}")
    for t in g.talks_evidence:
        print(f"     {t['date']}  meetup {t['meetup']}  {t['title']}  ({t['id']})")"""),
    new_code_cell("""gap_figure(uncovered + stale)"""),
    new_markdown_cell(
        "## Does a proposed talk repeat a past one?\n\n"
        "The answer in plain words: *Already covered* (a past talk is about the same "
        "subject), *Partly covered by* (related talks exist), *New for this meetup*, or "
        "*Off-topic for a deep-learning meetup?* when the proposal is far from every theme. "
        "Thresholds are calibrated per model (see `explorer.insights.novelty`)."),
    new_code_cell("""talks = ex.talks()
talks = talks[talks["kind"].isin(["talk", "short talk"])]
past = talks.iloc[0]
proposals = [
    past["title"] + ". " + (past["abstract"] or ""),       # a past talk, restated
    "A gentle introduction to gardening with watering cans",  # nothing like it
]
if uncovered:
    proposals.append("An overview of " + uncovered[0].label)  # a gap theme
rows = []
for text in proposals:
    result = ex.novelty(text, k=3)
    rows.append({"proposal": text[:60], "verdict": result.verdict,
                 "off-topic": result.off_topic, "in words": result.headline})
pd.DataFrame(rows)"""),
]

TALK_PAPER_LINKS = [
    new_markdown_cell(
        "# Talks and papers\n\n"
        "Two kinds of links: *cited* (a paper was mentioned at a meetup, in a talk or in "
        "the hot topics) and *semantic* (a paper is close in meaning to a talk)."),
    new_code_cell(OPEN),
    new_markdown_cell("## Cited links: where each paper was mentioned"),
    new_code_cell("""papers = ex.papers()
cited = papers[["id", "title", "cited_in"]].explode("cited_in").dropna(subset=["cited_in"])
cited = pd.concat([cited.drop(columns="cited_in").reset_index(drop=True),
                   pd.json_normalize(list(cited["cited_in"]))], axis=1)
talk_kind = ex.talks().set_index("id")["kind"]
cited["where"] = cited["talk_id"].map(talk_kind).fillna("meetup page")
print(f"{len(papers)} papers, {len(cited)} citations")
cited.groupby("where").size().rename("citations").to_frame()"""),
    new_code_cell("""per_meetup = cited.groupby("meetup").size().rename("papers cited")
meetups = ex.meetups().set_index("label")[["date", "title"]]
meetups.join(per_meetup, how="inner").sort_values("date")"""),
    new_markdown_cell("## Semantic links: the papers closest to each talk"),
    new_code_cell("""talks = ex.talks()
talks = talks[talks["kind"].isin(["talk", "short talk"])]
rows = []
for t in talks.itertuples():
    for hit in ex.related(t.id, k=2, kind="paper"):
        rows.append({"talk": t.title, "meetup": t.meetup, "paper": hit.id,
                     "paper cited at": hit.meetup, "cosine": round(hit.score, 3),
                     "shared terms": ", ".join(ex.shared_terms(t.id, hit.id))})
links = pd.DataFrame(rows)
links.sort_values("cosine", ascending=False).head(15)"""),
    new_markdown_cell(
        "Did a talk follow the hot topics? For each paper, the closest talk given at or "
        "after the meetup that first cited it."),
    new_code_cell("""talk_date = talks.set_index("id")["date"]
rows = []
for p in papers.itertuples():
    first = min((c["meetup"] for c in p.cited_in), default=None, key=str)
    cited_date = meetups["date"].get(first)
    later = [h for h in ex.related("arxiv:" + p.id, k=20, kind="talk")
             if cited_date and (talk_date.get(h.id) or "") >= cited_date]
    best = later[0] if later else None
    rows.append({"paper": p.id, "first cited": cited_date,
                 "closest later talk": best.title if best else None,
                 "talk date": best.date if best else None,
                 "cosine": round(best.score, 3) if best else None})
pd.DataFrame(rows).sort_values("cosine", ascending=False)"""),
    new_markdown_cell("## Talk × paper similarity"),
    new_code_cell("""import plotly.express as px

ids, kinds, vectors = ex.vectors()
t_idx = [i for i, k in enumerate(kinds) if k == "talk"]
p_idx = [i for i, k in enumerate(kinds) if k == "paper"]
sims = vectors[t_idx] @ vectors[p_idx].T   # unit vectors: inner product is cosine
px.imshow(sims, x=[ids[i] for i in p_idx], y=[ids[i] for i in t_idx], aspect="auto",
          color_continuous_scale="Viridis", labels={"color": "cosine"},
          title="Cosine between every talk and every cited paper")"""),
]

MEETUP_VS_FIELD = [
    new_markdown_cell(
        "# The meetup beside the field\n\n"
        "arXiv's machine-learning papers (the *field*, imported with `explorer field import` "
        "and embedded with `explorer field build`) are sorted into the same themes as the "
        "talks, by the same rule. Two questions: which themes is the field busy with that the "
        "meetup has not talked about lately, and how many months after a theme rises in the "
        "field does the meetup first have a talk on it?\n\n"
        "**Rising** (the radar): in the last full year of the field's data, a theme holds at "
        "least 1.5x its mean share of the field's papers over the 3 years before, with at "
        "least 20 papers that year. **The month a theme rose**: the first month whose 12 "
        "months up to it hold at least 1.5x the theme's share of the 36 months before, with "
        "at least 20 papers. Both are in `explorer.insights.radar`.\n\n"
        "Set `EXPLORER_DATA_DIR` to a built data dir with a field before running."),
    new_code_cell(OPEN),
    new_code_cell("""from explorer.insights import item_frame, radar
from explorer.insights.gaps import items_with_themes

counts = ex.field_theme_counts()  # streamed over the stored vectors once, then cached
print(counts.note or f"{counts.embedded} field papers up to {counts.as_of}, "
      f"embedded with {counts.model}")
themes = ex.theme_assignment()
names = {t.id: t.name for t in themes.themes}
themed = items_with_themes(themes, item_frame(ex))  # talks and papers, one row per theme"""),
    new_markdown_cell("## The radar: rising in the field, and the meetup's last talk"),
    new_code_cell("""table = ex.field_radar()
print(table.attrs["note"])
table[["topic", "label", "year", "papers", "share", "baseline_share", "growth", "rising",
       "last_talk", "flagged"]].head(10)"""),
    new_code_cell("""for row in table[table["flagged"]].itertuples():
    print(f"[{row.topic}] {row.label}: {row.evidence}; "
          f"{'last talk ' + row.last_talk if row.last_talk else 'never a talk'}")"""),
    new_code_cell("""per_year = ex.field_radar(years=True)
plot = list(table[table["rising"]]["topic"][:4]) or list(table["topic"][:2])
radar.radar_figure(per_year, plot, title="Field share of papers vs the meetup's talks")
"""),
    new_markdown_cell(
        "## How long after the field does the meetup follow?\n\n"
        "For each theme that rose in the field: the month it rose, the meetup's first talk "
        "on it from that month on, and the months between. Talks the meetup gave on the "
        "theme before the field's rise are counted apart (the meetup was early)."),
    new_code_cell("""rises = radar.rise_months(counts.counts, counts.totals, names)
lags = radar.talk_lags(rises, themed)
lags[["topic", "label", "rise_month", "papers", "share", "baseline_share", "first_talk",
      "months_after", "talks_before"]]"""),
    new_code_cell("""for row in lags.itertuples():
    if row.first_talk:
        print(f"[{row.topic}] rose in the field in {row.rise_month}; first talk "
              f"{row.first_talk}, {row.months_after} months later ({row.first_talk_title})")
    else:
        print(f"[{row.topic}] rose in the field in {row.rise_month}; no talk yet")
followed = lags.dropna(subset=["months_after"])
if len(followed):
    print(f"median lag: {followed['months_after'].median():.0f} months over "
          f"{len(followed)} themes; {len(lags) - len(followed)} rising themes without a talk")"""),
    new_markdown_cell("How much does the answer depend on the definition of *rising*?"),
    new_code_cell("""rows = []
for ratio in (1.25, 1.5, 2.0):
    lag = radar.talk_lags(radar.rise_months(counts.counts, counts.totals, names,
                                            ratio=ratio), themed)
    rows.append({"ratio": ratio, "themes that rose": len(lag),
                 "with a talk since": int(lag["months_after"].notna().sum()),
                 "median months": lag["months_after"].dropna().median()})
pd.DataFrame(rows)"""),
]

NOTEBOOKS = {
    "01_topic_evolution.ipynb": TOPIC_EVOLUTION,
    "02_gap_analysis.ipynb": GAP_ANALYSIS,
    "03_talk_paper_links.ipynb": TALK_PAPER_LINKS,
    "04_meetup_vs_field.ipynb": MEETUP_VS_FIELD,
}


def build(out_dir: Path = HERE) -> list[Path]:
    """Write every notebook, without outputs; returns their paths."""
    paths = []
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"  # stable ids: no churn on rebuild
        nbformat.validate(nb)
        path = out_dir / name
        nbformat.write(nb, path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build():
        print(p)
