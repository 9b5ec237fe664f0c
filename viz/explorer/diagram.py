"""The volume diagram's layout as plain data: where every box, arrow, skip path and label goes.

The lecture draws a network as a row of volumes, ``n_H × n_W × n_C`` each, with the
operation that made it on the arrow in between. :func:`layout` places them for one of
two layouts, and :mod:`~viz.explorer.figures` (plotly, on screen) and
:mod:`~viz.explorer.svg` (the download for slides) draw the same :class:`Diagram`, so
what a teacher pastes into a slide is what the page shows.

Units. ``y`` is in pixels from the top. ``x`` is in layout units: pixels at the width the
layout was made for (:data:`WIDE_WIDTH`, :data:`NARROW_WIDTH`); on a wider screen x
stretches and every gap grows, while text and boxes keep their pixel size (a box is drawn
around its anchor in pixels). So a layout whose labels do not overlap at its own width
does not overlap at any larger one; the page shows the wide layout where the diagram
has at least :data:`WIDE_WIDTH` pixels, the narrow one (one volume per row, top to bottom)
below that.

* ``wide``: volumes left to right, wrapped into rows that fit :data:`WIDE_WIDTH`; a skip
  connection is a path from the block's input volume over the block (its operations, on
  the arrow) into its output volume — solid for an identity shortcut, dashed for a 1×1
  projection ``W_s`` (He et al. 2016, eq. 2); a side classifier (GoogLeNet's auxiliary
  heads, Szegedy et al. 2015 §5) branches off below.
* ``narrow``: one volume per row, labels to its right, skip paths on the left.

Every label carries its estimated extent (:meth:`Label.extent`, from per-character widths
of a sans-serif font, on the generous side), and :func:`overlaps` finds any two that touch;
the tests check no layout of any network has one, and a browser test measures the drawn
text to confirm it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDE_WIDTH = 780  # the wide layout fits this many pixels (a 1280-px screen with the sidebar gives the chart 820)
NARROW_WIDTH = 330  # a 390-px phone leaves ~340 for the chart
INK, GREY, MUTED = "#111827", "#374151", "#4b5563"
IDENTITY_COLOUR, PROJECTION_COLOUR, SIDE_COLOUR, ARROW_COLOUR = "#dc2626", "#7c3aed", "#0f766e", "#6b7280"
# The four branches of an inception module (1×1, 3×3, 5×5, pool): one colour each.
BRANCH_COLOURS = ("#60a5fa", "#34d399", "#fbbf24", "#f472b6", "#a78bfa", "#94a3b8")
FACES = {  # front, top, side fill and outline of a volume, by kind
    "image": ("#e5e7eb", "#f3f4f6", "#d1d5db", "#374151"),
    "map": ("#bfdbfe", "#dbeafe", "#93c5fd", "#1e3a8a"),
    "fc": ("#fde68a", "#fef3c7", "#fcd34d", "#92400e"),
    "side": ("#99f6e4", "#ccfbf1", "#5eead4", "#115e59"),
}
TITLE_SIZE, LABEL_SIZE, SMALL_SIZE = 18, 15, 14  # px; ≥ 14 reads from the back of a room


# ---------------------------------------------------------------- text extents


def _char_width(ch: str) -> float:
    """Advance width of one character in em, a little over Arial's / Source Sans's."""
    if ch in " .,:;|'!·":
        return 0.3
    if ch in "il()[]ftjrI/":
        return 0.36
    if ch.isdigit():
        return 0.57
    if ch in "×–=+":
        return 0.62
    if ch in "mwMW—":
        return 0.9
    if ch.isupper():
        return 0.7
    return 0.56


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in pixels of ``text`` at font ``size`` px."""
    return sum(_char_width(ch) for ch in text) * size * (1.07 if bold else 1.0)


