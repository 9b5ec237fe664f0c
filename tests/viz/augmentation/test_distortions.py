"""The distortions as pipeline steps: reproducible from a seed, applied in order."""

from __future__ import annotations

import pytest
import torch

from tests.viz.augmentation.batches import FULL, rand_batch
from viz.augmentation import distortions as D
from viz.augmentation import tensors as T

# ----------------------------------------------------------------- reproducibility and pipeline

@pytest.mark.parametrize("step", FULL.steps + (FULL,), ids=lambda s: type(s).__name__)
def test_same_seed_same_batch_different_seed_different_batch(step):
    x = rand_batch(n=4, h=24, w=32)
    a = step(x, T.make_generator(11))
    b = step(x, T.make_generator(11))
    c = step(x, T.make_generator(12))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_pipeline_applies_steps_in_order():
    x = rand_batch(n=3, h=24, w=32)
    out = FULL(x, T.make_generator(0))
    assert out.shape == (3, 3, 16, 16) and out.min() >= 0 and out.max() <= 1
    g = T.make_generator(0)
    manual = x
    for step in FULL.steps:
        manual = step(manual, g)
    assert torch.equal(out, manual)


def test_pipeline_of_takes_the_steps_in_the_order_picked():
    steps = (D.Mirror(0.3), D.Rotation(5.0), D.PCAColor(0.2))
    assert D.pipeline_of(["PCA colour", "mirroring"], steps) == D.Pipeline((D.PCAColor(0.2), D.Mirror(0.3)))
    assert D.pipeline_of([], steps) == D.Pipeline(())
    with pytest.raises(ValueError, match="unknown steps"):
        D.pipeline_of(["mirroring", "blur"], steps)


# ----------------------------------------------------------------- 1-channel digits (the Training Lab, issue 14)
# LeNet-5 takes 32 × 32 grey digits (LeCun et al. 1998, §II.B): the Training Lab distorts
# (N, 1, 32, 32) batches with the lab's own random crop, rotation, shear and local warp.

DIGIT_STEPS = (D.RandomResizedCrop(size=32, scale=(0.7, 1.0), ratio=(0.9, 1.1)), D.Rotation(15.0),
               D.Shear(15.0, 5.0), D.Warp(2.0, 0.25))


def digits(n=6) -> torch.Tensor:
    """White strokes on black, like MNIST: a different vertical bar and a cross-bar per digit."""
    x = torch.zeros(n, 1, 32, 32)
    for k in range(n):
        x[k, 0, 6:26, 10 + k:13 + k] = 1.0
        x[k, 0, 8 + 2 * k, 8:24] = 1.0
    return x


@pytest.mark.parametrize("step", DIGIT_STEPS + (D.Pipeline(DIGIT_STEPS),), ids=lambda s: type(s).__name__)
def test_digit_distortions_take_one_channel_batches(step):
    x = digits()
    y = step(x, T.make_generator(4))
    assert y.shape == (6, 1, 32, 32) and y.dtype == torch.float32
    assert y.min() >= 0 and y.max() <= 1 + 1e-6
    assert torch.equal(y, step(x, T.make_generator(4)))  # same seed, same digits
    assert not torch.allclose(y, x, atol=1e-3)  # and really distorted


@pytest.mark.parametrize("step", DIGIT_STEPS + (D.Mirror(0.5),), ids=lambda s: type(s).__name__)
def test_a_grey_digit_is_distorted_exactly_as_each_channel_of_an_rgb_image(step):
    """Geometry never mixes channels: the digit's samples are the same as the lab's RGB samples."""
    x = digits()
    grey = step(x, T.make_generator(9))
    rgb = step(x.expand(-1, 3, -1, -1).contiguous(), T.make_generator(9))
    for c in range(3):
        torch.testing.assert_close(rgb[:, c:c + 1], grey, atol=1e-6, rtol=0)


def test_digit_distortions_with_no_range_leave_the_digit_alone():
    x = digits()
    for step in (D.Rotation(0.0), D.Shear(0.0, 0.0), D.Warp(0.0, 0.25),
                 D.RandomResizedCrop(size=32, scale=(1.0, 1.0), ratio=(1.0, 1.0))):
        torch.testing.assert_close(step(x, T.make_generator(0)), x, atol=1e-5, rtol=0)


@pytest.mark.parametrize("step", (D.ColorShift(20.0), D.PCAColor(0.1)), ids=lambda s: type(s).__name__)
def test_colour_steps_refuse_grey_digits_clearly(step):
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        step(digits(), T.make_generator(0))
