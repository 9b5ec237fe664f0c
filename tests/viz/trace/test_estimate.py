"""The cost of a trace, known before it runs (viz.trace.estimate): exact at a network's own size,
area-scaled elsewhere, with advice that says what to change past the budget."""

from __future__ import annotations

import pytest

from viz import compute
from viz.trace import estimated_macs, trace_cost, trace_network
from viz.trace.estimate import own_size_macs


@pytest.mark.parametrize("name, options", [
    ("vgg16", {}), ("vgg16", {"num_classes": 10}), ("resnet50", {"variant": "v1.5"}),
    ("mobilenet_v2", {"width": 1.4}), ("alexnet", {"groups": 1}), ("googlenet", {"aux_logits": True}),
])
def test_at_its_own_size_the_estimate_is_the_traced_count(name, options):
    assert estimated_macs(name, options) == trace_network(name, options).total_macs


def test_the_published_counts_come_out_of_the_shapes_only_pass():
    # torchvision's model cards (their "GFLOPS" are multiply-adds): VGG-16 15.47 G, ResNet-18 1.81 G,
    # EfficientNet-B7 37.75 G at 600 × 600.
    assert own_size_macs("vgg16") / 1e9 == pytest.approx(15.47, abs=0.005)
    assert own_size_macs("resnet18") / 1e9 == pytest.approx(1.81, abs=0.005)
    assert own_size_macs("efficientnet_b7") / 1e9 == pytest.approx(37.75, abs=0.005)


def test_another_size_is_scaled_by_area_and_lands_near_the_traced_count():
    # ResNet-18 at 448 × 448: four times the area of 224 × 224; strided layers' rounding makes the
    # traced count differ from 4× by well under 1 %.
    estimate = estimated_macs("resnet18", {}, (3, 448, 448))
    assert estimate == pytest.approx(4 * own_size_macs("resnet18"))
    assert estimate == pytest.approx(trace_network("resnet18", {}, (3, 448, 448)).total_macs, rel=0.01)
    assert estimated_macs("resnet18", {}, (2, 3, 224, 224)) == 2 * own_size_macs("resnet18")  # the batch counts


def test_past_the_budget_the_advice_names_the_largest_resolution_that_fits():
    cost = trace_cost("vgg16", {}, (3, 1024, 1024))
    assert cost.macs > compute.MAX_MACS
    side = compute.largest_resolution(own_size_macs("vgg16"), 224)
    assert f"at most {side} × {side}" in cost.advice
    assert trace_cost("vgg16", {}, (3, side, side)).macs <= compute.MAX_MACS < trace_cost(
        "vgg16", {}, (3, side + 1, side + 1)).macs
    with pytest.raises(compute.OverBudget, match=f"at most {side} × {side}"):
        compute.check_budget(cost)


def test_a_network_whose_options_set_its_resolution_is_told_to_change_those():
    # EfficientNet's compound rule: cost ≈ 2^φ × B0's 0.39 G (Tan & Le 2019, eq. 3) — at φ = 8 past 60 G.
    cost = trace_cost("efficientnet", {"phi": 8.0})
    assert cost.macs / 1e9 == pytest.approx(0.386 * 1.92 ** 8, rel=0.05)
    assert "Compound coefficient φ" in cost.advice
    assert trace_cost("efficientnet", {"phi": 7.0}).macs <= compute.MAX_MACS


def test_what_trace_network_refuses_the_estimate_refuses_too():
    with pytest.raises(ValueError, match="num_classes"):
        estimated_macs("vgg16", {"num_classes": 0})
    with pytest.raises(ValueError, match="not_a_network|zoo|unknown|Unknown"):
        estimated_macs("not_a_network")
    with pytest.raises(ValueError, match="too large to trace"):
        estimated_macs("vgg16", {}, (3, 2048, 2048))
