"""The explorer's sections as view blocks: what each says, without a Streamlit server."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from tests.markdown import outside_code_spans
from tests.viz.explorer.common import traced
from viz import view as v
from viz.explorer import state as xs
from viz.explorer import view as ex
from viz.explorer.numbers import network_totals
from viz.explorer.table import table_rows

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def _state(**params) -> xs.ExplorerState:
    state = xs.parse_state(params)
    assert state.notices == []
    return state


def _of(view: v.View, kind: type) -> list:
    return [b for b in v.walk(view.blocks) if isinstance(b, kind)]


def test_vgg16_headline_says_the_lectures_figure():
    view = ex.headline_view(NETWORKS["vgg16"], traced("vgg16"), _state(net="vgg16"))
    # VGG-16: 138,357,544 parameters (torchvision's vgg16; the lecture's "~138M").
    assert view.headline == "138,357,544 ≈ 138M as in the lecture"
    metrics = {m.label: m for m in _of(view, v.Metrics)[0].items}
    assert metrics["Parameters"].value == "138,357,544"
    assert metrics["Parameters"].caption == "138,357,544 ≈ 138M as in the lecture"
    # 15,470,264,320 multiply-adds per 224 × 224 image (torchvision's model card: 15.47 G).
    assert metrics["Multiply-adds"].value == "15.5G MACs"
    assert metrics["Multiply-adds"].caption == "15,470,264,320 multiply-adds per 224 × 224 image"
    # 13 convolutions + 3 FC layers (Simonyan & Zisserman Table 1, configuration D), all on the one path.
    assert metrics["Depth"].value == "16" and metrics["Depth"].caption == ""
    assert metrics["Output"].value == "1000" and metrics["Output"].caption == "input 224 × 224 × 3"


def test_headline_in_flops_and_for_other_options():
    view = ex.headline_view(NETWORKS["vgg16"], traced("vgg16"), _state(net="vgg16", unit="FLOPs"))
    flops, = [m for m in _of(view, v.Metrics)[0].items if m.label == "FLOPs"]
    # FLOPs = 2 × MACs: 15.47 G multiply-adds are 30.9 GFLOPs.
    assert flops.value == "30.9 GFLOPs"
    assert flops.caption == "30,940,528,640 = 2 × 15,470,264,320 MACs per 224 × 224 image"
    state = _state(net="vgg16", batch_norm="true")
    view = ex.headline_view(NETWORKS["vgg16"], traced("vgg16", batch_norm=True), state)
    assert view.headline.endswith("(the lecture's 138M is for the default VGG-16)")


def test_resnet50_depth_counts_the_projection_shortcuts_beside_it():
    view = ex.headline_view(NETWORKS["resnet50"], traced("resnet50"), _state(net="resnet50"))
    depth, = [m for m in _of(view, v.Metrics)[0].items if m.label == "Depth"]
    # He et al. 2016, Table 1: 50 layers on the main path; 4 projection shortcuts W_s beside it.
    assert depth.value == "50" and depth.caption == "54 conv/FC layers in all, incl. 4 projection shortcuts"


def test_overview_leads_with_the_numbers_and_ends_with_what_is_new():
    spec = NETWORKS["resnet50"]
    view = ex.overview_view(spec, traced("resnet50"), _state(net="resnet50"))
    assert view.headline.startswith("25,557,032")  # ResNet-50 (torchvision's resnet50 model card)
    assert _of(view, v.Metrics) and not _of(view, v.Text)
    summary = ex.summary_view(spec)
    assert _of(summary, v.Text)[0].markdown == f"**What is new in ResNet-50.** {spec.summary}"
    assert _of(summary, v.Caption)[-1].text == spec.paper


def test_diagram_view_wide_and_narrow_clickable_with_an_svg_download():
    spec = NETWORKS["resnet50"]
    view = ex.diagram_view(spec, traced("resnet50"), {}, "MACs", "blocks")
    box, = _of(view, v.Responsive)
    assert box.min_width == 780 and view.figure == "xp_volume"
    wide, narrow = box.wide[0], box.narrow[0]
    assert (wide.key, narrow.key) == ("xp_volume", "xp_volume_narrow") and wide.selectable and narrow.selectable
    assert wide.export["format"] == "png" and wide.export["width"] * wide.export["scale"] == 1920
    texts = [a.text for a in wide.figure.layout.annotations]
    assert "<b>ResNet-50: the volume after each block</b>" in texts
    # The blocks diagram: each stage's first block, then its identity blocks merged (He et al. 2016, Table 1).
    assert "layer3.1–5" in texts and "identity ×5" in texts
    download, = _of(view, v.Download)
    assert download.file_name == "resnet50_blocks_224px.svg" and download.data.startswith("<svg")
    plain = ex.diagram_view(spec, traced("resnet50", residual=False), {"residual": False}, "MACs", "stages")
    annotations = _of(plain, v.Responsive)[0].wide[0].figure.layout.annotations
    assert not any(str(a.text).startswith(("identity", "W_s")) for a in annotations)


def test_charts_view_and_a_click_on_a_box():
    view = ex.charts_view(NETWORKS["vgg16"], traced("vgg16"), "MACs")
    assert [f.key for f in _of(view, v.Figure)] == ["xp_growth", "xp_growth_narrow", "xp_cost"]
    # What st.plotly_chart's selection state holds after a click on a point with customdata.
    event = {"selection": {"points": [{"curve_number": 0, "point_index": 3, "customdata": "block3"}]}}
    assert ex.selected_box(None, event) == "block3"
    assert ex.selected_box({"selection": {"points": [{"customdata": ["layer1.0"]}]}}) == "layer1.0"
    assert ex.selected_box({"selection": {"points": []}}, None) is None


def test_layer_table_view_rows_caption_and_download():
    state = _state(net="resnet50", residual="false", rows="0")
    result = traced("resnet50", residual=False)
    view = ex.layer_table_view(NETWORKS["resnet50"], result, state)
    table, = _of(view, v.Table)
    assert list(table.rows) == table_rows(result, 0, "MACs", {})
    assert table.number_columns == ("parameters", "MACs") and table.height == 38 + 35 * len(table.rows)
    assert _of(view, v.Caption)[0].text.startswith(f"{len(table.rows)} rows.")
    download, = _of(view, v.Download)
    assert download.file_name == "resnet50_residual-False_224px.csv" and download.mime == "text/csv"
    assert download.data.splitlines()[0].startswith("layer,type,depth")
    # A deep table stops growing at 620 px and scrolls.
    deep = ex.layer_table_view(NETWORKS["resnet50"], result, _state(net="resnet50", rows="3"))
    assert _of(deep, v.Table)[0].height == 620


def test_published_view_tables_notes_and_source():
    spec = NETWORKS["resnet50"]
    view = ex.published_view(spec, traced("resnet50"), _state(net="resnet50"))
    assert [h.text for h in _of(view, v.Heading)] == ["Published figures", "The code"]
    table, = _of(view, v.Table)
    # torchvision's "v1.5" ResNet-50: 4.09 G multiply-adds (its model card) vs the paper's 3.8 G.
    assert table.static and "4.09G MACs" in [r["multiply-adds"] for r in table.rows]
    assert any("v1.5" in t.markdown for t in _of(view, v.Text))
    expander, = _of(view, v.Expander)  # developer detail folded away (issue 15)
    assert expander.label.startswith("For developers") and not expander.expanded
    assert "SPECS" in _of(view, v.Code)[0].source
    assert any(c.text.startswith("architectures/resnet.py") for c in _of(view, v.Caption))
    assert not any("options chosen in the sidebar" in c.text for c in _of(view, v.Caption))
    other = ex.published_view(spec, traced("resnet50"), _state(net="resnet50", res="160"))
    assert any("options chosen in the sidebar" in c.text for c in _of(other, v.Caption))


def test_compare_view_chart_table_and_problems():
    points = [network_totals(NETWORKS[n], traced(n)) for n in ("lenet5", "vgg16")]
    state = _state(net="vgg16", unit="FLOPs")
    view = ex.compare_view(points, ["AlexNet: the server is busy"], state)
    assert [c.text for c in _of(view, v.Callout)] == ["AlexNet: the server is busy"]
    assert view.figure == "xp_compare_chart"
    table, = _of(view, v.Table)
    # LeNet-5: 61,706 parameters (architectures/lenet.py, the lecture's "~60K") at 32 × 32.
    assert table.rows[0] == {"network": "LeNet-5", "input": "32 × 32", "parameters": 61_706,
                             "FLOPs": 2 * traced("lenet5").total_macs}
    assert table.number_columns == ("parameters", "FLOPs")
    empty = ex.compare_view([], [], state)
    assert [(c.kind, c.text) for c in _of(empty, v.Callout)] == [("info", "Pick some networks to compare.")]


def test_title_notices_and_trace_errors():
    title = _of(ex.title_view(NETWORKS["vgg16"], _state(net="vgg16")), v.Heading)[0].text
    assert title == "Network Explorer: VGG-16 at 224 × 224 × 3"
    # MobileNet v2's resolution option (Sandler et al. 2018, Table 4's 96 … 224).
    heading = ex.title_view(NETWORKS["mobilenet_v2"], _state(net="mobilenet_v2", resolution="160"))
    assert _of(heading, v.Heading)[0].text == "Network Explorer: MobileNet v2 at 160 × 160 × 3"
    notices = ex.notices_view(xs.parse_state({"net": "[log in](https://evil.example)"}))
    callout, = _of(notices, v.Callout)
    assert callout.kind == "warning" and callout.icon == ":material/link_off:"
    assert "evil.example" in callout.text and "evil.example" not in outside_code_spans(callout.text)
    error, = _of(ex.trace_error_view("LeNet-5: input too small"), v.Callout)
    assert error.kind == "error" and error.text.startswith("LeNet-5: input too small\n\n")


def test_googlenet_published_view_says_why_its_count_differs():
    from viz.explorer.tracing import explorer_trace

    spec = NETWORKS["googlenet"]
    result = explorer_trace("googlenet", {"aux_logits": True}, None)
    view = ex.published_view(spec, result, _state(net="googlenet", aux_logits="true"))
    texts = " ".join(t.markdown for t in _of(view, v.Text))
    # The issue number is for developers: out of the student's text, in the folded section.
    student = " ".join(t.markdown for t in view.blocks if isinstance(t, v.Text))
    assert "#906" not in student and "3×3 in that branch" in student
    assert "`pytorch/vision#906`" in texts
    # With the side classifiers: 13.4M, 6,379,728 of them in the two heads (§5); torchvision's
    # googlenet(aux_logits=True) has 13,004,888 (3×3 instead of 5×5 in the modules).
    assert f"{result.total_params:,} parameters: 6,379,728 of them are the side heads" in student
    assert "13,004,888" in student


def test_compare_points_keep_the_traced_report_the_failed_and_stop_when_busy():
    from viz.compute import ServerBusy

    asked = []

    def totals(name):
        asked.append(name)
        if name == "vgg16":
            raise ServerBusy("the server is busy")
        return "LeNet-5 fails at 8 × 8" if name == "lenet5" else {"title": name, "params": 1, "macs": 2}

    points, problems = ex.compare_points(["alexnet", "lenet5", "vgg16", "resnet50"], totals)
    assert [p["title"] for p in points] == ["alexnet"]
    assert problems == ["LeNet-5 fails at 8 × 8", "the server is busy"]
    assert asked == ["alexnet", "lenet5", "vgg16"]  # a busy server ends the round: no more work queued
