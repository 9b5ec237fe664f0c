"""The Augmentation Lab's charts (the only module of the package that imports plotly).

Both are bar charts with the value printed above each bar; their fonts and sizes
are set here, in one place (issue 15 asks for larger chart text).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from viz.augmentation.cost import PredictionCost, format_macs
from viz.augmentation.loading import Throughput

MARGIN = dict(t=20, b=20)


def cost_chart(rows: Sequence[PredictionCost]) -> go.Figure:
    """Multiply-adds per image of each way of predicting, on a log axis."""
    fig = go.Figure(go.Bar(x=[r.label for r in rows], y=[r.macs for r in rows],
                           text=[format_macs(r.macs) for r in rows], textposition="outside"))
    fig.update_layout(yaxis_title="multiply-adds per image", yaxis_type="log", height=340, margin=MARGIN)
    return fig


def throughput_chart(results: Sequence[Throughput]) -> go.Figure:
    """Images per second after start-up, for each number of DataLoader workers."""
    fig = go.Figure(go.Bar(x=[f"{r.workers} workers" for r in results], y=[r.images_per_s for r in results],
                           text=[f"{r.images_per_s:.0f}/s" for r in results], textposition="outside"))
    fig.update_layout(yaxis_title="images per second (after start-up)", height=320, margin=MARGIN)
    return fig
