"""A layer's sliding window — kernel, stride, padding, dilation, groups — read from the module.

The lecture describes every convolution and pooling layer by its window: "CONV 11×11,
s = 4" (AlexNet's first layer), "MAX-POOL 3×3, s = 2", "same" padding p = (f − 1)/2,
and a depthwise convolution by its groups (one filter per channel, groups = n_C).
The tracer records each module call's shapes; :func:`window_of` adds the window the
module was built with, so the layer table and the layer details can show
``n_out = ⌊(n + 2p − f)/s⌋ + 1`` with the numbers of the real layer, not ones guessed
back from the shapes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from torch import nn


class Window(NamedTuple):
    """The window of a convolution or pooling layer, (rows, columns) each.

    kernel     f: (f_h, f_w)
    stride     s: (s_h, s_w)
    padding    p: (p_h, p_w) on each side (PyTorch's ``padding="same"`` as the pixels it adds
               in front, ``"valid"`` as 0)
    dilation   (d_h, d_w); 1 for pooling except max-pooling with dilation
    groups     1 for an ordinary convolution, n_C for a depthwise one; 1 for pooling
    ceil_mode  pooling that rounds the output size up (GoogLeNet's 3×3/2 max-pools)
    """

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    ceil_mode: bool = False


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return (int(value[0]), int(value[-1])) if value else (1, 1)
    return int(value), int(value)


def _conv(module: nn.Conv2d) -> Window:
    kernel, dilation = _pair(module.kernel_size), _pair(module.dilation)
    padding = module.padding
    if isinstance(padding, str):  # "valid" = 0; "same" adds (f − 1)·d in all, the smaller half in front
        padding = (0, 0) if padding == "valid" else tuple((k - 1) * d // 2 for k, d in zip(kernel, dilation))
    return Window(kernel, _pair(module.stride), _pair(padding), dilation, int(module.groups))


def _max_pool(module: nn.MaxPool2d) -> Window:
    kernel = _pair(module.kernel_size)
    stride = _pair(module.stride) if module.stride not in (None, (), []) else kernel
    return Window(kernel, stride, _pair(module.padding), _pair(module.dilation), 1, bool(module.ceil_mode))


def _avg_pool(module: nn.AvgPool2d) -> Window:
    kernel = _pair(module.kernel_size)
    stride = _pair(module.stride) if module.stride not in (None, (), []) else kernel
    return Window(kernel, stride, _pair(module.padding), (1, 1), 1, bool(module.ceil_mode))


_READERS = ((nn.Conv2d, _conv), (nn.MaxPool2d, _max_pool), (nn.AvgPool2d, _avg_pool))
_BY_CLASS: dict[type, Any] = {}  # module class -> its reader (None: no window), found once per class


def window_of(module: nn.Module) -> Window | None:
    """The window of a 2-d convolution or (non-adaptive) pooling module; None for anything else."""
    cls = type(module)
    reader = _BY_CLASS.get(cls, _BY_CLASS)
    if reader is _BY_CLASS:
        reader = next((read for kind, read in _READERS if issubclass(cls, kind)), None)
        _BY_CLASS[cls] = reader
    return reader(module) if reader is not None else None
