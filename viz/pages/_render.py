"""Lay out the blocks of a :mod:`viz.view` (settings' widgets: :mod:`viz.pages._widgets`).

Not a page (app.py's navigation lists the pages): the one place that knows how
each view block becomes a Streamlit call, shared by every page so they all look
alike and stay thin.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from viz import media, presenter, readable
from viz import view as v

_CALLOUTS = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}

# viz.view.Tiles: a small custom component (Streamlit's components v2), its script and styles
# bundled beside this file (nothing is fetched). Mounted in the page's own DOM: one feature
# map picture with clicks costs the browser an <img>, not a chart with a point per unit.
_TILES = Path(__file__).with_name("_tiles")
_tiles = st.components.v2.component("cnn_explorer_tiles", html='<div class="vt-root"></div>',
                                    css=(_TILES / "tiles.css").read_text(), js=(_TILES / "tiles.js").read_text(),
                                    isolate_styles=False)


def _ignore() -> None:
    """The click's callback: the page reads the click from ``st.session_state[key]`` itself."""


# A drawing square (components v2, bundled in _canvas/): it sends each finished stroke at once.
# (streamlit-drawable-canvas waits 200 ms after every stroke before it sends anything.)
_CANVAS = Path(__file__).with_name("_canvas")
_canvas = st.components.v2.component("cnn_explorer_canvas", html='<div class="vc-root"></div>',
                                     css=(_CANVAS / "canvas.css").read_text(), js=(_CANVAS / "canvas.js").read_text(),
                                     isolate_styles=False)


def draw_canvas(key: str, side: int = 280, stroke: int = 20, label: str = "Drawing square") -> Any:
    """A ``side``-pixel square to draw on in white on black; returns what was drawn — a mapping
    ``{"png": data URL, "strokes": n}`` straight from the browser (untrusted) — or None."""
    result = _canvas(key=key, data={"side": side, "stroke": stroke, "label": label}, on_drawing_change=_ignore)
    return getattr(result, "drawing", None)


def render(blocks: Sequence[v.Block]) -> None:
    """Draw ``blocks`` in order, in the current container."""
    for block in blocks:
        _render_one(block)


def _render_one(block: v.Block) -> None:
    if isinstance(block, v.Heading):
        st.markdown(f"{'#' * max(2, min(block.level, 4))} {block.text}")
    elif isinstance(block, v.Text):
        st.markdown(block.markdown)
    elif isinstance(block, v.Caption):
        st.caption(block.text)
    elif isinstance(block, v.Latex):
        st.latex(block.text)
    elif isinstance(block, v.Metrics):
        columns = st.columns(list(block.widths) if block.widths else len(block.items))
        for column, metric in zip(columns, block.items):
            column.metric(metric.label, metric.value, metric.note or None, help=metric.help or None,
                          delta_color="off", delta_arrow="off")
            if metric.caption:
                column.caption(metric.caption)
    elif isinstance(block, v.Callout):
        _CALLOUTS[block.kind](block.text, icon=block.icon)
    elif isinstance(block, v.Figure):
        config: dict[str, Any] = {"displayModeBar": block.toolbar}
        if block.export:
            config.update(toImageButtonOptions=dict(block.export), modeBarButtons=[["toImage"]], displaylogo=False)
        # Presenter mode: every chart text at least readable.PRESENT_PX, on a copy (the figure is cached and
        # shared), made by the figure's own class (plotly's Figure: a plain dict with no traces is refused).
        figure = block.figure
        if presenting():
            figure = type(figure)(readable.enlarged(figure.to_plotly_json()))
        if block.selectable:
            st.plotly_chart(figure, key=block.key, config=config, on_select="rerun", selection_mode=("points",))
        else:
            st.plotly_chart(figure, key=block.key, config=config)
    elif isinstance(block, v.Table):
        rows = [dict(r) for r in block.rows]
        if block.static:
            st.table(rows)
        else:
            config = {c: st.column_config.NumberColumn(format="localized") for c in block.number_columns}
            config.update({c: st.column_config.NumberColumn(format=f) for c, f in block.formats.items()})
            data = pd.DataFrame(rows).set_index(block.index) if block.index else rows
            st.dataframe(data, hide_index=not block.index, width="stretch", height=block.height or "auto",
                         column_config=config, key=block.key)
    elif isinstance(block, v.Image):
        image, image_format = media.encoded(block.image, block.width, block.output_format)  # once for all sessions
        st.image(image, caption=block.caption or None, width=block.width, output_format=image_format)
    elif isinstance(block, v.Tiles):
        _tiles(key=block.key, data=block.payload(), on_unit_change=_ignore)
    elif isinstance(block, v.Html):
        st.html(block.html)
    elif isinstance(block, v.Code):
        st.code(block.source, language=block.language, line_numbers=block.line_numbers)
    elif isinstance(block, v.Download):
        st.download_button(block.label, block.data, file_name=block.file_name, mime=block.mime,
                           icon=":material/download:")
    elif isinstance(block, v.Columns):
        columns = st.columns(list(block.widths) if block.widths else len(block.columns),
                             vertical_alignment=block.vertical_alignment)
        for column, inner in zip(columns, block.columns):
            with column:
                render(inner)
    elif isinstance(block, v.Expander):
        if presenting() and presenter.hides(block):  # developer detail: not for the room
            return
        with st.expander(block.label, expanded=block.expanded, icon=block.icon):
            render(block.blocks)
    elif isinstance(block, v.Responsive):
        with st.container(key=block.key):
            st.html(_responsive_css(block))
            with st.container(key=f"{block.key}_wide"):
                render(block.wide)
            with st.container(key=f"{block.key}_narrow"):
                render(block.narrow)
    else:  # a new block type without a renderer is a bug in this module
        raise TypeError(f"no renderer for {type(block).__name__}")


