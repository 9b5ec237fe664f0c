"""viz.blocklab.residual: with W[l+2] = 0, b[l+2] = 0 the residual block is the identity (real passes)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.viz.blocklab.helpers import valid_or_clear
from viz.blocklab import residual as lab
from viz.formatting import shape_text


def test_zeroed_residual_block_is_the_identity_and_plain_block_outputs_zeros():
    res = lab.residual_block()  # lecture: W[l+2] = 0, b[l+2] = 0 → a[l+2] = g(a[l]) = a[l]
    assert res.input_min >= 0  # a[l] came out of a ReLU
    assert res.max_diff == 0.0  # exactly, from the real forward pass
    assert res.max_plain == 0.0  # the plain block gives ReLU(0) = 0 everywhere
    assert res.agrees


def test_unzeroed_residual_block_is_not_the_identity():
    res = lab.residual_block(n=8, in_channels=8, out_channels=8, zero_second=False)
    assert res.max_diff > 0 and res.max_plain > 0


def test_projection_shortcut_when_shapes_change():
    res = lab.residual_block(n=56, in_channels=64, out_channels=128, stride=2)
    assert shape_text(res.output_shape) == "28 × 28 × 128"
    shortcut = next(s for s in res.stages if s.module == "shortcut")
    assert shortcut.params == 64 * 128 + 128  # W_s: 1×1 conv with bias (bn=False)
    assert shortcut.macs == 28 * 28 * 64 * 128
    assert res.max_diff is None  # a[l+2] and a[l] have different shapes
    assert res.agrees


def test_projection_needed_but_switched_off_is_a_clear_error():
    with pytest.raises(ValueError, match="projection W_s") as info:
        lab.residual_block(stride=2, projection=False)
    assert "56 × 56 × 64" in str(info.value) and "28 × 28 × 64" in str(info.value)


def test_stride_is_one_of_the_radios_values():
    assert lab.residual_block(n=4, in_channels=2, out_channels=2, stride=2.0).output_shape == (2, 2, 2)
    with pytest.raises(ValueError, match="must be one of 1, 2"):
        lab.residual_block(stride=3)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 16), cin=st.integers(1, 24), cout=st.integers(1, 24), stride=st.sampled_from([1, 2]),
       flags=st.tuples(*[st.booleans()] * 3))
def test_residual_property(n, cin, cout, stride, flags):
    # Real forward passes (the identity needs values), so sizes are kept small here; the
    # range ends are checked by test_residual_range_ends.
    residual, projection, zero = flags
    res = valid_or_clear(lambda: lab.residual_block(n, cin, cout, stride, residual, projection, zero))
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
    assert (lab.N.option.maximum, lab.IN_CHANNELS.option.maximum) == (64, 128)  # the ends tried here
    res = lab.residual_block(n, cin, cout, stride)
    assert res.agrees and res.output_shape == (cout, (n - 1) // stride + 1, (n - 1) // stride + 1)
