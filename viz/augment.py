"""Data augmentation: the lecture's distortions as pure functions on torch tensors.

Conventions (every function here):

* A batch is ``float32`` of shape ``(N, 3, H, W)`` with values in ``[0, 1]``
  (PyTorch's layout; channels R, G, B). :func:`from_uint8` / :func:`to_uint8`
  convert from and to 8-bit ``(H, W, 3)`` arrays. Colour offsets are given in
  8-bit units (the lecture's "+20") and divided by 255 here.
* Randomness comes only from the ``torch.Generator`` passed in, so a seed
  reproduces a batch exactly (:func:`make_generator`). Each random function
  returns what it drew (angles, boxes, offsets…) so a page can show it.
* Geometry (crop, rotation, shear, warping) is one ``grid_sample`` call per
  batch on a sampling grid built by broadcasting (the same grid as
  ``F.affine_grid``, faster): bilinear sampling, ``align_corners=False``, so the
  identity transform samples exactly at pixel centres. Mirroring is an exact flip.

Sources: random crops and mirroring, colour PCA and 10-crop testing from
Krizhevsky, Sutskever & Hinton 2012 (AlexNet, §4.1 and §4.1's test-time
"five 224 × 224 patches … as well as their horizontal reflections"); the
scale/aspect-ratio crop from Szegedy et al. 2015 (GoogLeNet, §6) as
``torchvision``'s ``RandomResizedCrop`` does it; local (elastic) warping from
Simard, Steinkraus & Platt 2003; colour shifting (+20 / −20 / +20) from the
lecture.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

PADDING_MODES = ("zeros", "border", "reflection")

# The lecture's colour-shift examples, (R, G, B) offsets in 8-bit units.
LECTURE_PRESETS: dict[str, tuple[int, int, int]] = {
    "+20, −20, +20": (20, -20, 20),
    "−20, +20, +20": (-20, 20, 20),
    "+5, 0, +50": (5, 0, 50),
}


# --------------------------------------------------------------------------- basics

def make_generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with ``seed``: the same seed gives the same batch."""
    gen = torch.Generator()
    gen.manual_seed(int(seed))
    return gen


def from_uint8(image: np.ndarray | torch.Tensor) -> torch.Tensor:
    """An 8-bit ``(H, W, 3)`` image → a ``(1, 3, H, W)`` float batch in [0, 1]."""
    a = np.asarray(image)
    t = torch.from_numpy(a if a.flags.writeable else a.copy()) if isinstance(a, np.ndarray) else a
    if t.dtype != torch.uint8 or t.ndim != 3 or t.shape[2] != 3:
        raise ValueError(f"expected a uint8 (H, W, 3) image, got {tuple(t.shape)} {t.dtype}")
    return t.permute(2, 0, 1).unsqueeze(0).to(torch.float32).div_(255.0)


def to_uint8(batch: torch.Tensor) -> np.ndarray:
    """A float batch ``(N, 3, H, W)`` in [0, 1] → uint8 ``(N, H, W, 3)`` (rounded, clipped)."""
    return batch.clamp(0, 1).mul(255).round_().to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def repeat(image: torch.Tensor, n: int) -> torch.Tensor:
    """``(1, 3, H, W)`` or ``(3, H, W)`` → ``(n, 3, H, W)``: n copies to distort independently."""
    if image.ndim == 3:
        image = image.unsqueeze(0)
    return image[:1].expand(n, -1, -1, -1).contiguous()


def tile(batch: torch.Tensor, nrow: int = 3, pad: int = 4, fill: float = 1.0) -> np.ndarray:
    """Lay a batch out as one uint8 ``(H', W', 3)`` image, ``nrow`` images per row."""
    n, c, h, w = batch.shape
    rows = math.ceil(n / nrow)
    canvas = torch.full((c, rows * h + (rows + 1) * pad, nrow * w + (nrow + 1) * pad), fill)
    for k in range(n):
        r, q = divmod(k, nrow)
        y, x = pad + r * (h + pad), pad + q * (w + pad)
        canvas[:, y:y + h, x:x + w] = batch[k]
    return to_uint8(canvas.unsqueeze(0))[0]


