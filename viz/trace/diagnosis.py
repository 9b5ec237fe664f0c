"""A failed forward pass explained: the layer where it failed, and the input sizes that work.

When a pass fails, :func:`viz.trace.recording._run` raises :class:`_ForwardFailed`, which
keeps only plain facts about the innermost running module. :func:`_explain` turns it
into a ``ValueError`` saying what is wrong and what is allowed: a wrong channel count
names the layer and the channels it expects; an input too small names the layer where
the feature map collapses and the smallest square input that works; an input a
fixed-size network can't take gives the range of sides it takes. The sizes come from
a doubling-then-bisecting search (:func:`_smallest_working`, :func:`_largest_working`)
of small real forward passes (:func:`_prober`), whose answers can be remembered per
network.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from viz.trace.modes import _model_device, _restore_training, _set_eval

# The largest side the search for a working input size tries (pixels), where no size is known to work.
_SEARCH_LIMIT = 1024


class _ForwardFailed(Exception):
    """The forward pass raised. Keeps only plain facts about the innermost running module
    (no tensors, modules or tracebacks), so the caller can free the model at once."""

    def __init__(self, error: BaseException, name: str | None, module: nn.Module | None,
                 input_shape: tuple[int, ...]):
        self.first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        super().__init__(self.first_line)
        self.name = name
        self.description = _describe(module) if module is not None else None
        self.conv_in_channels = module.in_channels if isinstance(module, nn.modules.conv._ConvNd) else None
        self.input_shape = tuple(input_shape)


def _lecture_shape(shape: Sequence[int]) -> str:
    """``(N, C, H, W)`` → ``"a H×W×C map"``, the lecture's order; ``(N, F)`` → ``"F features"``."""
    if len(shape) == 4:
        return f"a {shape[2]}×{shape[3]}×{shape[1]} map"
    if len(shape) == 2:
        return f"{shape[1]} features"
    return "an input of shape " + "×".join(str(s) for s in shape[1:])


def _describe(module: nn.Module) -> str:
    """A short description of a layer: its type and, for windows, kernel and stride."""
    text = type(module).__name__
    if isinstance(module, nn.Linear):
        return f"{text} {module.in_features}→{module.out_features}"
    kernel = getattr(module, "kernel_size", None)
    if kernel is not None:
        k = tuple(kernel) if isinstance(kernel, (tuple, list)) else (kernel, kernel)
        text += f" {'×'.join(str(v) for v in k)}"
        stride = getattr(module, "stride", None)
        if stride is not None:
            s = tuple(stride) if isinstance(stride, (tuple, list)) else (stride,)
            if any(v != 1 for v in s):
                text += f", stride {s[0] if len(set(s)) == 1 else '×'.join(map(str, s))}"
    return text


def _prober(model: nn.Module, size: tuple[int, ...], dtype: torch.dtype, memo: dict[int, bool] | None = None):
    """A function ``side -> bool``: does ``model`` run on a ``(1, C, side, side)`` input?

    A real forward pass without hooks, batch 1 (shapes don't depend on the batch),
    on the model's device; answers are kept in ``memo`` (per network skeleton, so a
    second error on the same network costs nothing). Not on the meta device: shape
    propagation there is slower than a small real pass and imports torch._dynamo
    (seconds, and tens of MB).
    """
    device = _model_device(model)
    memo = {} if memo is None else memo

    def probe(side: int) -> bool:
        if side in memo:
            return memo[side]
        switched = _set_eval(model.modules())
        try:
            with torch.inference_mode():
                model(torch.zeros((1, size[1], side, side), dtype=dtype, device=device))
            ok = True
        except Exception:  # any failure means "this size does not work"
            ok = False
        finally:
            _restore_training(switched)
        memo[side] = ok
        return ok

    return probe


