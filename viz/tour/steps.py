"""The lecture tour as data: one :class:`Step` per point of the CNN case-studies lecture, in its order.

A step is its id (the URL's ``?step=``), a title, two or three plain sentences, at most two
settings (:class:`viz.controls.Control`, most of them the labs' own), the live view that
shows the point (:mod:`viz.tour.live`: the Explorer's and the labs' functions) — whose
``headline`` is the lecture's number, computed live — what that view costs the shared
worker, and the link to the full page with the step's settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from viz import view as v
from viz.augmentation import settings as aug
from viz.blocklab import cost as lab_cost
from viz.blocklab import efficientnet as lab_efficientnet
from viz.blocklab import inception as lab_inception
from viz.blocklab import mobilenet_v2 as lab_mobilenet_v2
from viz.blocklab import one_by_one as lab_one_by_one
from viz.blocklab import residual as lab_residual
from viz.blocklab import separable as lab_separable
from viz.compute import Cost
from viz.controls import Control, resolve
from viz.inside.view import SOURCES, link_of
from viz.tour import live
from viz.tour.links import Link, explorer_link, lab_link, page_link
from viz.trace import trace_cost

Settings = Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """One point of the lecture: what the tour says, shows and links to.

    ``live(settings)`` gets every control's value (by option name) and returns the view;
    its ``headline`` is the step's number. ``cost(settings)``: what that costs, before it
    runs (the worker's budget). ``link(settings)``: the full page with these settings.
    """

    id: str
    title: str
    text: str
    live: Callable[[Settings], v.View]
    link: Callable[[Settings], Link]
    controls: tuple[Control, ...] = ()
    cost: Callable[[Settings], Cost] = lab_cost.no_cost

    def settings(self, given: Settings | None = None) -> dict[str, Any]:
        """``given`` checked against the step's controls, over their defaults (ValueError if not allowed)."""
        return resolve(self.controls, given or {})

    def view(self, given: Settings | None = None) -> v.View:
        return self.live(self.settings(given))

    def headline(self, given: Settings | None = None) -> str:
        """The lecture's number for this step, computed live."""
        return self.view(given).headline


def traces(*names: str, options: Callable[[Settings], dict] = lambda s: {}) -> Callable[[Settings], Cost]:
    """The cost of tracing the zoo networks ``names`` (the Explorer's estimate of each)."""
    def cost(settings: Settings) -> Cost:
        return Cost(macs=sum(trace_cost(n, options(settings)).macs for n in names))
    return cost


def alone(*controls: Control) -> tuple[Control, ...]:
    """A lab's controls on their own: a condition on a setting the step does not show is dropped
    (the Inception lab greys out "#5×5 reduce" while its bottleneck switch is off; the tour has no
    switch, and the lab's default is on; the EfficientNet lab shows φ while "Scale B0 by" says φ)."""
    names = {c.name for c in controls}
    return tuple(replace(c, shown_if=c.shown_if if c.shown_if and c.shown_if[0] in names else None,
                         enabled_if=c.enabled_if if c.enabled_if and c.enabled_if[0] in names else None)
                 for c in controls)


def both(*costs: Callable[[Settings], Cost]) -> Callable[[Settings], Cost]:
    """The cost of a view that does the work of each of ``costs``."""
    return lambda settings: Cost(macs=sum(c(settings).macs for c in costs))


def _aux(settings: Settings) -> dict:
    return {"aux_logits": settings["aux_logits"]}


def _lab(lab: str, controls: tuple[Control, ...]) -> Callable[[Settings], Link]:
    """The Block Lab's ``lab``, opened with the step's settings under the lab's own keys."""
    return lambda settings: lab_link(lab, controls, settings)


def _explorer(network: str, **kw) -> Callable[[Settings], Link]:
    return lambda settings: explorer_link(network, **kw)


STEPS: tuple[Step, ...] = (
    Step("case-studies", "Why look at case studies",
         "A good way to learn how to build convolutional networks is to read ones that worked. An architecture "
         "that does well on one vision task often does well on others. Here are the networks this tour visits, "
         "by their size and their cost per image.",
         live.case_studies, lambda s: explorer_link("vgg16", tab="Compare"), cost=traces(*live.MILESTONES)),
    Step("lenet-5", "LeNet-5 (1998)",
         "LeCun et al.'s network reads 32 × 32 grey digits: two convolution and pooling layers, then fully "
         "connected layers. As you go deeper n_H and n_W shrink while n_C grows — a pattern every later network "
         "keeps. Below, the app's own trained LeNet-5 reads a test digit.",
         live.lenet, lambda s: Link("inside", tuple(link_of(s["style"], SOURCES[0], s["digit"]).items())),
         controls=(live.STYLE, live.DIGIT), cost=traces("lenet5")),
    Step("alexnet", "AlexNet (2012)",
         "Much like LeNet-5 but about a thousand times bigger, with ReLU activations and trained on ImageNet. "
         "It convinced the field that deep learning works for vision.",
         live.alexnet, _explorer("alexnet"), cost=traces("alexnet")),
    Step("vgg-16", "VGG-16 (2015)",
         "Only 3 × 3 convolutions (same padding) and 2 × 2 max-pooling, in a very regular pattern. Each stage "
         "halves n_H and n_W and doubles n_C, up to 512.",
         live.vgg16, _explorer("vgg16"), cost=traces("vgg16")),
    Step("residual-block", "Residual block",
         "A shortcut adds a[l] to the block's output before the last ReLU: a[l+2] = g(z[l+2] + a[l]). If the "
         "block's weights W[l+2] and b[l+2] are 0, it outputs a[l] itself — the identity is easy to learn.",
         live.residual_block, _lab("residual", (lab_residual.ZERO_SECOND, lab_residual.RESIDUAL)),
         controls=(lab_residual.ZERO_SECOND, lab_residual.RESIDUAL), cost=lab_cost.residual_cost),
    Step("why-resnets", "Why ResNets work",
         "In theory a deeper plain network can only do better on its training set; in practice its training "
         "error goes up. Because a residual block can fall back to the identity, adding blocks does not hurt. "
         "The Training Lab trained both kinds on digits, here on this server.",
         live.why_resnets, lambda s: page_link("training", experiment="depth")),
    Step("one-by-one", "1×1 convolutions (network in network)",
         "A 1 × 1 filter spans all n_C channels: at each pixel it is a small fully connected layer. It keeps n_H "
         "and n_W and changes the number of channels — here it shrinks 192 channels to 32.",
         live.one_by_one, _lab("1x1", (lab_one_by_one.FILTERS,)), controls=(lab_one_by_one.FILTERS,),
         cost=lab_cost.one_by_one_cost),
    Step("inception-bottleneck", "Inception: the motivation",
         "A 5 × 5 convolution with 32 filters on 28 × 28 × 192 costs about 120 million multiplies. A 1 × 1 "
         "“bottleneck” down to 16 channels first gives the same output shape for about a tenth of that.",
         live.inception_bottleneck, _lab("inception", (lab_inception.CH5X5RED,)),
         controls=alone(lab_inception.CH5X5RED), cost=lab_cost.inception_cost),
    Step("inception-module", "The inception module",
         "Instead of choosing one filter size, do them all: 1 × 1, 3 × 3 and 5 × 5 convolutions and a max-pool, "
         "side by side, each keeping 28 × 28. Their outputs are stacked along the channels.",
         live.inception_module, _lab("inception", (lab_inception.CH1X1, lab_inception.CH3X3)),
         controls=alone(lab_inception.CH1X1, lab_inception.CH3X3), cost=lab_cost.inception_cost),
    Step("inception-network", "The inception network (GoogLeNet)",
         "GoogLeNet stacks nine inception modules. Side branches take a hidden layer and predict the class from "
         "it during training, which keeps the middle layers' features useful and regularises the network.",
         live.inception_network, lambda s: explorer_link("googlenet", _aux(s)), controls=(live.AUX,),
         cost=traces("googlenet", options=_aux)),
    Step("depthwise-separable", "MobileNet: depthwise-separable convolutions",
         "A normal convolution mixes space and channels at once. A depthwise convolution filters each channel "
         "alone, then a 1 × 1 pointwise convolution mixes them: the same output shape for a fraction of the cost, "
         "1/n_c' + 1/f² of it.",
         live.separable, _lab("separable", (lab_separable.N_C_OUT, lab_separable.F)),
         controls=(lab_separable.N_C_OUT, lab_separable.F), cost=lab_cost.separable_cost),
    Step("mobilenet-v1", "MobileNet v1",
         "MobileNet v1 is one normal convolution followed by a stack of depthwise-separable blocks, then "
         "pooling, a fully connected layer and a softmax. Each block costs about 1/n_c' + 1/9 of a normal 3 × 3 "
         "convolution with the same input and output.",
         live.mobilenet_v1, _explorer("mobilenet_v1", diagram="blocks"), cost=traces("mobilenet_v1")),
    Step("mobilenet-v2", "MobileNet v2: the bottleneck block",
         "Each v2 block expands the channels with a 1 × 1 convolution, filters them with a depthwise "
         "convolution, and projects them back down with another 1 × 1 — with a residual connection around it. "
         "It computes in a large space but passes a small one on.",
         live.mobilenet_v2, _lab("mobilenet_v2", (lab_mobilenet_v2.EXPAND_RATIO,)),
         controls=(lab_mobilenet_v2.EXPAND_RATIO,), cost=both(lab_cost.mobilenet_v2_cost, traces("mobilenet_v2"))),
    Step("efficientnet", "EfficientNet",
         "To make a network bigger or smaller, scale its input resolution r, its depth d and its width w "
         "together. EfficientNet's rule: one number φ sets all three.",
         live.efficientnet, _lab("efficientnet", (lab_efficientnet.PHI,)), controls=alone(lab_efficientnet.PHI),
         cost=lab_cost.no_cost),  # as in the lab: a shapes-only pass on the meta device
    Step("open-source", "Use open-source implementations",
         "These networks are hard to reproduce from the papers alone: start from an author's open-source code, "
         "often with weights already trained. Every network in this app is a short PyTorch file you can read.",
         live.open_source, lambda s: explorer_link(s["network"], tab="Published figures & code"),
         controls=(live.SOURCE,), cost=lambda s: traces(s["network"])(s)),
    Step("transfer-learning", "Transfer learning",
         "Download a network trained on a big data set and keep its layers. With little data, freeze them and "
         "train only a new softmax layer (precompute the frozen layers' output once); with more data, train more "
         "of the layers.",
         live.transfer, lambda s: page_link("training", experiment="transfer")),
    Step("data-augmentation", "Data augmentation",
         "More data almost always helps in vision. Distort each training image at random — mirroring, random "
         "crops, rotation, shearing, local warping, colour shifts — on the fly while the network trains.",
         live.augmentation, lambda s: page_link("augmentation", (aug.SEED,), s),
         controls=(live.DISTORTION, aug.SEED)),
    Step("state-of-vision", "The state of computer vision",
         "With little data, more hand-engineering and transfer learning help most. To win benchmarks, people "
         "average several networks (ensembling) and average 10 crops of each test image — both multiply the "
         "cost of every prediction.",
         live.state_of_vision, lambda s: page_link("augmentation", (aug.COST_CROPS, aug.COST_MODELS), s),
         controls=(aug.COST_CROPS, aug.COST_MODELS), cost=traces("alexnet")),
)

BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
FIRST = STEPS[0].id


def position(step_id: str) -> int:
    return list(BY_ID).index(step_id)


def neighbour(step_id: str, offset: int) -> str:
    """The step ``offset`` steps away (clamped to the first and the last)."""
    return STEPS[min(max(position(step_id) + offset, 0), len(STEPS) - 1)].id
