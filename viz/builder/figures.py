"""The Network Builder's own figure: two networks' stages aligned, parameters and multiply-adds slot by slot.

Everything else the builder draws is the Explorer's (``viz.explorer.figures``: the volume
diagram, channel growth, where the cost lives); this is the one picture only a comparison has.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.builder.compare import Pair
from viz.formatting import approx, shape_text

A_COLOUR, B_COLOUR = "#2563eb", "#ea580c"  # the Explorer's blue and orange
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=15, color="#1f2937")


def _slot_label(pair: Pair) -> str:
    a = pair.a.name if pair.a is not None else "—"
    b = pair.b.name if pair.b is not None else "—"
    return a if a == b else f"{a}<br>{b}"


def _hover(group, title: str) -> str:
    if group is None:
        return f"<b>{title}</b>: no stage here"
    return (f"<b>{title}: {group.name}</b> → {shape_text(group.output_shape)}<br>"
            f"{group.params:,} parameters<br>{group.macs:,} MACs")


def aligned_stages(pairs: Sequence[Pair], title_a: str, title_b: str) -> go.Figure:
    """Per aligned slot, A's and B's parameters (top) and multiply-adds (bottom), log scale;
    slot labels name A's stage over B's (one name when they are the same)."""
    labels = [_slot_label(p) for p in pairs]
    x = list(range(len(pairs)))
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           subplot_titles=("parameters", "multiply-adds (MACs)"))
    for row, attribute in ((1, "params"), (2, "macs")):
        for title, colour, side in ((title_a, A_COLOUR, "a"), (title_b, B_COLOUR, "b")):
            groups = [getattr(p, side) for p in pairs]
            values = [getattr(g, attribute) if g is not None else None for g in groups]
            figure.add_trace(go.Bar(
                x=x, y=[v if v else None for v in values], name=title, marker_color=colour, showlegend=row == 1,
                text=[approx(v) if v else "" for v in values], textposition="outside", cliponaxis=False,
                hovertext=[_hover(g, title) for g in groups], hoverinfo="text", legendgroup=side,
            ), row=row, col=1)
    figure.update_yaxes(type="log", gridcolor="#e5e7eb", showline=True, linecolor="#9ca3af")
    figure.update_xaxes(tickvals=x, ticktext=labels, tickangle=-40 if len(x) > 8 else 0, row=2, col=1)
    figure.update_layout(
        template="none", height=620, barmode="group", bargap=0.25, font=FONT, hovermode="closest",
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", margin=dict(l=70, r=20, t=110, b=90),
        title=dict(text="Stage by stage: where the two differ", x=0, y=0.97, yref="container", yanchor="top",
                   font=dict(size=20)),
        legend=dict(orientation="h", yanchor="bottom", y=1.06, xanchor="left", x=0),
    )
    return figure
