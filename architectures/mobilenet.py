"""MobileNet v1 and v2.

v1: Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam, "MobileNets:
Efficient Convolutional Neural Networks for Mobile Vision Applications", arXiv
1704.04861, 2017 — Table 1 (body), §3.3 width multiplier α, §3.4 resolution
multiplier ρ, Tables 6 and 7 (their costs).

v2: Sandler, Howard, Zhu, Zhmoginov, Chen, "MobileNetV2: Inverted Residuals and
Linear Bottlenecks", CVPR 2018 — Table 2 (body, as ``t, c, n, s`` rows), with the
width multiplier and channel rounding of the official implementation (and
torchvision's ``mobilenet_v2``).

Initialisation: PyTorch's defaults, in both. Neither paper states one (v1 §3.2 and v2 §6.1 give
only the optimiser, RMSProp); torchvision's ``mobilenet_v2`` uses a normal of variance
2/fan-out for convolutions and N(0, 0.01²) for the classifier. Shapes and counts don't depend
on it.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from architectures.blocks import ConvBNAct, DepthwiseSeparable, InvertedResidual
from architectures.registry import NetworkSpec, Option

# ---------------------------------------------------------------- MobileNet v1

# Howard et al. 2017, Table 1, one row per depthwise-separable block:
# (stride of the depthwise 3×3, filters of the pointwise 1×1). The stem is
# "Conv / s2, 3×3×3×32". Table 1 marks the last depthwise "s2", a typo: the
# output stays 7×7 (the following avg pool is 7×7 and the total is 569M
# multiply-adds only with stride 1).
V1_STEM = 32
V1_TABLE: tuple[tuple[int, int], ...] = (
    (1, 64),
    (2, 128),
    (1, 128),
    (2, 256),
    (1, 256),
    (2, 512),
    (1, 512), (1, 512), (1, 512), (1, 512), (1, 512),  # "5×" in Table 1
    (2, 1024),
    (1, 1024),  # Table 1 says s2 (typo)
)
V1_WIDTHS = (1.0, 0.75, 0.5, 0.25)
V1_RESOLUTIONS = (224, 192, 160, 128)


def _v1_channels(c: int, alpha: float) -> int:
    """α·c, at least 8 (the official implementation's ``min_depth``)."""
    return max(8, int(c * alpha))


class MobileNetV1(nn.Sequential):
    """Howard et al. 2017, Table 1: stem, block1 … block13, head.

    Each block: depthwise 3×3 → BN → ReLU → pointwise 1×1 → BN → ReLU (Fig. 3).
    The resolution multiplier changes only the input size, not the network.
    """

    def __init__(self, width: float = 1.0, num_classes: int = 1000):
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        channels = _v1_channels(V1_STEM, width)
        stages["stem"] = ConvBNAct(3, channels, 3, stride=2)
        for i, (stride, filters) in enumerate(V1_TABLE, start=1):
            out = _v1_channels(filters, width)
            stages[f"block{i}"] = DepthwiseSeparable(channels, out, stride)
            channels = out
        stages["head"] = nn.Sequential(OrderedDict(
            pool=nn.AdaptiveAvgPool2d(1),  # "Avg Pool / s1, Pool 7×7" at 224
            flatten=nn.Flatten(),
            fc=nn.Linear(channels, num_classes),
        ))
        super().__init__(stages)


def mobilenet_v1(width: float = 1.0, resolution: int = 224) -> MobileNetV1:
    # ``resolution`` is the input size (ρ); the network itself does not depend on it.
    return MobileNetV1(width=width)


# ---------------------------------------------------------------- MobileNet v2

# Sandler et al. 2018, Table 2: t expansion factor, c output channels, n repeats,
# s stride of the first of the n blocks. 1 + 2 + 3 + 4 + 3 + 3 + 1 = 17 bottlenecks.
V2_STEM = 32     # "conv2d, 224²×3, -, 32, 1, 2"
V2_LAST = 1280   # "conv2d 1×1, 7²×320, -, 1280, 1, 1"
V2_TABLE: tuple[tuple[int, int, int, int], ...] = (
    # t,   c,  n, s
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
V2_WIDTHS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
V2_RESOLUTIONS = (224, 192, 160, 128, 96)


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round ``value`` to the nearest multiple of ``divisor``, never going below 90 % of it.

    The official MobileNet v2 / EfficientNet code's ``_make_divisible`` (also torchvision's):
    channel counts stay multiples of 8, which hardware likes.
    """
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


class MobileNetV2(nn.Sequential):
    """Sandler et al. 2018, Table 2: stem, stage1 … stage7 (one per ``t, c, n, s`` row),
    last_conv (1×1 to 1280), head.

    Each bottleneck (Table 1 of the paper): 1×1 expansion ×t → ReLU6 → depthwise 3×3
    → ReLU6 → linear 1×1 projection, plus the input when stride is 1 and the channels
    match. The first block (t = 1) has no expansion layer.
    """

    def __init__(self, width: float = 1.0, num_classes: int = 1000, dropout: float = 0.2):
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        channels = make_divisible(V2_STEM * width)
        stages["stem"] = ConvBNAct(3, channels, 3, stride=2, act="relu6")
        for i, (t, c, n, s) in enumerate(V2_TABLE, start=1):
            out = make_divisible(c * width)
            blocks = []
            for j in range(n):
                blocks.append(InvertedResidual(channels, out, s if j == 0 else 1, expand_ratio=t, act="relu6"))
                channels = out
            stages[f"stage{i}"] = nn.Sequential(*blocks)
        # The official code widens the last layer only for α > 1.
        last = make_divisible(V2_LAST * max(1.0, width))
        stages["last_conv"] = ConvBNAct(channels, last, 1, act="relu6")
        stages["head"] = nn.Sequential(OrderedDict(
            pool=nn.AdaptiveAvgPool2d(1),  # "avgpool 7×7"
            dropout=nn.Dropout(dropout),
            flatten=nn.Flatten(),
            fc=nn.Linear(last, num_classes),  # Table 2's final "conv2d 1×1, k"
        ))
        super().__init__(stages)


def mobilenet_v2(width: float = 1.0, resolution: int = 224) -> MobileNetV2:
    return MobileNetV2(width=width)


def _resolution(options) -> int:
    return int(options["resolution"])


SPECS = [
    NetworkSpec(
        name="mobilenet_v1",
        title="MobileNet v1",
        family="mobile",
        paper="Howard et al., 2017, \"MobileNets: Efficient Convolutional Neural Networks for "
              "Mobile Vision Applications\" (arXiv:1704.04861)",
        builder=mobilenet_v1,
        input_size=(3, 224, 224),
        options=(
            Option("width", "choice", 1.0, label="Width multiplier α", choices=V1_WIDTHS,
                   help="Thins every layer to α × its channels (§3.3); cost falls roughly as α²."),
            Option("resolution", "choice", 224, label="Input resolution", choices=V1_RESOLUTIONS,
                   help="Input size (the resolution multiplier ρ, §3.4); cost falls roughly as ρ²."),
        ),
        summary=(
            "MobileNet replaces each normal convolution by a depthwise-separable one: a depthwise "
            "3×3 convolution (one filter per channel) followed by a pointwise 1×1 convolution that "
            "mixes the channels. That costs 1/n_c' + 1/f² of a normal convolution — about 8 to 9 "
            "times fewer multiplies for 3×3 filters. 13 such blocks follow one normal convolution; "
            "a width multiplier α and the input resolution trade accuracy for cost."
        ),
        lecture_params="",
        resolution_from=_resolution,
        extra={
            "published": {
                "params": "4.2M (1.0), 2.6M (0.75), 1.3M (0.5), 0.5M (0.25)",
                "macs": "569M at 1.0-224; 325M / 149M / 41M at α = 0.75 / 0.5 / 0.25; "
                        "418M / 290M / 186M at 192 / 160 / 128",
                "source": "Howard et al. 2017, Tables 6 and 7",
                "builder": "timm: mobilenetv1_100 (torchvision has no MobileNet v1)",
                "note": "1.0-224 has 4,231,976 parameters and 568,740,352 multiply-adds, the paper's "
                        "4.2M and 569M.",
            }
        },
    ),
    NetworkSpec(
        name="mobilenet_v2",
        title="MobileNet v2",
        family="mobile",
        paper="Sandler et al., 2018, \"MobileNetV2: Inverted Residuals and Linear Bottlenecks\" (CVPR)",
        builder=mobilenet_v2,
        input_size=(3, 224, 224),
        options=(
            Option("width", "choice", 1.0, label="Width multiplier", choices=V2_WIDTHS,
                   help="Scales every layer's channels (rounded to multiples of 8); the last 1×1 "
                        "layer is widened only above 1.0."),
            Option("resolution", "choice", 224, label="Input resolution", choices=V2_RESOLUTIONS,
                   help="Input size; the network itself does not change."),
        ),
        summary=(
            "MobileNet v2 stacks 17 \"inverted residual\" bottlenecks: a 1×1 convolution first "
            "expands the channels (×6), a depthwise 3×3 filters them, and a 1×1 projection "
            "shrinks them back — with no ReLU after the projection (a linear bottleneck). "
            "A residual connection joins the narrow ends when shapes match, so the memory-"
            "hungry wide tensors live only inside a block."
        ),
        lecture_params="",
        resolution_from=_resolution,
        extra={
            "published": {
                "params": "3.4M (1.4: 6.9M)",
                "macs": "300M at 1.0-224 (1.4: 585M)",
                "source": "Sandler et al. 2018, Table 4",
                "builder": "torchvision.models.mobilenet_v2",
                "torchvision_params": 3_504_872,
                "torchvision_macs": 301_000_000,  # torchvision's "_ops": 0.301 G at 224
                "note": "Same layers as torchvision's mobilenet_v2, with its 3,504,872 parameters (3.5M; "
                        "Table 4's 3.4M is the paper's own figure, not a rounding of this count) and "
                        "300,774,272 multiply-adds. At width 1.4 Table 4 lists 585M multiply-adds and "
                        "6.9M parameters; the official implementation's channel rounding, built here, "
                        "gives 582,195,824 and 6,108,776 — the 582M of TF-slim's published checkpoint "
                        "list (which gives 6.06M parameters by its own count, as it gives 3.47M for "
                        "width 1.0).",
            }
        },
    ),
]
