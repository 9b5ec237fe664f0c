"""Batch conventions: the 8-bit round trip, refusing wrong input, tiling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.augmentation import tensors as T


def test_uint8_round_trip_is_exact():
    img = np.random.default_rng(0).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    batch = T.from_uint8(img)
    assert batch.shape == (1, 3, 7, 9) and batch.dtype == torch.float32
    assert batch.min() >= 0 and batch.max() <= 1
    np.testing.assert_array_equal(T.to_uint8(batch)[0], img)


def test_from_uint8_rejects_wrong_input():
    with pytest.raises(ValueError, match="uint8"):
        T.from_uint8(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        T.from_uint8(np.zeros((4, 4, 3), dtype=np.float32))


def test_tile_lays_out_a_3x3_grid():
    batch = torch.zeros(9, 3, 10, 12)
    grid = T.tile(batch, nrow=3, pad=2)
    assert grid.shape == (3 * 10 + 4 * 2, 3 * 12 + 4 * 2, 3)
    assert grid[0, 0].tolist() == [255, 255, 255]  # padding is white
    assert grid[2, 2].tolist() == [0, 0, 0]  # first image starts after the padding
