"""Figures for organizers, as pure functions: counts or gaps in, a plotly figure out."""

from __future__ import annotations

import pandas as pd

KIND_NAMES = {"talk": "Talks", "paper": "Cited papers"}  # other kinds show their own name


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
            hoverinfo="skip", colorbar={"title": name.lower()}))
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
        yaxis={"autorange": "reversed", "dtick": 1}, xaxis={"type": "category"},
        height=max(320, 24 * len(themes) + 180), margin={"l": 10, "r": 10, "t": 110, "b": 40},
        clickmode="event+select", hovermode="closest",
        updatemenus=[{"type": "buttons", "direction": "right", "buttons": buttons,
                      "x": 0.0, "xanchor": "left", "y": 1.01, "yanchor": "bottom"}]
        if len(kinds) > 1 else [])
    return fig


def gap_figure(gaps: list):
    """Horizontal bars per gap: hot-topic papers against talks; the hover says why.

    Args:
        gaps: ``Gap`` objects (``explorer.insights.gaps.find_gaps``).

    Returns:
        A plotly ``go.Figure`` (empty with a title saying so when there are no gaps).
    """
    import plotly.graph_objects as go

    if not gaps:
        return go.Figure(layout={"title": "No gaps found"})
    names = [f"{g.kind} · {g.label}" for g in gaps]
    hover = [g.reason.replace("<", "&lt;") for g in gaps]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=[g.papers for g in gaps], name="cited papers",
                         orientation="h", hovertext=hover, hoverinfo="text+x"))
    fig.add_trace(go.Bar(y=names, x=[g.talks for g in gaps], name="talks",
                         orientation="h", hovertext=hover, hoverinfo="text+x"))
    fig.update_layout(barmode="group", title="Gaps: talks and cited papers per theme",
                      yaxis={"autorange": "reversed"}, xaxis_title="items",
                      height=max(300, 60 * len(gaps) + 120))
    return fig
