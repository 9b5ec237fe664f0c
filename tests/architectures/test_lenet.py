"""LeNet-5 (LeCun et al. 1998): parameters, stage shapes, multiply-adds, a real forward pass."""

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import NETWORKS, build
from architectures.costs import conv_macs, conv_params, linear_macs
from tests.architectures.helpers import n_params, stage_shapes

STYLES = ("1998", "modern")





@pytest.mark.parametrize("style", STYLES)
def test_parameter_count(style):
    model = build("lenet5", device="meta", style=style)
    # LeCun et al. 1998 §II.B layer sizes with a full C3 and a 10-way linear output:
    # 156 + 2,416 + 48,120 + 10,164 + 850; pooling and activations add none, so both styles agree.
    assert n_params(model) == 61_706
    # The lecture: "about 60K parameters".
    assert abs(n_params(model) - 60_000) / 60_000 < 0.05


def test_parameters_per_stage_match_the_paper():
    model = build("lenet5", device="meta")
    per_stage = {name: n_params(stage) for name, stage in model.named_children()}
    # LeCun et al. 1998 §II.B: C1 156, C5 48,120, F6 10,164 trainable parameters.
    assert per_stage["c1"] == 156
    assert per_stage["c5"] == 48_120
    assert per_stage["f6"] == 10_164
    # C3 is fully connected here (the paper's Table I partial scheme has 1,516): 16·(5·5·6 + 1).
    assert per_stage["c3"] == conv_params(6, 16, 5) == 2_416
    assert per_stage["s2"] == per_stage["s4"] == 0
    assert per_stage["output"] == 84 * 10 + 10


@pytest.mark.parametrize("style", STYLES)
def test_stage_shapes(style):
    model = build("lenet5", device="meta", style=style)
    # LeCun et al. 1998, Fig. 2 (and the lecture): 32×32×1 → 28×28×6 → 14×14×6 → 10×10×16 → 5×5×16 → 120 → 84 → 10.
    assert stage_shapes(model, (1, 32, 32)) == [
        ("c1", (6, 28, 28)),
        ("s2", (6, 14, 14)),
        ("c3", (16, 10, 10)),
        ("s4", (16, 5, 5)),
        ("c5", (120, 1, 1)),
        ("f6", (84,)),
        ("output", (10,)),
    ]


def test_styles_differ_in_activation_and_pooling():
    old = build("lenet5", device="meta", style="1998")
    new = build("lenet5", device="meta", style="modern")
    old_types = {type(m) for m in old.modules()}
    new_types = {type(m) for m in new.modules()}
    assert nn.Tanh in old_types and nn.AvgPool2d in old_types
    assert nn.ReLU not in old_types and nn.MaxPool2d not in old_types
    assert nn.ReLU in new_types and nn.MaxPool2d in new_types
    assert nn.Tanh not in new_types and nn.AvgPool2d not in new_types
    # The paper squashes the subsampled sums; the modern network does not.
    assert [type(m) for m in old.s2] == [nn.AvgPool2d, nn.Tanh]
    assert [type(m) for m in new.s2] == [nn.MaxPool2d]


def test_multiply_adds_agree_with_the_cost_formulas():
    model = build("lenet5", device="meta")
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 1, 32, 32, device="meta"))
    expected = (
        conv_macs(1, 6, 5, 28, 28)  # C1: 117,600
        + conv_macs(6, 16, 5, 10, 10)  # C3 (full): 240,000
        + conv_macs(16, 120, 5, 1, 1)  # C5: 48,000
        + linear_macs(120, 84)
        + linear_macs(84, 10)
    )
    # torch's flop counter counts 2 FLOPs per multiply-add.
    assert counter.get_total_flops() // 2 == expected == 416_520


def test_num_classes_option():
    model = build("lenet5", device="meta", num_classes=26)
    assert n_params(model) == 61_706 + 16 * (84 + 1)  # 16 more output units of 84 weights + bias
    assert stage_shapes(model, (1, 32, 32))[-1] == ("output", (26,))


@pytest.mark.parametrize("style", STYLES)
def test_real_forward_and_backward(style):
    torch.manual_seed(0)
    model = build("lenet5", style=style)
    x = torch.randn(2, *NETWORKS["lenet5"].input_size)  # 1-channel 32×32, as the paper's digits
    out = model(x)
    assert out.shape == (2, 10)
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_spec():
    spec = NETWORKS["lenet5"]
    assert spec.input_size == (1, 32, 32)
    assert spec.family == "classic"
    assert spec.lecture_params == "60K"
    assert "1998" in spec.paper and "LeCun" in spec.paper
    assert spec.defaults() == {"style": "1998", "num_classes": 10}
    assert spec.option("style").choices == STYLES
