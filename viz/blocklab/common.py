"""What every lab shares: its settings as data, their validation, and the traced-stage results.

* :class:`Control`: one setting of a lab — the registry :class:`~architectures.registry.Option`
  it must satisfy, the short URL key it lives under (``i_c1``), and how the page draws it.
  Each lab module declares its controls once; the lab function validates with them,
  the property tests draw from them, the page draws its widgets from them and checks
  a shared link's values against them (:func:`check_link`, by :mod:`viz.urlstate`'s rules)
  before any widget exists.
* :class:`Stage` / :class:`LabResult`: a traced block's stages, each with its shapes and
  its cost twice — by the lecture's formula (:mod:`architectures.costs`, from the settings
  alone) and as counted from the traced module. ``agrees`` says whether the two match.
* :func:`conv_cost`: one convolution's parameters, multiply-adds and the lecture's
  arithmetic as text.

A setting no block can have raises ``ValueError`` whose message says what was wrong and
what is allowed; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import torch
from torch import nn

from architectures import costs
from architectures.registry import Option
from viz import urlstate
from viz.trace import TraceResult

FLOAT_BYTES = 4  # float32 activations


# ---------------------------------------------------------------- formatting (beyond viz.formatting)


def short(n: float) -> str:
    """``120422400`` → ``"120M"``, for chart labels and "~" figures (B for billions, as the papers write)."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= size:
            return f"{n / size:.3g}{unit}"
    return f"{n:g}"


def data_size(n_bytes: int) -> str:
    """Bytes in KB / MB (1 KB = 1024 bytes)."""
    if n_bytes < 1024:
        return f"{n_bytes:,} bytes"
    if n_bytes < 1024**2:
        return f"{n_bytes / 1024:,.1f} KB"
    return f"{n_bytes / 1024 ** 2:,.2f} MB"


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
WIDGETS = ("slider", "number", "radio", "radio-vertical", "toggle", "checkbox")


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


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Stage:
    """One stage of a block: shapes, and cost by formula and as counted from the trace.

    Shapes are PyTorch's ``(C, H, W)``; show them with :func:`viz.formatting.shape_text`.
    ``formula`` is the lecture's arithmetic for the multiply-adds, as text.
    """

    label: str
    module: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    params_formula: int
    macs_formula: int
    formula: str = ""
    branch: str = ""

    @property
    def agrees(self) -> bool:
        return self.params == self.params_formula and self.macs == self.macs_formula

    @property
    def output_bytes(self) -> int:
        return math.prod(self.output_shape) * FLOAT_BYTES


@dataclass(frozen=True)
class LabResult:
    """A traced block: its stages, totals (formula and counted) and its printed structure."""

    title: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    stages: tuple[Stage, ...]
    params: int
    macs: int
    params_formula: int
    macs_formula: int
    block: str
    notes: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        return (self.params == self.params_formula and self.macs == self.macs_formula
                and all(s.agrees for s in self.stages))


def collect(result: TraceResult, prefix: str) -> tuple[tuple, tuple, int, int]:
    """Input shape, output shape, parameters and MACs of the module ``prefix`` and everything in it."""
    if prefix == "":  # the whole block
        return (tuple(result.input_size[1:]), tuple(result.output_shape[1:]),
                sum(r.params for r in result.records), sum(r.macs for r in result.records))
    recs = [r for r in result.records if r.name == prefix or r.name.startswith(prefix + ".")]
    if not recs:
        raise LookupError(f"no traced module {prefix!r}")  # a bug in a lab module, not a user error
    own = next(r for r in recs if r.name == prefix)
    return (tuple(own.input_shape[1:]), tuple(own.output_shape[1:]),
            sum(r.params for r in recs), sum(r.macs for r in recs))


def stage(result: TraceResult, prefix: str, label: str, params_formula: int, macs_formula: int,
          formula: str = "", branch: str = "") -> Stage:
    """The traced module ``prefix`` as a :class:`Stage`, next to its formula counts."""
    inp, out, params, macs = collect(result, prefix)
    return Stage(label, prefix, inp, out, params, macs, params_formula, macs_formula, formula, branch)


def conv_cost(cin: int, cout: int, f: int, n_out: int, groups: int = 1, bias: bool = True,
              bn: bool = False) -> tuple[int, int, str]:
    """(params, MACs, the lecture's arithmetic as text) of one convolution, via architectures.costs."""
    params = costs.conv_params(cin, cout, f, groups=groups, bias=bias) + (2 * cout if bn else 0)
    macs = costs.conv_macs(cin, cout, f, n_out, n_out, groups=groups)
    per_filter = f"{f}·{f}" if groups == cin and groups > 1 else f"{f}·{f}·{cin // groups}"
    text = f"({n_out}·{n_out} positions) × ({per_filter} per filter) × {cout} filters = {macs:,}"
    return params, macs, text


def lab_result(title: str, model: nn.Module, result: TraceResult, stages: list[Stage],
               notes: tuple[str, ...] = ()) -> LabResult:
    """A :class:`LabResult` from a trace and its stages (formula totals summed over the stages)."""
    return LabResult(
        title=title,
        input_shape=tuple(result.input_size[1:]),
        output_shape=tuple(result.output_shape[1:]),
        stages=tuple(stages),
        params=result.total_params,
        macs=result.total_macs,
        params_formula=sum(s.params_formula for s in stages),
        macs_formula=sum(s.macs_formula for s in stages),
        block=str(model),
        notes=notes,
    )


def fits(n: int, f: int, stride: int, padding: int) -> int:
    """The output size of an f×f conv on n × n, or ValueError when the filter does not fit."""
    out = costs.conv_output_size(n, f, stride, padding)
    if out < 1:
        raise ValueError(
            f"A {f}×{f} filter does not fit a {n} × {n} input with padding {padding} (n + 2p − f < 0): "
            f"the output would have no pixels. Use n ≥ {f - 2 * padding}, a smaller f, or 'same' padding."
        )
    return out


def device(real: bool):
    """Where to build a block: the CPU for a real forward pass, or the meta device (shapes only).

    ``real=False`` is for counting alone (tests over the widgets' whole ranges, where a
    real pass of the largest settings would take seconds): the same classes, the same
    trace, no arithmetic.
    """
    if not isinstance(real, bool):
        raise ValueError(f"real must be True or False; got {real!r}.")
    return contextlib.nullcontext() if real else torch.device("meta")


def seeded_input(shape: tuple[int, ...], seed: int = 0, relu: bool = False) -> torch.Tensor:
    """A reproducible random input ``(1, *shape)``; ``relu=True``: as if it came out of a ReLU (≥ 0)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((1, *shape), generator=g)
    return nn.ReLU()(x) if relu else x
