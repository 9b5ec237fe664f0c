"""EfficientNet B0–B7, and free compound scaling by φ.

Tan, Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
Networks", ICML 2019. Table 1 gives the baseline B0 (``B0_TABLE`` below, one row
per stage); §3.3 scales it with one compound coefficient φ:
depth d = α^φ, width w = β^φ, resolution r = γ^φ, with α = 1.2, β = 1.1, γ = 1.15
(α·β²·γ² ≈ 2, so the cost grows by about 2^φ).

The published B1–B7 do not follow that rule to the letter: the official
implementation (and torchvision's ``efficientnet_b*``) uses the hand-set
coefficients in ``VARIANTS``. Each B variant is its own registry name; the extra
registry entry ``efficientnet`` applies the rule itself for any φ
(``efficientnet`` at φ = 0 is B0).

Channels are rounded to multiples of 8 (``make_divisible``), repeats to
``ceil(d × n)``, as in the official code. MBConv blocks use SiLU ("swish") and
squeeze-excite reducing to a quarter of the block's input channels.

Deviations from the paper, neither of which changes a shape or a count:

- no stochastic depth. §5.2 trains with stochastic depth (Huang et al. 2016), survival
  probability 0.8: each MBConv block with a skip connection is dropped at random during
  training. It has no parameters and does nothing at inference, so it is left out;
- PyTorch's default initialisation. The paper states none; the official implementation
  draws convolutions from a normal of variance 2/fan-out and the classifier uniformly.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from torch import nn

from architectures.blocks import ConvBNAct, InvertedResidual
from architectures.costs import compound_coefficients
from architectures.mobilenet import make_divisible
from architectures.registry import NetworkSpec, Option

# Tan & Le 2019, Table 1 (EfficientNet-B0), stages 2–8 as
# (expansion t of "MBConvt", kernel k, output channels c, layers n, stride s).
# Stage 1 is "Conv3x3, 32 channels" (stride 2), stage 9 "Conv1x1 & Pooling & FC, 1280".
# Strides are the official implementation's (Table 1 gives the resolutions:
# 224 → 112 → 112 → 56 → 28 → 14 → 14 → 7).
B0_STEM = 32
B0_TABLE: tuple[tuple[int, int, int, int, int], ...] = (
    # t, k,   c, n, s
    (1, 3, 16, 1, 1),
    (6, 3, 24, 2, 2),
    (6, 5, 40, 2, 2),
    (6, 3, 80, 3, 2),
    (6, 5, 112, 3, 1),
    (6, 5, 192, 4, 2),
    (6, 3, 320, 1, 1),
)
SE_RATIO = 0.25

# Official implementation (efficientnet_builder.py, ``efficientnet_params``; also
# torchvision): width w, depth d, resolution, dropout rate.
VARIANTS: dict[str, tuple[float, float, int, float]] = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}

# Published parameter counts: torchvision.models.efficientnet_b* (same as the official
# TF checkpoints'). The paper's Table 2 gives them to two significant figures, except B2's
# "9.2M" (9,109,994 rounds to 9.1M).
TORCHVISION_PARAMS = {
    "b0": 5_288_548, "b1": 7_794_184, "b2": 9_109_994, "b3": 12_233_232,
    "b4": 19_341_616, "b5": 30_389_784, "b6": 43_040_704, "b7": 66_347_960,
}
# torchvision's "_ops" (listed as GFLOPS, numerically billions of multiply-adds), measured at
# torchvision's crop sizes: the official resolutions, except B2 at 288 instead of 260.
TORCHVISION_GMACS = {
    "b0": 0.386, "b1": 0.687, "b2": 1.088, "b3": 1.827,
    "b4": 4.394, "b5": 10.266, "b6": 19.068, "b7": 37.746,
}
# Tan & Le 2019, Table 2: parameters and FLOPS (their "FLOPS" are multiply-adds).
PAPER_TABLE2 = {
    "b0": ("5.3M", "0.39B"), "b1": ("7.8M", "0.70B"), "b2": ("9.2M", "1.0B"), "b3": ("12M", "1.8B"),
    "b4": ("19M", "4.2B"), "b5": ("30M", "9.9B"), "b6": ("43M", "19B"), "b7": ("66M", "37B"),
}

# Where Table 2 differs from the official model (ours = torchvision's = the official implementation's).
_TABLE2_NOTES = {
    "b1": " Table 2's 0.70B FLOPS differ from the official model's 0.687 B multiply-adds at 240×240, "
          "which this build and torchvision count too.",
    "b2": " Table 2's 9.2M parameters: the model has 9,109,994 (9.1M). torchvision measures B2's cost at "
          "288×288 (1.088 G); at the official 260×260 it is 0.994 G, Table 2's 1.0B.",
    "b4": " Table 2's 4.2B FLOPS differ from the official model's 4.39 B multiply-adds at 380×380, which "
          "this build and torchvision count too.",
    "b5": " Table 2's 9.9B FLOPS differ from the official model's 10.27 B multiply-adds at 456×456, which "
          "this build and torchvision count too.",
    "b7": " Table 2's 37B FLOPS: the official model counts 37.75 B multiply-adds at 600×600 (as this build "
          "and torchvision do), which rounds to 38B.",
}

BASE_RESOLUTION = 224
PHI_RANGE = (-2.0, 8.0)


def round_repeats(n: int, depth: float) -> int:
    """ceil(d × n) layers per stage (official implementation)."""
    return int(math.ceil(n * depth))


class EfficientNet(nn.Sequential):
    """B0 of Tan & Le 2019, Table 1, scaled by width ``width`` and depth ``depth``.

    Stages: ``stem`` (3×3/2 conv), ``stage1`` … ``stage7`` (Table 1's MBConv rows),
    ``last_conv`` (1×1 to 4 × the last stage's channels: 1280 at B0), ``head``
    (pool, dropout, flatten, FC). Resolution is the input's, not the network's.
    """

    def __init__(self, width: float = 1.0, depth: float = 1.0, dropout: float = 0.2,
                 num_classes: int = 1000):
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        channels = make_divisible(B0_STEM * width)
        stages["stem"] = ConvBNAct(3, channels, 3, stride=2, act="silu")
        for i, (t, k, c, n, s) in enumerate(B0_TABLE, start=1):
            out = make_divisible(c * width)
            blocks = []
            for j in range(round_repeats(n, depth)):
                blocks.append(InvertedResidual(
                    channels, out, s if j == 0 else 1, expand_ratio=t, kernel_size=k,
                    act="silu", se_ratio=SE_RATIO,
                ))
                channels = out
            stages[f"stage{i}"] = nn.Sequential(*blocks)
        last = 4 * channels  # 1280 = 4 × 320 at B0
        stages["last_conv"] = ConvBNAct(channels, last, 1, act="silu")
        stages["head"] = nn.Sequential(OrderedDict(
            pool=nn.AdaptiveAvgPool2d(1),
            dropout=nn.Dropout(dropout),
            flatten=nn.Flatten(),
            fc=nn.Linear(last, num_classes),
        ))
        super().__init__(stages)


def phi_scaling(phi: float) -> tuple[float, float, int]:
    """(width w, depth d, resolution) for compound coefficient φ (Tan & Le 2019, eq. 3):
    d = 1.2^φ, w = 1.1^φ, resolution = round(224 × 1.15^φ)."""
    depth, width, res = compound_coefficients(phi)
    return width, depth, int(round(BASE_RESOLUTION * res))


def efficientnet_phi(phi: float = 0.0) -> EfficientNet:
    width, depth, _ = phi_scaling(phi)
    return EfficientNet(width=width, depth=depth, dropout=0.2)


def _variant_builder(variant: str):
    width, depth, _, dropout = VARIANTS[variant]

    def builder() -> EfficientNet:
        return EfficientNet(width=width, depth=depth, dropout=dropout)

    builder.__name__ = f"efficientnet_{variant}"
    builder.__doc__ = f"EfficientNet-{variant.upper()}: width {width}, depth {depth} (official coefficients)."
    return builder


SUMMARY = (
    "EfficientNet asks how to make a network bigger: deeper (d), wider (w) or with larger "
    "images (r)? Its answer is all three together, with one knob φ: d = 1.2^φ, w = 1.1^φ, "
    "r = 1.15^φ. Since the cost grows as d·w²·r² ≈ 2, each step of φ about doubles the "
    "multiply-adds. The base network, B0, is a stack of MobileNet v2's inverted-residual "
    "blocks (MBConv) with squeeze-excite and SiLU (swish) activations."
)
PAPER = "Tan & Le, 2019, \"EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks\" (ICML)"


def _variant_spec(variant: str) -> NetworkSpec:
    width, depth, resolution, dropout = VARIANTS[variant]
    params, flops = PAPER_TABLE2[variant]
    return NetworkSpec(
        name=f"efficientnet_{variant}",
        title=f"EfficientNet-{variant.upper()}",
        family="efficient",
        paper=PAPER,
        builder=_variant_builder(variant),
        input_size=(3, resolution, resolution),
        options=(),
        summary=SUMMARY + f" {variant.upper()}: width × {width}, depth × {depth}, {resolution}×{resolution} input.",
        extra={
            "width": width, "depth": depth, "resolution": resolution, "dropout": dropout,
            "published": {
                "params": params,
                "macs": f"{flops} (the paper's \"FLOPS\" are multiply-adds)",
                "source": "Tan & Le 2019, Table 2",
                "builder": f"torchvision.models.efficientnet_{variant}",
                "torchvision_params": TORCHVISION_PARAMS[variant],
                "torchvision_macs": int(round(TORCHVISION_GMACS[variant] * 1e9)),
                "note": "Same layers and parameter count as torchvision's; coefficients from the "
                        "official implementation." + _TABLE2_NOTES.get(variant, ""),
            },
        },
    )


def _phi_resolution(options) -> int:
    return phi_scaling(float(options["phi"]))[2]


SPECS = [_variant_spec(v) for v in VARIANTS] + [
    NetworkSpec(
        name="efficientnet",
        title="EfficientNet, free φ (compound scaling rule)",
        family="efficient",
        paper=PAPER,
        builder=efficientnet_phi,
        input_size=(3, BASE_RESOLUTION, BASE_RESOLUTION),
        options=(
            Option("phi", "float", 0.0, label="Compound coefficient φ",
                   minimum=PHI_RANGE[0], maximum=PHI_RANGE[1], step=0.5,
                   help="Scales B0 by depth 1.2^φ, width 1.1^φ and resolution 1.15^φ (eq. 3). "
                        "φ = 0 is B0; the published B1–B7 use hand-set coefficients instead."),
        ),
        summary=SUMMARY,
        resolution_from=_phi_resolution,
        extra={
            "published": {
                "params": "φ = 0 is B0: 5.3M (paper), torchvision 5,288,548",
                "macs": "about 2^φ × B0's 0.39B",
                "source": "Tan & Le 2019, §3.3, eq. 3",
                "builder": "",
                "note": "Resolution = round(224 × 1.15^φ); channels rounded to multiples of 8 and "
                        "repeats to ceil(d × n), so cost grows only approximately as 2^φ (φ = 1: 2.57×). "
                        "No pretrained model follows the rule exactly: the published B1–B7 use "
                        "hand-set coefficients.",
            },
        },
    )
]
