"""What the Training Lab page shows, as :mod:`viz.view` blocks: one view function per section.

The page reads its widgets, picks the result to show (stored, cached, trained
live, or the partial one of a stopped run) and hands it here; every sentence,
number, table row and figure on the page comes from these functions.
"""

from __future__ import annotations

from typing import Literal

from viz import view as v
from viz.formatting import shape_text, user_value
from viz.training import figures
from viz.training.data import DESCRIPTION, TRAIN_SIZE
from viz.training.freeze import CutPoint, freeze_plan
from viz.training.progress import Progress
from viz.training.results import DepthResult, EnsembleResult, Result, TransferResult
from viz.training.settings import EnsembleSettings, TransferSettings
from viz.training.verdicts import depth_verdict, ensemble_verdict, transfer_verdict

Source = Literal["stored", "cached", "live", "partial"]

TITLES = {"depth": "Plain vs ResNet", "transfer": "Transfer learning", "ensemble": "Ensembling"}
ESTIMATES = {"depth": "about a minute at the defaults on 2 cores",
             "transfer": "about half a minute at the defaults", "ensemble": "about half a minute at the defaults"}
CURVES = {"training error": "error", "training loss": "loss"}  # the depth chart's choice of curve
PAGE_CAPTION = f"Small, real training runs on this server's CPU, on {DESCRIPTION}. Same seed, same result."
FREEZE_TITLE = "Freeze planner — any network of the zoo"


def human_bytes(n: float) -> str:
    """``3200 -> "3.2 KB"`` (1 KB = 1000 bytes)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} TB"


def _intro_depth() -> str:
    return ("He et al. (2016, §4.2, Fig. 6) trained *plain* networks — stacked 3×3 convolutions with batch "
            "norm — and the same networks with *shortcuts* (ResNets), at 20 to 110 layers. The deeper plain "
            "nets had **higher training error**: not overfitting, an optimisation problem. With "
            "shortcuts, deeper stayed better. Here: the same `6n + 2`-layer design on the digits, every "
            "net trained with the same SGD (momentum 0.9, weight decay 1e-4), learning rate, minibatches "
            "and seed, taking turns one step each.")


def _intro_transfer() -> str:
    d = TransferSettings()
    return (f"A {d.depth}-layer ResNet is pre-trained on the digits **0–4**; then it must learn **5–9** from a "
            "few labelled images per class, three ways: **from scratch** (random weights, all layers "
            "trained); **frozen backbone**: keep every pre-trained layer, train only a new softmax layer "
            "— on features *precomputed once* and reused at every step, the lecture's speed trick (timed "
            "against the same training with the frozen forward pass at every step); and **fine-tuning** "
            "the last stage and the softmax layer with a small learning rate.")


def _intro_ensemble() -> str:
    d = EnsembleSettings()
    return (f"Train **k** copies of an {d.depth}-layer ResNet on the same {d.train_size} training images, each "
            "from its own random seed (its own initial weights and minibatch order), then average their "
            "predicted probabilities. Each network's mistakes are partly its own, so the average is often "
            "right where some members are wrong — at **k times the prediction cost**.")


_INTROS = {"depth": _intro_depth, "transfer": _intro_transfer, "ensemble": _intro_ensemble}


def intro(name: str) -> v.View:
    """The paragraph above an experiment's settings."""
    return v.View((v.Text(_INTROS[name]()),))


def unknown_in_link(what: str, value: str, allowed) -> v.View:
    """A link's value the page does not know, quoted as code (user text is never markup)."""
    return v.View((v.Callout("error", f"Unknown {what} {user_value(value)} in the link; "
                                      f"choose one of: {', '.join(allowed)}.",
                             icon=":material/error:"),))


def bad_settings(err: ValueError) -> v.View:
    return v.View((v.Callout("error", f"Can't train with these settings: {err}", icon=":material/error:"),))


def busy(err: Exception) -> v.View:
    return v.View((v.Callout("warning", str(err), icon=":material/hourglass_top:"),))


def train_help(name: str, available: bool) -> str:
    return "Already computed for these settings" if available else ESTIMATES[name]


def progress_text(event: Progress, seconds: float) -> str:
    return f"{event.stage}: step {event.step} of {event.total} ({seconds:.0f} s)"


