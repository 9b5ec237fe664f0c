"""Receptive fields of any network, from a real forward pass.

A unit's receptive field is the patch of input pixels that can change its value. Along
each axis a feature map's fields are described by three numbers (Araujo, Norris & Sim,
"Computing Receptive Fields of Convolutional Neural Networks", Distill 2019, eqs. 1–2 in
their "size, jump, start" form):

* ``size`` r — how many input pixels one unit sees,
* ``jump`` j — how far apart (in input pixels) neighbouring units' fields are,
* ``start`` — the centre of unit 0's field, in input pixel coordinates (pixel centres 0, 1, …).

The input itself is ``r = 1, j = 1, start = 0``; a convolution or pooling with kernel k,
stride s, padding p and dilation d maps (r, j, start) to

    r_out = r_in + (k − 1)·d·j_in,   j_out = j_in·s,   start_out = start_in + ((k − 1)/2·d − p)·j_in.

Networks are not all chains (residual adds, Inception's concatenations, squeeze-excite),
so :func:`trace_fields` carries a field with every tensor through a real forward pass,
under a :class:`torch.overrides.TorchFunctionMode`: convolutions and pools apply the rule
above, padding shifts ``start``; any other op whose output keeps its input's spatial grid
(add, cat, batch norm, activations, multiply …) takes the union of its tensor inputs' fields;
an op that leaves the grid (flatten, linear, a mean over the map, a global pool) sees the
union of every unit of its input — the whole field of the map. Each module call then gets
its output's field. A tensor's field is the union over its channels (the channels of a
concatenation may see less: Inception's 1×1 branch sees less than its 5×5 branch). The pass may run on the meta device (shapes only, no arithmetic).

Checked against gradients on the real modules (``tests/viz/test_receptive_field.py``): VGG-16's
conv5_3 sees 196 × 196 pixels and its last max-pool 212 × 212.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.overrides import TorchFunctionMode


@dataclass(frozen=True)
class Axis:
    """Receptive fields of one feature map along one axis: (size, jump, start)."""

    size: float
    jump: float
    start: float

    def span(self, i: int) -> tuple[float, float]:
        """First and last input pixel (centres, unclipped) in unit ``i``'s field."""
        centre = self.start + i * self.jump
        half = (self.size - 1) / 2
        return centre - half, centre + half

    def window(self, kernel: int, stride: int, padding: int, dilation: int = 1) -> Axis:
        """After a kernel-``kernel`` convolution or pool (the rule in the module docstring)."""
        return Axis(self.size + (kernel - 1) * dilation * self.jump, self.jump * stride,
                    self.start + ((kernel - 1) / 2 * dilation - padding) * self.jump)

    def padded(self, before: int) -> Axis:
        """After ``before`` pixels of padding in front: unit 0 now sits ``before`` units earlier."""
        return replace(self, start=self.start - before * self.jump)

    def everything(self, n: int) -> Axis:
        """One unit that sees all ``n`` units of this map (flatten, linear, global pooling)."""
        lo, hi = self.span(0)[0], self.span(n - 1)[1]
        return Axis(hi - lo + 1, 0.0, (lo + hi) / 2)


INPUT_AXIS = Axis(1.0, 1.0, 0.0)


def _union(a: Axis, b: Axis, n: int) -> tuple[Axis, bool]:
    """Unit-wise union of two fields on a map of ``n`` units; False if only approximately linear."""
    if a.jump == b.jump:
        lo = min(a.span(0)[0], b.span(0)[0])
        hi = max(a.span(0)[1], b.span(0)[1])
        return Axis(hi - lo + 1, a.jump, (lo + hi) / 2), True
    # Different jumps (say a squeeze-excite's global scale times a map): both ends of a field
    # are linear in the unit index, so the union is linear when one field holds the other at
    # the first and the last unit — then it holds it everywhere.
    last = max(n - 1, 0)
    for outer, inner in ((a, b), (b, a)):
        if all(outer.span(i)[0] <= inner.span(i)[0] and outer.span(i)[1] >= inner.span(i)[1] for i in (0, last)):
            return outer, True
    lo0, hi0 = min(a.span(0)[0], b.span(0)[0]), max(a.span(0)[1], b.span(0)[1])
    lo1, hi1 = min(a.span(last)[0], b.span(last)[0]), max(a.span(last)[1], b.span(last)[1])
    jump = ((lo1 + hi1) - (lo0 + hi0)) / 2 / last if last else 0.0
    return Axis(max(hi0 - lo0, hi1 - lo1) + 1, jump, (lo0 + hi0) / 2), False


