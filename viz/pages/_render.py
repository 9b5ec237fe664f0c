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

from viz import media, presenter, readable, share
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


# ---------------------------------------------------------------- presenter mode and Share, on every page (issue 16)

_PRESENTING = "app_presenting"  # the session's mode: Streamlit's navigation drops ?present= on a page switch
_PAGE_PATH = "app_page_path"  # the running page's URL path (a link's fallback when the browser sent no URL)


def presenting() -> bool:
    """Whether this session is in presenter mode (:mod:`viz.presenter`)."""
    return bool(st.session_state.get(_PRESENTING, False))


def _set_presenting(on: bool) -> None:
    st.session_state[_PRESENTING] = on
    if on:
        if st.query_params.get(presenter.KEY) != presenter.ON:
            st.query_params[presenter.KEY] = presenter.ON
    elif presenter.KEY in st.query_params:
        del st.query_params[presenter.KEY]


def _toggled() -> None:
    _set_presenting(bool(st.session_state.get("app_present_toggle")))


def app_controls(page: Any, pages: Sequence[Any] = ()) -> presenter.Presenter:
    """Presenter mode and the Share button on every page: app.py's one call, before ``page``
    (``st.navigation``'s) runs.

    Reads ``?present=`` (else keeps the session's mode), puts it back in the URL, adds the
    mode's style sheet, shows a bad value's notice, and draws the switch and Share — in the
    sidebar, or while presenting in a small bar at the bottom right with a menu of ``pages``
    (the sidebar and its navigation are hidden; a page switch keeps the mode).
    """
    st.session_state[_PAGE_PATH] = page.url_path
    values = st.query_params.get_all(presenter.KEY)
    mode = presenter.decide(values[-1] if values else None, presenting())
    _set_presenting(mode.on)
    if mode.on:
        st.html(presenter.css(True))
        with st.container(key=presenter.BAR_KEY, horizontal=True, width="content", gap="small"):
            if pages:
                with st.popover("Pages", icon=":material/menu:"):
                    for other in pages:
                        st.page_link(other)
            share_button("app_share_presenting")
            st.button("Exit", key="app_present_exit", icon=":material/close_fullscreen:", on_click=_set_presenting,
                      args=(False,), help="Leave presenter mode: the sidebar and the toolbar come back.")
    else:
        st.session_state["app_present_toggle"] = False  # the switch shows the mode (it was hidden while on)
        with st.sidebar.container(horizontal=True, vertical_alignment="center"):
            st.toggle("Presenter mode", key="app_present_toggle", on_change=_toggled, help=presenter.OPTION.help)
            share_button("app_share")
    for notice in mode.notices:
        st.warning(notice)
    return mode


def current_link() -> str:
    """This page's full link with every setting in the URL (presenter mode left out).

    The address is ``st.context.url`` — what the browser shows, sent by Streamlit's frontend —
    and without it the request's ``Host`` header (:func:`viz.share.base_url`)."""
    headers = st.context.headers
    base = share.base_url(st.context.url, headers.get("Host"), st.session_state.get(_PAGE_PATH, ""),
                          scheme=headers.get("X-Forwarded-Proto") or "http")
    return share.page_link(base, [(k, value) for k in st.query_params for value in st.query_params.get_all(k)])


@st.dialog("Share this page", width="medium")
def _share_dialog(link: str) -> None:
    render(share.share_view(link).blocks)


def share_button(key: str = "share", container: Any = st, *, inline: bool = False) -> None:
    """A "Share" button; pressed, a dialog with this page's link and its QR code (big enough
    to scan off a projector). A page's own (``inline``, e.g. beside a tour step) is left out
    while presenting: the presenter bar has one."""
    if inline and presenting():
        return
    if container.button("Share", key=key, icon=":material/qr_code_2:",
                        help="This page's link with its settings, and a QR code of it for a class to scan."):
        _share_dialog(current_link())


def app_link(href: str) -> str:
    """``href`` (a link into the app) keeping presenter mode while it is on (a new tab has no session to
    remember it)."""
    return presenter.with_mode(href, presenting())


def write_page_link(params: dict[str, str]) -> None:
    """Make the URL ``params`` (a page's own link, defaults left out), keeping the app-wide
    keys (``?present=1``) that app.py keeps on every page."""
    kept = {k: st.query_params[k] for k in presenter.APP_KEYS if k in st.query_params}
    if dict(st.query_params) != {**params, **kept}:
        st.query_params.from_dict({**params, **kept})
