"""What the page shows, computed without Streamlit: every sentence and number from the result."""

from __future__ import annotations

from viz import view as v
from viz.training import view as V
from viz.training.freeze import cut_points
from viz.training.results import TransferResult
from viz.training.verdicts import depth_verdict, transfer_verdict


def _of(view: v.View, kind) -> list:
    blocks = [b for b in v.walk(view.blocks)]
    blocks += [m for b in blocks if isinstance(b, v.Metrics) for m in b.items]
    return [b for b in blocks if isinstance(b, kind)]


def test_depth_view_says_where_the_result_comes_from_and_shows_the_verdict_and_table(depth_run):
    result = depth_run.result
    view = V.result_view(result, "stored")
    assert view.blocks[0] == v.Caption(view.blocks[0].text) and "Precomputed results" in view.blocks[0].text
    shown, text = depth_verdict(result)
    callout = _of(view, v.Callout)[0]
    assert callout.text == text and callout.kind == ("success" if shown else "warning")
    table = _of(view, v.Table)[0]
    assert [row["network"] for row in table.rows] == ["plain-8", "plain-14", "residual-8", "residual-14"]
    assert table.rows[0]["training error"] == f"{result.runs[0].train_error:.1%}"
    assert [f.key for f in _of(view, v.Figure)] == ["depth_curves", "depth_final"]
    loss = _of(V.result_view(result, "cached", curve="loss"), v.Figure)[0].figure
    assert loss.layout.yaxis.type == "log"


def test_a_partial_or_live_result_says_so(depth_run):
    partial = V.result_view(depth_run.result, "partial")
    assert partial.blocks[0].kind == "warning" and "Stopped before the end" in partial.blocks[0].text
    live = V.result_view(depth_run.result, "live")
    assert live.blocks[0].text == f"Trained just now in {depth_run.result.seconds:.1f} s of compute."


def test_transfer_view_metrics_come_from_the_result(transfer_run):
    result = transfer_run.result
    view = V.result_view(result, "live")
    assert _of(view, v.Callout)[0].text == transfer_verdict(result)
    metrics = {m.label: m for m in _of(view, v.Metric)}
    assert metrics["Time saved by precomputing"].value == f"{result.time_saved_seconds:.2f} s"
    assert metrics["Precomputed features"].value == "480 B"  # 15 images × 8 features × 4 bytes
    assert len(_of(view, v.Table)[0].rows) == 4
    empty = TransferResult(result.settings, 15, result.n_test, result.pretrain, stopped=True)
    assert "Stopped during pre-training" in _of(V.result_view(empty, "partial"), v.Callout)[1].text


def test_ensemble_view_shows_the_cost_times_k(ensemble_run):
    r = ensemble_run.result
    metrics = {m.label: m.value for m in _of(V.result_view(r, "cached"), v.Metric)}
    assert metrics["… the ensemble of 3"] == f"{3 * r.macs_per_image:,}"


def test_live_view_draws_only_what_there_is(depth_run, transfer_run, ensemble_run):
    assert _of(V.live_view(depth_run.result, "live1"), v.Figure)[0].key == "depth_curves_live1"
    assert V.live_view(TransferResult(transfer_run.result.settings, 15, 10), "live2").blocks == ()
    assert len(V.live_view(ensemble_run.result, "live3").blocks) == 1


def test_freeze_view_vgg16_and_a_bad_request():
    points, _ = cut_points("vgg16")
    metrics = {m.label: m.value for m in _of(V.freeze_view("vgg16", "block5", 10_000), v.Metric)}
    # Simonyan & Zisserman 2015, Table 1 (D): the 13 convolutions hold 14,714,688 parameters; 7×7×512 out.
    assert metrics["Frozen parameters"] == "14,714,688"
    assert metrics["Feature per image"] == "7 × 7 × 512"
    assert metrics["Features for 10,000 images"] == V.human_bytes(7 * 7 * 512 * 4 * 10_000) == "1.0 GB"
    bad = V.freeze_view("vgg16", "block5", 0)
    assert bad.blocks[0].kind == "error" and "number of images must be a whole number" in bad.blocks[0].text
    assert V.cut_label(points[0]).startswith(f"{points[0].name} (")


def test_human_bytes():
    assert [V.human_bytes(n) for n in (999, 1000, 3_200, 2.5e9)] == ["999 B", "1.0 KB", "3.2 KB", "2.5 GB"]


def test_what_is_left_of_an_interrupted_run_is_judged_as_stopped(depth_run):
    # The page keeps each event's result as stopped: if Stop interrupts the run, that is what remains.
    left = depth_run.result.as_stopped()
    assert left.stopped and not depth_run.result.stopped
    callout = _of(V.result_view(left, "partial"), v.Callout)[1]
    assert callout.kind == "info" and callout.text.startswith("Stopped after 20 of 20 steps — too early to judge")