@dataclass(frozen=True)
class Label:
    """Text at (x, y): ``anchor`` says which end of it x is, ``valign`` which edge y is."""

    x: float
    y: float
    lines: tuple[str, ...]
    size: int = LABEL_SIZE
    colour: str = INK
    bold: bool = False
    anchor: str = "middle"  # "start" | "middle" | "end"
    valign: str = "top"  # "top" | "bottom"

    LINE = 1.3  # line height, × size

    @property
    def width(self) -> float:
        return max((text_width(line, self.size, self.bold) for line in self.lines), default=0.0)

    @property
    def height(self) -> float:
        return self.size * self.LINE * len(self.lines)

    def extent(self, scale: float = 1.0) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in pixels when one layout unit is ``scale`` pixels."""
        x = self.x * scale
        w = self.width
        x0 = x - w / 2 if self.anchor == "middle" else x if self.anchor == "start" else x - w
        y0 = self.y if self.valign == "top" else self.y - self.height
        return x0, y0, x0 + w, y0 + self.height


@dataclass(frozen=True)
class Volume:
    """One box: front face ``thickness`` × ``height`` px (∝ n_C, n_H), drawn in oblique
    projection with a top and a side face ``dx`` px deep (∝ n_W), centred on (x, y).

    ``branches``: the channel share of each branch of an inception module (the front
    face is split into them); ``key``: what a click on the box selects."""

    key: str
    x: float
    y: float
    thickness: float
    height: float
    dx: float
    kind: str = "map"
    branches: tuple[int, ...] = ()
    hover: str = ""

    @property
    def dy(self) -> float:
        return 0.6 * self.dx

    @property
    def width(self) -> float:
        return self.thickness + self.dx

    @property
    def top(self) -> float:
        return self.y - self.height / 2 - self.dy

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Line:
    """A polyline in (layout x, pixel y), optionally with an arrowhead at its last point,
    set back ``head_back`` pixels (to end at a box's edge, not its centre)."""

    points: tuple[tuple[float, float], ...]
    colour: str = ARROW_COLOUR
    width: float = 2.0
    dash: str = "solid"  # "solid" | "dash" | "dot"
    arrow: bool = False
    head_back: float = 0.0
    below: bool = True  # under the volumes (a main arrow runs centre to centre beneath them)


@dataclass(frozen=True)
class Diagram:
    """Everything a figure draws, for one layout at ``width`` layout units × ``height`` px."""

    layout: str
    width: float
    height: float
    volumes: tuple[Volume, ...]
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]
    legend: tuple[tuple[str, str, str], ...] = ()  # (text, colour, dash) of each shortcut/branch kind shown
    title: str = ""


@dataclass(frozen=True)
class Item:
    """What one box shows, before it is placed (see :func:`viz.explorer.structure.diagram_items`).

    shape     the volume the lecture's way, ``(n_H, n_W, n_C)``, or ``(units,)`` for an FC output
    op        the operations on the arrow into it ("CONV 3×3 ×2, MAX-POOL 2×2 s2")
    skips     ``(kind, count)`` of the shortcuts around that arrow: "identity" or "projection"
    sides     side classifiers branching off this volume (GoogLeNet's auxiliary heads)
    """

    key: str
    name: str
    shape: tuple[int, ...]
    op: str = ""
    kind: str = "map"
    skips: tuple[tuple[str, int], ...] = ()
    branches: tuple[int, ...] = ()
    hover: str = ""
    sides: tuple[Item, ...] = field(default=())


# ---------------------------------------------------------------- sizes


def _dims(shape: Sequence[int], max_hw: int, max_c: int, scale: float) -> tuple[float, float, float]:
    """(thickness ∝ √n_C, height ∝ √n_H, depth ∝ √n_W) in pixels: square roots, so a
    224-pixel image and a 7 × 7 map both stay visible."""
    if len(shape) == 1:  # a fully connected output: a thin bar whose height grows with its units
        return 7 * scale, (18 + 56 * math.sqrt(min(shape[0], 4096) / 4096)) * scale, 4 * scale
    n_h, n_w, n_c = shape
    return ((5 + 38 * math.sqrt(n_c / max_c)) * scale, (14 + 82 * math.sqrt(n_h / max_hw)) * scale,
            (4 + 22 * math.sqrt(n_w / max_hw)) * scale)


