"""The residual block (He et al. 2016, Fig. 2): a[l+2] = g(z[l+2] + a[l]).

The lecture's point: with W[l+2] = 0 and b[l+2] = 0, a[l+2] = g(a[l]) = a[l] for a[l] ≥ 0,
so a residual block can always fall back to the identity; the plain block cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from architectures import costs
from architectures.blocks import BasicBlock
from viz.blocklab.common import LabResult, conv_cost, lab_result, seeded_input, stage
from viz.controls import choice, flag, ints
from viz.trace import trace

N = ints("r_n", "n", "n (n_H = n_W of a[l])", 1, 64, 56)
IN_CHANNELS = ints("r_cin", "in_channels", "channels of a[l]", 1, 128, 64)
OUT_CHANNELS = ints("r_cout", "out_channels", "channels of a[l+2]", 1, 128, 64)
STRIDE = choice("r_stride", "stride", "stride of the first conv", (1, 2), 1)
RESIDUAL = flag("r_res", "residual", "shortcut (residual block)",
                help="Off: the plain block, the same two layers without the shortcut.")
PROJECTION = flag("r_proj", "projection", "projection W_s if shapes differ",
                  help="A 1×1 conv on the shortcut, needed when stride 2 or a change of "
                       "channels makes a[l] and z[l+2] different shapes.")
ZERO_SECOND = flag("r_zero", "zero_second", "zero W[l+2] and b[l+2]",
                   help="Sets the second layer's weights and biases to 0, as in the lecture.")
CONTROLS = (N, IN_CHANNELS, OUT_CHANNELS, STRIDE, RESIDUAL, PROJECTION, ZERO_SECOND)


@dataclass(frozen=True)
class ResidualResult(LabResult):
    identity_shortcut: bool = True
    zeroed: bool = False
    residual: bool = True
    max_diff: float | None = None  # max |a[l+2] − a[l]| of the residual block (when shapes match)
    max_plain: float = 0.0  # max |a[l+2]| of the plain block (same weights, no shortcut)
    max_diff_plain: float | None = None  # max |a[l+2] − a[l]| of the plain block
    input_min: float = 0.0  # min a[l] (≥ 0: the input comes out of a ReLU)


def residual_block(n: int = N.default, in_channels: int = IN_CHANNELS.default,
                   out_channels: int = OUT_CHANNELS.default, stride: int = STRIDE.default,
                   residual: bool = RESIDUAL.default, projection: bool = PROJECTION.default,
                   zero_second: bool = ZERO_SECOND.default) -> ResidualResult:
    """He et al. 2016's basic block, a[l] → conv → ReLU → conv → (+ a[l]) → ReLU, as the lecture's z = W a + b.

    Convolutions with bias and no batch norm (``BasicBlock(bn=False)``). ``projection``
    allows the 1×1 shortcut W_s where the shapes differ; without it such a block
    cannot be built. ``zero_second`` sets W[l+2] = 0 and b[l+2] = 0; then the real
    forward pass of a non-negative a[l] (an input that came out of a ReLU) gives
    a[l+2] = g(a[l]) = a[l] with the identity shortcut — and zeros without it, which
    the plain block (same weights, ``residual=False``) shows.
    """
    n, cin, cout = N.check(n), IN_CHANNELS.check(in_channels), OUT_CHANNELS.check(out_channels)
    stride = STRIDE.check(stride)
    residual, projection = RESIDUAL.check(residual), PROJECTION.check(projection)
    zero_second = ZERO_SECOND.check(zero_second)
    shapes_differ = stride != 1 or cin != cout
    n_out = costs.conv_output_size(n, 3, stride, 1)
    if residual and shapes_differ and not projection:
        why = []
        if stride != 1:
            why.append(f"stride {stride} shrinks {n} × {n} to {n_out} × {n_out}")
        if cin != cout:
            why.append(f"the channels change from {cin} to {cout}")
        raise ValueError(
            f"The identity shortcut can't be added: a[l] is {n} × {n} × {cin} but z[l+2] is "
            f"{n_out} × {n_out} × {cout} ({' and '.join(why)}). Switch on the projection W_s "
            f"(a 1×1 conv on the shortcut), or use stride 1 and output channels = input channels."
        )
    torch.manual_seed(0)
    block = BasicBlock(cin, cout, stride, residual=True, bn=False)
    plain = BasicBlock(cin, cout, stride, residual=False, bn=False)
    if zero_second:
        with torch.no_grad():
            block.conv2.conv.weight.zero_()
            block.conv2.conv.bias.zero_()
    # Same W[l+1], b[l+1], W[l+2], b[l+2] in the plain block: only the shortcut differs.
    plain.load_state_dict({k: v for k, v in block.state_dict().items() if not k.startswith("shortcut")})
    shown = block if residual else plain
    result = trace(shown, (cin, n, n), name="residual block")

    a_l = seeded_input((cin, n, n), relu=True)  # a[l] came out of a ReLU: a[l] ≥ 0
    with torch.inference_mode():
        block.eval(), plain.eval()
        out_res, out_plain = block(a_l), plain(a_l)
    same = out_res.shape == a_l.shape
    max_diff = float((out_res - a_l).abs().max()) if same else None
    max_diff_plain = float((out_plain - a_l).abs().max()) if same else None

    stages = []
    p, m, t = conv_cost(cin, cout, 3, n_out)
    stages.append(stage(result, "conv1", f"z[l+1] = W[l+1] a[l] + b[l+1] (3×3 conv{', stride 2' if stride == 2 else ''}),"
                                         " a[l+1] = ReLU", p, m, t))
    p, m, t = conv_cost(cout, cout, 3, n_out)
    stages.append(stage(result, "conv2", "z[l+2] = W[l+2] a[l+1] + b[l+2] (3×3 conv)"
                        + (" — zeroed" if zero_second else ""), p, m, t))
    if residual:
        if shapes_differ:
            p, m, t = conv_cost(cin, cout, 1, n_out)
            stages.append(stage(result, "shortcut", "shortcut W_s a[l] (1×1 conv projection)", p, m, t))
        else:
            stages.append(stage(result, "shortcut", "shortcut: identity, a[l] as it is", 0, 0, "no multiplies"))
    stages.append(stage(result, "act", "a[l+2] = ReLU(z[l+2]" + (" + shortcut)" if residual else ")"),
                        0, 0, "no multiplies (the addition is element-wise)"))
    base = lab_result("Residual block" if residual else "Plain block", shown, result, stages)
    return ResidualResult(**base.__dict__, identity_shortcut=not shapes_differ, zeroed=zero_second,
                          residual=residual, max_diff=max_diff, max_plain=float(out_plain.abs().max()),
                          max_diff_plain=max_diff_plain, input_min=float(a_l.min()))