@dataclass(frozen=True)
class Field:
    """The receptive fields of one tensor's units: an :class:`Axis` for rows (y) and for columns (x).

    ``grid`` is False once the tensor has left the input's grid (after flatten / linear): every
    unit then sees the same field. ``exact`` is False if an op was only approximated.
    """

    y: Axis
    x: Axis
    grid: bool = True
    exact: bool = True

    @property
    def size(self) -> tuple[float, float]:
        """(rows, columns) of input pixels one unit sees, before clipping to the image."""
        return self.y.size, self.x.size

    def box(self, row: int, col: int, image_hw: tuple[int, int]) -> tuple[int, int, int, int]:
        """Unit (row, col)'s field clipped to the image: ``(y0, x0, y1, x1)``, last pixels included."""
        if not self.grid:
            row = col = 0
        (y0, y1), (x0, x1) = self.y.span(row), self.x.span(col)
        h, w = image_hw
        return (max(0, math.ceil(y0)), max(0, math.ceil(x0)), min(h - 1, math.floor(y1)),
                min(w - 1, math.floor(x1)))


INPUT_FIELD = Field(INPUT_AXIS, INPUT_AXIS)


@dataclass(frozen=True)
class LayerField:
    """One module call: its qualified name, class, output shape and output's receptive field."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    field: Field


@dataclass(frozen=True)
class FieldTrace:
    input_hw: tuple[int, int]
    layers: tuple[LayerField, ...]

    def __getitem__(self, name: str) -> LayerField:
        """The last call of the module called ``name``."""
        for layer in reversed(self.layers):
            if layer.name == name:
                return layer
        raise KeyError(name)


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return (int(value[0]), int(value[-1])) if value else (1, 1)
    return int(value), int(value)


def _arg(args: Sequence[Any], kwargs: dict, index: int, name: str, default: Any) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _spatial(t: torch.Tensor) -> tuple[int, int]:
    return int(t.shape[-2]), int(t.shape[-1])


_CONV = {torch.conv2d, F.conv2d}
_MAX_POOL = {F.max_pool2d, F.max_pool2d_with_indices, torch.max_pool2d}
_AVG_POOL = {F.avg_pool2d, torch._C._nn.avg_pool2d}
_ADAPTIVE = {F.adaptive_avg_pool2d, F.adaptive_max_pool2d, torch._C._nn.adaptive_avg_pool2d,
             F.adaptive_max_pool2d_with_indices}


def _adaptive_axis(axis: Axis, n_in: int, n_out: int) -> tuple[Axis, bool]:
    """Adaptive pooling: output i averages inputs floor(i·n_in/n_out) … ceil((i+1)·n_in/n_out) − 1."""
    if n_out == 1:
        return axis.everything(n_in), True
    windows = [(i * n_in // n_out, -(-(i + 1) * n_in // n_out)) for i in range(n_out)]
    kernels = {end - begin for begin, end in windows}
    steps = {windows[i + 1][0] - windows[i][0] for i in range(n_out - 1)}
    kernel = max(kernels)
    if len(kernels) == 1 and len(steps) == 1:
        step = steps.pop()
        return Axis(axis.size + (kernel - 1) * axis.jump, axis.jump * step,
                    axis.start + (kernel - 1) / 2 * axis.jump), True
    return Axis(axis.size + (kernel - 1) * axis.jump, axis.jump * n_in / n_out,
                axis.start + (kernel - 1) / 2 * axis.jump), False


class _FieldMode(TorchFunctionMode):
    """Carries a :class:`Field` beside every tensor computed from the input."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[int, tuple[torch.Tensor, Field]] = {}  # id → (tensor kept alive, field)

    def field_of(self, t: Any) -> Field | None:
        if isinstance(t, torch.Tensor):
            entry = self.fields.get(id(t))
            if entry is not None and entry[0] is t:
                return entry[1]
        return None

    def set(self, t: torch.Tensor, field: Field) -> None:
        self.fields[id(t)] = (t, field)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        inputs = [(t, f) for t in _tensors(args, kwargs) if (f := self.field_of(t)) is not None]
        if not inputs:
            return out
        field = self._rule(func, args, kwargs, inputs, out)
        for t in _tensors((out,), {}):
            self.set(t, field)
        return out

    def _rule(self, func, args, kwargs, inputs, out) -> Field:
        x, fx = inputs[0]
        if func in _CONV and fx.grid:
            weight = _arg(args, kwargs, 1, "weight", None)
            kh, kw = int(weight.shape[-2]), int(weight.shape[-1])
            (sh, sw) = _pair(_arg(args, kwargs, 3, "stride", 1))
            (dh, dw) = _pair(_arg(args, kwargs, 5, "dilation", 1))
            padding = _arg(args, kwargs, 4, "padding", 0)
            if isinstance(padding, str):  # "valid" = 0; "same" pads (k−1)·d in all, the smaller half first
                ph, pw = (0, 0) if padding == "valid" else ((kh - 1) * dh // 2, (kw - 1) * dw // 2)
            else:
                ph, pw = _pair(padding)
            return replace(fx, y=fx.y.window(kh, sh, ph, dh), x=fx.x.window(kw, sw, pw, dw))
        if (func in _MAX_POOL or func in _AVG_POOL) and fx.grid:
            kh, kw = _pair(_arg(args, kwargs, 1, "kernel_size", 1))
            stride = _arg(args, kwargs, 2, "stride", None)
            sh, sw = _pair(stride) if stride not in (None, (), []) else (kh, kw)
            ph, pw = _pair(_arg(args, kwargs, 3, "padding", 0))
            dh, dw = _pair(_arg(args, kwargs, 4, "dilation", 1)) if func in _MAX_POOL else (1, 1)
            return replace(fx, y=fx.y.window(kh, sh, ph, dh), x=fx.x.window(kw, sw, pw, dw))
        if func in _ADAPTIVE and fx.grid:
            first = out[0] if isinstance(out, tuple) else out
            (hin, win), (hout, wout) = _spatial(x), _spatial(first)
            y, exact_y = _adaptive_axis(fx.y, hin, hout)
            xa, exact_x = _adaptive_axis(fx.x, win, wout)
            return Field(y, xa, hout > 1 or wout > 1, fx.exact and exact_y and exact_x)
        if func is F.pad and fx.grid:
            pad = list(_arg(args, kwargs, 1, "pad", ()))
            left, top = (pad + [0, 0, 0, 0])[0], (pad + [0, 0, 0, 0])[2]
            return replace(fx, y=fx.y.padded(top), x=fx.x.padded(left))
        return self._union(inputs, out)

    @staticmethod
    def _union(inputs, out) -> Field:
        first = out[0] if isinstance(out, (tuple, list)) and out else out
        keeps_grid = (isinstance(first, torch.Tensor) and first.dim() >= 3 and all(
            f.grid and t.dim() >= 3 and _spatial(t) == _spatial(first) for t, f in inputs))
        fields = []
        for t, f in inputs:
            if f.grid and not keeps_grid and t.dim() >= 3:  # leaves the grid: sees every unit of t
                h, w = _spatial(t)
                f = Field(f.y.everything(h), f.x.everything(w), False, f.exact)
            fields.append(f)
        hw = _spatial(first) if keeps_grid else (1, 1)
        result = fields[0]
        for f in fields[1:]:
            y, exact_y = _union(result.y, f.y, hw[0])
            x, exact_x = _union(result.x, f.x, hw[1])
            result = Field(y, x, keeps_grid, result.exact and f.exact and exact_y and exact_x)
        return replace(result, grid=keeps_grid and result.grid)


def _tensors(args: Sequence[Any], kwargs: dict) -> list[torch.Tensor]:
    found: list[torch.Tensor] = []

    def visit(value: Any) -> None:
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)

    visit(list(args))
    visit(list(kwargs.values()))
    return found


def trace_fields(model: nn.Module, x: torch.Tensor) -> FieldTrace:
    """Run ``model(x)`` once and give every module call its output's receptive field.

    ``x`` is ``(N, C, H, W)`` (any device, meta included). Forward hooks are added to the
    model for the pass and removed after: pass a model of your own, not one shared with
    other sessions.
    """
    mode = _FieldMode()
    layers: list[LayerField] = []
    names = {id(m): n for n, m in model.named_modules()}

    def hook(module: nn.Module, _inputs: Any, output: Any) -> None:
        first = output[0] if isinstance(output, (tuple, list)) and output else output
        field = mode.field_of(first)
        if field is not None and names.get(id(module)):
            layers.append(LayerField(names[id(module)], type(module).__name__, tuple(first.shape), field))

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        mode.set(x, INPUT_FIELD)
        with torch.no_grad(), mode:
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return FieldTrace(_spatial(x), tuple(layers))
