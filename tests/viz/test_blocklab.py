"""viz.blocklab: each lab reproduces the lecture's numbers, and formula = traced count everywhere.

The property tests draw every setting from the same ranges the page's widgets use
(``bl.ONE_BY_ONE`` …) and check that each either gives a block whose formula and
traced counts agree, or raises ValueError with a message — never another exception.
They trace on the meta device (``real=False``: same classes, same trace, shapes only)
so the largest settings stay fast; the lecture examples run real forward passes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viz import blocklab as bl

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ints(rng):
    return st.integers(rng[0], rng[1])


def _valid_or_clear(call):
    """Run a lab; a ValueError must carry a readable message. Return the result or None."""
    try:
        return call()
    except ValueError as error:
        message = str(error)
        assert len(message) > 20 and "Traceback" not in message
        return None


# ------------------------------------------------------------------ formatting


def test_shapes_and_numbers_are_shown_the_lectures_way():
    assert bl.shape_text((1, 256, 28, 28)) == "28 × 28 × 256"  # N, C, H, W → n_H × n_W × n_C
    assert bl.shape_text((192, 28, 28)) == "28 × 28 × 192"
    assert bl.num(120422400) == "120,422,400"
    assert bl.short(12443648) == "12.4M"  # the lecture's "~12.4M"


# ------------------------------------------------------------------ 1. 1×1 convolution


def test_one_by_one_grid_multiplies_every_pixel_by_the_filter_value():
    grid = bl.one_by_one_grid(2.0)  # lecture: 6×6 image * 1×1 filter "2"
    assert len(grid.output) == 6 and all(len(r) == 6 for r in grid.output)
    for row_in, row_out in zip(grid.image, grid.output):
        assert row_out == tuple(2.0 * v for v in row_in)
    assert grid.output[0] == (2.0, 4.0, 6.0, 12.0, 10.0, 16.0)  # first row of the slide, doubled


def test_one_by_one_shrinks_channels_keeps_height_and_width():
    res = bl.one_by_one()  # lecture: 28×28×192 → CONV 1×1, 32 → 28×28×32
    assert res.output_shape == (32, 28, 28)
    assert res.macs == 28 * 28 * 192 * 32 == 4_816_896
    assert res.params == 192 * 32 + 32
    assert res.agrees


def test_one_by_one_six_by_six_by_32():
    res = bl.one_by_one(n=6, n_c=32, filters=5)  # lecture: 6×6×32 * 1×1×32 → 6×6×#filters
    assert bl.shape_text(res.output_shape) == "6 × 6 × 5"
    assert res.macs == 6 * 6 * 32 * 5


@PROPERTY
@given(n=_ints(bl.ONE_BY_ONE["n"]), n_c=_ints(bl.ONE_BY_ONE["n_c"]), f=_ints(bl.ONE_BY_ONE["filters"]),
       relu=st.booleans())
def test_one_by_one_property(n, n_c, f, relu):
    res = _valid_or_clear(lambda: bl.one_by_one(n, n_c, f, relu, real=False))
    assert res is not None and res.agrees  # every widget setting is a valid 1×1 conv
    assert res.output_shape == (f, n, n)


def test_bad_settings_say_what_is_allowed():
    with pytest.raises(ValueError, match="from 1 to 512"):
        bl.one_by_one(n_c=0)
    with pytest.raises(ValueError, match="whole number"):
        bl.one_by_one(n=2.5)
    with pytest.raises(ValueError, match="from -5 to 5"):
        bl.one_by_one_grid(9)


# ------------------------------------------------------------------ 2. Inception


def test_inception_module_3a_is_28_by_28_by_256():
    res = bl.inception()  # Szegedy et al. 2015, Table 1, inception (3a); lecture: 64 + 128 + 32 + 32
    assert bl.shape_text(res.output_shape) == "28 × 28 × 256"
    assert [shape[0] for _, shape in res.branch_outputs] == [64, 128, 32, 32]
    assert res.agrees


def test_inception_lecture_bottleneck_arithmetic():
    res = bl.inception()
    c = res.comparison
    # Lecture: 28·28·32·5·5·192 = 120,422,400 vs 2,408,448 + 10,035,200 = 12,443,648.
    assert (c.direct, c.reduce, c.expand, c.bottlenecked) == (120_422_400, 2_408_448, 10_035_200, 12_443_648)
    five = [s for s in res.stages if s.branch == "5×5"]
    assert sum(s.macs for s in five) == 12_443_648  # counted from the traced module
    naive = bl.inception(reduce_5x5=False)
    assert sum(s.macs for s in naive.stages if s.branch == "5×5") == 120_422_400


def test_inception_without_pool_projection_passes_all_input_channels():
    res = bl.inception(use_pool_proj=False)  # Fig. 2(a): the pooled 192 channels go straight on
    assert res.output_shape == (64 + 128 + 32 + 192, 28, 28)


def test_bottleneck_saving_curve():
    curve = dict((w, s) for w, _, s in bl.bottleneck_saving_curve(widths=(16, 192)))
    assert curve[16] == pytest.approx(120_422_400 / 12_443_648)  # lecture: ~10× cheaper
    assert curve[192] < 1  # a "bottleneck" as wide as the input costs more than the direct conv


@PROPERTY
@given(n=_ints(bl.INCEPTION["n"]), n_c=_ints(bl.INCEPTION["n_c"]), c1=_ints(bl.INCEPTION["ch1x1"]),
       r3=_ints(bl.INCEPTION["ch3x3red"]), c3=_ints(bl.INCEPTION["ch3x3"]), r5=_ints(bl.INCEPTION["ch5x5red"]),
       c5=_ints(bl.INCEPTION["ch5x5"]), pp=_ints(bl.INCEPTION["pool_proj"]), flags=st.tuples(*[st.booleans()] * 3))
def test_inception_property(n, n_c, c1, r3, c3, r5, c5, pp, flags):
    res = _valid_or_clear(lambda: bl.inception(n, n_c, c1, r3, c3, r5, c5, pp, *flags, real=False))
    assert res is not None and res.agrees
    assert res.output_shape == (c1 + c3 + c5 + (pp if flags[2] else n_c), n, n)


# ------------------------------------------------------------------ 3. Residual block


def test_zeroed_residual_block_is_the_identity_and_plain_block_outputs_zeros():
    res = bl.residual_block()  # lecture: W[l+2] = 0, b[l+2] = 0 → a[l+2] = g(a[l]) = a[l]
    assert res.input_min >= 0  # a[l] came out of a ReLU
    assert res.max_diff == 0.0  # exactly, from the real forward pass
    assert res.max_plain == 0.0  # the plain block gives ReLU(0) = 0 everywhere
    assert res.agrees


def test_unzeroed_residual_block_is_not_the_identity():
    res = bl.residual_block(n=8, in_channels=8, out_channels=8, zero_second=False)
    assert res.max_diff > 0 and res.max_plain > 0


def test_projection_shortcut_when_shapes_change():
    res = bl.residual_block(n=56, in_channels=64, out_channels=128, stride=2)
    assert bl.shape_text(res.output_shape) == "28 × 28 × 128"
    shortcut = next(s for s in res.stages if s.module == "shortcut")
    assert shortcut.params == 64 * 128 + 128  # W_s: 1×1 conv with bias (bn=False)
    assert shortcut.macs == 28 * 28 * 64 * 128
    assert res.max_diff is None  # a[l+2] and a[l] have different shapes
    assert res.agrees


def test_projection_needed_but_switched_off_is_a_clear_error():
    with pytest.raises(ValueError, match="projection W_s") as info:
        bl.residual_block(stride=2, projection=False)
    assert "56 × 56 × 64" in str(info.value) and "28 × 28 × 64" in str(info.value)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 16), cin=st.integers(1, 24), cout=st.integers(1, 24), stride=st.sampled_from([1, 2]),
       flags=st.tuples(*[st.booleans()] * 3))
def test_residual_property(n, cin, cout, stride, flags):
    # Real forward passes (the identity needs values), so sizes are kept small here; the
    # range ends are checked by test_residual_range_ends.
    residual, projection, zero = flags
    res = _valid_or_clear(lambda: bl.residual_block(n, cin, cout, stride, residual, projection, zero))
    if res is None:
        assert residual and not projection and (stride != 1 or cin != cout)
        return
    assert res.agrees
    if zero and residual and stride == 1 and cin == cout:
        assert res.max_diff == 0.0
    if zero:
        assert res.max_plain == 0.0


@pytest.mark.parametrize("n,cin,cout,stride", [(1, 1, 1, 2), (64, 128, 128, 1), (1, 128, 1, 2)])
def test_residual_range_ends(n, cin, cout, stride):
    res = bl.residual_block(n, cin, cout, stride)
    assert res.agrees and res.output_shape == (cout, (n - 1) // stride + 1, (n - 1) // stride + 1)


# ------------------------------------------------------------------ 4. Depthwise-separable


def test_separable_lecture_example():
    res = bl.separable()  # lecture: 6×6×3, 3×3, 5 filters → 4×4×5
    assert bl.shape_text(res.normal.output_shape) == "4 × 4 × 5"
    assert res.normal.macs == 2160  # lecture: normal conv 2,160
    dw, pw = res.separable.stages
    assert (dw.macs, pw.macs, res.separable.macs) == (432, 240, 672)  # lecture: 432 + 240 = 672
    assert round(res.ratio, 2) == 0.31  # lecture: ratio 0.31
    assert res.ratio == pytest.approx(1 / 5 + 1 / 9)  # = 1/n_c' + 1/f²
    assert res.agrees


def test_separable_ratio_at_512_outputs():
    rows = {w: (c, f) for w, c, f in bl.separable_ratio_curve(f=3)}
    counted, formula = rows[512]
    assert formula == pytest.approx(1 / 512 + 1 / 9)  # lecture: about 0.113, "roughly 10× cheaper"
    assert round(formula, 3) == 0.113 and counted == pytest.approx(formula)


def test_separable_bad_settings():
    with pytest.raises(ValueError, match="does not fit"):
        bl.separable(n=2, f=5)
    with pytest.raises(ValueError, match="odd filter size"):
        bl.separable(f=4, padding="same")
    with pytest.raises(ValueError, match="padding must be one of"):
        bl.separable(padding="full")


@PROPERTY
@given(n=_ints(bl.SEPARABLE["n"]), n_c=_ints(bl.SEPARABLE["n_c"]), f=_ints(bl.SEPARABLE["f"]),
       n_out=_ints(bl.SEPARABLE["n_c_out"]), stride=_ints(bl.SEPARABLE["stride"]),
       padding=st.sampled_from(bl.PADDINGS))
def test_separable_property(n, n_c, f, n_out, stride, padding):
    res = _valid_or_clear(lambda: bl.separable(n, n_c, f, n_out, stride, padding, real=False))
    if res is None:
        assert (padding == "same" and f % 2 == 0) or (padding == "valid" and f > n)
        return
    assert res.agrees
    assert res.ratio == pytest.approx(res.ratio_formula)  # 1/n_c' + 1/f² exactly, any n, n_c, stride


# ------------------------------------------------------------------ 5. MobileNet v2


def test_mobilenet_v2_lecture_shapes():
    res = bl.mobilenet_v2()  # lecture: n×n×3 → n×n×18 → n×n×18 → n×n×3 with t = 6 (here n = 6)
    shapes = [bl.shape_text(res.block.input_shape)] + [bl.shape_text(s.output_shape) for s in res.block.stages]
    assert shapes == ["6 × 6 × 3", "6 × 6 × 18", "6 × 6 × 18", "6 × 6 × 3"]
    assert res.use_residual  # stride 1, 3 → 3 channels
    assert res.expanded_bytes == 6 * 6 * 18 * 4 and res.input_bytes == 6 * 6 * 3 * 4
    # Stage costs by the lecture's rule: 1×1 expansion, 3×3 depthwise, 1×1 projection.
    assert [s.macs for s in res.block.stages] == [6 * 6 * 3 * 18, 6 * 6 * 9 * 18, 6 * 6 * 18 * 3]
    assert res.agrees


def test_mobilenet_v2_no_residual_with_stride_2():
    res = bl.mobilenet_v2(n=56, in_channels=24, out_channels=24, stride=2)
    assert not res.use_residual and "stride 2" in res.residual_reason
    assert bl.shape_text(res.block.output_shape) == "28 × 28 × 24"


@PROPERTY
@given(n=_ints(bl.MOBILENET_V2["n"]), cin=_ints(bl.MOBILENET_V2["in_channels"]),
       t=_ints(bl.MOBILENET_V2["expand_ratio"]), cout=_ints(bl.MOBILENET_V2["out_channels"]),
       stride=_ints(bl.MOBILENET_V2["stride"]), k=st.sampled_from(bl.KERNELS), residual=st.booleans())
def test_mobilenet_v2_property(n, cin, t, cout, stride, k, residual):
    res = _valid_or_clear(lambda: bl.mobilenet_v2(n, cin, t, cout, stride, k, residual, real=False))
    assert res is not None and res.agrees
    assert res.use_residual == (residual and stride == 1 and cin == cout)
    assert res.hidden == cin * t


# ------------------------------------------------------------------ 6. EfficientNet


def test_efficientnet_b0_counts():
    res = bl.efficientnet()
    assert res.chosen.params == 5_288_548  # torchvision.models.efficientnet_b0
    assert abs(res.chosen.macs - 0.39e9) < 0.01e9  # Tan & Le 2019, Table 2: 0.39B FLOPS (multiply-adds)
    assert res.chosen.agrees and res.factor == 1.0


def test_efficientnet_compound_rule():
    res = bl.efficientnet(phi=1.0)
    # Tan & Le 2019, eq. 3: d = 1.2, w = 1.1, r = 1.15 at φ = 1; cost ∝ d·w²·r² ≈ 2.
    assert (res.chosen.depth, res.chosen.width, res.chosen.resolution) == pytest.approx((1.2, 1.1, 258))
    assert res.predicted_factor == pytest.approx(1.2 * 1.1**2 * (258 / 224) ** 2)
    assert 1.5 < res.factor < 3  # ⌈d·n⌉ and channel rounding put the count near, not on, 2^φ
    assert res.chosen.agrees


def test_efficientnet_presets_grow():
    costs = [bl.preset_cost(v) for v in bl.PRESETS]
    assert [c.params for c in costs] == sorted(c.params for c in costs)
    assert costs[7].params == 66_347_960  # torchvision.models.efficientnet_b7
    assert all(c.agrees for c in costs)


def test_efficientnet_real_pass_and_its_limit():
    out = bl.efficientnet_real_pass(depth=0.5, width=0.5, resolution=64)
    costed = bl.efficientnet(depth=0.5, width=0.5, resolution=64).chosen
    assert out.output_shape == (1, 1000) and (out.macs, out.params) == (costed.macs, costed.params)
    with pytest.raises(ValueError, match="too slow"):
        bl.efficientnet_real_pass(preset="b7")  # 37B multiply-adds (Table 2): never run


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=st.floats(*bl.EFFICIENTNET["depth"][:2]), w=st.floats(*bl.EFFICIENTNET["width"][:2]),
       r=_ints(bl.EFFICIENTNET["resolution"]))
def test_efficientnet_property(d, w, r):
    res = _valid_or_clear(lambda: bl.efficientnet(d, w, r))
    assert res is not None and res.chosen.agrees and res.chosen.resolution == r


def test_efficientnet_bad_settings():
    with pytest.raises(ValueError, match="from 0.5 to 4"):
        bl.efficientnet(depth=9.0)
    with pytest.raises(ValueError, match="preset must be one of"):
        bl.efficientnet(preset="b9")
