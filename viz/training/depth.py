"""Plain vs residual ``6n + 2`` networks at several depths.

He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, §4.2 and
Fig. 6: the deeper plain nets train to a *higher* training error; with
shortcuts, deeper stays better. The same optimiser, steps, learning rate, seed
and minibatches for every network.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import torch

from architectures.resnet_cifar import CifarResNet, weighted_layers
from viz.training.common import count_params, error_rate, sgd, train_step
from viz.training.data import digits
from viz.training.progress import Progress, StopCheck, stopped
from viz.training.results import DepthResult, DepthRun
from viz.training.settings import DepthSettings


def run_depth(
    settings: DepthSettings | None = None,
    should_stop: StopCheck = None,
    report_every: int = 1,
) -> Iterator[Progress]:
    """Train plain and residual ``6n + 2`` networks at each depth, side by side.

    Every network sees the same minibatches in the same order (one index
    generator seeded with ``seed``), starts from weights drawn after
    ``torch.manual_seed(seed)``, and uses the same SGD settings — so the only
    difference between a plain net and its residual twin is the shortcut
    (and the two 1×1 projections where shapes change). The networks take turns,
    one step each, so the curves grow together and a stopped run compares them
    at the same step.
    """
    s = (settings or DepthSettings()).validated()
    data = digits()
    runs: list[DepthRun] = []
    nets = []
    for depth in s.depths:
        for residual in (False, True):
            torch.manual_seed(s.seed)
            model = CifarResNet(depth, residual, s.widths)
            nets.append((model, sgd(model.parameters(), s.lr)))
            runs.append(DepthRun(depth, residual, weighted_layers(model), count_params(model)))
    losses: list[list[float]] = [[] for _ in runs]
    errors: list[list[float]] = [[] for _ in runs]
    seconds = [0.0] * len(runs)
    steps_done, was_stopped = 0, False

    def snapshot(**final) -> DepthResult:
        current = [replace(run, loss=tuple(lo), error=tuple(er), seconds=t)
                   for run, lo, er, t in zip(runs, losses, errors, seconds)]
        return DepthResult(s, tuple(current), steps_done, was_stopped, **final)

    gen = torch.Generator().manual_seed(s.seed)
    n = len(data.x_train)
    start = time.perf_counter()
    for step in range(1, s.steps + 1):
        if stopped(should_stop):
            was_stopped = True
            break
        idx = torch.randint(0, n, (s.batch_size,), generator=gen)
        xb, yb = data.x_train[idx], data.y_train[idx]
        for i, (model, opt) in enumerate(nets):
            t0 = time.perf_counter()
            loss, err = train_step(model, opt, xb, yb)
            seconds[i] += time.perf_counter() - t0
            losses[i].append(loss)
            errors[i].append(err)
        steps_done = step
        if step % report_every == 0 and step < s.steps:
            yield Progress(step, s.steps, "training", snapshot())
    # Final errors on the whole training and test sets (eval mode: BN's running statistics).
    for i, (model, _) in enumerate(nets):
        runs[i] = replace(runs[i], train_error=error_rate(model, data.x_train, data.y_train),
                          test_error=error_rate(model, data.x_test, data.y_test))
        seconds[i] = round(seconds[i], 3)
    result = snapshot(seconds=round(time.perf_counter() - start, 3))
    models = {run.name: model for (model, _), run in zip(nets, runs)}
    yield Progress(steps_done, s.steps, "done", result, done=True, models=models)
