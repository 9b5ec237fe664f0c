"""GoogLeNet (Inception v1).

Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich,
"Going Deeper with Convolutions", CVPR 2015. The network is Table 1 of the paper,
written below as ``INCEPTION_TABLE`` with the table's own columns.

Faithful to the paper, not to torchvision:

- the ``#5×5`` branch is a real 5×5 convolution. torchvision's ``googlenet`` uses a
  3×3 there (pytorch/vision#906), which is why it has 6,624,904 parameters;
- the stem has the paper's two Local Response Normalizations (``lrn`` option) and
  no batch norm (``batch_norm`` option adds it after every convolution, as
  torchvision does);
- initialisation is PyTorch's default: the paper states none (§6 gives only the
  optimiser, asynchronous SGD with momentum 0.9); torchvision draws from a normal of
  standard deviation 0.01. Shapes and counts don't depend on it;
- the auxiliary classifiers (``aux_logits`` option) follow §5: 5×5/3 average pool,
  1×1 convolution with 128 filters + ReLU, FC 1024 + ReLU, dropout 70 %, FC 1000,
  attached to the outputs of inception (4a) and (4d).

How the auxiliary classifiers run: as in the paper, they are a training device
"discarded at inference time". They run only in training mode, where ``forward``
returns ``GoogLeNetOutputs(logits, aux1, aux2)``; in eval mode ``forward`` returns
the main logits alone and never calls them. So a tracer (which runs in eval mode)
counts their parameters (they are part of the model) but not their cost.

Convention of the zoo: the model's top-level children are its stages, in forward
order. The one exception is the last child, ``aux``, which holds the side
classifiers (only present with ``aux_logits=True``, only called in training).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import torch
from torch import nn

from architectures.blocks import ConvBNAct, InceptionModule
from architectures.registry import NetworkSpec, Option

# Table 1 of Szegedy et al. 2015, the inception rows:
# name: (input channels, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj).
# Output channels = #1×1 + #3×3 + #5×5 + pool proj (e.g. 3a: 64 + 128 + 32 + 32 = 256).
INCEPTION_TABLE: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}

# Where Table 1 puts its 3×3/2 max-pools between inception modules.
POOL_AFTER = {"inception3b": "pool3", "inception4e": "pool4"}

# §5: the side classifiers sit on top of (4a) and (4d).
AUX_AFTER = {"inception4a": "aux1", "inception4d": "aux2"}


class GoogLeNetOutputs(NamedTuple):
    """Training-mode output with ``aux_logits=True``: main logits and the two side classifiers'."""

    logits: torch.Tensor
    aux1: torch.Tensor
    aux2: torch.Tensor


def _max_pool() -> nn.MaxPool2d:
    # 3×3/2 with ceil mode (as in the original Caffe model): 112 → 56 → 28 → 14 → 7.
    return nn.MaxPool2d(3, stride=2, ceil_mode=True)


def _lrn() -> nn.LocalResponseNorm:
    # The original model's LRN: size 5, α = 1e-4, β = 0.75 (no parameters).
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)


class AuxClassifier(nn.Sequential):
    """Szegedy et al. 2015, §5: a side classifier on an intermediate inception output.

    5×5/3 average pool (14×14 → 4×4) → 1×1 conv, 128 filters, ReLU → FC 1024, ReLU
    → dropout 70 % → FC 1000 (linear; softmax is in the loss).
    """

    def __init__(self, in_channels: int, num_classes: int = 1000, batch_norm: bool = False):
        super().__init__(OrderedDict(
            pool=nn.AvgPool2d(5, stride=3),  # 14×14 → 4×4 (at the paper's 224×224 input)
            conv=ConvBNAct(in_channels, 128, 1, bn=batch_norm),
            flatten=nn.Flatten(),
            fc1=nn.Linear(128 * 4 * 4, 1024),
            act=nn.ReLU(),
            dropout=nn.Dropout(0.7),
            fc2=nn.Linear(1024, num_classes),
        ))