def _check_batch(batch: torch.Tensor) -> None:
    if batch.ndim != 4 or batch.shape[1] != 3 or not batch.is_floating_point():
        raise ValueError(f"expected a float batch (N, 3, H, W), got {tuple(batch.shape)} {batch.dtype}")


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
    _check_batch(batch)
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
    _check_batch(batch)
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
    _check_batch(batch)
    n, _, h, w = batch.shape
    boxes = sample_crop_boxes(n, h, w, scale, ratio, gen)
    return crop_resize(batch, boxes, size), boxes


# --------------------------------------------------------------------------- rotation and shear

def rotate(batch: torch.Tensor, degrees: torch.Tensor | float, padding: str = "zeros") -> torch.Tensor:
    """Rotate each image about its centre, counter-clockwise by ``degrees`` (scalar or (N,))."""
    _check_batch(batch)
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
    _check_batch(batch)
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
    _check_batch(batch)
    _check_padding(padding)
    return F.grid_sample(batch, _displaced_grid(field), mode="bilinear", padding_mode=padding,
                         align_corners=False)


def random_warp(batch: torch.Tensor, strength: float, smoothness: float, gen: torch.Generator,
                padding: str = "reflection") -> tuple[torch.Tensor, torch.Tensor]:
    """Local warping by a random smooth field; returns (batch, field in pixels)."""
    _check_batch(batch)
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


# --------------------------------------------------------------------------- colour

def color_shift(batch: torch.Tensor, offsets: Sequence[float] | torch.Tensor) -> torch.Tensor:
    """Add R, G, B ``offsets`` (8-bit units, shape (3,) or (N, 3)) to every pixel, clipped to [0, 1]."""
    _check_batch(batch)
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
    _check_batch(batch)
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
    _check_batch(batch)
    if sigma < 0:
        raise ValueError(f"sigma must be ≥ 0; got {sigma}")
    pca = pca or rgb_pca(batch)
    alphas = torch.randn(batch.shape[0], 3, generator=gen) * sigma
    deltas = pca_noise(pca, alphas, magnitude)
    return (batch + deltas[:, :, None, None]).clamp(0, 1), alphas, deltas


# --------------------------------------------------------------------------- test time: 10-crop

@dataclass(frozen=True)
class CropBox:
    """A test-time crop: ``(x0, y0, x1, y1)`` in the ORIGINAL image's pixels; mirrored crops
    are cut from the mirrored image, i.e. they show this region flipped left ↔ right."""

    name: str
    x0: int
    y0: int
    x1: int
    y1: int
    mirrored: bool


def five_crop_offsets(height: int, width: int, size: int) -> list[tuple[str, int, int]]:
    """(name, top, left) of torchvision's five_crop: the four corners, then the centre."""
    if not (0 < size <= min(height, width)):
        raise ValueError(f"crop size must be from 1 to the image's shorter side ({min(height, width)}); "
                         f"got {size}")
    # torchvision's center_crop rounds half-pixels with Python's round().
    top, left = int(round((height - size) / 2.0)), int(round((width - size) / 2.0))
    return [("top-left", 0, 0), ("top-right", 0, width - size), ("bottom-left", height - size, 0),
            ("bottom-right", height - size, width - size), ("centre", top, left)]


def ten_crop_boxes(height: int, width: int, size: int) -> list[CropBox]:
    """The 10 crops: five of the image, then the same five of its mirror image (torchvision order)."""
    boxes = []
    for mirrored in (False, True):
        for name, top, left in five_crop_offsets(height, width, size):
            # Columns [left, left+size) of the mirrored image are columns [W-left-size, W-left) of the original.
            x0 = width - left - size if mirrored else left
            boxes.append(CropBox(("mirrored " if mirrored else "") + name, x0, top, x0 + size, top + size,
                                 mirrored))
    return boxes


def ten_crop(image: torch.Tensor, size: int) -> tuple[torch.Tensor, list[CropBox]]:
    """Cut the 10 crops of ``image`` (1, 3, H, W) → ((10, 3, size, size), boxes). Exact slices."""
    _check_batch(image)
    _, _, h, w = image.shape
    boxes = ten_crop_boxes(h, w, size)
    tiles = []
    for b in boxes:
        t = image[0, :, b.y0:b.y1, b.x0:b.x1]
        tiles.append(t.flip(-1) if b.mirrored else t)
    return torch.stack(tiles), boxes


