"""Multi-crop at test time: the trained LeNet-5 on several shifted views of each test digit, averaged.

The lecture's 10-crop (AlexNet's: the centre and the 4 corners of the image, and the same
of its mirror) averages a network's predictions over crops of each test image. For digits
the mirrored half is left out (a mirrored 7 is no digit): the 32×32 input is padded by
``shift`` pixels of background and cropped back to 32×32 at the centre and the 4 corners
(5 views), or at all 9 shifts. The cost: one forward pass per view. The lecture's caveat:
it wins benchmarks and competitions, it is rarely worth it in production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from viz import trained
from viz.data import mnist
from viz.training.data import LENET_SHAPE, lenet_digits
from viz.training.progress import Progress, StopCheck
from viz.training.results import MultiCropResult
from viz.training.settings import MultiCropSettings


def views(crops: int, shift: int) -> tuple[tuple[int, int], ...]:
    """(dy, dx) of each view: the centre first; then 4 corners (5 views) or every shift (9)."""
    corners = ((-shift, -shift), (-shift, shift), (shift, -shift), (shift, shift))
    if crops == 1:
        return ((0, 0),)
    if crops == 5:
        return ((0, 0), *corners)
    return ((0, 0), *((dy, dx) for dy in (-shift, 0, shift) for dx in (-shift, 0, shift) if (dy, dx) != (0, 0)))


def view_of(x: torch.Tensor, dy: int, dx: int, shift: int) -> torch.Tensor:
    """The 32×32 crop at offset (dy, dx) of ``x`` padded by ``shift`` pixels of background."""
    padded = F.pad(x, (shift, shift, shift, shift), value=mnist.BACKGROUND)
    side = x.shape[-1]
    return padded[..., shift + dy: shift + dy + side, shift + dx: shift + dx + side]


@torch.no_grad()
def averaged(model, x: torch.Tensor, offsets, shift: int) -> torch.Tensor:
    """The mean of the model's softmax probabilities over the views."""
    return torch.stack([F.softmax(model(view_of(x, dy, dx, shift)), 1) for dy, dx in offsets]).mean(0)


def run_multicrop(settings: MultiCropSettings | None = None, should_stop: StopCheck = None) -> Iterator[Progress]:
    from viz.trace import trace

    s = (settings or MultiCropSettings()).validated()
    data = lenet_digits()
    model = trained.load(s.style).eval()
    offsets = views(s.crops, s.shift)
    x, y = data.x_test, data.y_test
    t0 = time.perf_counter()
    with torch.no_grad():
        single = model(x).argmax(1)
    t_single = time.perf_counter() - t0
    t0 = time.perf_counter()
    multi = averaged(model, x, offsets, s.shift).argmax(1)
    t_multi = time.perf_counter() - t0
    with torch.no_grad():
        each = tuple(int((model(view_of(x, dy, dx, s.shift)).argmax(1) == y).sum()) / len(y) for dy, dx in offsets)
    right1, rightk = single == y, multi == y
    result = MultiCropResult(
        s, len(y), offsets, int(right1.sum()) / len(y), each, int(rightk.sum()) / len(y),
        int((rightk & ~right1).sum()), int((right1 & ~rightk).sum()),
        trace(model, (1, *LENET_SHAPE)).total_macs, round(t_single, 4), round(t_multi, 4))
    yield Progress(1, 1, "done", result, done=True, models={"lenet5": model})
