"""The Network Explorer's plotly figures of a traced network (the only module here importing plotly).

Each function takes the tracer's records or groups (plain data) and returns a
``plotly.graph_objects.Figure`` sized to be read on a projector: large fonts, few
colours, and every number also available on hover. Shapes are the lecture's
``n_H × n_W × n_C``.

Figures are built from one dict of shapes/annotations at once (not ``add_shape``
in a loop, which re-validates the whole layout on every call).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from viz.explorer import diagram
from viz.explorer.diagram import text_width
from viz.explorer.numbers import format_macs, macs_in
from viz.explorer.structure import diagram_items, shape_nhwc
from viz.explorer.table import preorder
from viz.formatting import approx, shape_text

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=16, color="#1f2937")
BLUE, ORANGE, GREEN, GREY, RED = "#2563eb", "#ea580c", "#059669", "#6b7280", "#dc2626"
FAMILY_COLOURS = {
    "classic": "#2563eb",
    "residual": "#dc2626",
    "inception": "#059669",
    "mobile": "#9333ea",
    "efficient": "#ea580c",
}
# The four branches of an inception module (1×1, 3×3, 5×5, pool): one colour each.
BRANCH_COLOURS = ("#60a5fa", "#34d399", "#fbbf24", "#f472b6", "#a78bfa", "#94a3b8")
# Blocks whose inside would zig-zag the channel curve (parallel branches, expand-then-project).
_BLOCKS = ("InceptionModule", "Inception", "BasicBlock", "Bottleneck", "InvertedResidual", "DepthwiseSeparable",
           "MBConv")
_SHAPE_TYPES = ("Conv2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d")


def _layout(**extra: Any) -> dict:
    base = dict(
        template="none",
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        font=FONT,
        margin=dict(l=70, r=70, t=110, b=60),
        hoverlabel=dict(font_size=15),
        legend=dict(orientation="h", yanchor="bottom", y=1.03, xanchor="left", x=0, font=dict(size=15)),
    )
    base.update(extra)
    if isinstance(base.get("title"), dict):
        # The title sits at the top of the figure, the legend between it and the plot.
        base["title"] = {"yref": "container", "y": 0.97, "yanchor": "top", **base["title"]}
    return base


def _axis(**extra: Any) -> dict:
    """An axis with light grid lines and text ≥ 15 px (the figures use no template: building
    one costs more than the figure itself on every rerun; Streamlit's theme would make ticks 12 px)."""
    base = dict(gridcolor="#e5e7eb", zeroline=False, showline=True, linecolor="#9ca3af", ticks="outside",
                tickcolor="#9ca3af", automargin=True)
    tickfont = {"size": 15, **extra.pop("tickfont", {})}
    title = extra.pop("title", "")
    title = {"text": title} if isinstance(title, str) else dict(title)
    title["font"] = {"size": 16, **title.get("font", {})}
    base.update(extra, tickfont=tickfont, title=title)
    return base


def _pow2_ticks(values: Sequence[float]) -> list[int]:
    lo = max(1, min(values, default=1))
    hi = max(values, default=1)
    ticks, t = [], 1
    while t < hi * 2:
        if t >= lo / 2:
            ticks.append(t)
        t *= 2
    if len(ticks) > 9:  # keep the axis readable: every other power of two
        ticks = ticks[::2]
    return ticks


# ---------------------------------------------------------------- channel growth


def _thin_ticks(tickvals: list[int], ticktext: list[str], n_points: int, plot_px: float,
                upright: bool) -> tuple[list[int], list[str]]:
    """Keep the tick labels that fit ``plot_px`` pixels without touching: side by side
    (``upright``: each label's width) or turned on end (one line height apart)."""
    per_point = plot_px / max(1, n_points - 1)
    kept_v, kept_t = [], []
    for value, text in zip(tickvals, ticktext):
        if kept_v:
            need = 22 if not upright else (text_width(kept_t[-1], 15) + text_width(text, 15)) / 2 + 10
            if (value - kept_v[-1]) * per_point < need:
                continue
        kept_v.append(value)
        kept_t.append(text)
    return kept_v, kept_t


def channel_growth(records: Sequence[Any], input_size: Sequence[int],
                   stage_names: Sequence[str] = (), width: float = diagram.WIDE_WIDTH,
                   narrow: bool = False) -> go.Figure:
    """n_H and n_W going down while n_C goes up, along the network's depth.

    One point per layer that changes a shape (convolution, pooling, fully
    connected) or per block (residual, inception, inverted residual: their
    outputs, not their insides), in execution order, starting with the input image; a fully
    connected output of F units counts as 1 × 1 × F. Both axes are logarithmic
    (powers of two), so "halve n_H, double n_C" reads as straight steps.
    """
    points = [("input", "image", tuple(input_size))]
    modules = [r.name + "." for r in records if r.layer_type in _BLOCKS]
    for rec in preorder(records):
        if rec.layer_type in _BLOCKS:
            # A block's inside (parallel branches, 1×1 expand/reduce) would zig-zag: show its output only.
            points.append((rec.name, rec.layer_type, tuple(rec.output_shape)))
        elif any(rec.name.startswith(m) for m in modules):
            continue
        elif rec.is_leaf and rec.layer_type in _SHAPE_TYPES and shape_nhwc(rec.output_shape):
            points.append((rec.name, rec.layer_type, tuple(rec.output_shape)))
    xs = list(range(len(points)))
    nhwc = [shape_nhwc(p[2]) for p in points]
    n_h = [s[0] for s in nhwc]
    n_w = [s[1] for s in nhwc]
    n_c = [s[2] for s in nhwc]
    hover = [f"<b>{name}</b> ({kind})<br>{shape_text(shape)}" for name, kind, shape in points]

    # Where each stage starts, as x tick labels (the stage of a layer = first part of its name).
    tickvals, ticktext, seen = [], [], set()
    wanted = set(stage_names) if stage_names else None
    for x, (name, _, _) in zip(xs, points):
        stage = name.split(".")[0]
        if stage not in seen and (wanted is None or stage in wanted or stage == "input"):
            seen.add(stage)
            tickvals.append(x)
            ticktext.append(stage)

    # Stage names side by side where they fit the chart's width (``width`` px or more), else on end;
    # the ones that would touch their neighbour are left to the hover.
    margin = dict(l=56, r=56, t=130, b=60) if narrow else dict(l=70, r=70, t=96, b=60)
    plot_px = width - margin["l"] - margin["r"] - 60
    upright = not narrow and all(text_width(t, 15) <= 90 for t in ticktext) and len(tickvals) <= 12
    tickvals, ticktext = _thin_ticks(tickvals, ticktext, len(points), plot_px, upright)
    data = [
        go.Scatter(x=xs, y=n_h, name="n_H (height)", mode="lines+markers", line=dict(color=BLUE, width=3),
                   marker=dict(size=7), hovertext=hover, hoverinfo="text+name", line_shape="hv"),
        go.Scatter(x=xs, y=n_w, name="n_W (width)", mode="lines", line=dict(color=BLUE, width=2, dash="dot"),
                   hovertext=hover, hoverinfo="text+name", line_shape="hv"),
        go.Scatter(x=xs, y=n_c, name="n_C (channels)", mode="lines+markers", yaxis="y2",
                   line=dict(color=ORANGE, width=3), marker=dict(size=7, symbol="square"),
                   hovertext=hover, hoverinfo="text+name", line_shape="hv"),
    ]
    hw_ticks = _pow2_ticks(n_h + n_w)
    c_ticks = _pow2_ticks(n_c)
    layout = _layout(
        height=430 if not narrow else 520,
        title=dict(text="Channel growth: n_C ↑" if narrow else
                   "Channel growth: n_H, n_W ↓ while n_C ↑", x=0, font=dict(size=18)),
        margin=margin,
        xaxis=_axis(title="layers in order (conv, pool, FC)", tickvals=tickvals, ticktext=ticktext,
                   tickangle=0 if upright else -90, showgrid=False, tickfont=dict(size=15)),
        yaxis=_axis(title=dict(text="n_H, n_W (pixels)", font=dict(color=BLUE)), type="log",
                   tickvals=hw_ticks, ticktext=[str(t) for t in hw_ticks], tickfont=dict(color=BLUE)),
        yaxis2=_axis(title=dict(text="n_C (channels)", font=dict(color=ORANGE)), type="log", overlaying="y",
                    side="right", tickvals=c_ticks, ticktext=[str(t) for t in c_ticks],
                    tickfont=dict(color=ORANGE), showgrid=False),
        hovermode="closest",
    )
    return go.Figure(data=data, layout=layout)


# ---------------------------------------------------------------- volume diagram

_DASH = {"solid": "solid", "dash": "6px,4px", "dot": "2px,4px"}


def _path(points: Sequence[tuple[float, float]]) -> str:
    return "M " + " L ".join(f"{x:.2f},{y:.2f}" for x, y in points) + " Z"


def _arrowhead(line: diagram.Line) -> dict:
    """A filled triangle at the line's last point, pointing along its last (axis-aligned)
    segment, in pixels around that point (so it keeps its size at any width)."""
    (x0, y0), (x1, y1) = line.points[-2], line.points[-1]
    ux, uy = (1 if x1 > x0 else -1 if x1 < x0 else 0), (1 if y1 > y0 else -1 if y1 < y0 else 0)
    back, length, half = line.head_back, 10.0, 5.5
    tip = (-ux * back, -uy * back)
    base = (tip[0] - ux * length, tip[1] - uy * length)
    left = (base[0] - uy * half, base[1] + ux * half)
    right = (base[0] + uy * half, base[1] - ux * half)
    # x in pixels around the anchor; y in data units, which are pixels (the y axis spans the height).
    pts = [(tip[0], y1 + tip[1]), (left[0], y1 + left[1]), (right[0], y1 + right[1])]
    return dict(type="path", xsizemode="pixel", xanchor=x1, path=_path(pts), fillcolor=line.colour,
                line=dict(color=line.colour, width=1), layer="above" if not line.below else "below")


def _line_shapes(line: diagram.Line) -> list[dict]:
    path = "M " + " L ".join(f"{x:.2f},{y:.2f}" for x, y in line.points)
    out = [dict(type="path", path=path, line=dict(color=line.colour, width=line.width, dash=_DASH[line.dash]),
                layer="below" if line.below else "above")]
    if line.arrow:
        out.append(_arrowhead(line))
    return out


def _volume_shapes(vol: diagram.Volume) -> list[dict]:
    """Front, top and side face of a volume, in pixels around its anchor (x) and in data y."""
    front, top, side, edge = diagram.FACES[vol.kind]
    left = -vol.width / 2
    t, dx, dy = vol.thickness, vol.dx, vol.dy
    y0, y1 = vol.y - vol.height / 2, vol.y + vol.height / 2
    line = dict(color=edge, width=1.2)
    common = dict(xsizemode="pixel", xanchor=vol.x, line=line, layer="above")
    shapes = []
    if vol.branches:
        total, xb = sum(vol.branches), left
        for j, channels in enumerate(vol.branches):
            wb = t * channels / total
            shapes.append(dict(type="rect", x0=xb, x1=xb + wb, y0=y0, y1=y1,
                               fillcolor=diagram.BRANCH_COLOURS[j % len(diagram.BRANCH_COLOURS)], **common))
            xb += wb
    else:
        shapes.append(dict(type="rect", x0=left, x1=left + t, y0=y0, y1=y1, fillcolor=front, **common))
    shapes.append(dict(type="path", path=_path([(left, y0), (left + dx, y0 - dy), (left + t + dx, y0 - dy),
                                                (left + t, y0)]), fillcolor=top, **common))
    shapes.append(dict(type="path", path=_path([(left + t, y0), (left + t + dx, y0 - dy), (left + t + dx, y1 - dy),
                                                (left + t, y1)]), fillcolor=side, **common))
    return shapes


def _annotation(label: diagram.Label) -> dict:
    lines = [f"<b>{line}</b>" if label.bold else line for line in label.lines]
    return dict(x=label.x, y=label.y, xref="x", yref="y", text="<br>".join(lines), showarrow=False,
                xanchor={"start": "left", "middle": "center", "end": "right"}[label.anchor],
                yanchor=label.valign, align={"start": "left", "middle": "center", "end": "right"}[label.anchor],
                font=dict(size=label.size, color=label.colour), borderpad=0)


def diagram_figure(d: diagram.Diagram) -> go.Figure:
    """The volume diagram drawn with plotly: volumes, arrows, skip paths and labels as
    shapes and annotations (one dict each, built at once), and one invisible marker per
    volume that carries its hover text and, when clicked, its key (``customdata``)."""
    shapes = [s for line in d.lines if line.below for s in _line_shapes(line)]
    shapes += [s for vol in d.volumes for s in _volume_shapes(vol)]
    shapes += [s for line in d.lines if not line.below for s in _line_shapes(line)]
    data = [go.Scatter(
        x=[v.x for v in d.volumes], y=[v.y for v in d.volumes], mode="markers",
        marker=dict(size=[max(v.width, v.height, 18) for v in d.volumes], symbol="square", opacity=0),
        customdata=[v.key for v in d.volumes], hovertext=[v.hover for v in d.volumes], hoverinfo="text",
        showlegend=False)]
    layout = _layout(
        height=round(d.height),
        xaxis=dict(visible=False, range=[0, d.width], fixedrange=True),
        yaxis=dict(visible=False, range=[d.height, 0], fixedrange=True),
        shapes=shapes,
        annotations=[_annotation(label) for label in d.labels],
        margin=dict(l=0, r=0, t=0, b=0),
        hovermode="closest",
        dragmode=False,
        showlegend=False,
    )
    return go.Figure(data=data, layout=layout)


def volume_diagram(groups: Sequence[Any], input_size: Sequence[int], residual: bool = True,
                   unit: str = "MACs", title: str = "", kind: str = "wide", sides: Sequence[Any] = ()) -> go.Figure:
    """The lecture's drawing of a network: one box per stage/block, sized by n_H, n_W, n_C
    (:mod:`viz.explorer.diagram` places them; this draws them)."""
    items = diagram_items(groups, input_size, residual, unit, sides)
    return diagram_figure(diagram.layout(items, kind, title or "Volumes: n_H × n_W × n_C after each stage"))


# ---------------------------------------------------------------- where the cost lives


def cost_by_stage(groups: Sequence[Any], unit: str = "MACs", sides: Sequence[Any] = ()) -> go.Figure:
    """Each stage's share of the parameters beside its share of the multiply-adds.

    VGG-16 makes the lecture's point: fc6 alone holds ~74 % of the parameters but
    under 1 % of the multiply-adds, which the 3×3 convolutions dominate. ``sides``
    (:class:`viz.explorer.tracing.SideBranch`: GoogLeNet's auxiliary classifiers) get a
    bar each after the stage they read from: their parameters count, their cost does not
    (they run only in training).
    """
    groups = [g for g in groups if g.params or g.macs]
    after: dict[str, list[Any]] = {}
    for side in sides:
        after.setdefault(side.attach, []).append(side.group)
    rows: list[tuple[str, Any, bool]] = []
    for g in groups:
        rows.append((g.name, g, False))
        rows += [(f"{s.name.rsplit('.', 1)[-1]} (training only)", s, True) for s in after.get(g.name, ())]
    total_p = sum(g.params for _, g, _ in rows) or 1
    total_m = sum(g.macs for _, g, side in rows if not side) or 1
    names = [name for name, _, _ in rows]
    p_share = [100 * g.params / total_p for _, g, _ in rows]
    m_share = [0.0 if side else 100 * g.macs / total_m for _, g, side in rows]
    cost_name = "FLOPs" if unit == "FLOPs" else "multiply-adds"
    m_hover = [f"<b>{name}</b><br>" + (f"runs in training only: 0 at inference ({format_macs(g.macs, unit)} "
                                        "per image while training)" if side else
                                        f"{macs_in(g.macs, unit):,} {unit} ({format_macs(g.macs, unit)})")
               for name, g, side in rows]
    data = [
        go.Bar(y=names, x=p_share, name="% of parameters", orientation="h", marker_color=BLUE,
               text=[f"{v:.0f}%" if v >= 0.5 else "" for v in p_share], textposition="outside", textfont=dict(size=14),
               hovertext=[f"<b>{name}</b><br>{g.params:,} parameters ({approx(g.params)})" for name, g, _ in rows],
               hoverinfo="text"),
        go.Bar(y=names, x=m_share, name=f"% of {cost_name}", orientation="h", marker_color=ORANGE,
               text=[f"{v:.0f}%" if v >= 0.5 else "" for v in m_share], textposition="outside", textfont=dict(size=14),
               hovertext=m_hover, hoverinfo="text"),
    ]
    layout = _layout(
        height=max(320, 110 + 46 * len(rows)),
        title=dict(text="Where the cost lives", x=0, font=dict(size=18)),
        barmode="group",
        bargap=0.25,
        xaxis=_axis(title="% of the network's total", range=[0, max(p_share + m_share + [10]) * 1.15],
                   ticksuffix="%"),
        yaxis=_axis(autorange="reversed", tickfont=dict(size=15), showgrid=False, ticks=""),
        margin=dict(l=120, r=30, t=110, b=60),
    )
    return go.Figure(data=data, layout=layout)


# ---------------------------------------------------------------- compare


def _decades(values: Sequence[float]) -> dict:
    """Log-axis ticks at powers of ten only, labelled like the rest of the app ("100M", "1G")."""
    positive = [v for v in values if v > 0] or [1]
    lo = math.floor(math.log10(min(positive))) - (1 if min(positive) == max(positive) else 0)
    hi = math.ceil(math.log10(max(positive)))
    ticks = [10 ** k for k in range(lo, hi + 1)]
    return dict(tickvals=ticks, ticktext=[approx(t) for t in ticks],
                range=[math.log10(min(positive)) - 0.3, math.log10(max(positive)) + 0.45])


def compare_networks(points: Sequence[Mapping[str, Any]], unit: str = "MACs",
                     highlight: str | None = None) -> go.Figure:
    """Parameters against multiply-adds (log–log) for a set of networks at their
    default resolutions. ``points``: dicts with name, title, family, params, macs."""
    by_family: dict[str, list[Mapping[str, Any]]] = {}
    for p in points:
        by_family.setdefault(p["family"], []).append(p)
    data = []
    for family, pts in by_family.items():
        data.append(go.Scatter(
            x=[macs_in(p["macs"], unit) for p in pts],
            y=[p["params"] for p in pts],
            mode="markers+text",
            name=family,
            text=[p["title"] for p in pts],
            textposition="top center",
            textfont=dict(size=14),
            cliponaxis=False,  # a label above the top point (VGG-16) stays whole
            marker=dict(size=[22 if p["name"] == highlight else 14 for p in pts],
                        color=FAMILY_COLOURS.get(family, GREY),
                        line=dict(width=[3 if p["name"] == highlight else 1 for p in pts], color="#111827")),
            hovertext=[f"<b>{p['title']}</b> at {p.get('resolution', '?')}×{p.get('resolution', '?')}<br>"
                       f"{p['params']:,} parameters<br>{macs_in(p['macs'], unit):,} {unit}" for p in pts],
            hoverinfo="text",
        ))
    cost_name = "FLOPs (= 2 × MACs)" if unit == "FLOPs" else "multiply-adds (MACs)"
    xs = [macs_in(p["macs"], unit) for p in points]
    ys = [p["params"] for p in points]
    layout = _layout(
        height=520,
        title=dict(text="Parameters vs cost, each network at its default resolution", x=0, font=dict(size=18)),
        xaxis=_axis(title=f"{cost_name} per image, log scale", type="log", **_decades(xs)),
        yaxis=_axis(title="parameters, log scale", type="log", **_decades(ys)),
        legend=dict(title=dict(text="family", font=dict(size=15)), orientation="h", yanchor="bottom", y=1.02,
                    xanchor="left", x=0, font=dict(size=15)),
        margin=dict(l=80, r=40, t=110, b=70),
    )
    return go.Figure(data=data, layout=layout)
