"""The explorer's figures say what the lecture says, checked on the figures' own data."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from tests.viz.explorer.common import traced
from viz.explorer import figures as charts
from viz.explorer import structure as ex

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def _texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def test_volume_diagram_of_vgg16_labels_every_stage_the_lecture_way():
    result = traced("vgg16")
    fig = charts.volume_diagram(ex.diagram_groups(result), result.input_size)
    texts = _texts(fig)
    # Lecture: 224×224×3 → 112×112×64 → 56×56×128 → 28×28×256 → 14×14×512 → 7×7×512, then FC 4096, 4096, 1000.
    for label in ("224 × 224 × 3", "112 × 112 × 64", "56 × 56 × 128", "28 × 28 × 256", "14 × 14 × 512",
                  "7 × 7 × 512", "FC 4096", "FC 1000"):
        assert f"<b>{label}</b>" in texts, label
    assert "CONV 3×3 ×2<br>MAX POOL" in texts
    # A box (front rect + 2 faces) per volume: input + 5 conv stages + 3 FC layers.
    fronts = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(fronts) == 9
    # Box heights follow n_H: each conv stage's box is shorter than the one before.
    heights = [s.y1 - s.y0 for s in fronts[:6]]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 6
    # No skip arcs in VGG.
    assert not any("skip" in t for t in texts)


def test_crowded_diagram_labels_fit_the_narrow_gaps():
    # GoogLeNet's 16 stage boxes leave narrow gaps: a label breaks between words into lines
    # of at most 7 characters (a single longer word, like "inception", stays whole).
    result = traced("googlenet")
    fig = charts.volume_diagram(ex.diagram_groups(result), result.input_size)
    labels = [a.text for a in fig.layout.annotations if a.yanchor == "bottom" and a.text
              and not a.text.startswith("<b>") and "branches" not in a.text]
    assert "MAX<br>POOL" in labels and "AVG<br>POOL<br>FC" in labels
    assert all(len(line) <= 7 or " " not in line for text in labels for line in text.split("<br>"))


def test_volume_diagram_marks_resnet_skips_and_inception_branches():
    result = traced("resnet50")
    texts = _texts(charts.volume_diagram(ex.diagram_groups(result), result.input_size))
    # He et al. 2016, Table 1: 3, 4, 6, 3 residual blocks in layer1..layer4.
    assert [t for t in texts if t.startswith("skip")] == ["skip ×3", "skip ×4", "skip ×6", "skip ×3"]
    plain = charts.volume_diagram(ex.diagram_groups(result), result.input_size, residual=False)
    assert not any(t.startswith("skip") for t in _texts(plain))

    google = traced("googlenet")
    fig = charts.volume_diagram(ex.diagram_groups(google), google.input_size)
    # Szegedy et al. Table 1: nine inception modules (3a, 3b, 4a–4e, 5a, 5b), each with 4 branches.
    assert _texts(fig).count("4 branches") == 9
    coloured = [s for s in fig.layout.shapes if s.type == "rect" and s.fillcolor in charts.BRANCH_COLOURS]
    assert len(coloured) == 9 * 4
    hover = " ".join(fig.data[0].hovertext)
    assert "64 + 128 + 32 + 32 = 256 channels" in hover  # module 3a (lecture)


def test_channel_growth_goes_down_in_space_and_up_in_channels_for_vgg16():
    result = traced("vgg16")
    fig = charts.channel_growth(result.records, result.input_size)
    n_h, n_w, n_c = (list(trace.y) for trace in fig.data)
    assert n_h == n_w
    assert n_h[0] == 224 and n_c[0] == 3
    conv_part = [i for i, h in enumerate(n_h) if h > 1]
    # "n_H, n_W ↓, n_C ↑" (lecture) along the convolutional part.
    assert all(a >= b for a, b in zip(n_h[:len(conv_part)], n_h[1:len(conv_part)]))
    assert all(a <= b for a, b in zip(n_c[:len(conv_part)], n_c[1:len(conv_part)]))
    assert max(n_c[:len(conv_part)]) == 512
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"


def test_channel_growth_uses_block_outputs_not_their_insides():
    result = traced("resnet50")
    fig = charts.channel_growth(result.records, result.input_size)
    names = list(fig.data[0].hovertext)
    # The stem conv and pool, 16 bottleneck outputs, avg pool and FC, after the input.
    assert len(names) == 1 + 2 + 16 + 2
    n_c = list(fig.data[2].y)
    assert n_c[1:-1] == sorted(n_c[1:-1])  # channels never shrink between bottleneck outputs


def test_cost_chart_shows_vgg16_fc_params_vs_conv_macs():
    result = traced("vgg16")
    fig = charts.cost_by_stage(ex.group_records(result, 0))
    params, macs = fig.data
    share_p = dict(zip(params.y, params.x))
    share_m = dict(zip(macs.y, macs.x))
    # Lecture: most of VGG-16's parameters are in the FC layers, most of its multiply-adds in the convs.
    assert sum(share_p[f"fc{i}"] for i in (6, 7, 8)) > 85
    assert sum(share_m[f"block{i}"] for i in range(1, 6)) > 99
    assert share_p["fc6"] > 70  # fc6 alone: 25088 × 4096 weights of 138M
    assert abs(sum(params.x) - 100) < 1e-6 and abs(sum(macs.x) - 100) < 1e-6


def test_compare_chart_is_log_log_and_switches_to_flops():
    points = [dict(name=n, title=NETWORKS[n].title, family=NETWORKS[n].family,
                   params=traced(n).total_params, macs=traced(n).total_macs, resolution=224)
              for n in ("lenet5", "vgg16")]
    fig = charts.compare_networks(points, "FLOPs", highlight="vgg16")
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    xs = [x for trace in fig.data for x in trace.x]
    assert sorted(xs) == sorted(2 * p["macs"] for p in points)
    assert "FLOPs (= 2 × MACs)" in fig.layout.xaxis.title.text
