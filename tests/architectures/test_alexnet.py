"""AlexNet (Krizhevsky et al. 2012): parameters per option, shapes, LRN, multiply-adds, forward."""

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import NETWORKS, build
from architectures.costs import conv_macs, conv_output_size, conv_params, linear_macs
from tests.architectures.helpers import n_params, stage_shapes


@pytest.fixture(scope="module")
def real_alexnet():
    torch.manual_seed(0)
    return build("alexnet").eval()


@pytest.mark.parametrize(
    "groups, lrn, expected",
    [
        # Issue #2 / the paper's two-GPU network (conv2, conv4, conv5 split in two): 60,965,224;
        # the paper's abstract and the lecture say "60 million".
        (2, True, 60_965_224),
        (2, False, 60_965_224),  # LRN has no parameters
        # Issue #2: a single stream (every filter sees every channel): 62,378,344.
        (1, True, 62_378_344),
        (1, False, 62_378_344),
    ],
)
def test_parameter_count(groups, lrn, expected):
    assert n_params(build("alexnet", device="meta", groups=groups, lrn=lrn)) == expected


def test_grouping_halves_the_split_layers_weights():
    split = build("alexnet", device="meta", groups=2)
    single = build("alexnet", device="meta", groups=1)
    # Paper Fig. 2: conv2, conv4, conv5 take only their own GPU's half of the channels.
    for stage, (c_in, c_out, f) in {"conv2": (96, 256, 5), "conv4": (384, 384, 3), "conv5": (384, 256, 3)}.items():
        assert n_params(getattr(split, stage)) == conv_params(c_in, c_out, f, groups=2)
        assert n_params(getattr(single, stage)) == conv_params(c_in, c_out, f)
    # conv1 (both GPUs see the image) and conv3 (crosses the GPUs) are never split.
    assert n_params(split.conv3) == n_params(single.conv3) == conv_params(256, 384, 3)
    assert n_params(split.conv1) == conv_params(3, 96, 11)


@pytest.mark.parametrize("groups", [2, 1])
def test_stage_shapes(groups):
    model = build("alexnet", device="meta", groups=groups)
    # The lecture: 227×227×3 → conv 11×11 /4 → 55×55×96 → max-pool 3×3 /2 → 27×27 ... → 6×6×256 → 4096 → 4096 → 1000.
    conv1 = model.conv1.conv(torch.zeros(1, 3, 227, 227, device="meta"))
    assert tuple(conv1.shape[1:]) == (96, 55, 55) and conv_output_size(227, 11, 4) == 55
    assert stage_shapes(model, (3, 227, 227)) == [
        ("conv1", (96, 27, 27)),
        ("conv2", (256, 13, 13)),
        ("conv3", (384, 13, 13)),
        ("conv4", (384, 13, 13)),
        ("conv5", (256, 6, 6)),
        ("fc6", (4096,)),
        ("fc7", (4096,)),
        ("fc8", (1000,)),
    ]


def test_lrn_option_places_lrn_after_conv1_and_conv2_only():
    with_lrn = build("alexnet", device="meta", lrn=True)
    without = build("alexnet", device="meta", lrn=False)
    stages_with = [name for name, stage in with_lrn.named_children()
                   if any(isinstance(m, nn.LocalResponseNorm) for m in stage.modules())]
    assert stages_with == ["conv1", "conv2"]  # paper §3.3
    assert [type(m) for m in with_lrn.conv1] == [nn.Conv2d, nn.ReLU, nn.LocalResponseNorm, nn.MaxPool2d]
    assert not any(isinstance(m, nn.LocalResponseNorm) for m in without.modules())


def test_lrn_matches_the_papers_formula():
    lrn = build("alexnet", device="meta").conv1.lrn
    lrn = nn.LocalResponseNorm(lrn.size, lrn.alpha, lrn.beta, lrn.k)  # same settings, on the CPU
    torch.manual_seed(0)
    a = torch.randn(1, 8, 3, 3) * 30
    # Paper §3.3: b_i = a_i / (k + α Σ_{j=i-n/2}^{i+n/2} a_j²)^β with k = 2, n = 5, α = 1e-4, β = 0.75.
    k, n, alpha, beta = 2.0, 5, 1e-4, 0.75
    expected = torch.empty_like(a)
    for i in range(8):
        lo, hi = max(0, i - n // 2), min(7, i + n // 2)
        expected[:, i] = a[:, i] / (k + alpha * (a[:, lo:hi + 1] ** 2).sum(dim=1)) ** beta
    assert torch.allclose(lrn(a), expected, rtol=1e-5)


@pytest.mark.parametrize("groups, expected", [(2, 724_406_816), (1, 1_135_256_096)])
def test_multiply_adds_agree_with_the_cost_formulas(groups, expected):
    model = build("alexnet", device="meta", groups=groups)
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 3, 227, 227, device="meta"))
    from_shapes = (
        conv_macs(3, 96, 11, 55, 55)
        + conv_macs(96, 256, 5, 27, 27, groups=groups)
        + conv_macs(256, 384, 3, 13, 13)
        + conv_macs(384, 384, 3, 13, 13, groups=groups)
        + conv_macs(384, 256, 3, 13, 13, groups=groups)
        + linear_macs(6 * 6 * 256, 4096) + linear_macs(4096, 4096) + linear_macs(4096, 1000)
    )
    # torch's flop counter counts 2 FLOPs per multiply-add; `expected` is pinned from these two.
    assert counter.get_total_flops() // 2 == from_shapes == expected


def test_init_follows_the_paper(real_alexnet):
    # Paper §5: biases 1 in conv2, conv4, conv5 and the hidden FC layers, 0 elsewhere; weights N(0, 0.01²).
    for stage in ("conv2", "conv4", "conv5", "fc6", "fc7"):
        layer = getattr(real_alexnet, stage).conv if stage.startswith("conv") else getattr(real_alexnet, stage).fc
        assert torch.all(layer.bias == 1), stage
    for layer in (real_alexnet.conv1.conv, real_alexnet.conv3.conv, real_alexnet.fc8.fc):
        assert torch.all(layer.bias == 0)
    assert real_alexnet.fc6.fc.weight.std().item() == pytest.approx(0.01, rel=0.01)


def test_real_forward(real_alexnet):
    with torch.inference_mode():
        out = real_alexnet(torch.randn(2, *NETWORKS["alexnet"].input_size))
    assert out.shape == (2, 1000)
    assert torch.isfinite(out).all()


def test_too_small_input_raises_a_torch_error(real_alexnet):
    # 32×32: conv1 gives 6×6, its pool 2×2, conv2's pool would need 3×3. The network does not hide
    # torch's error (the tracer turns it into a message naming the layer).
    with pytest.raises(RuntimeError):
        real_alexnet(torch.zeros(1, 3, 32, 32))


def test_spec():
    spec = NETWORKS["alexnet"]
    assert spec.input_size == (3, 227, 227)
    assert spec.lecture_params == "60M"
    assert spec.defaults() == {"groups": 2, "lrn": True, "num_classes": 1000}
    assert spec.extra["published"]["params"] == 60_000_000  # the paper's abstract
