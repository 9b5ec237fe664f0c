"""The MobileNet v2 bottleneck (Sandler et al. 2018, Table 1): expansion → depthwise → projection.

The lecture's picture: n×n×3 → n×n×18 → n×n×18 → n×n×3 with t = 6, plus the input when
the shapes match. Compared with a MobileNet v1 block and a normal conv of the same input
and output, and with a normal conv at the expanded width (what the depthwise conv saves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from architectures import costs
from architectures.blocks import ConvBNAct, DepthwiseSeparable, InvertedResidual
from viz.blocklab.common import FLOAT_BYTES, LabResult, conv_cost, device, fits, lab_result, stage
from viz.controls import choice, flag, ints
from viz.trace import trace

N = ints("m_n", "n", "n (input n × n × n_c)", 1, 112, 6)
IN_CHANNELS = ints("m_cin", "in_channels", "n_c (input channels)", 1, 160, 3)
EXPAND_RATIO = ints("m_t", "expand_ratio", "expansion factor t", 1, 10, 6)
OUT_CHANNELS = ints("m_cout", "out_channels", "output channels", 1, 160, 3)
STRIDE = choice("m_s", "stride", "stride (depthwise)", (1, 2), 1)
KERNEL_SIZE = choice("m_k", "kernel_size", "depthwise kernel", (3, 5, 7), 3)
RESIDUAL = flag("m_res", "residual", "residual connection",
                help="Added only when stride is 1 and input and output channels match.")
CONTROLS = (N, IN_CHANNELS, EXPAND_RATIO, OUT_CHANNELS, STRIDE, KERNEL_SIZE, RESIDUAL)


@dataclass(frozen=True)
class MobileNetV2Result:
    block: LabResult  # expansion → depthwise → projection (+ residual)
    v1: LabResult  # depthwise-separable block with the same input and output
    normal: LabResult  # a normal k×k conv with the same input and output
    hidden: int  # t × n_c channels of the expanded activation
    use_residual: bool
    residual_reason: str
    expanded_bytes: int  # the largest activation inside the block (the expanded one)
    input_bytes: int
    output_bytes: int
    kernel_size: int
    wide_macs: int  # a normal k×k conv at the expanded width (hidden → hidden channels)

    @property
    def vs_normal(self) -> float:
        """The bottleneck's multiply-adds relative to a normal k×k conv with the same input and output."""
        return self.block.macs / self.normal.macs

    @property
    def agrees(self) -> bool:
        return self.block.agrees and self.v1.agrees and self.normal.agrees


def mobilenet_v2(n: int = N.default, in_channels: int = IN_CHANNELS.default,
                 expand_ratio: int = EXPAND_RATIO.default, out_channels: int = OUT_CHANNELS.default,
                 stride: int = STRIDE.default, kernel_size: int = KERNEL_SIZE.default,
                 residual: bool = RESIDUAL.default, real: bool = True) -> MobileNetV2Result:
    """Sandler et al. 2018 (MobileNetV2, Table 1): 1×1 expansion ×t → depthwise k×k → 1×1 linear
    projection, + the input when stride is 1 and channels match.

    The lecture's picture n×n×3 → n×n×18 → n×n×18 → n×n×3 (t = 6). The block uses
    batch norm and ReLU6 as in the paper, so its parameters include BN's 2 per channel.
    """
    n, cin, t = N.check(n), IN_CHANNELS.check(in_channels), EXPAND_RATIO.check(expand_ratio)
    cout, stride, k = OUT_CHANNELS.check(out_channels), STRIDE.check(stride), KERNEL_SIZE.check(kernel_size)
    residual = RESIDUAL.check(residual)
    hidden = cin * t
    n_out = fits(n, k, stride, k // 2)

    torch.manual_seed(0)
    with device(real):
        block = InvertedResidual(cin, cout, stride, expand_ratio=t, kernel_size=k, residual=residual)
    tb = trace(block, (cin, n, n), name="MobileNet v2 bottleneck")
    stages = []
    if t != 1:
        p, m, txt = conv_cost(cin, hidden, 1, n, bias=False, bn=True)
        stages.append(stage(tb, "expand", f"expansion 1×1 conv, {hidden} filters (t × n_c = {t} × {cin}), ReLU6",
                            p, m, txt))
    p, m, txt = conv_cost(hidden, hidden, k, n_out, groups=hidden, bias=False, bn=True)
    stages.append(stage(tb, "depthwise", f"depthwise {k}×{k}{', stride 2' if stride == 2 else ''}, ReLU6",
                        p, m, txt))
    p, m, txt = conv_cost(hidden, cout, 1, n_out, bias=False, bn=True)
    stages.append(stage(tb, "project", f"projection 1×1 conv, {cout} filters (linear: no ReLU)", p, m, txt))
    block_res = lab_result("MobileNet v2 bottleneck", block, tb, stages)

    if not residual:
        reason = "switched off"
    elif stride != 1:
        reason = "none: stride 2 changes n_H × n_W, so the input can't be added"
    elif cin != cout:
        reason = f"none: the channels change ({cin} → {cout}), so the input can't be added"
    else:
        reason = "yes: output = projection + input (same shape)"

    with device(real):
        v1 = DepthwiseSeparable(cin, cout, stride, k)
    tv = trace(v1, (cin, n, n), name="MobileNet v1 block")
    pd, md, txd = conv_cost(cin, cin, k, n_out, groups=cin, bias=False, bn=True)
    pp, mp, txp = conv_cost(cin, cout, 1, n_out, bias=False, bn=True)
    v1_res = lab_result("MobileNet v1 block", v1, tv, [
        stage(tv, "depthwise", f"depthwise {k}×{k}", pd, md, txd),
        stage(tv, "pointwise", f"pointwise 1×1, {cout}", pp, mp, txp),
    ])
    with device(real):
        normal = ConvBNAct(cin, cout, k, stride)
    tn = trace(normal, (cin, n, n), name="normal convolution")
    pn, mn, txn = conv_cost(cin, cout, k, n_out, bias=False, bn=True)
    normal_res = lab_result("Normal convolution", normal, tn, [stage(tn, "", f"{k}×{k} conv, {cout} filters",
                                                                     pn, mn, txn)])
    expanded = max(math.prod(s.output_shape) for s in stages[:-1]) * FLOAT_BYTES
    return MobileNetV2Result(block_res, v1_res, normal_res, hidden, block.use_residual, reason, expanded,
                             cin * n * n * FLOAT_BYTES, cout * n_out * n_out * FLOAT_BYTES, k,
                             costs.conv_macs(hidden, hidden, k, n_out, n_out))
