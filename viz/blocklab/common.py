"""What every lab shares: its settings as data, their validation, and the traced-stage results.

* Settings as data: each lab declares its :class:`viz.controls.Control` s once, beside its
  lab function (the mechanism, shared by every page, lives in :mod:`viz.controls`).
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
from dataclasses import dataclass

import torch
from torch import nn

from architectures import costs
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
