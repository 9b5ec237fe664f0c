"""Chart text readable from the back of a room (issue 15: tick and label fonts ≥ 14 px at 1280 × 720).

viz.readable reads a figure's JSON as Streamlit will draw it (its theme sets 12 px ticks and
legends where a figure sets none); every Block Lab and Augmentation Lab chart is held to
MIN_PX, and the 10-crop pictures' labels to not overlapping.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from viz import images
from viz import view as v
from viz.augmentation import previews as P
from viz.augmentation import view as AV
from viz.augmentation.cost import ForwardCost
from viz.augmentation.crops import rescale_short_side, ten_crop_boxes
from viz.augmentation.loading import Throughput
from viz.augmentation.measured import Measurement
from viz.blocklab.view import LABS
from viz.readable import MIN_PX, THEME_PX, merge, smallest_text, text_layout


def test_a_figure_without_its_own_sizes_is_drawn_at_the_themes_12_px():
    bare = {"data": [{"type": "bar", "x": [1], "y": [2]}], "layout": {"font": {"size": 18},
                                                                      "xaxis": {"title": {"text": "x"}}}}
    assert smallest_text(bare) == (THEME_PX["tickfont"], "xaxis tick labels")  # layout.font does not reach ticks
    sized = merge(text_layout(), {"xaxis": {"title": "x"}})
    assert sized["xaxis"]["title"] == {"font": {"size": 16}, "text": "x"}  # a text title keeps its font
    assert smallest_text({"data": bare["data"], "layout": sized})[0] >= MIN_PX
    tiny_note = {"data": [], "layout": {**sized, "annotations": [{"text": "n", "font": {"size": 10}}]}}
    assert smallest_text(tiny_note) == (10, "annotation 0 ('n')")


def _figures(views):
    for name, view in views:
        for block in v.walk(view.lead + view.blocks):
            if isinstance(block, v.Figure):
                yield f"{name}/{block.key}", block.figure


def _lab_views():
    return [(lab_id, lab.view({})) for lab_id, lab in LABS.items()]


def _augmentation_views():
    runs = tuple(Throughput(w, 48, 8, 60.0, 1.0, 0.4, r) for w, r in enumerate((75.0, 118.0, 131.0)))
    m = Measurement(runs, 48, 8, 60.0, ("mirroring",), 0, 2, 0.1, 0.2)
    return [("cost", AV.cost_view(ForwardCost("alexnet", 10**9, (1, 3, 224, 224)), 10, 7)),
            ("quiet", AV.quiet_loader_view(m, 48, 8, 60.0, ("mirroring",))),
            ("live", AV.live_loader_view(m))]


@pytest.mark.parametrize("views", [_lab_views, _augmentation_views], ids=["block lab", "augmentation lab"])
def test_every_chart_text_is_at_least_14_px(views):
    figures = list(_figures(views()))
    assert len(figures) >= 3
    for name, figure in figures:
        size, where = smallest_text(figure.to_plotly_json())
        assert size >= MIN_PX, (name, where, size)


def test_the_ten_crop_cost_chart_has_a_linear_axis_without_minor_ticks():
    (figure,) = [f for _, f in _figures(_augmentation_views()[:1])]
    y = figure.to_plotly_json()["layout"]["yaxis"]
    assert y.get("type", "linear") == "linear" and "minor" not in y and y["tickformat"] == "~s"


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [64, 160, 224, 256])
def test_the_ten_crop_labels_do_not_overlap(size):
    # The bundled photograph rescaled as the page does (short side 256), at the crop sizes a student can pick.
    image = rescale_short_side(images.load_default().pixels)
    h, w = image.shape[:2]
    boxes = [(b.x0, b.y0, b.x1, b.y1) for b in ten_crop_boxes(h, w, size)[:5]]
    labels = images.label_boxes(boxes, P.TEN_CROP_LABELS, width=3, font_size=P.TEN_CROP_FONT,
                                label_at=P.TEN_CROP_ANCHORS)
    for (i, a), (j, b) in itertools.combinations(enumerate(labels), 2):
        assert not _overlap(a, b), (size, P.TEN_CROP_LABELS[i], P.TEN_CROP_LABELS[j], a, b)
    for label, box in zip(labels, boxes):  # each label inside its own crop
        assert box[0] <= label[0] and label[2] <= box[2] and box[1] <= label[1] and label[3] <= box[3]
    assert np.asarray(P.ten_crop_pictures(image, size).original).shape == image.shape
