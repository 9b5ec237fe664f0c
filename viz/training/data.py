"""The Training Lab's data: the 8×8 digits that ship inside scikit-learn's wheel.

The 1,797 8×8 grey handwritten digits of ``sklearn.datasets.load_digits`` (the
UCI "optdigits" set) — nothing is downloaded. A fixed stratified split (2/3
train, 1/3 test) is used by every experiment. The experiments see only
:func:`digits`, :data:`INPUT_SHAPE` and :func:`classes_subset`, so another data
set (MNIST) can take this module's place.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

INPUT_SHAPE = (1, 8, 8)  # one image, PyTorch's (C, H, W)
TRAIN_SIZE = 1198  # images in the training split (2/3 of 1,797, stratified)
TEST_SIZE = 599
DESCRIPTION = ("the 1,797 8×8 handwritten digits bundled with scikit-learn (LeNet-5's task) — "
               "nothing is downloaded")


@dataclass(frozen=True)
class Digits:
    """The fixed split, standardised with the training set's mean and std; ``(N, 1, 8, 8)``."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.lru_cache(maxsize=1)
def digits() -> Digits:
    """scikit-learn's bundled 8×8 digits, split 2/3 : 1/3 stratified with a fixed seed (0).

    Shared and cached: callers index these tensors and never modify them.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    images = data.images.astype(np.float32) / 16.0  # pixel values are 0..16
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, data.target, test_size=1 / 3, stratify=data.target, random_state=0
    )
    mean, std = float(x_tr.mean()), float(x_tr.std())

    def prep(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy((x - mean) / std).unsqueeze(1).contiguous()

    return Digits(prep(x_tr), torch.from_numpy(y_tr).long(), prep(x_te), torch.from_numpy(y_te).long())


def classes_subset(x: torch.Tensor, y: torch.Tensor, classes: tuple[int, ...]):
    """Images of ``classes`` (consecutive digits), labels renumbered 0..len(classes)-1."""
    mask = torch.isin(y, torch.tensor(classes))
    return x[mask], y[mask] - classes[0]
