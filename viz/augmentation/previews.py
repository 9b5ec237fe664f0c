"""The Augmentation Lab's pictures: sample grids, captions and tables, as pure functions.

Each preview distorts ``N_SAMPLES`` copies of the working image with one seed and
lays them out 3 × 3, timing the distortion itself (``Preview.ms``) so the page
can show that it is live; :func:`sample_preview` picks the preview for a pipeline
step. :mod:`viz.augmentation.view` turns these into view blocks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from viz.augmentation import colour as C
from viz.augmentation import distortions as D
from viz.augmentation import geometry as G
from viz.augmentation.crops import CropBox, ten_crop
from viz.augmentation.tensors import from_uint8, make_generator, repeat, tile, to_uint8
from viz.images import draw_boxes

N_SAMPLES = 9
PREVIEW_SIDE = 320  # the working image's longer side for previews (speed; the grid is shown small)


@dataclass
class Preview:
    grid: np.ndarray  # uint8 (H, W, 3): the samples, 3 per row
    caption: str
    ms: float  # time spent distorting the batch
    extras: list[tuple[np.ndarray, str]] = field(default_factory=list)
    table: list[dict] = field(default_factory=list)


def _batch(work: np.ndarray, n: int = N_SAMPLES) -> torch.Tensor:
    return repeat(from_uint8(work), n)


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    with torch.inference_mode():
        out = fn(*args, **kwargs)
    return out, (time.perf_counter() - start) * 1000


def _fmt(values, unit: str = "", digits: int = 0) -> str:
    # round first, then + 0.0 turns −0.0 into 0.0: no "-0°" on screen
    return ", ".join(f"{round(v, digits) + 0.0:+.{digits}f}{unit}" for v in values)


def mirror(work: np.ndarray, p: float, seed: int) -> Preview:
    (out, flipped), ms = _timed(G.random_mirror, _batch(work), p, make_generator(seed))
    which = [str(k + 1) for k in range(len(flipped)) if flipped[k]]
    return Preview(tile(out), f"Mirrored: samples {', '.join(which) or 'none'} (p = {p:g}).", ms)


def crop(work: np.ndarray, scale: tuple[float, float], ratio: tuple[float, float], size: int,
         seed: int) -> Preview:
    (out, boxes), ms = _timed(G.random_resized_crop, _batch(work), (size, size), scale, ratio,
                              make_generator(seed))
    drawn = draw_boxes(work, boxes.tolist(), width=2, labels=[str(k + 1) for k in range(len(boxes))],
                       font_size=16)
    h, w = work.shape[:2]
    fractions = [(b[2] - b[0]) * (b[3] - b[1]) / (h * w) for b in boxes.tolist()]
    caption = (f"Each crop resized to {size} × {size}. Area fractions: "
               + ", ".join(f"{f:.2f}" for f in fractions) + ".")
    return Preview(tile(out), caption, ms, extras=[(drawn, "The 9 crop boxes on the original (numbered as the samples)")])


def rotation(work: np.ndarray, max_degrees: float, padding: str, seed: int) -> Preview:
    (out, angles), ms = _timed(G.random_rotation, _batch(work), max_degrees, make_generator(seed), padding)
    return Preview(tile(out), f"Angles (counter-clockwise): {_fmt(angles.tolist(), '°')}.", ms)


def shear(work: np.ndarray, max_x: float, max_y: float, padding: str, seed: int) -> Preview:
    (out, angles), ms = _timed(G.random_shear, _batch(work), max_x, max_y, make_generator(seed), padding)
    if max_y == 0:
        text = "Horizontal shear angles: " + _fmt(angles[:, 0].tolist(), "°")
    elif max_x == 0:
        text = "Vertical shear angles: " + _fmt(angles[:, 1].tolist(), "°")
    else:
        text = "Shear angles (horizontal/vertical): " + "; ".join(
            f"{_fmt([a])}°/{_fmt([b])}°" for a, b in angles.tolist())
    return Preview(tile(out), text + ".", ms)


def warp(work: np.ndarray, strength: float, smoothness: float, show_grid: bool, seed: int) -> Preview:
    (out, field), ms = _timed(G.random_warp, _batch(work), strength, smoothness, make_generator(seed))
    if show_grid:
        h, w = work.shape[:2]
        out = G.draw_grid(out, field, spacing=max(12, min(h, w) // 6))
    biggest = float(field.norm(dim=-1).max()) if field.numel() else 0.0
    return Preview(tile(out), f"Largest displacement: {biggest:.1f} pixels "
                                f"(image {work.shape[1]} × {work.shape[0]}).", ms)


def color_shift_random(work: np.ndarray, max_offset: float, seed: int) -> Preview:
    (out, offsets), ms = _timed(C.random_color_shift, _batch(work), max_offset, make_generator(seed))
    rows = "; ".join("(" + ", ".join(f"{int(v):+d}" for v in o) + ")" for o in offsets.tolist())
    return Preview(tile(out), f"(R, G, B) offsets: {rows}.", ms)


def color_shift_fixed(work: np.ndarray, offsets: tuple[int, int, int]) -> list[tuple[np.ndarray, str]]:
    """The original beside the image with these offsets (and the lecture's presets)."""
    x = from_uint8(work)
    out = [(work, "original")]
    shown = dict(C.LECTURE_PRESETS)
    if tuple(offsets) not in shown.values():
        shown[", ".join(f"{int(v):+d}".replace("-", "−") for v in offsets)] = tuple(offsets)
    for name, off in shown.items():
        out.append((to_uint8(C.color_shift(x, off))[0], f"R, G, B {name}"))
    return out


def pca(work: np.ndarray, sigma: float, seed: int) -> Preview:
    batch = _batch(work)
    comps = C.rgb_pca(batch[:1])
    (out, alphas, deltas), ms = _timed(C.pca_color, batch, sigma, make_generator(seed), comps)
    table = []
    for i in range(3):
        v = comps.eigenvectors[:, i].tolist()
        table.append({"component": f"p{i + 1}", "eigenvalue λ": float(comps.eigenvalues[i]),
                      "√λ (std)": float(comps.std[i]), "R": v[0], "G": v[1], "B": v[2],
                      "share of variance": float(comps.eigenvalues[i] / comps.eigenvalues.sum().clamp(min=1e-12))})
    shifts = "; ".join("(" + _fmt([255 * d for d in row]) + ")" for row in deltas.tolist())
    caption = f"α ~ N(0, {sigma:g}); (R, G, B) offsets in 8-bit units: {shifts}."
    if sigma <= 0.2:
        caption += " AlexNet's σ = 0.1 is deliberately subtle: raise σ to see what each component does."
    return Preview(tile(out), caption, ms, extras=[(component_swatches(comps), "mean colour − 2√λ·p | mean | + 2√λ·p, "
                                                      "for p1 (top), p2, p3")], table=table)


def component_swatches(comps: C.RGBPCA, k: float = 2.0, cell: int = 48) -> np.ndarray:
    """Three rows of swatches: mean − k√λ_i p_i, mean, mean + k√λ_i p_i (what each component changes)."""
    rows = []
    for i in range(3):
        step = k * float(comps.std[i]) * comps.eigenvectors[:, i]
        colours = [comps.mean - step, comps.mean, comps.mean + step]
        rows.append(np.concatenate([np.full((cell, cell * 2, 3), np.clip(c.numpy(), 0, 1) * 255)
                                    for c in colours], axis=1))
    return np.concatenate(rows, axis=0).round().astype(np.uint8)


def pipeline_batch(work: np.ndarray, pipeline: D.Pipeline, seed: int, n: int = 8) -> Preview:
    out, ms = _timed(pipeline, _batch(work, n), make_generator(seed))
    names = " → ".join(s.label for s in pipeline.steps) or "(no distortions)"
    return Preview(tile(out, nrow=4), f"A mini-batch of {n}: {names}; output {out.shape[3]} × {out.shape[2]}.", ms)


def sample_preview(work: np.ndarray, step, seed: int, *, show_grid: bool = True) -> Preview:
    """The preview of one pipeline ``step`` (or a whole :class:`Pipeline`) with its own settings.

    ``show_grid`` draws the bent grid on local-warping samples.
    """
    match step:
        case D.Mirror():
            return mirror(work, step.p, seed)
        case D.RandomResizedCrop():
            return crop(work, step.scale, step.ratio, step.size, seed)
        case D.Rotation():
            return rotation(work, step.degrees, step.padding, seed)
        case D.Shear():
            return shear(work, step.x_degrees, step.y_degrees, step.padding, seed)
        case D.Warp():
            return warp(work, step.strength, step.smoothness, show_grid, seed)
        case D.ColorShift() if step.base == (0.0, 0.0, 0.0):
            return color_shift_random(work, step.max_offset, seed)
        case D.PCAColor():
            return pca(work, step.sigma, seed)
        case D.Pipeline():
            return pipeline_batch(work, step, seed)
    raise TypeError(f"no preview for {step!r}")


TEN_CROP_LABELS = ("TL", "TR", "BL", "BR", "C")  # the order of crops.ten_crop's five boxes
TEN_CROP_ANCHORS = ("tl", "tr", "bl", "br", "c")
TEN_CROP_FONT = 20


@dataclass
class TenCropPictures:
    original: np.ndarray  # the test image with its five boxes
    mirrored: np.ndarray  # its mirror image with the other five
    tiles: np.ndarray  # 2 rows of 5 crops
    boxes: list[CropBox]


def ten_crop_pictures(image: np.ndarray, size: int) -> TenCropPictures:
    """The 10 crops of ``image`` (already rescaled), and their boxes drawn on it and its mirror."""
    tiles, boxes = ten_crop(from_uint8(image), size)
    w = image.shape[1]
    # Each label in its own crop's corner (the centre crop's in its middle): the five
    # boxes overlap, their top-left corners nearly coincide, their own corners do not.
    marks = dict(labels=TEN_CROP_LABELS, width=3, font_size=TEN_CROP_FONT, label_at=TEN_CROP_ANCHORS)
    first = draw_boxes(image, [(b.x0, b.y0, b.x1, b.y1) for b in boxes[:5]], **marks)
    # Mirrored crops were cut from the mirror image: draw them there, in its own coordinates.
    mirrored = draw_boxes(np.ascontiguousarray(image[:, ::-1]),
                          [(w - b.x1, b.y0, w - b.x0, b.y1) for b in boxes[5:]], **marks)
    return TenCropPictures(first, mirrored, tile(tiles, nrow=5), boxes)
