"""The explorer's figures say what the lecture says, checked on the figures' own data."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from tests.viz.explorer.common import traced
from viz.explorer import figures as charts
from viz.explorer import structure as ex

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


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


def test_channel_growth_stage_labels_never_touch_at_its_width():
    # EfficientNet-B7's input, stem and stage1 start a few layers apart (issue 15: they collided).
    result = traced("efficientnet_b7")
    stages = [g.name for g in ex.group_records(result, 0)]
    for width, narrow in ((780, False), (330, True)):
        fig = charts.channel_growth(result.records, result.input_size, stages, width, narrow=narrow)
        axis = fig.layout.xaxis
        values, texts = list(axis.tickvals), list(axis.ticktext)
        assert texts[0] == "input" and len(texts) >= 4
        per_point = (width - fig.layout.margin.l - fig.layout.margin.r - 60) / (len(fig.data[0].x) - 1)
        gaps = [(b - a) * per_point for a, b in zip(values, values[1:])]
        if axis.tickangle == 0:  # side by side: each pair at least half their widths apart
            widths = [charts.text_width(t, 15) for t in texts]
            assert all(g >= (w1 + w2) / 2 for g, w1, w2 in zip(gaps, widths, widths[1:]))
        else:  # on end: a line height apart
            assert all(g >= 22 for g in gaps)
        assert axis.tickfont.size >= 14 and fig.layout.yaxis.tickfont.size >= 14


def test_cost_chart_gives_googlenet_side_classifiers_parameters_but_no_inference_cost():
    from viz.explorer.tracing import explorer_trace

    result = explorer_trace("googlenet", {"aux_logits": True}, None)
    fig = charts.cost_by_stage(ex.group_records(result, 0), "MACs", result.extra["side_branches"])
    params, macs = fig.data
    names = list(params.y)
    # Szegedy et al. 2015 §5: the side classifiers on (4a) and (4d), used in training only.
    assert names[names.index("inception4a") + 1] == "aux1 (training only)"
    assert names[names.index("inception4d") + 1] == "aux2 (training only)"
    share_p, share_m = dict(zip(params.y, params.x)), dict(zip(macs.y, macs.x))
    assert share_m["aux1 (training only)"] == 0 and share_p["aux1 (training only)"] > 20  # 3.2M of 13.4M
    assert abs(sum(params.x) - 100) < 1e-6 and abs(sum(macs.x) - 100) < 1e-6
