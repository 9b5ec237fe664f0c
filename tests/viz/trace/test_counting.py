"""viz.trace.counting on hand-made layers: the lecture's numbers, any convolution, linear layers,
element-wise layers and functional calls (no cost lost; the documented blind spot).

The zoo-wide checks (FlopCounterMode, torchinfo, every network) are in test_zoo.py.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from architectures import costs
from architectures.blocks import InceptionModule
from tests.viz.trace.helpers import flop_counter_macs
from viz.trace import layer_macs, trace

# ----------------------------------------------------------------- the lecture's numbers


def test_lecture_5x5_same_conv_on_28x28x192():
    # Lecture (Inception, "the problem of computational cost"): 32 filters 5×5 "same" on
    # 28×28×192 → 28·28·32·5·5·192 = 120,422,400 multiplies.
    result = trace(nn.Conv2d(192, 32, 5, padding=2), (192, 28, 28))
    assert result.total_macs == 120_422_400
    assert result.output_shape == (1, 32, 28, 28)


def test_lecture_bottleneck_version():
    # Lecture: 1×1 conv to 16 channels (2,408,448) then the 5×5 to 32 (10,035,200) = 12,443,648.
    model = nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2))
    result = trace(model, (192, 28, 28))
    assert [r.macs for r in result.records] == [2_408_448, 10_035_200]
    assert result.total_macs == 12_443_648
    assert result.output_shape == (1, 32, 28, 28)


def test_lecture_depthwise_separable_example():
    # Lecture (MobileNet): 6×6×3 input, 3×3 filters, 5 of them → 4×4×5: normal conv 2,160;
    # depthwise 432 + pointwise 240 = 672.
    assert trace(nn.Conv2d(3, 5, 3), (3, 6, 6)).total_macs == 2_160
    separable = nn.Sequential(nn.Conv2d(3, 3, 3, groups=3), nn.Conv2d(3, 5, 1))
    result = trace(separable, (3, 6, 6))
    assert [r.macs for r in result.records] == [432, 240]
    assert result.output_shape == (1, 5, 4, 4)
    cmp = costs.separable_comparison()
    assert (cmp.normal, cmp.depthwise, cmp.pointwise) == (2_160, 432, 240)


def test_inception_3a_output_shape():
    # Lecture / Szegedy et al. 2015, Table 1: inception (3a) takes 28×28×192 to 28×28×256
    # (64 + 128 + 32 + 32 channels).
    module = InceptionModule(192, 64, 96, 128, 16, 32, 32)
    result = trace(module, (192, 28, 28))
    assert result.output_shape == (1, 256, 28, 28)
    assert result.total_macs == flop_counter_macs(module, (1, 192, 28, 28))


# ------------------------------------------------------------ hypothesis: any convolution


@st.composite
def convolutions(draw):
    groups = draw(st.integers(1, 4))
    in_c = groups * draw(st.integers(1, 3))
    out_c = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # Inputs at least as large as the dilated kernel, so the output exists.
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), 14))
    w = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), 14))
    batch = draw(st.integers(1, 3))
    bias = draw(st.booleans())
    conv = nn.Conv2d(in_c, out_c, (kh, kw), stride, padding, dilation, groups, bias=bias)
    return conv, (batch, in_c, h, w)


@settings(max_examples=50, deadline=None)
@given(convolutions())
def test_any_convolution_macs_and_shape_exact(case):
    conv, size = case
    result = trace(conv, size)
    (record,) = result.records
    # Shapes: PyTorch's own forward pass, and the lecture's ⌊(n + 2p − d(f − 1) − 1)/s⌋ + 1.
    with torch.no_grad():
        expected = tuple(conv(torch.zeros(size)).shape)
    assert record.output_shape == expected == result.output_shape
    out_h = costs.conv_output_size(size[2], conv.kernel_size[0], conv.stride[0], conv.padding[0],
                                   conv.dilation[0])
    out_w = costs.conv_output_size(size[3], conv.kernel_size[1], conv.stride[1], conv.padding[1],
                                   conv.dilation[1])
    assert expected[2:] == (out_h, out_w)
    # MACs: #filter params × #filter positions × #filters (costs.conv_macs), per example × batch.
    formula = costs.conv_macs(conv.in_channels, conv.out_channels, conv.kernel_size, out_h, out_w,
                              groups=conv.groups)
    assert record.macs == size[0] * formula == result.total_macs
    assert record.macs == flop_counter_macs(conv, size)
    assert record.params == result.total_params == sum(p.numel() for p in conv.parameters())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(1, 8), st.integers(1, 8))
def test_linear_on_4d_input_counts_every_row(n, c, h, w, out):
    # A Linear on (N, C, H, W) acts on the last dimension: N·C·H rows of w → out.
    model = nn.Sequential(nn.Linear(w, out))
    result = trace(model, (n, c, h, w))
    assert result.output_shape == (n, c, h, out)
    assert result.total_macs == n * c * h * w * out == flop_counter_macs(model, (n, c, h, w))


def test_depthwise_conv_counts_one_filter_per_channel():
    # Depthwise: groups = channels, each filter k·k·1: 3·3·32 weights at 56·56 positions.
    result = trace(nn.Conv2d(32, 32, 3, padding=1, groups=32), (32, 56, 56))
    assert result.total_macs == 3 * 3 * 32 * 56 * 56


def test_transposed_conv_matches_flop_counter():
    model = nn.Sequential(nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1))
    assert trace(model, (2, 4, 5, 7)).total_macs == flop_counter_macs(model, (2, 4, 5, 7))


def test_layer_macs_zero_for_elementwise_layers():
    for module in (nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2), nn.Identity()):
        assert layer_macs(module, (1, 4, 8, 8), (1, 4, 8, 8)) == 0


# ---------------------------------------------------------- functional calls inside forward


class Functional(nn.Module):
    """F.relu, torch.flatten and a residual add inside forward: no records, no cost lost."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 8 * 8, 4)

    def forward(self, x):
        return self.fc(torch.flatten(F.relu(self.conv(x)) + x, 1))


def test_functional_elementwise_ops_lose_no_cost():
    model = Functional()
    result = trace(model, (3, 8, 8))
    assert [r.name for r in result.records] == ["conv", "fc"]
    assert result.total_macs == flop_counter_macs(model, (1, 3, 8, 8)) == 3 * 3 * 3 * 3 * 64 + 192 * 4


class HiddenMatmul(nn.Module):
    """A weight applied with F.linear inside forward: the documented blind spot."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.weight = nn.Parameter(torch.zeros(5, 12))

    def forward(self, x):
        return F.linear(self.flatten(x), self.weight)


def test_functional_matmul_is_reported_as_documented():
    # viz/trace/counting.py's docstring: a functional convolution / matrix product is not counted
    # (the zoo uses modules; the zoo-wide FlopCounterMode test would catch one). Its
    # parameters are still in the totals, reported as the model's own.
    model = HiddenMatmul()
    result = trace(model, (3, 2, 2))
    assert result.total_macs == 0 and flop_counter_macs(model, (1, 3, 2, 2)) == 60
    assert result.total_params == 60 and result.extra["params_of_model"] == 60
