"""What the trained LeNet-5 does with one digit: every layer's output, C1's kernels, one C1
unit's arithmetic, and where each unit looks (its receptive field on the input).

The model is never changed here (no hooks, no mode switch): the stored one is shared by
every session. Stages are the zoo's (``architectures/lenet.py``): c1, s2, c3, s4, c5, f6,
output — LeCun et al. 1998's names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from viz import trained
from viz.data import mnist
from viz.trace.receptive import Field, trace_fields

STAGES = ("c1", "s2", "c3", "s4", "c5", "f6", "output")
MAP_STAGES = ("c1", "s2", "c3", "s4")  # outputs that are images; c5, f6, output are vectors
TITLES = {
    "c1": "C1 · convolution: 6 feature maps of 28 × 28",
    "s2": "S2 · subsampling: 6 maps of 14 × 14",
    "c3": "C3 · convolution: 16 maps of 10 × 10",
    "s4": "S4 · subsampling: 16 maps of 5 × 5",
    "c5": "C5 · convolution to 1 × 1: 120 units",
    "f6": "F6 · fully connected: 84 units",
    "output": "Output: 10 units, one per digit",
}


@functools.lru_cache(maxsize=2)
def stored_model(style: str) -> nn.Module:
    """The stored trained LeNet-5 (shared: read it, never change it)."""
    return trained.load(style)


@dataclass(frozen=True)
class Forward:
    """One digit through the network."""

    input32: np.ndarray  # float32 (32, 32): what C1 sees (normalised, padded)
    maps: dict[str, np.ndarray]  # stage → its output without the batch: (6, 28, 28) … (10,)
    c1_sums: np.ndarray  # (6, 28, 28): C1 before its activation (the weighted sums)
    probabilities: np.ndarray  # (10,), softmax of the output
    prediction: int


def forward(model: nn.Module, digit: np.ndarray) -> Forward:
    """Run the 28×28 uint8 ``digit`` through ``model`` stage by stage."""
    x = mnist.lenet_input(digit)
    maps: dict[str, np.ndarray] = {}
    with torch.no_grad():
        h = x
        for name, stage in model.named_children():
            h = stage(h)
            maps[name] = h[0].numpy().copy()
        sums = model.c1.conv(x)[0].numpy()
        probabilities = torch.softmax(h[0], 0).numpy()
    for name in ("c5",):
        maps[name] = maps[name].reshape(-1)  # 120 × 1 × 1 → 120
    return Forward(x[0, 0].numpy(), maps, sums, probabilities, int(probabilities.argmax()))


def c1_kernels(model: nn.Module) -> tuple[np.ndarray, np.ndarray]:
    """C1's six learned 5×5 filters ``(6, 5, 5)`` and their biases ``(6,)``."""
    conv = model.c1.conv
    return conv.weight.detach()[:, 0].numpy().copy(), conv.bias.detach().numpy().copy()


@dataclass(frozen=True)
class UnitSum:
    """One C1 unit, the lecture's way: 25 inputs × 25 weights, summed, plus the bias."""

    map: int
    row: int
    col: int
    inputs: np.ndarray  # (5, 5): the input pixels under the filter
    weights: np.ndarray  # (5, 5)
    bias: float
    total: float  # Σ inputs·weights + bias
    activation: str  # "ReLU" or "tanh"
    output: float  # activation(total): the value shown in C1's map


def c1_unit(model: nn.Module, result: Forward, map_: int, row: int, col: int) -> UnitSum:
    """The arithmetic behind C1's unit (map_, row, col), computed from the weights by hand."""
    if not (0 <= map_ < 6 and 0 <= row < 28 and 0 <= col < 28):
        raise ValueError(f"C1 has 6 maps of 28 × 28; unit ({map_}, {row}, {col}) is not one of them")
    weights, biases = c1_kernels(model)
    inputs = result.input32[row:row + 5, col:col + 5].astype(np.float64)
    total = float((inputs * weights[map_]).sum() + biases[map_])
    relu = isinstance(model.c1.act, nn.ReLU)
    output = max(total, 0.0) if relu else float(np.tanh(total))
    return UnitSum(map_, row, col, inputs, weights[map_].astype(np.float64), float(biases[map_]), total,
                   "ReLU" if relu else "tanh", output)


@functools.lru_cache(maxsize=2)
def fields(style: str) -> dict[str, Field]:
    """Each stage's receptive field, traced through a fresh (untrained) LeNet-5 of ``style``."""
    trace = trace_fields(trained.training.new_lenet(style), torch.zeros(1, 1, mnist.LENET_SIDE, mnist.LENET_SIDE))
    return {name: trace[name].field for name in STAGES}


def field_box(style: str, stage: str, row: int, col: int) -> tuple[int, int, int, int]:
    """The input pixels ``(y0, x0, y1, x1)`` (32×32 coordinates, inclusive) that unit (row, col) of ``stage`` sees."""
    return fields(style)[stage].box(row, col, (mnist.LENET_SIDE, mnist.LENET_SIDE))
