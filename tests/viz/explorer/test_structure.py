"""What the diagrams draw: stages and blocks, op labels, inception branches, skips, depth."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from tests.viz.explorer.common import traced
from viz.explorer import structure as ex
from viz.formatting import shape_text
from viz.trace import group

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def test_shapes_the_lecture_way():
    assert ex.shape_nhwc((1, 256, 56, 56)) == (56, 56, 256)
    assert ex.shape_nhwc((3, 224, 224)) == (224, 224, 3)
    assert ex.shape_nhwc((1, 4096)) == (1, 1, 4096)  # an FC output counts as 1 × 1 × F
    assert ex.shape_nhwc((1, 2, 3, 4, 5)) is None


def test_vgg16_stages_shapes_and_ops():
    result = traced("vgg16")
    groups = ex.diagram_groups(result, "stages")
    # The lecture (and DESIGN.md): 224 → 112 → 56 → 28 → 14 → 7 with 64 → 128 → 256 → 512 → 512 channels.
    assert [shape_text(g.output_shape) for g in groups[:5]] == [
        "112 × 112 × 64", "56 × 56 × 128", "28 × 28 × 256", "14 × 14 × 512", "7 × 7 × 512"]
    # Configuration D (Simonyan & Zisserman Table 1): 2, 2, 3, 3, 3 convolutions per block, each 3×3.
    assert [ex.op_label(g) for g in groups[:5]] == ["CONV 3×3 ×2, MAX POOL"] * 2 + ["CONV 3×3 ×3, MAX POOL"] * 3
    assert [ex.op_label(g) for g in groups[5:]] == ["FC"] * 3
    # 13 convolutions + 3 FC layers: the "16".
    assert ex.weight_layers(result.records) == (16, 16, 0)


def test_resnet50_skips_and_blocks():
    result = traced("resnet50")
    groups = ex.diagram_groups(result, "stages")
    by_name = {g.name: g for g in groups}
    # He et al. 2016, Table 1: ResNet-50 stacks 3, 4, 6, 3 bottleneck blocks.
    assert [ex.skip_count(by_name[f"layer{i}"]) for i in range(1, 5)] == [3, 4, 6, 3]
    assert ex.op_label(by_name["layer3"]) == "6 × bottleneck"
    assert ex.skip_count(by_name["layer3"], residual=False) == 0
    blocks = ex.diagram_groups(result, "blocks")
    # Each stage's first block (projection shortcut) alone, then its identity blocks merged: 1+2, 1+3, 1+5, 1+2.
    assert [g.name for g in blocks if g.layer_type == "Bottleneck"] == [
        "layer1.0", "layer1.1–2", "layer2.0", "layer2.1–3", "layer3.0", "layer3.1–5", "layer4.0", "layer4.1–2"]
    assert ex.op_label(blocks[[g.name for g in blocks].index("layer3.1–5")]) == "5 × bottleneck"
    assert sum(ex.skip_count(g) for g in blocks) == 16
    # The "50": 49 convolutions + FC on the main path (He et al. 2016, Table 1), plus 4 projection shortcuts W_s.
    assert ex.weight_layers(result.records) == (50, 54, 4)


def test_a_merged_run_of_blocks_is_a_group_like_the_tracers():
    result = traced("resnet50")
    merged = next(g for g in ex.diagram_groups(result, "blocks") if g.name == "layer3.1–5")
    tracer = {g.name: g for g in group(result, 1)}
    run = [tracer[f"layer3.{i}"] for i in range(1, 6)]
    assert type(merged) is type(run[0]) and merged.depth == 1
    assert merged.params == sum(g.params for g in run) and merged.macs == sum(g.macs for g in run)
    assert merged.input_shape == run[0].input_shape and merged.output_shape == run[-1].output_shape
    assert merged.output_bytes == run[-1].output_bytes
    assert merged.records == tuple(r for g in run for r in g.records)


def test_stage_groups_are_the_tracers_groups():
    result = traced("googlenet")
    assert ex.group_records(result, 0) == group(result, 0)


def test_googlenet_inception_3a_branches():
    groups = {g.name: g for g in ex.diagram_groups(traced("googlenet"), "stages")}
    # Lecture / Szegedy et al. Table 1: (3a) outputs 28×28×256 = 64 + 128 + 32 + 32.
    assert shape_text(groups["inception3a"].output_shape) == "28 × 28 × 256"
    assert [c for _, c in ex.branch_channels(groups["inception3a"])] == [64, 128, 32, 32]
    assert ex.branch_channels(groups["pool3"]) == []
    # "22 layers deep when counting only layers with parameters" (Szegedy et al. 2015, §5): 3 stem convs,
    # 2 per inception module on its longest branch, the classifier; 57 convs + FC across all branches.
    depth, total, _ = ex.weight_layers(traced("googlenet").records)
    assert depth == 22 and total == 58


def test_mobilenet_v2_residual_blocks():
    groups = ex.diagram_groups(traced("mobilenet_v2"), "stages")
    # Sandler et al. 2018, Table 2: n = 1, 2, 3, 4, 3, 3, 1 bottlenecks (17, as the lecture says); the
    # residual joins every repeat after a stage's first block (same shape): 0+1+2+3+2+2+0 = 10.
    blocks = [r for g in groups for r in g.records if r.layer_type == "InvertedResidual"]
    assert len(blocks) == 17
    assert sum(ex.skip_count(g) for g in groups) == 10


def test_conv_kernel_recovered_from_the_records():
    records = {r.name: r for r in traced("mobilenet_v2").records}
    kinds = {ex.conv_kernel(r) for r in records.values() if r.layer_type == "Conv2d"}
    # MobileNet v2: a 3×3 stride-2 stem, 1×1 expansions/projections, depthwise 3×3 (groups = channels).
    assert (3, 2, 1) in kinds and (1, 1, 1) in kinds
    assert any(k == 3 and g > 1 for k, _, g in kinds)
