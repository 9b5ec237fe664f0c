"""Each tour step's live view: the Explorer's, the labs' and the Training Lab's own functions,
called with the step's settings — never copies of them, never a typed-in number.

Every function takes the step's resolved settings (by option name) and returns a
:class:`viz.view.View` whose ``headline`` is the lecture's number, computed here and now.
They run on the shared worker (the page calls them through :func:`viz.compute.run_heavy`),
so none of them calls ``run_heavy`` itself (the worker would wait on itself).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from architectures import NETWORKS
from viz import view as v
from viz.augmentation import settings as aug
from viz.augmentation import view as aug_view
from viz.augmentation.cost import ForwardCost
from viz.blocklab import efficientnet as lab_efficientnet
from viz.blocklab import inception as lab_inception
from viz.blocklab import view as labs
from viz.controls import Control, choice, flag, resolve
from viz.explorer import published, structure
from viz.explorer import view as xv
from viz.explorer.numbers import network_totals
from viz.explorer.state import ExplorerState
from viz.explorer.tracing import explorer_trace
from viz.formatting import approx, num, shape_text
from viz.images import fit_within, load_default
from viz.inside.view import LINK_OPTIONS, STYLE_LABELS, STYLES, lenet_step_view
from viz.training import store
from viz.training import view as training_view
from viz.training.verdicts import augment_verdict, ensemble_verdict, multicrop_verdict, transfer_verdict

Settings = Mapping[str, Any]

# The tour's own settings (the others are the labs' controls, reused by the steps).
STYLE = Control("style", LINK_OPTIONS[0], "radio", labels=tuple(STYLE_LABELS[s] for s in STYLES))
DIGIT = Control("digit", LINK_OPTIONS[1], "number")  # Inside LeNet-5's own URL keys: its link opens the same digit
AUX = flag("aux_logits", "aux_logits", "Side classifiers (training only)", True)
SOURCE = choice("net", "network", "Network", tuple(NETWORKS), "resnet50", widget="select",
                labels=tuple(spec.title for spec in NETWORKS.values()))
# The data-augmentation step's one choice: which of the Augmentation Lab's distortions to sample.
DISTORTION = choice("distortion", "distortion", "Distortion", tuple(aug_view.DISTORTION_SECTIONS), "random crop",
                    widget="select", labels=tuple(s.title for s in aug_view.DISTORTION_SECTIONS.values()))

# The networks the first step compares: the lecture's milestones, in its order.
MILESTONES = ("lenet5", "alexnet", "vgg16", "resnet50", "googlenet", "mobilenet_v2", "efficientnet_b0")


@functools.lru_cache(maxsize=16)
def traced(name: str, options: tuple[tuple[str, Any], ...] = ()):
    """The Explorer's trace of zoo network ``name`` (with its side branches) at its default size."""
    return explorer_trace(name, dict(options), NETWORKS[name].input_size)


def _picked(view: v.View, *keys: str) -> tuple[v.Block, ...]:
    """The blocks of ``view`` that are figures with one of ``keys`` (a lab's chart without the rest)."""
    return tuple(b for b in view.blocks if isinstance(b, v.Figure) and b.key in keys)


def _explorer(name: str, options: Settings | None = None, *, picture: str = "diagram",
              level: str = "stages") -> tuple[v.View, Any]:
    """The Explorer's headline metrics and its diagram (or channel-growth chart) of ``name``, and the trace."""
    options = dict(options or {})
    spec, result = NETWORKS[name], traced(name, tuple(sorted(options.items())))
    head = xv.headline_view(spec, result, ExplorerState(network=name, options=options))
    if picture == "growth":
        shown = xv.charts_view(spec, result, "MACs").blocks[:1]  # channel growth; the cost chart stays in the Explorer
    else:
        shown = tuple(b for b in xv.diagram_view(spec, result, options, "MACs", level).blocks
                      if isinstance(b, v.Responsive))
    return v.View(head.blocks + shown, headline=head.headline), result


def _stored_missing(what: str) -> v.View:
    """A Training Lab result that is not stored (yet): what the step will show once it is."""
    return v.View((v.Callout("info", f"This step will show {what}, from the Training Lab's stored run, once it "
                                     "is stored (`python -m viz.training precompute`)."),),
                  headline="the stored run is not there yet")


# ---------------------------------------------------------------- the steps' views, in the lecture's order