class GoogLeNet(nn.Sequential):
    """GoogLeNet, Szegedy et al. 2015, Table 1 (224×224×3 → 1000 classes).

    Stages: ``stem``, ``inception3a``, ``inception3b``, ``pool3``, ``inception4a`` …
    ``inception4e``, ``pool4``, ``inception5a``, ``inception5b``, ``head``; plus
    ``aux`` (the side classifiers, training only) when ``aux_logits``.
    """

    def __init__(self, aux_logits: bool = False, lrn: bool = True, batch_norm: bool = False,
                 num_classes: int = 1000):
        bn = batch_norm
        stem = OrderedDict()
        stem["conv1"] = ConvBNAct(3, 64, 7, stride=2, bn=bn)        # 7×7/2: 112×112×64
        stem["pool1"] = _max_pool()                                 # 3×3/2: 56×56×64
        if lrn:
            stem["lrn1"] = _lrn()
        stem["conv2_reduce"] = ConvBNAct(64, 64, 1, bn=bn)          # "#3×3 reduce" 64
        stem["conv2"] = ConvBNAct(64, 192, 3, bn=bn)                # 3×3/1: 56×56×192
        if lrn:
            stem["lrn2"] = _lrn()
        stem["pool2"] = _max_pool()                                 # 3×3/2: 28×28×192

        stages: OrderedDict[str, nn.Module] = OrderedDict(stem=nn.Sequential(stem))
        for name, row in INCEPTION_TABLE.items():
            stages[name] = InceptionModule(*row, bn=bn)
            if name in POOL_AFTER:
                stages[POOL_AFTER[name]] = _max_pool()
        stages["head"] = nn.Sequential(OrderedDict(
            pool=nn.AdaptiveAvgPool2d(1),  # Table 1: avg pool 7×7/1 on the 7×7×1024 map
            dropout=nn.Dropout(0.4),       # Table 1: dropout (40 %)
            flatten=nn.Flatten(),
            fc=nn.Linear(1024, num_classes),
        ))
        if aux_logits:
            stages["aux"] = nn.ModuleDict({
                aux: AuxClassifier(out_channels(name), num_classes, bn)
                for name, aux in AUX_AFTER.items()
            })
        super().__init__(stages)
        self.aux_logits = aux_logits

    def forward(self, x: torch.Tensor) -> torch.Tensor | GoogLeNetOutputs:
        side: dict[str, torch.Tensor] = {}
        for name, stage in self.named_children():
            if name == "aux":
                continue
            x = stage(x)
            # The side classifiers are a training device (§5): skipped in eval mode.
            if self.aux_logits and self.training and name in AUX_AFTER:
                side[AUX_AFTER[name]] = self.aux[AUX_AFTER[name]](x)
        if side:
            return GoogLeNetOutputs(x, side["aux1"], side["aux2"])
        return x


def out_channels(name: str) -> int:
    """Output channels of an inception module: #1×1 + #3×3 + #5×5 + pool proj."""
    _, ch1x1, _, ch3x3, _, ch5x5, pool_proj = INCEPTION_TABLE[name]
    return ch1x1 + ch3x3 + ch5x5 + pool_proj


def googlenet(aux_logits: bool = False, lrn: bool = True, batch_norm: bool = False) -> GoogLeNet:
    return GoogLeNet(aux_logits=aux_logits, lrn=lrn, batch_norm=batch_norm)


SPECS = [
    NetworkSpec(
        name="googlenet",
        title="GoogLeNet (Inception v1)",
        family="inception",
        paper="Szegedy et al., 2015, \"Going Deeper with Convolutions\" (CVPR)",
        builder=googlenet,
        input_size=(3, 224, 224),
        options=(
            Option("aux_logits", "bool", False, label="Auxiliary classifiers",
                   help="The two side classifiers on inception (4a) and (4d) (paper §5). They are "
                        "used only in training, so they add parameters but no inference cost."),
            Option("lrn", "bool", True, label="Local Response Normalization",
                   help="The paper's two LRN layers in the stem (no parameters)."),
            Option("batch_norm", "bool", False, label="Batch norm",
                   help="Batch norm after every convolution (not in the 2014 paper; torchvision has it)."),
        ),
        summary=(
            "Instead of choosing a filter size, an inception module applies 1×1, 3×3 and 5×5 "
            "convolutions and a max-pool side by side and concatenates the results "
            "(28×28×192 → 28×28×256 in module 3a). What makes this affordable are 1×1 "
            "\"bottleneck\" convolutions that shrink the channels before the 3×3 and 5×5 "
            "filters: the lecture's 5×5 example drops from about 120M to 12.4M multiplies. "
            "Nine such modules are stacked, with two side classifiers during training."
        ),
        lecture_params="",
        extra={
            # Modules that branch off the main path (§5: the side classifiers on (4a) and (4d)),
            # by module path -> the stage whose output they read; present with aux_logits=True.
            "side_branches": {f"aux.{aux}": stage for stage, aux in AUX_AFTER.items()},
            "published": {
                "params": "about 6.8M (sum of Table 1's params column)",
                "macs": "about 1.5G (Table 1's ops column sums to 1.50G; §1: a budget of 1.5 billion "
                        "multiply-adds)",
                "source": "Szegedy et al. 2015, Table 1",
                "builder": "torchvision.models.googlenet",
                "torchvision_params": 6_624_904,
                # googlenet(aux_logits=True): + 2 InceptionAux heads (1×1 conv 128 + BN, FC 2048→1024,
                # FC 1024→1000): 3,188,968 on (4a)'s 512 channels + 3,191,016 on (4d)'s 528.
                "torchvision_params_aux": 13_004_888,
                # torchvision's "_ops" (1.498 G, with its 3×3 in the 5×5 branch)
                "torchvision_macs": 1_498_000_000,
                "note": (
                    "Our model uses real 5×5 convolutions; torchvision's googlenet uses 3×3 in that "
                    "branch (pytorch/vision#906) and has 6,624,904 parameters. Table 1's params column "
                    "counts weights without biases, in units of 1024 (3a: 163,328 weights = 159.5K, "
                    "the table's 159K); ours agree within 1% for every inception module but four: "
                    "4c 497.5K (+7.5% on the table's 463K), 4d 590.5K (+1.8% on 580K), 5a 1,018K "
                    "(−5.0% on 1,072K) and 5b 1,409K (+1.5% on 1,388K). Its ops column contradicts its "
                    "own channel columns for 5a: 54M, where they give 51.1M multiply-adds. Its first "
                    "row (2.7K params, 34M ops) does not match a 7×7×3×64 convolution (9,408 weights, "
                    "118M multiply-adds)."
                ),
            }
        },
    )
]
