"""architectures/costs.py: the lecture's arithmetic (DESIGN.md's table), and agreement
with multiply-adds counted from real nn.Conv2d / nn.Linear modules."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import costs
from viz.trace import trace


def flop_counter_macs(module: nn.Module, shape: tuple[int, ...]) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.zeros(shape, device="meta"))
    return counter.get_total_flops() // 2


# ---------------------------------------------------------------- the lecture's numbers


def test_inception_bottleneck_numbers():
    # Lecture (DESIGN.md table): a 5×5 same conv, 32 filters, on 28×28×192:
    # 28·28·32·5·5·192 = 120,422,400 multiplies; with a 1×1 bottleneck to 16 channels first,
    # 2,408,448 + 10,035,200 = 12,443,648.
    c = costs.bottleneck_comparison()
    assert c.direct == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert c.reduce == 28 * 28 * 16 * 192 == 2_408_448
    assert c.expand == 28 * 28 * 32 * 5 * 5 * 16 == 10_035_200
    assert c.bottlenecked == 12_443_648
    assert round(c.saving, 2) == 9.68  # "about 10 times" cheaper


def test_inception_module_3a_output_channels():
    # Lecture: inception (3a) outputs 28×28×256 = 64 + 128 + 32 + 32 channels, all "same".
    assert costs.conv_output_size(28, 5, 1, costs.same_padding(5)) == 28
    assert costs.conv_output_size(28, 3, 1, costs.same_padding(3)) == 28
    assert 64 + 128 + 32 + 32 == 256


def test_depthwise_separable_numbers():
    # Lecture: 6×6×3 input, 3×3 filters, 5 filters → 4×4×5. Normal: 2,160 multiplies.
    # Depthwise 3×3 on each of 3 channels → 4×4×3: 432; pointwise 1×1×3, 5 filters: 240.
    c = costs.separable_comparison()
    assert c.out_size == 4
    assert c.normal == (3 * 3 * 3) * (4 * 4) * 5 == 2_160
    assert c.depthwise == (3 * 3) * (4 * 4) * 3 == 432
    assert c.pointwise == (1 * 1 * 3) * (4 * 4) * 5 == 240
    assert c.separable == 432 + 240 == 672
    assert round(c.ratio, 2) == 0.31
    # … which is exactly 1/n_c' + 1/f² = 1/5 + 1/9.
    assert c.ratio == pytest.approx(costs.separable_ratio_formula(5, 3)) == pytest.approx(1 / 5 + 1 / 9)


def test_separable_ratio_formula_lecture_example():
    # Lecture / Howard et al. 2017, eq. 5: 1/n_c' + 1/f², e.g. 1/512 + 1/9 ≈ 0.113
    # (8 to 9 times fewer multiplies for 3×3 filters).
    ratio = costs.separable_ratio_formula(512, 3)
    assert ratio == pytest.approx(1 / 512 + 1 / 9)
    assert round(ratio, 3) == 0.113
    assert 8 < 1 / ratio < 9


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 40), n_c=st.integers(1, 16), f=st.sampled_from([1, 3, 5, 7]),
       n_c_out=st.integers(1, 64))
def test_separable_ratio_is_the_formula_for_any_shape(n, n_c, f, n_c_out):
    # (f²·n_c + n_c·n_c') / (f²·n_c·n_c') = 1/n_c' + 1/f², whatever the input size.
    if f > n:
        with pytest.raises(ValueError, match="does not fit"):
            costs.separable_comparison(n, n_c, f, n_c_out)
        return
    c = costs.separable_comparison(n, n_c, f, n_c_out)
    assert c.ratio == pytest.approx(costs.separable_ratio_formula(n_c_out, f))


def test_compound_scaling_doubles_cost_per_phi():
    # Tan & Le 2019, eq. 3: α = 1.2, β = 1.1, γ = 1.15 with α·β²·γ² ≈ 2, so the cost
    # d·w²·r² grows by about 2^φ.
    assert costs.compound_coefficients(1) == (1.2, 1.1, 1.15)
    per_phi = costs.scaling_cost_factor(1.2, 1.1, 1.15)
    assert per_phi == pytest.approx(1.2 * 1.1**2 * 1.15**2) == pytest.approx(1.92027)
    assert abs(math.log2(per_phi) - 1) < 0.06  # ≈ 2
    for phi in (0, 1, 2, 3.5, 7):
        d, w, r = costs.compound_coefficients(phi)
        assert (d, w, r) == pytest.approx((1.2**phi, 1.1**phi, 1.15**phi))
        factor = costs.scaling_cost_factor(d, w, r)
        assert factor == pytest.approx(per_phi**phi)
        assert abs(math.log2(factor) - phi) <= 0.06 * phi + 1e-12  # ≈ 2^φ


def test_scaling_cost_factor_is_d_w2_r2():
    # Tan & Le 2019, §3.3: doubling depth doubles the cost; doubling width or resolution
    # quadruples it.
    assert costs.scaling_cost_factor(2, 1, 1) == 2
    assert costs.scaling_cost_factor(1, 2, 1) == 4
    assert costs.scaling_cost_factor(1, 1, 2) == 4
    assert costs.scaling_cost_factor(1, 1, 1) == 1


def test_conv_output_size_lecture_formula():
    # ⌊(n + 2p − f)/s⌋ + 1: 6×6, f = 3 → 4; 224, 7×7/2, p = 3 → 112 (GoogLeNet, ResNet);
    # 227, 11×11/4 → 55 (AlexNet).
    assert costs.conv_output_size(6, 3) == 4
    assert costs.conv_output_size(224, 7, 2, 3) == 112
    assert costs.conv_output_size(227, 11, 4) == 55
    assert [costs.same_padding(f) for f in (1, 3, 5, 7)] == [0, 1, 2, 3]


# ---------------------------------------------------------- against real modules


@settings(max_examples=40, deadline=None)
@given(
    in_per_group=st.integers(1, 8), out_per_group=st.integers(1, 8), groups=st.integers(1, 4),
    kernel=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 2),
    n=st.integers(5, 20), bias=st.booleans(),
)
def test_conv_macs_and_params_match_a_real_conv2d(in_per_group, out_per_group, groups, kernel,
                                                   stride, padding, n, bias):
    in_c, out_c = in_per_group * groups, out_per_group * groups
    conv = nn.Conv2d(in_c, out_c, kernel, stride, padding, groups=groups, bias=bias, device="meta")
    out_n = costs.conv_output_size(n, kernel, stride, padding)
    expected = costs.conv_macs(in_c, out_c, kernel, out_n, out_n, groups=groups)
    # Shapes and multiply-adds counted from the real module by the tracer …
    result = trace(nn.Sequential(conv), (in_c, n, n))
    assert result.output_shape == (1, out_c, out_n, out_n)
    assert result.total_macs == expected
    # … and by PyTorch's own FLOP counter (FLOPs = 2 × MACs).
    assert flop_counter_macs(conv, (1, in_c, n, n)) == expected
    assert costs.conv_params(in_c, out_c, kernel, groups, bias) == sum(p.numel() for p in conv.parameters())


def test_conv_macs_lecture_example_on_a_real_module():
    # The lecture's 120,422,400: a real 5×5 "same" conv, 192 → 32 channels, at 28×28.
    conv = nn.Conv2d(192, 32, 5, padding=2, device="meta")
    assert trace(nn.Sequential(conv), (192, 28, 28)).total_macs == 120_422_400
    assert flop_counter_macs(conv, (1, 192, 28, 28)) == 120_422_400
    # Depthwise (groups = n_c) 3×3 on 6×6×3 → 4×4×3: the lecture's 432.
    depthwise = nn.Conv2d(3, 3, 3, groups=3, bias=False, device="meta")
    assert flop_counter_macs(depthwise, (1, 3, 6, 6)) == 432


def test_conv_macs_rectangular_kernel():
    conv = nn.Conv2d(4, 6, (1, 3), device="meta")
    assert costs.conv_macs(4, 6, (1, 3), 10, 8) == flop_counter_macs(conv, (1, 4, 10, 10)) == 4 * 3 * 80 * 6


def test_linear_macs_match_a_real_linear():
    # AlexNet's / VGG's FC layers: in × out multiplies per example.
    fc = nn.Linear(4096, 1000, device="meta")
    assert costs.linear_macs(4096, 1000) == flop_counter_macs(fc, (1, 4096)) == 4_096_000


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="groups=3 must divide both in_channels=4 and out_channels=6"):
        costs.conv_macs(4, 6, 3, 8, 8, groups=3)
    with pytest.raises(ValueError, match="a 5×5 filter does not fit a 3×3 input"):
        costs.separable_comparison(n=3, f=5)
