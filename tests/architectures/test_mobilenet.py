"""MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al. 2018) against their papers.

Counts on the meta device; multiply-adds = torch.utils.flop_counter FLOPs / 2 on the
real module (conv and FC multiplies only, DESIGN.md's convention).
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import NETWORKS, build
from architectures.blocks import DepthwiseSeparable, InvertedResidual
from architectures.costs import conv_macs, linear_macs
from architectures.mobilenet import V1_TABLE, make_divisible
from tests.architectures.helpers import n_params


def macs(module: nn.Module, size: tuple[int, int, int]) -> int:
    module.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.zeros((1, *size), device="meta"))
    return counter.get_total_flops() // 2


def stage_shapes(model: nn.Module, size: tuple[int, int, int]) -> dict[str, tuple[int, ...]]:
    x = torch.zeros((1, *size), device="meta")
    shapes = {}
    with torch.no_grad():
        for name, stage in model.eval().named_children():
            x = stage(x)
            shapes[name] = tuple(x.shape[1:])
    return shapes


# ------------------------------------------------------------------ MobileNet v1

# Parameters (with batch norm and the 1000-way FC): 1.0 is the 4,231,976 of the
# official checkpoint ("4.2M", Howard et al. 2017, Table 6); the others are ours and
# round to Table 6's 2.6M, 1.3M, 0.5M.
V1_PARAMS = {1.0: 4_231_976, 0.75: 2_585_560, 0.5: 1_331_592, 0.25: 470_072}
V1_TABLE6_PARAMS_M = {1.0: 4.2, 0.75: 2.6, 0.5: 1.3, 0.25: 0.5}

# Howard et al. 2017, Table 6 (width at 224) and Table 7 (1.0 at each resolution):
# millions of multiply-adds.
V1_PAPER_MACS_M = {
    (1.0, 224): 569, (0.75, 224): 325, (0.5, 224): 149, (0.25, 224): 41,
    (1.0, 192): 418, (1.0, 160): 290, (1.0, 128): 186,
}
# Our exact counts (the paper's figures are these within its rounding: it prints 160's
# 290.7M as 290 but 224's 568.7M as 569). Every width and every resolution appears;
# the other combinations would cost a forward pass each for no new information.
V1_MACS = {
    (1.0, 224): 568_740_352, (1.0, 192): 418_121_728, (1.0, 160): 290_675_200, (1.0, 128): 186_400_768,
    (0.75, 224): 325_400_448, (0.5, 224): 149_497_088, (0.25, 224): 41_030_272,
}


@pytest.mark.parametrize("width", [1.0, 0.75, 0.5, 0.25])
def test_v1_parameters(width):
    model = build("mobilenet_v1", device="meta", width=width)
    assert n_params(model) == V1_PARAMS[width]
    assert round(V1_PARAMS[width] / 1e6, 1) == V1_TABLE6_PARAMS_M[width]


@pytest.mark.parametrize("width, resolution", list(V1_MACS))
def test_v1_multiply_adds(width, resolution):
    model = build("mobilenet_v1", device="meta", width=width, resolution=resolution)
    size = NETWORKS["mobilenet_v1"].input_size_for({"width": width, "resolution": resolution})
    assert size == (3, resolution, resolution)
    assert n_params(model) == V1_PARAMS[width]  # the resolution multiplier adds no parameters
    ours = macs(model, size)
    assert ours == V1_MACS[(width, resolution)]
    assert abs(ours / 1e6 - V1_PAPER_MACS_M[(width, resolution)]) < 1


def test_v1_multiply_adds_from_table1_arithmetic():
    # Howard et al. 2017, Table 1 rows summed with the lecture's formula (costs.conv_macs):
    # stem 3×3×3×32 at 112×112, then per block depthwise (groups = n_c) and pointwise,
    # then FC 1024 × 1000. Must equal what the real module does: 568,740,352.
    n, c, total = 112, 32, conv_macs(3, 32, 3, 112, 112)
    for stride, filters in V1_TABLE:
        n //= stride
        total += conv_macs(c, c, 3, n, n, groups=c) + conv_macs(c, filters, 1, n, n)
        c = filters
    total += linear_macs(1024, 1000)
    assert total == macs(build("mobilenet_v1", device="meta"), (3, 224, 224)) == 568_740_352


def test_v1_has_13_depthwise_separable_blocks_and_table1_shapes():
    model = build("mobilenet_v1", device="meta")
    blocks = [m for m in model.children() if isinstance(m, DepthwiseSeparable)]
    assert len(blocks) == 13  # lecture: 13 depthwise-separable blocks
    # Howard et al. 2017, Table 1 output sizes (n_C, n_H, n_W); the last depthwise stays at
    # 7×7 although the table says "s2" (a typo: the next layer is a 7×7 avg pool).
    expected = {"stem": (32, 112, 112), "block1": (64, 112, 112), "block2": (128, 56, 56),
                "block3": (128, 56, 56), "block4": (256, 28, 28), "block5": (256, 28, 28),
                "block6": (512, 14, 14)}
    expected |= {f"block{i}": (512, 14, 14) for i in range(7, 12)}
    expected |= {"block12": (1024, 7, 7), "block13": (1024, 7, 7), "head": (1000,)}
    assert stage_shapes(model, (3, 224, 224)) == expected
    assert model.block13.depthwise.conv.stride == (1, 1)


def test_v1_block_is_depthwise_then_pointwise():
    # Howard et al. 2017, Fig. 3 (right): 3×3 depthwise → BN → ReLU → 1×1 → BN → ReLU.
    block = build("mobilenet_v1", device="meta").block2
    layers = [type(m).__name__ for m in block.modules() if not list(m.children())]
    assert layers == ["Conv2d", "BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d", "ReLU"]
    assert block.depthwise.conv.groups == 64 and block.depthwise.conv.kernel_size == (3, 3)
    assert block.pointwise.conv.kernel_size == (1, 1)


def test_v1_width_multiplier_scales_channels():
    # §3.3: every layer has α × its channels: at 0.25, 8 … 256.
    shapes = stage_shapes(build("mobilenet_v1", device="meta", width=0.25), (3, 128, 128))
    assert shapes["stem"] == (8, 64, 64)
    assert shapes["block13"] == (256, 4, 4)


def test_v1_real_forward():
    torch.manual_seed(0)
    model = build("mobilenet_v1", width=0.5).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 128, 128))
    assert out.shape == (2, 1000) and torch.isfinite(out).all()


# ------------------------------------------------------------------ MobileNet v2

# Parameters: 1.0 is torchvision's mobilenet_v2 (3,504,872; the paper's Table 4 says
# 3.4M). Other widths are ours; tensorflow/models' slim mobilenet README lists them as
# 1.66 / 1.95 / 2.61 / 3.47 / 5.34 / 6.06M, 1–1.5 % below these.
V2_PARAMS = {0.35: 1_677_128, 0.5: 1_968_680, 0.75: 2_636_424, 1.0: 3_504_872,
             1.3: 5_386_792, 1.4: 6_108_776}
V2_TF_README_PARAMS_M = {0.35: 1.66, 0.5: 1.95, 0.75: 2.61, 1.0: 3.47, 1.3: 5.34, 1.4: 6.06}

# tensorflow/models research/slim/nets/mobilenet/README.md, "MACs (M)" column, which
# truncates to whole millions (e.g. 0.5_128 is 32.6M, listed as 32). Every width at 224
# and every resolution at 1.0, plus two corners; beside each, our exact count.
V2_TF_README_MACS_M = {
    (1.4, 224): (582, 582_195_824), (1.3, 224): (509, 509_374_560),
    (1.0, 224): (300, 300_774_272), (1.0, 192): (221, 221_316_608), (1.0, 160): (154, 154_083_200),
    (1.0, 128): (99, 99_074_048), (1.0, 96): (56, 56_289_152),
    (0.75, 224): (209, 209_069_792), (0.5, 224): (97, 97_131_840), (0.5, 128): (32, 32_578_560),
    (0.35, 224): (59, 59_285_808), (0.35, 96): (11, 11_934_128),
}


@pytest.mark.parametrize("width", list(V2_PARAMS))
def test_v2_parameters(width):
    model = build("mobilenet_v2", device="meta", width=width)
    assert n_params(model) == V2_PARAMS[width]
    assert 0.98 < V2_TF_README_PARAMS_M[width] * 1e6 / V2_PARAMS[width] < 1.0


@pytest.mark.parametrize("width, resolution", list(V2_TF_README_MACS_M))
def test_v2_multiply_adds_match_official_readme(width, resolution):
    # Sandler et al. 2018, Table 4 rounds 1.0-224 to "300M" (torchvision: 0.301 G "_ops")
    # and 1.4-224 to "585M" (the official checkpoint's README: 582M).
    listed, exact = V2_TF_README_MACS_M[(width, resolution)]
    size = NETWORKS["mobilenet_v2"].input_size_for({"width": width, "resolution": resolution})
    model = build("mobilenet_v2", device="meta", width=width, resolution=resolution)
    assert n_params(model) == V2_PARAMS[width]  # resolution changes the input, not the network
    ours = macs(model, size)
    assert ours == exact
    assert int(ours / 1e6) == listed


def test_v2_has_17_bottlenecks_and_table2_shapes():
    model = build("mobilenet_v2", device="meta")
    blocks = [m for m in model.modules() if isinstance(m, InvertedResidual)]
    assert len(blocks) == 17  # lecture / Sandler et al. 2018, Table 2: 1+2+3+4+3+3+1
    # Residual connections where stride 1 and shapes match: the n − 1 repeats of each row.
    assert sum(b.use_residual for b in blocks) == 0 + 1 + 2 + 3 + 2 + 2 + 0
    # Table 2: input sizes of the next row, as (n_C, n_H, n_W).
    assert stage_shapes(model, (3, 224, 224)) == {
        "stem": (32, 112, 112), "stage1": (16, 112, 112), "stage2": (24, 56, 56),
        "stage3": (32, 28, 28), "stage4": (64, 14, 14), "stage5": (96, 14, 14),
        "stage6": (160, 7, 7), "stage7": (320, 7, 7), "last_conv": (1280, 7, 7), "head": (1000,),
    }


def test_v2_bottleneck_layout():
    model = build("mobilenet_v2", device="meta")
    first = model.stage1[0]
    assert isinstance(first.expand, nn.Identity)  # t = 1: no expansion layer
    block = model.stage3[1]  # 32 → ×6 = 192 → 32, stride 1, residual
    assert block.expand.conv.out_channels == 192 and block.depthwise.conv.groups == 192
    assert isinstance(block.expand.act, nn.ReLU6) and isinstance(block.depthwise.act, nn.ReLU6)
    assert not hasattr(block.project, "act")  # linear bottleneck: no ReLU after the projection
    assert block.use_residual


def test_v2_width_rounding_like_official_code():
    # _make_divisible (official code / torchvision): nearest multiple of 8, ≥ 90 % of the value.
    assert [make_divisible(c * 0.35) for c in (32, 16, 24, 32, 64, 96, 160, 320)] == [
        16, 8, 8, 16, 24, 32, 56, 112]
    assert make_divisible(1280 * 1.4) == 1792
    shapes = stage_shapes(build("mobilenet_v2", device="meta", width=0.35), (3, 224, 224))
    assert shapes["stage1"][0] == 8 and shapes["last_conv"][0] == 1280  # last layer kept for α < 1
    shapes = stage_shapes(build("mobilenet_v2", device="meta", width=1.4), (3, 224, 224))
    assert shapes["last_conv"][0] == 1792


def test_v2_real_forward():
    torch.manual_seed(0)
    model = build("mobilenet_v2").eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 96, 96))
    assert out.shape == (2, 1000) and torch.isfinite(out).all()


def test_specs_and_bad_options():
    for name in ("mobilenet_v1", "mobilenet_v2"):
        spec = NETWORKS[name]
        assert spec.family == "mobile" and spec.input_size == (3, 224, 224)
        assert spec.input_size_for({"resolution": 160}) == (3, 160, 160)
    with pytest.raises(ValueError, match=r"width=0\.3 .*one of 1\.0, 0\.75, 0\.5, 0\.25"):
        build("mobilenet_v1", device="meta", width=0.3)
    with pytest.raises(ValueError, match="resolution=100"):
        NETWORKS["mobilenet_v2"].input_size_for({"resolution": 100})
