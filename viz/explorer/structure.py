"""What the volume diagram and the cost chart draw: one entry per stage or block.

* :func:`diagram_groups`: the groups worth a box (stages, or blocks with runs of identical
  blocks merged), from :func:`viz.trace.group`.
* :func:`op_label`, :func:`branch_channels`, :func:`skip_count`: what an arrow says
  ("CONV 3×3 ×2, MAX POOL", "6 × bottleneck"), an inception module's branches, the skips.
* :func:`weight_layers`: the "16" of VGG-16 and the "50" of ResNet-50.
* :func:`conv_kernel`, :func:`shape_nhwc`: a convolution's kernel and a shape the lecture's way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from viz.explorer.diagram import Item
from viz.explorer.numbers import format_macs, macs_in
from viz.formatting import shape_text
from viz.trace import group as group_by_depth


def shape_nhwc(shape: Sequence[int]) -> tuple[int, int, int] | None:
    """PyTorch's ``(N, C, H, W)`` as the lecture's ``(n_H, n_W, n_C)``; an FC output
    ``(N, F)`` as ``1 × 1 × F``; None for anything else."""
    if len(shape) == 4:
        return (int(shape[2]), int(shape[3]), int(shape[1]))
    if len(shape) == 3:  # (C, H, W) without the batch
        return (int(shape[1]), int(shape[2]), int(shape[0]))
    if len(shape) == 2:
        return (1, 1, int(shape[1]))
    return None


def group_records(result: Any, depth: int = 0) -> list[Any]:
    """Records grouped by the modules at ``depth`` (0: the model's stages, 1: blocks)."""
    return list(group_by_depth(result, depth))


# Block classes of the zoo and what the lecture calls them.
BLOCK_NAMES = {
    "BasicBlock": "residual block",
    "Bottleneck": "bottleneck",
    "InceptionModule": "inception",
    "Inception": "inception",
    "DepthwiseSeparable": "depthwise-separable",
    "InvertedResidual": "inverted residual",
    "MBConv": "MBConv",
    "SqueezeExcite": "squeeze-excite",
}
_SKIP_BLOCKS = ("BasicBlock", "Bottleneck")
_SKIP_IF_SAME_SHAPE = ("InvertedResidual", "MBConv")
_SILENT = ("BatchNorm2d", "BatchNorm1d", "ReLU", "ReLU6", "Tanh", "Sigmoid", "SiLU", "Dropout",
           "Identity", "Flatten", "LocalResponseNorm", "Softmax", "LogSoftmax", "Hardswish")


def conv_kernel(rec: Any) -> tuple[int, int, int] | None:
    """(kernel, stride, groups) of a traced Conv2d, recovered from its shapes and cost
    (macs = C_out · (C_in / groups) · k² · H_out · W_out)."""
    if len(rec.input_shape) != 4 or len(rec.output_shape) != 4:
        return None
    n, c_out, h, w = rec.output_shape
    c_in, h_in = rec.input_shape[1], rec.input_shape[2]
    positions = n * h * w * c_out
    if positions == 0 or rec.macs % positions:
        return None
    per_filter = rec.macs // positions  # (C_in / groups) · k²
    for groups in (1, c_in, 2, 4, 8):
        if groups <= 0 or c_in % groups:
            continue
        k2, rem = divmod(per_filter, c_in // groups)
        if rem == 0 and k2 > 0 and math.isqrt(k2) ** 2 == k2:
            k = math.isqrt(k2)
            return k, _stride(h_in, h, k), groups
    return None


def _stride(n_in: int, n_out: int, k: int) -> int:
    """The smallest stride s for which some padding p ≤ k/2 gives ⌊(n + 2p − k)/s⌋ + 1 = n_out."""
    for s in range(1, max(2, n_in + 1)):
        if any((n_in + 2 * p - k) // s + 1 == n_out for p in range(0, k // 2 + 1)):
            return s
    return 1


def _leaf_op(rec: Any) -> str | None:
    t = rec.layer_type
    if t in _SILENT:
        return None
    if t == "Conv2d":
        window = getattr(rec, "window", None)
        kernel = (window.kernel[0], window.stride[0], window.groups) if window else conv_kernel(rec)
        if kernel is None:
            return "CONV"
        k, s, g = kernel
        name = "DW CONV" if g > 1 and g == rec.input_shape[1] else "CONV"
        return f"{name} {k}×{k}" + (f" s{s}" if s > 1 else "")
    if t == "Linear":
        return "FC"
    if "MaxPool" in t:
        return "MAX POOL"
    if "AvgPool" in t:
        return "AVG POOL"
    return None


def _compress(ops: Iterable[str]) -> list[str]:
    out: list[tuple[str, int]] = []
    for op in ops:
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + 1)
        else:
            out.append((op, 1))
    return [f"{op} ×{n}" if n > 1 else op for op, n in out]


def op_label(group: Any) -> str:
    """What an arrow into this stage/block says: "CONV 3×3 ×2, MAX POOL", "3 × bottleneck" …"""
    base_depth = min((r.depth for r in group.records), default=0)
    with_se = {r.name.rsplit(".", 1)[0] for r in group.records if r.layer_type == "SqueezeExcite"}

    def block_name(rec: Any) -> str:
        # MobileNet v2's block with squeeze-excite is EfficientNet's MBConv (Tan & Le 2019).
        if rec.layer_type == "InvertedResidual" and rec.name in with_se:
            return "MBConv"
        return BLOCK_NAMES[rec.layer_type]

    tops = [r for r in group.records if r.depth == base_depth]
    if len(tops) > 1 and all(r.layer_type in BLOCK_NAMES for r in tops):
        # A run of identical blocks merged into one box (see diagram_groups).
        return f"{len(tops)} × {block_name(tops[0])}"
    if group.layer_type in BLOCK_NAMES:
        own = [r for r in group.records if r.name == group.name]
        return block_name(own[0]) if own else BLOCK_NAMES[group.layer_type]
    children = [r for r in group.records if r.depth == base_depth + 1]
    blocks = [r for r in children if r.layer_type in BLOCK_NAMES]
    if blocks and len(blocks) == len([r for r in children if r.layer_type not in _SILENT]):
        kinds = _compress(block_name(r) for r in blocks)
        return ", ".join(k if "×" not in k else f"{k.split(' ×')[1]} × {k.split(' ×')[0]}" for k in kinds)
    ops = [op for r in group.records if r.is_leaf for op in [_leaf_op(r)] if op]
    steps = _compress(ops)
    if len(steps) > 3:
        # A long stem (GoogLeNet's: conv, pool, conv, conv, pool) summarised by kind.
        kinds = {}
        for op in ops:
            kind = "POOL" if op.endswith("POOL") else op.split()[0] if op != "FC" else "FC"
            kinds[kind] = kinds.get(kind, 0) + 1
        steps = [f"{kind} ×{n}" if n > 1 else kind for kind, n in kinds.items()]
    return ", ".join(steps) or group.layer_type


def branch_channels(group: Any) -> list[tuple[str, int]]:
    """An inception module's branches and the channels each adds to the concatenation
    (e.g. 3a: 64 + 128 + 32 + 32 = 256); empty when the group is not a branching module."""
    base_depth = min((r.depth for r in group.records), default=0)
    out = group.output_shape
    if len(out) != 4:
        return []
    modules = [r for r in group.records if r.layer_type in ("InceptionModule", "Inception")]
    if not modules:
        return []
    if len(modules) > 1 or modules[0].depth != base_depth:
        return []
    module = modules[0]
    kids = [r for r in group.records if r.depth == module.depth + 1 and r.name.startswith(module.name + ".")]
    kids = [r for r in kids if len(r.output_shape) == 4 and tuple(r.output_shape[2:]) == tuple(out[2:])]
    if len(kids) >= 2 and sum(r.output_shape[1] for r in kids) == out[1]:
        return [(r.name.rsplit(".", 1)[-1], int(r.output_shape[1])) for r in kids]
    return []


def skip_count(group: Any, residual: bool = True) -> int:
    """Blocks in this stage/block with a skip connection: ResNet's blocks (unless the
    "plain" option removed them) and MobileNet v2 / MBConv blocks whose input and
    output shapes match (Sandler et al. 2018, Fig. 4)."""
    count = 0
    for rec in group.records:
        if rec.layer_type in _SKIP_BLOCKS and residual:
            count += 1
        elif rec.layer_type in _SKIP_IF_SAME_SHAPE and tuple(rec.input_shape) == tuple(rec.output_shape):
            count += 1
    return count


def _merge_repeats(blocks: Sequence[Any]) -> list[Any]:
    """Runs of identical blocks that keep their input's shape (ResNet's identity blocks after
    a stage's first, MobileNet v2's repeats) become one box: "layer3.1–5", 5 × bottleneck."""
    out: list[Any] = []
    run: list[Any] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            first, last = run[0], run[-1]
            out.append(replace(
                first,
                name=f"{first.name}–{last.name.rsplit('.', 1)[-1]}",
                output_shape=tuple(last.output_shape),
                params=sum(b.params for b in run),
                macs=sum(b.macs for b in run),
                output_bytes=last.output_bytes,
                records=tuple(r for b in run for r in b.records),
            ))
        run.clear()

    for block in blocks:
        same = tuple(block.input_shape) == tuple(block.output_shape)
        if run and same and block.layer_type == run[-1].layer_type \
                and tuple(block.output_shape) == tuple(run[-1].output_shape):
            run.append(block)
            continue
        flush()
        if same and block.layer_type in BLOCK_NAMES:
            run.append(block)
        else:
            out.append(block)
    flush()
    return out


def diagram_groups(result: Any, level: str = "stages") -> list[Any]:
    """Groups worth a box: stages (depth 0) or blocks (depth 1, stages without blocks
    stay whole; a run of identical shape-keeping blocks is merged into one box).
    Groups that change nothing (dropout, an activation) or only flatten are left out."""
    stages = group_records(result, 0)
    if level == "blocks":
        blocks = group_records(result, 1)
        by_stage: dict[str, list[Any]] = {}
        for b in blocks:
            by_stage.setdefault(b.name.split(".")[0], []).append(b)
        expanded = []
        for stage in stages:
            inner = by_stage.get(stage.name, [])
            if any(b.layer_type in BLOCK_NAMES for b in inner):
                expanded.extend(_merge_repeats(inner))
            else:
                expanded.append(stage)
        stages = expanded
    kept = []
    previous = tuple(result.input_size)
    for g in stages:
        out = tuple(g.output_shape)
        if not out:
            continue
        if g.layer_type == "Flatten" or (out == previous and g.params == 0 and g.macs == 0):
            continue
        kept.append(g)
        previous = out
    return kept


def weight_layers(records: Sequence[Any]) -> tuple[int, int, int]:
    """(depth, all weight layers, projection shortcuts), counting convolutions and FC layers.

    depth is the lecture's and the papers' count: weight layers along the longest path,
    so parallel branches count once (their longest), and side paths — projection
    shortcuts, squeeze-excite — not at all: VGG-16 16, ResNet-50 50, GoogLeNet 22
    ("22 layers deep when counting only layers with parameters", Szegedy et al. 2015 §5).
    """
    weighted = [r for r in records if r.is_leaf and r.layer_type in ("Conv2d", "Linear")]
    shortcuts = [r for r in weighted if "shortcut" in r.name or "downsample" in r.name]
    side = {r.name for r in shortcuts} | {r.name for r in weighted if ".se." in f".{r.name}."}
    modules = [r.name for r in records if r.layer_type in ("InceptionModule", "Inception")]
    depth = 0
    branches: dict[str, dict[str, int]] = {}
    for rec in weighted:
        if rec.name in side:
            continue
        module = next((m for m in modules if rec.name.startswith(m + ".")), None)
        if module is None:
            depth += 1
        else:
            branch = rec.name[len(module) + 1:].split(".")[0]
            counts = branches.setdefault(module, {})
            counts[branch] = counts.get(branch, 0) + 1
    depth += sum(max(counts.values()) for counts in branches.values())
    return depth, len(weighted), len(shortcuts)




def shortcuts(group: Any, residual: bool = True) -> tuple[tuple[str, int], ...]:
    """The skip connections in this stage/block by kind, ``(("projection", 1), ("identity", 2))``.

    A ResNet block's shortcut is the identity where its input and output shapes match and
    the projection ``W_s`` — a 1×1 convolution (+ BN) — where they don't (He et al. 2016,
    eq. 2 and option B); MobileNet v2's and MBConv blocks add their input unchanged when
    the shapes match (Sandler et al. 2018, Fig. 4). ``residual=False`` (the "plain"
    networks) has none.
    """
    names = {r.name: r for r in group.records}
    projections = identities = 0
    for rec in group.records:
        if rec.layer_type in _SKIP_BLOCKS and residual:
            shortcut = names.get(rec.name + ".shortcut")
            if shortcut is not None and shortcut.layer_type != "Identity":
                projections += 1
            else:
                identities += 1
        elif rec.layer_type in _SKIP_IF_SAME_SHAPE and tuple(rec.input_shape) == tuple(rec.output_shape):
            identities += 1
    return tuple((kind, n) for kind, n in (("projection", projections), ("identity", identities)) if n)


def _item_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """A box's shape: ``(n_H, n_W, n_C)``, or ``(units,)`` for a fully connected output."""
    return (int(shape[-1]),) if len(shape) == 2 else shape_nhwc(shape) or ()


def _hover(group: Any, op: str, unit: str, branches: Sequence[int], note: str = "") -> str:
    extra = f"<br>branches: {' + '.join(map(str, branches))} = {sum(branches)} channels" if branches else ""
    return (f"<b>{group.name}</b> → {shape_text(group.output_shape)}<br>{op}<br>parameters {group.params:,}<br>"
            f"{format_macs(group.macs, unit)} ({macs_in(group.macs, unit):,}){extra}{note}<br><i>click for details</i>")


def diagram_items(groups: Sequence[Any], input_size: Sequence[int], residual: bool = True, unit: str = "MACs",
                  sides: Sequence[Any] = ()) -> list[Item]:
    """What each box of the volume diagram shows: the input image, then one item per group
    (:func:`diagram_groups`), with the side branches (:class:`viz.explorer.tracing.SideBranch`)
    on the box of the stage they read from (or of the block ending that stage)."""
    size = tuple(input_size)
    items = [Item("input", "input", _item_shape((1, *size[-3:])), kind="image",
                  hover=f"<b>input image</b><br>{shape_text(size)}")]
    attached: dict[str, list[Item]] = {}
    for side in sides:
        g = side.group
        op = op_label(g)
        attached.setdefault(side.attach, []).append(Item(
            g.name, g.name.rsplit(".", 1)[-1], _item_shape(g.output_shape), op, kind="side",
            hover=_hover(g, op, unit, (), "<br>runs in training only: no cost at inference")))
    stages = [g.name.split(".")[0] for g in groups]
    for i, g in enumerate(groups):
        op = op_label(g)
        branches = tuple(c for _, c in branch_channels(g))
        stage = stages[i]
        last_of_stage = stage not in stages[i + 1:]
        items.append(Item(g.name, g.name, _item_shape(g.output_shape), op,
                          kind="fc" if len(g.output_shape) == 2 else "map", skips=shortcuts(g, residual),
                          branches=branches, hover=_hover(g, op, unit, branches),
                          sides=tuple(attached.get(stage, ())) if last_of_stage else ()))
    return items
