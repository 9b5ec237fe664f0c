"""The Training Lab trains on the shared MNIST split (viz.data.mnist), at 14×14 and as LeNet-5's 32×32."""

from __future__ import annotations

import torch

from viz.data import mnist
from viz.training.data import TEST_SIZE, TRAIN_SIZE, classes_subset, lenet_digits, per_class, small_digits


def test_both_sizes_are_the_shared_split():
    small, lenet = small_digits(), lenet_digits()
    assert small.x_train.shape == (TRAIN_SIZE, 1, 14, 14) and small.x_test.shape == (TEST_SIZE, 1, 14, 14)
    assert lenet.x_train.shape == (4000, 1, 32, 32) and lenet.x_test.shape == (1000, 1, 32, 32)
    x, y = mnist.lenet_tensors("train")
    assert torch.equal(lenet.x_train, x) and torch.equal(small.y_train, y)  # one split, the same labels
    assert abs(float(small.x_train.mean())) < 1e-4 and abs(float(small.x_train.std()) - 1) < 1e-3
    # 14×14: the 2×2 means of each 28×28 digit, standardised by the training set.
    raw = torch.nn.functional.avg_pool2d(torch.from_numpy(mnist.train().images / 255.0).float().unsqueeze(1), 2)
    assert torch.allclose(small.x_train, (raw - raw.mean()) / raw.std(), atol=1e-4)


def test_per_class_and_subsets():
    y = small_digits().y_train
    rows = per_class(y, 3)
    assert torch.equal(torch.bincount(y[rows]), torch.full((10,), 3))
    assert not torch.equal(per_class(y, 3, seed=1), per_class(y, 3, seed=2))
    assert torch.equal(per_class(y, 3, seed=1), per_class(y, 3, seed=1))
    x5, y5 = classes_subset(small_digits().x_train, y, (5, 6, 7, 8, 9))
    assert len(y5) == 2000 and set(y5.tolist()) == {0, 1, 2, 3, 4}
