"""viz.blocklab.one_by_one: the lecture's 1×1 convolution pictures, and formula = traced count everywhere."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.viz.blocklab.helpers import PROPERTY, settings_of, valid_or_clear
from viz.blocklab import one_by_one as lab
from viz.formatting import shape_text


def test_one_by_one_grid_multiplies_every_pixel_by_the_filter_value():
    grid = lab.one_by_one_grid(2.0)  # lecture: 6×6 image * 1×1 filter "2"
    assert len(grid.output) == 6 and all(len(r) == 6 for r in grid.output)
    for row_in, row_out in zip(grid.image, grid.output):
        assert row_out == tuple(2.0 * v for v in row_in)
    assert grid.output[0] == (2.0, 4.0, 6.0, 12.0, 10.0, 16.0)  # first row of the slide, doubled


def test_one_by_one_shrinks_channels_keeps_height_and_width():
    res = lab.one_by_one()  # lecture: 28×28×192 → CONV 1×1, 32 → 28×28×32
    assert res.output_shape == (32, 28, 28)
    assert res.macs == 28 * 28 * 192 * 32 == 4_816_896
    assert res.params == 192 * 32 + 32
    assert res.agrees


def test_one_by_one_six_by_six_by_32():
    res = lab.one_by_one(n=6, n_c=32, filters=5)  # lecture: 6×6×32 * 1×1×32 → 6×6×#filters
    assert shape_text(res.output_shape) == "6 × 6 × 5"
    assert res.macs == 6 * 6 * 32 * 5


@PROPERTY
@given(s=settings_of(lab.CONTROLS))
def test_one_by_one_property(s):
    res = valid_or_clear(lambda: lab.one_by_one(**s, real=False))
    assert res is not None and res.agrees  # every widget setting is a valid 1×1 conv
    assert res.output_shape == (s["filters"], s["n"], s["n"])


def test_bad_settings_say_what_is_allowed():
    with pytest.raises(ValueError, match="from 1 to 512"):
        lab.one_by_one(n_c=0)
    with pytest.raises(ValueError, match="whole number"):
        lab.one_by_one(n=2.5)
    with pytest.raises(ValueError, match="from -5 to 5"):
        lab.one_by_one_grid(9)
