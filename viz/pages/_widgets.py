"""Draw a page's settings: widgets from registry ``Option``s and ``viz.controls.Control``s.

Not a page: shared by every page, so their settings look and behave alike (kept in the URL,
checked against a shared link before any widget exists). What a control's state means —
hidden, greyed out and why, a link's rewrite — is decided in :mod:`viz.controls` (pure,
tested without a server); this module only turns those decisions into Streamlit calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import streamlit as st

from architectures.registry import Option
from viz.controls import check_link, shown, unused_because


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
    """Draw ``control`` into ``container`` unless it is hidden, greyed out (saying why) while
    it is unused (``viz.controls.shown``/``unused_because``); record its value in ``values``."""
    if not shown(control, values):
        return
    why = unused_because(control, values, named)
    values[control.option.name] = control_widget(control.option, control.key, control.widget, labels=control.labels,
                                                 container=container, bind=bind, disabled=why is not None, help=why)


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
