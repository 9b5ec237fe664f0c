"""Figures for the Block Lab (plotly, and the 1×1 lab's small HTML grids; no streamlit here).

Built for a projector: large fonts (every text at least :data:`viz.readable.MIN_PX`, set on
each axis and legend too, where Streamlit's theme would otherwise draw 12 px), few colours,
every number labelled with thousands separators and every shape the lecture's way,
n_H × n_W × n_C.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from viz.blocklab.common import short
from viz.formatting import num, shape_text
from viz.readable import TEXT_PX, TITLE_PX, merge, text_layout

if TYPE_CHECKING:
    from viz.blocklab.efficientnet import EfficientNetResult, NetworkCost
    from viz.blocklab.inception import InceptionResult
    from viz.blocklab.mobilenet_v2 import MobileNetV2Result
    from viz.blocklab.residual import ResidualResult

FONT = dict(size=TEXT_PX)
BLUE, ORANGE, GREEN, GREY, RED, PURPLE = "#1f77b4", "#ff7f0e", "#2ca02c", "#7f7f7f", "#d62728", "#9467bd"
BRANCH_COLOURS = ("#cfe2f3", "#d9ead3", "#fff2cc", "#f4cccc")


def log_ticks(lo: float, hi: float, unit=short) -> dict:
    """Ticks at 1, 2, 5 × 10^k between ``lo`` and ``hi``, labelled plainly (no bare "2", "5" minor labels)."""
    vals = []
    k = math.floor(math.log10(max(lo, 1e-12)))
    while True:
        for m in (1, 2, 5):
            v = m * 10.0**k
            if lo / 1.5 <= v <= hi * 1.5:
                vals.append(v)
        if 10.0**k > hi * 1.5:
            break
        k += 1
    return dict(tickvals=vals, ticktext=[unit(v) for v in vals])


class _Fig:
    """Collects traces, shapes, annotations and layout, and validates them once in :meth:`build`.

    plotly validates the whole figure on every ``add_*``/``update_*`` call (several ms
    each); a diagram of 30 boxes and arrows built that way took ~0.5 s, built once ~20 ms.
    """

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []
        self.layout: dict = {}
        self.xaxis: dict = {}
        self.yaxis: dict = {}

    def add_shape(self, **kw) -> None:
        self.shapes.append(kw)

    def add_annotation(self, **kw) -> None:
        self.annotations.append(kw)

    def add_scatter(self, **kw) -> None:
        self.data.append({"type": "scatter", **kw})

    def add_bar(self, **kw) -> None:
        self.data.append({"type": "bar", **kw})

    def add_hline(self, y: float, line: dict, annotation_text: str = "") -> None:
        """A horizontal line across the plot, labelled at its left end (linear y axes only)."""
        self.shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y, line=line))
        if annotation_text:
            self.annotations.append(dict(x=0, xref="paper", y=y, text=annotation_text, showarrow=False,
                                         xanchor="left", yanchor="top"))

    def update_xaxes(self, **kw) -> None:
        self.xaxis.update(kw)

    def update_yaxes(self, **kw) -> None:
        self.yaxis.update(kw)

    def update_layout(self, **kw) -> None:
        self.layout.update(kw)

    def build(self) -> go.Figure:
        layout = merge(text_layout(), {**self.layout, "xaxis": self.xaxis, "yaxis": self.yaxis})
        return go.Figure(data=self.data, layout={**layout, "shapes": self.shapes, "annotations": self.annotations})


def _layout(fig: _Fig, title: str, height: int = 420, **kwargs) -> go.Figure:
    fig.update_layout(title=dict(text=title, font=dict(size=TITLE_PX)), font=FONT, height=height,
                      margin=dict(l=60, r=20, t=60, b=50), **kwargs)
    return fig.build()


# ------------------------------------------------------------------ numeric grid (1×1 conv)


def grid_html(values, caption: str = "", cell: int = 44) -> str:
    """A grid of numbers as an HTML table (big, monospace, centred) for the 1×1-convolution example."""
    rows = []
    for row in values:
        cells = "".join(
            f'<td style="width:{cell}px;height:{cell}px;text-align:center;border:1px solid #888;'
            f'font-size:20px;font-family:monospace">{html.escape(_cell(v))}</td>'
            for v in row
        )
        rows.append(f"<tr>{cells}</tr>")
    cap = f'<caption style="caption-side:bottom;font-size:16px">{html.escape(caption)}</caption>' if caption else ""
    return f'<table style="border-collapse:collapse;margin:4px">{cap}{"".join(rows)}</table>'


def _cell(v: float) -> str:
    return f"{int(v)}" if float(v).is_integer() else f"{v:g}"


# ------------------------------------------------------------------ box diagrams


def _box(fig: _Fig, x: float, y: float, text: str, fill: str, w: float = 0.9, h: float = 0.7) -> None:
    fig.add_shape(type="rect", x0=x - w / 2, x1=x + w / 2, y0=y - h / 2, y1=y + h / 2,
                  line=dict(color="#444", width=1.5), fillcolor=fill, layer="below")
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, font=dict(size=14, color="#111"))


def _arrow(fig: _Fig, x0: float, y0: float, x1: float, y1: float) -> None:
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                       showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=1.5, arrowcolor="#444")


def _blank(fig: _Fig, xr, yr, height: int) -> go.Figure:
    fig.update_xaxes(visible=False, range=xr)
    fig.update_yaxes(visible=False, range=yr)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white",
                      showlegend=False)
    return fig.build()


def inception_diagram(result: InceptionResult) -> go.Figure:
    """The module's four branches side by side, each layer with its output shape, into the concatenation."""
    fig = _Fig()
    top, bottom = 4.0, 0.0
    _box(fig, 1.5, top, f"<b>input</b><br>{shape_text(result.input_shape)}", "#eeeeee", w=1.6)
    by_branch: dict[str, list] = {}
    for s in result.stages:
        by_branch.setdefault(s.branch, []).append(s)
    for i, (name, _) in enumerate(result.branch_outputs):
        stages = by_branch.get(name, [])
        ys = [2.9, 1.9] if len(stages) == 2 else [2.4]
        prev = (1.5, top - 0.35)
        for y, s in zip(ys, stages):
            label = s.label.replace(" (bottleneck)", "<br>(bottleneck)").replace(", stride 1", "")
            _box(fig, i, y, f"{label}<br><b>{shape_text(s.output_shape)}</b>", BRANCH_COLOURS[i])
            _arrow(fig, prev[0], prev[1], i, y + 0.35)
            prev = (i, y - 0.35)
        _arrow(fig, prev[0], prev[1], 1.5, bottom + 0.35)
    channels = " + ".join(str(shape[0]) for _, shape in result.branch_outputs)
    _box(fig, 1.5, bottom, f"<b>concatenate channels</b>: {channels}<br><b>{shape_text(result.output_shape)}</b>",
         "#eeeeee", w=2.6)
    return _blank(fig, (-0.55, 3.55), (-0.5, 4.5), 460)


