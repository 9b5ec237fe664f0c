"""Plain vs residual ``6n + 2`` networks at several depths, on the 14×14 MNIST digits.

He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, §4.2 and
Fig. 6: the deeper plain nets train to a *higher* training error; with
shortcuts, deeper stays better. The same optimiser, steps, learning-rate
schedule, seed and minibatches for every network.

One measure of training error, shown by the chart and the table alike: the error
in evaluation mode (batch norm's running statistics) on a fixed set of
:data:`EVAL_PER_CLASS` × 10 training digits, measured every :func:`checkpoint_every`
steps and at the end. The chart also draws each minibatch's error as it trained
(batch norm normalising with that minibatch's own statistics), which is why the two
differ while the running statistics still lag behind the moving weights.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import torch

from architectures.resnet_cifar import CifarResNet, weighted_layers
from viz.training.common import count_params, error_rate, sgd, train_step
from viz.training.data import per_class, small_digits
from viz.training.progress import Progress, StopCheck, stopped
from viz.training.results import DepthResult, DepthRun
from viz.training.settings import DepthSettings

EVAL_PER_CLASS = 100  # 1,000 fixed training digits: the training error measured at every checkpoint
CHECKPOINTS = 8  # measured this many times in a run (and at the end of a stopped one)


def checkpoint_every(steps: int) -> int:
    return max(1, steps // CHECKPOINTS)


def lr_factor(step: int, steps: int) -> float:
    """He et al. 2016 §4.2: divide the learning rate by 10 at 32k and 48k of 64k steps (½ and ¾)."""
    return 1.0 if step <= steps // 2 else 0.1 if step <= 3 * steps // 4 else 0.01


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
    data = small_digits()
    measured = per_class(data.y_train, EVAL_PER_CLASS)
    x_eval, y_eval = data.x_train[measured], data.y_train[measured]
    runs: list[DepthRun] = []
    nets = []
    for depth in s.depths:
        for residual in (False, True):
            torch.manual_seed(s.seed)
            model = CifarResNet(depth, residual, s.stage_widths)
            nets.append((model, sgd(model.parameters(), s.lr)))
            runs.append(DepthRun(depth, residual, weighted_layers(model), count_params(model)))
    losses: list[list[float]] = [[] for _ in runs]
    errors: list[list[float]] = [[] for _ in runs]
    checks: list[list[float]] = [[] for _ in runs]
    at: list[int] = []
    seconds = [0.0] * len(runs)
    steps_done, was_stopped = 0, False

    def snapshot(**final) -> DepthResult:
        current = [replace(run, loss=tuple(lo), error=tuple(er), checkpoint_error=tuple(ch), seconds=t)
                   for run, lo, er, ch, t in zip(runs, losses, errors, checks, seconds)]
        return DepthResult(s, tuple(current), tuple(at), steps_done, was_stopped, **final)

    def measure(step: int) -> None:
        at.append(step)
        for i, (model, _) in enumerate(nets):
            checks[i].append(error_rate(model, x_eval, y_eval))

    every = checkpoint_every(s.steps)
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
            for group in opt.param_groups:
                group["lr"] = s.lr * lr_factor(step, s.steps)
            t0 = time.perf_counter()
            loss, err = train_step(model, opt, xb, yb)
            seconds[i] += time.perf_counter() - t0
            losses[i].append(loss)
            errors[i].append(err)
        steps_done = step
        if step % every == 0 or step == s.steps:
            measure(step)
        if step % report_every == 0 and step < s.steps:
            yield Progress(step, s.steps, "training", snapshot())
    if steps_done and (not at or at[-1] != steps_done):
        measure(steps_done)  # a stopped run: its last state, measured the same way
    for i, (model, _) in enumerate(nets):
        runs[i] = replace(runs[i], test_error=error_rate(model, data.x_test, data.y_test))
        seconds[i] = round(seconds[i], 3)
    result = snapshot(seconds=round(time.perf_counter() - start, 3))
    models = {run.name: model for (model, _), run in zip(nets, runs)}
    yield Progress(steps_done, s.steps, "done", result, done=True, models=models)
