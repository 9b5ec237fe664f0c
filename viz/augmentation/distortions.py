"""The distortions as pipeline steps: small frozen dataclasses, one per distortion, and ``Pipeline``.

A step is called as ``step(batch, gen)`` on a float batch ``(N, C, H, W)`` and
returns the distorted batch; its fields are its settings and ``label`` is its
name on the page. The geometric steps (``RandomResizedCrop``, ``Mirror``,
``Rotation``, ``Shear``, ``Warp``) take any channel count, so the Training Lab
distorts ``(N, 1, 32, 32)`` digits with the very steps the Augmentation Lab shows
(mirroring is wrong for digits: a mirrored 2 is no digit); ``ColorShift`` and
``PCAColor`` need RGB. The functions behind them are in
:mod:`viz.augmentation.geometry` and :mod:`viz.augmentation.colour`;
:func:`viz.augmentation.torchvision_code.torchvision_code` writes a pipeline
with ``torchvision.transforms.v2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from viz.augmentation.colour import pca_color, random_color_shift
from viz.augmentation.geometry import (
    random_mirror,
    random_resized_crop,
    random_rotation,
    random_shear,
    random_warp,
)
from viz.augmentation.tensors import check_batch

# Steps are defined at module top level: hashable (cache keys) and picklable (DataLoader
# worker processes receive them).


@dataclass(frozen=True)
class RandomResizedCrop:
    """Random area fraction ``scale`` and aspect ratio ``ratio``, resized to size × size."""

    size: int = 224
    scale: tuple[float, float] = (0.08, 1.0)
    ratio: tuple[float, float] = (3 / 4, 4 / 3)
    label = "random crop"

    def __call__(self, batch, gen):
        return random_resized_crop(batch, (self.size, self.size), self.scale, self.ratio, gen)[0]


@dataclass(frozen=True)
class Mirror:
    """Mirror left ↔ right with probability ``p``."""

    p: float = 0.5
    label = "mirroring"

    def __call__(self, batch, gen):
        return random_mirror(batch, self.p, gen)[0]


@dataclass(frozen=True)
class Rotation:
    """Rotate by an angle uniform in [−degrees, degrees]."""

    degrees: float = 15.0
    padding: str = "zeros"
    label = "rotation"

    def __call__(self, batch, gen):
        return random_rotation(batch, self.degrees, gen, self.padding)[0]


@dataclass(frozen=True)
class Shear:
    """Shear angles uniform in [−x_degrees, x_degrees] and [−y_degrees, y_degrees]."""

    x_degrees: float = 10.0
    y_degrees: float = 0.0
    padding: str = "zeros"
    label = "shearing"

    def __call__(self, batch, gen):
        return random_shear(batch, self.x_degrees, self.y_degrees, gen, self.padding)[0]


@dataclass(frozen=True)
class Warp:
    """Local warping: smooth random displacements, ``strength`` pixels (std), ``smoothness`` (0, 1]."""

    strength: float = 4.0
    smoothness: float = 0.25
    label = "local warping"

    def __call__(self, batch, gen):
        return random_warp(batch, self.strength, self.smoothness, gen)[0]


@dataclass(frozen=True)
class ColorShift:
    """Add to R, G, B ``base`` + a random integer offset in [−max_offset, max_offset] (8-bit units)."""

    max_offset: float = 20.0
    base: tuple[float, float, float] = (0.0, 0.0, 0.0)
    label = "colour shift"

    def __call__(self, batch, gen):
        return random_color_shift(batch, self.max_offset, gen, self.base)[0]


@dataclass(frozen=True)
class PCAColor:
    """AlexNet's PCA colour augmentation, α ~ N(0, sigma), components of the batch itself."""

    sigma: float = 0.1
    label = "PCA colour"

    def __call__(self, batch, gen):
        return pca_color(batch, self.sigma, gen)[0]


STEP_TYPES = (RandomResizedCrop, Mirror, Rotation, Shear, Warp, ColorShift, PCAColor)


@dataclass(frozen=True)
class Pipeline:
    """Distortions applied in order to each image of a batch (each draws its own randoms)."""

    steps: tuple = ()

    def __call__(self, batch: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        check_batch(batch)
        for step in self.steps:
            batch = step(batch, gen)
        return batch


def pipeline_of(labels: Sequence[str], steps: Sequence) -> Pipeline:
    """The ``steps`` named by ``labels`` (each step's ``label``), in the order of ``labels``."""
    by_label = {step.label: step for step in steps}
    unknown = [label for label in labels if label not in by_label]
    if unknown:
        raise ValueError(f"unknown steps {unknown}; choose from {list(by_label)}")
    return Pipeline(tuple(by_label[label] for label in labels))
