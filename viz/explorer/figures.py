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
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from viz.explorer.numbers import format_macs, macs_in
from viz.explorer.structure import branch_channels, op_label, shape_nhwc, skip_count
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
    """An axis with light grid lines (the figures use no template: building one costs
    more than the figure itself on every rerun)."""
    base = dict(gridcolor="#e5e7eb", zeroline=False, showline=True, linecolor="#9ca3af", ticks="outside",
                tickcolor="#9ca3af", automargin=True)
    base.update(extra)
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


def channel_growth(records: Sequence[Any], input_size: Sequence[int],
                   stage_names: Sequence[str] = ()) -> go.Figure:
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
        height=430,
        title=dict(text="Channel growth: n_H, n_W ↓ while n_C ↑", x=0, font=dict(size=20)),
        xaxis=_axis(title="layers in order (conv, pool, FC)", tickvals=tickvals, ticktext=ticktext,
                   tickangle=-40 if len(tickvals) > 8 else 0, showgrid=False),
        yaxis=_axis(title=dict(text="n_H, n_W (pixels)", font=dict(color=BLUE)), type="log",
                   tickvals=hw_ticks, ticktext=[str(t) for t in hw_ticks], tickfont=dict(color=BLUE)),
        yaxis2=_axis(title=dict(text="n_C (channels)", font=dict(color=ORANGE)), type="log", overlaying="y",
                    side="right", tickvals=c_ticks, ticktext=[str(t) for t in c_ticks],
                    tickfont=dict(color=ORANGE), showgrid=False),
        hovermode="closest",
    )
    return go.Figure(data=data, layout=layout)


# ---------------------------------------------------------------- volume diagram


def _box_dims(shape: Sequence[int], max_hw: int, max_c: int) -> tuple[float, float, float]:
    """(front height ∝ n_H, thickness ∝ n_C, oblique depth ∝ n_W), square-root scaled so
    a 224-pixel image and a 7 × 7 map both stay visible."""
    n_h, n_w, n_c = shape_nhwc(shape)
    if len(shape) == 2:  # a fully connected layer: a thin bar whose height grows with its units
        return 0.8 + 2.0 * math.sqrt(min(n_c, 4096) / 4096), 0.16, 0.12
    height = 0.5 + 3.3 * math.sqrt(n_h / max_hw)
    thickness = 0.14 + 1.0 * math.sqrt(n_c / max_c)
    depth = 0.15 + 0.9 * math.sqrt(n_w / max_hw)
    return height, thickness, depth


def _path(points: Sequence[tuple[float, float]]) -> str:
    return "M " + " L ".join(f"{x:.3f},{y:.3f}" for x, y in points) + " Z"


def _wrap(text: str, width: int = 11) -> str:
    """One operation per line ("CONV 3×3 ×2, MAX POOL" -> two lines), long ones broken
    between words, so a label stays about as narrow as the gap between two boxes."""
    lines = []
    for op in text.split(", "):
        lines.extend(textwrap.wrap(op, width, break_long_words=False) or [op])
    return "<br>".join(lines)


