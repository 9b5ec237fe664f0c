"""Feature maps and digits as small pictures (:class:`viz.view.Tiles`): one pixel per unit.

A layer's maps are tiled side by side with a transparent gap, coloured here with the same
colour scales the legend under them shows, and sent as one PNG of a few kilobytes; the
browser scales it up with square pixels and says which unit was clicked. (Drawn as plotly
heatmaps with an invisible point per unit — 8,000 points for LeNet-5 — a canvas stroke
took ~3 s to redraw in the browser; as pictures it is one image per layer.)
"""

from __future__ import annotations

import functools
import io
import math

import numpy as np
from PIL import Image

from viz import view as v
from viz.data import mnist

GAP = 1  # pixels between tiled maps
FIELD_COLOUR = "#00d084"  # the receptive field's outline, and the marked unit's

# Colour scales as (fraction, hex colour) stops. ReLU outputs run from 0 (black: nothing
# found) up to the layer's largest value (pale yellow): magma. tanh outputs run from −1
# (blue) through 0 (white) to +1 (red): ColorBrewer's RdBu reversed (plotly's "RdBu_r",
# which the kernel chart uses for weights).
MAGMA = ((0.0, "#000000"), (0.25, "#3b0f70"), (0.5, "#b5367a"), (0.75, "#fb8861"), (1.0, "#fcfdbf"))
RDBU = ((0.0, "#053061"), (0.1, "#2166ac"), (0.2, "#4393c3"), (0.3, "#92c5de"), (0.4, "#d1e5f0"),
        (0.5, "#f7f7f7"), (0.6, "#fddbc7"), (0.7, "#f4a582"), (0.8, "#d6604d"), (0.9, "#b2182b"), (1.0, "#67001f"))
GREYS = ((0.0, "#000000"), (1.0, "#ffffff"))


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@functools.lru_cache(maxsize=16)
def lookup_table(stops: tuple[tuple[float, str], ...], n: int = 256) -> np.ndarray:
    """``(n, 3)`` uint8 colours, linear in RGB between the stops (kept: every picture of a stroke needs one)."""
    fractions = np.array([f for f, _ in stops])
    colours = np.array([_rgb(c) for _, c in stops], dtype=np.float64)
    at = np.linspace(0, 1, n)
    table = np.stack([np.interp(at, fractions, colours[:, i]) for i in range(3)], axis=1).round().astype(np.uint8)
    table.setflags(write=False)  # shared by every call
    return table


def gradient(stops: tuple[tuple[float, str], ...]) -> str:
    """The CSS colour stops of a scale (for the legend's bar)."""
    return ", ".join(f"{c} {f * 100:g}%" for f, c in stops)


def colourise(values: np.ndarray, stops: tuple[tuple[float, str], ...], lo: float, hi: float) -> np.ndarray:
    """Values → RGBA uint8 on the scale from ``lo`` to ``hi``; NaN (the gaps) transparent."""
    table = lookup_table(stops)
    finite = np.isfinite(values)
    at = np.clip((np.where(finite, values, lo) - lo) / max(hi - lo, 1e-12), 0, 1)
    rgba = np.zeros(values.shape + (4,), np.uint8)
    rgba[..., :3] = table[np.round(at * (len(table) - 1)).astype(np.intp)]
    rgba[..., 3] = np.where(finite, 255, 0)
    return rgba


def png(rgba: np.ndarray) -> bytes:
    """PNG bytes, compressed lightly: a few kilobytes either way, and a stroke encodes about ten of them."""
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def tile_layout(count: int, columns: int) -> tuple[int, int]:
    """(rows, columns) of tiles for ``count`` maps laid out ``columns`` wide."""
    columns = min(columns, count)
    return math.ceil(count / columns), columns


