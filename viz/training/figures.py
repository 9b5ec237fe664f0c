"""Plotly figures for the Training Lab, built from the result records of :mod:`viz.training.results`.

No Streamlit here; every chart's text is at least 14 px (:func:`viz.readable.text_layout`).
The depth figures follow He et al. 2016, Fig. 6 (and the lecture's sketch): training
error against iterations for plain nets (left) and ResNets (right), and the final
training error against depth.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.readable import merge, text_layout
from viz.training.results import (
    METHODS,
    AugmentResult,
    DepthResult,
    EnsembleResult,
    MultiCropResult,
    TransferResult,
)

PLAIN = "#d62728"
RESIDUAL = "#1f77b4"
# One colour per depth, light (shallow) to dark (deep), the same in both panels.
DEPTH_COLOURS = ["#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b", "#041a3a"]
METHOD_COLOURS = {"scratch": "#7f7f7f", "frozen": "#2ca02c", "finetune_last": "#ff7f0e", "finetune_all": "#9467bd"}
WINDOW = 20  # minibatches in the running mean of the minibatch error


def _layout(fig: go.Figure, axes: tuple[str, ...] = ("xaxis", "yaxis"), **extra) -> go.Figure:
    fig.update_layout(merge(text_layout(axes), extra))
    fig.update_annotations(font_size=15)  # subplot titles
    return fig


def moving_average(values, window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` values (fewer at the start)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0 or window <= 1:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))
    idx = np.arange(1, v.size + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def _depth_colours(depths) -> dict[int, str]:
    n = len(DEPTH_COLOURS)
    return {d: DEPTH_COLOURS[i if len(depths) <= n else i * n // len(depths)] for i, d in enumerate(depths)}


def depth_curves(result: DepthResult) -> go.Figure:
    """Training error against steps; plain left, residual right, one colour per depth.

    Lines with markers: the run's measure (evaluation mode, fixed training digits, at the
    checkpoints) — what the table reports. Thin dotted lines: each minibatch's error as it
    trained (batch statistics), a running mean of :data:`WINDOW`.
    """
    colour = _depth_colours(result.depths)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("plain", "residual (ResNet)"))
    n = len(result.checkpoints)
    for run in result.runs:
        col = 2 if run.residual else 1
        ys = moving_average(run.error, WINDOW) * 100
        fig.add_trace(go.Scatter(
            x=list(range(1, len(ys) + 1)), y=ys.round(2).tolist(), mode="lines", name="minibatch (batch statistics)",
            legendgroup="minibatch", showlegend=run is result.runs[0],
            line={"color": colour[run.depth], "width": 1.5, "dash": "dot"}, opacity=0.7,
            hovertemplate=f"{run.name} minibatches, step %{{x}}: %{{y:.1f}}%<extra></extra>"), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=list(result.checkpoints[:len(run.checkpoint_error)]),
            y=[round(e * 100, 2) for e in run.checkpoint_error[:n]], mode="lines+markers",
            name=f"{run.depth} layers", legendgroup=str(run.depth), showlegend=not run.residual,
            line={"color": colour[run.depth], "width": 3}, marker={"size": 8},
            hovertemplate=f"{run.name}, step %{{x}}: %{{y:.1f}}% (eval mode)<extra></extra>"), row=1, col=col)
    fig.update_yaxes(title_text="training error (%)", rangemode="tozero", row=1, col=1)
    fig.update_xaxes(title_text="training step", range=[0, result.settings.steps])
    # The legend below the panels: on a phone, a legend beside them would squeeze them to nothing.
    return _layout(fig, ("xaxis", "yaxis", "xaxis2", "yaxis2"), height=480,
                   margin={"l": 60, "r": 10, "t": 40, "b": 40},
                   legend={"orientation": "h", "y": -0.2, "yanchor": "top", "title": {"text": "depth "}})


def depth_final(result: DepthResult) -> go.Figure:
    """Training error at the end (the last checkpoint) against depth, plain and residual."""
    fig = go.Figure()
    for residual, name, colour, where in ((False, "plain", PLAIN, "top center"),
                                          (True, "residual", RESIDUAL, "bottom center")):
        runs = [r for r in result.of_kind(residual) if r.train_error is not None]
        ys = [round(r.train_error * 100, 2) for r in runs]
        fig.add_trace(go.Scatter(x=[r.depth for r in runs], y=ys, mode="lines+markers+text", name=name,
                                 text=[f"{y:.1f}%" for y in ys], textposition=where, textfont={"size": 14},
                                 line={"color": colour, "width": 3}, marker={"size": 10}))
    depths = result.depths
    pad = max(6, (depths[-1] - depths[0]) * 0.15)
    fig.update_xaxes(title_text="depth (weighted layers, 6n + 2)", tickvals=list(depths),
                     range=[depths[0] - pad, depths[-1] + pad])
    top = max((r.train_error or 0) for r in result.runs) * 100
    fig.update_yaxes(title_text="training error at the end (%)", range=[-0.12 * top - 2, 1.18 * top + 2])
    return _layout(fig, height=380, margin={"l": 60, "r": 10, "t": 30, "b": 40},
                   legend={"orientation": "h", "y": -0.25})


def transfer_sweep(result: TransferResult) -> go.Figure:
    """Test accuracy on 5–9 against labelled examples per class, one line per method:
    the mean over the seeds, bars from the lowest to the highest seed."""
    fig = go.Figure()
    for method, label in METHODS.items():
        rows = result.summary(method)
        if not rows:
            continue
        ns, mean, lo, hi = (list(col) for col in zip(*rows))
        fig.add_trace(go.Scatter(
            x=ns, y=[m * 100 for m in mean], mode="lines+markers", name=label,
            line={"color": METHOD_COLOURS[method], "width": 3}, marker={"size": 9},
            error_y={"type": "data", "symmetric": False, "array": [(h - m) * 100 for h, m in zip(hi, mean)],
                     "arrayminus": [(m - low) * 100 for m, low in zip(mean, lo)], "thickness": 2, "width": 6},
            hovertemplate=label + ", %{x} per class: %{y:.1f}%<extra></extra>"))
    fig.update_xaxes(type="log", title_text="labelled examples per class (log scale)",
                     tickvals=list(result.settings.sizes))
    fig.update_yaxes(title_text="test accuracy on 5–9 (%)")
    return _layout(fig, height=420, margin={"l": 60, "r": 10, "t": 20, "b": 40},
                   legend={"orientation": "h", "y": -0.28})


def augment_chart(result: AugmentResult) -> go.Figure:
    """Test accuracy of every seed without and with the distortions (dots), and their means (bars)."""
    fig = go.Figure()
    for distorted, name, colour in ((False, "without", "#7f7f7f"), (True, "with distortions", "#2ca02c")):
        accs = [a * 100 for a in result.accuracies(distorted)]
        if not accs:
            continue
        fig.add_trace(go.Bar(x=[name], y=[float(np.mean(accs))], marker_color=colour, opacity=0.5, name=name,
                             text=[f"mean {np.mean(accs):.1f}%"], textposition="inside", insidetextanchor="middle",
                             showlegend=False))
        fig.add_trace(go.Scatter(x=[name] * len(accs), y=accs, mode="markers", marker={"color": colour, "size": 12},
                                 name="one seed", showlegend=False,
                                 hovertemplate="%{y:.1f}%<extra>one seed</extra>"))
    fig.update_yaxes(title_text="test accuracy (%)", range=[0, 100])
    return _layout(fig, height=340, margin={"l": 60, "r": 10, "t": 20, "b": 40})


def ensemble_chart(result: EnsembleResult) -> go.Figure:
    """Test accuracy against multiply-adds per image: each network alone, and the average of the first j."""
    members = result.finished_members
    macs = result.macs_per_image or 0
    fig = go.Figure()
    acc = [m.test_accuracy * 100 for m in members]
    fig.add_trace(go.Scatter(x=[macs] * len(acc), y=acc, mode="markers", name="each network alone",
                             marker={"color": "#9ecae1", "size": 12},
                             text=[f"seed {m.seed}" for m in members],
                             hovertemplate="%{text}: %{y:.1f}%<extra></extra>"))
    ens = [a * 100 for a in result.ensemble_accuracy]
    if ens:
        fig.add_trace(go.Scatter(x=[macs * j for j in range(1, len(ens) + 1)], y=ens, mode="lines+markers+text",
                                 name="average of networks 1…j", text=[f"{a:.1f}%" for a in ens],
                                 textposition="top center", textfont={"size": 14},
                                 line={"color": "#08519c", "width": 3}, marker={"size": 10}))
    lo = min(acc + ens) if acc else 0
    fig.update_xaxes(title_text="multiply-adds per test image")
    fig.update_yaxes(title_text="test accuracy (%, axis zoomed)", range=[max(0, lo - 3), min(100, max(acc + ens + [0]) + 2)])
    return _layout(fig, height=380, margin={"l": 60, "r": 10, "t": 20, "b": 40},
                   legend={"orientation": "h", "y": -0.3})


def multicrop_chart(result: MultiCropResult) -> go.Figure:
    """Each view alone, and their average, against the centre view alone."""
    names = [f"shift {dy:+d}, {dx:+d}" if (dy, dx) != (0, 0) else "centre" for dy, dx in result.views]
    acc = [a * 100 for a in result.view_accuracy]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=acc, name="one view", marker_color="#9ecae1",
                         text=[f"{a:.1f}%" for a in acc], textposition="inside"))
    fig.add_trace(go.Bar(x=[f"average of {len(names)}"], y=[result.multi_accuracy * 100], name="averaged",
                         marker_color="#08519c", text=[f"{result.multi_accuracy:.1%}"], textposition="inside"))
    lo = min(acc + [result.multi_accuracy * 100])
    fig.update_yaxes(title_text="test accuracy (%, axis zoomed)", range=[max(0, lo - 3), 100])
    return _layout(fig, height=340, margin={"l": 60, "r": 10, "t": 20, "b": 40}, showlegend=False)


def freeze_chart(frozen: int, trainable: int) -> go.Figure:
    """One stacked bar: frozen vs trainable parameters."""
    fig = go.Figure()
    fig.add_trace(go.Bar(y=["parameters"], x=[frozen], orientation="h", name="frozen", marker_color="#9ecae1",
                         text=[f"frozen {frozen:,}"], textposition="inside"))
    fig.add_trace(go.Bar(y=["parameters"], x=[trainable], orientation="h", name="trainable",
                         marker_color="#ff7f0e", text=[f"trainable {trainable:,}"], textposition="inside"))
    fig.update_yaxes(showticklabels=False)
    return _layout(fig, barmode="stack", height=130, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False)