def residual_diagram(result: ResidualResult) -> go.Figure:
    """a[l] → conv → ReLU → conv → (+ shortcut) → ReLU → a[l+2], with the shortcut drawn above."""
    fig = _Fig()
    conv1, conv2 = result.stages[0], result.stages[1]
    boxes = [
        ("<b>a[l]</b><br>" + shape_text(result.input_shape), "#eeeeee"),
        ("W[l+1], b[l+1]<br>3×3 conv, ReLU<br>" + shape_text(conv1.output_shape), "#cfe2f3"),
        ("W[l+2], b[l+2]<br>3×3 conv" + ("<br><b>= 0</b>" if result.zeroed else "") + "<br>"
         + shape_text(conv2.output_shape), "#f4cccc" if result.zeroed else "#cfe2f3"),
        ("+" if result.residual else "(no +)", "#fff2cc"),
        ("ReLU", "#d9ead3"),
        ("<b>a[l+2]</b><br>" + shape_text(result.output_shape), "#eeeeee"),
    ]
    xs = [0, 1.45, 2.9, 4.05, 4.85, 5.95]
    for i, (x, (text, fill)) in enumerate(zip(xs, boxes)):
        w = 0.5 if i in (3, 4) else 1.25
        _box(fig, x, 0, text, fill, w=w, h=0.9)
        if i:
            prev_w = 0.5 if i - 1 in (3, 4) else 1.25
            _arrow(fig, xs[i - 1] + prev_w / 2, 0, x - w / 2, 0)
    if result.residual:
        sc = result.stages[2]
        label = "shortcut: identity" if sc.params == 0 else f"shortcut W_s: 1×1 conv → {shape_text(sc.output_shape)}"
        fig.add_shape(type="path", path="M 0,0.45 L 0,1.05 L 4.05,1.05 L 4.05,0.3",
                      line=dict(color=GREEN if sc.params == 0 else ORANGE, width=3))
        fig.add_annotation(x=2.0, y=1.05, text=label, showarrow=False, yshift=14, font=dict(size=15))
    return _blank(fig, (-0.7, 6.65), (-0.6, 1.4), 260)


