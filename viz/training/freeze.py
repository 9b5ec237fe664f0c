"""The freeze planner: freeze any zoo network up to a layer, and see what stays to train.

Frozen vs trainable parameters, and the size of the precomputed features — the
lecture's tip for transfer learning with little data: compute the frozen
layers' output once, save it to disk, and train only the layers after it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from architectures import NETWORKS
from viz.controls import Control, choice, ints

DEFAULT_IMAGES = 10_000
DEFAULT_NETWORK = "resnet18"
# The planner's settings, kept in the URL (the cut: :func:`cut_control`, one per network).
NETWORK = choice("network", "network", "Network", tuple(NETWORKS), DEFAULT_NETWORK, widget="select")
IMAGES = ints("fp_images", "images", "Images to precompute", 1, 10_000_000, DEFAULT_IMAGES, widget="number",
              step=1000)
CONTROLS = (NETWORK, IMAGES)


@dataclass(frozen=True)
class CutPoint:
    """A place to cut a network: everything computed up to here is frozen."""

    name: str
    layer_type: str
    output_shape: tuple[int, ...]  # per image, PyTorch order (C, H, W) or (F,)
    frozen_params: int  # parameters of every layer finished by this point


@functools.lru_cache(maxsize=32)
def cut_points(network: str) -> tuple[tuple[CutPoint, ...], int]:
    """The network's layers (depth ≤ 1 in the module tree) in the order they finish, and its total params.

    Built on the meta device (no weights allocated) and traced with a real
    forward pass of shapes. The frozen count at a cut is the sum of the
    parameters of every module that has finished by then — a block's own
    layers finish before the block does.

    Raises ``ValueError`` for a name that is not in the zoo, or a network the
    tracer cannot follow (the message says which and why).
    """
    from architectures import build, get_spec
    from viz.trace import trace

    spec = get_spec(network)  # ValueError naming the zoo's networks
    try:
        model = build(network, device="meta")
        result = trace(model, spec.input_size_for({}))
    except RuntimeError as err:  # an operation the meta device cannot run (NotImplementedError included)
        raise ValueError(f"Could not trace {network}: {err}") from err
    records = result.records
    # Running sum of parameters in record order; a cut's frozen set ends at the last record of its
    # subtree (the cut itself when records are in finishing order, its last descendant when in
    # calling order) — so this holds whichever order the tracer uses.
    running = np.cumsum([r.params for r in records]) if records else np.zeros(0)
    points = []
    for rec in records:
        if rec.depth > 1 or not rec.output_shape:
            continue
        prefix = rec.name + "."
        end = max(j for j, r in enumerate(records) if r.name == rec.name or r.name.startswith(prefix))
        points.append(CutPoint(rec.name, rec.layer_type, tuple(rec.output_shape[1:]), int(running[end])))
    if not points:
        raise ValueError(f"Could not trace {network}: no layer recorded an output.")
    return tuple(points), result.total_params


def default_cut(points: tuple[CutPoint, ...]) -> int:
    """Index of the planner's first suggestion: the last top-level layer with a feature map (C, H, W)."""
    conv_cuts = [i for i, p in enumerate(points) if len(p.output_shape) == 3 and "." not in p.name]
    return conv_cuts[-1] if conv_cuts else len(points) - 1


def cut_control(network: str, points: tuple[CutPoint, ...]) -> Control:
    """Where to cut ``network``: one of its layers by name, kept in the URL under a key of its own
    (``?network=vgg16&fp_cut_vgg16=block4``), so another network's cut never reads a stale value."""
    names = tuple(p.name for p in points)
    return choice(f"fp_cut_{network}", "cut", "Freeze up to and including", names, names[default_cut(points)],
                  widget="select", help="A layer of the network's top level or one of its blocks.")


@dataclass(frozen=True)
class FreezePlan:
    network: str
    cut: str
    frozen_params: int
    trainable_params: int
    total_params: int
    feature_shape: tuple[int, ...]
    feature_values: int  # per image
    n_images: int
    feature_bytes: int  # float32, all images


def freeze_plan(network: str, cut: str, n_images: int) -> FreezePlan:
    """Freeze ``network`` up to and including layer ``cut``; precompute its output for ``n_images``.

    Trainable = every parameter not frozen, including layers the traced
    forward pass does not use (e.g. GoogLeNet's auxiliary classifiers in eval mode).
    """
    n_images = IMAGES.check(n_images)
    points, total = cut_points(network)
    for p in points:
        if p.name == cut:
            values = int(np.prod(p.output_shape))
            return FreezePlan(network, cut, p.frozen_params, total - p.frozen_params, total,
                              p.output_shape, values, n_images, values * 4 * n_images)
    raise ValueError(f"{network} has no layer {cut!r}; choose one of: {', '.join(q.name for q in points)}.")
