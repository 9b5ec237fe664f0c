"""What a pass will cost, known before it runs: multiply-adds from a shapes-only pass.

The shared worker refuses work past its budget *before* running it
(:func:`viz.compute.run_heavy`'s ``cost=``), so a page needs the cost of
``trace_network(name, options, input_size)`` without doing the arithmetic. The
multiply-adds follow from the shapes alone (the counting convention,
:mod:`viz.trace.counting`), and the shapes from a pass on the meta device — the
kept skeleton of :mod:`architectures.skeleton`, no weights, no activations, no
arithmetic. That pass is run once per (network, options) at the network's own input
size and remembered; another input size is estimated from it by area (a
convolutional network's multiply-adds grow with ``H × W``:
:func:`viz.compute.scaled_macs`), so no link, however it varies ``res`` or
``num_classes``, makes the estimate itself expensive.

:func:`shapes_only` makes such a pass fast: on the meta device PyTorch runs batch
norm and activations through Python decompositions, most of the time of a
shapes-only pass (ResNet-50: 110 → 13 ms; EfficientNet-B7: 383 → 77 ms).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from architectures import get_spec
from architectures.skeleton import skeleton_for
from viz.compute import MAX_MACS, Cost, largest_resolution
from viz.trace.recording import _result, _run
from viz.trace.zoo import _prepare


def _shape_only(x: torch.Tensor) -> torch.Tensor:
    return x


# Layers that keep their input's shape and have no multiply-adds by the counting convention.
_SHAPE_KEEPING = (nn.modules.batchnorm._BatchNorm, nn.SiLU, nn.Sigmoid, nn.ReLU, nn.ReLU6, nn.Dropout)


@contextlib.contextmanager
def shapes_only(model: nn.Module) -> Iterator[None]:
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


@functools.lru_cache(maxsize=128)
def own_size_macs(name: str, options: tuple[tuple[str, Any], ...] = ()) -> int:
    """Multiply-adds of zoo network ``name`` with ``options`` (sorted pairs) at its own input size.

    A shapes-only pass on the kept meta skeleton (remembered per network and options).
    The skeleton's lock is held, so no zero weights are lent to it meanwhile: the pass
    stays on the meta device. ``ValueError`` for an unknown network or option.
    """
    resolved, _, size = _prepare(name, dict(options), None)
    skeleton = skeleton_for(name, resolved)
    with skeleton.lock, shapes_only(skeleton.model):
        output, recorder = _run(skeleton.model, size, torch.float32, skeleton.named)
        return _result(skeleton.model, skeleton.named, recorder.rows, size, output, torch.float32).total_macs


def estimated_macs(name: str, options: dict | None = None, input_size: Any = None) -> float:
    """Multiply-adds ``trace_network(name, options, input_size)`` will do, before it runs.

    Exact at the network's own size; elsewhere scaled by area from it (the batch
    counted too). ``ValueError`` for what ``trace_network`` itself would refuse
    (unknown network or option, malformed or too large an input).
    """
    resolved, default, size = _prepare(name, options, input_size)
    own = own_size_macs(name, tuple(sorted(resolved.items())))
    return float(size[0] * own * (size[2] * size[3]) / (default[1] * default[2]))


def trace_cost(name: str, options: dict | None = None, input_size: Any = None) -> Cost:
    """The :class:`viz.compute.Cost` of ``trace_network(name, options, input_size)``, with advice
    saying what to change when it is past the budget: the input resolution, or — for a
    network whose resolution its options set (EfficientNet's φ) — those options."""
    macs = estimated_macs(name, options, input_size)
    if macs <= MAX_MACS:
        return Cost(macs=macs)
    spec = get_spec(name)
    resolved, default, size = _prepare(name, options, input_size)
    own = own_size_macs(name, tuple(sorted(resolved.items())))
    side = largest_resolution(own * size[0], default[1])
    if spec.resolution_from is None and own * size[0] <= MAX_MACS:
        advice = f"Lower the input resolution to at most {side} × {side} (its default is {default[1]})."
    else:
        names = ", ".join(o.label or o.name for o in spec.options)
        advice = f"Choose smaller settings ({names}): at its own input size this network is past the budget."
    return Cost(macs=macs, advice=advice)
