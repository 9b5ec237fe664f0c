"""viz.trace.records: records grouped by stage (depth 0) and block (depth 1)."""

from __future__ import annotations

import pytest

from tests.viz.trace.helpers import Branchy
from viz.trace import group, trace


def test_groups_by_stage_and_block():
    result = trace(Branchy(), (3, 64, 64))
    stages = group(result, 0)
    assert [g.name for g in stages] == ["stem", "stage1", "stage2", "pool", "flatten", "fc"]
    assert sum(g.macs for g in stages) == result.total_macs
    assert sum(g.params for g in stages) == result.total_params
    stage1 = stages[1]
    assert stage1.layer_type == "Sequential"
    assert stage1.input_shape == (1, 8, 32, 32) and stage1.output_shape == (1, 16, 16, 16)
    assert stage1.output_bytes == 16 * 16 * 16 * 4
    assert stage1.records[0].name == "stage1" and all(r.name.startswith("stage1") for r in stage1.records)
    blocks = result.group(1)
    names = [g.name for g in blocks]
    # Containers above depth 1 make way for their children; top-level leaves stay groups.
    assert names == ["stem.conv", "stem.bn", "stem.act", "stage1.0", "stage1.1", "stage2.0", "stage2.1",
                     "pool", "flatten", "fc"]
    assert sum(g.macs for g in blocks) == result.total_macs
    assert sum(g.params for g in blocks) == result.total_params
    block = blocks[names.index("stage1.1")]
    assert block.layer_type == "InvertedResidual" and block.output_shape == (1, 16, 16, 16)


def test_group_depth_must_be_a_natural_number():
    result = trace(Branchy(), (3, 32, 32))
    for bad in (-1, 1.5, "0", True):
        with pytest.raises(ValueError, match="depth"):
            group(result, bad)
