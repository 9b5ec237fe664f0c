"""The 1×1 convolution (Lin, Chen, Yan, "Network In Network", 2013).

The lecture's two pictures: a 6×6 image × a 1×1 filter of value 2 (every pixel doubled),
and 28×28×192 → 32 filters of 1×1×192 → 28×28×32: n_H and n_W stay, n_C changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from architectures.blocks import ConvBNAct
from viz.blocklab.common import LabResult, conv_cost, device, lab_result, stage
from viz.controls import flag, floats, ints
from viz.trace import trace

# The 6×6 image of the lecture's 1×1-convolution slide (transcribed from the slide).
LECTURE_IMAGE = (
    (1, 2, 3, 6, 5, 8),
    (3, 5, 5, 1, 3, 4),
    (2, 1, 3, 4, 9, 3),
    (4, 7, 8, 5, 7, 9),
    (1, 5, 3, 7, 4, 8),
    (5, 4, 9, 8, 3, 5),
)

# One channel: the slide's image times one 1×1 filter.
VALUE = floats("g_value", "value", "The 1×1 filter's value", -5.0, 5.0, 2.0, step=1.0, widget="number")
GRID_CONTROLS = (VALUE,)

# Many channels: n × n × n_C → #filters 1×1 convolutions (the lecture's 28×28×192 → 28×28×32).
N = ints("o_n", "n", "n (n_H = n_W)", 1, 64, 28)
N_C = ints("o_nc", "n_c", "n_C (input channels)", 1, 512, 192)
FILTERS = ints("o_f", "filters", "#filters (each 1 × 1 × n_C)", 1, 512, 32)
RELU = flag("o_relu", "relu", "ReLU after the conv", widget="checkbox")
CONTROLS = (N, N_C, FILTERS, RELU)


@dataclass(frozen=True)
class GridResult:
    """The slide's 6×6 image times a 1×1 filter, by a real 1×1 convolution."""

    image: tuple[tuple[float, ...], ...]
    value: float
    output: tuple[tuple[float, ...], ...]


def one_by_one_grid(value: float = VALUE.default) -> GridResult:
    """The lecture's 6×6×1 image * a 1×1×1 filter of ``value`` (default 2): every pixel × value."""
    value = VALUE.check(value)
    conv = ConvBNAct(1, 1, 1, bn=False, act=None, bias=False)
    with torch.no_grad():
        conv.conv.weight.fill_(value)
        image = torch.tensor(LECTURE_IMAGE, dtype=torch.float32)[None, None]
        out = conv(image)[0, 0]
    return GridResult(LECTURE_IMAGE, value, tuple(tuple(float(v) for v in row) for row in out.tolist()))


def one_by_one(n: int = N.default, n_c: int = N_C.default, filters: int = FILTERS.default,
               relu: bool = RELU.default, real: bool = True) -> LabResult:
    """n×n×n_C → CONV 1×1 with ``filters`` filters (+ ReLU) → n×n×filters: n_H, n_W stay, n_C changes.

    Lin et al. 2013 ("Network in Network"); the lecture's 28×28×192 → 28×28×32.
    """
    n, n_c, filters, relu = N.check(n), N_C.check(n_c), FILTERS.check(filters), RELU.check(relu)
    torch.manual_seed(0)
    with device(real):
        block = ConvBNAct(n_c, filters, 1, bn=False, act="relu" if relu else None)
    result = trace(block, (n_c, n, n), name="1×1 convolution")
    params, macs, text = conv_cost(n_c, filters, 1, n)
    stages = [stage(result, "conv", f"CONV 1×1, {filters} filters (each 1×1×{n_c})", params, macs, text)]
    if relu:
        stages.append(stage(result, "act", "ReLU", 0, 0, "no multiplies"))
    return lab_result("1×1 convolution", block, result, stages)
