"""Lay out the blocks of a :mod:`viz.view` and draw widgets from registry ``Option``s.

Not a page (app.py's navigation lists the pages): the one place that knows how
each view block becomes a Streamlit call, shared by every page so they all look
alike and stay thin.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import streamlit as st

from architectures.registry import Option
from viz import media
from viz import view as v
from viz.controls import check_link

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
        if block.selectable:
            st.plotly_chart(block.figure, key=block.key, config=config, on_select="rerun",
                            selection_mode=("points",))
        else:
            st.plotly_chart(block.figure, key=block.key, config=config)
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


_FOLDED = "visibility: hidden; height: 0; overflow: hidden; margin: 0; padding: 0;"


def _responsive_css(block: v.Responsive) -> str:
    """A container query on the block's column: below ``min_width`` the wide version is folded away, else the narrow.
    Folded, not ``display: none``: a chart keeps its width, so it is drawn right when it shows."""
    k = block.key
    return (f"<style>.st-key-{k} {{ container-type: inline-size; }}"
            f"@container (max-width: {block.min_width - 0.02}px) {{ .st-key-{k}_wide {{ {_FOLDED} }} }}"
            f"@container (min-width: {block.min_width}px) {{ .st-key-{k}_narrow {{ {_FOLDED} }} }}</style>")


def option_widget(option: Option, key: str, *, container: Any = st, bind: str | None = None) -> Any:
    """One widget drawn from a registry :class:`~architectures.registry.Option`; returns its value.

    ``bind="query-params"`` keeps the widget's value in the URL under ``key``.
    """
    label = option.label or option.name
    common: dict[str, Any] = {"key": key, "help": option.help or None}
    if bind:
        common["bind"] = bind
    if key not in st.session_state:
        if option.kind == "choice":
            common["index"] = list(option.choices).index(option.default)
        elif option.kind == "subset":
            common["default"] = list(option.default)
        else:
            common["value"] = option.default
    if option.kind == "choice":
        return container.selectbox(label, list(option.choices), **common)
    if option.kind == "subset":
        return tuple(container.multiselect(label, list(option.choices), **common))
    if option.kind == "bool":
        return container.toggle(label, **common)
    if option.kind == "int":
        return int(container.number_input(label, min_value=int(option.minimum), max_value=int(option.maximum),
                                          step=int(option.step or 1), **common))
    return float(container.slider(label, min_value=float(option.minimum), max_value=float(option.maximum),
                                  step=float(option.step or 0.1), **common))


# ---------------------------------------------------------------- controls: Options with a URL key and a widget style


class ControlLike(Protocol):
    """What :func:`draw_controls` needs of a setting (e.g. ``viz.controls.Control``).

    ``widget``: "slider", "number", "radio" (horizontal), "radio-vertical", "select",
    "select_slider" (notches), "toggle", "checkbox", "range" (two handles) or "multiselect";
    ``labels``: how each choice is shown; ``group``: the heading of the column it sits in;
    ``shown_if = (name, value)``: drawn only while that setting has that value;
    ``enabled_if = (name, value)``: greyed out, saying why, while that setting has another.
    """

    key: str
    option: Option
    widget: str
    group: str
    labels: tuple[str, ...]
    shown_if: tuple[str, Any] | None
    enabled_if: tuple[str, Any] | None


def control_widget(option: Option, key: str, widget: str, *, labels: Sequence[str] = (), container: Any = st,
                   bind: str | None = None, disabled: bool = False, help: str | None = None) -> Any:
    """One widget of the given style for ``option``; returns its value (ints stay ints; a range
    or a subset as a tuple).

    The option's default is always passed: a bound widget keeps its value in the URL only
    while it differs from the widget's default (without one, a number's default is its
    minimum, so a value kept from an earlier visit would put every setting in the link).
    ``help`` replaces the option's own help text.
    """
    label = option.label or option.name
    common: dict[str, Any] = {"key": key, "help": help or option.help or None, "disabled": disabled}
    if bind:
        common["bind"] = bind
    shown = dict(zip(option.choices, labels)) if labels else None
    show = shown.get if shown else str
    if widget in ("radio", "radio-vertical", "select"):
        choices = list(option.choices)
        if widget == "select":
            return container.selectbox(label, choices, index=choices.index(option.default), format_func=show,
                                       **common)
        return container.radio(label, choices, index=choices.index(option.default), horizontal=widget == "radio",
                               format_func=show, **common)
    if widget == "select_slider":
        return container.select_slider(label, list(option.choices), value=option.default, format_func=show,
                                       **common)
    if widget == "multiselect":
        return tuple(container.multiselect(label, list(option.choices), default=list(option.default),
                                           format_func=show, **common))
    if widget == "range":
        low, high = container.slider(label, min_value=float(option.minimum), max_value=float(option.maximum),
                                     value=tuple(map(float, option.default)), step=float(option.step or 0.01),
                                     **common)
        return float(low), float(high)
    common["value"] = option.default
    if widget == "toggle":
        return container.toggle(label, **common)
    if widget == "checkbox":
        return container.checkbox(label, **common)
    whole = option.kind == "int"
    cast = int if whole else float
    bounds = {"min_value": cast(option.minimum), "max_value": cast(option.maximum),
              "step": cast(option.step or 1) if whole or option.step else None}
    if widget == "number":
        return cast(container.number_input(label, **bounds, **common))
    if widget == "slider":
        return cast(container.slider(label, **bounds, **common))
    raise ValueError(f"{key}: no widget style {widget!r}")


def draw_controls(controls: Sequence[ControlLike], *, layout: str = "side", note: str = "",
                  bind: str | None = "query-params") -> dict[str, Any]:
    """Draw ``controls`` and return their values by option name (hidden ones left out).

    ``layout="side"``: one after another in the current container (a column), group
    headings in bold, ``note`` as a caption below. ``layout="above"``: ungrouped
    controls side by side in a first row with ``note`` beside them, then one column per
    group, its heading in bold.
    """
    values: dict[str, Any] = {}
    named = {c.option.name: c for c in controls}
    groups: dict[str, list[ControlLike]] = {}
    for control in controls:
        groups.setdefault(control.group, []).append(control)
    if layout == "side":
        for group, members in groups.items():
            if group:
                st.markdown(f"**{group}**")
            for control in members:
                _draw(control, values, named, st, bind)
        if note:
            st.caption(note)
        return values
    loose = groups.pop("", [])
    if loose or note:
        row = st.columns([1] * len(loose) + [2.2 if note else 4])  # the note beside, or room to breathe
        for column, control in zip(row, loose):
            _draw(control, values, named, column, bind)
        if note:
            row[-1].caption(note)
    if groups:
        for column, (group, members) in zip(st.columns(len(groups)), groups.items()):
            with column:
                st.markdown(f"**{group}**")
                for control in members:
                    _draw(control, values, named, st, bind)
    return values


def draw_control(control: ControlLike, container: Any = st, *, bind: str | None = "query-params") -> Any:
    """One control's widget on its own (bound to the URL under its key); returns its value."""
    return control_widget(control.option, control.key, control.widget, labels=control.labels, container=container,
                          bind=bind)


