"""The explorer's pure logic: URL state, numbers as the lecture says them, table, labels."""

from __future__ import annotations

import csv
import io
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from architectures import NETWORKS
from viz import explorer as ex
from viz.trace import trace_network

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


@cache
def traced(name: str, **options):
    return trace_network(name, options)


# ------------------------------------------------------------------ URL state


def test_empty_url_gives_vgg16_and_no_notices():
    state = ex.parse_state({})
    assert state.network == "vgg16"
    assert state.options == {} and state.resolution is None and state.notices == []
    assert state.unit == "MACs" and state.diagram == "stages"


def test_url_round_trip_keeps_network_options_and_view():
    state = ex.ExplorerState(network="resnet50", options={"residual": False, "variant": "v1.5"}, resolution=160,
                             unit="FLOPs", table_depth=2, diagram="blocks", compare=("vgg16", "lenet5"))
    params = ex.state_to_params(state)
    assert params["residual"] == "false" and params["variant"] == "v1.5" and params["res"] == "160"
    back = ex.parse_state(params)
    assert back.notices == []
    assert (back.network, back.options, back.resolution, back.unit, back.table_depth, back.diagram, back.compare) \
        == ("resnet50", {"residual": False, "variant": "v1.5"}, 160, "FLOPs", 2, "blocks", ("vgg16", "lenet5"))


def test_defaults_are_left_out_of_the_link():
    assert ex.state_to_params(ex.parse_state({"net": "vgg16"})) == {"net": "vgg16"}
    # 224 is VGG-16's default input (Simonyan & Zisserman 2015, §2.1): not written either.
    assert ex.parse_state({"net": "vgg16", "res": "224"}).resolution is None


@pytest.mark.parametrize("params, fragment", [
    ({"net": "vgg17"}, "'vgg17', which is not in the zoo"),
    ({"net": "vgg16", "batch_norm": "maybe"}, "Ignored batch_norm='maybe'"),
    ({"net": "vgg16", "num_classes": "0"}, "Ignored num_classes='0'"),
    ({"net": "vgg16", "res": "abc"}, "Ignored res='abc'"),
    ({"net": "vgg16", "res": "100000"}, "from 8 to 1024"),
    ({"net": "vgg16", "unit": "bits"}, "Ignored unit='bits'"),
    ({"net": "vgg16", "rows": "-1"}, "Ignored rows='-1'"),
    ({"net": "vgg16", "diagram": "cubes"}, "Ignored diagram='cubes'"),
    ({"net": "vgg16", "compare": "vgg16,nonet"}, "'nonet'"),
    ({"net": "vgg16", "foo": "1"}, "Ignored parameter(s) foo"),
    ({"net": "mobilenet_v2", "res": "100"}, "set by its options"),
])
def test_bad_url_values_fall_back_to_defaults_with_a_notice(params, fragment):
    state = ex.parse_state(params)
    assert any(fragment in notice for notice in state.notices), state.notices
    assert state.network in NETWORKS
    # Everything that was ignored is at its default; the rest is kept.
    assert state.options == {} and state.resolution is None and state.unit == "MACs"


def test_unknown_network_notice_lists_the_allowed_names():
    notice = ex.parse_state({"net": "alexnet2"}).notices[0]
    assert all(name in notice for name in NETWORKS)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from(["net", "res", "unit", "rows", "diagram", "compare", "batch_norm",
                                        "residual", "width", "phi", "zz"]),
                       st.text(max_size=12)))
def test_any_url_parses_to_a_valid_state(params):
    state = ex.parse_state(params)
    spec = NETWORKS[state.network]
    assert spec.resolve(state.options) is not None  # every kept option is valid
    assert state.resolution is None or ex.RESOLUTION_MIN <= state.resolution <= ex.RESOLUTION_MAX
    assert state.unit in ex.UNITS and state.diagram in ex.DIAGRAM_LEVELS
    assert set(state.compare) <= set(NETWORKS)
    assert ex.parse_state(ex.state_to_params(state)).notices == []