def shape_lines(shape: Sequence[int], compact: bool) -> tuple[str, ...]:
    """"56 × 56 × 256" on one line, or "56×56" / "×256" on two; "FC 4096" for a vector."""
    if len(shape) == 1:
        return (f"FC {shape[0]}",)
    n_h, n_w, n_c = shape
    return (f"{n_h}×{n_w}", f"×{n_c}") if compact else (f"{n_h} × {n_w} × {n_c}",)


def op_lines(op: str, width: int = 12) -> tuple[str, ...]:
    """One operation per line ("CONV 3×3 ×2, MAX-POOL" → two lines), long ones broken
    between words, so a label stays about as narrow as the gap between two boxes."""
    lines: list[str] = []
    for part in op.split(", "):
        if part:
            lines.extend(textwrap.wrap(part, width, break_long_words=False) or [part])
    return tuple(lines)


def _skip_text(kind: str, count: int) -> str:
    word = "identity" if kind == "identity" else "W_s"
    return f"{word} ×{count}" if count > 1 else word


LEGEND = {
    "identity": ("identity shortcut: a[l] added as it is", IDENTITY_COLOUR, "solid"),
    "projection": ("projection shortcut W_s: a 1×1 conv", PROJECTION_COLOUR, "dash"),
    "side": ("side classifier (training only)", SIDE_COLOUR, "dot"),
}


def _legend(items: Sequence[Item]) -> tuple[tuple[str, str, str], ...]:
    kinds = {kind for item in items for kind, _ in item.skips}
    if any(item.sides for item in items):
        kinds.add("side")
    out = [LEGEND[k] for k in ("identity", "projection", "side") if k in kinds]
    if any(item.branches for item in items):
        out.append(("inception branches: 1×1 · 3×3 · 5×5 · pool", BRANCH_COLOURS[0], "branches"))
    return tuple(out)



def _header(title: str, items, width: float, gap: float) -> tuple[list[Label], list[Line], float]:
    """The title (wrapped to ``width``) and the legend beneath it, shared by both layouts; returns their
    labels, lines and the height at which the diagram itself starts (``gap`` below the legend)."""
    labels: list[Label] = []
    y = 4.0
    title_lines = _title(title, width)
    if title_lines:
        labels.append(Label(0, y, title_lines, TITLE_SIZE, INK, bold=True, anchor="start"))
        y += TITLE_SIZE * Label.LINE * len(title_lines) + 6
    legend_labels, legend_lines, legend_h = _legend_rows(_legend(items), width, y)
    return labels + legend_labels, list(legend_lines), y + legend_h + gap

def _legend_rows(legend, width: float, y: float) -> tuple[list[Label], list[Line], float]:
    """The legend as sample lines and labels flowing left to right, wrapped at ``width``."""
    labels, lines = [], []
    x, row_y = 0.0, y
    for text, colour, dash in legend:
        need = 34 + text_width(text, SMALL_SIZE) + 18
        if x > 0 and x + need > width:
            x, row_y = 0.0, row_y + 22
        if dash == "branches":
            for j in range(4):
                lines.append(Line(((x + 7 * j, row_y + 3), (x + 7 * j + 5, row_y + 3)), BRANCH_COLOURS[j], 9, below=False))
        else:
            lines.append(Line(((x, row_y + 9), (x + 26, row_y + 9)), colour, 2.5, dash, below=False))
        labels.append(Label(x + 34, row_y, (text,), SMALL_SIZE, GREY, anchor="start"))
        x += need
    return labels, lines, (row_y + 22 - y) if legend else 0.0


def _title(title: str, width: float) -> tuple[str, ...]:
    per_line = max(10, int(width / (TITLE_SIZE * 0.58)))
    return tuple(textwrap.wrap(title, per_line)) if title else ()


# ---------------------------------------------------------------- wide: rows of volumes, left to right