def volume_diagram(groups: Sequence[Any], input_size: Sequence[int], residual: bool = True,
                   unit: str = "MACs", title: str = "") -> go.Figure:
    """The lecture's drawing of a network: one box per stage/block, sized by n_H, n_W, n_C.

    Each box is labelled ``56 × 56 × 256``; the arrow into it says which operation
    produced it. An arc over a box marks skip connections (ResNet's blocks, MobileNet
    v2's and EfficientNet's inverted residuals with matching shapes); an inception
    module's front face is split into its branches' channel shares (GoogLeNet 3a:
    64 + 128 + 32 + 32 = 256).
    """
    size = tuple(input_size)
    boxes = [dict(name="input", shape=size, op="", group=None)]
    boxes += [dict(name=g.name, shape=tuple(g.output_shape), op=op_label(g), group=g) for g in groups]
    four_d = [b["shape"] for b in boxes if len(b["shape"]) == 4]
    max_hw = max((max(s[2], s[3]) for s in four_d), default=1)
    max_c = max((s[1] for s in four_d), default=1)
    many = len(boxes) > 9
    gap = 4.2 if not many else 3.2
    shapes: list[dict] = []
    annotations: list[dict] = []
    hover_x, hover_y, hover_text = [], [], []
    x = 0.0
    previous_right = None
    previous_op = None
    top_needed = 0.0
    for i, box in enumerate(boxes):
        shape = box["shape"]
        if shape_nhwc(shape) is None:
            continue
        h, t, d = _box_dims(shape, max_hw, max_c)
        dx, dy = d * 0.8, d * 0.55
        y0, y1 = -h / 2, h / 2
        if previous_right is not None:
            # Arrow from the previous box to this one, labelled with the operation.
            ax0, ax1 = previous_right + 0.1, x - 0.1
            annotations.append(dict(x=ax1, y=0, ax=ax0, ay=0, xref="x", yref="y", axref="x", ayref="y",
                                    showarrow=True, arrowhead=2, arrowsize=1.3, arrowwidth=2,
                                    arrowcolor=GREY, text=""))
            # When boxes are many (narrow gaps), a run of identical ops is labelled once
            # (the hover still names each).
            label_text = _wrap(box["op"], 7 if many else 11) if not many or box["op"] != previous_op else ""
            previous_op = box["op"]
            annotations.append(dict(x=(ax0 + ax1) / 2, y=0, yshift=8, text=label_text,
                                    showarrow=False, yanchor="bottom", font=dict(size=11 if many else 13,
                                                                                 color="#374151")))
        group = box["group"]
        branches = branch_channels(group) if group is not None else []
        is_fc = len(shape) == 2
        front_colour = "#fde68a" if is_fc else ("#bfdbfe" if i else "#e5e7eb")
        line = dict(color="#1e3a8a" if not is_fc else "#92400e", width=1.2)
        # Front face, top face and right side of the box (an oblique projection).
        if branches:
            total = sum(c for _, c in branches)
            xb = x
            for j, (_, channels) in enumerate(branches):
                wb = t * channels / total
                shapes.append(dict(type="rect", x0=xb, x1=xb + wb, y0=y0, y1=y1, line=line,
                                   fillcolor=BRANCH_COLOURS[j % len(BRANCH_COLOURS)], layer="above"))
                xb += wb
        else:
            shapes.append(dict(type="rect", x0=x, x1=x + t, y0=y0, y1=y1, line=line, fillcolor=front_colour,
                               layer="above"))
        shapes.append(dict(type="path", path=_path([(x, y1), (x + dx, y1 + dy), (x + t + dx, y1 + dy),
                                                     (x + t, y1)]),
                           line=line, fillcolor="#dbeafe" if not is_fc else "#fef3c7", layer="above"))
        shapes.append(dict(type="path", path=_path([(x + t, y0), (x + t + dx, y0 + dy), (x + t + dx, y1 + dy),
                                                     (x + t, y1)]),
                           line=line, fillcolor="#93c5fd" if not is_fc else "#fcd34d", layer="above"))
        centre = x + (t + dx) / 2
        label = shape_text(shape) if not is_fc else f"FC {shape[1]}"
        if many and not is_fc:
            n_h, n_w, n_c = shape_nhwc(shape)
            label = f"{n_h}×{n_w}<br>×{n_c}"
        annotations.append(dict(x=centre, y=y0, yshift=-6, text=f"<b>{label}</b>", showarrow=False,
                                yanchor="top", font=dict(size=13 if many else 15)))
        annotations.append(dict(x=centre, y=y0, yshift=-46 if many else -28, text=box["name"], showarrow=False,
                                yanchor="top", font=dict(size=12 if many else 13, color=GREY)))
        skips = skip_count(group, residual) if group is not None else 0
        if skips:
            top = y1 + dy + 0.35
            span0, span1 = x - 0.35, x + t + dx + 0.35
            rise = top + 0.9
            shapes.append(dict(type="path", path=f"M {span0:.3f},{y1 * 0.6:.3f} C {span0:.3f},{rise:.3f} "
                                                 f"{span1:.3f},{rise:.3f} {span1:.3f},{y1 * 0.6:.3f}",
                               line=dict(color=RED, width=2.5)))
            annotations.append(dict(x=(span0 + span1) / 2, y=top + 0.68, text=f"skip ×{skips}" if skips > 1
                                    else "skip", showarrow=False, yanchor="bottom",
                                    font=dict(size=13, color=RED)))
            top_needed = max(top_needed, top + 1.4)
        if branches:
            annotations.append(dict(x=centre, y=y1 + dy, yshift=4, text=f"{len(branches)} branches",
                                    showarrow=False, yanchor="bottom", font=dict(size=12, color=GREEN)))
            top_needed = max(top_needed, y1 + dy + 0.7)
        if group is not None:
            extra = ""
            if branches:
                extra = "<br>branches: " + " + ".join(f"{c}" for _, c in branches) + f" = {shape[1]} channels"
            hover_text.append(
                f"<b>{box['name']}</b> → {shape_text(shape)}<br>{box['op']}<br>"
                f"parameters {group.params:,}<br>{format_macs(group.macs, unit)} "
                f"({macs_in(group.macs, unit):,}){extra}"
            )
        else:
            hover_text.append(f"<b>input image</b><br>{shape_text(shape)}")
        hover_x.append(centre)
        hover_y.append(0)
        top_needed = max(top_needed, y1 + dy)
        previous_right = x + t + dx
        x = previous_right + gap
    right = previous_right or 1.0
    bottom = -(max((_box_dims(b["shape"], max_hw, max_c)[0] for b in boxes if shape_nhwc(b["shape"])),
                   default=1) / 2) - 1.3
    data = [go.Scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=28, opacity=0),
                       hovertext=hover_text, hoverinfo="text", showlegend=False)]
    layout = _layout(
        height=460 if not many else 500,
        title=dict(text=title or "Volumes: n_H × n_W × n_C after each stage", x=0, font=dict(size=20)),
        xaxis=dict(visible=False, range=[-1.4, right + 1.4]),
        yaxis=dict(visible=False, range=[bottom - (0.6 if many else 0), max(top_needed, 2.6) + 0.3]),
        shapes=shapes,
        annotations=annotations,
        margin=dict(l=10, r=10, t=60, b=10),
        hovermode="closest",
        dragmode=False,
    )
    return go.Figure(data=data, layout=layout)


