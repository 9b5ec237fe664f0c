"""Data augmentation, measured: LeNet-5 on a small slice of the digits, with and without distortions.

The lecture: augmentation helps most when data is scarce. The distortions are the
Augmentation Lab's own pipeline steps (:mod:`viz.augmentation.distortions` — random crop,
rotation, shearing, local warping), applied afresh to every minibatch. Not mirroring:
a mirrored 2, 3, 4, 5, 7 or 9 is no digit, so a mirror would teach the network wrong
shapes (the Augmentation Lab's photographs are another matter). Every network — with or
without — starts from the same weights for a seed and sees the same minibatches; only
the distortion differs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from viz.augmentation import distortions as D
from viz.data import mnist
from viz.training.common import LENET_LR, error_rate, minibatches, new_lenet
from viz.training.data import lenet_digits, per_class
from viz.training.progress import Progress, StopCheck, stopped
from viz.training.results import AugmentResult, AugmentRun
from viz.training.settings import AugmentSettings

# Gentle settings for a digit centred in its 32×32 field (MNIST: within 20×20 inside 28×28, then padded):
# a crop of at least 80% of the area, ±10° of rotation and of shear, a smooth warp of about a pixel.
STEPS = {
    "random crop": D.RandomResizedCrop(size=mnist.LENET_SIDE, scale=(0.8, 1.0), ratio=(0.9, 1.1)),
    "rotation": D.Rotation(degrees=10.0),
    "shearing": D.Shear(x_degrees=10.0),
    "local warping": D.Warp(strength=1.0, smoothness=0.4),
}


def pipeline(names: tuple[str, ...]) -> D.Pipeline:
    """The Augmentation Lab's steps named ``names``, in this lab's order."""
    return D.pipeline_of([n for n in STEPS if n in names], tuple(STEPS.values()))


def distort(x: torch.Tensor, steps: D.Pipeline, gen: torch.Generator) -> torch.Tensor:
    """``steps`` on LeNet-5 input: shifted so the background is 0 (what the steps fill in), and back."""
    return steps(x - mnist.BACKGROUND, gen) + mnist.BACKGROUND


def train_one(x: torch.Tensor, y: torch.Tensor, steps: int, seed: int, augment: D.Pipeline | None,
              should_stop: StopCheck = None):
    """One LeNet-5 (Adam, :data:`LENET_LR`); the model, or None if stopped."""
    model = new_lenet(10, seed)
    opt = torch.optim.Adam(model.parameters(), lr=LENET_LR)
    gen = torch.Generator().manual_seed(seed)
    for idx in minibatches(len(x), steps, seed):
        if stopped(should_stop):
            return None
        xb = x[idx] if augment is None else distort(x[idx], augment, gen)
        loss = F.cross_entropy(model(xb), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return model.eval()


def run_augment(settings: AugmentSettings | None = None, should_stop: StopCheck = None) -> Iterator[Progress]:
    """For each seed: LeNet-5 without, then with the distortions, on the same ``per_class`` × 10 digits."""
    s = (settings or AugmentSettings()).validated()
    data = lenet_digits()
    rows = per_class(data.y_train, s.per_class)  # the first digits of each class: the same slice every seed
    x, y = data.x_train[rows], data.y_train[rows]
    steps = pipeline(s.distortions)
    runs: list[AugmentRun] = []
    total = 2 * s.seeds

    def snapshot(was_stopped: bool = False) -> AugmentResult:
        return AugmentResult(s, len(y), len(data.y_test), tuple(runs), was_stopped)

    for seed in range(s.seed, s.seed + s.seeds):
        for distorted in (False, True):
            yield Progress(len(runs), total, f"{'with' if distorted else 'without'} distortions, seed {seed}",
                           snapshot())
            t0 = time.perf_counter()
            model = train_one(x, y, s.steps, seed, steps if distorted else None, should_stop)
            if model is None:
                yield Progress(len(runs), total, "done", snapshot(True), done=True)
                return
            runs.append(AugmentRun(distorted, seed, 1 - error_rate(model, data.x_test, data.y_test),
                                   1 - error_rate(model, x, y), round(time.perf_counter() - t0, 3)))
    yield Progress(total, total, "done", snapshot(), done=True)
