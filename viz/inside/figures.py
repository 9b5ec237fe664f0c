"""Plotly charts of "Inside LeNet-5" (the only module here that imports plotly): the confusion
matrix. Everything made of pixels — the feature maps, the input digit, C1's kernels, the digit
galleries — is a picture (:mod:`viz.inside.pictures`); the ten probabilities, redrawn on every
canvas stroke, are plain HTML bars (``pictures.probabilities_html``: a plotly chart costs the
browser more per stroke than everything else a stroke changes).
Text is at least 14 px (read on a 1280 × 720 projector and on a phone).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

FONT = dict(size=14)
TITLE = dict(size=16)


def _readable(fig: go.Figure) -> go.Figure:
    """Ticks, axis titles and colour bars at 14 px: Streamlit's chart theme sets smaller ones
    explicitly, which the layout's font alone does not override."""
    fig.update_xaxes(tickfont=FONT, title_font=FONT)
    fig.update_yaxes(tickfont=FONT, title_font=FONT)
    fig.update_traces(colorbar=dict(tickfont=FONT, title_font=FONT), selector=dict(type="heatmap"))
    return fig


def confusion_figure(confusion: np.ndarray, height: int = 440) -> go.Figure:
    """Rows = the true digit, columns = what the network said; off the diagonal = mistakes."""
    diagonal = np.eye(10, dtype=bool)
    off = np.where(diagonal, np.nan, confusion).astype(float)
    right = np.where(diagonal, confusion, np.nan).astype(float)
    digits = [str(d) for d in range(10)]
    most = max(1, int(np.nanmax(off)))

    def labels(where: np.ndarray) -> list[list[str]]:
        return [[str(n) if n and w else "" for n, w in zip(row, keep)] for row, keep in
                zip(confusion.tolist(), where.tolist())]

    fig = go.Figure(dict(data=[
        dict(type="heatmap", z=off, x=digits, y=digits, colorscale="Reds", zmin=0, zmax=most, text=labels(~diagonal),
             texttemplate="%{text}", textfont=FONT, colorbar=dict(title=dict(text="mistakes", side="top"), thickness=12, dtick=1),
             hovertemplate="true %{y}, predicted %{x}: %{z} wrong<extra></extra>"),
        dict(type="heatmap", z=right, x=digits, y=digits, colorscale=[[0, "#e8f5e9"], [1, "#e8f5e9"]],
             showscale=False, text=labels(diagonal), texttemplate="%{text}", textfont=dict(size=14, color="#1a7f37"),
             hovertemplate="true %{y}, predicted %{x}: %{z} right<extra></extra>")]))
    fig.update_layout(height=height, margin=dict(l=60, r=10, t=40, b=50), font=FONT,
                      title=dict(text="Confusion matrix of the 1,000 test digits", font=TITLE),
                      xaxis=dict(title="predicted digit", type="category", side="bottom"),
                      yaxis=dict(title="true digit", type="category", autorange="reversed"))
    return _readable(fig)
