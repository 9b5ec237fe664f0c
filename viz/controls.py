"""A page's settings as data: each declared once, checked once, drawn and shared from one place.

* :class:`Control`: one setting — the registry :class:`~architectures.registry.Option` it must
  satisfy, the short URL key it lives under (``?lab=inception&i_c1=48``), and how a page
  draws it (``widget``, ``labels``, ``group``, ``shown_if``). A feature declares its controls
  once; its pure functions validate with them (:func:`resolve`), its property tests draw from
  them, its page draws the widgets from them (``viz.pages._widgets.draw_controls``) and checks
  a shared link's values against them before any widget exists (:func:`check_link`, by
  :mod:`viz.urlstate`'s rules, so every page's notices read alike and quote the value as code).
* ``check_whole`` / ``check_number`` / ``check_choice`` / ``check_flag`` / ``check_range`` /
  ``check_members``: strict checks of a Python value (a widget's, a caller's), with a message
  saying what is allowed.

First written for the Block Lab; shared so every lab keeps its settings the same way (the
Augmentation Lab's select sliders, range sliders and ordered pipeline steps included).
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


def check_range(name: str, value, lo: float, hi: float) -> tuple[float, float]:
    """``value`` as a pair ``(low, high)`` of numbers in ``[lo, hi]`` with low ≤ high."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be two numbers (low, high) from {lo:g} to {hi:g}; got {value!r}.")
    low, high = (check_number(name, end, lo, hi) for end in value)
    if low > high:
        raise ValueError(f"{name}: the low end must not be above the high end; got {value!r}.")
    return low, high


def check_members(name: str, value, choices) -> tuple:
    """``value`` as a tuple of distinct members of ``choices``, in the order given."""
    if isinstance(value, str) or not isinstance(value, (tuple, list)):
        raise ValueError(f"{name} must be a list of {', '.join(map(str, choices))}; got {value!r}.")
    members = tuple(check_choice(name, member, choices) for member in value)
    if len(set(members)) != len(members):
        raise ValueError(f"{name}: each of {', '.join(map(str, choices))} at most once; got {value!r}.")
    return members


# ---------------------------------------------------------------- settings as data

# How the page may draw a control (viz.pages._widgets.control_widget knows each), by the
# Option kinds each widget can show.
WIDGET_KINDS = {
    "slider": ("int", "float"), "number": ("int", "float"),
    "radio": ("choice",), "radio-vertical": ("choice",), "select": ("choice",),
    "select_slider": ("choice",),  # a slider with notches: the choices, in order
    "toggle": ("bool",), "checkbox": ("bool",),
    "range": ("range",),  # a slider with two handles: (low, high)
    "multiselect": ("subset",),  # several choices, in the order picked
}
WIDGETS = tuple(WIDGET_KINDS)
# Kinds whose value is several values: a bound widget writes them as a repeated key
# (?crop_scale=0.08&crop_scale=1), as Streamlit does.
ARRAY_KINDS = ("range", "subset")


