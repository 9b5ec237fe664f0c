"""``trace_network``: the pages' fast path for a zoo network, on a kept meta skeleton with zero weights.

The network is built on the meta device once and kept (:func:`architectures.skeleton.skeleton_for`),
given zero weights on the CPU — views of one block of fresh zero pages, so at most the
largest tensor's size and in practice almost no resident memory (no NaN, no denormals,
batch norm running variance 1; :func:`architectures.skeleton.zero_weights`) — for one
real forward pass, then the weights are dropped. :func:`cheap_network` lends the same
model to other tools inside a ``with`` block.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import torch

from architectures import get_spec
from architectures.skeleton import skeleton_for, zero_weights
from viz.trace.diagnosis import _explain, _ForwardFailed, _prober
from viz.trace.receptive import FieldTrace, trace_fields
from viz.trace.recording import _result, _run, normalise_input_size
from viz.trace.records import TraceResult

# trace_network's limit on batch × height × width: VGG's first two 64-channel maps at
# 1024×1024 already take 0.5 GB, half a free hosting tier's memory.
MAX_PIXELS = 1024 * 1024


def _prepare(name: str, options: dict | None, input_size: Any):
    """Validate a zoo request: (resolved options, default (C, H, W), normalised input size)."""
    spec = get_spec(name)
    resolved = spec.resolve(dict(options or {}))  # ValueError naming the allowed options/values
    default = spec.input_size_for(resolved)
    size = normalise_input_size(input_size if input_size is not None else default)
    if size[1] != default[0]:
        raise ValueError(
            f"{name} takes {default[0]}-channel images: input size ({default[0]}, H, W) or "
            f"(N, {default[0]}, H, W); got {size[1]} channels in {tuple(input_size)}."
        )
    if size[0] * size[2] * size[3] > MAX_PIXELS:
        raise ValueError(
            f"{name}: an input of {size[0]} × {size[2]}×{size[3]} is too large to trace here: at most "
            f"{MAX_PIXELS:,} pixels in all (batch × height × width, e.g. 1024×1024 at batch 1)."
        )
    return resolved, default, size


@contextmanager
def cheap_network(name: str, options: dict | None = None):
    """The zoo network ``name`` with zero weights on the CPU, for the duration of the block.

    The same cheap materialisation :func:`trace_network` uses (every value is zero;
    shapes, parameter counts and costs are those of the real network), for
    comparisons with other tools (torchinfo, ``FlopCounterMode``) and benchmarks.
    Don't keep a reference to the model or its tensors after the block.
    """
    resolved, _, _ = _prepare(name, options, None)
    with zero_weights(skeleton_for(name, resolved)) as model:
        yield model


def trace_network(
    name: str, options: dict | None = None, input_size: Any = None
) -> TraceResult:
    """Trace zoo network ``name`` with ``options`` at ``input_size`` — the pages' fast path.

    ``input_size`` defaults to the spec's size for those options. The network is built
    on the meta device (kept as a skeleton for the next call), given zero weights on
    the CPU only for the duration of one real forward pass (see
    :func:`architectures.skeleton.zero_weights`), and those are freed before returning.
    Use :func:`viz.trace.trace` on a properly built model where values matter
    (activations, identities).

    Raises ``ValueError`` (never a torch error) for an unknown network or option, a
    malformed input size, a channel count other than the network's, an input larger
    than ``MAX_PIXELS``, an input too small (naming the collapsing layer and the
    smallest size that works) or one a fixed-size network can't take.
    """
    resolved, default, size = _prepare(name, options, input_size)
    skeleton = skeleton_for(name, resolved)
    model, named = skeleton.model, skeleton.named
    problem = None
    with zero_weights(skeleton):
        try:
            output, recorder = _run(model, size, torch.float32, named)
        except _ForwardFailed as failure:
            problem = failure
            # Search for sizes that work while the zero weights exist (small real passes).
            error = _explain(problem, name, size, _prober(model, size, torch.float32, skeleton.runs),
                             known_good=min(default[1:]))
        else:
            result = _result(model, named, recorder.rows, size, output, torch.float32)
            del output, recorder
    if problem is not None:
        raise error from None
    return result


def network_fields(name: str, options: dict | None = None, input_size: Any = None) -> FieldTrace:
    """Every module call's receptive field in zoo network ``name`` (:func:`viz.trace.receptive.trace_fields`).

    The same zero-weight materialisation as :func:`trace_network` (one real pass under a
    ``TorchFunctionMode``; the skeleton is kept, the weights dropped after). Run it where
    :func:`trace_network` runs (the shared worker, :func:`viz.compute.run_heavy`): the
    pass hooks the kept skeleton, which must not be in two passes at once. An input
    ``trace_network`` refuses is refused here with the same ``ValueError``.
    """
    resolved, _, size = _prepare(name, options, input_size)
    with zero_weights(skeleton_for(name, resolved)) as model:
        return trace_fields(model, torch.zeros(size))
