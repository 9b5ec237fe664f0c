"""Block Lab: the lecture's building blocks, built, traced and costed — pure Python.

One function per lab, from its settings to a result dataclass. Each builds the
block from :mod:`architectures.blocks` (the classes the zoo uses), runs a real
forward pass with :func:`viz.trace.trace`, and reports per stage the shapes, the
parameters and the multiply-adds twice: worked out by the lecture's formula
(:mod:`architectures.costs`, from the settings alone) and counted from the traced
module. The two must agree; ``Stage.agrees`` / ``LabResult.agrees`` say whether
they do and the tests check it for every setting the widgets allow.

A setting no block can have (a filter larger than its padded input, a shortcut
that cannot be added, …) raises ``ValueError`` whose message says what was wrong
and what is allowed; nothing else escapes. The page shows the message.

The defaults are the lecture's own examples:

* 1×1 convolution (Lin, Chen, Yan, "Network In Network", 2013): a 6×6 image × a
  1×1 filter of value 2; 28×28×192 → 32 filters → 28×28×32.
* Inception module (Szegedy et al. 2015, Table 1, "inception (3a)"): 28×28×192
  with 64 / 96→128 / 16→32 / pool→32 → 28×28×256; the 5×5 branch costs
  120,422,400 multiplies directly, 2,408,448 + 10,035,200 = 12,443,648 with the
  1×1 bottleneck to 16.
* Residual block (He et al. 2016, Fig. 2): with W[l+2] = 0 and b[l+2] = 0,
  a[l+2] = g(a[l]) = a[l] for a[l] ≥ 0.
* Depthwise-separable (Howard et al. 2017): 6×6×3, 3×3, 5 filters → 4×4×5:
  2,160 vs 432 + 240 = 672 (ratio 0.31 = 1/5 + 1/9).
* MobileNet v2 bottleneck (Sandler et al. 2018): n×n×3 → n×n×18 → n×n×18 → n×n×3, t = 6.
* EfficientNet compound scaling (Tan & Le 2019, eq. 3): d = 1.2^φ, w = 1.1^φ, r = 1.15^φ.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from numbers import Integral, Real

import torch
from torch import nn

from architectures import costs
from architectures.blocks import (
    BasicBlock,
    ConvBNAct,
    DepthwiseSeparable,
    InceptionModule,
    InvertedResidual,
)
from viz.trace import TraceResult, trace

FLOAT_BYTES = 4  # float32 activations

# ---------------------------------------------------------------- widget ranges
# (lowest, highest, default) of every setting. The page draws its widgets from these,
# and the property tests draw from the same ranges.

ONE_BY_ONE = {"n": (1, 64, 28), "n_c": (1, 512, 192), "filters": (1, 512, 32)}
GRID_VALUE = (-5.0, 5.0, 2.0)
INCEPTION = {
    "n": (1, 64, 28), "n_c": (1, 512, 192), "ch1x1": (1, 256, 64), "ch3x3red": (1, 256, 96),
    "ch3x3": (1, 256, 128), "ch5x5red": (1, 256, 16), "ch5x5": (1, 256, 32), "pool_proj": (1, 256, 32),
}
RESIDUAL = {"n": (1, 64, 56), "in_channels": (1, 128, 64), "out_channels": (1, 128, 64), "stride": (1, 2, 1)}
SEPARABLE = {"n": (1, 64, 6), "n_c": (1, 512, 3), "f": (1, 7, 3), "n_c_out": (1, 1024, 5), "stride": (1, 3, 1)}
PADDINGS = ("valid", "same")
MOBILENET_V2 = {"n": (1, 112, 6), "in_channels": (1, 160, 3), "expand_ratio": (1, 10, 6),
                "out_channels": (1, 160, 3), "stride": (1, 2, 1)}
KERNELS = (3, 5, 7)
EFFICIENTNET = {"phi": (-2.0, 7.0, 0.0), "depth": (0.5, 4.0, 1.0), "width": (0.5, 2.5, 1.0),
                "resolution": (32, 640, 224)}
# A real forward pass of a scaled EfficientNet is offered up to this many multiply-adds:
# B0 (0.39B) took 0.3–2.5 s on the shared 2-core machine, so about 1B (B2) stays within a few seconds.
REAL_PASS_MAX_MACS = 1_000_000_000

# The 6×6 image of the lecture's 1×1-convolution slide (transcribed from the slide).
LECTURE_IMAGE = (
    (1, 2, 3, 6, 5, 8),
    (3, 5, 5, 1, 3, 4),
    (2, 1, 3, 4, 9, 3),
    (4, 7, 8, 5, 7, 9),
    (1, 5, 3, 7, 4, 8),
    (5, 4, 9, 8, 3, 5),
)


# ---------------------------------------------------------------- formatting


def shape_text(shape) -> str:
    """``(N, C, H, W)`` or ``(C, H, W)`` → ``"28 × 28 × 256"``, the lecture's n_H × n_W × n_C."""
    shape = tuple(shape)
    if len(shape) == 4:
        shape = shape[1:]
    if len(shape) == 3:
        c, h, w = shape
        return f"{h} × {w} × {c}"
    return " × ".join(str(s) for s in shape) or "–"


