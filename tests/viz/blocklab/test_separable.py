"""viz.blocklab.separable: the lecture's 2,160 vs 432 + 240 = 672, and 1/n_c' + 1/f² for every setting."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.viz.blocklab.helpers import PROPERTY, settings_of, valid_or_clear
from viz.blocklab import separable as lab
from viz.formatting import shape_text


def test_separable_lecture_example():
    res = lab.separable()  # lecture: 6×6×3, 3×3, 5 filters → 4×4×5
    assert shape_text(res.normal.output_shape) == "4 × 4 × 5"
    assert res.normal.macs == 2160  # lecture: normal conv 2,160
    dw, pw = res.separable.stages
    assert (dw.macs, pw.macs, res.separable.macs) == (432, 240, 672)  # lecture: 432 + 240 = 672
    assert round(res.ratio, 2) == 0.31  # lecture: ratio 0.31
    assert res.ratio == pytest.approx(1 / 5 + 1 / 9)  # = 1/n_c' + 1/f²
    assert res.agrees


def test_separable_ratio_at_512_outputs():
    rows = {w: (c, f) for w, c, f in lab.separable_ratio_curve(f=3)}
    counted, formula = rows[512]
    assert formula == pytest.approx(1 / 512 + 1 / 9)  # lecture: about 0.113, "roughly 10× cheaper"
    assert round(formula, 3) == 0.113 and counted == pytest.approx(formula)
    assert lab.separable().wide_ratio == pytest.approx(formula)  # what the lab prints for n_c' = 512


def test_separable_bad_settings():
    with pytest.raises(ValueError, match="does not fit"):
        lab.separable(n=2, f=5)
    with pytest.raises(ValueError, match="odd filter size"):
        lab.separable(f=4, padding="same")
    with pytest.raises(ValueError, match="padding must be one of"):
        lab.separable(padding="full")


@PROPERTY
@given(s=settings_of(lab.CONTROLS))
def test_separable_property(s):
    res = valid_or_clear(lambda: lab.separable(**s, real=False))
    if res is None:
        assert (s["padding"] == "same" and s["f"] % 2 == 0) or (s["padding"] == "valid" and s["f"] > s["n"])
        return
    assert res.agrees
    assert res.ratio == pytest.approx(res.ratio_formula)  # 1/n_c' + 1/f² exactly, any n, n_c, stride
