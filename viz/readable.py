"""Chart text readable from the back of a room: the sizes every figure sets, and a check of them.

Streamlit draws plotly figures with its own theme, which sets tick labels and legend
text to 12 px and axis titles to 14 px unless the figure sets them itself — so a
figure's ``layout.font`` alone does not reach its ticks. :func:`text_layout` gives the
layout entries that set every kind of chart text; :func:`smallest_text` reads a figure's
JSON (``fig.to_plotly_json()``) the way it will be drawn and returns the smallest text
size in it, with where it is, so a test can hold every figure to :data:`MIN_PX`.

No plotly here: plain dicts, usable by every feature's ``figures`` module and its tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MIN_PX = 14  # issue 15: tick and label fonts ≥ 14 px at 1280 × 720
TEXT_PX = 16  # ticks, labels, legends, annotations
TITLE_PX = 18  # chart titles

# What Streamlit's plotly theme sets when a figure does not (streamlit 1.67, PlotlyChart's
# custom theme: fontSizes.twoSm = 12 px for ticks, legends and the base font, sm = 14 px for
# axis titles).
THEME_PX = {"font": 12, "tickfont": 12, "axis_title": 14, "legend": 12, "title": 14}


def text_layout(axes: tuple[str, ...] = ("xaxis", "yaxis"), size: int = TEXT_PX, title: int = TITLE_PX) -> dict:
    """Layout entries setting every chart text to ``size`` px (the chart title to ``title``):
    the base font, each axis's tick labels and title, the legend. Merge into a figure's layout
    (an axis's own entries, e.g. its title text, go beside these)."""
    layout: dict[str, Any] = {"font": {"size": size}, "legend": {"font": {"size": size}},
                              "title": {"font": {"size": title}}}
    for axis in axes:
        layout[axis] = {"tickfont": {"size": size}, "title": {"font": {"size": size}}}
    return layout


def merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict:
    """``base`` with ``extra`` merged in, dicts inside merged too (``extra`` wins); a title
    given as text (``title="parameters"``) keeps the base's title font."""
    out = dict(base)
    for key, value in extra.items():
        if key == "title" and isinstance(value, str):
            value = {"text": value}
        out[key] = merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) \
            else value
    return out


def _size(font: Any) -> float | None:
    return font.get("size") if isinstance(font, Mapping) else None


def _texts(figure: Mapping[str, Any]) -> Iterator[tuple[str, float]]:
    layout = figure.get("layout", {})
    base = _size(layout.get("font")) or THEME_PX["font"]
    title = layout.get("title")
    if isinstance(title, Mapping) and title.get("text"):
        yield "title", _size(title.get("font")) or THEME_PX["title"]
    for name, axis in layout.items():
        if not (name.startswith(("xaxis", "yaxis")) and isinstance(axis, Mapping)) or axis.get("visible") is False:
            continue
        if axis.get("showticklabels", True):
            yield f"{name} tick labels", _size(axis.get("tickfont")) or THEME_PX["tickfont"]
        axis_title = axis.get("title")
        if isinstance(axis_title, Mapping) and axis_title.get("text"):
            yield f"{name} title", _size(axis_title.get("font")) or THEME_PX["axis_title"]
    traces = figure.get("data", [])
    shown = [t for t in traces if t.get("showlegend", True) is not False]
    if layout.get("showlegend", len(shown) > 1) and shown:
        yield "legend", _size(layout.get("legend", {}).get("font")) or THEME_PX["legend"]
    for i, note in enumerate(layout.get("annotations", ())):
        if note.get("text"):
            yield f"annotation {i} ({note['text'][:30]!r})", _size(note.get("font")) or base
    for i, trace in enumerate(traces):
        if trace.get("text") is not None and trace.get("mode", "text") != "lines" and (
                "text" in str(trace.get("mode", "text")) or trace.get("type") == "bar"):
            yield f"trace {i} text", _size(trace.get("textfont")) or base


def smallest_text(figure: Mapping[str, Any]) -> tuple[float, str]:
    """The smallest text size (px) ``figure`` (a plotly figure's JSON) will be drawn with by
    Streamlit, and which text that is; ``(inf, "")`` for a figure with no text."""
    return min(((size, where) for where, size in _texts(figure)), default=(float("inf"), ""))