def tiled(maps: np.ndarray, columns: int, gap: int = GAP) -> np.ndarray:
    """Maps ``(C, H, W)`` → one picture, ``columns`` maps to a row, NaN in the gaps."""
    count, h, w = maps.shape
    rows, columns = tile_layout(count, columns)
    image = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan, dtype=np.float32)
    for k in range(count):
        top, left = (k // columns) * (h + gap), (k % columns) * (w + gap)
        image[top:top + h, left:left + w] = maps[k]
    return image


def cell_position(unit: tuple[int, int, int], shape: tuple[int, int, int], columns: int,
                  gap: int = GAP) -> tuple[int, int]:
    """Where unit ``(map, row, col)`` of maps ``shape = (C, H, W)`` is in :func:`tiled`'s picture: (y, x)."""
    count, h, w = shape
    k, r, c = unit
    if not (0 <= k < count and 0 <= r < h and 0 <= c < w):
        raise ValueError(f"no unit {unit} in {count} maps of {h} × {w}")
    columns = min(columns, count)
    return (k // columns) * (h + gap) + r, (k % columns) * (w + gap) + c


def colour_range(values: np.ndarray, relu: bool) -> tuple[float, float]:
    """ReLU layers: 0 up to the layer's largest value; tanh layers: −1 … +1."""
    if relu:
        return 0.0, max(float(np.nanmax(values)), 1e-6)
    return -1.0, 1.0


def legend(values: np.ndarray, relu: bool) -> v.Legend:
    """The colour scale of a layer, in words."""
    if relu:
        _, hi = colour_range(values, relu)
        return v.Legend(gradient(MAGMA), ("0: nothing found", f"{hi:.2g}: the layer's strongest"))
    return v.Legend(gradient(RDBU), ("−1", "0", "+1"))


def maps_tiles(maps: np.ndarray, key: str, title: str, relu: bool, columns: int, scale: int,
               marked: tuple[int, int, int] | None = None, label: str = "map", hint: str = "") -> v.Tiles:
    """A layer's maps ``(C, H, W)`` (vectors as ``(C, 1, 1)``) as clickable tiles, ``marked`` outlined."""
    count, h, w = maps.shape
    picture = tiled(maps, columns)
    lo, hi = colour_range(maps, relu)
    boxes = ()
    if marked is not None:
        y, x = cell_position(marked, maps.shape, columns)
        boxes = (v.Box(y, x, y, x, FIELD_COLOUR),)
    return v.Tiles(png(colourise(picture, MAGMA if relu else RDBU, lo, hi)), key,
                   (picture.shape[1], picture.shape[0]), count=count, columns=min(columns, count), tile=(h, w),
                   gap=GAP, title=title, scale=scale, clickable=True, boxes=boxes,
                   values=tuple(np.round(maps.reshape(-1).astype(np.float64), 3).tolist()), label=label,
                   hint=hint, legend=legend(maps, relu))


def digit_tiles(image: np.ndarray, key: str, title: str, box: tuple[int, int, int, int] | None = None,
                scale: int = 8, hint: str = "") -> v.Tiles:
    """LeNet-5's 32 × 32 input (normalised: MNIST's background … its ink) with a field ``(y0, x0, y1, x1)`` outlined."""
    rgba = colourise(image, GREYS, mnist.BACKGROUND, mnist.FOREGROUND)
    h, w = image.shape
    boxes = (v.Box(*box, FIELD_COLOUR),) if box is not None else ()
    return v.Tiles(png(rgba), key, (w, h), tile=(h, w), title=title, scale=scale, boxes=boxes,
                   values=tuple(np.round(image.reshape(-1).astype(np.float64), 2).tolist()), label="input",
                   hint=hint)


def kernels_tiles(weights: np.ndarray, key: str, marked: int | None = None, scale: int = 14) -> v.Tiles:
    """C1's six 5 × 5 filters, three to a row: red = positive weight, blue = negative; ``marked`` outlined."""
    count, h, w = weights.shape
    limit = float(max(np.abs(weights).max(), 1e-6))
    columns = 3
    picture = tiled(weights, columns)
    boxes = ()
    if marked is not None:
        y, x = cell_position((marked, 0, 0), weights.shape, columns)
        boxes = (v.Box(y, x, y + h - 1, x + w - 1, FIELD_COLOUR),)
    return v.Tiles(png(colourise(picture, RDBU, -limit, limit)), key, (picture.shape[1], picture.shape[0]),
                   count=count, columns=columns, tile=(h, w), gap=GAP, title="C1's six learned 5 × 5 filters",
                   scale=scale, boxes=boxes, values=tuple(np.round(weights.reshape(-1).astype(np.float64), 3).tolist()),
                   label="filter", hint="Filters 1–3 on the top row, 4–6 below. Point at a weight to read it.",
                   legend=v.Legend(gradient(RDBU), (f"−{limit:.2f}: punishes ink", "0", f"+{limit:.2f}: rewards ink")))


def gallery_tiles(digits: np.ndarray, key: str, title: str, columns: int, captions: tuple[str, ...] = (),
                  hovers: tuple[str, ...] = (), marked: int | None = None, hint: str = "", scale: int = 2) -> v.Tiles:
    """Digits ``(N, 28, 28)`` (uint8) to click on, ``columns`` to a row, ``captions`` under them."""
    count, h, w = digits.shape
    picture = tiled(digits.astype(np.float32), columns)
    boxes = ()
    if marked is not None:
        y, x = cell_position((marked, 0, 0), digits.shape, columns)
        boxes = (v.Box(y, x, y + h - 1, x + w - 1, FIELD_COLOUR),)
    return v.Tiles(png(colourise(picture, GREYS, 0, 255)), key, (picture.shape[1], picture.shape[0]), count=count,
                   columns=min(columns, count), tile=(h, w), gap=GAP, title=title, scale=scale, clickable=True,
                   boxes=boxes, label="digit", hint=hint, gallery=True, captions=captions, hovers=hovers)


# ---------------------------------------------------------------- the preprocessing steps, one unit's sum

# Pixels a side per preprocessing step in the strip, drawn at the size it is shown: a larger strip
# shown smaller is shrunk again by Streamlit (decoded, resized, re-encoded) on every canvas stroke.
STEP_TILE = 96
STEP_GAP = 8
STEP_BACKDROP = (72, 72, 72, 255)  # behind each step: a crop of a "1" is all white and would vanish on the page


def steps_strip(steps: list[np.ndarray], per_row: int = 3, tile: int = STEP_TILE, gap: int = STEP_GAP) -> np.ndarray:
    """The grey step images in one RGBA picture, ``per_row`` to a row, each enlarged with square pixels
    into a ``tile``-sided square (shape kept) and numbered 1, 2, … in its corner."""
    from PIL import ImageDraw, ImageFont

    rows, columns = tile_layout(len(steps), per_row)
    strip = Image.new("RGBA", (columns * (tile + gap) - gap, rows * (tile + gap) - gap), (0, 0, 0, 0))
    try:  # Pillow's bundled scalable font (nothing downloaded)
        font = ImageFont.load_default(size=max(14, round(tile * 0.15)))
    except (ImportError, OSError, TypeError):
        font = ImageFont.load_default()
    draw = ImageDraw.Draw(strip)
    for k, step in enumerate(steps):
        h, w = step.shape
        scale = tile / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        resample = Image.Resampling.NEAREST if scale >= 1 else Image.Resampling.LANCZOS
        picture = Image.fromarray(step).resize(size, resample).convert("RGBA")
        left, top = (k % columns) * (tile + gap), (k // columns) * (tile + gap)
        draw.rectangle([left, top, left + tile - 1, top + tile - 1], fill=STEP_BACKDROP)
        strip.paste(picture, (left + (tile - size[0]) // 2, top + (tile - size[1]) // 2))
        badge = max(18, round(tile * 0.19))  # the number's green corner, as tall as the digit needs
        draw.rounded_rectangle([left, top, left + badge - 1, top + badge], radius=badge // 5, fill=(0, 208, 132, 255))
        draw.text((left + badge // 2, top + badge // 2 + 1), str(k + 1), fill=(0, 0, 0, 255), font=font, anchor="mm")
    return np.asarray(strip).copy()


def _cell_styles(values: np.ndarray, stops, lo: float, hi: float) -> list[str]:
    """Each cell's background on a colour scale, with black or white text, whichever reads better on it
    (all cells coloured at once: the grids are redrawn on every canvas stroke)."""
    styles = []
    for r, g, b, _ in colourise(np.asarray(values, dtype=np.float64).reshape(-1), stops, lo, hi).tolist():
        text = "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"
        styles.append(f"background:#{r:02x}{g:02x}{b:02x};color:{text}")
    return styles


def _signed(x: float) -> str:
    """``+0.12`` / ``−0.12`` (a true minus sign); ``0.00`` for what rounds to zero."""
    return "0.00" if round(x, 2) == 0 else f"{x:+.2f}".replace("-", "−")


def _grid(values: np.ndarray, caption: str, stops, lo: float, hi: float) -> str:
    styles = iter(_cell_styles(values, stops, lo, hi))
    rows = "".join(
        "<tr>" + "".join(f'<td style="{next(styles)};width:3.1em;height:1.9em;text-align:center;'
                         f'border:1px solid #fff">{_signed(x)}</td>' for x in row) + "</tr>"
        for row in values.tolist())
    return (f'<figure style="margin:0"><table style="border-collapse:collapse;font-size:14px;'
            f'font-variant-numeric:tabular-nums">{rows}</table>'
            f'<figcaption style="font-size:14px;margin-top:2px">{caption}</figcaption></figure>')


def unit_sum_html(inputs: np.ndarray, weights: np.ndarray, products: np.ndarray) -> str:
    """One C1 unit's arithmetic as three 5 × 5 grids — input pixels × weights = products — side by
    side on a wide screen, one under the other on a phone. Only numbers the app computed go in."""
    sign = '<div style="font-size:28px;padding:0 2px">{}</div>'
    limit = float(max(np.abs(weights).max(), 1e-6))
    most = float(max(np.abs(products).max(), 1e-6))
    return ('<div style="display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px">'
            + _grid(inputs, "25 input pixels x (as the digit looks)", GREYS, mnist.BACKGROUND, mnist.FOREGROUND)
            + sign.format("×")
            + _grid(weights, "25 weights w (red +, blue −)", RDBU, -limit, limit)
            + sign.format("=")
            + _grid(products, "25 products x·w", RDBU, -most, most)
            + "</div>")


# ---------------------------------------------------------------- the ten probabilities

BAR = "#1f77b4"  # plotly's first colour, as the other charts
ANSWER = "#d62728"  # the predicted digit's bar


def probabilities_html(probabilities: np.ndarray, prediction: int, height: int = 180) -> str:
    """The ten class probabilities as a bar chart in plain HTML, the answer red, each bar's percentage
    above it (14 px and up). Not plotly: it is redrawn on every canvas stroke, and a plotly chart
    costs the browser more than everything else a stroke changes. Only numbers the app computed go in."""
    bars = []
    for digit, p in enumerate(np.asarray(probabilities, dtype=np.float64).tolist()):
        colour = ANSWER if digit == prediction else BAR
        label = f"{p:.0%}" if p >= 0.005 else ""
        bars.append(
            f'<div title="digit {digit}: {p:.2%}" style="flex:1;display:flex;flex-direction:column;'
            f'justify-content:flex-end;align-items:center;height:100%">'
            f'<span style="font-size:14px;line-height:1.3">{label}</span>'
            f'<div data-digit="{digit}" data-p="{p:.6f}" style="width:70%;height:{p * 100:.2f}%;'
            f'min-height:1px;background:{colour}"></div></div>')
    digits = "".join(f'<span style="flex:1;text-align:center">{d}</span>' for d in range(len(bars)))
    return (f'<figure class="inside-probabilities" style="margin:0;font-size:14px">'
            f'<figcaption style="font-size:16px;font-weight:600;margin-bottom:4px">Probability of each digit'
            f'</figcaption><div style="display:flex;align-items:flex-end;gap:2px;height:{height}px;'
            f'padding-top:20px;border-bottom:1px solid rgba(49,51,63,0.4)">{"".join(bars)}</div>'
            f'<div style="display:flex;gap:2px;margin-top:2px">{digits}</div>'
            f'<div style="text-align:center;opacity:0.8">digit</div></figure>')