@dataclass(frozen=True)
class Control:
    """One setting of a lab: the :class:`Option` it must satisfy, its URL key, how it is drawn.

    ``option.name`` is the lab function's keyword argument; ``key`` is the widget key
    and the URL's query parameter (``?lab=inception&i_c1=48``). ``labels`` are how the
    choices are shown — and written in the URL, as Streamlit writes a radio's or a
    select box's value — one per ``option.choices``. ``group`` is the heading of the
    column the widget sits in; ``shown_if = (name, value)`` draws it only while that other
    setting has that value; ``enabled_if = (name, value)`` draws it greyed out (its value
    kept, unused) while that other setting has another value, saying why.
    """

    key: str
    option: Option
    widget: str = "slider"
    group: str = ""
    labels: tuple[str, ...] = ()
    shown_if: tuple[str, Any] | None = None
    enabled_if: tuple[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.widget not in WIDGETS:
            raise ValueError(f"{self.key}: widget must be one of {', '.join(WIDGETS)}; got {self.widget!r}")
        if self.option.kind not in WIDGET_KINDS[self.widget]:
            raise ValueError(f"{self.key}: a {self.widget} cannot show a {self.option.kind!r} option")
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
        if o.kind == "range":
            return check_range(self.label, value, o.minimum, o.maximum)
        if o.kind == "subset":
            return check_members(self.label, value, o.choices)
        return check_choice(self.label, value, o.choices)

    @property
    def is_array(self) -> bool:
        """Whether the URL holds this setting as a repeated key (several values)."""
        return self.option.kind in ARRAY_KINDS

    def to_url(self, value: Any) -> str | list[str]:
        """``value`` as the page's bound widget writes it in the URL (and reads it back):
        one text, or for a range or a subset one text per value (a repeated key)."""
        kind = self.option.kind
        if kind == "range":
            return [_number_text(end) for end in value]
        if kind == "subset":  # none at all: the key with an empty value (?pipe_steps=)
            return [self._choice_text(member) for member in value] or [""]
        if kind == "bool":
            return "true" if value else "false"
        if kind == "choice":
            return self._choice_text(value)
        return str(int(value)) if kind == "int" else _number_text(value)

    def _choice_text(self, value: Any) -> str:
        return self.labels[self.option.choices.index(value)] if self.labels else str(value)


def _number_text(value: float) -> str:
    """A number as a bound slider writes it: 2.0 → "2", 0.08 → "0.08"."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


Condition = tuple[str, Any] | None


def ints(key: str, name: str, label: str, lo: int, hi: int, default: int, *, widget: str = "slider",
         group: str = "", step: int | None = None, shown_if: Condition = None, enabled_if: Condition = None,
         help: str = "") -> Control:
    """A whole-number setting from ``lo`` to ``hi``."""
    return Control(key, Option(name, "int", default, label, help, minimum=lo, maximum=hi, step=step), widget,
                   group, shown_if=shown_if, enabled_if=enabled_if)


def floats(key: str, name: str, label: str, lo: float, hi: float, default: float, *, step: float,
           widget: str = "slider", shown_if: Condition = None, help: str = "") -> Control:
    """A number from ``lo`` to ``hi``, in steps of ``step`` on its widget."""
    return Control(key, Option(name, "float", default, label, help, minimum=lo, maximum=hi, step=step), widget,
                   shown_if=shown_if)


def span(key: str, name: str, label: str, lo: float, hi: float, default: tuple[float, float], *, step: float,
         help: str = "") -> Control:
    """A range ``(low, high)`` within ``lo`` … ``hi``, drawn as a slider with two handles."""
    return Control(key, Option(name, "range", tuple(map(float, default)), label, help, minimum=lo, maximum=hi,
                               step=step), "range")


def flag(key: str, name: str, label: str, default: bool = True, *, widget: str = "toggle", group: str = "",
         help: str = "") -> Control:
    """An on/off setting."""
    return Control(key, Option(name, "bool", default, label, help), widget, group)


def choice(key: str, name: str, label: str, choices: tuple, default: Any, *, widget: str = "radio",
           labels: tuple[str, ...] = (), shown_if: Condition = None, help: str = "") -> Control:
    """One of ``choices`` (shown as ``labels`` if given): a radio, a select box
    (``widget="select"``) or a slider with one notch per choice (``widget="select_slider"``)."""
    return Control(key, Option(name, "choice", default, label, help, choices=choices), widget,
                   labels=labels, shown_if=shown_if)


def members(key: str, name: str, label: str, choices: tuple, default: tuple, *, help: str = "") -> Control:
    """Any of ``choices``, each at most once, in the order picked (a multiselect)."""
    return Control(key, Option(name, "subset", tuple(default), label, help, choices=choices), "multiselect")


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
    reads and writes it: "48" for "48.0", "true" for "1", "B3" for "b3"; a list of texts
    for a range or a subset, written as a repeated key), or None to drop the key (a
    default, or a value that is not allowed). ``notices``: one sentence per value that was
    not allowed (the value as a code span).
    """

    changes: dict[str, str | list[str] | None]
    notices: tuple[str, ...]


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def check_link(controls: Iterable[Control], params: Mapping[str, Any]) -> LinkCheck:
    """Check the URL values ``params`` (key → text, or a list of texts for a repeated key) of
    ``controls`` with :func:`viz.urlstate.parse` (the rules every page shares); other keys are
    left alone. A scalar setting given more than once counts with its last value; a range or
    a subset takes every value of its key (as its widget writes them), or one comma-separated
    text (as a person would type it)."""
    controls = tuple(controls)
    present = [c for c in controls if c.key in params]
    texts: dict[str, str | list[str]] = urlstate.last_values(
        {c.key: params[c.key] for c in present if not c.is_array})
    texts.update({c.key: _as_list(params[c.key]) for c in present if c.is_array})
    given: dict[str, str] = {}
    for c in present:
        parts = texts[c.key] if c.is_array else [texts[c.key]]
        if c.labels:  # a choice written as its label ("B3", or "b3": case aside) is that choice
            by_label = {label.casefold(): str(choice) for label, choice in zip(c.labels, c.option.choices)}
            parts = [by_label.get(p.casefold(), p) for p in parts]
        given[c.key] = ",".join(parts)
    parsed = urlstate.parse(given, [c.option for c in controls], keys={c.name: c.key for c in controls})
    changes: dict[str, str | list[str] | None] = {}
    for c in controls:
        if c.key in given:
            value, text = parsed.values[c.name], texts[c.key]
            if text != c.to_url(value):  # a widget reads its own text; it drops a default itself
                changes[c.key] = None if value == c.default else c.to_url(value)
    return LinkCheck(changes, parsed.notices)


# ---------------------------------------------------------------- what a drawn control's state means


def shown(control: Control, values: Mapping[str, Any]) -> bool:
    """Whether ``control`` is drawn, given the values of the controls drawn before it
    (its ``shown_if`` setting has the wanted value, or it has none)."""
    return control.shown_if is None or values.get(control.shown_if[0]) == control.shown_if[1]


def unused_because(control: Control, values: Mapping[str, Any], named: Mapping[str, Control]) -> str | None:
    """Why ``control`` is greyed out (its ``enabled_if`` setting has another value), in the
    words its help text shows; ``None`` while it is used. ``named``: the page's controls by
    option name, for the other setting's label."""
    if control.enabled_if is None:
        return None
    name, wanted = control.enabled_if
    if values.get(name) == wanted:
        return None
    other = named.get(name)
    what = other.option.label if other is not None and other.option.label else name
    if isinstance(wanted, bool):
        return f"Not used while “{what}” is {'off' if wanted else 'on'}."
    return f"Used only when “{what}” is {wanted}."
