"""The freeze planner on the zoo's own networks: parameter sums and feature sizes from the papers."""

from __future__ import annotations

import pytest
from torch import nn

import viz.trace
from architectures import build
from viz.training.freeze import cut_points, default_cut, freeze_plan


def _params(model: nn.Module, children: list[str]) -> int:
    return sum(p.numel() for name in children for p in getattr(model, name).parameters())


def test_freeze_plan_resnet18_matches_parameter_sums_of_the_zoo():
    model = build("resnet18", device="meta")
    children = [name for name, _ in model.named_children()]
    cut = children.index("layer2")
    plan = freeze_plan("resnet18", "layer2", 1000)
    assert plan.frozen_params == _params(model, children[: cut + 1])
    assert plan.frozen_params + plan.trainable_params == sum(p.numel() for p in model.parameters())
    # He et al. 2016, Table 1: conv3_x output is 28×28 with 128 filters.
    assert plan.feature_shape == (128, 28, 28)
    assert plan.feature_bytes == 128 * 28 * 28 * 4 * 1000


def test_freeze_plan_vgg16_all_convolutions_frozen():
    model = build("vgg16", device="meta")
    names = [n for n, _ in model.named_children()]
    last_conv_block = "block5" if "block5" in names else names[0]
    plan = freeze_plan("vgg16", last_conv_block, 10)
    idx = names.index(last_conv_block)
    assert plan.frozen_params == _params(model, names[: idx + 1])
    # Simonyan & Zisserman 2015 (Table 1, D): 13 conv layers' weights and biases = 14,714,688;
    # the last pooling gives 7×7×512.
    assert plan.frozen_params == 14_714_688
    assert plan.feature_shape == (512, 7, 7)


def test_the_first_suggestion_is_the_last_top_level_feature_map():
    points, _ = cut_points("vgg16")
    assert points[default_cut(points)].output_shape == (512, 7, 7)


def test_freeze_plan_bad_layer_and_bad_count():
    with pytest.raises(ValueError, match="no layer"):
        freeze_plan("resnet18", "nope", 10)
    with pytest.raises(ValueError, match="Images to precompute"):
        freeze_plan("resnet18", "layer2", 0)


def test_cut_points_raise_value_errors_for_what_can_fail(monkeypatch):
    with pytest.raises(ValueError, match="resnet9000"):
        cut_points("resnet9000")

    def untraceable(*_args, **_kw):
        raise NotImplementedError("an operator the meta device lacks")

    monkeypatch.setattr(viz.trace, "trace", untraceable)
    with pytest.raises(ValueError, match="Could not trace lenet5: an operator the meta device lacks"):
        cut_points.__wrapped__("lenet5")  # past the cache
