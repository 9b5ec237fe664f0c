"""Semantics of every distortion in viz/augment.py (issue 6's "done means" list)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from viz import augment as A


def rand_batch(n=2, h=24, w=32, seed=0):
    return torch.rand(n, 3, h, w, generator=A.make_generator(seed))


def uint8_batch(n=2, h=16, w=20, seed=0):
    """A batch whose values are exact multiples of 1/255, like a decoded 8-bit image."""
    g = A.make_generator(seed)
    return torch.randint(0, 256, (n, 3, h, w), generator=g).float() / 255


# ----------------------------------------------------------------- conversions

def test_uint8_round_trip_is_exact():
    img = np.random.default_rng(0).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    batch = A.from_uint8(img)
    assert batch.shape == (1, 3, 7, 9) and batch.dtype == torch.float32
    assert batch.min() >= 0 and batch.max() <= 1
    np.testing.assert_array_equal(A.to_uint8(batch)[0], img)


def test_from_uint8_rejects_wrong_input():
    with pytest.raises(ValueError, match="uint8"):
        A.from_uint8(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        A.from_uint8(np.zeros((4, 4, 3), dtype=np.float32))


def test_tile_lays_out_a_3x3_grid():
    batch = torch.zeros(9, 3, 10, 12)
    grid = A.tile(batch, nrow=3, pad=2)
    assert grid.shape == (3 * 10 + 4 * 2, 3 * 12 + 4 * 2, 3)
    assert grid[0, 0].tolist() == [255, 255, 255]  # padding is white
    assert grid[2, 2].tolist() == [0, 0, 0]  # first image starts after the padding


# ----------------------------------------------------------------- mirroring

def test_hflip_flips_exactly():
    x = rand_batch()
    y = A.hflip(x)
    w = x.shape[-1]
    for j in range(w):
        assert torch.equal(y[..., j], x[..., w - 1 - j])


def test_random_mirror_flips_exactly_the_chosen_images():
    x = rand_batch(n=16)
    y, flipped = A.random_mirror(x, 0.5, A.make_generator(3))
    assert 0 < int(flipped.sum()) < 16  # with p = 0.5 and 16 images, some of each (this seed)
    for k in range(16):
        assert torch.equal(y[k], x[k].flip(-1) if flipped[k] else x[k])
    assert torch.equal(A.random_mirror(x, 0.0, A.make_generator(1))[0], x)
    assert torch.equal(A.random_mirror(x, 1.0, A.make_generator(1))[0], x.flip(-1))


# ----------------------------------------------------------------- colour shift

def test_color_shift_adds_exactly_the_offsets_clipped():
    x = uint8_batch()
    x[0, :, 0, 0] = torch.tensor([250, 10, 240]) / 255  # near the ends: must clip
    offsets = A.LECTURE_PRESETS["+20, −20, +20"]
    assert offsets == (20, -20, 20)  # the lecture's example, R +20, G −20, B +20
    y = A.color_shift(x, offsets)
    before = torch.round(x * 255).long()
    expected = (before + torch.tensor(offsets)[None, :, None, None]).clamp(0, 255)
    assert torch.equal(torch.round(y * 255).long(), expected)
    assert y[0, :, 0, 0].mul(255).round().tolist() == [255, 0, 255]


def test_random_color_shift_offsets_are_integers_within_range_and_applied():
    x = uint8_batch(n=8)
    y, offsets = A.random_color_shift(x, 20, A.make_generator(5), base=(5, 0, 50))
    assert offsets.shape == (8, 3)
    assert torch.equal(offsets, offsets.round())
    assert ((offsets - torch.tensor([5, 0, 50])).abs() <= 20).all()
    assert torch.equal(y, A.color_shift(x, offsets))


def test_color_shift_rejects_bad_offsets():
    with pytest.raises(ValueError, match="shape"):
        A.color_shift(rand_batch(), (1, 2))


# ----------------------------------------------------------------- PCA colour

def test_rgb_pca_matches_numpy_covariance():
    x = rand_batch(n=1, h=40, w=50)
    x[:, 1] = 0.5 * x[:, 0] + 0.2 * x[:, 1]  # correlated channels, distinct eigenvalues
    pca = A.rgb_pca(x)
    pixels = x[0].reshape(3, -1).double().numpy()
    cov = np.cov(pixels)
    vals = np.linalg.eigvalsh(cov)[::-1]
    np.testing.assert_allclose(pca.eigenvalues.numpy(), vals, rtol=1e-4, atol=1e-7)
    v = pca.eigenvectors.double().numpy()
    np.testing.assert_allclose(v.T @ v, np.eye(3), atol=1e-5)  # orthonormal
    np.testing.assert_allclose(cov @ v, v * vals[None, :], atol=1e-5)  # C p_i = λ_i p_i
    assert (pca.eigenvalues[:-1] >= pca.eigenvalues[1:]).all()  # descending


def test_pca_noise_is_the_eigenvector_combination_with_sigma_scale():
    x = rand_batch(n=1, h=40, w=50)
    x[:, 2] = 0.3 * x[:, 0] + 0.7 * x[:, 2]
    pca = A.rgb_pca(x)
    sigma = 0.1  # AlexNet §4.1: α drawn from a Gaussian with mean 0 and standard deviation 0.1
    n = 4000
    # The image's own components, applied to many tiny copies (only the drawn offsets matter here).
    _, alphas, deltas = A.pca_color(A.repeat(x[:, :, :2, :2], n), sigma, A.make_generator(0), pca=pca)
    # Coordinates of each offset in the eigenbasis, divided by √λ_i, are the α_i drawn.
    coords = deltas.double() @ pca.eigenvectors.double()
    torch.testing.assert_close(coords / pca.std.double(), alphas.double(), rtol=1e-4, atol=1e-5)
    assert abs(float(alphas.std()) - sigma) < 0.05 * sigma
    assert abs(float(alphas.mean())) < 0.1 * sigma
    # The paper's own formula (λ_i, not √λ_i) on request.
    lam = A.pca_noise(pca, alphas[:3], magnitude="eigenvalue")
    torch.testing.assert_close(lam, (alphas[:3] * pca.eigenvalues) @ pca.eigenvectors.T)


def test_pca_noise_of_a_gray_image_lies_along_gray():
    """A gray image has one principal component, (1, 1, 1)/√3: the noise stays in its span."""
    g = torch.rand(1, 1, 30, 30, generator=A.make_generator(2)) * 0.6 + 0.2
    x = g.expand(1, 3, 30, 30).contiguous()
    pca = A.rgb_pca(x)
    assert float(pca.eigenvalues[1]) < 1e-9 and float(pca.eigenvalues[0]) > 1e-3
    torch.testing.assert_close(pca.eigenvectors[:, 0], torch.full((3,), 1 / math.sqrt(3)), atol=1e-5,
                               rtol=0)
    y, _, deltas = A.pca_color(A.repeat(x, 50), 0.5, A.make_generator(1), pca=pca)
    assert torch.allclose(deltas[:, 0], deltas[:, 1], atol=1e-6)
    assert torch.allclose(deltas[:, 1], deltas[:, 2], atol=1e-6)
    assert deltas.abs().max() > 0.01


def test_pca_color_clips_and_sigma_zero_is_identity():
    x = rand_batch()
    y, _, _ = A.pca_color(x, 0.0, A.make_generator(0))
    torch.testing.assert_close(y, x)
    y, _, _ = A.pca_color(x, 50.0, A.make_generator(0))
    assert y.min() >= 0 and y.max() <= 1


# ----------------------------------------------------------------- random resized crop

@settings(max_examples=40, deadline=None)
@given(h=st.integers(8, 300), w=st.integers(8, 300), lo=st.floats(0.01, 1.0), span=st.floats(0, 1),
       rlo=st.floats(0.2, 3.0), rspan=st.floats(1.0, 4.0), seed=st.integers(0, 2**31))
def test_crop_boxes_lie_inside_the_image(h, w, lo, span, rlo, rspan, seed):
    hi = min(1.0, lo + span)
    boxes = A.sample_crop_boxes(16, h, w, (lo, hi), (rlo, rlo * rspan), A.make_generator(seed))
    x0, y0, x1, y1 = boxes.unbind(1)
    assert (x0 >= 0).all() and (y0 >= 0).all() and (x1 <= w).all() and (y1 <= h).all()
    assert (x1 > x0).all() and (y1 > y0).all()


def test_crop_boxes_follow_scale_and_ratio():
    boxes = A.sample_crop_boxes(500, 300, 400, (0.2, 0.5), (0.75, 4 / 3), A.make_generator(0)).double()
    bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    area = bw * bh / (300 * 400)
    # Rounding w and h to whole pixels moves the area and ratio a little.
    assert (area > 0.2 - 0.01).all() and (area < 0.5 + 0.01).all()
    assert ((bw / bh) > 0.75 - 0.02).all() and ((bw / bh) < 4 / 3 + 0.02).all()


def test_crop_resize_of_whole_image_is_identity_and_of_a_box_is_its_slice():
    x = rand_batch(n=1, h=24, w=32)
    whole = torch.tensor([[0, 0, 32, 24]])
    torch.testing.assert_close(A.crop_resize(x, whole, (24, 32)), x, atol=1e-5, rtol=0)
    box = torch.tensor([[5, 3, 15, 19]])  # 10 wide, 16 high
    torch.testing.assert_close(A.crop_resize(x, box, (16, 10)), x[:, :, 3:19, 5:15], atol=1e-5, rtol=0)


def test_random_resized_crop_returns_size_and_boxes():
    x = rand_batch(n=4, h=30, w=40)
    y, boxes = A.random_resized_crop(x, (12, 12), gen=A.make_generator(0))
    assert y.shape == (4, 3, 12, 12) and boxes.shape == (4, 4)
    for k in range(4):  # each output is its own box, resized
        torch.testing.assert_close(y[k:k + 1], A.crop_resize(x[k:k + 1], boxes[k:k + 1], (12, 12)))


def test_crop_rejects_bad_ranges():
    with pytest.raises(ValueError, match="scale"):
        A.sample_crop_boxes(1, 10, 10, (0.5, 0.2))
    with pytest.raises(ValueError, match="ratio"):
        A.sample_crop_boxes(1, 10, 10, (0.2, 0.5), (0, 1))


# ----------------------------------------------------------------- rotation and shear

def test_rotation_by_zero_is_identity():
    x = rand_batch(h=23, w=37)
    for padding in A.PADDING_MODES:
        torch.testing.assert_close(A.rotate(x, 0.0, padding), x, atol=1e-5, rtol=0)


def test_rotation_by_90_is_rot90_counter_clockwise():
    x = rand_batch(h=20, w=20)
    torch.testing.assert_close(A.rotate(x, 90.0), torch.rot90(x, 1, [2, 3]), atol=1e-5, rtol=0)
    torch.testing.assert_close(A.rotate(x, -90.0), torch.rot90(x, -1, [2, 3]), atol=1e-5, rtol=0)


def test_rotation_keeps_angles_on_non_square_images():
    x = rand_batch(h=20, w=36)
    torch.testing.assert_close(A.rotate(x, 180.0), x.flip(-1).flip(-2), atol=1e-5, rtol=0)
    # The central 20 × 20 square turns into itself, as a square (no stretching).
    y = A.rotate(x, 90.0)
    torch.testing.assert_close(y[..., 8:28], torch.rot90(x[..., 8:28], 1, [2, 3]), atol=1e-5, rtol=0)


def test_random_rotation_angles_within_range_and_reproducible():
    x = rand_batch(n=32, h=8, w=8)
    y, angles = A.random_rotation(x, 15.0, A.make_generator(4))
    assert angles.abs().max() <= 15.0 and angles.abs().max() > 10.0
    torch.testing.assert_close(y, A.rotate(x, angles))


def test_shear_by_zero_is_identity_and_45_degrees_shifts_rows_by_their_height():
    x = rand_batch(h=21, w=40)
    torch.testing.assert_close(A.shear(x, 0.0, 0.0), x, atol=1e-5, rtol=0)
    y = A.shear(x, 45.0)  # x' = x + tan(45°)·y = x + y, y measured from the centre row
    for i in range(21):
        dy = i - 10  # odd height: whole-pixel shifts, no interpolation
        for j in range(max(0, dy), min(40, 40 + dy)):
            torch.testing.assert_close(y[..., i, j], x[..., i, j - dy], atol=1e-5, rtol=0)


# ----------------------------------------------------------------- local warping

def test_warp_with_strength_zero_is_identity():
    x = rand_batch(h=25, w=31)
    y, field = A.random_warp(x, 0.0, 0.25, A.make_generator(0))
    assert torch.count_nonzero(field) == 0
    torch.testing.assert_close(y, x, atol=1e-5, rtol=0)


def test_warp_by_a_constant_field_shifts_the_image():
    x = rand_batch(h=16, w=30)
    field = torch.zeros(2, 16, 30, 2)
    field[..., 0] = 3.0  # every output pixel shows the input pixel 3 to its right
    y = A.warp(x, field)
    torch.testing.assert_close(y[..., :27], x[..., 3:], atol=1e-5, rtol=0)


def test_displacement_field_is_smooth_and_scales_with_strength():
    f2 = A.displacement_field(1, 64, 64, 2.0, 0.25, A.make_generator(7))
    f4 = A.displacement_field(1, 64, 64, 4.0, 0.25, A.make_generator(7))
    torch.testing.assert_close(f4, 2 * f2)
    # Smooth: neighbouring pixels move almost alike compared with the field's spread.
    step = (f2[:, 1:] - f2[:, :-1]).abs().max()
    assert step < 0.25 * f2.abs().max()
    # Rougher (smaller smoothness) → more control points → larger pixel-to-pixel change.
    rough = A.displacement_field(1, 64, 64, 2.0, 0.05, A.make_generator(7))
    assert (rough[:, 1:] - rough[:, :-1]).abs().mean() > (f2[:, 1:] - f2[:, :-1]).abs().mean()


def test_draw_grid_marks_lines_every_spacing_pixels():
    x = torch.zeros(1, 3, 32, 32)
    y = A.draw_grid(x, None, spacing=8, color=(1.0, 0.0, 0.0))
    rows = [i for i in range(32) if bool((y[0, 0, i] == 1).all())]
    assert rows == [4, 12, 20, 28]
    assert float(y[0, 1].max()) == 0.0


def test_warp_rejects_bad_parameters():
    with pytest.raises(ValueError, match="strength"):
        A.displacement_field(1, 8, 8, -1.0, 0.25, A.make_generator(0))
    with pytest.raises(ValueError, match="smoothness"):
        A.displacement_field(1, 8, 8, 1.0, 0.0, A.make_generator(0))
    with pytest.raises(ValueError, match="padding"):
        A.rotate(rand_batch(), 10.0, padding="wrap")


# ----------------------------------------------------------------- reproducibility and pipeline

FULL = A.Pipeline((A.RandomResizedCrop(size=16), A.Mirror(), A.Rotation(20.0), A.Shear(10.0, 5.0),
                   A.Warp(2.0, 0.3), A.ColorShift(20.0), A.PCAColor(0.1)))


@pytest.mark.parametrize("step", FULL.steps + (FULL,), ids=lambda s: type(s).__name__)
def test_same_seed_same_batch_different_seed_different_batch(step):
    x = rand_batch(n=4, h=24, w=32)
    a = step(x, A.make_generator(11))
    b = step(x, A.make_generator(11))
    c = step(x, A.make_generator(12))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_pipeline_applies_steps_in_order():
    x = rand_batch(n=3, h=24, w=32)
    out = FULL(x, A.make_generator(0))
    assert out.shape == (3, 3, 16, 16) and out.min() >= 0 and out.max() <= 1
    g = A.make_generator(0)
    manual = x
    for step in FULL.steps:
        manual = step(manual, g)
    assert torch.equal(out, manual)


def test_torchvision_code_compiles_and_names_each_transform():
    pca = A.rgb_pca(rand_batch(n=1))
    code = A.torchvision_code(FULL, pca)
    compile(code, "<torchvision code>", "exec")  # valid Python (torchvision itself is not installed)
    for name in ("v2.RandomResizedCrop(size=(16, 16)", "v2.RandomHorizontalFlip(p=0.5)",
                 "v2.RandomRotation(degrees=(-20, 20)", "shear=(-10, 10, -5, 5)", "v2.ElasticTransform(",
                 "class ColorShift", "class PCAColor", "v2.ToDtype(torch.float32, scale=True)"):
        assert name in code
    assert f"{float(pca.eigenvalues[0]):.6f}" in code
    assert "class PCAColor" not in A.torchvision_code(A.Pipeline((A.Mirror(),)))


# ----------------------------------------------------------------- 10-crop

def test_ten_crop_positions_are_exact():
    h, w, s = 300, 451, 224  # the bundled photo's size, AlexNet's 224 crops
    boxes = A.ten_crop_boxes(h, w, s)
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
    tiles, boxes = A.ten_crop(x, 20)
    assert tiles.shape == (10, 3, 20, 20)
    m = x.flip(-1)
    # Independently: five crops of the image, then five of its mirror image (Krizhevsky et al. 2012, §4.1).
    offsets = [(0, 0), (0, 21), (10, 0), (10, 21), (5, 10)]  # (top, left); centre = round(5), round(10.5) = 10
    for k, (t, left) in enumerate(offsets):
        assert torch.equal(tiles[k], x[0, :, t:t + 20, left:left + 20])
        assert torch.equal(tiles[5 + k], m[0, :, t:t + 20, left:left + 20])


def test_ten_crop_rejects_a_crop_larger_than_the_image():
    with pytest.raises(ValueError, match="shorter side"):
        A.ten_crop_boxes(100, 200, 101)


def test_prediction_cost_multiplies_crops_and_models():
    assert A.prediction_cost(1_000, crops=10, models=7) == 70_000
    assert A.prediction_cost(5) == 5
    with pytest.raises(ValueError):
        A.prediction_cost(5, crops=0)
