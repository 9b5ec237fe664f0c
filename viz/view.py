"""What a page shows, as plain data: the blocks every feature's ``view`` module returns.

A feature computes a view — a sequence of these blocks — from its settings, with no
Streamlit in sight, so everything a page shows is tested without a server; the page
reads its widgets, calls one view function and hands the blocks to
``viz.pages._render.render``, which maps each block to one Streamlit call. The lecture
tour shows the same blocks a lab returns (its headline and main figure), not copies.

Text in :class:`Text`, :class:`Callout` and :class:`Caption` is Markdown written by the
app. A value that came from a user (a URL value, a file name) goes in only through
:func:`viz.formatting.user_value`, which makes it an inline code span.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Heading:
    """A section title; ``level`` 2–4 (``##`` … ``####``)."""

    text: str
    level: int = 3


@dataclass(frozen=True)
class Text:
    """A paragraph of the app's own Markdown."""

    markdown: str


@dataclass(frozen=True)
class Caption:
    """Small grey text under a figure or table."""

    text: str


@dataclass(frozen=True)
class Latex:
    text: str


@dataclass(frozen=True)
class Metric:
    """One big number: ``value`` under ``label``; ``note`` is shown grey beneath it (no arrow)."""

    label: str
    value: str
    note: str = ""
    help: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Metrics:
    """A row of metrics side by side; ``widths`` are relative column widths."""

    items: tuple[Metric, ...]
    widths: tuple[float, ...] | None = None


CalloutKind = Literal["success", "info", "warning", "error"]


@dataclass(frozen=True)
class Callout:
    """A coloured box: a verdict, a warning, a clear error message."""

    kind: CalloutKind
    text: str
    icon: str | None = None


@dataclass(frozen=True)
class Figure:
    """A plotly figure (built in a feature's ``figures`` module).

    ``key`` keeps the chart's identity across reruns; ``selectable`` asks for click /
    selection events (the page reads them from ``st.session_state[key]``); ``toolbar``
    is plotly's mode bar: shown, hidden, or "hover" (shown while the pointer is on it).
    ``export``: plotly.js's ``toImageButtonOptions`` (format, size, scale, file name) for
    the mode bar's camera button, which is then the only button (with ``toolbar`` on).
    """

    figure: Any
    key: str
    selectable: bool = False
    toolbar: bool | Literal["hover"] = False
    export: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Table:
    """Rows of a table (dicts with the same keys); ``static`` tables wrap long text.

    ``formats`` maps a number column to its printf-style format (``"%.3f"``,
    ``"%d ×"``, or ``"percent"``); ``index`` names a column shown as the row labels.
    """

    rows: tuple[Mapping[str, Any], ...]
    number_columns: tuple[str, ...] = ()
    static: bool = False
    height: int | None = None
    key: str | None = None
    formats: Mapping[str, str] = field(default_factory=dict)
    index: str = ""


@dataclass(frozen=True)
class Image:
    """A picture (an ``H × W`` or ``H × W × 3`` uint8 array, or encoded bytes)."""

    image: Any
    caption: str = ""
    width: int | Literal["stretch", "content"] = "stretch"
    output_format: Literal["auto", "PNG", "JPEG"] = "auto"  # JPEG: much smaller for photographs


@dataclass(frozen=True)
class Box:
    """An outline on a :class:`Tiles` picture around its pixels rows ``y0…y1``, columns ``x0…x1`` (inclusive)."""

    y0: int
    x0: int
    y1: int
    x1: int
    colour: str = "#00d084"


@dataclass(frozen=True)
class Legend:
    """What a picture's colours mean: a CSS gradient (``"#000000 0%, #fcfdbf 100%"``) and labels
    spread evenly under it, first at its start, last at its end (``("0: nothing", "2.5: strongest")``)."""

    gradient: str
    labels: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Tiles:
    """Equal tiles in one small picture — feature maps side by side, or one image — drawn
    crisp (square pixels) in the browser, and clickable cell by cell.

    ``png`` holds one pixel per cell: ``count`` tiles of ``tile = (height, width)`` cells,
    ``columns`` to a row, ``gap`` transparent pixels between them. A click on a cell reports
    ``{"map": k, "row": r, "col": c}`` as the "unit" event of the component with this
    ``key``: the page reads it from ``st.session_state[key]`` in the run the click starts
    (and only then). ``values`` (one per cell, tile by tile, row by row) and ``label`` make
    the text shown on hover ("map 2, row 3, column 4: 0.873"); ``hint`` is the line shown
    under the picture otherwise. ``scale``: screen pixels per picture pixel, at most (the
    picture shrinks to fit a narrow column). Titles and text are set as text, never markup.

    ``gallery``: each tile in its own cell of a ``columns``-wide grid instead (digits to pick
    from), its ``captions`` under it and its ``hovers`` text on pointing; a click reports the
    tile as ``{"map": k, "row": 0, "col": 0}``; a box marks the tile it starts in.
    """

    png: bytes
    key: str
    size: tuple[int, int]  # (width, height) of the picture in pixels
    count: int = 1
    columns: int = 1
    tile: tuple[int, int] = (1, 1)
    gap: int = 0
    title: str = ""
    scale: int = 4
    clickable: bool = False
    boxes: tuple[Box, ...] = ()
    values: tuple[float, ...] = ()
    label: str = "map"
    hint: str = ""
    legend: Legend | None = None
    gallery: bool = False
    captions: tuple[str, ...] = ()
    hovers: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """What the browser's script (``viz/pages/_tiles/tiles.js``) is given: plain JSON."""
        legend = self.legend
        return {
            "key": self.key, "src": "data:image/png;base64," + base64.b64encode(self.png).decode("ascii"),
            "width": self.size[0], "height": self.size[1], "count": self.count, "columns": self.columns,
            "tile": list(self.tile), "gap": self.gap, "scale": self.scale, "title": self.title,
            "clickable": self.clickable, "label": self.label, "hint": self.hint,
            # one string, not a list: Streamlit checks every list it is sent for a table (~2.5 ms for C1's 4,704)
            "values": ",".join(format(x, ".10g") for x in self.values),
            "gallery": self.gallery, "captions": list(self.captions), "hovers": list(self.hovers),
            "boxes": [[b.y0, b.x0, b.y1, b.x1, b.colour] for b in self.boxes],
            "legend": None if legend is None else {"gradient": legend.gradient, "labels": list(legend.labels),
                                                   "title": legend.title},
        }


@dataclass(frozen=True)
class Html:
    """HTML the app generated itself (a small grid of numbers); never user text."""

    html: str


@dataclass(frozen=True)
class Code:
    source: str
    language: str = "python"
    line_numbers: bool = False


@dataclass(frozen=True)
class Download:
    label: str
    data: str | bytes
    file_name: str
    mime: str


@dataclass(frozen=True)
class Columns:
    """Blocks side by side: one sequence of blocks per column."""

    columns: tuple[tuple[Block, ...], ...]
    widths: tuple[float, ...] | None = None
    vertical_alignment: Literal["top", "center", "bottom"] = "top"


@dataclass(frozen=True)
class Expander:
    """Blocks folded away under a label (developer detail, long tables)."""

    label: str
    blocks: tuple[Block, ...]
    expanded: bool = False
    icon: str | None = None


@dataclass(frozen=True)
class Responsive:
    """The same content in two versions: ``wide`` where it has at least ``min_width`` px,
    ``narrow`` below that. The browser decides (a CSS container query on the column the
    blocks sit in; the server never knows the screen's width); both are sent, the other one
    is kept at its width but folded away, so it is ready when a phone turns."""

    key: str
    wide: tuple[Block, ...]
    narrow: tuple[Block, ...]
    min_width: int


Block = (Heading | Text | Caption | Latex | Metrics | Callout | Figure | Table | Image | Tiles | Html | Code
         | Download | Columns | Expander | Responsive)

DEVELOPERS = "For developers"


def for_developers(*blocks: Block) -> Expander:
    """Developer detail (commands, implementation notes, issue numbers) folded away under
    "For developers", out of a student's way."""
    return Expander(DEVELOPERS, tuple(blocks), icon=":material/code:")


@dataclass(frozen=True)
class Column:
    """One column of an :class:`Editor`: its name (the header), what it holds, how it may be edited.

    ``kind``: "text", "int", "float", "choice" (one of ``choices``) or "bool"; ``minimum`` /
    ``maximum`` / ``step`` bound a number; ``disabled`` columns show results; ``pinned``
    columns stay in view while the table scrolls sideways.
    """

    name: str
    kind: Literal["text", "int", "float", "choice", "bool"]
    help: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    disabled: bool = False
    pinned: bool = False
    width: Literal["small", "medium", "large"] | None = None


@dataclass(frozen=True)
class Editor:
    """A table the user edits — a widget, not a block: a page draws it with
    ``viz.pages._render.draw_editor``, which returns the rows as edited (plain dicts, blank
    cells None). ``dynamic``: rows may be added and deleted. ``key`` is the widget's key."""

    rows: tuple[Mapping[str, Any], ...]
    columns: tuple[Column, ...]
    key: str
    dynamic: bool = True
    height: int | None = None


@dataclass(frozen=True)
class View:
    """A ready-to-render page section: ``blocks`` in order, plus the lecture's headline.

    ``headline`` is the one number the lecture makes about this view (e.g.
    ``"120,422,400 → 12,443,648 multiplies"``), so the tour and presenter mode can
    show it first; ``figure`` is the main figure's key among the blocks, if any.
    ``lead``: the lecture's point as blocks (its numbers big), which a page draws first —
    above the view's controls — and which ``blocks`` do not repeat.
    """

    blocks: tuple[Block, ...]
    headline: str = ""
    figure: str = ""
    notes: tuple[str, ...] = field(default=())
    lead: tuple[Block, ...] = field(default=())


def walk(blocks: Sequence[Block]):
    """Every block, depth first, including those inside columns and expanders (for tests)."""
    for block in blocks:
        yield block
        if isinstance(block, Columns):
            for column in block.columns:
                yield from walk(column)
        elif isinstance(block, Expander):
            yield from walk(block.blocks)
        elif isinstance(block, Responsive):
            yield from walk(block.wide)
            yield from walk(block.narrow)
