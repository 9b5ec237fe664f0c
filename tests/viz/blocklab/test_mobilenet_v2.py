"""viz.blocklab.mobilenet_v2: the lecture's n×n×3 → n×n×18 → n×n×18 → n×n×3 bottleneck, costs and memory."""

from __future__ import annotations

from hypothesis import given

from architectures import costs
from tests.viz.blocklab.helpers import PROPERTY, settings_of, valid_or_clear
from viz.blocklab import mobilenet_v2 as lab
from viz.formatting import shape_text


def test_mobilenet_v2_lecture_shapes():
    res = lab.mobilenet_v2()  # lecture: n×n×3 → n×n×18 → n×n×18 → n×n×3 with t = 6 (here n = 6)
    shapes = [shape_text(res.block.input_shape)] + [shape_text(s.output_shape) for s in res.block.stages]
    assert shapes == ["6 × 6 × 3", "6 × 6 × 18", "6 × 6 × 18", "6 × 6 × 3"]
    assert res.use_residual  # stride 1, 3 → 3 channels
    assert res.expanded_bytes == 6 * 6 * 18 * 4 and res.input_bytes == 6 * 6 * 3 * 4
    # Stage costs by the lecture's rule: 1×1 expansion, 3×3 depthwise, 1×1 projection.
    assert [s.macs for s in res.block.stages] == [6 * 6 * 3 * 18, 6 * 6 * 9 * 18, 6 * 6 * 18 * 3]
    assert res.agrees


def test_mobilenet_v2_against_a_normal_conv():
    res = lab.mobilenet_v2()
    assert res.normal.macs == 6 * 6 * 3 * 3 * 3 * 3  # normal 3×3 conv, 3 → 3 channels on 6×6 (same padding)
    assert res.vs_normal == res.block.macs / res.normal.macs
    # A normal 3×3 conv at the expanded width, 18 → 18 channels: what the depthwise conv avoids.
    assert res.wide_macs == costs.conv_macs(18, 18, 3, 6, 6) == 6 * 6 * 9 * 18 * 18


def test_mobilenet_v2_no_residual_with_stride_2():
    res = lab.mobilenet_v2(n=56, in_channels=24, out_channels=24, stride=2)
    assert not res.use_residual and "stride 2" in res.residual_reason
    assert shape_text(res.block.output_shape) == "28 × 28 × 24"


@PROPERTY
@given(s=settings_of(lab.CONTROLS))
def test_mobilenet_v2_property(s):
    res = valid_or_clear(lambda: lab.mobilenet_v2(**s, real=False))
    assert res is not None and res.agrees
    assert res.use_residual == (s["residual"] and s["stride"] == 1 and s["in_channels"] == s["out_channels"])
    assert res.hidden == s["in_channels"] * s["expand_ratio"]
