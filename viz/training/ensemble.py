"""Ensembling: ``k`` LeNet-5s from different seeds, their averaged probabilities, and the cost × k."""

from __future__ import annotations

import time
from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from viz.training.common import LENET_LR, error_rate, minibatches, new_lenet
from viz.training.data import LENET_SHAPE, lenet_digits, per_class
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


def run_ensemble(settings: EnsembleSettings | None = None, should_stop: StopCheck = None,
                 report_every: int = 25) -> Iterator[Progress]:
    """Train ``k`` LeNet-5s with seeds ``seed, seed+1 …`` on the same training digits.

    The seed sets both the initial weights and the order of the minibatches.
    ``ensemble_accuracy[j]`` is the accuracy of the average of the first ``j+1``
    members' probabilities; the cost of predicting is one member's multiply-adds
    per image (traced) × the members.
    """
    from viz.trace import trace

    s = (settings or EnsembleSettings()).validated()
    data = lenet_digits()
    rows = per_class(data.y_train, s.per_class)
    x_tr, y_tr = data.x_train[rows], data.y_train[rows]
    total = s.k * s.steps
    done: list[EnsembleMember] = []  # members trained to the end
    models: list[nn.Module] = []

    def snapshot(training: EnsembleMember | None = None, **final) -> EnsembleResult:
        members = (*done, training) if training is not None else tuple(done)
        return EnsembleResult(s, len(data.y_test), members, **final)

    for i in range(s.k):
        seed = s.seed + i
        model = new_lenet(10, seed)
        opt = torch.optim.Adam(model.parameters(), lr=LENET_LR)
        losses: list[float] = []
        t0 = time.perf_counter()
        for step, idx in enumerate(minibatches(len(y_tr), s.steps, seed), start=1):
            if stopped(should_stop):
                yield Progress(i * s.steps + step, total, "done", snapshot(stopped=True), done=True)
                return  # the unfinished member is left out
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            if step % report_every == 0:
                member = EnsembleMember(seed, tuple(losses), time.perf_counter() - t0)
                yield Progress(i * s.steps + step, total, f"training network {i + 1} of {s.k}", snapshot(member))
        model.eval()
        done.append(EnsembleMember(seed, tuple(losses), round(time.perf_counter() - t0, 3),
                                   1 - error_rate(model, data.x_test, data.y_test)))
        models.append(model)
    with torch.no_grad():
        probs = [F.softmax(m(data.x_test), dim=1) for m in models]
    accs = tuple(int((torch.stack(probs[:j]).mean(0).argmax(1) == data.y_test).sum()) / len(data.y_test)
                 for j in range(1, len(probs) + 1))
    macs = trace(models[0], (1, *LENET_SHAPE)).total_macs
    yield Progress(total, total, "done", snapshot(ensemble_accuracy=accs, macs_per_image=macs), done=True,
                   models={"members": models, "ensemble": Ensemble(models).eval()})
