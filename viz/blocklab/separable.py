"""Depthwise-separable convolution (Howard et al. 2017, MobileNet v1, §3.1).

The lecture's example: 6×6×3 input, 3×3 filters, 5 outputs, no padding → 4×4×5; a normal
conv costs 2,160 multiplies, depthwise 432 + pointwise 240 = 672, ratio 0.31 = 1/5 + 1/9
(in general 1/n_c' + 1/f², eq. 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from architectures import costs
from architectures.blocks import ConvBNAct, DepthwiseSeparable
from viz.blocklab.common import LabResult, conv_cost, device, fits, lab_result, stage
from viz.controls import choice, ints
from viz.trace import trace

N = ints("s_n", "n", "n (input n × n × n_c)", 1, 64, 6)
N_C = ints("s_nc", "n_c", "n_c (input channels)", 1, 512, 3)
F = ints("s_f", "f", "f (filter size)", 1, 7, 3)
N_C_OUT = ints("s_nco", "n_c_out", "n_c' (output channels = #filters)", 1, 1024, 5)
STRIDE = ints("s_s", "stride", "stride", 1, 3, 1)
PADDING = choice("s_pad", "padding", "padding", ("valid", "same"), "valid")
CONTROLS = (N, N_C, F, N_C_OUT, STRIDE, PADDING)

# A real network's width, where the saving shows: 1/512 + 1/f².
WIDE = 512


@dataclass(frozen=True)
class SeparableResult:
    """The normal convolution and the depthwise-separable one with the same input and output."""

    normal: LabResult
    separable: LabResult
    comparison: costs.SeparableComparison
    ratio_formula: float  # 1/n_c' + 1/f²
    n_c_out: int
    f: int

    @property
    def ratio(self) -> float:
        """Counted separable / normal multiplies (from the traces)."""
        return self.separable.macs / self.normal.macs

    @property
    def wide_ratio(self) -> float:
        """The formula 1/n_c' + 1/f² at a real network's width n_c' = ``WIDE``."""
        return costs.separable_ratio_formula(WIDE, self.f)

    @property
    def agrees(self) -> bool:
        return self.normal.agrees and self.separable.agrees


def padding_pixels(name: str, f: int) -> int:
    """'valid' → 0; 'same' → (f − 1)/2, which needs an odd f."""
    PADDING.check(name)
    if name == "valid":
        return 0
    if f % 2 == 0:
        raise ValueError(f"'same' padding needs an odd filter size f (1, 3, 5, 7); got f = {f}. "
                         "Choose an odd f or 'valid' padding.")
    return costs.same_padding(f)


def separable(n: int = N.default, n_c: int = N_C.default, f: int = F.default, n_c_out: int = N_C_OUT.default,
              stride: int = STRIDE.default, padding: str = PADDING.default, real: bool = True) -> SeparableResult:
    """Howard et al. 2017 (MobileNet v1, §3.1): a normal f×f conv vs depthwise f×f + pointwise 1×1.

    The lecture's 6×6×3 input, 3×3 filters, 5 outputs, no padding: 4×4×5; normal
    2,160 multiplies, depthwise 432 + pointwise 240 = 672, ratio 0.31.
    Convolutions with bias, no batch norm or activation: only the convolutions are compared.
    """
    n, n_c, f, n_c_out = N.check(n), N_C.check(n_c), F.check(f), N_C_OUT.check(n_c_out)
    stride = STRIDE.check(stride)
    p = padding_pixels(padding, f)
    out = fits(n, f, stride, p)

    torch.manual_seed(0)
    with device(real):
        normal = ConvBNAct(n_c, n_c_out, f, stride, padding=p, bn=False, act=None)
        sep = DepthwiseSeparable(n_c, n_c_out, stride, f, bn=False, act=None, padding=p)
    tn = trace(normal, (n_c, n, n), name="normal convolution")
    ts = trace(sep, (n_c, n, n), name="depthwise-separable convolution")
    pn, mn, txt = conv_cost(n_c, n_c_out, f, out)
    normal_res = lab_result("Normal convolution", normal, tn,
                            [stage(tn, "conv", f"{f}×{f} conv, {n_c_out} filters (each {f}×{f}×{n_c})", pn, mn, txt)])
    pd, md, txd = conv_cost(n_c, n_c, f, out, groups=n_c)
    pp, mp, txp = conv_cost(n_c, n_c_out, 1, out)
    sep_res = lab_result("Depthwise-separable", sep, ts, [
        stage(ts, "depthwise", f"depthwise {f}×{f}: one {f}×{f} filter per channel ({n_c})", pd, md, txd),
        stage(ts, "pointwise", f"pointwise 1×1 conv, {n_c_out} filters (each 1×1×{n_c})", pp, mp, txp),
    ])
    return SeparableResult(normal_res, sep_res, costs.separable_comparison(n, n_c, f, n_c_out, stride, p),
                           costs.separable_ratio_formula(n_c_out, f), n_c_out, f)


def separable_ratio_curve(f: int = 3, n_c: int = 3, out: int = 4,
                          widths: tuple[int, ...] | None = None) -> list[tuple[int, float, float]]:
    """(n_c', counted multiplies ratio, formula 1/n_c' + 1/f²) over output widths.

    The counted ratio uses :func:`architectures.costs.conv_macs` for the three convolutions
    at an ``out × out`` output: it equals the formula exactly (n_H, n_W, n_c cancel).
    """
    widths = widths or tuple(sorted({1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384,
                                      512, 768, 1024}))
    rows = []
    for w in widths:
        normal = costs.conv_macs(n_c, w, f, out, out)
        sep = costs.conv_macs(n_c, n_c, f, out, out, groups=n_c) + costs.conv_macs(n_c, w, 1, out, out)
        rows.append((w, sep / normal, costs.separable_ratio_formula(w, f)))
    return rows
