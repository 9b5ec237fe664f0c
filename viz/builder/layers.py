"""A checked row on its input → the module it builds, as a constructor call (one description, two uses).

:func:`layer_for` takes a row's :class:`~viz.builder.rows.Settings` and the shape the row above
gives it, checks what only the shape can tell (a map that collapses, groups that don't divide
the channels, an identity shortcut between different shapes, a fully connected layer on a map,
a convolution on a vector) and returns a :class:`Layer`: the constructor to call, with its
arguments. The same :class:`Layer` builds the module here (:meth:`Layer.build`) and is written
into the exported PyTorch file (:meth:`Layer.code`), so the file builds exactly what the page
traced. Constructors are the zoo's blocks (``architectures.blocks``) and plain ``torch.nn``.

A problem is a :class:`RowProblem` (a ``ValueError``) saying what is wrong and what would fix
it; the caller adds the row number ("row 7: …").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import nn

from architectures import blocks
from architectures.alexnet import LRN_ALPHA, LRN_BETA, LRN_K, LRN_SIZE
from architectures.blocks import ACTIVATIONS
from viz.builder.rows import KINDS, Settings
from viz.formatting import shape_text

# What a Layer may call: the zoo's blocks and torch.nn's layers, by the name the exported file uses.
_BLOCKS = ("ConvBNAct", "InceptionModule", "BasicBlock", "Bottleneck", "DepthwiseSeparable", "InvertedResidual")
CONSTRUCTORS: dict[str, Any] = {name: getattr(blocks, name) for name in _BLOCKS}
CONSTRUCTORS.update({f"nn.{cls.__name__}": cls for cls in (
    nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.LocalResponseNorm, nn.Flatten, nn.Linear, nn.Dropout,
    nn.Identity, *ACTIVATIONS.values())})


class RowProblem(ValueError):
    """A row that cannot work on its input: the message says why and what would fix it."""


@dataclass(frozen=True)
class Layer:
    """A constructor call: ``CONSTRUCTORS[call](*args, **dict(kwargs))``. Hashable (a cache key)."""

    call: str
    args: tuple = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def build(self) -> nn.Module:
        return CONSTRUCTORS[self.call](*self.args, **dict(self.kwargs))

    def code(self) -> str:
        """The call as Python source: ``ConvBNAct(3, 64, 3, stride=2, act='relu')``."""
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{self.call}({', '.join(parts)})"


def _layer(call: str, *args: Any, **kwargs: Any) -> Layer:
    return Layer(call, args, tuple(kwargs.items()))


def _map_text(shape: tuple[int, ...]) -> str:
    return f"a {shape_text(shape)} map" if len(shape) == 4 else f"{shape[-1]:,} features (a vector)"


def _divisors(n: int, limit: int = 8) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0][:limit]


def _window_fits(what: str, k: int, s: int, p: int, shape: tuple[int, ...], *, pool: bool) -> None:
    """A k×k window (stride s, padding p) must leave at least one output position on each side."""
    _, _, h, w = shape
    small = min(h, w)
    if pool and p > k // 2:
        raise RowProblem(f"padding {p} is more than half the {k}×{k} pool: use at most {k // 2}.")
    if small + 2 * p >= k:
        return
    needed = math.ceil((k - small) / 2)
    fixes = []
    if not pool or needed <= k // 2:
        fixes.append(f"use padding {needed}" + (" (or leave p blank: 'same')" if not pool and needed <= k // 2 else ""))
    fixes.append(f"a kernel of at most {small + 2 * p}")
    fixes.append("remove a pool or a stride earlier")
    article = "an" if str(k).startswith("8") or k in (11, 18) else "a"  # "an 8×8", "an 11×11"
    raise RowProblem(f"{article} {k}×{k} {what} on a {h}×{w} map (padding {p}) leaves nothing; "
                     f"{', or '.join(fixes)}.")


def _needs_map(settings: Settings, shape: tuple[int, ...]) -> None:
    if len(shape) != 4:
        raise RowProblem(f"a {KINDS[settings.kind].label} needs a map (n_H × n_W × n_C), but its input is "
                         f"{_map_text(shape)}, after a flatten or a fully connected layer; move this row above "
                         "the flatten, or remove the flatten.")


def _activation(name: str | None) -> str | None:
    return None if name in (None, "none") else name


def layer_for(settings: Settings, shape: tuple[int, ...]) -> Layer:
    """The layer a checked row builds on an input of ``shape`` (``(N, C, H, W)`` or ``(N, F)``),
    or :class:`RowProblem` saying why it can't work there and what would fix it."""
    kind = settings.kind
    info = KINDS[kind]
    if info.needs_map:
        _needs_map(settings, shape)
    channels = shape[1]
    s = settings
    if kind in ("conv", "conv1x1"):
        k = s.k if kind == "conv" else 1
        padding = s.p if kind == "conv" else 0
        _window_fits("conv", k, s.s, k // 2 if padding is None else padding, shape, pool=False)
        if channels % s.groups or s.c % s.groups:
            common = [d for d in _divisors(math.gcd(channels, s.c), 64)][:8]
            raise RowProblem(f"groups {s.groups} must divide both the {channels} input channels and the {s.c} "
                             f"filters; try {', '.join(map(str, common))}"
                             + (f" (depthwise: groups = c = {channels})" if s.c == channels else "") + ".")
        kwargs: dict[str, Any] = {"stride": s.s}
        if padding is not None:
            kwargs["padding"] = padding
        if s.groups != 1:
            kwargs["groups"] = s.groups
        kwargs.update(bn=s.bn, act=_activation(s.act))
        return _layer("ConvBNAct", channels, s.c, k, **kwargs)
    if kind in ("maxpool", "avgpool"):
        stride = s.s if s.s is not None else s.k
        padding = s.p or 0
        _window_fits("pool", s.k, stride, padding, shape, pool=True)
        call = "nn.MaxPool2d" if kind == "maxpool" else "nn.AvgPool2d"
        kwargs = {"stride": stride}
        if padding:
            kwargs["padding"] = padding
        if s.ceil:
            kwargs["ceil_mode"] = True
        return _layer(call, s.k, **kwargs)
    if kind == "gap":
        return _layer("nn.AdaptiveAvgPool2d", 1)
    if kind == "lrn":
        # AlexNet's (Krizhevsky et al. 2012, §3.3); PyTorch divides alpha by the size, so it gets n·α.
        return _layer("nn.LocalResponseNorm", LRN_SIZE, alpha=LRN_SIZE * LRN_ALPHA, beta=LRN_BETA, k=LRN_K)
    if kind == "inception":
        return _layer("InceptionModule", channels, *s.inception, bn=s.bn)
    if kind in ("basic", "bottleneck"):
        out = s.c * (4 if kind == "bottleneck" else 1)
        if s.shortcut == "identity" and (s.s != 1 or channels != out):
            _, _, h, w = shape
            after = (1, out, -(-h // s.s), -(-w // s.s))
            keep = f"stride 1 and c = {channels // 4}" if kind == "bottleneck" and channels % 4 == 0 else \
                f"stride 1 and c = {channels}" if kind == "basic" else "stride 1"
            raise RowProblem(f"an identity shortcut adds the {shape_text(shape)} input to the block's "
                             f"{shape_text(after)} output, a different shape; use shortcut projection (a 1×1 "
                             f"conv where the shapes change, He et al. 2016's option B), or {keep}.")
        call = "Bottleneck" if kind == "bottleneck" else "BasicBlock"
        return _layer(call, channels, s.c, stride=s.s, residual=s.shortcut != "none", bn=s.bn)
    if kind == "dwsep":
        _window_fits("depthwise conv", s.k, s.s, s.k // 2 if s.p is None else s.p, shape, pool=False)
        kwargs = {"stride": s.s, "kernel_size": s.k, "bn": s.bn, "act": _activation(s.act)}
        if s.p is not None:
            kwargs["padding"] = s.p
        return _layer("DepthwiseSeparable", channels, s.c, **kwargs)
    if kind in ("mbv2", "mbconv"):
        t = int(s.t) if float(s.t).is_integer() else s.t
        kwargs = {"stride": s.s, "expand_ratio": t, "kernel_size": s.k, "act": _activation(s.act) or "relu6"}
        if kind == "mbconv":
            kwargs["se_ratio"] = s.se
        if s.shortcut == "none":
            kwargs["residual"] = False
        if _activation(s.act) is None:
            raise RowProblem("an inverted residual needs an activation after its expansion and depthwise "
                             "convolutions (MobileNet v2: relu6; EfficientNet: silu); the projection is linear.")
        return _layer("InvertedResidual", channels, s.c, **kwargs)
    if kind == "act":
        name = _activation(s.act)
        return _layer("nn.Identity" if name is None else f"nn.{ACTIVATIONS[name].__name__}")
    if kind == "flatten":
        return _layer("nn.Flatten")
    if kind == "fc":
        if len(shape) != 2:
            raise RowProblem(f"a fully connected layer needs a vector of features, but its input is "
                             f"{_map_text(shape)}; add a FLATTEN row above it (or a GLOBAL AVG POOL, then a "
                             "FLATTEN).")
        return _layer("nn.Linear", channels, s.c)
    if kind == "dropout":
        return _layer("nn.Dropout", s.drop)
    raise AssertionError(f"no layer for kind {kind!r}")  # every KINDS id is handled above
