"""The figures draw one trace per run, method and member."""

from __future__ import annotations

import pytest

from viz.training import figures
from viz.training.results import DepthResult, DepthRun
from viz.training.settings import DepthSettings


def test_depth_charts_have_one_trace_per_run_and_kind():
    runs = tuple(DepthRun(d, r, d, 0, loss=(2.0, 1.0), error=(0.5, 0.25), train_error=0.2)
                 for d in (8, 20) for r in (False, True))
    result = DepthResult(DepthSettings(steps=2), runs)
    curves = figures.depth_curves(result)
    assert len(curves.data) == 4 and list(curves.data[0].y) == [50.0, 37.5]  # % of the running mean
    assert len(figures.depth_curves(result, "loss").data) == 4
    assert len(figures.depth_final(result).data) == 2
    with pytest.raises(ValueError, match="metric"):
        figures.depth_curves(result, "accuracy")
    assert list(figures.moving_average([1, 2, 3, 4], 2)) == [1, 1.5, 2.5, 3.5]


def test_transfer_and_ensemble_charts(transfer_run, ensemble_run):
    bars = figures.transfer_bars(transfer_run.result)
    assert list(bars.data[0].y) == [m.label for m in transfer_run.result.methods]
    assert len(figures.transfer_losses(transfer_run.result).data) == 4
    chart = figures.ensemble_chart(ensemble_run.result)
    assert len(chart.data[0].y) == 3 and len(chart.data[1].y) == 3  # members, and averages of 1…3
