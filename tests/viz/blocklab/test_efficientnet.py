"""viz.blocklab.efficientnet: B0's counts, the compound rule, B0–B7, and the real-pass limit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.viz.blocklab.helpers import valid_or_clear, values
from viz.blocklab import efficientnet as lab


def test_efficientnet_b0_counts():
    res = lab.efficientnet()
    assert res.chosen.params == 5_288_548  # torchvision.models.efficientnet_b0
    assert abs(res.chosen.macs - 0.39e9) < 0.01e9  # Tan & Le 2019, Table 2: 0.39B FLOPS (multiply-adds)
    assert res.chosen.agrees and res.factor == 1.0


def test_efficientnet_compound_rule():
    res = lab.efficientnet(phi=1.0)
    # Tan & Le 2019, eq. 3: d = 1.2, w = 1.1, r = 1.15 at φ = 1; cost ∝ d·w²·r² ≈ 2.
    assert (res.chosen.depth, res.chosen.width, res.chosen.resolution) == pytest.approx((1.2, 1.1, 258))
    assert res.predicted_factor == pytest.approx(1.2 * 1.1**2 * (258 / 224) ** 2)
    assert 1.5 < res.factor < 3  # ⌈d·n⌉ and channel rounding put the count near, not on, 2^φ
    assert res.chosen.agrees


def test_compound_rule_points_scale_b0():
    b0 = lab.preset_cost("b0")
    points = lab.compound_rule(b0)
    assert [p.label for p in points] == [f"rule φ = {phi}" for phi in range(8)]
    assert (points[0].params, points[0].macs) == (b0.params, b0.macs)  # φ = 0 is B0 itself
    # Tan & Le 2019, eq. 3 at φ = 1: params × d·w² = 1.2 · 1.1², MACs × d·w²·r² = 1.2 · 1.1² · 1.15².
    assert points[1].params == round(b0.params * 1.2 * 1.1**2)
    assert points[1].macs == round(b0.macs * 1.2 * 1.1**2 * 1.15**2)


def test_scaling_picks_the_settings_of_the_chosen_mode():
    assert lab.scaling() == {"phi": 0.0}
    assert lab.scaling(mode=lab.MODES[1], preset="b3") == {"preset": "b3"}
    assert lab.scaling(mode=lab.MODES[2], depth=2.0) == {"depth": 2.0, "width": 1.0, "resolution": 224}


def test_efficientnet_presets_grow():
    costs = [lab.preset_cost(v) for v in lab.PRESETS]
    assert [c.params for c in costs] == sorted(c.params for c in costs)
    assert costs[7].params == 66_347_960  # torchvision.models.efficientnet_b7
    assert all(c.agrees for c in costs)


def test_efficientnet_real_pass_and_its_limit():
    out = lab.efficientnet_real_pass(depth=0.5, width=0.5, resolution=64)
    costed = lab.efficientnet(depth=0.5, width=0.5, resolution=64).chosen
    assert out.output_shape == (1, 1000) and (out.macs, out.params) == (costed.macs, costed.params)
    with pytest.raises(ValueError, match="too slow"):
        lab.efficientnet_real_pass(preset="b7")  # 37B multiply-adds (Table 2): never run


def test_a_kept_result_is_the_same_as_a_fresh_one():
    kept = lab.efficientnet(depth=0.5, width=0.5, resolution=64)
    lab.clear_cache()
    assert lab.efficientnet(depth=0.5, width=0.5, resolution=64) == kept


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=values(lab.DEPTH), w=values(lab.WIDTH), r=values(lab.RESOLUTION))
def test_efficientnet_property(d, w, r):
    res = valid_or_clear(lambda: lab.efficientnet(d, w, r))
    assert res is not None and res.chosen.agrees and res.chosen.resolution == r


def test_efficientnet_bad_settings():
    with pytest.raises(ValueError, match="from 0.5 to 4"):
        lab.efficientnet(depth=9.0)
    with pytest.raises(ValueError, match="preset must be one of"):
        lab.efficientnet(preset="b9")
