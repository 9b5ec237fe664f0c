"""Colour distortions: the lecture's colour shifting and AlexNet's PCA colour noise.

Both need RGB batches ``(N, 3, H, W)`` in [0, 1] (see :mod:`viz.augmentation.tensors`).
Colour offsets are given in 8-bit units (the lecture's "+20") and divided by 255 here.

Sources: colour shifting (+20 / −20 / +20) from the lecture; PCA colour
augmentation from Krizhevsky, Sutskever & Hinton 2012 (AlexNet, §4.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from viz.augmentation.tensors import check_batch

# The lecture's colour-shift examples, (R, G, B) offsets in 8-bit units.
LECTURE_PRESETS: dict[str, tuple[int, int, int]] = {
    "+20, −20, +20": (20, -20, 20),
    "−20, +20, +20": (-20, 20, 20),
    "+5, 0, +50": (5, 0, 50),
}


def color_shift(batch: torch.Tensor, offsets: Sequence[float] | torch.Tensor) -> torch.Tensor:
    """Add R, G, B ``offsets`` (8-bit units, shape (3,) or (N, 3)) to every pixel, clipped to [0, 1]."""
    check_batch(batch, 3)
    off = torch.as_tensor(offsets, dtype=batch.dtype)
    if off.shape not in ((3,), (batch.shape[0], 3)):
        raise ValueError(f"offsets must have shape (3,) or (N, 3); got {tuple(off.shape)}")
    off = off.reshape(-1, 3)[:, :, None, None] / 255.0
    return (batch + off).clamp(0, 1)


def random_color_shift(batch: torch.Tensor, max_offset: float, gen: torch.Generator,
                       base: Sequence[float] = (0, 0, 0)) -> tuple[torch.Tensor, torch.Tensor]:
    """Offsets ``base`` + uniform in [−max, max] per channel and image (8-bit units; integers)."""
    n = batch.shape[0]
    u = torch.rand(n, 3, generator=gen, dtype=torch.float64) * 2 - 1
    offsets = (torch.as_tensor(base, dtype=torch.float64) + torch.round(u * max_offset)).to(torch.float32)
    return color_shift(batch, offsets), offsets


@dataclass(frozen=True)
class RGBPCA:
    """Principal components of the RGB values (AlexNet §4.1).

    ``eigenvalues`` (3,) in descending order: variances of the pixel values along
    each component, in [0, 1]² units; ``eigenvectors`` (3, 3): column i is p_i.
    """

    eigenvalues: torch.Tensor
    eigenvectors: torch.Tensor
    mean: torch.Tensor

    @property
    def std(self) -> torch.Tensor:
        return self.eigenvalues.clamp(min=0).sqrt()


def rgb_pca(batch: torch.Tensor) -> RGBPCA:
    """Eigen-decomposition of the 3 × 3 covariance of all pixels' (R, G, B) in ``batch``."""
    check_batch(batch, 3)
    n, _, h, w = batch.shape
    pixels = batch.reshape(n, 3, h * w)
    # Every k-th pixel: ~65k samples estimate a 3 × 3 covariance to well under 1 %.
    step = max(1, (n * h * w) // 65536)
    pixels = pixels[:, :, ::step].permute(1, 0, 2).reshape(3, -1)
    if pixels.shape[1] < 2:
        raise ValueError("PCA needs at least two pixels")
    mean = pixels.mean(1, dtype=torch.float64)
    centred = pixels.to(torch.float64) - mean[:, None]
    cov = centred @ centred.T / (pixels.shape[1] - 1)
    vals, vecs = torch.linalg.eigh(cov)
    vals, vecs = vals.flip(0), vecs.flip(1)  # descending
    # eigh's signs are arbitrary: make each vector's components sum ≥ 0 (p1 then reads "brighter").
    signs = torch.where(vecs.sum(0) < 0, -1.0, 1.0).to(vecs.dtype)
    return RGBPCA(vals.clamp(min=0).float(), (vecs * signs).float(), mean.float())


def pca_noise(pca: RGBPCA, alphas: torch.Tensor, magnitude: str = "std") -> torch.Tensor:
    """The colour offsets ``[p1 p2 p3] · [α1 s1, α2 s2, α3 s3]ᵀ``, one (3,) row per row of ``alphas``.

    AlexNet's paper writes s_i = λ_i (the eigenvalue); the widely used
    implementation (fb.resnet.torch's ``Lighting``, which most re-implementations
    follow) scales by √λ_i, the standard deviation along p_i, which keeps the
    offset in pixel units whatever the value range. ``magnitude`` picks
    "std" (√λ, default) or "eigenvalue" (λ, the paper's formula on [0, 1] data).
    """
    if magnitude == "std":
        s = pca.std
    elif magnitude == "eigenvalue":
        s = pca.eigenvalues
    else:
        raise ValueError(f"magnitude must be 'std' or 'eigenvalue'; got {magnitude!r}")
    return (alphas * s) @ pca.eigenvectors.T


def pca_color(batch: torch.Tensor, sigma: float, gen: torch.Generator, pca: RGBPCA | None = None,
              magnitude: str = "std") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """AlexNet's PCA colour augmentation: α ~ N(0, σ) per component and image.

    ``pca`` defaults to the components of ``batch`` itself (AlexNet used the whole
    ImageNet training set). Returns (batch, alphas (N, 3), offsets (N, 3) in [0, 1] units).
    """
    check_batch(batch, 3)
    if sigma < 0:
        raise ValueError(f"sigma must be ≥ 0; got {sigma}")
    pca = pca or rgb_pca(batch)
    alphas = torch.randn(batch.shape[0], 3, generator=gen) * sigma
    deltas = pca_noise(pca, alphas, magnitude)
    return (batch + deltas[:, :, None, None]).clamp(0, 1), alphas, deltas