def prediction_cost(macs_per_forward: int, crops: int = 1, models: int = 1) -> int:
    """Multiply-adds to classify one image: every crop goes through every model of the ensemble."""
    if crops < 1 or models < 1:
        raise ValueError("crops and models must be at least 1")
    return int(macs_per_forward) * int(crops) * int(models)


# --------------------------------------------------------------------------- pipeline
# Steps are small frozen dataclasses defined at module top level: hashable (cache
# keys) and picklable (DataLoader worker processes receive them).

@dataclass(frozen=True)
class RandomResizedCrop:
    """Random area fraction ``scale`` and aspect ratio ``ratio``, resized to size × size."""

    size: int = 224
    scale: tuple[float, float] = (0.08, 1.0)
    ratio: tuple[float, float] = (3 / 4, 4 / 3)
    label = "random crop"

    def __call__(self, batch, gen):
        return random_resized_crop(batch, (self.size, self.size), self.scale, self.ratio, gen)[0]

    def code(self):
        return (f"v2.RandomResizedCrop(size=({self.size}, {self.size}), scale={_tup(self.scale)}, "
                f"ratio={_tup(self.ratio)}, antialias=True)")


@dataclass(frozen=True)
class Mirror:
    """Mirror left ↔ right with probability ``p``."""

    p: float = 0.5
    label = "mirroring"

    def __call__(self, batch, gen):
        return random_mirror(batch, self.p, gen)[0]

    def code(self):
        return f"v2.RandomHorizontalFlip(p={self.p:g})"


@dataclass(frozen=True)
class Rotation:
    """Rotate by an angle uniform in [−degrees, degrees]."""

    degrees: float = 15.0
    padding: str = "zeros"
    label = "rotation"

    def __call__(self, batch, gen):
        return random_rotation(batch, self.degrees, gen, self.padding)[0]

    def code(self):
        note = "" if self.padding == "zeros" else f"  # no '{self.padding}' fill in torchvision: constant 0"
        return (f"v2.RandomRotation(degrees=({_num(-self.degrees)}, {_num(self.degrees)}), "
                f"interpolation=v2.InterpolationMode.BILINEAR, fill=0){note}")


@dataclass(frozen=True)
class Shear:
    """Shear angles uniform in [−x_degrees, x_degrees] and [−y_degrees, y_degrees]."""

    x_degrees: float = 10.0
    y_degrees: float = 0.0
    padding: str = "zeros"
    label = "shearing"

    def __call__(self, batch, gen):
        return random_shear(batch, self.x_degrees, self.y_degrees, gen, self.padding)[0]

    def code(self):
        x, y = _num(self.x_degrees), _num(self.y_degrees)
        return (f"v2.RandomAffine(degrees=0, shear=({_num(-self.x_degrees)}, {x}, {_num(-self.y_degrees)}, {y}), "
                f"interpolation=v2.InterpolationMode.BILINEAR)")


@dataclass(frozen=True)
class Warp:
    """Local warping: smooth random displacements, ``strength`` pixels (std), ``smoothness`` (0, 1]."""

    strength: float = 4.0
    smoothness: float = 0.25
    label = "local warping"

    def __call__(self, batch, gen):
        return random_warp(batch, self.strength, self.smoothness, gen)[0]

    def code(self, size: int = 224):
        # torchvision blurs per-pixel uniform noise in [-1, 1] with a Gaussian of sigma
        # pixels and scales by alpha / size; the displacement's std in pixels is then
        # about alpha / 2 · 0.577 / (2 √π sigma) ≈ 0.0814 · alpha / sigma. Pick sigma
        # ≈ a third of our control-point spacing and solve for alpha: close, not identical.
        sigma = max(1.0, self.smoothness * size / 3)
        alpha = self.strength * sigma / 0.0814
        return (f"v2.ElasticTransform(alpha={alpha:.1f}, sigma={sigma:.1f})"
                f"  # ≈ our warp: ~{self.strength:g} px displacements")


@dataclass(frozen=True)
class ColorShift:
    """Add to R, G, B ``base`` + a random integer offset in [−max_offset, max_offset] (8-bit units)."""

    max_offset: float = 20.0
    base: tuple[float, float, float] = (0.0, 0.0, 0.0)
    label = "colour shift"

    def __call__(self, batch, gen):
        return random_color_shift(batch, self.max_offset, gen, self.base)[0]

    def code(self):
        return f"ColorShift(max_offset={self.max_offset:g}, base={_tup(self.base)})"


