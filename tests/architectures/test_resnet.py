"""ResNet-18…152 and their plain twins (He et al. 2016): parameters, stage table, shapes, costs, forward."""

import functools

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import NETWORKS, build
from architectures.blocks import BasicBlock, Bottleneck
from architectures.costs import conv_macs, conv_params, linear_macs
from architectures.resnet import LAYERS, STAGE_WIDTHS
from tests.architectures.helpers import n_params

DEPTHS = (18, 34, 50, 101, 152)
BOTTLENECK = (50, 101, 152)




def options(depth, residual=True, variant="paper"):
    return {"residual": residual} | ({"variant": variant} if depth in BOTTLENECK else {})


@functools.cache
def meta_model(depth, residual=True, variant="paper"):
    """Each configuration built once on the meta device (no weights) and shared by the tests that
    only read it."""
    return build(f"resnet{depth}", device="meta", **options(depth, residual, variant)).eval()


@functools.cache
def meta_pass(depth, residual=True, variant="paper"):
    """One forward pass on the meta device, stage by stage: (stage shapes, multiply-adds)."""
    x = torch.zeros(1, 3, 224, 224, device="meta")
    shapes = []
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        for name, stage in meta_model(depth, residual, variant).named_children():
            x = stage(x)
            shapes.append((name, tuple(x.shape[1:])))
    return shapes, counter.get_total_flops() // 2  # torch counts 2 FLOPs per multiply-add


def meta_macs(depth, residual=True, variant="paper"):
    return meta_pass(depth, residual, variant)[1]


# Every configuration: the variant option exists for the bottleneck networks only.
CONFIGS = [(d, r, v) for d in DEPTHS for r in (True, False)
           for v in (("paper", "v1.5") if d in BOTTLENECK else ("paper",))]


# (residual, plain): the residual counts are torchvision's model cards (resnet18 … resnet152) and
# issue #2; the plain twins are pinned from this code and checked below to be exactly the residual
# count minus the projection shortcuts (1×1 conv + BN where a stage changes shape).
PARAMS = {
    18: (11_689_512, 11_515_688),
    34: (21_797_672, 21_623_848),
    50: (25_557_032, 22_780_456),
    101: (44_549_160, 41_772_584),
    152: (60_192_808, 57_416_232),
}


@pytest.mark.parametrize("depth, residual, variant", CONFIGS)
def test_parameter_count(depth, residual, variant):
    assert n_params(meta_model(depth, residual, variant)) == PARAMS[depth][0 if residual else 1]


@pytest.mark.parametrize("depth", DEPTHS)
def test_plain_twin_loses_exactly_the_projection_shortcuts(depth):
    block, repeats = LAYERS[depth]
    projections, c_in = 0, 64
    for width in STAGE_WIDTHS:
        c_out = width * block.expansion
        if c_out != c_in or width != 64:  # first block of each stage but a basic-block layer1
            projections += conv_params(c_in, c_out, 1, bias=False) + 2 * c_out  # W_s and its BN's γ, β
        c_in = c_out
    assert PARAMS[depth][0] - PARAMS[depth][1] == projections


@pytest.mark.parametrize("depth", DEPTHS)
def test_stage_table_and_weight_layers(depth):
    model = meta_model(depth)
    block, repeats = LAYERS[depth]
    # He et al. 2016, Table 1: conv2_x … conv5_x have these many blocks.
    assert {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3),
            152: (3, 8, 36, 3)}[depth] == repeats
    assert block is (Bottleneck if depth in BOTTLENECK else BasicBlock)
    for i, n in enumerate(repeats, start=1):
        stage = getattr(model, f"layer{i}")
        assert len(stage) == n and all(type(b) is block for b in stage)
    # The depth counts the weight layers on the main path: the 7×7 stem, the blocks' convs, the FC.
    main_path = [m for name, m in model.named_modules()
                 if isinstance(m, (nn.Conv2d, nn.Linear)) and "shortcut" not in name]
    assert len(main_path) == depth


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("residual", [True, False])
def test_stage_shapes(depth, residual):
    e = 4 if depth in BOTTLENECK else 1
    # He et al. 2016, Table 1: output sizes 112 (conv1), 56 (after the pool, conv2_x), 28, 14, 7, then 1×1.
    assert meta_pass(depth, residual)[0] == [
        ("stem", (64, 56, 56)),
        ("layer1", (64 * e, 56, 56)),
        ("layer2", (128 * e, 28, 28)),
        ("layer3", (256 * e, 14, 14)),
        ("layer4", (512 * e, 7, 7)),
        ("head", (1000,)),
    ]


def test_variant_moves_the_stride():
    paper, v15 = meta_model(50, True, "paper"), meta_model(50, True, "v1.5")
    for stage in ("layer2", "layer3", "layer4"):
        first_paper, first_v15 = getattr(paper, stage)[0], getattr(v15, stage)[0]
        assert (first_paper.conv1.conv.stride, first_paper.conv2.conv.stride) == ((2, 2), (1, 1))
        assert (first_v15.conv1.conv.stride, first_v15.conv2.conv.stride) == ((1, 1), (2, 2))


