"""The Network Builder's view (issue 17): the table both ways, the sections under it, ONNX and Compare views."""

from __future__ import annotations

from tests.viz.builder.designs import EVERY_KIND
from tests.viz.builder.helpers import light
from viz import view as v
from viz.builder import view as bv
from viz.builder.compare import Side
from viz.builder.design import Design, evaluate
from viz.builder.onnx_model import open_onnx
from viz.builder.rows import normalise
from viz.builder.start import design_from_zoo
from viz.trace import trace_network


def _kinds(view, kind):
    return [b for b in v.walk(view.blocks) if isinstance(b, kind)]


def test_the_table_shows_each_rows_results_and_reads_back_as_the_design():
    design = design_from_zoo("lenet5")
    table = bv.editor(design, evaluate(design), "k")
    first = table.rows[0]
    assert first["#"] == 1 and first["layer"] == "CONV" and first["stage"] == "c1"
    assert (first["output"], first["parameters"], first["MACs"], first["receptive field"]) == (
        "28 × 28 × 6", 156, 28 * 28 * 6 * 25, "5 × 5")  # LeCun et al. 1998: C1, 156 parameters
    assert first["c"] == 6 and first["f"] == 5 and first["p"] == 0 and first["SE"] is None
    assert all(set(row) == {c.name for c in table.columns} for row in table.rows)
    assert bv.rows_from_editor(table.rows) == design.rows
    assert bv.edited_design(design, [dict(r) for r in table.rows]) is None


def test_an_edit_in_the_table_is_a_new_design():
    design = EVERY_KIND
    records = [dict(r) for r in bv.editor(design, None, "k").rows]
    records[0]["c"] = 24.0  # numbers come back from the editor as floats
    records[2]["layer"] = "AVG POOL"
    records.append({"layer": "FULLY CONNECTED"})  # a new row: its defaults fill in
    new = bv.edited_design(design, records)
    assert new.rows[0].c == 24 and new.rows[2].kind == "avgpool" and new.rows[2].k == 3
    assert new.rows[-1] == normalise(dict(kind="fc", c=10))
    assert new.rows[1:2] == design.rows[1:2]


def test_problems_and_notes_under_the_table():
    result = evaluate(Design((3, 8, 8), (normalise(dict(kind="conv", c=8, s=2)), normalise(dict(kind="maxpool", k=8)),
                                          normalise(dict(kind="flatten")), normalise(dict(kind="fc")))))
    view = bv.problems_view(result)
    errors = [b.text for b in _kinds(view, v.Callout) if b.kind == "error"]
    assert errors == ["row 2: an 8×8 pool on a 4×4 map (padding 0) leaves nothing; use padding 2, or a kernel of "
                      "at most 4, or remove a pool or a stride earlier."]
    assert [b.text for b in _kinds(view, v.Caption)] == [
        "Rows 3–4 wait for the row above to work; the totals and diagrams are those of row 1."]
    table = bv.editor(result.design, result, "k")
    assert [r["output"] for r in table.rows] == ["4 × 4 × 8", "✗ see below", "…", "…"]
    assert _kinds(bv.problems_view(evaluate(Design())), v.Callout)[0].text.startswith("The table is empty")


def test_export_view_offers_the_file_the_design_and_the_link():
    view = bv.export_view(evaluate(design_from_zoo("lenet5")))
    downloads = _kinds(view, v.Download)
    assert [d.file_name for d in downloads] == ["lenet5.py", "lenet5.json"]
    assert "class Lenet5(nn.Sequential)" in downloads[0].data
    assert "address holds the design" in _kinds(view, v.Caption)[0].text
    empty = bv.export_view(evaluate(Design()))
    assert [d.file_name for d in _kinds(empty, v.Download)] == ["my_network.json"]  # nothing to run yet


def test_figures_are_the_explorers():
    view = bv.figures_view(evaluate(design_from_zoo("vgg16")).result, "vgg16")
    volume, growth = (block for block in view.blocks if isinstance(block, v.Responsive))
    (cost,) = [block for block in view.blocks if isinstance(block, v.Figure)]
    for figure in (volume.wide[0].figure, volume.narrow[0].figure):  # the title is drawn in the diagram
        assert "<b>vgg16: the volume after each" in " ".join(a.text for a in figure.layout.annotations)  # (wrapped)
    assert growth.wide[0].figure.layout.title.text.startswith("Channel growth")
    assert cost.figure.layout.title.text == "Where the cost lives"


def test_onnx_view_of_the_light_resnet50():
    model = open_onnx(light("resnet50"))
    view = bv.onnx_view(model, "light_resnet50.onnx")
    metrics = {m.label: m.value for block in _kinds(view, v.Metrics) for m in block.items}
    assert metrics["Parameters"] == "25,557,032"  # He et al. 2016 / torchvision's ResNet-50
    (nodes, layers) = _kinds(view, v.Table)
    assert len(nodes.rows) == len(model.nodes)
    conv1 = nodes.rows[0]
    assert (conv1["ONNX op"], conv1["output (n_H × n_W × n_C)"], conv1["receptive field"]) == ("Conv", "112 × 112 × 64",
                                                                                              "7 × 7")
    assert sum(r["parameters"] for r in nodes.rows) == 25_557_032
    assert len(_kinds(view, v.Figure)) == 5  # volume and growth wide and narrow, cost


def test_compare_view():
    view = bv.compare_view(Side("VGG-16", trace_network("vgg16")), Side("VGG-19", trace_network("vgg19")))
    assert [b.key for b in _kinds(view, v.Figure)] == ["cmp_volume_A", "cmp_volume_B", "cmp_aligned"]
    (table,) = _kinds(view, v.Table)
    assert table.rows[-1]["Δ parameters (B − A)"] == 143_667_240 - 138_357_544
    problem = bv.compare_view(Side("A", problem="no row works"), Side("VGG-19", trace_network("vgg19")))
    assert [b.text for b in _kinds(problem, v.Callout)] == ["A: no row works"]
