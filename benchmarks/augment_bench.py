"""Speed of the Augmentation Lab's previews: a 3 × 3 grid of 224 × 224 samples per distortion.

Run from the repository root::

    python -m benchmarks.augment_bench               # torch's default thread count
    python -m benchmarks.augment_bench --threads 1 --repeats 21

Issue 6's targets: any single distortion < 50 ms for the grid, the whole pipeline
< 150 ms. Columns, all on the same 9 samples, in one process, interleaved round by
round so machine noise hits every column alike, medians:

* ``ours``      viz.augmentation (batched tensors, one grid_sample per geometric step);
* ``grid_sample`` a bare ``F.affine_grid`` + ``F.grid_sample`` with random affine
                matrices: the floor for any resampling step (geometry only);
* ``PIL``       Pillow, one image at a time (transpose, resize with a box, rotate,
                affine transform, per-channel lookup tables for colour offsets);
* ``kornia``    ``kornia.augmentation`` modules on the same batch — only if kornia is
                installed (it is NOT a dependency: ``pip install kornia`` to compare).

Inputs: the bundled photo resized to 224 × 224 (the crop column starts from the
full 451 × 300 photo and outputs 224 × 224), float32 batches for torch, RGB PIL
images for Pillow. "—" where a library has no equivalent operation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from viz.augmentation import colour as C
from viz.augmentation import distortions as D
from viz.augmentation import geometry as G
from viz.augmentation import tensors as T
from viz.images import load_default

N = 9
SIZE = 224
OPS = ("mirror", "random crop", "rotation", "shear", "local warp", "colour shift", "PCA colour", "pipeline")


def ours(photo: torch.Tensor, square: torch.Tensor) -> dict:
    g = T.make_generator(0)
    pipe = D.Pipeline((D.RandomResizedCrop(SIZE), D.Mirror(), D.Rotation(20.0), D.Shear(15.0),
                       D.Warp(6.0, 0.25), D.ColorShift(20.0), D.PCAColor(0.1)))
    return {
        "mirror": lambda: G.random_mirror(square, 0.5, g),
        "random crop": lambda: G.random_resized_crop(photo, (SIZE, SIZE), gen=g),
        "rotation": lambda: G.random_rotation(square, 20.0, g),
        "shear": lambda: G.random_shear(square, 15.0, 0.0, g),
        "local warp": lambda: G.random_warp(square, 6.0, 0.25, g),
        "colour shift": lambda: C.random_color_shift(square, 20.0, g),
        "PCA colour": lambda: C.pca_color(square, 0.1, g),
        "pipeline": lambda: pipe(photo, g),
    }


def bare_grid_sample(square: torch.Tensor) -> dict:
    def affine():
        theta = torch.eye(2, 3).repeat(N, 1, 1) + 0.1 * torch.randn(N, 2, 3)
        grid = F.affine_grid(theta, [N, 3, SIZE, SIZE], align_corners=False)
        return F.grid_sample(square, grid, align_corners=False)
    return {"random crop": affine, "rotation": affine, "shear": affine, "local warp": affine}


def pil(photo_im: Image.Image, square_im: Image.Image) -> dict:
    rng = np.random.default_rng(0)
    w, h = photo_im.size
    pixels = np.asarray(square_im, dtype=np.float64).reshape(-1, 3) / 255

    def lut(offsets):
        return [min(255, max(0, round(v + o))) for o in offsets for v in range(256)]

    def crop():
        for _ in range(N):
            s = rng.uniform(0.08, 1.0) * w * h
            r = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
            cw, ch = min(w, round((s * r) ** 0.5)), min(h, round((s / r) ** 0.5))
            x0, y0 = rng.integers(0, w - cw + 1), rng.integers(0, h - ch + 1)
            photo_im.resize((SIZE, SIZE), Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))

    def shear():
        for _ in range(N):
            t = np.tan(np.deg2rad(rng.uniform(-15, 15)))
            square_im.transform(square_im.size, Image.Transform.AFFINE, (1, t, -t * SIZE / 2, 0, 1, 0),
                                Image.Resampling.BILINEAR)

    def pca():
        cov = np.cov(pixels.T)
        vals, vecs = np.linalg.eigh(cov)
        for _ in range(N):
            off = vecs @ (rng.normal(0, 0.1, 3) * np.sqrt(np.clip(vals, 0, None))) * 255
            square_im.point(lut(off))

    return {
        "mirror": lambda: [square_im.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if rng.random() < 0.5 else square_im
                           for _ in range(N)],
        "random crop": crop,
        "rotation": lambda: [square_im.rotate(rng.uniform(-20, 20), Image.Resampling.BILINEAR) for _ in range(N)],
        "shear": shear,
        "colour shift": lambda: [square_im.point(lut(rng.integers(-20, 21, 3))) for _ in range(N)],
        "PCA colour": pca,
    }


def kornia_ops(photo: torch.Tensor, square: torch.Tensor) -> dict:
    try:
        import kornia.augmentation as K
    except ImportError:
        return {}
    mods = {
        "mirror": (K.RandomHorizontalFlip(p=0.5), square),
        "random crop": (K.RandomResizedCrop((SIZE, SIZE), scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)), photo),
        "rotation": (K.RandomRotation(degrees=20.0, p=1.0), square),
        "shear": (K.RandomAffine(degrees=0.0, shear=15.0, p=1.0), square),
        "local warp": (K.RandomElasticTransform(p=1.0), square),
        "colour shift": (K.RandomRGBShift(20 / 255, 20 / 255, 20 / 255, p=1.0), square),
        "pipeline": (K.AugmentationSequential(
            K.RandomResizedCrop((SIZE, SIZE)), K.RandomHorizontalFlip(), K.RandomRotation(20.0, p=1.0),
            K.RandomAffine(0.0, shear=15.0, p=1.0), K.RandomElasticTransform(p=1.0),
            K.RandomRGBShift(20 / 255, 20 / 255, 20 / 255, p=1.0)), photo),
    }
    return {name: (lambda m=m, x=x: m(x)) for name, (m, x) in mods.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    pixels = load_default().pixels
    photo_im = Image.fromarray(pixels)
    square_im = photo_im.resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    photo = T.repeat(T.from_uint8(pixels), N)
    square = T.repeat(T.from_uint8(np.asarray(square_im)), N)

    columns = {"ours": ours(photo, square), "grid_sample": bare_grid_sample(square),
               "PIL": pil(photo_im, square_im), "kornia": kornia_ops(photo, square)}
    times: dict[tuple[str, str], list[float]] = {}
    with torch.inference_mode():
        for _ in range(2):  # warm-up: allocator, lazy imports, kornia's first-call setup
            for ops in columns.values():
                for fn in ops.values():
                    fn()
        for _ in range(args.repeats):
            for op in OPS:
                for col, ops in columns.items():
                    if op in ops:
                        start = time.perf_counter()
                        ops[op]()
                        times.setdefault((col, op), []).append((time.perf_counter() - start) * 1000)

    names = [c for c in columns if columns[c]]
    if not columns["kornia"]:
        print("(kornia not installed: its column is skipped; `pip install kornia` to compare)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"3 × 3 grid of {SIZE} × {SIZE} samples; median of {args.repeats} rounds, ms; "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); "
          f"load average {load:.1f} on {os.cpu_count()} cores (above the core count, figures are inflated)")
    print()
    print("| distortion | target | " + " | ".join(names) + " | ours meets target |")
    print("|---|---|" + "---|" * len(names) + "---|")
    for op in OPS:
        target = 150 if op == "pipeline" else 50
        cells = []
        for col in names:
            t = times.get((col, op))
            cells.append(f"{statistics.median(t):.1f}" if t else "—")
        ok = statistics.median(times[("ours", op)]) < target
        print(f"| {op} | < {target} | " + " | ".join(cells) + f" | {'yes' if ok else 'NO'} |")
    print()
    print("pipeline = random crop → mirror → rotation → shear → local warp → colour shift → PCA colour "
          "(kornia: the same without PCA colour, which it lacks); grid_sample = the resampling floor.")


if __name__ == "__main__":
    main()