@dataclass(frozen=True)
class PCAColor:
    """AlexNet's PCA colour augmentation, α ~ N(0, sigma), components of the batch itself."""

    sigma: float = 0.1
    label = "PCA colour"

    def __call__(self, batch, gen):
        return pca_color(batch, self.sigma, gen)[0]

    def code(self):
        return f"PCAColor(eigenvalues, eigenvectors, sigma={self.sigma:g})"


STEP_TYPES = (RandomResizedCrop, Mirror, Rotation, Shear, Warp, ColorShift, PCAColor)


@dataclass(frozen=True)
class Pipeline:
    """Distortions applied in order to each image of a batch (each draws its own randoms)."""

    steps: tuple = ()

    def __call__(self, batch: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        _check_batch(batch)
        for step in self.steps:
            batch = step(batch, gen)
        return batch


def _num(v: float) -> str:
    return f"{float(v) + 0.0:.4g}" if v != 0 else "0"


def _tup(values) -> str:
    return "(" + ", ".join(_num(v) for v in values) + ")"


_COLOR_SHIFT_CODE = '''
class ColorShift(torch.nn.Module):
    """Add base + a random integer offset in [-max_offset, max_offset] to R, G, B (8-bit units)."""

    def __init__(self, max_offset=20, base=(0, 0, 0)):
        super().__init__()
        self.max_offset, self.base = max_offset, torch.tensor(base, dtype=torch.float32)

    def forward(self, img):
        offsets = self.base + torch.empty(3).uniform_(-self.max_offset, self.max_offset).round()
        return (img + offsets[:, None, None] / 255).clamp(0, 1)
'''

_PCA_CODE = '''
class PCAColor(torch.nn.Module):
    """AlexNet's PCA colour augmentation (Krizhevsky et al. 2012, section 4.1)."""

    def __init__(self, eigenvalues, eigenvectors, sigma=0.1):
        super().__init__()
        self.std = torch.as_tensor(eigenvalues, dtype=torch.float32).sqrt()
        self.eigenvectors = torch.as_tensor(eigenvectors, dtype=torch.float32)
        self.sigma = sigma

    def forward(self, img):
        alpha = torch.randn(3) * self.sigma
        offset = self.eigenvectors @ (alpha * self.std)
        return (img + offset[:, None, None]).clamp(0, 1)


# RGB covariance of your training images (values in [0, 1]); these are this image's.
eigenvalues = {vals}
eigenvectors = {vecs}  # column i is component p_i
'''


def torchvision_code(pipeline: Pipeline, pca: RGBPCA | None = None) -> str:
    """The same pipeline written with ``torchvision.transforms.v2`` (to copy; not run here).

    Colour shift and PCA colour have no torchvision transform: small modules are
    included. Warping maps to ``v2.ElasticTransform`` approximately.
    """
    types = {type(s) for s in pipeline.steps}
    lines = ["import torch", "from torchvision.transforms import v2", ""]
    if ColorShift in types:
        lines += _COLOR_SHIFT_CODE.strip("\n").splitlines() + [""]
    if PCAColor in types:
        if pca is None:
            vals, vecs = "[...]", "[[...], [...], [...]]"
        else:
            vals = "[" + ", ".join(f"{v:.6f}" for v in pca.eigenvalues.tolist()) + "]"
            vecs = "[" + ", ".join("[" + ", ".join(f"{x:.4f}" for x in row) + "]"
                                   for row in pca.eigenvectors.tolist()) + "]"
        lines += _PCA_CODE.strip("\n").format(vals=vals, vecs=vecs).splitlines() + [""]
    lines += ["", "train_transform = v2.Compose([",
              "    v2.ToImage(),  # PIL image or uint8 tensor -> tv_tensors.Image",
              "    v2.ToDtype(torch.float32, scale=True),  # values in [0, 1]"]
    size = next((s.size for s in pipeline.steps if isinstance(s, RandomResizedCrop)), 224)
    for step in pipeline.steps:
        code = step.code(size) if isinstance(step, Warp) else step.code()
        if "  #" in code:
            expr, comment = code.split("  #", 1)
            lines.append(f"    {expr.rstrip()},  #{comment}")
        else:
            lines.append(f"    {code},")
    lines.append("])")
    return "\n".join(lines) + "\n"