def case_studies(settings: Settings) -> v.View:
    """The zoo's milestones on one chart: parameters against multiply-adds (the Explorer's Compare)."""
    names = [n for n in MILESTONES if n in NETWORKS]
    points = [network_totals(NETWORKS[n], traced(n)) for n in names]
    years = sorted(int(y) for n in names for y in re.findall(r"\b(?:19|20)\d\d\b", NETWORKS[n].paper)[:1])
    compare = xv.compare_view(points, [], ExplorerState(network=""))  # no network singled out
    return v.View(compare.blocks[:1], headline=f"{len(names)} networks the lecture studies, {years[0]}–{years[-1]}: "
                                               f"{approx_range(points)}")


def approx_range(points) -> str:
    """"61.7K to 138M parameters" over ``points``."""
    params = sorted(p["params"] for p in points)
    return f"{approx(params[0])} to {approx(params[-1])} parameters"


def lenet(settings: Settings) -> v.View:
    """LeNet-5's parameters (the Explorer's headline) and the trained network reading a test digit."""
    explorer, _ = _explorer("lenet5")
    trained = lenet_step_view(settings["style"], settings["digit"])
    return v.View(explorer.blocks[:1] + trained.blocks, headline=f"{explorer.headline} · {trained.headline}")


def alexnet(settings: Settings) -> v.View:
    view, _ = _explorer("alexnet")
    return view


def vgg16(settings: Settings) -> v.View:
    """VGG-16's parameters and its channel growth: n_H, n_W halve while n_C doubles."""
    view, result = _explorer("vgg16", picture="growth")
    convs = [g for g in structure.group_records(result, 0) if g.name.startswith("block")] or \
        structure.group_records(result, 0)
    sides = " → ".join(str(g.output_shape[-1]) for g in convs)
    channels = " → ".join(str(g.output_shape[1]) for g in convs)
    return v.View(view.blocks, headline=f"{view.headline}; n_H, n_W {result.input_size[-1]} → {sides} "
                                        f"while n_C {channels}")


def residual_block(settings: Settings) -> v.View:
    return labs.residual_view(settings)


def why_resnets(settings: Settings) -> v.View:
    """The Training Lab's stored run: plain networks' training error grows with depth, ResNets' does not."""
    result = store.load_stored("depth")
    if result is None:
        return _stored_missing("plain and residual networks of growing depth trained on the digits")
    plain, res = result.of_kind(False), result.of_kind(True)
    if len(plain) < 2 or len(res) < 2:
        return _stored_missing("at least two depths of plain and residual networks")
    d0, d1 = plain[0].depth, plain[-1].depth

    def error(run) -> str:  # the training error the Training Lab's table shows (eval mode, last checkpoint)
        return "–" if run.train_error is None else f"{run.train_error:.1%}"

    headline = (f"training error, {d0} → {d1} layers: plain {error(plain[0])} → {error(plain[-1])}, "
                f"ResNet {error(res[0])} → {error(res[-1])}")
    blocks = training_view.result_view(result, "stored").blocks
    return v.View(tuple(b for b in blocks if isinstance(b, (v.Callout, v.Figure)))[:2], headline=headline)


def one_by_one(settings: Settings) -> v.View:
    return labs.channels_view(settings)


def inception_bottleneck(settings: Settings) -> v.View:
    view = labs.inception_view(settings)
    return v.View(view.lead[1:] + _picked(view, "bl_saving"), headline=view.headline, lead=view.lead[:1])


def inception_module(settings: Settings) -> v.View:
    """The module's four branches stacked: 64 + 128 + 32 + 32 = 256 channels at 28 × 28."""
    view = labs.inception_view(settings)
    if view.headline == "":  # a setting no module can have: the lab's error callout
        return view
    result = lab_inception.inception(**resolve(lab_inception.CONTROLS, settings), real=False)
    channels = " + ".join(str(shape[0]) for _, shape in result.branch_outputs)
    return v.View(_picked(view, "bl_inception_diagram"),
                  headline=f"{shape_text(result.input_shape)} → {shape_text(result.output_shape)} "
                           f"({channels} channels)")


def inception_network(settings: Settings) -> v.View:
    """GoogLeNet with its side classifiers: the Explorer's diagram draws them off the main path."""
    options = {"aux_logits": settings["aux_logits"]}
    view, result = _explorer("googlenet", options)
    sides = result.extra.get("side_branches", ())
    if not sides:
        return v.View(view.blocks, headline=f"{view.headline}; no side classifiers (switched off)")
    where = " and ".join(s.attach for s in sides)
    extra = sum(s.group.params for s in sides)
    return v.View(view.blocks, headline=f"{len(sides)} side classifiers, on {where}: {num(extra)} parameters "
                                        "used only in training")


def separable(settings: Settings) -> v.View:
    view = labs.separable_view(settings)
    return v.View(_picked(view, "bl_ratio"), headline=view.headline, lead=view.lead)


def _count(result, layer_type: str) -> int:
    return sum(1 for r in result.records if r.layer_type == layer_type)


