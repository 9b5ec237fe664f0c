"""Test time: AlexNet's 10-crop — the centre and four corners, and the same of the mirror image.

Krizhevsky, Sutskever & Hinton 2012, §4.1: at test time the network "extracts
five 224 × 224 patches (the four corner patches and the center patch) as well as
their horizontal reflections", after rescaling the image so its shorter side is
256 (§2). The crop positions follow torchvision's ``five_crop`` / ``ten_crop``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from viz.augmentation.tensors import check_batch

TEST_SHORT_SIDE = 256  # AlexNet rescaled images to 256 and took 224 × 224 crops (Krizhevsky et al. 2012, §2)


def rescale_short_side(pixels: np.ndarray, short_side: int = TEST_SHORT_SIDE) -> np.ndarray:
    """Rescale so the shorter side is ``short_side`` (AlexNet's 256), keeping the aspect ratio."""
    h, w = pixels.shape[:2]
    f = short_side / min(h, w)
    size = (max(short_side, round(w * f)), max(short_side, round(h * f)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS)).copy()


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
    check_batch(image)
    _, _, h, w = image.shape
    boxes = ten_crop_boxes(h, w, size)
    tiles = []
    for b in boxes:
        t = image[0, :, b.y0:b.y1, b.x0:b.x1]
        tiles.append(t.flip(-1) if b.mirrored else t)
    return torch.stack(tiles), boxes