def _smallest_working(probe, lo_fail: int, known_good: int | None) -> int | None:
    """Smallest square side that runs, above ``lo_fail`` (assumed not to run).

    Feature maps only shrink when the input does, so "runs" is monotone in the side
    up to the largest working size. The search keeps its probes cheap: it doubles
    from ``lo_fail`` while the side stays under half of ``known_good`` (a side
    known to run, the network's default; a pass there costs under 1/4 of a full
    one) — networks with adaptive pooling run at small sizes, found here — and
    otherwise gallops down from ``known_good`` (−1, −2, −4 …): networks with
    fixed-size layers only run near their default. Without ``known_good`` it doubles
    up to ``_SEARCH_LIMIT`` (None if nothing runs). Then it bisects.
    """
    n, hi = max(lo_fail, 1), None
    while hi is None:
        n *= 2
        if known_good is not None and 2 * n > known_good:
            break
        if known_good is None and n > _SEARCH_LIMIT:
            return None
        if probe(n):
            hi = n
        else:
            lo_fail = n
    if hi is None:
        hi, step = known_good, 1
        while hi - step > lo_fail:
            if not probe(hi - step):
                lo_fail = hi - step
                break
            hi -= step
            step *= 2
    return _bisect(probe, hi, lo_fail)


def _largest_working(probe, lo_good: int, hi_fail: int) -> int:
    """Largest square side that runs, between a working ``lo_good`` and a failing ``hi_fail``.

    Gallops up from ``lo_good`` (+1, +2, +4 …) before bisecting: networks with
    fixed-size layers only take a narrow band of sizes, so the probes stay close
    to sizes that run, never near a huge requested one.
    """
    step = 1
    while lo_good + step < hi_fail:
        if not probe(lo_good + step):
            hi_fail = lo_good + step
            break
        lo_good += step
        step *= 2
    return _bisect(probe, lo_good, hi_fail)


def _bisect(probe, good: int, bad: int) -> int:
    """The working side next to the boundary between a working ``good`` and a failing ``bad``
    (either above the other): the smallest that runs, or the largest."""
    while abs(bad - good) > 1:
        mid = (good + bad) // 2
        if probe(mid):
            good = mid
        else:
            bad = mid
    return good


def _explain(failure: _ForwardFailed, label: str, size: tuple[int, ...], probe,
             known_good: int | None) -> ValueError:
    """Turn a failed forward pass into a ValueError that says what went wrong and what works.

    ``probe(side)`` tells whether a ``side × side`` input runs; ``known_good`` is a
    side known to run (the network's default), if any.
    """
    n, c, h, w = size
    where = failure.name or "the model's own forward"
    layer = where
    if failure.description:
        layer += f" ({failure.description} on {_lecture_shape(failure.input_shape)})"

    # A convolution that gets the wrong number of channels.
    if failure.conv_in_channels is not None and len(failure.input_shape) >= 2 \
            and failure.input_shape[1] != failure.conv_in_channels:
        return ValueError(
            f"{label}: layer {where} expects {failure.conv_in_channels} input channels but receives "
            f"{failure.input_shape[1]} (input size {tuple(size[1:])}); give an input with the channel "
            f"count the network was built for."
        )

    side = min(h, w)
    if known_good is not None and side >= known_good:
        # At least a size known to work: a network with fixed-size layers (no adaptive pooling)?
        high = _largest_working(probe, known_good, max(h, w)) if max(h, w) > known_good else max(h, w)
        if high < max(h, w):
            low = _smallest_working(probe, 0, known_good)
            return ValueError(
                f"{label}: a {h}×{w} input does not fit: the pass fails at {layer}: {failure.first_line}. "
                f"This network takes square inputs from {low}×{low} to {high}×{high}."
            )
    else:
        smallest = _smallest_working(probe, max(side - 1, 0), known_good)
        if smallest is not None and smallest > side:
            what = "the feature map collapses at" if len(failure.input_shape) == 4 else "the pass fails at"
            return ValueError(
                f"{label}: a {h}×{w} input is too small: {what} {layer}; "
                f"the smallest input that works is {smallest}×{smallest}."
            )
    return ValueError(
        f"{label}: the forward pass failed at {layer} for input {tuple(size)}: {failure.first_line}"
    )

