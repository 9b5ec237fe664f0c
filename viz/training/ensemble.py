"""Ensembling: ``k`` networks from different seeds, their averaged probabilities, and the cost × k."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from architectures.resnet_cifar import CifarResNet
from viz.training.common import error_rate, sgd, train_step
from viz.training.data import INPUT_SHAPE, digits
from viz.training.progress import Progress, StopCheck, stopped
from viz.training.results import EnsembleMember, EnsembleResult
from viz.training.settings import EnsembleSettings


class Ensemble(nn.Module):
    """Averages its members' softmax probabilities (the lecture's ensembling)."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([F.softmax(m(x), dim=1) for m in self.members]).mean(0)


def run_ensemble(
    settings: EnsembleSettings | None = None,
    should_stop: StopCheck = None,
    report_every: int = 10,
) -> Iterator[Progress]:
    """Train ``k`` networks with seeds ``seed, seed+1 …`` on the same training images.

    The seed sets both the initial weights and the order of the minibatches.
    ``ensemble_accuracy[j]`` is the accuracy of the average of the first ``j+1``
    members' probabilities. Prediction cost: multiply-adds per image (traced)
    × k, and the measured time to predict the test set with one member and with all.
    """
    from viz.trace import trace

    s = (settings or EnsembleSettings()).validated()
    data = digits()
    gen = torch.Generator().manual_seed(0)  # the training subset is fixed; members differ by seed only
    subset = torch.randperm(len(data.x_train), generator=gen)[: s.train_size]
    x_tr, y_tr = data.x_train[subset], data.y_train[subset]
    total = s.k * s.steps
    done: list[EnsembleMember] = []  # members trained to the end
    was_stopped = False

    def snapshot(training: EnsembleMember | None = None, **final) -> EnsembleResult:
        members = (*done, training) if training is not None else tuple(done)
        return EnsembleResult(s, len(data.x_test), members, was_stopped, **final)

    models: list[nn.Module] = []
    for i in range(s.k):
        seed = s.seed + i
        torch.manual_seed(seed)
        model = CifarResNet(s.depth, True, s.widths)
        opt = sgd(model.parameters(), s.lr)
        batches = torch.Generator().manual_seed(seed)
        losses: list[float] = []
        seconds = 0.0
        for step in range(1, s.steps + 1):
            if stopped(should_stop):
                was_stopped = True
                break
            idx = torch.randint(0, len(x_tr), (min(s.batch_size, len(x_tr)),), generator=batches)
            t0 = time.perf_counter()
            losses.append(train_step(model, opt, x_tr[idx], y_tr[idx])[0])
            seconds += time.perf_counter() - t0
            if step % report_every == 0:
                member = EnsembleMember(seed, tuple(losses), seconds)
                stage = f"training network {i + 1} of {s.k}"
                yield Progress(i * s.steps + step, total, stage, snapshot(member))
        if was_stopped:
            break  # the unfinished member is left out
        done.append(EnsembleMember(seed, tuple(losses), round(seconds, 3),
                                   1 - error_rate(model, data.x_test, data.y_test)))
        models.append(model.eval())

    # The averaged ensemble of the first j members, j = 1..k (members that finished).
    accs = []
    with torch.no_grad():
        probs = [F.softmax(m(data.x_test), dim=1) for m in models]
        for j in range(1, len(probs) + 1):
            mean = torch.stack(probs[:j]).mean(0)
            accs.append(float((mean.argmax(1) == data.y_test).float().mean()))
    costs: dict[str, Any] = {}
    if models:
        costs["macs_per_image"] = trace(models[0], (1, *INPUT_SHAPE)).total_macs
        costs["predict_seconds_one"] = _median_time(lambda: models[0](data.x_test))
        ens = Ensemble(models).eval()
        costs["predict_seconds_all"] = _median_time(lambda: ens(data.x_test))
    yield Progress(total, total, "done", snapshot(ensemble_accuracy=tuple(accs), **costs), done=True,
                   models={"members": models, "ensemble": Ensemble(models).eval()})


@torch.no_grad()
def _median_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(float(np.median(times)), 5)

