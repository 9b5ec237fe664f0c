"""Chart text readable from the back of a room: the sizes every figure sets, and a check of them.

Streamlit draws plotly figures with its own theme, which sets tick labels and legend
text to 12 px and axis titles to 14 px unless the figure sets them itself — so a
figure's ``layout.font`` alone does not reach its ticks. :func:`text_layout` gives the
layout entries that set every kind of chart text; :func:`smallest_text` reads a figure's
JSON (``fig.to_plotly_json()``) the way it will be drawn and returns the smallest text
size in it, with where it is, so a test can hold every figure to :data:`MIN_PX`.
:func:`enlarged` raises a figure's text to :data:`PRESENT_PX` for presenter mode
(:mod:`viz.presenter`), as the page draws it.

No plotly here: plain dicts, usable by every feature's ``figures`` module and its tests.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

MIN_PX = 14  # issue 15: tick and label fonts ≥ 14 px at 1280 × 720
TEXT_PX = 16  # ticks, labels, legends, annotations
TITLE_PX = 18  # chart titles
PRESENT_PX = 18  # issue 16: presenter mode, every chart text at 1280 × 720
PRESENT_TITLE_PX = 22

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
    size = font.get("size") if isinstance(font, Mapping) else None
    return size if isinstance(size, (int, float)) and not isinstance(size, bool) else None


def _fonts(figure: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], str, float]]:
    """Every text ``figure`` draws: ``(where, holder, key, default)`` — its font is
    ``holder[key]``, and without a size there it is drawn at ``default`` px."""
    layout = figure.get("layout", {})
    base = _size(layout.get("font")) or THEME_PX["font"]
    title = layout.get("title")
    if isinstance(title, Mapping) and title.get("text"):
        yield "title", title, "font", THEME_PX["title"]
    for name, axis in layout.items():
        if not (name.startswith(("xaxis", "yaxis")) and isinstance(axis, Mapping)) or axis.get("visible") is False:
            continue
        if axis.get("showticklabels", True):
            yield f"{name} tick labels", axis, "tickfont", THEME_PX["tickfont"]
        axis_title = axis.get("title")
        if isinstance(axis_title, Mapping) and axis_title.get("text"):
            yield f"{name} title", axis_title, "font", THEME_PX["axis_title"]
    traces = figure.get("data", [])
    shown = [t for t in traces if t.get("showlegend", True) is not False]
    if layout.get("showlegend", len(shown) > 1) and shown:
        yield "legend", layout.get("legend", {}), "font", THEME_PX["legend"]
    for i, note in enumerate(layout.get("annotations", ())):
        if note.get("text"):
            yield f"annotation {i} ({note['text'][:30]!r})", note, "font", base
    for i, trace in enumerate(traces):
        if trace.get("text") is not None and trace.get("mode", "text") != "lines" and (
                "text" in str(trace.get("mode", "text")) or trace.get("type") == "bar"):
            yield f"trace {i} text", trace, "textfont", base


def _texts(figure: Mapping[str, Any]) -> Iterator[tuple[str, float]]:
    for where, holder, key, default in _fonts(figure):
        yield where, _size(holder.get(key)) or default


def enlarged(figure: Mapping[str, Any], size: int = PRESENT_PX, title: int = PRESENT_TITLE_PX) -> dict:
    """A copy of ``figure`` (a plotly figure's JSON) with every text drawn smaller than
    ``size`` px raised to it (the chart title to ``title``): presenter mode's charts, read
    off a projector. Larger texts keep their size; ``figure`` itself is not changed (the
    pages' figures are cached and shared)."""
    out = {"data": [dict(trace) for trace in figure.get("data", [])], "layout": copy.deepcopy(figure.get("layout", {}))}
    out["layout"].setdefault("legend", {})
    for key in figure:
        out.setdefault(key, figure[key])
    base = out["layout"].setdefault("font", {})
    if (_size(base) or THEME_PX["font"]) < size:
        base["size"] = size
    for where, holder, key, _default in list(_fonts(out)):
        wanted = title if where == "title" else size
        font = holder.get(key)
        if (_size(font) or 0) < wanted:  # also where no size is set: the theme's default is smaller
            holder[key] = {**font, "size": wanted} if isinstance(font, Mapping) else {"size": wanted}
    return out


def smallest_text(figure: Mapping[str, Any]) -> tuple[float, str]:
    """The smallest text size (px) ``figure`` (a plotly figure's JSON) will be drawn with by
    Streamlit, and which text that is; ``(inf, "")`` for a figure with no text."""
    return min(((size, where) for where, size in _texts(figure)), default=(float("inf"), ""))
