"""The counting convention at work: the multiply-adds of one layer call, from its input and output shapes.

The convention (DESIGN.md; stated in full at the top of :mod:`viz.trace`): MACs are
the multiplications of weights by inputs in convolutions and fully connected layers,
no bias adds and no element-wise work — ``torch.utils.flop_counter``'s count / 2.

What is counted, precisely:

* ``nn.Conv1d/2d/3d``: ``N · prod(output spatial) · weight.numel()`` — any stride,
  padding, dilation and groups (depthwise included), since ``weight.numel()`` is
  ``C_out · C_in/groups · k_h · k_w``. ``nn.ConvTranspose*``: the same with the
  *input* spatial size (each input position scatters one filter).
* ``nn.Linear``: ``(input elements / in_features) · in_features · out_features``,
  so a linear layer on an ``(N, T, F)`` input counts all ``N · T`` rows.
* Any other module: 0. Functional calls inside a ``forward`` (``F.relu``,
  ``torch.flatten``, ``x + y``, ``torch.cat``) get no record of their own; they
  have no multiply-adds by the convention, so no cost goes missing. A *functional
  convolution or matrix product* (``F.conv2d``, ``F.linear``, ``x @ w``) inside a
  custom ``forward`` would not be counted: the zoo writes every such layer as a
  module, and the tests check our totals against ``FlopCounterMode`` (which sees
  every ATen op) on every network of the zoo, so a hidden one would be caught.

Modules called more than once get one record per call (``call`` = 0, 1, …),
each with its own MACs; a parameter is counted once, at the first record of the
first module (in execution order) that owns it — also when two modules share a
weight. ``total_params`` is always ``sum(p.numel() for p in model.parameters())``
(PyTorch's own de-duplicated count); parameters of modules the forward pass never
entered (e.g. GoogLeNet's auxiliary heads in eval mode) or owned by the model
object itself are reported in ``TraceResult.extra``. (:func:`layer_macs` is the
per-call count; the parameters are attributed where the records are made,
``viz.trace.recording``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from torch import nn


def _conv_macs(module: nn.modules.conv._ConvNd, in_shape: Sequence[int], out_shape: Sequence[int]) -> int:
    """``N · positions · weight.numel()``; positions of the output (of the input if transposed)."""
    spatial = in_shape[2:] if module.transposed else out_shape[2:]
    return int(out_shape[0] * prod(spatial) * module.weight.numel())


def _linear_macs(module: nn.Linear, in_shape: Sequence[int]) -> int:
    """Every row of the input (all leading dimensions) times ``in × out``."""
    return int(prod(in_shape) * module.out_features)


def layer_macs(module: nn.Module, in_shape: Sequence[int], out_shape: Sequence[int]) -> int:
    """Multiply-adds of one call of ``module`` from its input and output shapes."""
    if not in_shape or not out_shape:
        return 0
    if isinstance(module, nn.modules.conv._ConvNd):
        return _conv_macs(module, in_shape, out_shape)
    if isinstance(module, nn.Linear):
        return _linear_macs(module, in_shape)
    return 0
