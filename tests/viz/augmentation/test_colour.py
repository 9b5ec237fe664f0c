"""Colour shifting and AlexNet's PCA colour augmentation (issue 6's "done means" list)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.viz.augmentation.batches import rand_batch, uint8_batch
from viz.augmentation import colour as C
from viz.augmentation import tensors as T

# ----------------------------------------------------------------- colour shift

def test_color_shift_adds_exactly_the_offsets_clipped():
    x = uint8_batch()
    x[0, :, 0, 0] = torch.tensor([250, 10, 240]) / 255  # near the ends: must clip
    offsets = C.LECTURE_PRESETS["+20, −20, +20"]
    assert offsets == (20, -20, 20)  # the lecture's example, R +20, G −20, B +20
    y = C.color_shift(x, offsets)
    before = torch.round(x * 255).long()
    expected = (before + torch.tensor(offsets)[None, :, None, None]).clamp(0, 255)
    assert torch.equal(torch.round(y * 255).long(), expected)
    assert y[0, :, 0, 0].mul(255).round().tolist() == [255, 0, 255]


def test_random_color_shift_offsets_are_integers_within_range_and_applied():
    x = uint8_batch(n=8)
    y, offsets = C.random_color_shift(x, 20, T.make_generator(5), base=(5, 0, 50))
    assert offsets.shape == (8, 3)
    assert torch.equal(offsets, offsets.round())
    assert ((offsets - torch.tensor([5, 0, 50])).abs() <= 20).all()
    assert torch.equal(y, C.color_shift(x, offsets))


def test_color_shift_rejects_bad_offsets():
    with pytest.raises(ValueError, match="shape"):
        C.color_shift(rand_batch(), (1, 2))


# ----------------------------------------------------------------- PCA colour

def test_rgb_pca_matches_numpy_covariance():
    x = rand_batch(n=1, h=40, w=50)
    x[:, 1] = 0.5 * x[:, 0] + 0.2 * x[:, 1]  # correlated channels, distinct eigenvalues
    pca = C.rgb_pca(x)
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
    pca = C.rgb_pca(x)
    sigma = 0.1  # AlexNet §4.1: α drawn from a Gaussian with mean 0 and standard deviation 0.1
    n = 4000
    # The image's own components, applied to many tiny copies (only the drawn offsets matter here).
    _, alphas, deltas = C.pca_color(T.repeat(x[:, :, :2, :2], n), sigma, T.make_generator(0), pca=pca)
    # Coordinates of each offset in the eigenbasis, divided by √λ_i, are the α_i drawn.
    coords = deltas.double() @ pca.eigenvectors.double()
    torch.testing.assert_close(coords / pca.std.double(), alphas.double(), rtol=1e-4, atol=1e-5)
    assert abs(float(alphas.std()) - sigma) < 0.05 * sigma
    assert abs(float(alphas.mean())) < 0.1 * sigma
    # The paper's own formula (λ_i, not √λ_i) on request.
    lam = C.pca_noise(pca, alphas[:3], magnitude="eigenvalue")
    torch.testing.assert_close(lam, (alphas[:3] * pca.eigenvalues) @ pca.eigenvectors.T)


def test_pca_noise_of_a_gray_image_lies_along_gray():
    """A gray image has one principal component, (1, 1, 1)/√3: the noise stays in its span."""
    g = torch.rand(1, 1, 30, 30, generator=T.make_generator(2)) * 0.6 + 0.2
    x = g.expand(1, 3, 30, 30).contiguous()
    pca = C.rgb_pca(x)
    assert float(pca.eigenvalues[1]) < 1e-9 and float(pca.eigenvalues[0]) > 1e-3
    torch.testing.assert_close(pca.eigenvectors[:, 0], torch.full((3,), 1 / math.sqrt(3)), atol=1e-5,
                               rtol=0)
    y, _, deltas = C.pca_color(T.repeat(x, 50), 0.5, T.make_generator(1), pca=pca)
    assert torch.allclose(deltas[:, 0], deltas[:, 1], atol=1e-6)
    assert torch.allclose(deltas[:, 1], deltas[:, 2], atol=1e-6)
    assert deltas.abs().max() > 0.01


def test_pca_color_clips_and_sigma_zero_is_identity():
    x = rand_batch()
    y, _, _ = C.pca_color(x, 0.0, T.make_generator(0))
    torch.testing.assert_close(y, x)
    y, _, _ = C.pca_color(x, 50.0, T.make_generator(0))
    assert y.min() >= 0 and y.max() <= 1
