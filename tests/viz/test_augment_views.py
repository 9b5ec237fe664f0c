"""The Augmentation Lab's pictures and tables, computed without Streamlit."""

from __future__ import annotations

import numpy as np
import pytest

from viz import augment as A
from viz import augment_views as V


@pytest.fixture(scope="module")
def work() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (60, 90, 3), dtype=np.uint8)


def test_every_preview_is_a_3x3_grid(work):
    previews = [V.mirror(work, 0.5, 0), V.rotation(work, 20.0, "zeros", 0), V.shear(work, 10.0, 5.0, "border", 0),
                V.warp(work, 3.0, 0.25, True, 0), V.color_shift_random(work, 20.0, 0), V.pca(work, 0.1, 0)]
    for pv in previews:
        assert pv.grid.shape == (3 * 60 + 4 * 4, 3 * 90 + 4 * 4, 3)  # 3 × 3 tiles, 4-pixel padding
        assert pv.ms >= 0 and pv.caption
    crop = V.crop(work, (0.2, 1.0), (0.75, 1.33), 32, 0)
    assert crop.grid.shape == (3 * 32 + 16, 3 * 32 + 16, 3)
    assert crop.extras[0][0].shape == work.shape  # the boxes are drawn on the original


def test_same_seed_same_preview(work):
    assert np.array_equal(V.rotation(work, 30.0, "zeros", 5).grid, V.rotation(work, 30.0, "zeros", 5).grid)
    assert not np.array_equal(V.rotation(work, 30.0, "zeros", 5).grid, V.rotation(work, 30.0, "zeros", 6).grid)


def test_no_negative_zero_in_captions(work):
    assert "-0" not in V.rotation(work, 0.0, "zeros", 1).caption
    assert "-0" not in V.shear(work, 0.0, 0.0, "zeros", 1).caption


def test_fixed_colour_shifts_include_the_lecture_presets(work):
    shown = V.color_shift_fixed(work, (20, -20, 20))
    labels = [label for _, label in shown]
    assert labels[0] == "original" and "R, G, B +20, −20, +20" in labels
    assert len(shown) == 4  # original + the three presets; (20, −20, 20) is already one of them
    custom = V.color_shift_fixed(work, (7, 0, 0))
    assert custom[-1][1] == "R, G, B +7, +0, +0"
    expected = np.clip(work.astype(int) + [7, 0, 0], 0, 255)
    assert np.array_equal(custom[-1][0], expected)


def test_pca_swatches_centre_is_the_mean_colour(work):
    comps = A.rgb_pca(A.from_uint8(work))
    sw = V.component_swatches(comps, cell=10)
    assert sw.shape == (30, 60, 3)
    mean = np.round(comps.mean.numpy() * 255)
    assert np.abs(sw[5, 30].astype(int) - mean).max() <= 1


def test_ten_crop_view_draws_mirrored_crops_on_the_mirror_image():
    img = np.zeros((256, 300, 3), dtype=np.uint8)
    img[:, :150] = 255  # left half white: its mirror image has the right half white
    tc = V.ten_crop_view(img, 224)
    assert tc.tiles.shape == (2 * 224 + 3 * 4, 5 * 224 + 6 * 4, 3)
    assert (tc.mirrored[128, 200:290] > 0).any() and tc.mirrored[128, 250].tolist() != [0, 0, 0]
    assert len(tc.boxes) == 10 and [b.mirrored for b in tc.boxes] == [False] * 5 + [True] * 5


def test_rescale_short_side_keeps_aspect():
    out = V.rescale_short_side(np.zeros((300, 451, 3), dtype=np.uint8))
    assert out.shape == (256, 385, 3)  # 451 · 256/300 = 384.9 → 385


def test_cost_rows_and_format():
    rows = V.cost_rows(1_000_000, crops=10, models=3)
    assert [r["forward passes"] for r in rows] == [1, 10, 3, 30]
    assert [r["multiply-adds"] for r in rows] == [10**6, 10**7, 3 * 10**6, 3 * 10**7]
    assert V.format_macs(724_000_000) == "724 M" and V.format_macs(15_500_000_000) == "15.5 G"
    assert V.format_macs(999) == "999"
