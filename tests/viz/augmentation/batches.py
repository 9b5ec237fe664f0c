"""Small random batches for the distortion tests (reproducible from a seed)."""

from __future__ import annotations

import torch

from viz.augmentation import distortions as D
from viz.augmentation.tensors import make_generator


def rand_batch(n=2, h=24, w=32, seed=0):
    return torch.rand(n, 3, h, w, generator=make_generator(seed))


def uint8_batch(n=2, h=16, w=20, seed=0):
    """A batch whose values are exact multiples of 1/255, like a decoded 8-bit image."""
    g = make_generator(seed)
    return torch.randint(0, 256, (n, 3, h, w), generator=g).float() / 255


# Every step, in the Pipeline tab's order.
FULL = D.Pipeline((D.RandomResizedCrop(size=16), D.Mirror(), D.Rotation(20.0), D.Shear(10.0, 5.0),
                   D.Warp(2.0, 0.3), D.ColorShift(20.0), D.PCAColor(0.1)))
