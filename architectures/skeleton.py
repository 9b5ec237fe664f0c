"""Zoo networks kept as meta-device skeletons, and zero weights lent to them for one pass.

A page that shows a network's shapes and costs needs one real forward pass, not the
network's weights. So a network is built once on the meta device (modules and
shapes, no storage; :mod:`architectures.meta_build` makes that build cheap) and kept
as a :class:`Skeleton`; :func:`zero_weights` gives it CPU tensors of zeros for the
length of a ``with`` block and puts the meta tensors back afterwards.

* :func:`skeleton_for` — the skeleton of ``(name, options)``, built on first use; the
  skeletons of the 16 most recent pairs are kept (a few MB at most).
* :func:`zero_weights` — the skeleton's parameters and buffers as views of one zero
  block per dtype, fresh pages of an anonymous private mapping that the kernel maps
  to its shared (huge) zero page until written: almost no resident memory and few
  page faults, even for VGG's 411 MB first fully connected layer.
* :func:`clear_cache` — forget the skeletons (for benchmarks: a cold start).

``viz.trace.trace_network`` is the page-facing user. Imports torch and the standard
library only, as all of ``architectures`` does.
"""

from __future__ import annotations

import mmap
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import torch
from torch import nn

from architectures.registry import build


class Skeleton:
    """A zoo network built once on the meta device (modules and shapes, no storage).

    Building a network is mostly Python (constructing hundreds of modules), so the
    skeletons of recent (network, options) pairs are kept — a few MB at most — and
    a lock keeps two threads from materialising the same one at once.

    model   the meta-device network, in eval mode
    named   ``list(model.named_modules())``, walked once
    lock    held while zero weights are lent (:func:`zero_weights` takes it)
    runs    side -> does a side × side input run: the memo of ``viz.trace``'s size search
    plan    where each tensor's zeros go (:class:`_ZeroPlan`)
    """

    def __init__(self, model: nn.Module):
        self.named = list(model.named_modules())
        for _, module in self.named:  # eval mode (traced so anyway), without train()'s recursion
            module.__dict__["training"] = False
        self.model = model
        self.lock = threading.RLock()
        self.runs: dict[int, bool] = {}  # side -> does a side × side input run (memo of the size search)
        self.plan = _ZeroPlan(self.named)


_SKELETONS: OrderedDict[tuple, Skeleton] = OrderedDict()
_SKELETONS_MAX = 16
_SKELETONS_LOCK = threading.Lock()


def skeleton_for(name: str, resolved: dict[str, Any]) -> Skeleton:
    """The skeleton of zoo network ``name`` built with ``resolved`` options, kept for the next call.

    ``resolved`` is what ``NetworkSpec.resolve`` returns (every option, validated), so
    that leaving an option out and giving its default share one skeleton. The 16 most
    recently used pairs are kept, the least recently used dropped first.
    """
    key = (name, tuple(sorted((k, repr(v)) for k, v in resolved.items())))
    with _SKELETONS_LOCK:
        found = _SKELETONS.get(key)
        if found is not None:
            _SKELETONS.move_to_end(key)
            return found
    skeleton = Skeleton(build(name, device="meta", **resolved))
    with _SKELETONS_LOCK:
        _SKELETONS[key] = skeleton
        while len(_SKELETONS) > _SKELETONS_MAX:
            _SKELETONS.popitem(last=False)
    return skeleton


def clear_cache() -> None:
    """Forget the meta-device skeletons kept by :func:`skeleton_for` (for benchmarks: a cold start)."""
    with _SKELETONS_LOCK:
        _SKELETONS.clear()


_MADV_HUGEPAGE = getattr(mmap, "MADV_HUGEPAGE", None)  # Linux only


def _filled_block(dtype: torch.dtype, n: int, value: int) -> torch.Tensor:
    """``n`` elements of ``value`` (0 or 1). Zeros are an anonymous *private* mapping:
    fresh pages the kernel maps to its shared zero page until written, so a forward
    pass reads zeros without the memory being filled or even resident (411 MB for
    VGG's first FC weights cost nothing; ``torch.zeros`` writes every page). Private,
    not ``mmap``'s default shared mapping: reading a shared anonymous page allocates it.
    Marked for huge pages (as numpy marks its large arrays), so reading it maps the 2 MB
    huge zero page: VGG-16's 411 MB are 200 page faults, not 100,000 (~115 ms of a
    ~450 ms pass). The tensor holds the mapping, unmapped when the last view is freed."""
    nbytes = n * dtype.itemsize
    if value == 0 and nbytes > 0 and hasattr(mmap, "MAP_PRIVATE"):  # (not on Windows: torch.full)
        block = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE)
        if _MADV_HUGEPAGE is not None:
            with suppress(OSError):  # a kernel without transparent huge pages
                block.madvise(_MADV_HUGEPAGE)
        return torch.frombuffer(block, dtype=dtype)
    return torch.full((n,), value, dtype=dtype)


class _ZeroPlan:
    """Where a meta-device model's tensors go, worked out once per skeleton so that each
    materialisation is one view and one assignment per tensor (~4 µs; EfficientNet-B0
    has ~500 tensors)."""

    def __init__(self, named: list[tuple[str, nn.Module]]):
        # (table, key, meta tensor, shape, strides, block (dtype, fill), a Parameter?, requires_grad)
        self.slots: list[tuple] = []
        self.largest: dict[tuple[torch.dtype, int], int] = {}
        for _, module in named:
            for table in (module._parameters, module._buffers):
                for key, t in table.items():
                    if t is None:
                        continue
                    fill = 1 if table is module._buffers and key == "running_var" else 0
                    block = (t.dtype, fill)
                    self.largest[block] = max(self.largest.get(block, 0), t.numel())
                    self.slots.append((table, key, t, tuple(t.shape), _contiguous_strides(t.shape),
                                       block, isinstance(t, nn.Parameter), t.requires_grad))


def _contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


@contextmanager
def zero_weights(skeleton: Skeleton) -> Iterator[nn.Module]:
    """Give the skeleton's model CPU tensors of zeros for the duration of the block; yields the model.

    Cheap and safe: every parameter and buffer becomes a view of *one* zero block
    per dtype, as long as the largest of them (values don't matter for shapes,
    parameters or costs, and a forward pass never writes its weights), so the memory
    is at most that of the largest tensor — and, as the block is fresh zero pages
    (:func:`_filled_block`), in practice only the pages actually written. Zeros keep
    every activation finite — no NaN, inf or denormals — and batch norm's running
    variance gets ones (``x / sqrt(var + eps)``). Shared parameters stay shared. The
    skeleton's lock is held throughout, and the meta tensors are put back afterwards,
    which frees the zeros. Don't keep a reference to the model's tensors after the block.
    """
    plan = skeleton.plan
    with skeleton.lock:
        blocks = {k: _filled_block(k[0], n, k[1]) for k, n in plan.largest.items()}
        made: dict[int, torch.Tensor] = {}
        make_parameter = torch.Tensor._make_subclass
        try:
            for table, key, t, shape, strides, block, is_parameter, requires_grad in plan.slots:
                new = made.get(id(t))
                if new is None:
                    new = blocks[block].as_strided(shape, strides)
                    if is_parameter:
                        new = make_parameter(nn.Parameter, new, requires_grad)
                    made[id(t)] = new
                table[key] = new
            yield skeleton.model
        finally:
            for table, key, t, *_ in plan.slots:
                table[key] = t
