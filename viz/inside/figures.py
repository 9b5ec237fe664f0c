"""Plotly charts of "Inside LeNet-5" (the only module here that imports plotly): the ten
probabilities and the confusion matrix. Everything made of pixels — the feature maps, the
input digit, C1's kernels, the digit galleries — is a picture (:mod:`viz.inside.pictures`).
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


def probabilities_figure(probabilities: np.ndarray, prediction: int, height: int = 260) -> go.Figure:
    """The ten probabilities as bars, the answer red. Built from plain dicts with the 14 px fonts
    set where the theme would override them: it is redrawn on every canvas stroke, and plotly's
    ``update_*`` calls cost more than the whole forward pass."""
    colours = ["#1f77b4"] * 10
    colours[prediction] = "#d62728"
    axis = dict(tickfont=FONT, title=dict(font=FONT))
    bar = dict(type="bar", x=[str(d) for d in range(10)], y=[float(p) for p in probabilities], marker_color=colours,
               text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities], textposition="outside",
               textfont=FONT, hovertemplate="digit %{x}: %{y:.2%}<extra></extra>")
    layout = dict(height=height, margin=dict(l=40, r=10, t=30, b=40), font=FONT,
                  title=dict(text="Probability of each digit", font=TITLE),
                  xaxis=dict(axis, title=dict(text="digit", font=FONT), type="category"),
                  yaxis=dict(axis, title=dict(text="probability", font=FONT), range=[0, 1.15], tickformat=".0%"))
    return go.Figure(dict(data=[bar], layout=layout))


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