# ------------------------------------------------------------------ cost charts


def saving_chart(curve, chosen: int, direct: int) -> go.Figure:
    """Times cheaper than the direct 5×5 conv, over the 1×1 bottleneck's width."""
    widths = [w for w, _, _ in curve]
    fig = _Fig()
    fig.add_scatter(x=widths, y=[s for _, _, s in curve], mode="lines", name="saving", line=dict(color=BLUE, width=3),
                    customdata=[[num(b)] for _, b, _ in curve],
                    hovertemplate="bottleneck %{x}: %{customdata[0]} multiplies, %{y:.1f}× cheaper<extra></extra>")
    hit = next(((w, b, s) for w, b, s in curve if w == chosen), None)
    if hit:
        fig.add_scatter(x=[hit[0]], y=[hit[2]], mode="markers+text", marker=dict(size=14, color=ORANGE),
                        text=[f"  {hit[0]}: {num(hit[1])} ({hit[2]:.1f}× cheaper)"], textposition="middle right",
                        name="chosen")
    fig.add_hline(y=1, line=dict(color=RED, dash="dash"))
    # On a log axis an annotation's y is log10 of the value: 0 is y = 1.
    fig.add_annotation(x=1, xref="paper", y=0, text=f"no saving (the direct 5×5: {num(direct)})",
                       showarrow=False, xanchor="right", yanchor="bottom", font=dict(color=RED))
    fig.update_xaxes(title="bottleneck width (1×1 filters before the 5×5)")
    savings = [s for _, _, s in curve]
    fig.update_yaxes(title="times cheaper than the direct 5×5", type="log",
                     **log_ticks(min(savings + [1]), max(savings), unit=lambda v: f"{v:g}×"))
    return _layout(fig, "Saving of the 1×1 bottleneck vs its width", showlegend=False)


def ratio_chart(curve, chosen: int, chosen_ratio: float, f: int) -> go.Figure:
    """Depthwise-separable / normal multiplies over n_c', counted and by the formula 1/n_c' + 1/f²."""
    fig = _Fig()
    fig.add_scatter(x=[w for w, _, _ in curve], y=[r for _, _, r in curve], mode="lines",
                    name=f"formula 1/n_c' + 1/{f}²", line=dict(color=BLUE, width=3))
    fig.add_scatter(x=[w for w, _, _ in curve], y=[c for _, c, _ in curve], mode="markers",
                    name="counted multiplies", marker=dict(color=GREY, size=8, symbol="circle-open"))
    fig.add_scatter(x=[chosen], y=[chosen_ratio], mode="markers+text", marker=dict(size=15, color=ORANGE),
                    text=[f"  n_c' = {chosen}: {chosen_ratio:.3f}"], textposition="middle right", name="your block")
    fig.add_hline(y=1 / f**2, line=dict(color=GREY, dash="dot"),
                  annotation_text=f"floor 1/{f}² = {1 / f ** 2:.3f}")
    widths = [w for w, _, _ in curve] + [chosen]
    fig.update_xaxes(title="n_c' (output channels)", type="log",
                     **log_ticks(min(widths), max(widths), unit=lambda v: f"{v:g}"))
    fig.update_yaxes(title="separable cost / normal cost", rangemode="tozero")
    return _layout(fig, "Cost ratio vs n_c'", legend=dict(x=0.6, y=0.95))


# Each stage kind its own colour: the v1 block's pointwise conv and the v2 block's projection
# are both 1×1 convolutions, but they do different jobs (mix channels; project back down).
STAGE_COLOURS = {"expansion": ORANGE, "depthwise": BLUE, "projection": GREEN, "pointwise": PURPLE}


