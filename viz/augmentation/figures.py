"""The Augmentation Lab's charts (the only module of the package that imports plotly).

Both are bar charts with the value printed above each bar, their text at least
:data:`viz.readable.MIN_PX` (ticks, axis titles and legends set here, where Streamlit's
theme would draw them at 12 px).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from viz.augmentation.cost import PredictionCost, format_macs
from viz.augmentation.loading import Throughput
from viz.readable import merge, text_layout

MARGIN = dict(t=30, b=20)
BLUE, GREY = "#1f77b4", "#7f7f7f"


def cost_chart(rows: Sequence[PredictionCost]) -> go.Figure:
    """Multiply-adds per image of each way of predicting, on a linear axis: a bar 70 times
    as tall is 70 times the cost (ticks in SI units: 20G = 20 billion MACs)."""
    fig = go.Figure(go.Bar(x=[r.label for r in rows], y=[r.macs for r in rows], marker_color=BLUE,
                           text=[format_macs(r.macs) for r in rows], textposition="outside", cliponaxis=False))
    top = max((r.macs for r in rows), default=1)
    fig.update_layout(merge(text_layout(), {
        "yaxis": {"title": "multiply-adds per image (MACs)", "tickformat": "~s", "range": [0, top * 1.15],
                  "rangemode": "tozero"},
        "height": 360, "margin": MARGIN, "showlegend": False}))
    return fig


def throughput_chart(results: Sequence[Throughput], title: str = "", colour: str = BLUE) -> go.Figure:
    """Images per second after start-up, for each number of DataLoader workers."""
    fig = go.Figure(go.Bar(x=[f"{r.workers} worker{'s' * (r.workers != 1)}" for r in results],
                           y=[r.images_per_s for r in results], marker_color=colour,
                           text=[f"{r.images_per_s:.0f}/s" for r in results], textposition="outside",
                           cliponaxis=False))
    top = max((r.images_per_s for r in results), default=1)
    fig.update_layout(merge(text_layout(), {
        "title": {"text": title}, "yaxis": {"title": "images per second", "range": [0, top * 1.2]},
        "height": 320, "margin": {**MARGIN, "t": 50 if title else 30}, "showlegend": False}))
    return fig