def _wide(items: Sequence[Item], title: str, width: float) -> Diagram:
    four_d = [i.shape for i in items if len(i.shape) == 3]
    max_hw = max((max(s[0], s[1]) for s in four_d), default=1)
    max_c = max((s[2] for s in four_d), default=1)
    best = None
    for compact in (False, True):
        attempt = _wide_rows(items, max_hw, max_c, compact, width)
        if best is None or len(attempt[0]) < len(best[0][0]):
            best = (attempt, compact)
    (rows, dims, columns, gaps), compact = best

    labels, lines, y = _header(title, items, width, gap=8)
    volumes: list[Volume] = []

    previous: tuple[Volume, float, float] | None = None  # (volume, its column's right edge, row bottom)
    for row in rows:
        has_skip = any(items[i].skips for i in row)
        has_side = any(items[i].sides for i in row)
        op_h = max((len(op_lines(items[i].op)) * SMALL_SIZE * Label.LINE for i in row), default=0)
        up = max(dims[i][1] / 2 + 0.6 * dims[i][2] + (SMALL_SIZE * Label.LINE + 4 if items[i].branches else 0)
                 for i in row)
        skip_levels = max((len(items[i].skips) for i in row), default=0)
        skip_zone = skip_levels * (SMALL_SIZE * Label.LINE + 10) + 6 if has_skip else 0
        centre = y + skip_zone + max(up, op_h + 6) + 4
        half = max(dims[i][1] / 2 for i in row)
        shape_y = centre + half + 6
        name_y = shape_y + LABEL_SIZE * Label.LINE * (2 if compact else 1) + 1
        bottom = name_y + SMALL_SIZE * Label.LINE
        side_top = bottom + 12
        if has_side:
            bottom = side_top + 60 + 2 * SMALL_SIZE * Label.LINE
        x = 14.0  # room on the left for the path from the row above
        for i in row:
            item = items[i]
            x += gaps[i]
            anchor = x + columns[i] / 2
            t, h, d = dims[i]
            vol = Volume(item.key, anchor, centre, t, h, d, item.kind, item.branches, item.hover)
            volumes.append(vol)
            labels.append(Label(anchor, shape_y, shape_lines(item.shape, compact), LABEL_SIZE, INK, bold=True))
            labels.append(Label(anchor, name_y, (item.name,), SMALL_SIZE, MUTED))
            if item.branches:
                labels.append(Label(anchor, vol.top - 4, (f"{len(item.branches)} branches",), SMALL_SIZE,
                                    "#047857", valign="bottom"))
            if previous is not None:
                prev, prev_right, prev_bottom = previous
                gap_centre = x - gaps[i] / 2
                if prev.y == centre:  # same row: straight arrow, its operations above it
                    lines.append(Line(((prev.x, centre), (anchor, centre)), arrow=True, head_back=vol.width / 2))
                else:  # from the end of the row above: right, down, back to the left, down, in
                    out_x = prev_right + 8
                    mid_y = prev_bottom + 6
                    lines.append(Line(((prev.x, prev.y), (out_x, prev.y), (out_x, mid_y), (4, mid_y),
                                       (4, centre), (anchor, centre)), arrow=True, head_back=vol.width / 2))
                if item.op:
                    labels.append(Label(gap_centre, centre - 5, op_lines(item.op), SMALL_SIZE, GREY,
                                        valign="bottom"))
                for level, (kind, count) in enumerate(item.skips):
                    top = centre - max(up, op_h + 6) - 6 - level * (SMALL_SIZE * Label.LINE + 10)
                    colour = IDENTITY_COLOUR if kind == "identity" else PROJECTION_COLOUR
                    dash = "solid" if kind == "identity" else "dash"
                    if prev.y == centre:  # up from the block's input volume …
                        start_x, start_y = prev.x + 6, prev.top
                    else:  # … or, first in its row, from the path coming down from the row above
                        start_x, start_y = 10 + 3 * level, prev_bottom + 6
                    lines.append(Line(((start_x, start_y), (start_x, top), (anchor - 6, top), (anchor - 6, vol.top)),
                                      colour, 2.5, dash, arrow=True, below=False))
                    labels.append(Label((start_x + anchor - 6) / 2, top - 3, (_skip_text(kind, count),), SMALL_SIZE,
                                        colour, valign="bottom"))
            for side in item.sides:
                branch_x = anchor + columns[i] / 2 + gaps[i + 1] / 2 if i + 1 < len(items) else anchor + columns[i] / 2 + 24
                s_t, s_h, s_d = _dims(side.shape, max_hw, max_c, 0.8)
                s_vol = Volume(side.key, branch_x, side_top + 4 + s_h / 2 + 0.6 * s_d, s_t, s_h, s_d, "side",
                               hover=side.hover)
                volumes.append(s_vol)
                lines.append(Line(((anchor, centre), (branch_x, centre), (branch_x, s_vol.top)), SIDE_COLOUR, 2.0,
                                  "dot", arrow=True))
                labels.append(Label(branch_x + s_vol.width / 2 + 6, s_vol.y - SMALL_SIZE * Label.LINE,
                                    (side.name, "training only"), SMALL_SIZE, SIDE_COLOUR, anchor="start"))
            previous = (vol, anchor + columns[i] / 2, bottom)
            x += columns[i]
        y = bottom + 22
    legend = _legend(items)
    return Diagram("wide", width, y - 10, tuple(volumes), tuple(lines), tuple(labels), legend, title)


