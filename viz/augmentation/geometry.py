"""Geometric distortions: mirroring, random crops, rotation, shear and local warping.

Every function takes a float batch ``(N, C, H, W)`` in [0, 1] with any number of
channels (photos: 3; the Training Lab's digits: 1) and a ``torch.Generator``
(see :mod:`viz.augmentation.tensors`). Crop, rotation, shear and warping are one
``grid_sample`` call per batch on a sampling grid built by broadcasting (the same
grid as ``F.affine_grid``, faster): bilinear sampling, ``align_corners=False``, so
the identity transform samples exactly at pixel centres. Mirroring is an exact flip.

Sources: random crops and mirroring from Krizhevsky, Sutskever & Hinton 2012
(AlexNet, §4.1); the scale/aspect-ratio crop from Szegedy et al. 2015 (GoogLeNet,
§6) as ``torchvision``'s ``RandomResizedCrop`` does it; local (elastic) warping
from Simard, Steinkraus & Platt 2003.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from viz.augmentation.tensors import check_batch

PADDING_MODES = ("zeros", "border", "reflection")


def _check_padding(padding: str) -> None:
    if padding not in PADDING_MODES:
        raise ValueError(f"padding must be one of {', '.join(PADDING_MODES)}; got {padding!r}")


def _pixel_centres(n: int, dtype=torch.float32) -> torch.Tensor:
    """Normalised coordinates of n pixel centres (align_corners=False): (2i + 1)/n − 1."""
    return (torch.arange(n, dtype=dtype) * 2 + 1) / n - 1


def _affine_grid(theta: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """``F.affine_grid(theta, (N, C, h, w), align_corners=False)`` by broadcasting.

    Same grid (to float rounding), about twice as fast here: affine_grid builds a
    homogeneous base grid and multiplies it batch by batch.
    """
    t = theta.to(torch.float32)
    xs, ys = _pixel_centres(w)[None, None, :], _pixel_centres(h)[None, :, None]
    gx = t[:, 0, 0, None, None] * xs + t[:, 0, 1, None, None] * ys + t[:, 0, 2, None, None]
    gy = t[:, 1, 0, None, None] * xs + t[:, 1, 1, None, None] * ys + t[:, 1, 2, None, None]
    return torch.stack([gx, gy], dim=-1)


def _sample(batch: torch.Tensor, theta: torch.Tensor, size: tuple[int, int] | None = None,
            padding: str = "zeros") -> torch.Tensor:
    """Resample ``batch`` through the affine maps ``theta`` (N, 2, 3), output → input coordinates."""
    _check_padding(padding)
    _, _, h, w = batch.shape
    oh, ow = size or (h, w)
    grid = _affine_grid(theta, oh, ow)
    return F.grid_sample(batch, grid, mode="bilinear", padding_mode=padding, align_corners=False)


def _linear_theta(m: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """A pixel-space 2×2 map ``m`` (N, 2, 2) about the image centre → affine_grid's theta.

    affine_grid works in normalised coordinates where x spans W pixels and y
    spans H; conjugating by diag(W, H) keeps angles right on non-square images.
    """
    s = torch.tensor([w / 2.0, h / 2.0], dtype=m.dtype)
    lin = m * s[None, None, :] / s[None, :, None]  # S⁻¹ · m · S
    return torch.cat([lin, torch.zeros(m.shape[0], 2, 1, dtype=m.dtype)], dim=2)


# --------------------------------------------------------------------------- mirroring

def hflip(batch: torch.Tensor) -> torch.Tensor:
    """Mirror left ↔ right exactly (no resampling)."""
    return batch.flip(-1)


def random_mirror(batch: torch.Tensor, p: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Mirror each image with probability ``p``; returns (batch, which were flipped (N,) bool)."""
    check_batch(batch)
    flipped = torch.rand(batch.shape[0], generator=gen) < p
    out = torch.where(flipped[:, None, None, None], batch.flip(-1), batch)
    return out, flipped


# --------------------------------------------------------------------------- random resized crop

