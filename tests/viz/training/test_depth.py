"""Plain vs ResNet: what holds whatever the luck, and what the stored default run shows (issue 14)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tests.viz.training.conftest import DEPTH, stop_after
from viz.training import figures
from viz.training.depth import checkpoint_every, lr_factor
from viz.training.experiments import run_to_end
from viz.training.store import load_stored
from viz.training.verdicts import degradation


def test_losses_fall_and_every_net_is_measured_at_the_same_checkpoints(depth_run):
    result = depth_run.result
    assert len(result.runs) == 4 and not result.stopped
    every = checkpoint_every(DEPTH.steps)
    assert result.checkpoints == (*range(every, DEPTH.steps + 1, every), DEPTH.steps)[: len(result.checkpoints)]
    assert result.checkpoints[-1] == DEPTH.steps
    for run in result.runs:
        assert len(run.loss) == DEPTH.steps and len(run.checkpoint_error) == len(result.checkpoints)
        assert np.mean(run.loss[-10:]) < np.mean(run.loss[:10]) - 0.2  # ln 10 = 2.3 at the start
        assert run.train_error == run.checkpoint_error[-1] and 0 <= run.test_error <= 1


def test_same_seed_same_result_and_the_plain_twin_has_no_projections(depth_run):
    again = run_to_end("depth", DEPTH).result
    assert replace(again, seconds=None, runs=tuple(replace(r, seconds=0) for r in again.runs)) == \
        replace(depth_run.result, seconds=None, runs=tuple(replace(r, seconds=0) for r in depth_run.result.runs))
    plain, res = (next(r for r in depth_run.result.runs if r.depth == 14 and r.residual == k) for k in (False, True))
    assert plain.layers == res.layers == 14
    assert res.params > plain.params  # the two 1×1 projections W_s (option B)


def test_the_chart_draws_the_error_the_table_reports(depth_run):
    result = depth_run.result
    fig = figures.depth_curves(result)
    measured = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(measured) == len(result.runs)
    for trace, run in zip(measured, result.runs):
        assert list(trace.x) == list(result.checkpoints)
        assert trace.y[-1] == round(run.train_error * 100, 2)  # the last marker is the table's number


def test_a_stopped_run_is_measured_where_it_stopped():
    events = list(__import__("viz.training.depth", fromlist=["run_depth"]).run_depth(DEPTH, stop_after(7)))
    result = events[-1].result
    assert result.stopped and result.steps_done == 7 and result.checkpoints[-1] == 7
    assert all(len(r.loss) == 7 and r.train_error is not None for r in result.runs)


def test_the_learning_rate_schedule_is_he_et_al_s():
    # He et al. 2016 §4.2: 0.1, divided by 10 at 32k and again at 48k of 64k iterations.
    assert [lr_factor(s, 64) for s in (1, 32, 33, 48, 49, 64)] == [1, 1, 0.1, 0.1, 0.01, 0.01]


def test_the_stored_default_run_shows_degradation_and_its_cure():
    """Pinned on the stored run (python -m viz.training precompute): the plain nets' training error rises
    with depth past some depth, and the deepest ResNet ends below the plain net of its depth
    (He et al. 2016, Fig. 6)."""
    stored = load_stored("depth")
    assert max(stored.depths) >= 56
    assert degradation(stored) == (True, True)
