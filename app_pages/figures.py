"""The map's figure: a 2-D projection of the index, one legend entry and colour per group."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

# 24 + 26 distinguishable colours: a map with up to 50 topics never reuses one.
PALETTE = qualitative.Dark24 + qualitative.Alphabet


def _html(text: object) -> str:
    # plotly renders hover text as HTML-ish markup: archive text is shown, not interpreted.
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """The first two principal components of row vectors, signs fixed so runs agree.

    Args:
        vectors: (n, d) float array.

    Returns:
        (n, 2) float array; zeros when n < 2.
    """
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        return np.zeros((len(x) if x.ndim else 0, 2))
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    comps = vt[:2]
    if comps.shape[0] < 2:
        comps = np.vstack([comps, np.zeros_like(comps[:1])])
    # SVD signs are arbitrary; make the largest loading positive so the map does not flip.
    signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])
    signs[signs == 0] = 1
    return x @ (comps * signs[:, None]).T


def map_figure(ids: Sequence[str], kinds: Sequence[str], titles: Sequence[str],
               xy: np.ndarray, colors: Sequence[object], color_title: str = "Year",
               selected: str | None = None,
               hover: Sequence[Sequence[str]] | None = None) -> go.Figure:
    """A scatter map of talks (circles) and papers (diamonds).

    Args:
        ids, kinds, titles: one entry per point; ``ids`` travel as customdata so a click
            can open the item.
        xy: (n, 2) coordinates, e.g. from `project_2d`.
        colors: one value per point; numbers give a colour scale, text gives categories
            (one legend entry and one colour per category, whatever the kind).
        color_title: legend / colour bar title.
        selected: an id to highlight with a ring.
        hover: per point, extra plain-text lines under the title (speakers, meetup, date).

    Returns:
        A plotly Figure.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    fig = go.Figure()
    n = len(ids)
    numeric = n > 0 and all(isinstance(c, (int, float)) and not math.isnan(c) for c in colors)
    texts = ["<b>" + _html(titles[i]) + "</b>" + "".join(
        "<br>" + _html(line) for line in (hover[i] if hover else []) if line) for i in range(n)]
    symbols = ["circle" if k == "talk" else "diamond" for k in kinds]
    sizes = [9 if k == "talk" else 8 for k in kinds]

    def add(idx: list[int], name: str, color, **marker) -> None:
        fig.add_trace(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="markers", name=name,
            marker={"size": [sizes[i] for i in idx], "symbol": [symbols[i] for i in idx],
                    "line": {"width": 0.5, "color": "white"}, "opacity": 0.85,
                    "color": color, **marker},
            customdata=[ids[i] for i in idx], hovertext=[texts[i] for i in idx],
            hoverinfo="text"))

    if numeric:
        for kind in ("talk", "paper"):
            idx = [i for i in range(n) if (kinds[i] == "talk") == (kind == "talk")]
            if idx:
                add(idx, kind + "s", [colors[i] for i in idx], colorscale="Viridis",
                    cmin=min(colors), cmax=max(colors), showscale=kind == "talk" or
                    all(k != "talk" for k in kinds),
                    # Across the top, thin: upright beside the map it took a quarter
                    # of a phone's width; every other year labelled so none overlap.
                    colorbar={"title": {"text": color_title, "side": "top"},
                              "tickformat": "d", "dtick": 2, "orientation": "h",
                              "thickness": 10, "len": 0.7, "x": 0, "xanchor": "left",
                              "y": 1.0, "yanchor": "bottom"})
    else:
        cats = sorted({str(c) for c in colors}, key=lambda c: (c in ("Other", "Unassigned"), c))
        for j, cat in enumerate(cats):
            idx = [i for i in range(n) if str(colors[i]) == cat]
            add(idx, cat, PALETTE[j % len(PALETTE)])
    if selected is not None and selected in ids:
        i = list(ids).index(selected)
        fig.add_trace(go.Scatter(x=[xy[i, 0]], y=[xy[i, 1]], mode="markers",
                                 name="selected", hoverinfo="skip",
                                 marker={"size": 18, "color": "rgba(0,0,0,0)",
                                         "line": {"width": 2, "color": "crimson"}}))
    # The legend goes under the map, where it wraps on a phone instead of covering points.
    fig.update_layout(height=620, margin={"l": 10, "r": 10, "t": 60 if numeric else 10,
                                          "b": 10},
                      # With a colour scale the legend tells kinds apart, not the colours.
                      legend={"orientation": "h", "yanchor": "top", "y": -0.02,
                              "title": {"text": "" if numeric else color_title}},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      dragmode="pan", plot_bgcolor="rgba(0,0,0,0)", hovermode="closest")
    return fig
