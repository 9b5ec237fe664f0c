"""The digits every experiment trains on: scikit-learn's bundled set, one fixed split."""

from __future__ import annotations

import torch

from viz.training.data import INPUT_SHAPE, TEST_SIZE, TRAIN_SIZE, classes_subset, digits


def test_digits_split_is_the_bundled_set_split_two_to_one_and_standardised():
    d = digits()
    # sklearn's load_digits: 1,797 images of 8×8 (UCI optdigits test part); 1/3 held out.
    assert len(d.x_train) + len(d.x_test) == 1797
    assert len(d.x_test) == 599 and d.x_train.shape[1:] == (1, 8, 8)
    assert abs(float(d.x_train.mean())) < 1e-4 and abs(float(d.x_train.std()) - 1) < 1e-3
    assert set(d.y_test.tolist()) == set(range(10))  # stratified: every digit in the test set


def test_the_declared_sizes_are_the_split_s():
    d = digits()
    assert (len(d.x_train), len(d.x_test)) == (TRAIN_SIZE, TEST_SIZE)
    assert tuple(d.x_train.shape[1:]) == INPUT_SHAPE


def test_classes_subset_keeps_only_those_digits_and_renumbers_them_from_zero():
    d = digits()
    x, y = classes_subset(d.x_train, d.y_train, (5, 6, 7, 8, 9))
    assert len(x) == int((d.y_train >= 5).sum()) and sorted(set(y.tolist())) == [0, 1, 2, 3, 4]
    first = int(torch.nonzero(d.y_train >= 5)[0])
    assert torch.equal(x[0], d.x_train[first]) and int(y[0]) == int(d.y_train[first]) - 5