def num(n: int | float) -> str:
    """Thousands separators: 120422400 → ``"120,422,400"``."""
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.3g}"


def short(n: float) -> str:
    """``120422400`` → ``"120.4M"``, for chart labels and "~" figures."""
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


def _whole(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in ``[lo, hi]``, else a ValueError saying what is allowed."""
    ok = isinstance(value, Integral) and not isinstance(value, bool) or (
        isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
        and float(value).is_integer())
    if not ok or not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {value!r}.")
    return int(value)


def _number(name: str, value, lo: float, hi: float) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not lo <= float(value) <= hi:
        raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}; got {value!r}.")
    return float(value)


def _choice(name: str, value, choices) -> object:
    if value not in choices or isinstance(value, bool):
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}.")
    return value


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return value


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Stage:
    """One stage of a block: shapes, and cost by formula and as counted from the trace.

    Shapes are PyTorch's ``(C, H, W)``; show them with :func:`shape_text`.
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


def _collect(result: TraceResult, prefix: str) -> tuple[tuple, tuple, int, int]:
    """Input shape, output shape, parameters and MACs of the module ``prefix`` and everything in it."""
    if prefix == "":  # the whole block
        return (tuple(result.input_size[1:]), tuple(result.output_shape[1:]),
                sum(r.params for r in result.records), sum(r.macs for r in result.records))
    recs = [r for r in result.records if r.name == prefix or r.name.startswith(prefix + ".")]
    if not recs:
        raise LookupError(f"no traced module {prefix!r}")  # a bug in this module, not a user error
    own = next(r for r in recs if r.name == prefix)
    return (tuple(own.input_shape[1:]), tuple(own.output_shape[1:]),
            sum(r.params for r in recs), sum(r.macs for r in recs))


def _stage(result: TraceResult, prefix: str, label: str, params_formula: int, macs_formula: int,
           formula: str = "", branch: str = "") -> Stage:
    inp, out, params, macs = _collect(result, prefix)
    return Stage(label, prefix, inp, out, params, macs, params_formula, macs_formula, formula, branch)


def _conv(cin: int, cout: int, f: int, n_out: int, groups: int = 1, bias: bool = True,
          bn: bool = False) -> tuple[int, int, str]:
    """(params, MACs, the lecture's arithmetic as text) of one convolution, via architectures.costs."""
    params = costs.conv_params(cin, cout, f, groups=groups, bias=bias) + (2 * cout if bn else 0)
    macs = costs.conv_macs(cin, cout, f, n_out, n_out, groups=groups)
    per_filter = f"{f}·{f}" if groups == cin and groups > 1 else f"{f}·{f}·{cin // groups}"
    text = f"({n_out}·{n_out} positions) × ({per_filter} per filter) × {cout} filters = {macs:,}"
    return params, macs, text


def _lab_result(title: str, model: nn.Module, result: TraceResult, stages: list[Stage],
                notes: tuple[str, ...] = ()) -> LabResult:
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


def _device(real: bool):
    """Where to build a block: the CPU for a real forward pass, or the meta device (shapes only).

    ``real=False`` is for counting alone (tests over the widgets' whole ranges, where a
    real pass of the largest settings would take seconds): the same classes, the same
    trace, no arithmetic.
    """
    if not isinstance(real, bool):
        raise ValueError(f"real must be True or False; got {real!r}.")
    return contextlib.nullcontext() if real else torch.device("meta")


def _seeded_input(shape: tuple[int, ...], seed: int = 0, relu: bool = False) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((1, *shape), generator=g)
    return nn.ReLU()(x) if relu else x


# ======================================================================== 1. 1×1 convolution


@dataclass(frozen=True)
class GridResult:
    """The slide's 6×6 image times a 1×1 filter, by a real 1×1 convolution."""

    image: tuple[tuple[float, ...], ...]
    value: float
    output: tuple[tuple[float, ...], ...]


def one_by_one_grid(value: float = GRID_VALUE[2]) -> GridResult:
    """The lecture's 6×6×1 image * a 1×1×1 filter of ``value`` (default 2): every pixel × value."""
    value = _number("the filter value", value, GRID_VALUE[0], GRID_VALUE[1])
    conv = ConvBNAct(1, 1, 1, bn=False, act=None, bias=False)
    with torch.no_grad():
        conv.conv.weight.fill_(value)
        image = torch.tensor(LECTURE_IMAGE, dtype=torch.float32)[None, None]
        out = conv(image)[0, 0]
    return GridResult(LECTURE_IMAGE, value, tuple(tuple(float(v) for v in row) for row in out.tolist()))


def one_by_one(n: int = 28, n_c: int = 192, filters: int = 32, relu: bool = True, real: bool = True) -> LabResult:
    """n×n×n_C → CONV 1×1 with ``filters`` filters (+ ReLU) → n×n×filters: n_H, n_W stay, n_C changes.

    Lin et al. 2013 ("Network in Network"); the lecture's 28×28×192 → 28×28×32.
    """
    n = _whole("n (image size)", n, *ONE_BY_ONE["n"][:2])
    n_c = _whole("n_C (input channels)", n_c, *ONE_BY_ONE["n_c"][:2])
    filters = _whole("#filters", filters, *ONE_BY_ONE["filters"][:2])
    relu = _flag("ReLU", relu)
    torch.manual_seed(0)
    with _device(real):
        block = ConvBNAct(n_c, filters, 1, bn=False, act="relu" if relu else None)
    result = trace(block, (n_c, n, n), name="1×1 convolution")
    params, macs, text = _conv(n_c, filters, 1, n)
    stages = [_stage(result, "conv", f"CONV 1×1, {filters} filters (each 1×1×{n_c})", params, macs, text)]
    if relu:
        stages.append(_stage(result, "act", "ReLU", 0, 0, "no multiplies"))
    return _lab_result("1×1 convolution", block, result, stages)


# ======================================================================== 2. Inception module


@dataclass(frozen=True)
class InceptionResult(LabResult):
    comparison: costs.BottleneckComparison | None = None
    branch_outputs: tuple[tuple[str, tuple[int, ...]], ...] = field(default=())


BRANCH_NAMES = ("1×1", "3×3", "5×5", "max-pool")


def inception(n: int = 28, n_c: int = 192, ch1x1: int = 64, ch3x3red: int = 96, ch3x3: int = 128,
              ch5x5red: int = 16, ch5x5: int = 32, pool_proj: int = 32, reduce_3x3: bool = True,
              reduce_5x5: bool = True, use_pool_proj: bool = True, real: bool = True) -> InceptionResult:
    """GoogLeNet's inception module on n×n×n_C (Szegedy et al. 2015, Fig. 2(b), Table 1 row 3a).

    ``reduce_*=False`` drops that 1×1 bottleneck (the naive module, Fig. 2(a));
    ``use_pool_proj=False`` passes the pooled input on with all its n_C channels.
    ``comparison`` is the lecture's arithmetic for the 5×5 branch: the direct 5×5
    conv vs the 1×1 bottleneck to ``ch5x5red`` and then the 5×5.
    """
    r = INCEPTION
    n = _whole("n (image size)", n, *r["n"][:2])
    n_c = _whole("n_C (input channels)", n_c, *r["n_c"][:2])
    ch1x1 = _whole("#1×1", ch1x1, *r["ch1x1"][:2])
    ch3x3red = _whole("#3×3 reduce", ch3x3red, *r["ch3x3red"][:2])
    ch3x3 = _whole("#3×3", ch3x3, *r["ch3x3"][:2])
    ch5x5red = _whole("#5×5 reduce", ch5x5red, *r["ch5x5red"][:2])
    ch5x5 = _whole("#5×5", ch5x5, *r["ch5x5"][:2])
    pool_proj = _whole("pool proj", pool_proj, *r["pool_proj"][:2])
    reduce_3x3, reduce_5x5, use_pool_proj = (_flag("the 3×3 bottleneck", reduce_3x3),
                                             _flag("the 5×5 bottleneck", reduce_5x5),
                                             _flag("the pool projection", use_pool_proj))
    torch.manual_seed(0)
    with _device(real):
        block = InceptionModule(n_c, ch1x1, ch3x3red if reduce_3x3 else None, ch3x3,
                                ch5x5red if reduce_5x5 else None, ch5x5, pool_proj if use_pool_proj else None)
    result = trace(block, (n_c, n, n), name="inception module")

    stages: list[Stage] = []
    p, m, t = _conv(n_c, ch1x1, 1, n)
    stages.append(_stage(result, "branch1.conv", f"1×1 conv, {ch1x1}", p, m, t, BRANCH_NAMES[0]))
    for branch, (red_on, red, out, f, name) in enumerate(
        ((reduce_3x3, ch3x3red, ch3x3, 3, BRANCH_NAMES[1]), (reduce_5x5, ch5x5red, ch5x5, 5, BRANCH_NAMES[2])),
        start=2,
    ):
        prefix = f"branch{branch}"
        if red_on:
            p, m, t = _conv(n_c, red, 1, n)
            stages.append(_stage(result, f"{prefix}.0.conv", f"1×1 conv, {red} (bottleneck)", p, m, t, name))
            p, m, t = _conv(red, out, f, n)
            stages.append(_stage(result, f"{prefix}.1.conv", f"{f}×{f} conv same, {out}", p, m, t, name))
        else:
            p, m, t = _conv(n_c, out, f, n)
            stages.append(_stage(result, f"{prefix}.0.conv", f"{f}×{f} conv same, {out}", p, m, t, name))
    stages.append(_stage(result, "branch4.0", "3×3 max-pool same, stride 1", 0, 0, "no multiplies",
                         BRANCH_NAMES[3]))
    if use_pool_proj:
        p, m, t = _conv(n_c, pool_proj, 1, n)
        stages.append(_stage(result, "branch4.1.conv", f"1×1 conv, {pool_proj}", p, m, t, BRANCH_NAMES[3]))

    branch_outputs = tuple((name, _collect(result, f"branch{i}")[1]) for i, name in enumerate(BRANCH_NAMES, 1))
    base = _lab_result("Inception module", block, result, stages)
    return InceptionResult(**base.__dict__, comparison=costs.bottleneck_comparison(n, n_c, ch5x5, 5, ch5x5red),
                           branch_outputs=branch_outputs)


def bottleneck_saving_curve(n: int = 28, n_c: int = 192, ch5x5: int = 32,
                            widths: tuple[int, ...] | None = None) -> list[tuple[int, int, float]]:
    """(bottleneck width, multiplies with the bottleneck, times cheaper than the direct 5×5) per width."""
    widths = widths or tuple(range(1, n_c + 1))
    out = []
    for w in widths:
        c = costs.bottleneck_comparison(n, n_c, ch5x5, 5, w)
        out.append((w, c.bottlenecked, c.saving))
    return out


# ======================================================================== 3. Residual block


@dataclass(frozen=True)
class ResidualResult(LabResult):
    identity_shortcut: bool = True
    zeroed: bool = False
    residual: bool = True
    max_diff: float | None = None  # max |a[l+2] − a[l]| of the residual block (when shapes match)
    max_plain: float = 0.0  # max |a[l+2]| of the plain block (same weights, no shortcut)
    max_diff_plain: float | None = None  # max |a[l+2] − a[l]| of the plain block
    input_min: float = 0.0  # min a[l] (≥ 0: the input comes out of a ReLU)


def residual_block(n: int = 56, in_channels: int = 64, out_channels: int = 64, stride: int = 1,
                   residual: bool = True, projection: bool = True, zero_second: bool = True) -> ResidualResult:
    """He et al. 2016's basic block, a[l] → conv → ReLU → conv → (+ a[l]) → ReLU, as the lecture's z = W a + b.

    Convolutions with bias and no batch norm (``BasicBlock(bn=False)``). ``projection``
    allows the 1×1 shortcut W_s where the shapes differ; without it such a block
    cannot be built. ``zero_second`` sets W[l+2] = 0 and b[l+2] = 0; then the real
    forward pass of a non-negative a[l] (an input that came out of a ReLU) gives
    a[l+2] = g(a[l]) = a[l] with the identity shortcut — and zeros without it, which
    the plain block (same weights, ``residual=False``) shows.
    """
    r = RESIDUAL
    n = _whole("n (image size)", n, *r["n"][:2])
    cin = _whole("input channels", in_channels, *r["in_channels"][:2])
    cout = _whole("output channels", out_channels, *r["out_channels"][:2])
    stride = _whole("stride", stride, *r["stride"][:2])
    residual, projection, zero_second = (_flag("the shortcut", residual), _flag("the projection", projection),
                                         _flag("zero the second layer", zero_second))
    shapes_differ = stride != 1 or cin != cout
    n_out = costs.conv_output_size(n, 3, stride, 1)
    if residual and shapes_differ and not projection:
        why = []
        if stride != 1:
            why.append(f"stride {stride} shrinks {n} × {n} to {n_out} × {n_out}")
        if cin != cout:
            why.append(f"the channels change from {cin} to {cout}")
        raise ValueError(
            f"The identity shortcut can't be added: a[l] is {n} × {n} × {cin} but z[l+2] is "
            f"{n_out} × {n_out} × {cout} ({' and '.join(why)}). Switch on the projection W_s "
            f"(a 1×1 conv on the shortcut), or use stride 1 and output channels = input channels."
        )
    torch.manual_seed(0)
    block = BasicBlock(cin, cout, stride, residual=True, bn=False)
    plain = BasicBlock(cin, cout, stride, residual=False, bn=False)
    if zero_second:
        with torch.no_grad():
            block.conv2.conv.weight.zero_()
            block.conv2.conv.bias.zero_()
    # Same W[l+1], b[l+1], W[l+2], b[l+2] in the plain block: only the shortcut differs.
    plain.load_state_dict({k: v for k, v in block.state_dict().items() if not k.startswith("shortcut")})
    shown = block if residual else plain
    result = trace(shown, (cin, n, n), name="residual block")

    a_l = _seeded_input((cin, n, n), relu=True)  # a[l] came out of a ReLU: a[l] ≥ 0
    with torch.inference_mode():
        block.eval(), plain.eval()
        out_res, out_plain = block(a_l), plain(a_l)
    same = out_res.shape == a_l.shape
    max_diff = float((out_res - a_l).abs().max()) if same else None
    max_diff_plain = float((out_plain - a_l).abs().max()) if same else None

    stages = []
    p, m, t = _conv(cin, cout, 3, n_out)
    stages.append(_stage(result, "conv1", f"z[l+1] = W[l+1] a[l] + b[l+1] (3×3 conv{', stride 2' if stride == 2 else ''}),"
                                           " a[l+1] = ReLU", p, m, t))
    p, m, t = _conv(cout, cout, 3, n_out)
    stages.append(_stage(result, "conv2", "z[l+2] = W[l+2] a[l+1] + b[l+2] (3×3 conv)"
                         + (" — zeroed" if zero_second else ""), p, m, t))
    if residual:
        if shapes_differ:
            p, m, t = _conv(cin, cout, 1, n_out)
            stages.append(_stage(result, "shortcut", "shortcut W_s a[l] (1×1 conv projection)", p, m, t))
        else:
            stages.append(_stage(result, "shortcut", "shortcut: identity, a[l] as it is", 0, 0, "no multiplies"))
    stages.append(_stage(result, "act", "a[l+2] = ReLU(z[l+2]" + (" + shortcut)" if residual else ")"),
                         0, 0, "no multiplies (the addition is element-wise)"))
    base = _lab_result("Residual block" if residual else "Plain block", shown, result, stages)
    return ResidualResult(**base.__dict__, identity_shortcut=not shapes_differ, zeroed=zero_second,
                          residual=residual, max_diff=max_diff, max_plain=float(out_plain.abs().max()),
                          max_diff_plain=max_diff_plain, input_min=float(a_l.min()))


# ======================================================================== 4. Depthwise-separable


@dataclass(frozen=True)
class SeparableResult:
    """The normal convolution and the depthwise-separable one with the same input and output."""

    normal: LabResult
    separable: LabResult
    comparison: costs.SeparableComparison
    ratio_formula: float  # 1/n_c' + 1/f²
    n_c_out: int
    f: int

    @property
    def ratio(self) -> float:
        """Counted separable / normal multiplies (from the traces)."""
        return self.separable.macs / self.normal.macs

    @property
    def agrees(self) -> bool:
        return self.normal.agrees and self.separable.agrees


def _padding(name: str, f: int) -> int:
    _choice("padding", name, PADDINGS)
    if name == "valid":
        return 0
    if f % 2 == 0:
        raise ValueError(f"'same' padding needs an odd filter size f (1, 3, 5, 7); got f = {f}. "
                         "Choose an odd f or 'valid' padding.")
    return costs.same_padding(f)


def _fits(n: int, f: int, stride: int, padding: int) -> int:
    out = costs.conv_output_size(n, f, stride, padding)
    if out < 1:
        raise ValueError(
            f"A {f}×{f} filter does not fit a {n} × {n} input with padding {padding} (n + 2p − f < 0): "
            f"the output would have no pixels. Use n ≥ {f - 2 * padding}, a smaller f, or 'same' padding."
        )
    return out


def separable(n: int = 6, n_c: int = 3, f: int = 3, n_c_out: int = 5, stride: int = 1,
              padding: str = "valid", real: bool = True) -> SeparableResult:
    """Howard et al. 2017 (MobileNet v1, §3.1): a normal f×f conv vs depthwise f×f + pointwise 1×1.

    The lecture's 6×6×3 input, 3×3 filters, 5 outputs, no padding: 4×4×5; normal
    2,160 multiplies, depthwise 432 + pointwise 240 = 672, ratio 0.31.
    Convolutions with bias, no batch norm or activation: only the convolutions are compared.
    """
    r = SEPARABLE
    n = _whole("n (image size)", n, *r["n"][:2])
    n_c = _whole("n_c (input channels)", n_c, *r["n_c"][:2])
    f = _whole("f (filter size)", f, *r["f"][:2])
    n_c_out = _whole("n_c' (output channels)", n_c_out, *r["n_c_out"][:2])
    stride = _whole("stride", stride, *r["stride"][:2])
    p = _padding(padding, f)
    out = _fits(n, f, stride, p)

    torch.manual_seed(0)
    with _device(real):
        normal = ConvBNAct(n_c, n_c_out, f, stride, padding=p, bn=False, act=None)
        sep = DepthwiseSeparable(n_c, n_c_out, stride, f, bn=False, act=None, padding=p)
    tn = trace(normal, (n_c, n, n), name="normal convolution")
    ts = trace(sep, (n_c, n, n), name="depthwise-separable convolution")
    pn, mn, txt = _conv(n_c, n_c_out, f, out)
    normal_res = _lab_result("Normal convolution", normal, tn,
                             [_stage(tn, "conv", f"{f}×{f} conv, {n_c_out} filters (each {f}×{f}×{n_c})", pn, mn, txt)])
    pd, md, txd = _conv(n_c, n_c, f, out, groups=n_c)
    pp, mp, txp = _conv(n_c, n_c_out, 1, out)
    sep_res = _lab_result("Depthwise-separable", sep, ts, [
        _stage(ts, "depthwise", f"depthwise {f}×{f}: one {f}×{f} filter per channel ({n_c})", pd, md, txd),
        _stage(ts, "pointwise", f"pointwise 1×1 conv, {n_c_out} filters (each 1×1×{n_c})", pp, mp, txp),
    ])
    return SeparableResult(normal_res, sep_res, costs.separable_comparison(n, n_c, f, n_c_out, stride, p),
                           costs.separable_ratio_formula(n_c_out, f), n_c_out, f)


def separable_ratio_curve(f: int = 3, n_c: int = 3, out: int = 4,
                          widths: tuple[int, ...] | None = None) -> list[tuple[int, float, float]]:
    """(n_c', counted multiplies ratio, formula 1/n_c' + 1/f²) over output widths.

    The counted ratio uses :func:`architectures.costs.conv_macs` for the three convolutions
    at an ``out × out`` output: it equals the formula exactly (n_H, n_W, n_c cancel).
    """
    widths = widths or tuple(sorted({1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384,
                                      512, 768, 1024}))
    rows = []
    for w in widths:
        normal = costs.conv_macs(n_c, w, f, out, out)
        sep = costs.conv_macs(n_c, n_c, f, out, out, groups=n_c) + costs.conv_macs(n_c, w, 1, out, out)
        rows.append((w, sep / normal, costs.separable_ratio_formula(w, f)))
    return rows


# ======================================================================== 5. MobileNet v2 bottleneck


@dataclass(frozen=True)
class MobileNetV2Result:
    block: LabResult  # expansion → depthwise → projection (+ residual)
    v1: LabResult  # depthwise-separable block with the same input and output
    normal: LabResult  # a normal k×k conv with the same input and output
    hidden: int  # t × n_c channels of the expanded activation
    use_residual: bool
    residual_reason: str
    expanded_bytes: int  # the largest activation inside the block (the expanded one)
    input_bytes: int
    output_bytes: int

    @property
    def agrees(self) -> bool:
        return self.block.agrees and self.v1.agrees and self.normal.agrees


def mobilenet_v2(n: int = 6, in_channels: int = 3, expand_ratio: int = 6, out_channels: int = 3,
                 stride: int = 1, kernel_size: int = 3, residual: bool = True,
                 real: bool = True) -> MobileNetV2Result:
    """Sandler et al. 2018 (MobileNetV2, Table 1): 1×1 expansion ×t → depthwise k×k → 1×1 linear
    projection, + the input when stride is 1 and channels match.

    The lecture's picture n×n×3 → n×n×18 → n×n×18 → n×n×3 (t = 6). The block uses
    batch norm and ReLU6 as in the paper, so its parameters include BN's 2 per channel.
    """
    r = MOBILENET_V2
    n = _whole("n (image size)", n, *r["n"][:2])
    cin = _whole("input channels", in_channels, *r["in_channels"][:2])
    t = _whole("expansion factor t", expand_ratio, *r["expand_ratio"][:2])
    cout = _whole("output channels", out_channels, *r["out_channels"][:2])
    stride = _whole("stride", stride, *r["stride"][:2])
    k = _choice("kernel size", kernel_size, KERNELS)
    residual = _flag("the residual connection", residual)
    hidden = cin * t
    n_out = _fits(n, k, stride, k // 2)

    torch.manual_seed(0)
    with _device(real):
        block = InvertedResidual(cin, cout, stride, expand_ratio=t, kernel_size=k, residual=residual)
    tb = trace(block, (cin, n, n), name="MobileNet v2 bottleneck")
    stages = []
    if t != 1:
        p, m, txt = _conv(cin, hidden, 1, n, bias=False, bn=True)
        stages.append(_stage(tb, "expand", f"expansion 1×1 conv, {hidden} filters (t × n_c = {t} × {cin}), ReLU6",
                             p, m, txt))
    p, m, txt = _conv(hidden, hidden, k, n_out, groups=hidden, bias=False, bn=True)
    stages.append(_stage(tb, "depthwise", f"depthwise {k}×{k}{', stride 2' if stride == 2 else ''}, ReLU6",
                         p, m, txt))
    p, m, txt = _conv(hidden, cout, 1, n_out, bias=False, bn=True)
    stages.append(_stage(tb, "project", f"projection 1×1 conv, {cout} filters (linear: no ReLU)", p, m, txt))
    block_res = _lab_result("MobileNet v2 bottleneck", block, tb, stages)

    if not residual:
        reason = "switched off"
    elif stride != 1:
        reason = "none: stride 2 changes n_H × n_W, so the input can't be added"
    elif cin != cout:
        reason = f"none: the channels change ({cin} → {cout}), so the input can't be added"
    else:
        reason = "yes: output = projection + input (same shape)"

    with _device(real):
        v1 = DepthwiseSeparable(cin, cout, stride, k)
    tv = trace(v1, (cin, n, n), name="MobileNet v1 block")
    pd, md, txd = _conv(cin, cin, k, n_out, groups=cin, bias=False, bn=True)
    pp, mp, txp = _conv(cin, cout, 1, n_out, bias=False, bn=True)
    v1_res = _lab_result("MobileNet v1 block", v1, tv, [
        _stage(tv, "depthwise", f"depthwise {k}×{k}", pd, md, txd),
        _stage(tv, "pointwise", f"pointwise 1×1, {cout}", pp, mp, txp),
    ])
    with _device(real):
        normal = ConvBNAct(cin, cout, k, stride)
    tn = trace(normal, (cin, n, n), name="normal convolution")
    pn, mn, txn = _conv(cin, cout, k, n_out, bias=False, bn=True)
    normal_res = _lab_result("Normal convolution", normal, tn, [_stage(tn, "", f"{k}×{k} conv, {cout} filters",
                                                                       pn, mn, txn)])
    expanded = max(math.prod(s.output_shape) for s in stages[:-1]) * FLOAT_BYTES
    return MobileNetV2Result(block_res, v1_res, normal_res, hidden, block.use_residual, reason, expanded,
                             cin * n * n * FLOAT_BYTES, cout * n_out * n_out * FLOAT_BYTES)


# ======================================================================== 6. EfficientNet scaling

PRESETS = ("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7")


@dataclass(frozen=True)
class NetworkCost:
    """A traced EfficientNet: per-stage rows and totals."""

    label: str
    depth: float
    width: float
    resolution: int
    params: int
    macs: int
    params_formula: int  # summed per layer with architectures.costs from the traced shapes
    macs_formula: int
    stages: tuple[Stage, ...]
    blocks: int  # MBConv blocks

    @property
    def agrees(self) -> bool:
        return self.params == self.params_formula and self.macs == self.macs_formula


@dataclass(frozen=True)
class EfficientNetResult:
    chosen: NetworkCost
    b0: NetworkCost
    predicted_factor: float  # d · w² · r² (r = resolution / 224), the paper's cost rule
    phi: float | None

    @property
    def factor(self) -> float:
        """Counted MACs relative to B0's."""
        return self.chosen.macs / self.b0.macs

    @property
    def real_pass_fits(self) -> bool:
        return self.chosen.macs <= REAL_PASS_MAX_MACS


def _layer_formula(module: nn.Module, out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> tuple[int, int]:
    """(params, MACs) of one leaf layer by the formulas of architectures.costs."""
    if isinstance(module, nn.Conv2d):
        k = module.kernel_size[0]
        return (costs.conv_params(module.in_channels, module.out_channels, k, module.groups,
                                  bias=module.bias is not None),
                costs.conv_macs(module.in_channels, module.out_channels, module.kernel_size,
                                out_shape[2], out_shape[3], module.groups))
    if isinstance(module, nn.Linear):
        return (module.in_features * module.out_features + (module.out_features if module.bias is not None else 0),
                costs.linear_macs(module.in_features, module.out_features))
    if isinstance(module, nn.BatchNorm2d):
        return 2 * module.num_features if module.affine else 0, 0
    return sum(p.numel() for p in module.parameters(recurse=False)), 0


def _shape_only(x: torch.Tensor) -> torch.Tensor:
    return x


# Layers that keep their input's shape and have no multiply-adds by the counting convention.
_SHAPE_KEEPING = (nn.modules.batchnorm._BatchNorm, nn.SiLU, nn.Sigmoid, nn.ReLU, nn.ReLU6, nn.Dropout)


@contextlib.contextmanager
def _fast_meta_elementwise(model: nn.Module):
    """On the meta device, let shape-keeping layers (batch norm, activations, dropout) pass
    their input through while tracing.

    They keep the shape and have no multiply-adds by the counting convention, but on the
    meta device PyTorch runs them through Python decompositions: batch norm alone was ~70 %
    of a shapes-only pass of EfficientNet. Their modules are still called, so hooks record
    them (same shapes) and their parameters are counted as before. Meta models only;
    restored afterwards.
    """
    patched = []
    if any(p.is_meta for p in model.parameters()):
        for m in model.modules():
            if isinstance(m, _SHAPE_KEEPING):
                m.forward = _shape_only
                patched.append(m)
    try:
        yield
    finally:
        for m in patched:
            del m.forward


def _network_cost(label: str, model: nn.Module, resolution: int, depth: float, width: float) -> NetworkCost:
    with _fast_meta_elementwise(model):
        result = trace(model, (3, resolution, resolution), name=label)
    modules = dict(model.named_modules())
    stages = []
    for g in result.group(0):
        pf = mf = 0
        for r in g.records:
            if r.is_leaf and r.call == 0:
                p, m = _layer_formula(modules[r.name], r.output_shape, r.input_shape)
                pf, mf = pf + p, mf + m
        stages.append(Stage(g.name, g.name, tuple(g.input_shape[1:]), tuple(g.output_shape[1:]), g.params, g.macs,
                            pf, mf))
    blocks = sum(1 for m in model.modules() if isinstance(m, InvertedResidual))
    return NetworkCost(label, depth, width, resolution, result.total_params, result.total_macs,
                       sum(s.params_formula for s in stages), sum(s.macs_formula for s in stages),
                       tuple(stages), blocks)


def _efficientnet_module():
    try:
        from architectures import efficientnet
    except ImportError as error:  # the zoo's EfficientNet not installed yet
        raise ValueError(f"EfficientNet is not available in the zoo: {error}") from None
    return efficientnet


@lru_cache(maxsize=16)
def preset_cost(variant: str) -> NetworkCost:
    """B0–B7 with the official coefficients, traced on the meta device (shapes only)."""
    from architectures import build

    eff = _efficientnet_module()
    variant = _choice("preset", variant, PRESETS)
    width, depth, resolution, _ = eff.VARIANTS[variant]
    model = build(f"efficientnet_{variant}", device="meta")
    return _network_cost(f"B{variant[1]}", model, resolution, depth, width)


def compound(phi: float) -> tuple[float, float, int]:
    """(depth d, width w, resolution in pixels) for compound coefficient φ (Tan & Le 2019, eq. 3)."""
    phi = _number("φ", phi, *EFFICIENTNET["phi"][:2])
    d, w, r = costs.compound_coefficients(phi)
    return d, w, int(round(224 * r))


def efficientnet(depth: float = 1.0, width: float = 1.0, resolution: int = 224,
                 phi: float | None = None, preset: str | None = None) -> EfficientNetResult:
    """B0 scaled by depth d, width w and input resolution; or by φ (the compound rule); or a preset.

    Built on the meta device (shapes only: no weights allocated) and traced; per-stage
    formula counts are summed layer by layer with :mod:`architectures.costs` from the
    traced shapes. The paper's rule predicts cost ∝ d · w² · r² (§3.3): ≈ 2^φ × B0's.
    """
    eff = _efficientnet_module()
    if preset is not None:
        chosen = preset_cost(preset)
        phi = None
    elif phi is not None:
        depth, width, resolution = compound(phi)
        from architectures import build

        model = build("efficientnet", device="meta", phi=float(phi))
        chosen = _network_cost(f"φ = {phi:g}", model, resolution, depth, width)
    else:
        r = EFFICIENTNET
        depth = _number("depth d", depth, *r["depth"][:2])
        width = _number("width w", width, *r["width"][:2])
        resolution = _whole("resolution", resolution, *r["resolution"][:2])
        from architectures.meta_build import meta_device

        with meta_device():  # torch.device("meta"), without the initialisation busywork
            model = eff.EfficientNet(width=width, depth=depth)
        chosen = _network_cost(f"d = {depth:g}, w = {width:g}, {resolution}²", model, resolution, depth, width)
    b0 = preset_cost("b0")
    factor = costs.scaling_cost_factor(chosen.depth, chosen.width, chosen.resolution / 224)
    return EfficientNetResult(chosen, b0, factor, phi)


@dataclass(frozen=True)
class RealPass:
    seconds: float
    output_shape: tuple[int, ...]
    macs: int
    params: int


def efficientnet_real_pass(depth: float = 1.0, width: float = 1.0, resolution: int = 224,
                           phi: float | None = None, preset: str | None = None) -> RealPass:
    """One real forward pass (random weights, a zero image) of the chosen network on the CPU.

    Raises ValueError when the network costs more than ``REAL_PASS_MAX_MACS``.
    """
    from architectures import build

    eff = _efficientnet_module()
    costed = efficientnet(depth, width, resolution, phi, preset).chosen
    if costed.macs > REAL_PASS_MAX_MACS:
        raise ValueError(
            f"{costed.label} needs {short(costed.macs)} multiply-adds per image: too slow for a real "
            f"forward pass here (the limit is {short(REAL_PASS_MAX_MACS)}, about B2). The counts above come "
            "from a shapes-only pass, which is exact."
        )
    torch.manual_seed(0)
    if preset is not None:
        model = build(f"efficientnet_{preset}")
    elif phi is not None:
        model = build("efficientnet", phi=float(phi))
    else:
        model = eff.EfficientNet(width=costed.width, depth=costed.depth)
    start = time.perf_counter()
    result = trace(model, (3, costed.resolution, costed.resolution), name=costed.label)
    seconds = time.perf_counter() - start
    return RealPass(seconds, tuple(result.output_shape), result.total_macs, result.total_params)
