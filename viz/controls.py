"""A page's settings as data: each declared once, checked once, drawn and shared from one place.

* :class:`Control`: one setting — the registry :class:`~architectures.registry.Option` it must
  satisfy, the short URL key it lives under (``?lab=inception&i_c1=48``), and how a page
  draws it (``widget``, ``labels``, ``group``, ``shown_if``). A feature declares its controls
  once; its pure functions validate with them (:func:`resolve`), its property tests draw from
  them, its page draws the widgets from them (``viz.pages._render.draw_controls``) and checks
  a shared link's values against them before any widget exists (:func:`check_link`, by
  :mod:`viz.urlstate`'s rules, so every page's notices read alike and quote the value as code).
* ``check_whole`` / ``check_number`` / ``check_choice`` / ``check_flag``: strict checks of a
  Python value (a widget's, a caller's), with a message saying what is allowed.

First written for the Block Lab; shared so every lab keeps its settings the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from architectures.registry import Option
from viz import urlstate

# ---------------------------------------------------------------- validation


def check_whole(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in ``[lo, hi]``, else a ValueError saying what is allowed."""
    ok = isinstance(value, Integral) and not isinstance(value, bool) or (
        isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
        and float(value).is_integer())
    if not ok or not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {value!r}.")
    return int(value)


def check_number(name: str, value, lo: float, hi: float) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not lo <= float(value) <= hi:
        raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}; got {value!r}.")
    return float(value)


def check_choice(name: str, value, choices) -> object:
    """The member of ``choices`` equal to ``value`` (so 2.0 gives the choice 2), else a ValueError."""
    if value not in choices or isinstance(value, bool):
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}.")
    return next(c for c in choices if c == value)


def check_flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return value


# ---------------------------------------------------------------- settings as data

# How the page may draw a control (viz.pages._render.control_widget knows each).
WIDGETS = ("slider", "number", "radio", "radio-vertical", "select", "toggle", "checkbox")


@dataclass(frozen=True)
class Control:
    """One setting of a lab: the :class:`Option` it must satisfy, its URL key, how it is drawn.

    ``option.name`` is the lab function's keyword argument; ``key`` is the widget key
    and the URL's query parameter (``?lab=inception&i_c1=48``). ``labels`` are how the
    choices are shown — and written in the URL, as Streamlit writes a radio's value —
    one per ``option.choices``. ``group`` is the heading of the column the widget sits
    in; ``shown_if = (name, value)`` draws it only while that other setting has that value.
    """

    key: str
    option: Option
    widget: str = "slider"
    group: str = ""
    labels: tuple[str, ...] = ()
    shown_if: tuple[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.widget not in WIDGETS:
            raise ValueError(f"{self.key}: widget must be one of {', '.join(WIDGETS)}; got {self.widget!r}")
        if self.labels and len(self.labels) != len(self.option.choices):
            raise ValueError(f"{self.key}: one label per choice")

    @property
    def name(self) -> str:
        return self.option.name

    @property
    def label(self) -> str:
        return self.option.label or self.option.name

    @property
    def default(self) -> Any:
        return self.option.default

    def check(self, value: Any) -> Any:
        """``value`` (a Python value: a widget's, a caller's) if allowed, else ValueError."""
        o = self.option
        if o.kind == "int":
            return check_whole(self.label, value, int(o.minimum), int(o.maximum))
        if o.kind == "float":
            return check_number(self.label, value, o.minimum, o.maximum)
        if o.kind == "bool":
            return check_flag(self.label, value)
        return check_choice(self.label, value, o.choices)

    def to_url(self, value: Any) -> str:
        """``value`` as the page's bound widget writes it in the URL (and reads it back)."""
        if self.option.kind == "bool":
            return "true" if value else "false"
        if self.labels:
            return self.labels[self.option.choices.index(value)]
        if self.option.kind == "choice":
            return str(value)
        if self.option.kind == "int" or float(value).is_integer():
            return str(int(value))
        return repr(float(value))


def ints(key: str, name: str, label: str, lo: int, hi: int, default: int, *, widget: str = "slider",
         group: str = "", step: int | None = None, shown_if: tuple[str, Any] | None = None) -> Control:
    """A whole-number setting from ``lo`` to ``hi``."""
    return Control(key, Option(name, "int", default, label, minimum=lo, maximum=hi, step=step), widget, group,
                   shown_if=shown_if)


def floats(key: str, name: str, label: str, lo: float, hi: float, default: float, *, step: float,
           widget: str = "slider", shown_if: tuple[str, Any] | None = None) -> Control:
    """A number from ``lo`` to ``hi``, in steps of ``step`` on its widget."""
    return Control(key, Option(name, "float", default, label, minimum=lo, maximum=hi, step=step), widget,
                   shown_if=shown_if)


def flag(key: str, name: str, label: str, default: bool = True, *, widget: str = "toggle", group: str = "",
         help: str = "") -> Control:
    """An on/off setting."""
    return Control(key, Option(name, "bool", default, label, help), widget, group)


def choice(key: str, name: str, label: str, choices: tuple, default: Any, *, widget: str = "radio",
           labels: tuple[str, ...] = (), shown_if: tuple[str, Any] | None = None, help: str = "") -> Control:
    """One of ``choices`` (shown as ``labels`` if given)."""
    return Control(key, Option(name, "choice", default, label, help, choices=choices), widget,
                   labels=labels, shown_if=shown_if)


def by_name(controls: Iterable[Control]) -> dict[str, Control]:
    return {c.name: c for c in controls}


def resolve(controls: Iterable[Control], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Every control's value: ``settings`` (each checked) over the defaults; unknown names are an error."""
    controls = tuple(controls)
    known = by_name(controls)
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise ValueError(f"Unknown setting(s) {', '.join(unknown)}; this lab has: {', '.join(known)}.")
    return {c.name: c.check(settings[c.name]) if c.name in settings else c.default for c in controls}


@dataclass(frozen=True)
class LinkCheck:
    """What to do with a shared link's values before any widget is drawn.

    ``changes``: key → the text to put in the URL instead (the value as the widget
    reads and writes it: "48" for "48.0", "true" for "1", "B3" for "b3"), or None to drop
    the key (a default, or a value that is not allowed). ``notices``: one sentence per
    value that was not allowed (the value as a code span).
    """

    changes: dict[str, str | None]
    notices: tuple[str, ...]


def check_link(controls: Iterable[Control], params: Mapping[str, str]) -> LinkCheck:
    """Check the URL values ``params`` (key → text) of ``controls`` with :func:`viz.urlstate.parse`
    (the rules every page shares); other keys are left alone."""
    controls = tuple(controls)
    texts = urlstate.last_values({c.key: params[c.key] for c in controls if c.key in params})
    given = dict(texts)
    for c in controls:  # a choice written as its label ("B3") is that choice
        if c.labels and given.get(c.key) in c.labels:
            given[c.key] = str(c.option.choices[c.labels.index(given[c.key])])
    parsed = urlstate.parse(given, [c.option for c in controls], keys={c.name: c.key for c in controls})
    changes: dict[str, str | None] = {}
    for c in controls:
        if c.key in given:
            value, text = parsed.values[c.name], texts[c.key]
            if text != c.to_url(value):  # a widget reads its own text; it drops a default itself
                changes[c.key] = None if value == c.default else c.to_url(value)
    return LinkCheck(changes, parsed.notices)