def test_plain_twin_has_no_shortcuts():
    plain = meta_model(50, False)
    assert all(isinstance(b.shortcut, nn.Identity) and not b.residual
               for stage in ("layer1", "layer2", "layer3", "layer4") for b in getattr(plain, stage))
    resnet = meta_model(50)
    assert isinstance(resnet.layer2[0].shortcut, nn.Sequential)  # the projection W_s (1×1 conv + BN)
    assert isinstance(resnet.layer2[1].shortcut, nn.Identity)


def resnet_macs_from_table(depth, residual=True, variant="paper"):
    """Multiply-adds from Table 1 alone, with the cost formula."""
    block, repeats = LAYERS[depth]
    total = conv_macs(3, 64, 7, 112, 112)  # the 7×7/2 stem
    n, c_in = 56, 64
    for i, (w, r) in enumerate(zip(STAGE_WIDTHS, repeats)):
        for j in range(r):
            s = 2 if (j == 0 and i > 0) else 1
            m = n // s
            if block is BasicBlock:
                c_out = w
                total += conv_macs(c_in, w, 3, m, m) + conv_macs(w, w, 3, m, m)
            else:
                c_out = 4 * w
                first_1x1_at = m if variant == "paper" else n  # where the stride sits
                total += conv_macs(c_in, w, 1, first_1x1_at, first_1x1_at)
                total += conv_macs(w, w, 3, m, m) + conv_macs(w, c_out, 1, m, m)
            if residual and (s != 1 or c_in != c_out):
                total += conv_macs(c_in, c_out, 1, m, m)  # projection shortcut
            n, c_in = m, c_out
    return total + linear_macs(c_in, 1000)


@pytest.mark.parametrize("depth, residual, variant", CONFIGS)
def test_multiply_adds_agree_with_the_cost_formula(depth, residual, variant):
    assert meta_macs(depth, residual, variant) == resnet_macs_from_table(depth, residual, variant)


@pytest.mark.parametrize(
    "depth, variant, expected",
    [
        # torchvision's resnet18 card: 1.81 G; pinned exactly from this code.
        (18, "paper", 1_814_073_344),
        # He et al. 2016, Table 1: ResNet-50 "3.8×10⁹ FLOPs" (multiply-adds); pinned exactly from this code.
        (50, "paper", 3_857_973_248),
        # torchvision's resnet50 (v1.5) card: 4.09 G; exactly 4,089,184,256 (issue #2).
        (50, "v1.5", 4_089_184_256),
    ],
)
def test_published_multiply_adds(depth, variant, expected):
    assert meta_macs(depth, True, variant) == expected


@pytest.mark.parametrize("depth", DEPTHS)
def test_multiply_adds_match_the_paper_and_torchvision(depth):
    published = NETWORKS[f"resnet{depth}"].extra["published"]
    paper = meta_macs(depth, True, "paper")
    v15 = meta_macs(depth, True, "v1.5" if depth in BOTTLENECK else "paper")  # 18, 34: no variant
    # He et al. 2016, Table 1: 1.8, 3.6, 3.8, 7.6, 11.3 ×10⁹ — within 2 % (the paper rounds; 3.66 → "3.6").
    assert abs(paper / published["macs"] - 1) < 0.02
    # torchvision's cards (v1.5): 1.81, 3.66, 4.09, 7.80, 11.51 G, to the two decimals they give.
    assert round(v15 / 1e9, 2) == published["torchvision_macs"] / 1e9
    assert n_params(meta_model(depth)) == published["torchvision_params"]


@pytest.mark.parametrize("depth, residual, variant, size", [
    (18, True, "paper", 224), (18, False, "paper", 224), (34, True, "paper", 224), (50, True, "paper", 224),
    (101, True, "v1.5", 128), (152, True, "paper", 128),
])
def test_real_forward(depth, residual, variant, size):
    # The deepest two at 128×128 to keep the suite fast: global average pooling takes other sizes
    # (128 → 4×4 before the pool); their 224×224 shapes are checked on the meta device above.
    torch.manual_seed(0)
    model = build(f"resnet{depth}", **options(depth, residual, variant)).eval()
    with torch.inference_mode():
        out = model(torch.randn(2, 3, size, size))
    assert out.shape == (2, 1000)
    assert torch.isfinite(out).all()
    assert not torch.equal(out[0], out[1])  # two different images, two different outputs


def test_identity_is_easy_for_a_residual_block():
    """The lecture: with W[l+2] = 0, b[l+2] = 0, a[l+2] = g(a[l]) = a[l] since a[l] ≥ 0."""
    torch.manual_seed(0)
    for residual, expected in ((True, "identity"), (False, "zero")):
        block = build("resnet18", residual=residual).layer1[0].eval()
        nn.init.zeros_(block.conv2.bn.weight)  # the block's last layer outputs z[l+2] = 0
        nn.init.zeros_(block.conv2.bn.bias)
        a = torch.relu(torch.randn(2, 64, 8, 8))
        with torch.inference_mode():
            out = block(a)
        assert torch.equal(out, a if expected == "identity" else torch.zeros_like(a))


def test_spec():
    for depth in DEPTHS:
        spec = NETWORKS[f"resnet{depth}"]
        assert spec.family == "residual" and spec.title == f"ResNet-{depth}"
        names = [o.name for o in spec.options]
        assert names == (["residual", "variant", "num_classes"] if depth in BOTTLENECK
                         else ["residual", "num_classes"])
        assert spec.defaults()["residual"] is True