def _wide_rows(items: Sequence[Item], max_hw: int, max_c: int, compact: bool, width: float):
    """Break the volumes into rows that fit ``width``: (rows of indices, dims, columns, gaps)."""
    dims = [_dims(item.shape, max_hw, max_c, 1.0) for item in items]
    columns, gaps = [], []
    for i, item in enumerate(items):
        t, _, d = dims[i]
        shape_w = max(text_width(line, LABEL_SIZE, True) for line in shape_lines(item.shape, compact))
        column = max(t + d, shape_w, text_width(item.name, SMALL_SIZE),
                     text_width(f"{len(item.branches)} branches", SMALL_SIZE) if item.branches else 0) + 10
        op_w = max((text_width(line, SMALL_SIZE) for line in op_lines(item.op)), default=0)
        skip_w = max((text_width(_skip_text(k, n), SMALL_SIZE) for k, n in item.skips), default=0)
        gap = max(op_w + 14, 30) if i else 0
        # A skip label sits between the two volumes' centres; an aux label beside the branch.
        previous_half = columns[-1] / 2 if columns else 0
        gap = max(gap, skip_w + 16 - previous_half - column / 2)
        columns.append(column)
        gaps.append(gap)
    for i, item in enumerate(items):
        if item.sides and i + 1 < len(items):
            side_w = max(text_width(s.name, SMALL_SIZE) for s in item.sides)
            side_w = max(side_w, text_width("training only", SMALL_SIZE)) + 30
            gaps[i + 1] = max(gaps[i + 1], 2 * side_w - columns[i + 1])
    rows: list[list[int]] = [[]]
    used = 14.0
    for i in range(len(items)):
        need = gaps[i] + columns[i] + (16 if items[i].sides else 0)
        if rows[-1] and used + need > width - 12:
            # A side classifier branches off into the gap after its volume: keep that gap in the row.
            carried = [rows[-1].pop()] if len(rows[-1]) > 1 and items[rows[-1][-1]].sides else []
            rows.append(carried)
            used = 14.0 + sum(gaps[j] + columns[j] for j in carried)
        rows[-1].append(i)
        used += need
    return rows, dims, columns, gaps


# ---------------------------------------------------------------- narrow: one volume per row, top to bottom


