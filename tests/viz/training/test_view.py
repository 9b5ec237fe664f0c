"""The page's views of every stored result: verdicts from the numbers, readable charts, the table's numbers."""

from __future__ import annotations

import json

import pytest

from viz import view as v
from viz.readable import MIN_PX, smallest_text
from viz.training.experiments import NAMES
from viz.training.results import DepthResult, DepthRun
from viz.training.settings import DepthSettings
from viz.training.store import load_stored
from viz.training.verdicts import degradation, depth_verdict
from viz.training.view import human_bytes, live_view, result_view


@pytest.mark.parametrize("name", NAMES)
def test_every_stored_result_has_a_view_with_readable_charts(name):
    result = load_stored(name)
    view = result_view(result, "stored")
    figures = [b for b in v.walk(view.blocks) if isinstance(b, v.Figure)]
    assert figures and any(isinstance(b, v.Callout) for b in view.blocks)
    for block in figures:
        assert smallest_text(json.loads(block.figure.to_json()))[0] >= MIN_PX, block.key
    assert "Precomputed results" in " ".join(b.text for b in v.walk(view.blocks) if isinstance(b, v.Caption))
    live_view(result, "k")  # the live chart draws from a finished result too


def test_the_depth_table_reports_the_last_checkpoint():
    stored = load_stored("depth")
    (table,) = [b for b in v.walk(result_view(stored, "stored").blocks) if isinstance(b, v.Table)]
    by_name = {row["network"]: row["training error"] for row in table.rows}
    assert all(by_name[r.name] == f"{r.checkpoint_error[-1]:.1%}" for r in stored.runs)


def _depth(plain: list[float], residual: list[float]) -> DepthResult:
    depths = (8, 20, 56)[: len(plain)]
    runs = tuple(DepthRun(d, k, d, 0, checkpoint_error=(e,)) for k, errs in ((False, plain), (True, residual))
                 for d, e in zip(depths, errs))
    return DepthResult(DepthSettings(depths=depths), runs, (200,))


def test_degradation_is_judged_from_the_numbers():
    assert degradation(_depth([0.1, 0.2, 0.7], [0.1, 0.08, 0.2])) == (True, True)
    assert degradation(_depth([0.1, 0.05, 0.7], [0.1, 0.08, 0.2])) == (True, True)  # rises past 20
    assert degradation(_depth([0.3, 0.2, 0.1], [0.1, 0.08, 0.2])) == (False, False)
    assert degradation(_depth([0.1, 0.2, 0.3], [0.1, 0.2, 0.4])) == (True, False)
    shown, text = depth_verdict(_depth([0.1, 0.2, 0.7], [0.1, 0.08, 0.2]))
    assert shown and "plain 8: 10.0% → 20: 20.0% → 56: 70.0%" in text and "behind residual-20" in text


def test_human_bytes():
    assert [human_bytes(n) for n in (999, 3200, 2.5e9)] == ["999 B", "3.2 KB", "2.5 GB"]
