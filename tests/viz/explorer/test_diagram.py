"""The volume diagram's layout, its plotly drawing and its SVG: what it says and that nothing overlaps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from architectures import NETWORKS
from tests.viz.explorer.common import traced
from viz.explorer import diagram as dg
from viz.explorer import figures, structure, svg
from viz.explorer.tracing import explorer_trace

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def _items(name: str, level: str = "stages", **options) -> list[dg.Item]:
    result = explorer_trace(name, options, None) if options.get("aux_logits") else traced(name, **options)
    return structure.diagram_items(structure.diagram_groups(result, level), result.input_size,
                                   bool(options.get("residual", True)), "MACs", result.extra.get("side_branches", ()))


def _texts(d: dg.Diagram) -> list[str]:
    return [" / ".join(label.lines) for label in d.labels]


@pytest.mark.slow  # traces every network of the zoo once (~15 s on 2 cores, EfficientNet-B7 the most)
@pytest.mark.parametrize("name", list(NETWORKS))
def test_no_label_overlaps_or_sticks_out_in_either_layout(name):
    for level in ("stages", "blocks"):
        items = _items(name, level)
        for kind in ("wide", "narrow"):
            d = dg.layout(items, kind, f"{NETWORKS[name].title}: the volume after each {level[:-1]}")
            assert not dg.overlaps(d), (level, kind, [(a.lines, b.lines) for a, b in dg.overlaps(d)][:3])
            for label in d.labels:
                x0, y0, x1, y1 = label.extent()
                assert -1 <= x0 and x1 <= d.width + 1 and 0 <= y0 and y1 <= d.height, (level, kind, label.lines)
            assert all(0 < v.x - v.width / 2 and v.x + v.width / 2 < d.width for v in d.volumes), (level, kind)


def test_vgg16_volumes_say_the_lectures_shapes():
    d = dg.layout(_items("vgg16"), "wide")
    texts = _texts(d)
    # Lecture: 224×224×3 → 112×112×64 → 56×56×128 → 28×28×256 → 14×14×512 → 7×7×512, then FC 4096, 4096, 1000.
    shapes = [t for t in texts if "×" in t and "CONV" not in t]
    assert shapes[:6] in (["224×224 / ×3", "112×112 / ×64", "56×56 / ×128", "28×28 / ×256", "14×14 / ×512",
                           "7×7 / ×512"],
                          ["224 × 224 × 3", "112 × 112 × 64", "56 × 56 × 128", "28 × 28 × 256", "14 × 14 × 512",
                           "7 × 7 × 512"])
    assert texts.count("FC 4096") == 2 and "FC 1000" in texts
    assert "CONV 3×3 ×2 / MAX POOL" in texts and "CONV 3×3 ×3 / MAX POOL" in texts
    heights = [v.height for v in d.volumes[:6]]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 6  # ∝ √n_H
    assert not d.legend  # no shortcuts, branches or side classifiers in VGG


def test_resnet50_skips_go_around_their_blocks_identity_and_projection_apart():
    items = {i.key: i for i in _items("resnet50", "blocks")}
    # He et al. 2016, Table 1 / Fig. 5: each stage's first bottleneck changes the shape (projection W_s,
    # option B), the others keep it (identity): 3, 4, 6, 3 blocks in layer1 … layer4.
    assert items["layer1.0"].skips == (("projection", 1),) and items["layer1.1–2"].skips == (("identity", 2),)
    assert items["layer3.1–5"].skips == (("identity", 5),) and items["layer3.1–5"].op == "5 × bottleneck"
    stages = {i.key: i for i in _items("resnet50")}
    assert stages["layer3"].skips == (("projection", 1), ("identity", 5))
    assert not any(i.skips for i in _items("resnet50", residual=False))  # the "plain" network
    d = dg.layout(list(items.values()), "wide")
    texts = _texts(d)
    assert "identity ×5" in texts and texts.count("W_s") == 4
    assert [t for t, _, _ in d.legend] == [dg.LEGEND["identity"][0], dg.LEGEND["projection"][0]]
    # A skip path runs from the block's input volume over the arrow into its output volume.
    by_key = {v.key: v for v in d.volumes}
    skip = next(line for line in d.lines if line.colour == dg.IDENTITY_COLOUR and line.dash == "solid"
                and abs(line.points[-1][0] - (by_key["layer1.1–2"].x - 6)) < 1e-6)
    assert skip.points[0][0] == by_key["layer1.0"].x + 6 and skip.arrow
    assert min(y for _, y in skip.points) < by_key["layer1.0"].top  # above the boxes, not through them
    projection = [line for line in d.lines if line.colour == dg.PROJECTION_COLOUR and line.arrow]
    assert len(projection) == 4


def test_googlenet_branches_and_its_side_classifiers():
    items = _items("googlenet")
    # Szegedy et al. Table 1: nine inception modules, 4 branches each; 3a: 64 + 128 + 32 + 32 = 256.
    assert [i.branches for i in items if i.branches][0] == (64, 128, 32, 32)
    assert sum(1 for i in items if len(i.branches) == 4) == 9
    assert not any(i.sides for i in items)
    with_aux = {i.key: i for i in _items("googlenet", aux_logits=True)}
    # §5: side classifiers on (4a) and (4d), 1000-way each.
    assert [s.key for s in with_aux["inception4a"].sides] == ["aux.aux1"]
    assert [(s.key, s.shape) for s in with_aux["inception4d"].sides] == [("aux.aux2", (1000,))]
    for kind in ("wide", "narrow"):
        d = dg.layout(list(with_aux.values()), kind)
        assert [v.key for v in d.volumes if v.kind == "side"] == ["aux.aux1", "aux.aux2"]
        assert dg.LEGEND["side"] in d.legend and "aux1 / training only" in _texts(d)


def test_the_plotly_figure_draws_the_layout_and_knows_each_box():
    d = dg.layout(_items("resnet50", "blocks"), "wide", "ResNet-50")
    fig = figures.diagram_figure(d)
    marker, = fig.data
    assert list(marker.customdata) == [v.key for v in d.volumes]  # a click says which box
    assert len(fig.layout.annotations) == len(d.labels)
    assert fig.layout.height == round(d.height) and tuple(fig.layout.yaxis.range) == (d.height, 0)
    boxes = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(boxes) == len(d.volumes) and all(s.xsizemode == "pixel" for s in boxes)  # boxes keep their size
    assert all(a.font.size >= 14 for a in fig.layout.annotations)


def test_the_svg_for_slides_is_the_same_picture_at_slide_size():
    d = dg.layout(_items("resnet50", "blocks"), "wide", "ResNet-50: the volume after each block")
    root = ET.fromstring(svg.to_svg(d))
    assert root.get("width") == "1920" and root.get("height") == f"{d.height * 2:.0f}"
    ns = "{http://www.w3.org/2000/svg}"
    texts = root.findall(f"{ns}text")
    assert len(texts) == len(d.labels)
    assert min(float(t.get("font-size")) for t in texts) >= 28  # 14 px on screen, × 2
    assert "".join(texts[0].itertext()) == "ResNet-50: the volume after each block"
    assert len(root.findall(f"{ns}rect")) == 1 + len(d.volumes)  # the white page, one front face each
    with pytest.raises(ValueError, match="at least"):
        svg.to_svg(d, width=800)
    assert svg.export_options(d, "resnet50") == {"format": "png", "filename": "resnet50", "width": 960,
                                                 "height": round(d.height), "scale": 2.0}
