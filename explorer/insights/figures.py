"""Figures for organizers, as pure functions: counts or gaps in, a plotly figure out."""

from __future__ import annotations

import pandas as pd

KIND_NAMES = {"talk": "Talks", "paper": "Cited papers"}  # other kinds show their own name
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.15, "yanchor": "top"}


def wrap_label(text: str, width: int = 22) -> str:
    """``text`` broken into lines of about ``width`` characters (``<br>``), so an axis label
    takes a narrow margin and is not cut off on a phone."""
    import html
    import textwrap

    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(str(text), width) or [""])


def theme_heatmap(df: pd.DataFrame, title: str = "Themes over time"):
    """A theme x year heatmap of counts, one layer per kind (talks, cited papers, ...).

    Every theme in ``df`` gets a row, in the order it first appears (so zero rows show where
    a theme was never covered); buttons switch between the kinds, talks first. Each kind is
    a ``go.Heatmap`` followed by an invisible ``go.Scatter`` with one marker per cell whose
    ``customdata`` is [theme id, year, count], so a click on a cell selects a point a front
    end can turn into the list of that cell's talks.

    Args:
        df: the output of ``topics_over_time`` (columns topic, label, year, kind, count);
            rows of further kinds (e.g. field counts) become further layers.
        title: the figure title.

    Returns:
        A plotly ``go.Figure``: (heatmap, cell markers) per kind, only the first kind visible.
    """
    import plotly.graph_objects as go

    if df.empty:
        return go.Figure(layout={"title": f"{title} (no dated items)"})
    themes = list(dict.fromkeys(df["topic"]))
    labels = df.drop_duplicates("topic").set_index("topic")["label"].reindex(themes)
    years = sorted({int(y) for y in df["year"]})
    kinds = sorted(set(df["kind"]), key=lambda k: (list(KIND_NAMES).index(k)
                                                    if k in KIND_NAMES else len(KIND_NAMES), k))
    fig = go.Figure()
    for n, kind in enumerate(kinds):
        grid = (df[df["kind"] == kind].pivot_table(index="topic", columns="year", values="count",
                                                   aggfunc="sum", fill_value=0)
                .reindex(index=themes, columns=years, fill_value=0))
        z = grid.to_numpy()
        name = KIND_NAMES.get(kind, kind)
        ys = [str(lab) for lab in labels]
        fig.add_trace(go.Heatmap(
            z=z, x=[str(y) for y in years], y=ys,
            text=[[str(v) if v else "" for v in row] for row in z], texttemplate="%{text}",
            customdata=[[[t, y] for y in years] for t in themes],
            colorscale="Blues", zmin=0, name=name, visible=n == 0, xgap=1, ygap=1,
            # Every cell shows its count: no colour bar, whose width a phone cannot spare.
            hoverinfo="skip", showscale=False))
        # Heatmaps cannot be selected; an invisible marker on every cell makes a click on
        # it a point selection (theme id and year in customdata) a front end can act on.
        cells = [(i, j) for i in range(len(themes)) for j in range(len(years))]
        fig.add_trace(go.Scatter(
            x=[str(years[j]) for _, j in cells], y=[ys[i] for i, _ in cells], mode="markers",
            marker={"symbol": "square", "size": 18, "opacity": 0}, showlegend=False,
            name=f"{name} cells", visible=n == 0,
            customdata=[[themes[i], years[j], int(z[i, j])] for i, j in cells],
            hovertemplate="%{y}, %{x}: %{customdata[2]} " + name.lower() + "<extra></extra>"))
    buttons = [{"label": KIND_NAMES.get(k, k), "method": "update",
                "args": [{"visible": [j // 2 == i for j in range(2 * len(kinds))]},
                         {"title": f"{title}: {KIND_NAMES.get(k, k).lower()} per year"}]}
               for i, k in enumerate(kinds)]
    fig.update_layout(
        title=f"{title}: {KIND_NAMES.get(kinds[0], kinds[0]).lower()} per year",
        # Labels wrapped and the colour bar below: on a 390 px phone the cells keep the width.
        yaxis={"autorange": "reversed", "dtick": 1, "automargin": True, "tickmode": "array",
               "tickvals": ys, "ticktext": [wrap_label(y, 26) for y in ys]},
        xaxis={"type": "category", "tickangle": -90, "automargin": True},
        height=max(360, 46 * len(themes) + 220), margin={"l": 10, "r": 10, "t": 110, "b": 40},
        clickmode="event+select", hovermode="closest",
        updatemenus=[{"type": "buttons", "direction": "right", "buttons": buttons,
                      "x": 0.0, "xanchor": "left", "y": 1.01, "yanchor": "bottom"}]
        if len(kinds) > 1 else [])
    return fig


def gap_figure(gaps: list):
    """A timeline per gap: its last talks and its papers as dated markers, with the window
    a stale theme had no talk in shaded, so the verdict can be checked at a glance.

    Args:
        gaps: ``Gap`` objects (``explorer.insights.gaps.find_gaps``).

    Returns:
        A plotly ``go.Figure``: one marker trace for talks, one for cited papers (empty with
        a title saying so when there are no gaps).
    """
    import html

    import plotly.graph_objects as go

    if not gaps:
        return go.Figure(layout={"title": "No gaps found"})
    names = [wrap_label(f"{g.kind} · {g.label}") for g in gaps]
    fig = go.Figure()
    for kind, key, symbol in (("talks", "talks_evidence", "circle"),
                              ("cited papers", "papers_evidence", "diamond")):
        xs, ys, hover = [], [], []
        for name, g in zip(names, gaps):
            for e in getattr(g, key):
                if e.get("date"):
                    xs.append(e["date"])
                    ys.append(name)
                    where = f" (meetup {e['meetup']})" if e.get("meetup") else ""
                    hover.append(html.escape(f"{e['date']}{where}: {e['title']}"))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=kind, hovertext=hover,
                                 hoverinfo="text", marker={"symbol": symbol, "size": 11}))
    stale = [g for g in gaps if g.kind == "stale" and g.as_of and g.window_years]
    if stale:
        end = pd.Timestamp(stale[0].as_of)
        start = end - pd.Timedelta(days=round(365.25 * stale[0].window_years))
        fig.add_vrect(x0=start.date().isoformat(), x1=end.date().isoformat(),
                      fillcolor="green", opacity=0.08, line_width=0,
                      annotation_text=f"last {stale[0].window_years:g} years",
                      annotation={"xanchor": "right", "x": end.date().isoformat()},
                      annotation_position="top right")
    fig.update_layout(title="Gaps: the last talks and the papers of each theme",
                      yaxis={"autorange": "reversed", "type": "category",
                             "categoryarray": names, "categoryorder": "array"},
                      yaxis_automargin=True, xaxis={"type": "date", "automargin": True},
                      legend=LEGEND_BELOW, margin={"l": 10, "r": 10},
                      height=max(320, 48 * len(gaps) + 200))
    return fig
