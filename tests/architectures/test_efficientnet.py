"""EfficientNet B0–B7 and the free-φ rule against Tan & Le 2019 and torchvision.

Counts, stage shapes and multiply-adds come from the meta device (no weights, no
arithmetic: a forward pass at B7's 600×600 costs what one at 64×64 does), running the
stages one by one under torch.utils.flop_counter (multiply-adds = FLOPs / 2). Each
variant is also built with real weights and run for real once, on a small 96×96 input.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import NETWORKS, build
from architectures.blocks import InvertedResidual, SqueezeExcite
from architectures.costs import compound_coefficients, scaling_cost_factor
from architectures.efficientnet import B0_TABLE, PHI_RANGE, VARIANTS, phi_scaling
from tests.architectures.helpers import n_params


def run_stages(model: nn.Module, size: tuple[int, int, int]):
    """One forward pass, stage by stage: ({stage: (C, H, W)}, multiply-adds, output)."""
    device = next(model.parameters()).device
    x = torch.randn((1, *size), device=device)
    shapes = {}
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        for name, stage in model.eval().named_children():
            x = stage(x)
            shapes[name] = tuple(x.shape[1:])
    return shapes, counter.get_total_flops() // 2, x


# torchvision.models.efficientnet_b0 … b7 weights' meta "num_params" (the official
# checkpoints' counts; Tan & Le 2019, Table 2 gives 5.3M … 66M, B2 as 9.2M).
TORCHVISION_PARAMS = {
    "b0": 5_288_548, "b1": 7_794_184, "b2": 9_109_994, "b3": 12_233_232,
    "b4": 19_341_616, "b5": 30_389_784, "b6": 43_040_704, "b7": 66_347_960,
}
# torchvision's meta "_ops" (GFLOPS in its docs, numerically multiply-adds), measured at
# torchvision's crop size — the official resolution except B2, evaluated at 288 (not 260).
TORCHVISION_OPS = {
    "b0": (224, 0.386), "b1": (240, 0.687), "b2": (288, 1.088), "b3": (300, 1.827),
    "b4": (380, 4.394), "b5": (456, 10.266), "b6": (528, 19.068), "b7": (600, 37.746),
}
# Tan & Le 2019, Table 2 "#FLOPS" (multiply-adds) in billions.
PAPER_FLOPS_B = {"b0": 0.39, "b1": 0.70, "b2": 1.0, "b3": 1.8, "b4": 4.2, "b5": 9.9, "b6": 19, "b7": 37}
# Our exact multiply-adds at the official resolutions.
OUR_MACS = {
    "b0": 385_814_752, "b1": 686_802_832, "b2": 993_561_872, "b3": 1_827_141_392,
    "b4": 4_393_771_024, "b5": 10_266_384_752, "b6": 19_067_593_536, "b7": 37_745_884_192,
}
# Table 1 (B0) scaled by the official (w, d): resolution, channels of stem, stage1…7 and
# last_conv (make_divisible(c·w, 8); last = 4 × stage7), and layers per stage (ceil(d·n)).
SCALED = {
    "b0": (224, (32, 16, 24, 40, 80, 112, 192, 320, 1280), (1, 2, 2, 3, 3, 4, 1)),
    "b1": (240, (32, 16, 24, 40, 80, 112, 192, 320, 1280), (2, 3, 3, 4, 4, 5, 2)),
    "b2": (260, (32, 16, 24, 48, 88, 120, 208, 352, 1408), (2, 3, 3, 4, 4, 5, 2)),
    "b3": (300, (40, 24, 32, 48, 96, 136, 232, 384, 1536), (2, 3, 3, 5, 5, 6, 2)),
    "b4": (380, (48, 24, 32, 56, 112, 160, 272, 448, 1792), (2, 4, 4, 6, 6, 8, 2)),
    "b5": (456, (48, 24, 40, 64, 128, 176, 304, 512, 2048), (3, 5, 5, 7, 7, 9, 3)),
    "b6": (528, (56, 32, 40, 72, 144, 200, 344, 576, 2304), (3, 6, 6, 8, 8, 11, 3)),
    "b7": (600, (64, 32, 48, 80, 160, 224, 384, 640, 2560), (4, 7, 7, 10, 10, 13, 4)),
}
STAGES = ["stem"] + [f"stage{i}" for i in range(1, 8)] + ["last_conv"]
# Downsampling of each stage's output (stem /2, then Table 1's strides 1, 2, 2, 2, 1, 2, 1).
DOWNSAMPLE = (2, 2, 4, 8, 16, 16, 32, 32, 32)


def expected_shapes(variant: str) -> dict[str, tuple[int, ...]]:
    resolution, channels, _ = SCALED[variant]
    # Stride-2 "same" convolutions (k = 3, p = 1 or k = 5, p = 2) give ⌈n/2⌉.
    shapes = {name: (c, -(-resolution // d), -(-resolution // d))
              for name, c, d in zip(STAGES, channels, DOWNSAMPLE)}
    return shapes | {"head": (1000,)}


def test_b0_shapes_are_table1():
    # Tan & Le 2019, Table 1: resolutions 224 → 112 → 112 → 56 → 28 → 14 → 14 → 7 → 7
    # (each row's input), channels 32, 16, 24, 40, 80, 112, 192, 320, 1280.
    assert expected_shapes("b0") == {
        "stem": (32, 112, 112), "stage1": (16, 112, 112), "stage2": (24, 56, 56),
        "stage3": (40, 28, 28), "stage4": (80, 14, 14), "stage5": (112, 14, 14),
        "stage6": (192, 7, 7), "stage7": (320, 7, 7), "last_conv": (1280, 7, 7), "head": (1000,),
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_parameters_shapes_and_macs(variant):
    name = f"efficientnet_{variant}"
    spec = NETWORKS[name]
    resolution, channels, repeats = SCALED[variant]
    assert spec.input_size == (3, resolution, resolution)
    model = build(name, device="meta")
    assert n_params(model) == TORCHVISION_PARAMS[variant]
    assert [len(getattr(model, f"stage{i}")) for i in range(1, 8)] == list(repeats)
    # At the variant's own resolution (B7: 600×600).
    shapes, macs, out = run_stages(model, spec.input_size)
    assert shapes == expected_shapes(variant)
    assert out.shape == (1, 1000)
    assert macs == OUR_MACS[variant]
    if variant != "b2":
        assert round(macs / 1e9, 3) == TORCHVISION_OPS[variant][1]
    # The paper's Table 2 figures are rounder and a little off for B4/B5 (4.2 vs 4.39 B,
    # 9.9 vs 10.27 B): within 5 %.
    assert abs(macs / 1e9 / PAPER_FLOPS_B[variant] - 1) < 0.05


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_real_forward(variant):
    torch.manual_seed(0)
    model = build(f"efficientnet_{variant}")
    shapes, macs, out = run_stages(model, (3, 96, 96))
    assert shapes["stage7"] == (SCALED[variant][1][7], 3, 3)  # 96 / 32
    assert out.shape == (1, 1000) and torch.isfinite(out).all()
    assert 0 < macs < OUR_MACS[variant]


def test_b2_at_torchvisions_288_matches_its_ops():
    # torchvision evaluates B2 at 288×288 and lists 1.088 G; the official resolution is 260.
    _, macs, _ = run_stages(build("efficientnet_b2", device="meta"), (3, 288, 288))
    assert round(macs / 1e9, 3) == TORCHVISION_OPS["b2"][1]


def test_mbconv_blocks_follow_table1():
    model = build("efficientnet_b0", device="meta")
    blocks = [m for m in model.modules() if isinstance(m, InvertedResidual)]
    assert len(blocks) == 16  # Table 1: 1 + 2 + 2 + 3 + 3 + 4 + 1
    for i, (t, k, _c, _n, s) in enumerate(B0_TABLE, start=1):
        first = getattr(model, f"stage{i}")[0]
        assert first.depthwise.conv.kernel_size == (k, k)  # "MBConv6, k5x5" …
        assert first.depthwise.conv.stride == (s, s)
        assert isinstance(first.expand, nn.Identity) == (t == 1)  # MBConv1 has no expansion
        assert isinstance(first.depthwise.act, nn.SiLU)
        # Squeeze-excite on the expanded features, reducing to ¼ of the block's input channels.
        assert isinstance(first.se, SqueezeExcite)
        block_in = first.depthwise.conv.in_channels if t == 1 else first.expand.conv.in_channels
        assert first.se.reduce.out_channels == block_in // 4
    assert model.stage2[0].se.reduce.out_channels == 4   # 16 input channels × 0.25
    assert model.stage2[1].se.reduce.out_channels == 6   # 24 × 0.25


def test_free_phi_rule():
    # Tan & Le 2019, eq. 3: d = 1.2^φ, w = 1.1^φ, r = 1.15^φ (× 224).
    spec = NETWORKS["efficientnet"]
    assert phi_scaling(0) == (1.0, 1.0, 224)
    assert spec.input_size_for({"phi": 1}) == (3, 258, 258)    # 224 × 1.15
    assert spec.input_size_for({"phi": 2}) == (3, 296, 296)    # 224 × 1.3225
    assert spec.input_size_for({"phi": -1}) == (3, 195, 195)
    # φ = 0 is B0 (torchvision's 5,288,548). φ = 1 gives w = 1.1, d = 1.2: exactly B2's
    # official coefficients (B2 runs at 260, the rule says 258); φ = 2 (w = 1.21, d = 1.44)
    # rounds to B3's layers (w = 1.2, d = 1.4): same parameter counts.
    assert n_params(build("efficientnet", device="meta", phi=0)) == TORCHVISION_PARAMS["b0"]
    assert n_params(build("efficientnet", device="meta", phi=1)) == TORCHVISION_PARAMS["b2"]
    assert n_params(build("efficientnet", device="meta", phi=2)) == TORCHVISION_PARAMS["b3"]
    assert n_params(build("efficientnet", device="meta", phi=-1)) == 4_537_832  # ours


def test_free_phi_cost_grows_about_2_to_the_phi():
    # The rule's cost factor is (α·β²·γ²)^φ = 1.92^φ (costs.scaling_cost_factor). The real
    # network grows faster at φ = 1 (2.57×) because layer counts round up (ceil(1.2·n):
    # 16 → 23 blocks, +44 % instead of +20 %) — the rounding the official code also does.
    spec = NETWORKS["efficientnet"]
    macs = {}
    for phi in (0, 1):
        model = build("efficientnet", device="meta", phi=phi)
        _, macs[phi], _ = run_stages(model, spec.input_size_for({"phi": phi}))
    assert macs[0] == OUR_MACS["b0"]
    assert macs[1] == 992_629_472
    assert scaling_cost_factor(*compound_coefficients(1)) == pytest.approx(1.92, abs=0.01)
    assert round(macs[1] / macs[0], 2) == 2.57


def test_free_phi_real_forward_small():
    # φ = −2: w = 0.83, d = 0.69, 169×169 input — the cheap end of the slider.
    torch.manual_seed(0)
    spec = NETWORKS["efficientnet"]
    size = spec.input_size_for({"phi": -2})
    assert size == (3, 169, 169)
    shapes, _, out = run_stages(build("efficientnet", phi=-2), size)
    # 320 × 1.1^−2 = 264.5 → 264 (multiple of 8); 169 / 32 → ⌈⌉ = 6.
    assert shapes["stage7"] == (264, 6, 6)
    assert out.shape == (1, 1000) and torch.isfinite(out).all()


def test_specs_and_bad_options():
    names = [n for n in NETWORKS if n.startswith("efficientnet")]
    assert names == [f"efficientnet_b{i}" for i in range(8)] + ["efficientnet"]
    for name in names:
        assert NETWORKS[name].family == "efficient"
        assert "Tan" in NETWORKS[name].paper and "2019" in NETWORKS[name].paper
    assert NETWORKS["efficientnet_b7"].extra["published"]["torchvision_params"] == 66_347_960
    with pytest.raises(ValueError, match=r"phi=9 .*from -2\.0 to 8\.0"):
        build("efficientnet", device="meta", phi=9)
    with pytest.raises(ValueError, match="phi='big'"):
        build("efficientnet", device="meta", phi="big")
    with pytest.raises(ValueError, match="unknown option"):
        build("efficientnet_b0", device="meta", phi=1)
    assert PHI_RANGE == (-2.0, 8.0)
