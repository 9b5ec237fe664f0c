"""AlexNet's 10-crop at test time: exact positions and tiles."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.viz.augmentation.batches import rand_batch
from viz.augmentation import crops as K

# ----------------------------------------------------------------- 10-crop

def test_ten_crop_positions_are_exact():
    h, w, s = 300, 451, 224  # the bundled photo's size, AlexNet's 224 crops
    boxes = K.ten_crop_boxes(h, w, s)
    got = [(b.name, b.x0, b.y0, b.mirrored) for b in boxes]
    # torchvision five_crop: corners, then centre at round((451-224)/2) = round(113.5) = 114, round(38) = 38.
    assert got[:5] == [("top-left", 0, 0, False), ("top-right", 227, 0, False), ("bottom-left", 0, 76, False),
                       ("bottom-right", 227, 76, False), ("centre", 114, 38, False)]
    # Mirrored top-left = the original's top-right region, flipped.
    assert [(b.x0, b.y0, b.mirrored) for b in boxes[5:]] == [
        (227, 0, True), (0, 0, True), (227, 76, True), (0, 76, True), (113, 38, True)]
    assert all(b.x1 - b.x0 == s and b.y1 - b.y0 == s for b in boxes)


def test_ten_crop_tiles_are_the_crops_of_the_image_and_its_mirror():
    x = rand_batch(n=1, h=30, w=41)
    tiles, boxes = K.ten_crop(x, 20)
    assert tiles.shape == (10, 3, 20, 20)
    m = x.flip(-1)
    # Independently: five crops of the image, then five of its mirror image (Krizhevsky et al. 2012, §4.1).
    offsets = [(0, 0), (0, 21), (10, 0), (10, 21), (5, 10)]  # (top, left); centre = round(5), round(10.5) = 10
    for k, (t, left) in enumerate(offsets):
        assert torch.equal(tiles[k], x[0, :, t:t + 20, left:left + 20])
        assert torch.equal(tiles[5 + k], m[0, :, t:t + 20, left:left + 20])


def test_ten_crop_rejects_a_crop_larger_than_the_image():
    with pytest.raises(ValueError, match="shorter side"):
        K.ten_crop_boxes(100, 200, 101)


def test_rescale_short_side_keeps_aspect():
    out = K.rescale_short_side(np.zeros((300, 451, 3), dtype=np.uint8))
    assert out.shape == (256, 385, 3)  # 451 · 256/300 = 384.9 → 385
