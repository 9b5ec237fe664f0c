"""Semantics of every geometric distortion (issue 6's "done means" list): mirroring, crops, rotation,
shear, warping."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.viz.augmentation.batches import rand_batch
from viz.augmentation import geometry as G
from viz.augmentation import tensors as T

# ----------------------------------------------------------------- mirroring

def test_hflip_flips_exactly():
    x = rand_batch()
    y = G.hflip(x)
    w = x.shape[-1]
    for j in range(w):
        assert torch.equal(y[..., j], x[..., w - 1 - j])


def test_random_mirror_flips_exactly_the_chosen_images():
    x = rand_batch(n=16)
    y, flipped = G.random_mirror(x, 0.5, T.make_generator(3))
    assert 0 < int(flipped.sum()) < 16  # with p = 0.5 and 16 images, some of each (this seed)
    for k in range(16):
        assert torch.equal(y[k], x[k].flip(-1) if flipped[k] else x[k])
    assert torch.equal(G.random_mirror(x, 0.0, T.make_generator(1))[0], x)
    assert torch.equal(G.random_mirror(x, 1.0, T.make_generator(1))[0], x.flip(-1))


# ----------------------------------------------------------------- random resized crop

@settings(max_examples=40, deadline=None)
@given(h=st.integers(8, 300), w=st.integers(8, 300), lo=st.floats(0.01, 1.0), span=st.floats(0, 1),
       rlo=st.floats(0.2, 3.0), rspan=st.floats(1.0, 4.0), seed=st.integers(0, 2**31))
def test_crop_boxes_lie_inside_the_image(h, w, lo, span, rlo, rspan, seed):
    hi = min(1.0, lo + span)
    boxes = G.sample_crop_boxes(16, h, w, (lo, hi), (rlo, rlo * rspan), T.make_generator(seed))
    x0, y0, x1, y1 = boxes.unbind(1)
    assert (x0 >= 0).all() and (y0 >= 0).all() and (x1 <= w).all() and (y1 <= h).all()
    assert (x1 > x0).all() and (y1 > y0).all()


def test_crop_boxes_follow_scale_and_ratio():
    boxes = G.sample_crop_boxes(500, 300, 400, (0.2, 0.5), (0.75, 4 / 3), T.make_generator(0)).double()
    bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    area = bw * bh / (300 * 400)
    # Rounding w and h to whole pixels moves the area and ratio a little.
    assert (area > 0.2 - 0.01).all() and (area < 0.5 + 0.01).all()
    assert ((bw / bh) > 0.75 - 0.02).all() and ((bw / bh) < 4 / 3 + 0.02).all()


def test_crop_resize_of_whole_image_is_identity_and_of_a_box_is_its_slice():
    x = rand_batch(n=1, h=24, w=32)
    whole = torch.tensor([[0, 0, 32, 24]])
    torch.testing.assert_close(G.crop_resize(x, whole, (24, 32)), x, atol=1e-5, rtol=0)
    box = torch.tensor([[5, 3, 15, 19]])  # 10 wide, 16 high
    torch.testing.assert_close(G.crop_resize(x, box, (16, 10)), x[:, :, 3:19, 5:15], atol=1e-5, rtol=0)


def test_random_resized_crop_returns_size_and_boxes():
    x = rand_batch(n=4, h=30, w=40)
    y, boxes = G.random_resized_crop(x, (12, 12), gen=T.make_generator(0))
    assert y.shape == (4, 3, 12, 12) and boxes.shape == (4, 4)
    for k in range(4):  # each output is its own box, resized
        torch.testing.assert_close(y[k:k + 1], G.crop_resize(x[k:k + 1], boxes[k:k + 1], (12, 12)))


def test_crop_rejects_bad_ranges():
    with pytest.raises(ValueError, match="scale"):
        G.sample_crop_boxes(1, 10, 10, (0.5, 0.2))
    with pytest.raises(ValueError, match="ratio"):
        G.sample_crop_boxes(1, 10, 10, (0.2, 0.5), (0, 1))


# ----------------------------------------------------------------- rotation and shear

def test_rotation_by_zero_is_identity():
    x = rand_batch(h=23, w=37)
    for padding in G.PADDING_MODES:
        torch.testing.assert_close(G.rotate(x, 0.0, padding), x, atol=1e-5, rtol=0)


def test_rotation_by_90_is_rot90_counter_clockwise():
    x = rand_batch(h=20, w=20)
    torch.testing.assert_close(G.rotate(x, 90.0), torch.rot90(x, 1, [2, 3]), atol=1e-5, rtol=0)
    torch.testing.assert_close(G.rotate(x, -90.0), torch.rot90(x, -1, [2, 3]), atol=1e-5, rtol=0)


def test_rotation_keeps_angles_on_non_square_images():
    x = rand_batch(h=20, w=36)
    torch.testing.assert_close(G.rotate(x, 180.0), x.flip(-1).flip(-2), atol=1e-5, rtol=0)
    # The central 20 × 20 square turns into itself, as a square (no stretching).
    y = G.rotate(x, 90.0)
    torch.testing.assert_close(y[..., 8:28], torch.rot90(x[..., 8:28], 1, [2, 3]), atol=1e-5, rtol=0)


def test_random_rotation_angles_within_range_and_reproducible():
    x = rand_batch(n=32, h=8, w=8)
    y, angles = G.random_rotation(x, 15.0, T.make_generator(4))
    assert angles.abs().max() <= 15.0 and angles.abs().max() > 10.0
    torch.testing.assert_close(y, G.rotate(x, angles))


def test_shear_by_zero_is_identity_and_45_degrees_shifts_rows_by_their_height():
    x = rand_batch(h=21, w=40)
    torch.testing.assert_close(G.shear(x, 0.0, 0.0), x, atol=1e-5, rtol=0)
    y = G.shear(x, 45.0)  # x' = x + tan(45°)·y = x + y, y measured from the centre row
    for i in range(21):
        dy = i - 10  # odd height: whole-pixel shifts, no interpolation
        for j in range(max(0, dy), min(40, 40 + dy)):
            torch.testing.assert_close(y[..., i, j], x[..., i, j - dy], atol=1e-5, rtol=0)


# ----------------------------------------------------------------- local warping

def test_warp_with_strength_zero_is_identity():
    x = rand_batch(h=25, w=31)
    y, field = G.random_warp(x, 0.0, 0.25, T.make_generator(0))
    assert torch.count_nonzero(field) == 0
    torch.testing.assert_close(y, x, atol=1e-5, rtol=0)


def test_warp_by_a_constant_field_shifts_the_image():
    x = rand_batch(h=16, w=30)
    field = torch.zeros(2, 16, 30, 2)
    field[..., 0] = 3.0  # every output pixel shows the input pixel 3 to its right
    y = G.warp(x, field)
    torch.testing.assert_close(y[..., :27], x[..., 3:], atol=1e-5, rtol=0)


def test_displacement_field_is_smooth_and_scales_with_strength():
    f2 = G.displacement_field(1, 64, 64, 2.0, 0.25, T.make_generator(7))
    f4 = G.displacement_field(1, 64, 64, 4.0, 0.25, T.make_generator(7))
    torch.testing.assert_close(f4, 2 * f2)
    # Smooth: neighbouring pixels move almost alike compared with the field's spread.
    step = (f2[:, 1:] - f2[:, :-1]).abs().max()
    assert step < 0.25 * f2.abs().max()
    # Rougher (smaller smoothness) → more control points → larger pixel-to-pixel change.
    rough = G.displacement_field(1, 64, 64, 2.0, 0.05, T.make_generator(7))
    assert (rough[:, 1:] - rough[:, :-1]).abs().mean() > (f2[:, 1:] - f2[:, :-1]).abs().mean()


def test_draw_grid_marks_lines_every_spacing_pixels():
    x = torch.zeros(1, 3, 32, 32)
    y = G.draw_grid(x, None, spacing=8, color=(1.0, 0.0, 0.0))
    rows = [i for i in range(32) if bool((y[0, 0, i] == 1).all())]
    assert rows == [4, 12, 20, 28]
    assert float(y[0, 1].max()) == 0.0


def test_warp_rejects_bad_parameters():
    with pytest.raises(ValueError, match="strength"):
        G.displacement_field(1, 8, 8, -1.0, 0.25, T.make_generator(0))
    with pytest.raises(ValueError, match="smoothness"):
        G.displacement_field(1, 8, 8, 1.0, 0.0, T.make_generator(0))
    with pytest.raises(ValueError, match="padding"):
        G.rotate(rand_batch(), 10.0, padding="wrap")
