"""What the Training Lab page shows, as :mod:`viz.view` blocks.

The page reads its widgets, picks the result to show (stored, cached, trained live, or the
partial one of a stopped run) and hands it here; every sentence, number, table row and figure
on the page comes from these functions (each experiment's own blocks: :mod:`.sections`).
"""

from __future__ import annotations

from typing import Literal

from viz import view as v
from viz.formatting import shape_text, user_value
from viz.training import figures, sections
from viz.training.data import DESCRIPTION
from viz.training.experiments import EXPERIMENTS
from viz.training.freeze import freeze_plan
from viz.training.progress import Progress
from viz.training.results import (
    AugmentResult,
    DepthResult,
    EnsembleResult,
    MultiCropResult,
    Result,
    TransferResult,
)

Source = Literal["stored", "cached", "live", "partial"]

TITLES = {"depth": "Plain vs ResNet", "transfer": "Transfer learning", "augment": "Augmentation",
          "ensemble": "Ensembling", "multicrop": "Multi-crop"}
ESTIMATES = {"depth": "about a minute on one core", "transfer": "about a minute on one core",
             "augment": "about half a minute", "ensemble": "about 20 s", "multicrop": "about a second"}
PAGE_CAPTION = f"Small, real training runs on this server's CPU, on {DESCRIPTION}. Same seed, same result."
FREEZE_TITLE = "Freeze planner — any network of the zoo"

INTROS = {
    "depth": ("He et al. (2016, §4.2, Fig. 6) trained *plain* networks — stacked 3×3 convolutions with batch norm — "
              "and the same networks with *shortcuts* (ResNets), at 20 to 110 layers. The deeper plain nets had "
              "**higher training error**: not overfitting, an optimisation problem. With shortcuts, deeper stayed "
              "better. Here: the same `6n + 2`-layer design on the MNIST digits averaged down to 14×14 (a quarter "
              "of the cost of 28×28, so 56 layers train in seconds), every net trained with the same SGD "
              "(momentum 0.9, weight decay 1e-4, the learning rate divided by 10 at ½ and ¾ of the steps as in "
              "§4.2), minibatches and seed, taking turns one step each."),
    "transfer": ("LeNet-5 is pre-trained on the digits **0–4**; then it must learn **5–9** from 1 to 400 labelled "
                 "examples per class, four ways: **from scratch**; **frozen + precomputed features** (keep the "
                 "pre-trained convolutions c1…s4, compute their output once, train only a new softmax layer on "
                 "it); **fine-tune the last stage** (c5 and f6, at a small learning rate, under a new softmax); "
                 "**fine-tune all** (every layer, the pre-trained ones at a small learning rate). The lecture: the "
                 "less labelled data, the more to freeze. The cut is below c5: trained on five classes, LeNet-5's "
                 "fully connected layers are specific to them (Yosinski et al. 2014: the higher a layer, the more "
                 "specific its features)."),
    "augment": ("The lecture: data augmentation helps most when data is scarce. LeNet-5 learns from a few digits "
                "of each class, once as they are and once with the Augmentation Lab's own distortions applied "
                "afresh to every minibatch — a random crop (≥ 80% of the area), rotation (±10°), shearing (±10°) "
                "and local warping. **No mirroring**: a mirrored 2, 3, 7 or 9 is no digit, so it would teach "
                "wrong shapes. Same seed, same initial weights and minibatches either way."),
    "ensemble": ("Train **k** LeNet-5s on the same training digits, each from its own random seed (its own initial "
                 "weights and minibatch order), then average their predicted probabilities. Each network's "
                 "mistakes are partly its own, so the average is often right where some members are wrong — at "
                 "**k times the multiply-adds** of every prediction."),
    "multicrop": ("Multi-crop at test time: the lecture's 10-crop takes the centre and the 4 corners of a test image "
                  "and of its mirror, and averages the predictions. Digits are not mirrored, so here: the trained "
                  "LeNet-5 of *Inside LeNet-5* on the centre and 4 corner crops of each test digit padded by s "
                  "pixels (or all 9 shifts), its probabilities averaged."),
}


def intro(name: str) -> v.View:
    """The paragraph above an experiment's settings."""
    return v.View((v.Text(INTROS[name]),))


def unknown_in_link(what: str, value: str, allowed) -> v.View:
    """A link's value the page does not know, quoted as code (user text is never markup)."""
    return v.View((v.Callout("error", f"Unknown {what} {user_value(value)} in the link; "
                                      f"choose one of: {', '.join(allowed)}.",
                             icon=":material/error:"),))


def settings_from(name: str, values: dict):
    """The experiment's settings from its widgets' values (``ValueError`` saying what is wrong)."""
    return EXPERIMENTS[name].settings(**values).validated()


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
        made = result.computed_with
        took = f" (computed in {made.wall_seconds:.0f} s, {made.threads} thread(s))" if made else ""
        blocks += [v.Caption(f"Precomputed results for the default settings{took} — shown instantly. Change a "
                             "setting and press Train to run your own."),
                   v.for_developers(v.Caption("The stored runs are made by `python -m viz.training precompute` "
                                              "(viz/training/store.py)."))]
    elif source == "cached":
        blocks.append(v.Caption("Results of an earlier run with these settings on this server "
                                "(cached; not retrained)."))
    elif source == "live":
        blocks.append(v.Caption(f"Trained just now in {result.seconds or 0:.1f} s of compute."))
    return blocks


_BLOCKS = {DepthResult: sections.depth_blocks, TransferResult: sections.transfer_blocks,
           AugmentResult: sections.augment_blocks, EnsembleResult: sections.ensemble_blocks,
           MultiCropResult: sections.multicrop_blocks}


def result_view(result: Result, source: Source) -> v.View:
    """A result as the page shows it: where it comes from, then the experiment's own blocks."""
    return v.View(tuple(_status(result, source) + _BLOCKS[type(result)](result)))


def live_view(result: Result, key: str) -> v.View:
    """The chart that fills in while a run trains (``key`` is new at every redraw)."""
    if isinstance(result, DepthResult) and result.runs and result.runs[0].error:
        return v.View((v.Figure(figures.depth_curves(result), key=f"depth_curves_{key}"),))
    if isinstance(result, TransferResult) and result.points:
        return v.View((v.Figure(figures.transfer_sweep(result), key=f"tl_sweep_{key}"),))
    if isinstance(result, AugmentResult) and result.runs:
        return v.View((v.Figure(figures.augment_chart(result), key=f"aug_chart_{key}"),))
    if isinstance(result, EnsembleResult) and result.finished_members:
        return v.View((v.Figure(figures.ensemble_chart(result), key=f"ens_chart_{key}"),))
    return v.View(())


# --------------------------------------------------------------------------- the freeze planner


def human_bytes(n: float) -> str:
    """``3200 -> "3.2 KB"`` (1 KB = 1000 bytes)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} TB"


def freeze_intro() -> v.View:
    return v.View((v.Heading(FREEZE_TITLE, 3),
                   v.Text("Freeze a network up to a layer: those weights stay fixed, so their output for your "
                          "training images can be **computed once and saved to disk**; only the layers after "
                          "it train.")))


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
