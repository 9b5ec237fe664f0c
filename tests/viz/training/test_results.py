"""The result records: partial and final, JSON and back, and what they derive."""

from __future__ import annotations

import json

import pytest

from tests.viz.training.conftest import ENSEMBLE, TINY, TRANSFER, stop_after
from viz.training.experiments import run_to_end
from viz.training.results import SCHEMA, DepthResult, DepthRun, EnsembleResult, SchemaMismatch, TransferResult
from viz.training.settings import DepthSettings


def _round_trip(result):
    return type(result).from_json(json.loads(json.dumps(result.to_json())))


def test_final_results_round_trip_through_json(depth_run, transfer_run, ensemble_run):
    for final in (depth_run, transfer_run, ensemble_run):
        again = _round_trip(final.result)
        assert again == final.result
        assert type(again.runs if isinstance(again, DepthResult) else again.settings.widths) is tuple


@pytest.mark.parametrize("name, settings, calls", [
    ("depth", DepthSettings(depths=(8,), widths=TINY, steps=30, batch_size=16), 7),
    ("transfer", TRANSFER, 30),  # during the first method
    ("ensemble", ENSEMBLE, 25),  # during the second member
])
def test_partial_results_round_trip_through_json(name, settings, calls):
    final = run_to_end(name, settings, should_stop=stop_after(calls))
    assert final.result.stopped
    assert _round_trip(final.result) == final.result


def test_a_running_depth_result_round_trips_with_its_unfinished_runs(depth_run):
    partial = DepthResult(depth_run.result.settings,
                          tuple(DepthRun(r.depth, r.residual, r.layers, r.params, r.loss[:3], r.error[:3])
                                for r in depth_run.result.runs), steps_done=3)
    assert _round_trip(partial) == partial
    assert partial.to_json()["runs"][0]["train_error"] is None


def test_json_names_the_experiment_and_schema_and_other_schemas_are_refused(depth_run):
    data = depth_run.result.to_json()
    assert (data["experiment"], data["schema"]) == ("depth", SCHEMA)
    with pytest.raises(SchemaMismatch, match="schema"):
        DepthResult.from_json({**data, "schema": SCHEMA - 1})
    with pytest.raises(SchemaMismatch):
        TransferResult.from_json(data)  # a depth result is not a transfer result
    with pytest.raises(ValueError, match="unknown fields"):
        DepthResult.from_json({**data, "extra": 1})
    broken = {k: v for k, v in data.items() if k != "runs"}
    with pytest.raises(ValueError, match="missing fields"):
        DepthResult.from_json(broken)


def test_an_unfinished_run_reports_its_last_20_minibatches():
    run = DepthRun(8, False, 8, 100, loss=(1.0,) * 30, error=(1.0,) * 10 + (0.5,) * 20)
    assert run.final_error == 0.5 and run.name == "plain-8"
    assert DepthRun(8, True, 8, 100, train_error=0.25).final_error == 0.25


def test_derived_numbers(transfer_run, ensemble_run):
    t = transfer_run.result
    frozen, full = t.method("frozen"), t.method("frozen_full")
    assert t.time_saved_seconds == round(full.seconds - frozen.seconds, 4)
    assert t.seconds == pytest.approx(t.pretrain.seconds + sum(m.seconds for m in t.methods))
    assert t.method("nope") is None
    e = ensemble_run.result
    assert e.ensemble_macs_per_image == len(e.members) * e.macs_per_image
    assert EnsembleResult(e.settings, e.n_test).ensemble_macs_per_image is None
