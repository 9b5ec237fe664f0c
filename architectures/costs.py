"""The lecture's cost arithmetic as small pure functions.

Counting convention (DESIGN.md): multiply-adds = multiplications of weights by
inputs, ``#filter params × #filter positions × #filters``; no bias, no
element-wise work. FLOPs, where a source quotes them, are 2 × these.
"""

from __future__ import annotations

from dataclasses import dataclass


def conv_output_size(n: int, f: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(n + 2p − d(f − 1) − 1) / s⌋ + 1: the lecture's ⌊(n + 2p − f)/s⌋ + 1 for d = 1."""
    return (n + 2 * padding - dilation * (f - 1) - 1) // stride + 1


def same_padding(f: int) -> int:
    """Padding that keeps n_H, n_W for an odd filter at stride 1: p = (f − 1)/2."""
    return (f - 1) // 2


def conv_macs(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
    out_h: int, out_w: int, groups: int = 1,
) -> int:
    """Multiplies of a convolution: ``#filter params × #filter positions × #filters``.

    Each of the ``out_channels`` filters has ``f_h · f_w · n_c / groups`` weights
    and is applied at ``out_h · out_w`` positions.
    """
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"groups={groups} must divide both in_channels={in_channels} and out_channels={out_channels}."
        )
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    filter_params = kh * kw * (in_channels // groups)
    return filter_params * (out_h * out_w) * out_channels


def conv_params(in_channels: int, out_channels: int, kernel_size: int, groups: int = 1, bias: bool = True) -> int:
    """Weights (and biases) of a convolution."""
    return kernel_size * kernel_size * (in_channels // groups) * out_channels + (out_channels if bias else 0)


def linear_macs(in_features: int, out_features: int) -> int:
    """Multiplies of a fully connected layer for one example."""
    return in_features * out_features


@dataclass(frozen=True)
class BottleneckComparison:
    """The lecture's inception example: a 5×5 conv directly vs through a 1×1 bottleneck."""

    direct: int  # f·f·n_c·n_H·n_W·n_c' of the direct conv
    reduce: int  # the 1×1 bottleneck conv
    expand: int  # the f×f conv on the bottleneck
    bottlenecked: int  # reduce + expand

    @property
    def saving(self) -> float:
        """How many times cheaper the bottlenecked version is."""
        return self.direct / self.bottlenecked


def bottleneck_comparison(
    n: int = 28, in_channels: int = 192, out_channels: int = 32, f: int = 5, bottleneck: int = 16
) -> BottleneckComparison:
    """Lecture: 28·28·32·5·5·192 = 120,422,400 vs 2,408,448 + 10,035,200 = 12,443,648
    ("same" convolutions, so n_H = n_W = n throughout)."""
    direct = conv_macs(in_channels, out_channels, f, n, n)
    reduce = conv_macs(in_channels, bottleneck, 1, n, n)
    expand = conv_macs(bottleneck, out_channels, f, n, n)
    return BottleneckComparison(direct, reduce, expand, reduce + expand)


@dataclass(frozen=True)
class SeparableComparison:
    """The lecture's MobileNet example: normal conv vs depthwise + pointwise."""

    out_size: int
    normal: int
    depthwise: int
    pointwise: int

    @property
    def separable(self) -> int:
        return self.depthwise + self.pointwise

    @property
    def ratio(self) -> float:
        return self.separable / self.normal


def separable_comparison(
    n: int = 6, n_c: int = 3, f: int = 3, n_c_out: int = 5, stride: int = 1, padding: int = 0
) -> SeparableComparison:
    """Lecture: 6×6×3, f = 3, 5 filters → 4×4×5: normal 2,160; depthwise 432 +
    pointwise 240 = 672; ratio 0.31."""
    out = conv_output_size(n, f, stride, padding)
    if out < 1:
        raise ValueError(f"a {f}×{f} filter does not fit a {n}×{n} input with padding {padding}.")
    normal = conv_macs(n_c, n_c_out, f, out, out)
    depthwise = conv_macs(n_c, n_c, f, out, out, groups=n_c)
    pointwise = conv_macs(n_c, n_c_out, 1, out, out)
    return SeparableComparison(out, normal, depthwise, pointwise)


def separable_ratio_formula(n_c_out: int, f: int) -> float:
    """Depthwise-separable / normal cost = 1/n_c' + 1/f² (Howard et al. 2017, eq. 5)."""
    return 1 / n_c_out + 1 / f**2


# EfficientNet's compound scaling (Tan & Le, ICML 2019, eq. 3): found by grid search
# with α·β²·γ² ≈ 2, so FLOPs grow by about 2^φ.
ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15


def compound_coefficients(phi: float, alpha: float = ALPHA, beta: float = BETA, gamma: float = GAMMA):
    """(depth d, width w, resolution r) multipliers for compound coefficient φ."""
    return alpha**phi, beta**phi, gamma**phi


def scaling_cost_factor(d: float, w: float, r: float) -> float:
    """A conv net's cost grows ∝ d · w² · r² (Tan & Le 2019, §3.3)."""
    return d * w**2 * r**2