def not_trained(name: str, has_default: bool) -> v.View:
    """No result for these settings yet: say how to get one (and that the defaults' run follows)."""
    text = (f"Not trained yet with these settings — press **Train** ({ESTIMATES[name]}). "
            + ("Below: the stored run with the default settings." if has_default else ""))
    return v.View((v.Callout("info", text, icon=":material/info:"),))


def _status(result: Result, source: Source) -> list[v.Block]:
    """Where this result comes from, and whether it is complete."""
    if source == "partial":
        return [v.Callout("warning", "Stopped before the end: these are the partial results. "
                          "Press Train to run again.", icon=":material/stop_circle:")]
    blocks: list[v.Block] = []
    if result.stopped:
        blocks.append(v.Callout("warning", "This run was stopped before the end; partial results."))
    if source == "stored":
        blocks += [v.Caption("Precomputed results for the default settings — shown instantly. Change a setting "
                             "and press Train to run your own."),
                   v.for_developers(v.Caption("The stored runs are made by `python -m viz.training precompute` "
                                              "(viz/training/store.py)."))]
    elif source == "cached":
        blocks.append(v.Caption("Results of an earlier run with these settings on this server "
                                "(cached; not retrained)."))
    elif source == "live":
        blocks.append(v.Caption(f"Trained just now in {result.seconds or 0:.1f} s of compute."))
    return blocks


def result_view(result: Result, source: Source, curve: str = "error") -> v.View:
    """A result as the page shows it: where it comes from, then the experiment's own blocks."""
    if isinstance(result, DepthResult):
        body = _depth_blocks(result, curve)
    elif isinstance(result, TransferResult):
        body = _transfer_blocks(result)
    else:
        body = _ensemble_blocks(result)
    return v.View(tuple(_status(result, source) + body))


def live_view(result: Result, key: str, curve: str = "error") -> v.View:
    """The chart that fills in while a run trains (``key`` is new at every redraw)."""
    if isinstance(result, DepthResult):
        return v.View((v.Figure(figures.depth_curves(result, curve), key=f"depth_curves_{key}"),))
    if isinstance(result, TransferResult):
        return v.View((v.Figure(figures.transfer_bars(result), key=f"tl_bars_{key}"),) if result.methods else ())
    if result.finished_members:
        return v.View((v.Figure(figures.ensemble_chart(result), key=f"ens_chart_{key}"),))
    return v.View(())


# --------------------------------------------------------------------------- plain vs residual


def _depth_blocks(result: DepthResult, curve: str) -> list[v.Block]:
    shown, text = depth_verdict(result)
    rows = tuple({
        "network": r.name,
        "parameters": r.params,
        "training error": f"{r.final_error:.1%}",
        "test error": f"{r.test_error:.1%}" if r.test_error is not None else "–",
        "train time (s)": round(r.seconds, 1),
    } for r in sorted(result.runs, key=lambda r: (r.residual, r.depth)))
    caption = (f"Training error: whole training set ({TRAIN_SIZE:,} images) at the end, batch norm in "
               "evaluation mode (a stopped run: mean of its last 20 minibatches). The residual nets have a few "
               "more parameters: the 1×1 projections W_s where a stage changes size (the paper's option B). "
               "Train times are this run's, on a possibly shared CPU.")
    return [
        v.Callout("success" if shown else "info" if result.stopped else "warning", text),
        v.Figure(figures.depth_curves(result, curve), key="depth_curves"),
        v.Columns(((v.Figure(figures.depth_final(result), key="depth_final"),),
                   (v.Table(rows, key="depth_table"), v.Caption(caption))), widths=(1, 1)),
    ]


# --------------------------------------------------------------------------- transfer learning