def _narrow(items: Sequence[Item], title: str, width: float) -> Diagram:
    four_d = [i.shape for i in items if len(i.shape) == 3]
    max_hw = max((max(s[0], s[1]) for s in four_d), default=1)
    max_c = max((s[2] for s in four_d), default=1)
    box_x, text_x = 70.0, 126.0
    text_w = width - text_x
    labels, lines, y = _header(title, items, width, gap=10)
    volumes: list[Volume] = []
    chars = max(8, int(text_w / (SMALL_SIZE * 0.6)))
    previous: Volume | None = None
    for n, item in enumerate(items):
        if previous is not None and item.op:
            op = op_lines(item.op, chars)
            labels.append(Label(text_x, y, op, SMALL_SIZE, GREY, anchor="start"))
            y += len(op) * SMALL_SIZE * Label.LINE + 4
        t, h, d = _dims(item.shape, max_hw, max_c, 0.62)
        text = [shape_lines(item.shape, False)[0]]
        name = item.name + (f" · {len(item.branches)} branches" if item.branches else "")
        text_h = (LABEL_SIZE + SMALL_SIZE) * Label.LINE
        row_h = max(h + 0.6 * d, text_h) + 8
        centre = y + row_h / 2 + 0.3 * d
        vol = Volume(item.key, box_x, centre, t, h, d, item.kind, item.branches, item.hover)
        volumes.append(vol)
        labels.append(Label(text_x, centre - text_h / 2, tuple(text), LABEL_SIZE, INK, bold=True, anchor="start"))
        labels.append(Label(text_x, centre - text_h / 2 + LABEL_SIZE * Label.LINE, (name,), SMALL_SIZE, MUTED,
                            anchor="start"))
        if previous is not None:
            lines.append(Line(((box_x, previous.y), (box_x, centre)), arrow=True, head_back=0))
            for level, (kind, _count) in enumerate(item.skips):
                colour = IDENTITY_COLOUR if kind == "identity" else PROJECTION_COLOUR
                dash = "solid" if kind == "identity" else "dash"
                side_x = 10 + 9 * ((n + level) % 2) + 2 * level
                left_prev = box_x - 34
                lines.append(Line(((left_prev, previous.y - 4), (side_x, previous.y - 4), (side_x, centre + 4),
                                   (left_prev, centre + 4)), colour, 2.2, dash, arrow=True, below=True))
        y += row_h
        for side in item.sides:
            s_t, s_h, s_d = _dims(side.shape, max_hw, max_c, 0.55)
            s_y = y + 6 + s_h / 2
            s_vol = Volume(side.key, box_x + 26, s_y, s_t, s_h, s_d, "side", hover=side.hover)
            volumes.append(s_vol)
            lines.append(Line(((box_x, centre), (box_x + 26, centre), (box_x + 26, s_vol.top)), SIDE_COLOUR, 2.0,
                              "dot", arrow=True))
            labels.append(Label(text_x, s_y - SMALL_SIZE * Label.LINE, (side.name, "training only"), SMALL_SIZE,
                                SIDE_COLOUR, anchor="start"))
            y = max(s_y + s_h / 2, s_y + SMALL_SIZE * Label.LINE) + 10
        previous = vol
    return Diagram("narrow", width, y + 8, tuple(volumes), tuple(lines), tuple(labels), _legend(items), title)


def layout(items: Sequence[Item], kind: str = "wide", title: str = "", width: float | None = None) -> Diagram:
    """Place ``items`` (the input image first) in the ``"wide"`` or ``"narrow"`` layout."""
    if kind == "wide":
        return _wide(items, title, width or WIDE_WIDTH)
    if kind == "narrow":
        return _narrow(items, title, width or NARROW_WIDTH)
    raise ValueError(f"layout must be 'wide' or 'narrow'; got {kind!r}")


def overlaps(diagram: Diagram, scale: float = 1.0, margin: float = 1.0) -> list[tuple[Label, Label]]:
    """Pairs of labels whose estimated extents intersect when a layout unit is ``scale`` px."""
    boxes = [(label, label.extent(scale)) for label in diagram.labels]
    found = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1:]:
            if ax0 < bx1 - margin and bx0 < ax1 - margin and ay0 < by1 - margin and by0 < ay1 - margin:
                found.append((a, b))
    return found
