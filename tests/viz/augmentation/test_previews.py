"""The Augmentation Lab's pictures and tables, computed without Streamlit."""

from __future__ import annotations

import numpy as np
import pytest

from viz.augmentation import colour as C
from viz.augmentation import distortions as D
from viz.augmentation import previews as P
from viz.augmentation.tensors import from_uint8


@pytest.fixture(scope="module")
def work() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (60, 90, 3), dtype=np.uint8)


def test_every_preview_is_a_3x3_grid(work):
    previews = [P.mirror(work, 0.5, 0), P.rotation(work, 20.0, "zeros", 0), P.shear(work, 10.0, 5.0, "border", 0),
                P.warp(work, 3.0, 0.25, True, 0), P.color_shift_random(work, 20.0, 0), P.pca(work, 0.1, 0)]
    for pv in previews:
        assert pv.grid.shape == (3 * 60 + 4 * 4, 3 * 90 + 4 * 4, 3)  # 3 × 3 tiles, 4-pixel padding
        assert pv.ms >= 0 and pv.caption
    crop = P.crop(work, (0.2, 1.0), (0.75, 1.33), 32, 0)
    assert crop.grid.shape == (3 * 32 + 16, 3 * 32 + 16, 3)
    assert crop.extras[0][0].shape == work.shape  # the boxes are drawn on the original


def test_same_seed_same_preview(work):
    assert np.array_equal(P.rotation(work, 30.0, "zeros", 5).grid, P.rotation(work, 30.0, "zeros", 5).grid)
    assert not np.array_equal(P.rotation(work, 30.0, "zeros", 5).grid, P.rotation(work, 30.0, "zeros", 6).grid)


def test_no_negative_zero_in_captions(work):
    assert "-0" not in P.rotation(work, 0.0, "zeros", 1).caption
    assert "-0" not in P.shear(work, 0.0, 0.0, "zeros", 1).caption


STEPS_AND_PREVIEWS = [
    (D.Mirror(0.3), lambda w: P.mirror(w, 0.3, 2)),
    (D.RandomResizedCrop(48, (0.3, 0.9), (0.8, 1.2)), lambda w: P.crop(w, (0.3, 0.9), (0.8, 1.2), 48, 2)),
    (D.Rotation(25.0, "border"), lambda w: P.rotation(w, 25.0, "border", 2)),
    (D.Shear(12.0, 4.0, "reflection"), lambda w: P.shear(w, 12.0, 4.0, "reflection", 2)),
    (D.Warp(5.0, 0.5), lambda w: P.warp(w, 5.0, 0.5, True, 2)),
    (D.ColorShift(30.0), lambda w: P.color_shift_random(w, 30.0, 2)),
    (D.PCAColor(0.4), lambda w: P.pca(w, 0.4, 2)),
    (D.Pipeline((D.Mirror(), D.Rotation(10.0))), lambda w: P.pipeline_batch(w, D.Pipeline((D.Mirror(),
                                                                                           D.Rotation(10.0))), 2)),
]


@pytest.mark.parametrize("step, direct", STEPS_AND_PREVIEWS, ids=lambda s: type(s).__name__)
def test_sample_preview_of_a_step_is_that_distortion_with_the_steps_settings(work, step, direct):
    by_step, expected = P.sample_preview(work, step, 2), direct(work)
    assert np.array_equal(by_step.grid, expected.grid) and by_step.caption == expected.caption


def test_sample_preview_of_warp_without_the_grid_and_of_an_unknown_step(work):
    plain = P.sample_preview(work, D.Warp(5.0, 0.5), 2, show_grid=False)
    assert np.array_equal(plain.grid, P.warp(work, 5.0, 0.5, False, 2).grid)
    assert not np.array_equal(plain.grid, P.sample_preview(work, D.Warp(5.0, 0.5), 2).grid)
    with pytest.raises(TypeError, match="no preview"):
        P.sample_preview(work, "mirror", 2)


def test_fixed_colour_shifts_include_the_lecture_presets(work):
    shown = P.color_shift_fixed(work, (20, -20, 20))
    labels = [label for _, label in shown]
    assert labels[0] == "original" and "R, G, B +20, −20, +20" in labels
    assert len(shown) == 4  # original + the three presets; (20, −20, 20) is already one of them
    custom = P.color_shift_fixed(work, (7, 0, 0))
    assert custom[-1][1] == "R, G, B +7, +0, +0"
    expected = np.clip(work.astype(int) + [7, 0, 0], 0, 255)
    assert np.array_equal(custom[-1][0], expected)


def test_pca_swatches_centre_is_the_mean_colour(work):
    comps = C.rgb_pca(from_uint8(work))
    sw = P.component_swatches(comps, cell=10)
    assert sw.shape == (30, 60, 3)
    mean = np.round(comps.mean.numpy() * 255)
    assert np.abs(sw[5, 30].astype(int) - mean).max() <= 1


def test_ten_crop_pictures_draw_mirrored_crops_on_the_mirror_image():
    img = np.zeros((256, 300, 3), dtype=np.uint8)
    img[:, :150] = 255  # left half white: its mirror image has the right half white
    tc = P.ten_crop_pictures(img, 224)
    assert tc.tiles.shape == (2 * 224 + 3 * 4, 5 * 224 + 6 * 4, 3)
    assert (tc.mirrored[128, 200:290] > 0).any() and tc.mirrored[128, 250].tolist() != [0, 0, 0]
    assert len(tc.boxes) == 10 and [b.mirrored for b in tc.boxes] == [False] * 5 + [True] * 5