def _transfer_blocks(result: TransferResult) -> list[v.Block]:
    if not result.methods:
        return [v.Callout("warning", "Stopped during pre-training: nothing to compare yet.")]
    pre = result.pretrain
    metrics = [v.Metric("Pre-training (once, 0–4)", f"{pre.seconds:.1f} s",
                        f"{pre.source_test_accuracy:.1%} test accuracy on 0–4")]
    frozen, full = result.method("frozen"), result.method("frozen_full")
    if result.time_saved_seconds is not None:
        metrics += [
            v.Metric("Time saved by precomputing", f"{result.time_saved_seconds:.2f} s",
                     f"{full.seconds / max(frozen.seconds, 1e-9):.0f}× faster"),
            v.Metric("Same accuracy either way", f"{frozen.test_accuracy:.1%}",
                     f"{full.test_accuracy:.1%} forward pass each step"),
            v.Metric("Precomputed features", human_bytes(frozen.feature_bytes),
                     f"{result.n_train} images × {frozen.feature_shape[0]} values"),
        ]
    rows = tuple({"method": m.label, "test accuracy": f"{m.test_accuracy:.1%}",
                  "trainable parameters": m.trainable_params, "of": m.params,
                  "wall time (s)": round(m.seconds, 2)} for m in result.methods)
    return [
        v.Callout("success", transfer_verdict(result)),
        v.Figure(figures.transfer_bars(result), key="tl_bars"),
        v.Metrics(tuple(metrics), widths=(1, 1, 1, 1)),
        v.Figure(figures.transfer_losses(result), key="tl_losses"),
        v.Table(rows, key="tl_table"),
        v.Caption(f"{result.n_train} labelled training images, {result.n_test} test images of 5–9. "
                  "Wall times: training only (the frozen method's includes computing the features); "
                  "pre-training is shared and not included. Measured on a shared CPU: times are noisy."),
        v.Caption("Honest caveat: with so few labelled images the ranking of the three methods is fragile — "
                  "the same settings computed with a different number of CPU threads (tiny floating-point "
                  "differences) have put fine-tuning or training from scratch first, a few points apart. "
                  "Features learned from ~600 images of five other digits are not the general features an "
                  "ImageNet-trained network offers, which is the case the lecture's advice is about; the "
                  "speed of the precomputed-feature path, by contrast, holds every time. Try other seeds."),
    ]


def freeze_intro() -> v.View:
    return v.View((v.Heading(FREEZE_TITLE, 3),
                   v.Text("Freeze a network up to a layer: those weights stay fixed, so their output for your "
                          "training images can be **computed once and saved to disk**; only the layers after "
                          "it train.")))


def cut_label(point: CutPoint) -> str:
    """How the planner's list names a place to cut."""
    return f"{point.name} ({point.layer_type}) → {shape_text(point.output_shape)}"


def freeze_view(network: str, cut: str, n_images: int) -> v.View:
    """The freeze plan's numbers and its bar, or what is wrong with the request."""
    try:
        plan = freeze_plan(network, cut, n_images)
    except ValueError as err:
        return freeze_error(err)
    share = lambda n: f"{n / plan.total_params:.1%}"  # noqa: E731
    return v.View((
        v.Metrics((
            v.Metric("Frozen parameters", f"{plan.frozen_params:,}", share(plan.frozen_params)),
            v.Metric("Trainable parameters", f"{plan.trainable_params:,}", share(plan.trainable_params)),
            v.Metric("Feature per image", shape_text(plan.feature_shape), f"{plan.feature_values:,} values"),
            v.Metric(f"Features for {plan.n_images:,} images", human_bytes(plan.feature_bytes), "float32"),
        )),
        v.Figure(figures.freeze_chart(plan.frozen_params, plan.trainable_params), key="fp_chart"),
    ))


def freeze_error(err: ValueError) -> v.View:
    return v.View((v.Callout("error", str(err), icon=":material/error:"),))


# --------------------------------------------------------------------------- ensembling


def _ensemble_blocks(result: EnsembleResult) -> list[v.Block]:
    blocks: list[v.Block] = [v.Callout("success", ensemble_verdict(result)),
                             v.Figure(figures.ensemble_chart(result), key="ens_chart")]
    if result.macs_per_image is not None:
        n = len(result.finished_members)
        blocks.append(v.Metrics((
            v.Metric("Multiply-adds per image, one network", f"{result.macs_per_image:,}"),
            v.Metric(f"… the ensemble of {n}", f"{result.ensemble_macs_per_image:,}", f"× {n}"),
            v.Metric(f"Predicting {result.n_test} test images", f"{result.predict_seconds_all * 1000:.0f} ms",
                     f"one network: {result.predict_seconds_one * 1000:.0f} ms"),
        )))
    return blocks
