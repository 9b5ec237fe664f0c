"""Plotly figures of "Inside LeNet-5" (the only module here that imports plotly).

Feature maps are drawn as one heatmap per layer, the maps tiled with a gap between them,
under an invisible scatter with one point per unit: Streamlit's selection events report
scatter points (not heatmap cells), so clicking a unit selects its point, and the point's
index says which unit it is (:func:`unit_of_point`).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from viz.data import mnist

FONT = dict(size=13)
GAP = 1  # pixels between tiled maps
INVISIBLE = "rgba(0,0,0,0)"
# Colours that say what they mean: ReLU outputs run from 0 (black: no response) up to the
# layer's largest value (bright); tanh outputs from −1 (blue) through 0 (white) to +1 (red).
RELU_SCALE = [[0.0, "#000000"], [0.25, "#3b0f70"], [0.5, "#b5367a"], [0.75, "#fb8861"], [1.0, "#fcfdbf"]]  # magma
TANH_SCALE = "RdBu_r"


def tile_layout(count: int, columns: int, h: int, w: int) -> tuple[int, int]:
    """(rows, columns) of tiles for ``count`` maps laid out ``columns`` wide."""
    columns = min(columns, count)
    return math.ceil(count / columns), columns


def tiled(maps: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maps ``(C, H, W)`` → one image with gaps (NaN), and every unit's (x, y) centre in it."""
    count, h, w = maps.shape
    rows, columns = tile_layout(count, columns, h, w)
    image = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP), np.nan, dtype=np.float32)
    for k in range(count):
        top, left = (k // columns) * (h + GAP), (k % columns) * (w + GAP)
        image[top:top + h, left:left + w] = maps[k]
    k, r, c = np.unravel_index(np.arange(count * h * w), (count, h, w))
    ys = (k // columns) * (h + GAP) + r
    xs = (k % columns) * (w + GAP) + c
    return image, xs, ys


def unit_of_point(point_index: int, shape: tuple[int, int, int]) -> tuple[int, int, int]:
    """The (map, row, col) of the scatter point ``point_index`` in a layer of ``shape`` (C, H, W)."""
    count, h, w = shape
    if not 0 <= point_index < count * h * w:
        raise ValueError(f"no unit {point_index} in a layer of {count} × {h} × {w}")
    k, r, c = np.unravel_index(point_index, shape)
    return int(k), int(r), int(c)


def _image_layout(title: str, height: int, clickable: bool = True) -> dict:
    """Square pixels, row 0 at the top, no axes; one dict so plotly validates it once."""
    return dict(
        title=dict(text=title, font=dict(size=14)), height=height, margin=dict(l=4, r=4, t=34, b=4), font=FONT,
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"),
        dragmode=False, plot_bgcolor="white", showlegend=False, hovermode="closest",
        clickmode="event+select" if clickable else "none")


def _points(xs, ys, hovertemplate: str, size: int, customdata=None, text=None) -> dict:
    """The invisible, clickable scatter over an image (one point per unit or digit)."""
    return dict(type="scatter", x=xs, y=ys, mode="markers", customdata=customdata, text=text,
                hovertemplate=hovertemplate, marker=dict(size=size, color=INVISIBLE, symbol="square"),
                selected=dict(marker=dict(color=INVISIBLE)), unselected=dict(marker=dict(opacity=1)))


def colour_range(values: np.ndarray, relu: bool) -> tuple[float, float]:
    if relu:
        return 0.0, max(float(np.nanmax(values)), 1e-6)
    return -1.0, 1.0


def _marker(x: float, y: float) -> dict:
    return dict(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5, line=dict(color="#00d084", width=3))


def maps_figure(maps: np.ndarray, title: str, relu: bool, columns: int, height: int = 300,
                marked: tuple[int, int, int] | None = None, label: str = "map") -> go.Figure:
    """A layer's maps ``(C, H, W)`` (vectors as ``(C, 1, 1)``), clickable unit by unit."""
    count, h, w = maps.shape
    image, xs, ys = tiled(maps, columns)
    lo, hi = colour_range(maps, relu)
    colorbar = dict(title=dict(text="value<br>(0 = none)" if relu else "value<br>(−1 … +1)", side="top"),
                    thickness=12, len=0.9)
    heat = dict(type="heatmap", z=image, colorscale=RELU_SCALE if relu else TANH_SCALE, zmin=lo, zmax=hi,
                colorbar=colorbar, hoverinfo="skip")
    if not relu:
        heat["zmid"] = 0.0
    k, r, c = np.unravel_index(np.arange(count * h * w), (count, h, w))
    custom = np.stack([k + 1, r, c, maps.reshape(-1)], axis=1)
    where = ", row %{customdata[1]}, column %{customdata[2]}" if h * w > 1 else ""
    points = _points(xs, ys, f"{label} %{{customdata[0]}}{where}: %{{customdata[3]:.3f}}<extra></extra>",
                     max(4, 200 // max(image.shape)), customdata=custom)
    layout = _image_layout(title, height)
    if marked is not None:
        mk, mr, mc = marked
        columns = min(columns, count)
        layout["shapes"] = [_marker((mk % columns) * (w + GAP) + mc, (mk // columns) * (h + GAP) + mr)]
    return go.Figure(dict(data=[heat, points], layout=layout))


def digit_figure(image: np.ndarray, title: str, box: tuple[int, int, int, int] | None = None,
                 height: int = 300) -> go.Figure:
    """The 32×32 input as LeNet-5 sees it, with a receptive field ``(y0, x0, y1, x1)`` outlined."""
    heat = dict(type="heatmap", z=image, colorscale="Greys_r", zmin=mnist.BACKGROUND, zmax=mnist.FOREGROUND,
                showscale=False, hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>")
    layout = _image_layout(title, height, clickable=False)
    if box is not None:
        y0, x0, y1, x1 = box
        layout["shapes"] = [dict(type="rect", x0=x0 - 0.5, x1=x1 + 0.5, y0=y0 - 0.5, y1=y1 + 0.5,
                                 line=dict(color="#00d084", width=3))]
    return go.Figure(dict(data=[heat], layout=layout))


def probabilities_figure(probabilities: np.ndarray, prediction: int, height: int = 260) -> go.Figure:
    colours = ["#1f77b4"] * 10
    colours[prediction] = "#d62728"
    fig = go.Figure(go.Bar(x=[str(d) for d in range(10)], y=probabilities, marker_color=colours,
                           text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities], textposition="outside",
                           hovertemplate="digit %{x}: %{y:.2%}<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=40, r=10, t=30, b=40), font=FONT,
                      title=dict(text="Probability of each digit (softmax of the 10 outputs)", font=dict(size=14)),
                      xaxis=dict(title="digit", type="category"), yaxis=dict(title="probability", range=[0, 1.15],
                                                                            tickformat=".0%"))
    return fig


def kernels_figure(weights: np.ndarray, marked: int | None = None, height: int = 200) -> go.Figure:
    """C1's six 5×5 filters side by side: red = positive weight, blue = negative."""
    limit = float(np.abs(weights).max())
    image, _, _ = tiled(weights, columns=6)
    heat = dict(type="heatmap", z=image, colorscale="RdBu_r", zmin=-limit, zmax=limit, zmid=0,
                colorbar=dict(title=dict(text="weight", side="top"), thickness=12),
                hovertemplate="weight %{z:.3f}<extra></extra>")
    layout = _image_layout("C1's six learned 5 × 5 filters", height, clickable=False)
    layout["yaxis"].update(range=[5.5, -2.2], autorange=False)
    layout["annotations"] = [dict(x=k * (5 + GAP) + 2, y=-1.2, text=f"filter {k + 1}", showarrow=False,
                                  font=dict(size=12, color="#d62728" if k == marked else "#333"))
                             for k in range(weights.shape[0])]
    return go.Figure(dict(data=[heat], layout=layout))


def gallery_figure(images: np.ndarray, captions: list[str], columns: int, title: str,
                   height: int | None = None, caption_colour: str = "#333", marked: int | None = None) -> go.Figure:
    """Digits ``(N, 28, 28)`` in a grid, each clickable (a point at its centre), captions beneath."""
    count = len(images)
    side = images.shape[1]
    rows, columns = tile_layout(count, columns, side, side)
    cell = side + 10  # room for the caption under each digit
    canvas = np.full((rows * cell, columns * (side + 4)), np.nan, dtype=np.float32)
    xs, ys = [], []
    for k in range(count):
        top, left = (k // columns) * cell, (k % columns) * (side + 4)
        canvas[top:top + side, left:left + side] = images[k]
        xs.append(left + side / 2)
        ys.append(top + side / 2)
    heat = dict(type="heatmap", z=canvas, colorscale="Greys_r", zmin=0, zmax=255, showscale=False, hoverinfo="skip")
    points = _points(xs, ys, "%{text}<extra></extra>", 18, text=captions)
    labels = dict(type="scatter", x=xs, y=[y + side / 2 + 4 for y in ys], mode="text", text=captions,
                  textfont=dict(size=11, color=caption_colour), hoverinfo="skip")
    layout = _image_layout(title, height or max(200, 60 * rows + 40))
    if marked is not None:
        top, left = (marked // columns) * cell, (marked % columns) * (side + 4)
        layout["shapes"] = [dict(type="rect", x0=left - 1.5, x1=left + side + 0.5, y0=top - 1.5, y1=top + side + 0.5,
                                 line=dict(color="#00d084", width=3))]
    return go.Figure(dict(data=[heat, points, labels], layout=layout))


def confusion_figure(confusion: np.ndarray, height: int = 420) -> go.Figure:
    """Rows = the true digit, columns = what the network said; off the diagonal = mistakes."""
    off = confusion.astype(float)
    np.fill_diagonal(off, np.nan)
    digits = [str(d) for d in range(10)]
    text = [[str(n) if n else "" for n in row] for row in confusion.tolist()]
    right = np.where(np.eye(10, dtype=bool), confusion, np.nan).astype(float)
    fig = go.Figure(dict(data=[
        dict(type="heatmap", z=off, x=digits, y=digits, colorscale="Reds", zmin=0,
             zmax=max(1.0, float(np.nanmax(off))), text=text, texttemplate="%{text}",
             colorbar=dict(title=dict(text="mistakes", side="top"), thickness=12),
             hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>"),
        dict(type="heatmap", z=right, x=digits, y=digits, colorscale=[[0, "#e8f5e9"], [1, "#e8f5e9"]],
             showscale=False, text=text, texttemplate="%{text}", textfont=dict(color="#1a7f37"),
             hovertemplate="true %{y}, predicted %{x}: %{text} right<extra></extra>")]))
    fig.update_layout(height=height, margin=dict(l=60, r=10, t=40, b=50), font=FONT,
                      title=dict(text="Confusion matrix of the 1,000 test digits", font=dict(size=14)),
                      xaxis=dict(title="predicted digit", type="category", side="bottom"),
                      yaxis=dict(title="true digit", type="category", autorange="reversed"))
    return fig