def test_networks_grouped_by_family_in_lecture_order():
    grouped = ex.networks_by_family()
    assert list(grouped)[0] == "classic"
    assert sum(len(v) for v in grouped.values()) == len(NETWORKS)
    assert "vgg16" in grouped["classic"] and "resnet50" in grouped["residual"]


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize("n, text", [
    (138_357_544, "138M"), (61_706, "61.7K"), (4_231_976, "4.23M"), (15_470_264_320, "15.5G"), (999, "999"),
    (60_000_000, "60M"),
])
def test_approx_three_significant_digits(n, text):
    assert ex.approx(n) == text


def test_params_headline_matches_the_lecture():
    # 138,357,544: VGG-16 (torchvision's vgg16; Simonyan & Zisserman Table 2 "138M"), the lecture's "~138M".
    assert ex.params_headline(138_357_544, NETWORKS["vgg16"]) == "138,357,544 ≈ 138M as in the lecture"
    # LeNet-5's 61,706 (architectures/lenet.py table) is within 5 % of the lecture's "about 60K".
    assert ex.params_headline(61_706, NETWORKS["lenet5"]) == "61,706 ≈ 60K as in the lecture"
    # A width-0.5 variant is far from the claim: the headline says the claim is for the default.
    text = ex.params_headline(1_000_000, NETWORKS["vgg16"], is_default=False)
    assert "the lecture's 138M is for the default VGG-16" in text


def test_flops_are_twice_macs():
    # VGG-16: 15,470,264,320 multiply-adds (torchvision model card "15.47 GFLOPS", which are MACs).
    assert ex.macs_in(15_470_264_320, "FLOPs") == 30_940_528_640
    assert ex.format_macs(15_470_264_320) == "15.5G MACs"
    assert ex.format_macs(15_470_264_320, "FLOPs") == "30.9 GFLOPs"
    assert "FLOPs = 2 × MACs" in ex.UNIT_NOTE


def test_shapes_the_lecture_way():
    assert ex.shape_label((1, 256, 56, 56)) == "56 × 56 × 256"
    assert ex.shape_label((1, 4096)) == "4096"
    assert ex.shape_nhwc((1, 4096)) == (1, 1, 4096)
    assert ex.shape_label((3, 224, 224)) == "224 × 224 × 3"


# ------------------------------------------------------------------ records


def test_vgg16_stages_shapes_and_ops():
    result = traced("vgg16")
    groups = ex.diagram_groups(result, "stages")
    # The lecture (and DESIGN.md): 224 → 112 → 56 → 28 → 14 → 7 with 64 → 128 → 256 → 512 → 512 channels.
    assert [ex.shape_label(g.output_shape) for g in groups[:5]] == [
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


def test_googlenet_inception_3a_branches():
    groups = {g.name: g for g in ex.diagram_groups(traced("googlenet"), "stages")}
    # Lecture / Szegedy et al. Table 1: (3a) outputs 28×28×256 = 64 + 128 + 32 + 32.
    assert ex.shape_label(groups["inception3a"].output_shape) == "28 × 28 × 256"
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


def test_group_fallback_agrees_with_the_tracer():
    result = traced("googlenet")
    ours = ex._group_fallback(result.records, 0)
    theirs = ex.group_records(result, 0)
    assert [(g.name, g.params, g.macs, tuple(g.output_shape)) for g in ours] == \
        [(g.name, g.params, g.macs, tuple(g.output_shape)) for g in theirs]


# ------------------------------------------------------------------ code and published figures


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_network_has_source_published_rows_and_a_pretrained_line(name):
    spec = NETWORKS[name]
    path, source = ex.module_source(name)
    # The file that defines the network's builder, whole (its SPECS included).
    assert path == spec.builder.__module__.replace(".", "/") + ".py" and "SPECS" in source
    rows = ex.published_rows(spec, 1_000, 2_000, "FLOPs")
    assert rows[0]["FLOPs"] == "4 KFLOPs"
    assert ex.pretrained_note(spec)


def test_published_rows_for_resnet50_show_the_v15_gap():
    rows = ex.published_rows(NETWORKS["resnet50"], 25_557_032, 3_857_973_248)
    # He et al. 2016 Table 1: 3.8 G; torchvision's v1.5: 4.09 G (its model card).
    assert [r["multiply-adds"] for r in rows] == ["3.86G MACs", "3.8G MACs", "4.09G MACs"]
    assert "v1.5" in ex.published_note(NETWORKS["resnet50"])
    assert "torchvision.models.resnet50" in ex.pretrained_note(NETWORKS["resnet50"])
