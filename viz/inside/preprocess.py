"""A drawn or photographed digit made to look like an MNIST digit, step by step.

MNIST's own recipe (LeCun, Cortes & Burges, the MNIST database page; LeCun et al. 1998,
§III.A): the digits were "size normalized to fit in a 20x20 pixel box while preserving
their aspect ratio" — anti-aliasing makes grey levels — and "centered in a 28x28 image by
computing the center of mass of the pixels, and translating the image so as to position
this point at the center of the 28x28 field". MNIST stores light ink on a dark
background. LeNet-5 then sees the 28×28 digit padded to 32×32.

:func:`prepare` does the same to any picture and keeps every intermediate image so the
page can show the steps; a picture with no ink raises :class:`NoDigit`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from viz.data import mnist

BOX = 20  # MNIST: the digit fits a 20×20 box …
WORK_SIDE = 512  # larger pictures are first shrunk to this (the result is 20×20 anyway)
INK_LEVEL = 0.25  # a pixel is ink if it is this far from the background towards the darkest/lightest
MIN_CONTRAST = 40  # grey levels between background and ink below which there is no digit


class NoDigit(ValueError):
    """No digit could be found (a blank canvas, an empty photo)."""


@dataclass(frozen=True)
class Step:
    title: str
    image: np.ndarray  # uint8, 2-D (grey)
    note: str


@dataclass(frozen=True)
class Prepared:
    """The 28×28 MNIST-like digit, the 32×32 LeNet-5 input, and how they were made."""

    digit: np.ndarray  # uint8 (28, 28), light on dark
    steps: tuple[Step, ...]
    inverted: bool


def grayscale(pixels: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 3) or (H, W, 4) uint8 → (H, W) uint8 luma (ITU-R 601, as Pillow's "L")."""
    a = np.asarray(pixels)
    if a.ndim == 2:
        return a.astype(np.uint8)
    if a.ndim == 3 and a.shape[2] == 4:  # a canvas: paint over black where transparent
        alpha = a[..., 3:4].astype(np.float32) / 255.0
        a = (a[..., :3].astype(np.float32) * alpha).astype(np.uint8)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"expected a grey, RGB or RGBA image, got an array of shape {a.shape}")
    return np.asarray(Image.fromarray(np.ascontiguousarray(a[..., :3])).convert("L"))


def _shrink(grey: np.ndarray, side: int) -> np.ndarray:
    h, w = grey.shape
    if max(h, w) <= side:
        return grey
    im = Image.fromarray(grey)
    im.thumbnail((side, side), Image.Resampling.BOX)
    return np.asarray(im)


def prepare(pixels: np.ndarray) -> Prepared:
    """Any picture of one digit → MNIST's format, with every step kept (or :class:`NoDigit`)."""
    grey = _shrink(grayscale(pixels), WORK_SIDE)
    steps = [Step("1. Grayscale", grey, "Colour dropped: LeNet-5 sees one brightness per pixel.")]

    # The background is what the border shows most; MNIST's is dark.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    inverted = background > 127
    light = 255 - grey if inverted else grey
    if inverted:
        note = ("Inverted: MNIST digits are light ink on a dark background, and this picture was dark on "
                "light, so black and white were swapped.")
    else:
        note = "Already light on dark, like MNIST: nothing to swap."
    steps.append(Step("2. Light digit on dark", light, note))

    floor = 255 - background if inverted else background
    peak = float(light.max())
    if peak - floor < MIN_CONTRAST:
        raise NoDigit("No digit found: the picture is blank (or nearly one flat colour). Draw or upload one "
                      "digit, light on dark or dark on light.")
    # Background to 0 and the strongest ink to 255; faint paper texture under INK_LEVEL to 0.
    level = np.clip((light.astype(np.float32) - floor) / (peak - floor), 0, 1)
    level[level < INK_LEVEL] = 0
    clean = (level * 255).astype(np.uint8)

    rows, cols = np.flatnonzero(clean.any(1)), np.flatnonzero(clean.any(0))
    crop = clean[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    steps.append(Step("3. Cropped to the digit", crop,
                      f"Background set to black, then cut to the ink's bounding box ({crop.shape[1]} × "
                      f"{crop.shape[0]} pixels)."))

    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    boxed = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS))
    steps.append(Step("4. Scaled into 20 × 20", boxed,
                      f"Longest side to 20 pixels, shape kept ({size[0]} × {size[1]}); the smoothing makes "
                      "the grey edges MNIST's digits have."))

    digit = centre_by_mass(boxed)
    steps.append(Step("5. Centred in 28 × 28", digit,
                      "Moved so that its centre of mass (the ink's average position) is the middle of a "
                      "28 × 28 field, as MNIST did."))
    padded = np.pad(digit, mnist.PAD)
    steps.append(Step("6. Padded to 32 × 32", padded,
                      "LeNet-5's input is 32 × 32: 2 pixels of background all round, so that strokes at the "
                      "edge still fall in the middle of some C1 filter's 5 × 5 window."))
    return Prepared(digit, tuple(steps), inverted)


def centre_by_mass(patch: np.ndarray, side: int = mnist.SIDE) -> np.ndarray:
    """``patch`` placed in a ``side × side`` field with its centre of mass at the centre."""
    h, w = patch.shape
    mass = patch.astype(np.float64)
    total = mass.sum()
    cy = (mass.sum(1) @ np.arange(h)) / total if total else (h - 1) / 2
    cx = (mass.sum(0) @ np.arange(w)) / total if total else (w - 1) / 2
    top = int(round((side - 1) / 2 - cy))
    left = int(round((side - 1) / 2 - cx))
    top = min(max(top, 0), side - h)  # keep the whole digit inside the field
    left = min(max(left, 0), side - w)
    out = np.zeros((side, side), np.uint8)
    out[top:top + h, left:left + w] = patch
    return out
