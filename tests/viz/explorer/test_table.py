"""The layer table: rows that add up at every depth, MACs or FLOPs, and its CSV."""

from __future__ import annotations

import csv
import io

import pytest

from architectures import NETWORKS
from tests.viz.explorer.common import traced
from viz.explorer import table as ex

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def test_table_rows_add_up_at_every_depth():
    result = traced("resnet50")
    for depth in range(0, ex.max_depth(result) + 1):
        rows = ex.table_rows(result, depth)
        leaves_or_cut = [r for r in rows if r["depth"] == depth or
                         not any(q["layer"].strip(ex.INDENT).startswith(r["layer"].strip(ex.INDENT) + ".")
                                 for q in rows)]
        # 25,557,032 parameters: ResNet-50 (torchvision's resnet50 model card).
        assert sum(r["parameters"] for r in leaves_or_cut) == 25_557_032 == result.total_params
        assert sum(r["MACs"] for r in leaves_or_cut) == result.total_macs


def test_table_in_flops_and_as_csv():
    result = traced("lenet5")
    rows = ex.table_rows(result, 1, "FLOPs")
    assert "FLOPs" in rows[0] and "MACs" not in rows[0]
    text = ex.rows_to_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows)
    assert parsed[0]["layer"] == "c1" and not parsed[1]["layer"].startswith(ex.INDENT)
    assert sum(int(r["FLOPs"]) for r in parsed if r["depth"] == "0") == 2 * result.total_macs


def test_rows_are_in_preorder_and_the_slider_stops_at_the_deepest_level():
    result = traced("resnet50")
    names = [r["layer"].strip(ex.INDENT) for r in ex.table_rows(result, 1)]
    assert names.index("layer1") < names.index("layer1.0") < names.index("layer2")
    # ResNet-50's records nest down to layer1.0.conv1.conv (depth 3), under the table's cap of 6.
    assert ex.deepest_level(result) == ex.max_depth(result) == 3