# ---------------------------------------------------------------- where the cost lives


def cost_by_stage(groups: Sequence[Any], unit: str = "MACs") -> go.Figure:
    """Each stage's share of the parameters beside its share of the multiply-adds.

    VGG-16 makes the lecture's point: fc6 alone holds ~74 % of the parameters but
    under 1 % of the multiply-adds, which the 3×3 convolutions dominate.
    """
    groups = [g for g in groups if g.params or g.macs]
    total_p = sum(g.params for g in groups) or 1
    total_m = sum(g.macs for g in groups) or 1
    names = [g.name for g in groups]
    p_share = [100 * g.params / total_p for g in groups]
    m_share = [100 * g.macs / total_m for g in groups]
    cost_name = "FLOPs" if unit == "FLOPs" else "multiply-adds"
    data = [
        go.Bar(y=names, x=p_share, name="% of parameters", orientation="h", marker_color=BLUE,
               text=[f"{v:.0f}%" if v >= 0.5 else "" for v in p_share], textposition="outside",
               hovertext=[f"<b>{g.name}</b><br>{g.params:,} parameters ({approx(g.params)})" for g in groups],
               hoverinfo="text"),
        go.Bar(y=names, x=m_share, name=f"% of {cost_name}", orientation="h", marker_color=ORANGE,
               text=[f"{v:.0f}%" if v >= 0.5 else "" for v in m_share], textposition="outside",
               hovertext=[f"<b>{g.name}</b><br>{macs_in(g.macs, unit):,} {unit} ({format_macs(g.macs, unit)})"
                          for g in groups],
               hoverinfo="text"),
    ]
    layout = _layout(
        height=max(320, 110 + 46 * len(groups)),
        title=dict(text="Where the cost lives, stage by stage", x=0, font=dict(size=20)),
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
                range=[math.log10(min(positive)) - 0.3, math.log10(max(positive)) + 0.3])


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
        title=dict(text="Parameters vs cost, each network at its default resolution", x=0, font=dict(size=20)),
        xaxis=_axis(title=f"{cost_name} per image, log scale", type="log", **_decades(xs)),
        yaxis=_axis(title="parameters, log scale", type="log", **_decades(ys)),
        legend=dict(title="family", orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        margin=dict(l=80, r=40, t=110, b=70),
    )
    return go.Figure(data=data, layout=layout)
