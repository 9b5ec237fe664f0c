"""AlexNet.

Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional
Neural Networks", NIPS 2012, Fig. 2 and §3. The paper says 224×224 inputs, but
its own 11×11 stride-4 first layer only gives 55×55 from 227×227 (the lecture
uses 227):

=====  ===============================  ============  ==================
stage  layers                           output        groups (two GPUs)
=====  ===============================  ============  ==================
conv1  96 conv 11×11 /4, ReLU, LRN,      27×27×96      1 (both GPUs see the image)
       max-pool 3×3 /2 (55 → 27)
conv2  256 conv 5×5 same, ReLU, LRN,     13×13×256     2
       max-pool 3×3 /2 (27 → 13)
conv3  384 conv 3×3 same, ReLU           13×13×384     1 (crosses the GPUs)
conv4  384 conv 3×3 same, ReLU           13×13×384     2
conv5  256 conv 3×3 same, ReLU,          6×6×256       2
       max-pool 3×3 /2 (13 → 6)
fc6    flatten 9216 → 4096, ReLU, dropout
fc7    4096 → 4096, ReLU, dropout
fc8    4096 → 1000 (softmax in the loss)
=====  ===============================  ============  ==================

``groups=2`` is the paper's split over two GPUs: conv2, conv4 and conv5 only see
the maps on their own GPU (half the input channels), 60,965,224 parameters — the
"60 million" of the abstract and the lecture's "~60M". ``groups=1`` is a single
stream (every filter sees every channel), 62,378,344.

Local Response Normalization (§3.3: k = 2, n = 5, α = 10⁻⁴, β = 0.75) follows the
ReLU of conv1 and conv2; it has no parameters, and ``lrn=False`` drops it (later
work, VGG among it, found it does not help). PyTorch's ``LocalResponseNorm``
divides α by n, so the paper's α is passed as ``n·α``. Overlapping max-pools
(3×3, stride 2, §3.4) follow the LRN layers and conv5; dropout (p = 0.5, §4.2)
follows fc6 and fc7.

Initialisation follows §5: weights N(0, 0.01²); biases 1 in conv2, conv4, conv5
and the hidden FC layers (to give the ReLUs positive inputs early on), 0 elsewhere.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from architectures.registry import NetworkSpec, Option

# Paper §3.3: LRN hyper-parameters. PyTorch's LocalResponseNorm uses alpha / size.
LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K = 5, 1e-4, 0.75, 2.0

# Paper Fig. 2, stage by stage: (filters, kernel, stride, padding, split over the GPUs,
# LRN after the ReLU, max-pool after).
CONV_STAGES = OrderedDict(
    conv1=(96, 11, 4, 0, False, True, True),
    conv2=(256, 5, 1, 2, True, True, True),
    conv3=(384, 3, 1, 1, False, False, False),
    conv4=(384, 3, 1, 1, True, False, False),
    conv5=(256, 3, 1, 1, True, False, True),
)
FC_WIDTHS = (4096, 4096)
BIAS_ONE = ("conv2", "conv4", "conv5", "fc6", "fc7")  # §5: biases initialised to 1


def _uninitialised(cls: type[nn.Module], *args, **kwargs) -> nn.Module:
    """A layer left uninitialised (``AlexNet._init_weights`` fills it): PyTorch's default init of
    58M FC weights, overwritten at once, would double the build time."""
    return nn.utils.skip_init(cls, *args, device=torch.get_default_device(), **kwargs)


class AlexNet(nn.Sequential):
    """AlexNet with stages conv1 … conv5, fc6, fc7, fc8."""

    def __init__(self, groups: int = 2, lrn: bool = True, num_classes: int = 1000, dropout: float = 0.5):
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        in_channels = 3
        for name, (filters, kernel, stride, padding, split, has_lrn, has_pool) in CONV_STAGES.items():
            layers: OrderedDict[str, nn.Module] = OrderedDict(
                conv=_uninitialised(nn.Conv2d, in_channels, filters, kernel, stride, padding,
                                    groups=groups if split else 1),
                relu=nn.ReLU(),
            )
            if has_lrn and lrn:
                layers["lrn"] = nn.LocalResponseNorm(LRN_SIZE, alpha=LRN_SIZE * LRN_ALPHA, beta=LRN_BETA,
                                                     k=LRN_K)
            if has_pool:
                layers["pool"] = nn.MaxPool2d(3, stride=2)
            stages[name] = nn.Sequential(layers)
            in_channels = filters
        features = in_channels * 6 * 6  # 6×6×256 = 9216 after conv5's pool
        stages["fc6"] = nn.Sequential(OrderedDict(
            flatten=nn.Flatten(),
            fc=_uninitialised(nn.Linear, features, FC_WIDTHS[0]),
            relu=nn.ReLU(),
            dropout=nn.Dropout(dropout),
        ))
        stages["fc7"] = nn.Sequential(OrderedDict(
            fc=_uninitialised(nn.Linear, FC_WIDTHS[0], FC_WIDTHS[1]), relu=nn.ReLU(), dropout=nn.Dropout(dropout),
        ))
        stages["fc8"] = nn.Sequential(OrderedDict(fc=_uninitialised(nn.Linear, FC_WIDTHS[1], num_classes)))
        super().__init__(stages)
        self._init_weights()

    def _init_weights(self) -> None:
        if next(self.parameters()).is_meta:
            return  # nothing to initialise on the meta device (and normal_ is slow there)
        for name, stage in self.named_children():
            for module in stage.modules():
                if isinstance(module, (nn.Conv2d, nn.Linear)):
                    nn.init.normal_(module.weight, 0.0, 0.01)
                    nn.init.constant_(module.bias, 1.0 if name in BIAS_ONE else 0.0)


def alexnet(groups: int = 2, lrn: bool = True, num_classes: int = 1000) -> AlexNet:
    return AlexNet(groups=groups, lrn=lrn, num_classes=num_classes)


SPECS = [
    NetworkSpec(
        name="alexnet",
        title="AlexNet",
        family="classic",
        paper='Krizhevsky, Sutskever, Hinton (2012), "ImageNet Classification with Deep Convolutional '
        'Neural Networks"',
        builder=alexnet,
        input_size=(3, 227, 227),
        options=(
            Option(
                "groups", "choice", 2, label="GPU groups",
                help="2: the paper's split over two GPUs (conv2, conv4, conv5 see only their own GPU's "
                "half of the channels). 1: a single stream, every filter sees every channel.",
                choices=(2, 1),
            ),
            Option(
                "lrn", "bool", True, label="Local Response Normalization",
                help="LRN after the ReLUs of conv1 and conv2, as in the paper. It has no parameters; "
                "later networks dropped it.",
            ),
            Option(
                "num_classes", "int", 1000, label="Classes",
                help="Outputs of fc8 (1000 ImageNet classes in the paper).",
                minimum=1, maximum=10000, step=1,
            ),
        ),
        summary=(
            "Much like LeNet, but much bigger — about 60M parameters instead of 60K — trained on "
            "ImageNet on two GPUs. It used the ReLU activation, which made it train much faster than "
            "with tanh/sigmoid, plus overlapping max-pooling, dropout and Local Response Normalization. "
            "Its 2012 ImageNet win convinced computer vision that deep learning works."
        ),
        lecture_params="60M",
        extra={
            "published": {
                "params": 60_000_000,
                "source": "Krizhevsky et al. 2012, abstract: \"60 million parameters and 650,000 neurons\"",
                "torchvision": "alexnet",
                "torchvision_params": 61_100_840,
                # torchvision's model card: 0.71 GFLOPS (its GFLOPS count multiply-adds); counted exactly
                # (its single-GPU layers at 224×224) 714,188,480.
                "torchvision_macs": 714_188_480,
                "note": "torchvision's alexnet is the single-GPU variant of Krizhevsky's 2014 \"One weird "
                "trick\" paper (64-192-384-256-256 filters, 224×224 input: 61,100,840 parameters and "
                "714,188,480 multiply-adds, its card's 0.71 G), not the 2012 two-GPU network built here.",
            },
        },
    ),
]
