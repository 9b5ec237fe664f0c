"""Ensembling at tiny sizes: the ensemble is the mean of its members, whose seeds differ."""

from __future__ import annotations

import pytest
import torch

from tests.viz.training.conftest import ENSEMBLE, stop_after
from viz.training.data import digits
from viz.training.experiments import run_to_end


def test_ensemble_probabilities_are_the_mean_of_its_members(ensemble_run):
    members = ensemble_run.models["members"]
    x = digits().x_test[:50]
    with torch.no_grad():
        mean = sum(torch.softmax(m(x), dim=1) for m in members) / len(members)
        assert torch.allclose(ensemble_run.models["ensemble"](x), mean, atol=1e-6)


def test_ensemble_result_members_costs_and_accuracies(ensemble_run):
    r = ensemble_run.result
    assert [m.seed for m in r.members] == [5, 6, 7]
    assert len(r.ensemble_accuracy) == 3
    assert r.ensemble_accuracy[0] == pytest.approx(r.members[0].test_accuracy)  # ensemble of one
    assert r.ensemble_macs_per_image == 3 * r.macs_per_image > 0
    for m in r.members:
        assert m.loss[-1] < m.loss[0]


def test_ensemble_members_differ_by_seed(ensemble_run):
    a, b = ensemble_run.models["members"][:2]
    assert not torch.equal(a.stem.conv.weight, b.stem.conv.weight)


def test_a_stopped_ensemble_keeps_only_the_members_that_finished():
    # 20 steps per member: stop during the second member's training.
    final = run_to_end("ensemble", ENSEMBLE, should_stop=stop_after(25))
    r = final.result
    assert r.stopped and [m.seed for m in r.members] == [5] and len(r.ensemble_accuracy) == 1
    assert r.ensemble_macs_per_image == r.macs_per_image
