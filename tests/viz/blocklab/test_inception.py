"""viz.blocklab.inception: inception (3a) and the lecture's bottleneck arithmetic, formula = traced count."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.viz.blocklab.helpers import PROPERTY, settings_of, valid_or_clear
from viz.blocklab import inception as lab
from viz.formatting import shape_text


def test_inception_module_3a_is_28_by_28_by_256():
    res = lab.inception()  # Szegedy et al. 2015, Table 1, inception (3a); lecture: 64 + 128 + 32 + 32
    assert shape_text(res.output_shape) == "28 × 28 × 256"
    assert [shape[0] for _, shape in res.branch_outputs] == [64, 128, 32, 32]
    assert res.agrees


def test_inception_lecture_bottleneck_arithmetic():
    res = lab.inception()
    c = res.comparison
    # Lecture: 28·28·32·5·5·192 = 120,422,400 vs 2,408,448 + 10,035,200 = 12,443,648.
    assert (c.direct, c.reduce, c.expand, c.bottlenecked) == (120_422_400, 2_408_448, 10_035_200, 12_443_648)
    five = [s for s in res.stages if s.branch == "5×5"]
    assert sum(s.macs for s in five) == 12_443_648  # counted from the traced module
    naive = lab.inception(reduce_5x5=False)
    assert sum(s.macs for s in naive.stages if s.branch == "5×5") == 120_422_400


def test_branch_costs_add_up_to_the_module():
    res = lab.inception()
    costs = res.branch_macs
    assert list(costs) == list(lab.BRANCH_NAMES)
    assert costs["5×5"] == 12_443_648  # lecture: the bottlenecked 5×5 branch
    assert costs["1×1"] == 28 * 28 * 192 * 64  # 1×1 conv, 64 filters on 28×28×192 (Table 1, 3a)
    assert sum(costs.values()) == res.macs


def test_inception_without_pool_projection_passes_all_input_channels():
    res = lab.inception(use_pool_proj=False)  # Fig. 2(a): the pooled 192 channels go straight on
    assert res.output_shape == (64 + 128 + 32 + 192, 28, 28)


def test_bottleneck_saving_curve():
    curve = dict((w, s) for w, _, s in lab.bottleneck_saving_curve(widths=(16, 192)))
    assert curve[16] == pytest.approx(120_422_400 / 12_443_648)  # lecture: ~10× cheaper
    assert curve[192] < 1  # a "bottleneck" as wide as the input costs more than the direct conv


@PROPERTY
@given(s=settings_of(lab.CONTROLS))
def test_inception_property(s):
    res = valid_or_clear(lambda: lab.inception(**s, real=False))
    assert res is not None and res.agrees
    pooled = s["pool_proj"] if s["use_pool_proj"] else s["n_c"]
    assert res.output_shape == (s["ch1x1"] + s["ch3x3"] + s["ch5x5"] + pooled, s["n"], s["n"])