def mobilenet_cost_chart(result: MobileNetV2Result) -> go.Figure:
    """Multiply-adds of the v2 bottleneck (by stage) next to a normal conv at its expanded width (the
    lecture's point), then the v1 block and a normal conv with the same input and output."""
    fig = _Fig()
    k, hidden = result.kernel_size, result.hidden
    wide = f"normal {k}×{k} conv,<br>{hidden} → {hidden} channels"
    rows = [("v1 block", result.v1), ("v2 bottleneck", result.block)]
    for stage_kind, colour in STAGE_COLOURS.items():
        xs, ys = [], []
        for label, res in rows:
            for s in res.stages:
                if s.label.startswith(stage_kind):
                    xs.append(s.macs)
                    ys.append(label)
        if xs:
            fig.add_bar(x=xs, y=ys, orientation="h", name=stage_kind, marker_color=colour,
                        hovertemplate="%{y}: %{x:,} MACs<extra>" + stage_kind + "</extra>")
    fig.add_bar(x=[result.normal.macs, result.wide_macs], y=["normal conv", wide], orientation="h",
                name=f"{k}×{k} conv", marker_color=GREY, hovertemplate="%{y}: %{x:,} MACs<extra></extra>")
    totals = [("normal conv", result.normal.macs), ("v1 block", result.v1.macs), (wide, result.wide_macs),
              ("v2 bottleneck", result.block.macs)]
    for label, macs in totals:
        fig.add_annotation(x=macs, y=label, text=f" {num(macs)}", showarrow=False, xanchor="left")
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.25))
    fig.update_yaxes(categoryorder="array", categoryarray=[label for label, _ in totals])
    fig.update_xaxes(title="multiply-adds", range=[0, max(m for _, m in totals) * 1.25])
    return _layout(fig, "Cost: the v2 bottleneck vs a normal conv on as many channels", height=400)


def memory_chart(result: MobileNetV2Result) -> go.Figure:
    """Activation memory at each point of the v2 bottleneck (float32)."""
    labels = ["input"] + [s.label.split(" ")[0] for s in result.block.stages]
    sizes = [result.input_bytes] + [s.output_bytes for s in result.block.stages]
    shapes = [shape_text(result.block.input_shape)] + [shape_text(s.output_shape) for s in result.block.stages]
    fig = _Fig()
    fig.add_bar(x=labels, y=sizes, marker_color=[GREY] + [ORANGE if b == result.expanded_bytes else BLUE
                                                          for b in sizes[1:]],
                text=[f"{s}<br>{num(b)} B" for s, b in zip(shapes, sizes)], textposition="outside",
                hovertemplate="%{x}: %{y:,} bytes<extra></extra>")
    fig.update_yaxes(title="activation (bytes, float32)", range=[0, max(sizes) * 1.3])
    return _layout(fig, "Activation memory through the block", height=360)


def efficientnet_chart(presets: list[NetworkCost], result: EfficientNetResult, rule: list[NetworkCost]) -> go.Figure:
    """Parameters vs multiply-adds: B0–B7 (official coefficients), the compound rule φ = 0…7, your network."""
    fig = _Fig()
    if rule:
        fig.add_scatter(x=[c.params for c in rule], y=[c.macs for c in rule], mode="lines+markers",
                        name="rule from B0, φ = 0…7", line=dict(color=GREY, dash="dot"),
                        text=[c.label for c in rule], hovertemplate="%{text}: %{x:,} params, %{y:,} MACs<extra></extra>")
    fig.add_scatter(x=[c.params for c in presets], y=[c.macs for c in presets], mode="markers+text",
                    name="B0–B7", marker=dict(size=11, color=BLUE), text=[c.label for c in presets],
                    textposition="top left", hovertemplate="%{text}: %{x:,} params, %{y:,} MACs<extra></extra>")
    c = result.chosen
    fig.add_scatter(x=[c.params], y=[c.macs], mode="markers", name="your network",
                    marker=dict(size=18, color=ORANGE, symbol="star"),
                    hovertemplate=f"{c.label}: %{{x:,}} params, %{{y:,}} MACs<extra></extra>")
    xs = [p.params for p in presets + rule] + [c.params]
    ys = [p.macs for p in presets + rule] + [c.macs]
    fig.update_xaxes(title="parameters", type="log", **log_ticks(min(xs), max(xs)))
    fig.update_yaxes(title="multiply-adds per image", type="log", **log_ticks(min(ys), max(ys)))
    return _layout(fig, "EfficientNet: parameters and multiply-adds", height=460,
                   legend=dict(x=0.02, y=0.98))