def mobilenet_v1(settings: Settings) -> v.View:
    view, result = _explorer("mobilenet_v1", level="blocks")
    return v.View(view.blocks, headline=f"{_count(result, 'DepthwiseSeparable')} depthwise-separable blocks · "
                                        f"{view.headline}")


def mobilenet_v2(settings: Settings) -> v.View:
    """The v2 bottleneck (the lab's view) and how many of them MobileNet v2 stacks (the zoo's trace)."""
    lab = labs.mobilenet_v2_view(settings)
    blocks = _count(traced("mobilenet_v2"), "InvertedResidual")
    chain = tuple(b for b in lab.blocks if isinstance(b, (v.Heading, v.Caption)))[:2]  # shapes, then what made them
    return v.View(chain + _picked(lab, "bl_mobilenet_cost"),
                  headline=f"{blocks} bottleneck blocks: expansion → depthwise → projection", lead=lab.lead)


def efficientnet(settings: Settings) -> v.View:
    view = labs.efficientnet_view({"mode": lab_efficientnet.MODES[0], **settings})
    return v.View(_picked(view, "bl_efficientnet"), headline=view.headline, lead=view.lead)


def open_source(settings: Settings) -> v.View:
    """The zoo's own PyTorch source of a network, and where to get it with ImageNet weights."""
    name = settings["network"]
    spec = NETWORKS[name]
    path, source = published.module_source(name)
    lines = source.count("\n") + 1
    result = traced(name)
    rows = published.published_rows(spec, result.total_params, result.total_macs, "MACs")
    return v.View((
        v.Text(published.pretrained_note(spec)),
        v.Table(tuple(rows), static=True),
        v.Expander(f"{path}: the source of {spec.title} ({lines} lines)", (v.Code(source, line_numbers=True),)),
    ), headline=f"{spec.title} in {lines} lines of PyTorch ({path}): {num(result.total_params)} parameters")


def transfer(settings: Settings) -> v.View:
    result = store.load_stored("transfer")
    if result is None or not result.points:
        return _stored_missing("a network pre-trained on five digits learning the other five from a few images")
    blocks = training_view.result_view(result, "stored").blocks
    return v.View(tuple(b for b in blocks if isinstance(b, (v.Figure, v.Metrics)))[:2],
                  headline=transfer_verdict(result))


@functools.lru_cache(maxsize=1)
def _photo():
    """The Augmentation Lab's default photograph: (as loaded, the working copy its previews use)."""
    pixels = load_default().pixels
    return pixels, fit_within(pixels, aug_view.P.PREVIEW_SIDE)


def augmentation(settings: Settings) -> v.View:
    """Nine random samples of one of the lecture's distortions of the bundled photograph."""
    kind = settings["distortion"]
    shown = aug_view.distortion_view(_photo()[1], aug.make_step(kind), settings["seed"])
    kinds = tuple(aug_view.DISTORTION_SECTIONS)
    measured = _stored_said("augment", augment_verdict, "whether these distortions help LeNet-5 learn from few digits")
    return v.View((*shown.main, v.Callout("info", f"**Measured on the digits:** {measured}")),
                  headline=f"{len(kinds)} distortions ({', '.join(kinds)}): 9 random samples of "
                                       f"{aug_view.DISTORTION_SECTIONS[kind].title.lower()}")


def _stored_said(experiment: str, verdict, what: str) -> str:
    """The verdict on the Training Lab's stored ``experiment`` run, or what it will say once stored."""
    result = store.load_stored(experiment)
    if result is None:
        return f"The Training Lab's stored run is not there yet: this step will say {what}."
    return verdict(result)


def state_of_vision(settings: Settings) -> v.View:
    """10 crops and an ensemble at test time: what they multiply the cost by; the stored ensemble's verdict."""
    name = "alexnet"
    result = traced(name)
    forward = ForwardCost(name, int(result.total_macs), tuple(result.input_size))
    cost = aug_view.cost_view(forward, settings["cost_crops"], settings["cost_models"])
    said = _stored_said("ensemble", ensemble_verdict, "what averaging k networks bought on the digits")
    crops = _stored_said("multicrop", multicrop_verdict, "what averaging shifted views of each digit bought")
    ten = aug_view.ten_crop_view(_photo()[0], aug.TENCROP_SIZE.default).blocks[-1:]
    return v.View((v.Callout("info", f"**Ensembling, trained here:** {said}\n\n**Multi-crop on the trained "
                                     f"LeNet-5:** {crops}"), *ten,
                   *(b for b in cost.blocks if isinstance(b, v.Text)), *_picked(cost, "cost_chart")),
                  headline=cost.headline)
