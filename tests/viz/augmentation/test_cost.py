"""What multi-crop and ensembles cost per prediction."""

from __future__ import annotations

import pytest

from viz.augmentation import cost


def test_prediction_cost_multiplies_crops_and_models():
    assert cost.prediction_cost(1_000, crops=10, models=7) == 70_000
    assert cost.prediction_cost(5) == 5
    with pytest.raises(ValueError):
        cost.prediction_cost(5, crops=0)


def test_cost_rows_and_format():
    rows = cost.cost_rows(1_000_000, crops=10, models=3)
    assert [r.forward_passes for r in rows] == [1, 10, 3, 30]
    assert [r.macs for r in rows] == [10**6, 10**7, 3 * 10**6, 3 * 10**7]
    assert [r.times_one_pass for r in rows] == [1.0, 10.0, 3.0, 30.0]
    assert [r.label for r in rows] == ["1 model, 1 crop", "1 model, 10 crops", "3 models, 1 crop",
                                       "3 models, 10 crops"]
    assert cost.format_macs(724_000_000) == "724 M" and cost.format_macs(15_500_000_000) == "15.5 G"
    assert cost.format_macs(999) == "999"
    assert cost.format_macs(714_188_480) == "714 M"  # AlexNet in torchvision's count, 0.714 G (issue 11)


def test_forward_cost_traces_the_network_and_refuses_an_unknown_one():
    lenet = cost.forward_cost("lenet5")
    # LeNet-5 (LeCun et al. 1998) on a 32 × 32 digit: C1 117,600 + C3 240,000 + C5 48,000 + F6 10,080
    # + output 840 = 416,520 multiply-adds (the same sum as tests/architectures/test_lenet.py).
    assert lenet == cost.ForwardCost("lenet5", 416_520, (1, 1, 32, 32))
    with pytest.raises(ValueError, match="no-such-net"):
        cost.forward_cost("no-such-net")
