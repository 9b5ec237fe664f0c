"""Plotly figures for the Training Lab, built from the result records of :mod:`viz.training.results`.

No Streamlit here. The two depth figures follow He et al. 2016, Fig. 6 (and the
lecture's sketch): training error against iterations for plain nets (left) and
ResNets (right), and final training error against depth.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.training.results import DepthResult, EnsembleResult, TransferResult

PLAIN = "#d62728"
RESIDUAL = "#1f77b4"
# One colour per depth, light (shallow) to dark (deep), the same in both panels.
DEPTH_COLOURS = ["#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b", "#041a3a"]
METHOD_COLOURS = {"scratch": "#7f7f7f", "frozen": "#2ca02c", "frozen_full": "#98df8a", "finetune": "#ff7f0e"}


def moving_average(values: list[float], window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` values (fewer at the start)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0 or window <= 1:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))
    idx = np.arange(1, v.size + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def depth_curves(result: DepthResult, metric: str = "error", window: int = 20) -> go.Figure:
    """Training error (or loss) against steps; plain left, residual right, one line per depth."""
    if metric not in ("error", "loss"):
        raise ValueError(f"metric must be 'error' or 'loss'; got {metric!r}")
    depths = result.depths
    colour = {d: DEPTH_COLOURS[min(i, len(DEPTH_COLOURS) - 1) if len(depths) <= len(DEPTH_COLOURS)
                               else i * len(DEPTH_COLOURS) // len(depths)] for i, d in enumerate(depths)}
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("plain networks", "residual networks (ResNet)"))
    for run in result.runs:
        ys = moving_average(run.error if metric == "error" else run.loss, window)
        if metric == "error":
            ys = ys * 100
        col = 2 if run.residual else 1
        fig.add_trace(
            go.Scatter(x=list(range(1, len(ys) + 1)), y=ys.tolist(), mode="lines",
                       name=f"{run.depth} layers", legendgroup=str(run.depth),
                       showlegend=not run.residual,
                       line={"color": colour[run.depth], "width": 2.5},
                       hovertemplate=f"{run.name}"
                       " step %{x}: %{y:.1f}" + ("%" if metric == "error" else "") + "<extra></extra>"),
            row=1, col=col,
        )
    total = result.settings.steps
    label = "training error (%)" if metric == "error" else "training loss (cross-entropy)"
    fig.update_yaxes(title_text=f"{label}<br><sup>mean of the last {window} minibatches</sup>", row=1, col=1)
    if metric == "loss":
        fig.update_yaxes(type="log", dtick=1)  # label powers of ten only
    else:
        fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(title_text="training step (minibatch)", range=[0, total])
    fig.update_layout(height=380, margin={"l": 60, "r": 10, "t": 40, "b": 40},
                      legend={"title": "depth", "orientation": "v"})
    return fig


def depth_final(result: DepthResult) -> go.Figure:
    """Final training error (whole training set) against depth, plain and residual."""
    fig = go.Figure()
    for residual, name, colour, where in ((False, "plain", PLAIN, "top left"),
                                          (True, "residual", RESIDUAL, "top right")):
        runs = result.of_kind(residual)
        ys = [r.final_error * 100 for r in runs]
        fig.add_trace(go.Scatter(x=[r.depth for r in runs], y=ys, mode="lines+markers+text", name=name,
                                 text=[f"{y:.1f}%" for y in ys], textposition=where,
                                 line={"color": colour, "width": 3}, marker={"size": 10}))
    depths = result.depths
    pad = max(4, (depths[-1] - depths[0]) * 0.12)
    fig.update_xaxes(title_text="depth (weighted layers, 6n + 2)", tickvals=depths,
                     range=[depths[0] - pad, depths[-1] + pad])
    fig.update_yaxes(title_text="training error at the end (%)", rangemode="tozero")
    fig.update_layout(height=380, margin={"l": 60, "r": 10, "t": 30, "b": 40})
    return fig


def transfer_bars(result: TransferResult) -> go.Figure:
    """Test accuracy and training wall time of each transfer-learning method."""
    methods = result.methods
    labels = [m.label for m in methods]
    colours = [METHOD_COLOURS[m.name] for m in methods]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.25,
                        subplot_titles=("test accuracy on digits 5–9", "training wall time (s)"))
    acc = [m.test_accuracy * 100 for m in methods]
    secs = [m.seconds for m in methods]
    fig.add_trace(go.Bar(y=labels, x=acc, orientation="h", marker_color=colours,
                         text=[f"{a:.1f}%" for a in acc], textposition="auto", showlegend=False), 1, 1)
    fig.add_trace(go.Bar(y=labels, x=secs, orientation="h", marker_color=colours,
                         text=[f"{s:.2f} s" for s in secs], textposition="auto", showlegend=False), 1, 2)
    fig.update_xaxes(range=[0, 100], title_text="%", row=1, col=1)
    fig.update_xaxes(title_text="seconds", row=1, col=2)
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 40})
    return fig


def transfer_losses(result: TransferResult) -> go.Figure:
    """Training loss of each method against step (log scale)."""
    fig = go.Figure()
    for m in result.methods:
        fig.add_trace(go.Scatter(y=list(m.loss), x=list(range(1, len(m.loss) + 1)), mode="lines", name=m.label,
                                 line={"color": METHOD_COLOURS.get(m.name), "width": 2,
                                       "dash": "dot" if m.name == "frozen_full" else "solid"}))
    fig.update_yaxes(type="log", dtick=1, title_text="training loss")
    fig.update_xaxes(title_text="step (full batch of the few labelled images)")
    fig.update_layout(height=300, margin={"l": 60, "r": 10, "t": 20, "b": 40})
    return fig


def ensemble_chart(result: EnsembleResult) -> go.Figure:
    """Each member's test accuracy (bars) and the averaged ensemble of the first j members (line)."""
    members = result.finished_members
    xs = [f"net {i + 1}<br>seed {m.seed}" for i, m in enumerate(members)]
    acc = [m.test_accuracy * 100 for m in members]
    ens = [a * 100 for a in result.ensemble_accuracy][: len(members)]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=xs, y=acc, name="each network alone", marker_color="#9ecae1",
                         text=[f"{a:.1f}%" for a in acc], textposition="inside"))
    if ens:
        fig.add_trace(go.Scatter(x=xs[: len(ens)], y=ens, name="average of networks 1…j", mode="lines+markers+text",
                                 text=[f"{a:.1f}%" for a in ens], textposition="top center",
                                 line={"color": "#08519c", "width": 3}, marker={"size": 10}))
    lo = min(acc + ens) if acc else 0
    fig.update_yaxes(title_text="test accuracy (%, axis zoomed)", range=[max(0, lo - 5), 100.5])
    fig.update_layout(height=360, margin={"l": 60, "r": 10, "t": 20, "b": 40},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def freeze_chart(frozen: int, trainable: int) -> go.Figure:
    """One stacked bar: frozen vs trainable parameters."""
    fig = go.Figure()
    fig.add_trace(go.Bar(y=["parameters"], x=[frozen], orientation="h", name="frozen", marker_color="#9ecae1",
                         text=[f"frozen {frozen:,}"], textposition="inside"))
    fig.add_trace(go.Bar(y=["parameters"], x=[trainable], orientation="h", name="trainable",
                         marker_color="#ff7f0e", text=[f"trainable {trainable:,}"], textposition="inside"))
    fig.update_layout(barmode="stack", height=130, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      showlegend=False)
    fig.update_yaxes(showticklabels=False)
    return fig
