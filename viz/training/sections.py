"""Each experiment's result as :mod:`viz.view` blocks: verdict, charts, tables, measured costs."""

from __future__ import annotations

import numpy as np

from viz import view as v
from viz.formatting import num
from viz.training import figures
from viz.training.depth import EVAL_PER_CLASS
from viz.training.results import (
    METHODS,
    AugmentResult,
    DepthResult,
    EnsembleResult,
    MultiCropResult,
    TransferResult,
)
from viz.training.verdicts import (
    augment_verdict,
    depth_verdict,
    ensemble_verdict,
    multicrop_verdict,
    transfer_verdict,
)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


DEPTH_MEASURE = (
    f"Training error, the one measure of chart and table: the networks in evaluation mode on {10 * EVAL_PER_CLASS:,} "
    "fixed training digits, at the marked checkpoints; the last checkpoint is the table's. The dotted lines are each "
    "minibatch's error as it trained (a running mean of 20): there batch norm normalises with the minibatch's own "
    "statistics, in evaluation mode with its running averages, which lag behind the weights while the learning rate "
    "is large — so the two agree only once training settles.")


def depth_blocks(result: DepthResult) -> list[v.Block]:
    shown, text = depth_verdict(result)
    rows = tuple({
        "network": r.name,
        "parameters": r.params,
        "training error": _pct(r.train_error),
        "test error": _pct(r.test_error),
        "train time (s)": round(r.seconds, 1),
    } for r in sorted(result.runs, key=lambda r: (r.residual, r.depth)))
    caption = ("The residual nets have a few more parameters: the 1×1 projections W_s where a stage changes size "
               "(the paper's option B). Test error: the 1,000 test digits. Train times are this run's, on a "
               "possibly shared CPU.")
    return [
        v.Callout("success" if shown else "info" if result.stopped else "warning", text),
        v.Figure(figures.depth_curves(result), key="depth_curves"),
        v.Caption(DEPTH_MEASURE),
        v.Columns(((v.Figure(figures.depth_final(result), key="depth_final"),),
                   (v.Table(rows, key="depth_table"), v.Caption(caption))), widths=(1, 1)),
    ]


def transfer_blocks(result: TransferResult) -> list[v.Block]:
    if result.pretrain is None:
        return [v.Callout("warning", "Stopped during pre-training: nothing to compare yet.")]
    pre = result.pretrain
    metrics = [v.Metric("Pre-training on 0–4 (once)", f"{pre.seconds:.1f} s",
                        f"{pre.source_test_accuracy:.1%} accurate on 0–4",
                        help=f"{pre.images:,} training digits 0–4; accuracy on the test digits 0–4.")]
    t = result.timing
    if t is not None:
        metrics += [
            v.Metric("Precomputed features", f"{t.precomputed_seconds:.2f} s",
                     f"features once: {t.precompute_seconds:.2f} s",
                     help=f"{t.images:,} digits, {t.steps} steps of the softmax layer."),
            v.Metric("Forward pass every step", f"{t.full_pass_seconds:.2f} s",
                     f"{t.speedup:.1f}× slower, {t.saved_seconds:.2f} s more"),
            v.Metric("Same logits either way", f"{t.max_logit_difference:.1g}",
                     "largest difference", help="Between the two ways' logits on the test digits 5–9."),
        ]
    rows = []
    for n in result.settings.sizes:
        row = {"examples per class": n}
        for method, label in METHODS.items():
            accs = result.accuracies(method, n)
            row[label] = (f"{np.mean(accs):.1%} ({min(accs):.0%}–{max(accs):.0%})" if accs else "–")
        rows.append(row)
    return [
        v.Callout("success" if not result.stopped else "info", transfer_verdict(result)),
        v.Figure(figures.transfer_sweep(result), key="tl_sweep"),
        v.Table(tuple(rows), key="tl_table"),
        v.Caption(f"Test accuracy on the {result.n_test} test digits 5–9: the mean over {result.settings.seeds} "
                  "seed(s), in brackets the lowest and highest (the chart's bars). Each seed draws its own labelled "
                  "examples and new layers' weights; every method of a seed sees the same examples and minibatches. "
                  f"Every run trains {result.settings.steps} steps of minibatches of 32: the methods that train more "
                  "layers get more to gain from more steps."),
        v.Metrics(tuple(metrics)),
        v.Caption("The lecture's tip, timed: a softmax layer trained for 10 epochs on the frozen layers' output "
                  "computed once, against the same training with the frozen layers' forward pass at every step "
                  "(each digit through the frozen layers once, instead of once per epoch) — the same logits. "
                  "Measured on a possibly shared CPU."),
    ]


def augment_blocks(result: AugmentResult) -> list[v.Block]:
    rows = tuple({"seed": r.seed, "distortions": "with" if r.distorted else "without",
                  "test accuracy": _pct(r.test_accuracy), "training accuracy": _pct(r.train_accuracy),
                  "train time (s)": round(r.seconds, 1)} for r in result.runs)
    return [
        v.Callout("success" if result.runs else "info", augment_verdict(result)),
        v.Columns(((v.Figure(figures.augment_chart(result), key="aug_chart"),),
                   (v.Table(rows, key="aug_table"),
                    v.Caption(f"{result.n_train} training digits, {result.n_test} test digits. Training accuracy "
                              "(on the undistorted training digits) near 100% both ways: without distortions "
                              "the network memorises the few digits it has."))), widths=(1, 1)),
    ]


def ensemble_blocks(result: EnsembleResult) -> list[v.Block]:
    blocks: list[v.Block] = [v.Callout("success", ensemble_verdict(result)),
                             v.Figure(figures.ensemble_chart(result), key="ens_chart")]
    if result.macs_per_image is not None:
        n = len(result.finished_members)
        blocks.append(v.Metrics((
            v.Metric("Multiply-adds per image, one LeNet-5", num(result.macs_per_image)),
            v.Metric(f"… the ensemble of {n}", num(result.macs_per_image * n), f"× {n}"),
        )))
    return blocks


def multicrop_blocks(result: MultiCropResult) -> list[v.Block]:
    n = len(result.views)
    return [
        v.Callout("info", multicrop_verdict(result)),
        v.Metrics((
            v.Metric("One view (the centre)", _pct(result.single_accuracy)),
            v.Metric(f"Average of {n} views", _pct(result.multi_accuracy),
                     f"{result.multi_accuracy - result.single_accuracy:+.1%}"),
            v.Metric("Cost per test image", f"{n}×", f"{num(result.macs_per_image * n)} multiply-adds"),
            v.Metric("Measured, 1,000 digits", f"{result.seconds_multi * 1000:.0f} ms",
                     f"one view: {result.seconds_single * 1000:.0f} ms"),
        )),
        v.Figure(figures.multicrop_chart(result), key="mc_chart"),
        v.Caption("The lecture's caveat: multi-crop at test time (like ensembling) is a way to win benchmarks and "
                  "competitions; it multiplies the cost of every prediction, so it is rarely used in production."),
    ]
