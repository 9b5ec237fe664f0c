"""One layer the lecture's way: words, windows, the arithmetic with its numbers, receptive fields."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from tests.viz.explorer.common import traced
from viz import view as v
from viz.explorer import layers
from viz.explorer.details import box_records, details_view
from viz.explorer.table import table_rows
from viz.explorer.tracing import explorer_trace, receptive_fields

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def _records(name: str, **options) -> dict:
    return {r.name: r for r in traced(name, **options).records}


def test_alexnet_first_layer_is_conv_11x11_stride_4():
    rec = _records("alexnet")["conv1.conv"]
    # Krizhevsky et al. 2012 / the lecture: "CONV 11×11, s = 4" on 227×227×3 → 55×55×96.
    assert layers.window_text(rec) == "11×11, s = 4, p = 0"
    assert layers.window_columns(rec) == {"kernel": "11×11", "stride": "4", "padding": "0", "groups": "1"}
    assert layers.size_formula(rec) == "⌊(227 + 2·0 − 11)/4⌋ + 1 = 55"
    assert layers.params_formula(rec) == "(11·11·3 + 1)·96 = 34,944"
    assert layers.macs_formula(rec) == "11·11·3 · 55·55 · 96 = 105,415,200"
    # Its second layer is split in two groups, one per GPU (§3.2).
    assert layers.layer_word(_records("alexnet")["conv2.conv"]) == "grouped conv (2 groups)"


def test_vgg16_formulas_with_the_lectures_numbers():
    recs = _records("vgg16")
    # 3×3 same convolutions, 64 → 128 channels at 112×112 (Simonyan & Zisserman 2015, Table 1 D).
    conv = recs["block2.conv1.conv"]
    assert layers.params_formula(conv) == "(3·3·64 + 1)·128 = 73,856"
    assert layers.macs_formula(conv) == "3·3·64 · 112·112 · 128 = 924,844,032"
    assert layers.size_formula(conv) == "⌊(112 + 2·1 − 3)/1⌋ + 1 = 112"
    assert layers.size_formula(recs["block1.pool"]) == "⌊(224 + 2·0 − 2)/2⌋ + 1 = 112"  # MAX-POOL 2×2, s = 2
    # fc6: 7·7·512 = 25,088 inputs, 4096 outputs: 102,764,544 parameters, the bulk of the 138M.
    assert layers.params_formula(recs["fc6.fc"]) == "(25,088 + 1)·4,096 = 102,764,544"
    assert layers.macs_formula(recs["fc6.fc"]) == "25,088·4,096 = 102,760,448"


def test_googlenet_pools_round_up_and_mobilenet_convs_are_depthwise():
    pool = _records("googlenet")["stem.pool1"]
    # Szegedy et al. 2015, Table 1: 3×3/2 max-pool 112 → 56 (the Caffe model rounds up).
    assert pool.window.ceil_mode and layers.size_formula(pool) == "⌈(112 + 2·0 − 3)/2⌉ + 1 = 56"
    recs = _records("mobilenet_v2")
    dw = next(r for r in recs.values() if r.layer_type == "Conv2d" and r.window.groups > 1)
    channels = dw.input_shape[1]
    assert layers.layer_word(dw) == "depthwise conv" and dw.window.groups == channels
    assert layers.window_columns(dw)["groups"] == f"{channels} (depthwise)"
    # One 3×3 filter per channel, no bias before batch norm (Sandler et al. 2018): 9 weights a channel.
    assert layers.params_formula(dw) == f"3·3·1·{channels} = {9 * channels:,}"
    bn = recs[dw.name.rsplit(".", 1)[0] + ".bn"]
    assert layers.params_formula(bn) == f"2·{channels} = {2 * channels:,} (γ and β per channel)"


def test_layer_words_are_the_lectures():
    rows = {r["layer"].strip("\u2003"): r["type"] for r in table_rows(traced("resnet50"), 3)}
    assert rows["stem.conv"] == "conv" and rows["stem.pool"] == "max-pool" and rows["head.fc"] == "fc"
    assert rows["layer1.0"] == "bottleneck residual block" and rows["head.pool"] == "global avg-pool"
    assert rows["layer1.0.shortcut"] == "projection shortcut W_s" and rows["layer1.1.shortcut"] == "identity shortcut"
    assert rows["layer1.0.conv1"] == "conv → batch norm → ReLU" and rows["layer1"] == "stage"
    google = {r["layer"].strip("\u2003"): r["type"] for r in table_rows(traced("googlenet"), 1)}
    assert google["inception3a"] == "inception module"
    assert not {"Sequential", "Conv2d", "BasicBlock", "Bottleneck"} & (set(rows.values()) | set(google.values()))


def test_vgg16_receptive_fields_match_araujo_et_al():
    fields = receptive_fields("vgg16", {}, (3, 224, 224))
    # Araujo, Norris & Sim, "Computing Receptive Fields of CNNs", Distill 2019, Table 1: VGG-16's
    # conv5_3 sees 196×196 input pixels, its last max-pool 212×212.
    assert fields["block5.conv3.conv"] == (196, 196)
    assert fields["block5.pool"] == (212, 212)
    assert fields["block1.conv1.conv"] == (3, 3)  # one 3×3 conv
    rows = {r["layer"].strip("\u2003"): r for r in table_rows(traced("vgg16"), 2, fields=fields)}
    assert rows["block5.conv3.conv"]["receptive field"] == "196×196"


def test_details_panel_of_a_vgg_stage_and_a_resnet_run():
    result, fields = traced("vgg16"), receptive_fields("vgg16", {}, (3, 224, 224))
    view = details_view(result, "block2", fields)
    heading = next(b for b in v.walk(view.blocks) if isinstance(b, v.Heading))
    assert heading.text == "block2 — stage"
    metrics = {m.label: m for m in next(b for b in v.walk(view.blocks) if isinstance(b, v.Metrics)).items}
    # block2: two 3×3 convs 64 → 128 → 128 (73,856 + 147,584 parameters) and a 2×2 max-pool.
    assert metrics["Output"].value == "56 × 56 × 128" and metrics["Output"].caption.endswith("from 112 × 112 × 64")
    metrics = {label: m.value for label, m in metrics.items()}
    assert metrics["Parameters"] == f"{73_856 + 147_584:,}"
    # Its two convs written out (3×3 same convs, Table 1 D); receptive fields 10 and 14 (Araujo et al. 2019, Table 1).
    text = next(b for b in v.walk(view.blocks) if isinstance(b, v.Text)).markdown.splitlines()
    assert text == [
        "- `block2.conv1.conv` — conv 3×3, s = 1, p = 1: 112 × 112 × 64 → 112 × 112 × 128; output size "
        "⌊(112 + 2·1 − 3)/1⌋ + 1 = 112; parameters (3·3·64 + 1)·128 = 73,856; multiply-adds "
        "3·3·64 · 112·112 · 128 = 924,844,032; receptive field 10×10",
        "- `block2.conv2.conv` — conv 3×3, s = 1, p = 1: 112 × 112 × 128 → 112 × 112 × 128; output size "
        "⌊(112 + 2·1 − 3)/1⌋ + 1 = 112; parameters (3·3·128 + 1)·128 = 147,584; multiply-adds "
        "3·3·128 · 112·112 · 128 = 1,849,688,064; receptive field 14×14"]
    table = next(b for b in v.walk(view.blocks) if isinstance(b, v.Table))
    assert [r["layer"] for r in table.rows] == ["block2.conv1.conv", "block2.conv2.conv", "block2.pool"]
    assert table.rows[0]["parameters"] == "(3·3·64 + 1)·128 = 73,856"
    # A merged run of identical blocks: layer3.1–5 of ResNet-50 is 5 bottlenecks (He et al. 2016, Table 1).
    records, output = box_records(traced("resnet50"), "layer3.1–5")
    assert output == "layer3.5" and len({r.name.split(".")[1] for r in records}) == 5
    assert details_view(traced("vgg16"), "layer3.1–5", None).blocks == ()  # not a box of VGG-16


def test_googlenet_side_classifiers_are_traced_on_their_stage_outputs():
    result = explorer_trace("googlenet", {"aux_logits": True}, (3, 224, 224))
    sides = result.extra["side_branches"]
    # Szegedy et al. 2015 §5: side classifiers on (4a) and (4d), 14×14×512 and 14×14×528 in.
    assert [(s.attach, s.group.input_shape[1:]) for s in sides] == [("inception4a", (512, 14, 14)),
                                                                    ("inception4d", (528, 14, 14))]
    # Each: 1×1 conv 128 (+bias) + FC 2048→1024 + FC 1024→1000 = 3,188,840 / 3,190,888 parameters.
    assert [s.group.params for s in sides] == [512 * 128 + 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000,
                                               528 * 128 + 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000]
    assert result.total_params == traced("googlenet").total_params + sum(s.group.params for s in sides)
    assert result.total_macs == traced("googlenet").total_macs  # eval mode: they never run
    assert explorer_trace("googlenet", {}, (3, 224, 224)).extra["side_branches"] == ()