def sample_crop_boxes(n: int, height: int, width: int, scale: tuple[float, float] = (0.08, 1.0),
                      ratio: tuple[float, float] = (3 / 4, 4 / 3),
                      gen: torch.Generator | None = None) -> torch.Tensor:
    """Integer crop boxes ``(n, 4)`` as ``(x0, y0, x1, y1)`` (x1, y1 exclusive), inside the image.

    The GoogLeNet / torchvision ``RandomResizedCrop`` recipe: area a uniform
    fraction of the image in ``scale``, aspect ratio w/h log-uniform in ``ratio``;
    10 attempts, then a centre crop of the nearest allowed ratio.
    """
    lo, hi = float(scale[0]), float(scale[1])
    rlo, rhi = float(ratio[0]), float(ratio[1])
    if not (0 < lo <= hi <= 1):
        raise ValueError(f"scale must satisfy 0 < min ≤ max ≤ 1; got {scale}")
    if not (0 < rlo <= rhi):
        raise ValueError(f"ratio must satisfy 0 < min ≤ max; got {ratio}")
    attempts = 10
    area = height * width
    target = area * (lo + (hi - lo) * torch.rand(n, attempts, generator=gen, dtype=torch.float64))
    log_r = math.log(rlo) + (math.log(rhi) - math.log(rlo)) * torch.rand(
        n, attempts, generator=gen, dtype=torch.float64)
    aspect = torch.exp(log_r)
    w = torch.round(torch.sqrt(target * aspect)).long()
    h = torch.round(torch.sqrt(target / aspect)).long()
    ok = (w > 0) & (w <= width) & (h > 0) & (h <= height)
    # Fallback: centre crop with the aspect ratio clamped into range.
    in_ratio = width / height
    if in_ratio < rlo:
        fw, fh = width, int(round(width / rlo))
    elif in_ratio > rhi:
        fw, fh = int(round(height * rhi)), height
    else:
        fw, fh = width, height
    first = torch.where(ok.any(1), ok.float().argmax(1), torch.zeros(n, dtype=torch.long))
    idx = torch.arange(n)
    bw = torch.where(ok.any(1), w[idx, first], torch.full((n,), fw))
    bh = torch.where(ok.any(1), h[idx, first], torch.full((n,), fh))
    u = torch.rand(n, 2, generator=gen, dtype=torch.float64)
    x0 = torch.where(ok.any(1), (u[:, 0] * (width - bw + 1)).floor().long(), (width - bw) // 2)
    y0 = torch.where(ok.any(1), (u[:, 1] * (height - bh + 1)).floor().long(), (height - bh) // 2)
    return torch.stack([x0, y0, x0 + bw, y0 + bh], dim=1)


def crop_resize(batch: torch.Tensor, boxes: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Crop each image to its box ``(x0, y0, x1, y1)`` (pixels) and resize to ``size`` = (h, w)."""
    check_batch(batch)
    n, _, h, w = batch.shape
    b = boxes.to(torch.float32)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = (b[:, 2] - b[:, 0]) / w
    theta[:, 0, 2] = (b[:, 0] + b[:, 2]) / w - 1
    theta[:, 1, 1] = (b[:, 3] - b[:, 1]) / h
    theta[:, 1, 2] = (b[:, 1] + b[:, 3]) / h - 1
    return _sample(batch, theta, size, padding="border")


def random_resized_crop(batch: torch.Tensor, size: tuple[int, int], scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3),
                        gen: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random crop (area fraction ``scale``, aspect ``ratio``) resized to ``size``; returns (batch, boxes)."""
    check_batch(batch)
    n, _, h, w = batch.shape
    boxes = sample_crop_boxes(n, h, w, scale, ratio, gen)
    return crop_resize(batch, boxes, size), boxes


# --------------------------------------------------------------------------- rotation and shear

def rotate(batch: torch.Tensor, degrees: torch.Tensor | float, padding: str = "zeros") -> torch.Tensor:
    """Rotate each image about its centre, counter-clockwise by ``degrees`` (scalar or (N,))."""
    check_batch(batch)
    n, _, h, w = batch.shape
    a = torch.deg2rad(torch.as_tensor(degrees, dtype=torch.float64).expand(n))
    c, s = torch.cos(a), torch.sin(a)
    # Output pixel p shows input pixel m·p; with y pointing down this turns the content counter-clockwise.
    m = torch.stack([torch.stack([c, -s], 1), torch.stack([s, c], 1)], 1)
    return _sample(batch, _linear_theta(m, h, w), padding=padding)


def random_rotation(batch: torch.Tensor, max_degrees: float, gen: torch.Generator,
                    padding: str = "zeros") -> tuple[torch.Tensor, torch.Tensor]:
    """Rotate by an angle uniform in [−max, max] degrees; returns (batch, angles)."""
    angles = (torch.rand(batch.shape[0], generator=gen, dtype=torch.float64) * 2 - 1) * max_degrees
    return rotate(batch, angles, padding), angles


def shear(batch: torch.Tensor, x_degrees: torch.Tensor | float, y_degrees: torch.Tensor | float = 0.0,
          padding: str = "zeros") -> torch.Tensor:
    """Shear about the centre: x' = x + tan(x_degrees)·y, then y' = y + tan(y_degrees)·x'."""
    check_batch(batch)
    n, _, h, w = batch.shape
    tx = torch.tan(torch.deg2rad(torch.as_tensor(x_degrees, dtype=torch.float64).expand(n)))
    ty = torch.tan(torch.deg2rad(torch.as_tensor(y_degrees, dtype=torch.float64).expand(n)))
    one, zero = torch.ones(n, dtype=torch.float64), torch.zeros(n, dtype=torch.float64)
    sx = torch.stack([torch.stack([one, tx], 1), torch.stack([zero, one], 1)], 1)
    sy = torch.stack([torch.stack([one, zero], 1), torch.stack([ty, one], 1)], 1)
    forward = sy @ sx  # input → output; sampling needs its inverse
    return _sample(batch, _linear_theta(torch.linalg.inv(forward), h, w), padding=padding)


def random_shear(batch: torch.Tensor, max_x: float, max_y: float, gen: torch.Generator,
                 padding: str = "zeros") -> tuple[torch.Tensor, torch.Tensor]:
    """Shear angles uniform in [−max_x, max_x] and [−max_y, max_y]; returns (batch, (N, 2) angles)."""
    u = torch.rand(batch.shape[0], 2, generator=gen, dtype=torch.float64) * 2 - 1
    angles = u * torch.tensor([max_x, max_y], dtype=torch.float64)
    return shear(batch, angles[:, 0], angles[:, 1], padding), angles


# --------------------------------------------------------------------------- local warping

def displacement_field(n: int, height: int, width: int, strength: float, smoothness: float,
                       gen: torch.Generator) -> torch.Tensor:
    """A smooth random displacement field ``(n, H, W, 2)`` in pixels (dx, dy).

    Random displacements with standard deviation ``strength`` pixels at control
    points spaced ``smoothness`` × the image size apart, interpolated bicubically
    between them (as in Simard et al. 2003's elastic distortions, a smoothed
    random field): larger ``smoothness`` → fewer control points → broader bends.
    """
    if strength < 0:
        raise ValueError(f"strength must be ≥ 0 pixels; got {strength}")
    if not (0 < smoothness <= 1):
        raise ValueError(f"smoothness must be in (0, 1]; got {smoothness}")
    k = int(round(1 / smoothness)) + 1
    coarse = torch.randn(n, 2, k, k, generator=gen) * strength
    # Bicubic interpolation is separable: A_h · coarse · A_wᵀ, two small matmuls.
    fine = _cubic_weights(k, height) @ coarse @ _cubic_weights(k, width).T
    return fine.permute(0, 2, 3, 1).contiguous()


@functools.lru_cache(maxsize=64)
def _cubic_weights(k: int, n: int) -> torch.Tensor:
    """(n, k) weights of bicubic interpolation (align_corners=True) from k control points to n pixels."""
    basis = torch.eye(k).reshape(k, 1, k, 1).expand(k, 1, k, 2)
    return F.interpolate(basis, size=(n, 2), mode="bicubic", align_corners=True)[:, 0, :, 0].T.contiguous()


def _displaced_grid(field: torch.Tensor) -> torch.Tensor:
    """Sampling grid for output pixel p ← input pixel p + field[p] (field in pixels, (N, H, W, 2))."""
    _, h, w, _ = field.shape
    gx = _pixel_centres(w)[None, None, :] + field[..., 0] * (2.0 / w)
    gy = _pixel_centres(h)[None, :, None] + field[..., 1] * (2.0 / h)
    return torch.stack([gx, gy], dim=-1)


def warp(batch: torch.Tensor, field: torch.Tensor, padding: str = "reflection") -> torch.Tensor:
    """Resample each image at (pixel + field): output pixel p shows input pixel p + field[p]."""
    check_batch(batch)
    _check_padding(padding)
    return F.grid_sample(batch, _displaced_grid(field), mode="bilinear", padding_mode=padding,
                         align_corners=False)


def random_warp(batch: torch.Tensor, strength: float, smoothness: float, gen: torch.Generator,
                padding: str = "reflection") -> tuple[torch.Tensor, torch.Tensor]:
    """Local warping by a random smooth field; returns (batch, field in pixels)."""
    check_batch(batch)
    n, _, h, w = batch.shape
    field = displacement_field(n, h, w, strength, smoothness, gen)
    return warp(batch, field, padding), field


def draw_grid(batch: torch.Tensor, field: torch.Tensor | None = None, spacing: int = 16,
              color: Sequence[float] = (1.0, 1.0, 0.0), width: int = 1) -> torch.Tensor:
    """Overlay grid lines every ``spacing`` pixels, bent by the same ``field`` as the image."""
    n, _, h, w = batch.shape
    mask = torch.zeros(n, 1, h, w)
    offset = spacing // 2
    for k in range(width):
        mask[:, :, (offset + k) % spacing::spacing, :] = 1.0
        mask[:, :, :, (offset + k) % spacing::spacing] = 1.0
    if field is not None:
        mask = F.grid_sample(mask, _displaced_grid(field), mode="bilinear", padding_mode="zeros",
                             align_corners=False)
    alpha = mask.clamp(0, 1)
    col = torch.tensor(list(color), dtype=batch.dtype)[None, :, None, None]
    return batch * (1 - alpha) + col * alpha