def _draw(control: ControlLike, values: dict[str, Any], named: dict[str, ControlLike], container: Any,
          bind: str | None) -> None:
    """Draw ``control`` into ``container`` unless its ``shown_if`` is unmet, greyed out while its
    ``enabled_if`` is unmet; record its value in ``values``."""
    if control.shown_if is not None and values.get(control.shown_if[0]) != control.shown_if[1]:
        return
    disabled, why = False, None
    if control.enabled_if is not None:
        name, wanted = control.enabled_if
        disabled = values.get(name) != wanted
        if disabled:
            other = named.get(name)
            what = other.option.label if other is not None and other.option.label else name
            if isinstance(wanted, bool):
                why = f"Not used while “{what}” is {'off' if wanted else 'on'}."
            else:
                why = f"Used only when “{what}” is {wanted}."
    values[control.option.name] = control_widget(control.option, control.key, control.widget, labels=control.labels,
                                                 container=container, bind=bind, disabled=disabled, help=why)


# ---------------------------------------------------------------- shared links


def check_shared_link(controls: Sequence[Any], notices_key: str) -> None:
    """Before any of ``controls``' widgets exists: drop a shared link's values they do not allow
    and rewrite allowed ones as the widgets read them (``viz.controls.check_link``), then run
    again — a bound widget reads the URL as it was when the run began — keeping the notices in
    ``st.session_state[notices_key]`` for that run (the page shows and pops them). Keys a
    widget already holds (this session set them) are left alone."""
    fresh = {c.key: st.query_params.get_all(c.key) for c in controls
             if c.key in st.query_params and c.key not in st.session_state}
    link = check_link(controls, fresh)
    if link.changes:
        for key, text in link.changes.items():
            if text is None:
                del st.query_params[key]
            else:
                st.query_params[key] = text
        st.session_state[notices_key] = st.session_state.get(notices_key, ()) + link.notices
        st.rerun()
