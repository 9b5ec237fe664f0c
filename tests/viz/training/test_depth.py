"""Plain vs residual: the 6n + 2 networks, and a depth run at tiny sizes — what holds whatever the luck."""

from __future__ import annotations

import pytest
import torch

from architectures.resnet_cifar import CifarResNet, blocks_per_stage, weighted_layers
from tests.viz.training.conftest import TINY, stop_after, tiny_depth
from viz.training.depth import run_depth
from viz.training.settings import DepthSettings


@pytest.mark.parametrize("depth", [8, 20, 56])
def test_cifar_nets_have_6n_plus_2_weighted_layers(depth):
    # He et al. 2016 §4.2: "6n+2 stacked weighted layers"; n = 1, 3, 9.
    for residual in (False, True):
        model = CifarResNet(depth, residual, TINY)
        assert weighted_layers(model) == depth
        assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


def test_plain_twin_differs_only_by_the_two_projection_shortcuts():
    plain, res = CifarResNet(20, False), CifarResNet(20, True)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    # Two 1×1 projections (stages 2 and 3, option B of He et al. 2016 §3.3) + their batch norms:
    # 16·32 + 2·32 and 32·64 + 2·64 parameters.
    assert count(res) - count(plain) == (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)


@pytest.mark.parametrize("bad", [7, 9, 0, 21, "20", True])
def test_bad_depth_names_the_6n_plus_2_rule(bad):
    with pytest.raises(ValueError, match="6n"):
        blocks_per_stage(bad)


def test_depth_run_losses_fall_and_the_result_is_complete(depth_run):
    result = depth_run.result
    assert not result.stopped and result.steps_done == 20 and result.seconds > 0
    assert [(r.depth, r.residual) for r in result.runs] == [(8, False), (8, True), (14, False), (14, True)]
    for run in result.runs:
        assert len(run.loss) == len(run.error) == 20
        first, last = sum(run.loss[:5]) / 5, sum(run.loss[-5:]) / 5
        assert last < first, run.name
        assert 0 <= run.train_error <= 1 and 0 <= run.test_error <= 1
        assert run.final_error == run.train_error  # finished: the whole training set's error
    assert set(depth_run.models) == {"plain-8", "residual-8", "plain-14", "residual-14"}


def test_depth_same_seed_same_curves_other_seed_other_curves():
    a, b, c = tiny_depth(seed=3, steps=5), tiny_depth(seed=3, steps=5), tiny_depth(seed=4, steps=5)
    strip = lambda r: [(x.loss, x.error, x.train_error) for x in r.result.runs]  # noqa: E731
    assert strip(a) == strip(b)
    assert strip(a) != strip(c)


def test_depth_stops_cleanly_between_steps():
    events = list(run_depth(DepthSettings(depths=(8,), widths=TINY, steps=50, batch_size=16),
                            should_stop=stop_after(4)))
    last = events[-1]
    assert last.done and last.result.stopped and last.result.steps_done == 4
    assert all(len(r.loss) == 4 for r in last.result.runs)
    assert [e.step for e in events[:-1]] == [1, 2, 3, 4]  # one event per step: the chart fills in
    # Every event carries its own snapshot: the first one still shows one step.
    assert all(len(r.loss) == 1 for r in events[0].result.runs)


def test_depth_generator_can_be_closed_midway():
    gen = run_depth(DepthSettings(depths=(8,), widths=TINY, steps=50, batch_size=16))
    first = next(gen)
    assert first.step == 1 and not first.done and first.result.runs[0].train_error is None
    gen.close()  # what the page does when Streamlit interrupts it: no exception, nothing left running