_DTYPES = {"int": "Int64", "float": "Float64", "bool": "boolean", "text": "object", "choice": "object"}


def _editor_column(column: v.Column) -> Any:
    common: dict[str, Any] = {"help": column.help or None, "disabled": column.disabled or None,
                              "pinned": column.pinned or None, "width": column.width}
    if column.kind in ("int", "float"):
        return st.column_config.NumberColumn(column.name, min_value=column.minimum, max_value=column.maximum,
                                             step=column.step or (1 if column.kind == "int" else None),
                                             format="localized" if column.disabled else None, **common)
    if column.kind == "choice":
        return st.column_config.SelectboxColumn(column.name, options=list(column.choices), **common)
    if column.kind == "bool":
        return st.column_config.CheckboxColumn(column.name, **common)
    return st.column_config.TextColumn(column.name, **common)


def draw_editor(editor: v.Editor) -> list[dict[str, Any]]:
    """Draw an editable table (``st.data_editor``); returns its rows as edited, blank cells as None."""
    names = [c.name for c in editor.columns]
    frame = pd.DataFrame([{n: row.get(n) for n in names} for row in editor.rows], columns=names)
    frame = frame.astype({c.name: _DTYPES[c.kind] for c in editor.columns})
    edited = st.data_editor(frame, key=editor.key, hide_index=True, width="stretch",
                            num_rows="dynamic" if editor.dynamic else "fixed", height=editor.height or "auto",
                            placeholder="",  # a blank cell shows nothing, not "None"
                            column_config={c.name: _editor_column(c) for c in editor.columns})
    return [{k: None if pd.isna(value) else value for k, value in row.items()}
            for row in edited.to_dict("records")]


_FOLDED = "visibility: hidden; height: 0; flex: 0 0 0; overflow: hidden; margin: 0; padding: 0;"  # flex: a column flex item's 0% basis beat height


def _responsive_css(block: v.Responsive) -> str:
    """A container query on the block's column: below ``min_width`` the wide version is folded away, else the narrow.
    Folded, not ``display: none``: a chart keeps its width, so it is drawn right when it shows."""
    k = block.key
    return (f"<style>.st-key-{k} {{ container-type: inline-size; }}"
            f"@container (max-width: {block.min_width - 0.02}px) {{ .st-key-{k}_wide {{ {_FOLDED} }} }}"
            f"@container (min-width: {block.min_width}px) {{ .st-key-{k}_narrow {{ {_FOLDED} }} }}</style>")


# ---------------------------------------------------------------- presenter mode (issue 16): the session's mode


def presenting() -> bool:
    """Whether this session is in presenter mode (:mod:`viz.presenter`; set by ``viz.pages._app``)."""
    return bool(st.session_state.get(presenter.SESSION_KEY, False))
