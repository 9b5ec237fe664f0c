"""What a trace returns: one record per layer call, the totals, and records grouped by stage or block.

Plain, picklable data (pages cache results with ``st.cache_data``): :class:`LayerRecord`
per module call, :class:`TraceResult` for the pass, :class:`Group` for the records
under one module path (:func:`group`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import NamedTuple

import torch

from viz.trace.geometry import Window


class LayerRecord(NamedTuple):
    """One traced layer call (an immutable named tuple: a pass makes hundreds of them).

    name          qualified module name, e.g. ``"layer1.0.conv1.conv"`` (the path of
                  attribute names from the model; the model itself has no record,
                  unless it has no children: a bare layer is one record named after
                  its class, e.g. ``"Conv2d"``)
    layer_type    the module's class name, e.g. ``"Conv2d"``, ``"Bottleneck"``
    depth         nesting depth: 0 for a child of the model (the zoo's stages),
                  1 for its children (the zoo's blocks) …; ``name.count(".")``
    input_shape   shape of the first tensor input, PyTorch order ``(N, C, H, W)``;
                  ``()`` if the module got no tensor
    output_shape  shape of the output tensor (the first one if several); ``()`` if none
    params        number of parameters owned directly by this module (not by its
                  children), each parameter counted once in the whole trace: at the
                  first call of the first module that owns it. So summing ``params``
                  over all records never counts a weight twice; containers own none
                  in the zoo, so their rows show 0 (group sums are in :func:`group`)
    macs          multiply-adds of this call alone: convolution / linear weights ×
                  inputs, no bias, no element-wise work, for the whole batch ``N``;
                  0 for containers and parameter-free layers. Summing over all
                  records gives ``TraceResult.total_macs``
    output_bytes  size of the output activation in bytes (``numel × element size``)
    is_leaf       True when the module has no children (leaf rows hold all the cost
                  in the zoo; container rows are there for structure and shapes)
    call          0 for a module's first call in the pass, 1 for its second …
    window        a convolution's or pooling layer's kernel, stride, padding, dilation
                  and groups (:class:`viz.trace.geometry.Window`), read from the module;
                  None for every other layer
    """

    name: str
    layer_type: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    output_bytes: int
    is_leaf: bool
    call: int = 0
    window: Window | None = None


@dataclass(frozen=True)
class Group:
    """Records under one module path at a given depth (a stage or a block).

    name          the module path at that depth, e.g. ``"layer1"``, ``"layer1.0"``,
                  ``"inception4a"``; a record shallower than the depth (e.g. the
                  classifier when grouping blocks) is its own group
    layer_type    class name of the module at that path
    depth         the grouping depth
    input_shape   input of the module at that path (else of the group's first record)
    output_shape  output of the module at that path (else of the group's last record)
    params        sum of ``params`` over the group's records (each weight once)
    macs          sum of ``macs`` over the group's records
    output_bytes  bytes of ``output_shape`` in the traced dtype
    records       the records, in execution order
    """

    name: str
    layer_type: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    output_bytes: int
    records: tuple[LayerRecord, ...]


@dataclass
class TraceResult:
    """Everything one traced forward pass found.

    records           one :class:`LayerRecord` per module call, in execution order
                      (pre-order: a container before its children)
    input_size        the traced input, ``(N, C, H, W)``
    output_shape      shape of the model's output (first tensor if several)
    total_params      ``sum(p.numel() for p in model.parameters())``: shared weights once
    trainable_params  the same for parameters with ``requires_grad``
    total_macs        multiply-adds of the whole pass (sum over records)
    extra             ``params_not_called`` (parameters of modules the pass never
                      entered, e.g. auxiliary heads in eval mode),
                      ``modules_not_called`` (their names), ``params_of_model``
                      (parameters owned by the model object itself), ``dtype``
    """

    records: list[LayerRecord]
    input_size: tuple[int, ...]
    output_shape: tuple[int, ...]
    total_params: int
    trainable_params: int
    total_macs: int
    extra: dict = field(default_factory=dict)

    def leaves(self) -> list[LayerRecord]:
        """The records of modules without children, in execution order."""
        return [r for r in self.records if r.is_leaf]

    def group(self, depth: int = 0) -> list[Group]:
        """Records grouped by their module path at ``depth``; see :func:`group`."""
        return group(self, depth)


def group(result: TraceResult, depth: int = 0) -> list[Group]:
    """Records grouped by module path at ``depth``, in execution order.

    ``depth=0`` gives the model's children — the zoo's stages (VGG's pool stages,
    ResNet's ``layer1``…``layer4``, GoogLeNet's ``inception3a``…); ``depth=1`` their
    children — the blocks. A leaf shallower than ``depth`` (e.g. the classifier when
    grouping blocks) forms its own group; a container shallower than ``depth`` is left
    out, its children being the groups (unless it owns parameters itself). So the groups
    together hold every leaf record once: their ``params`` and ``macs`` add up to
    the totals (less ``extra["params_not_called"]`` and ``extra["params_of_model"]``).
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"group depth must be a whole number ≥ 0; got {depth!r}.")
    buckets: dict[str, list[LayerRecord]] = {}
    for r in result.records:
        if r.depth < depth and not r.is_leaf and not r.params and not r.macs:
            continue  # a container above the grouping depth: its children form the groups
        key = ".".join(r.name.split(".")[: depth + 1])
        buckets.setdefault(key, []).append(r)
    itemsize = torch.empty((), dtype=getattr(torch, result.extra.get("dtype", "float32"))).element_size()
    groups = []
    for key, recs in buckets.items():
        own = next((r for r in recs if r.name == key), None)
        if own is not None:
            in_shape, out_shape, kind = own.input_shape, own.output_shape, own.layer_type
        else:
            in_shape, out_shape, kind = recs[0].input_shape, recs[-1].output_shape, recs[0].layer_type
        groups.append(Group(
            name=key,
            layer_type=kind,
            depth=depth,
            input_shape=in_shape,
            output_shape=out_shape,
            params=sum(r.params for r in recs),
            macs=sum(r.macs for r in recs),
            output_bytes=prod(out_shape) * itemsize if out_shape else 0,
            records=tuple(recs),
        ))
    return groups
