"""Inside LeNet-5, without Streamlit: preprocessing, layer outputs, one unit's sum, fields, errors, views."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from viz import view as v
from viz.data import mnist
from viz.inside import errors, figures, network
from viz.inside import view as V
from viz.inside.preprocess import NoDigit, centre_by_mass, grayscale, prepare


def drawn_one(side=280, light_on_dark=True) -> np.ndarray:
    """A canvas-like RGB picture of a vertical stroke (a "1") off-centre."""
    img = np.zeros((side, side, 3), np.uint8)
    img[40:240, 60:85] = 255
    return img if light_on_dark else 255 - img


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- preprocessing

def test_preprocessing_makes_an_mnist_digit_step_by_step():
    prepared = prepare(drawn_one())
    digit = prepared.digit
    assert digit.shape == (28, 28) and digit.dtype == np.uint8 and not prepared.inverted
    titles = [s.title for s in prepared.steps]
    assert titles == ["1. Grayscale", "2. Light digit on dark", "3. Cropped to the digit", "4. Scaled into 20 × 20",
                      "5. Centred in 28 × 28", "6. Padded to 32 × 32"]
    crop, boxed, padded = prepared.steps[2].image, prepared.steps[3].image, prepared.steps[5].image
    assert crop.shape == (200, 25)  # the stroke's bounding box
    assert max(boxed.shape) == 20 and boxed.shape == (20, round(25 * 20 / 200))  # aspect kept
    assert padded.shape == (32, 32)
    # centred by mass: the ink's mean position is the middle of the 28×28 field (±0.5 px of rounding)
    ys, xs = np.nonzero(digit)
    weights = digit[ys, xs].astype(float)
    assert abs(np.average(ys, weights=weights) - 13.5) <= 0.5
    assert abs(np.average(xs, weights=weights) - 13.5) <= 0.5


def test_dark_on_light_is_inverted_and_said_so():
    light = prepare(drawn_one(light_on_dark=True))
    dark = prepare(drawn_one(light_on_dark=False))
    assert dark.inverted and "Inverted" in dark.steps[1].note
    assert np.array_equal(light.digit, dark.digit)  # same digit once inverted


def test_a_blank_picture_has_no_digit():
    for blank in (np.zeros((280, 280, 4), np.uint8), np.full((100, 120, 3), 255, np.uint8),
                  np.full((50, 50), 128, np.uint8)):
        with pytest.raises(NoDigit, match="blank"):
            prepare(blank)


def test_a_big_photo_is_shrunk_first_and_still_found():
    photo = np.full((3000, 2000, 3), 230, np.uint8)  # light paper
    photo[800:2200, 900:1100] = 20  # a dark stroke
    prepared = prepare(photo)
    assert prepared.inverted and prepared.steps[0].image.shape[0] <= 512
    assert prepared.digit.max() == 255


def test_grayscale_paints_a_transparent_canvas_over_black():
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., :3] = 255  # white everywhere, but transparent except one pixel
    rgba[5, 5, 3] = 255
    grey = grayscale(rgba)
    assert grey[5, 5] == 255 and grey.sum() == 255
    with pytest.raises(ValueError):
        grayscale(np.zeros((4, 4, 2), np.uint8))


def test_centre_by_mass_keeps_the_digit_inside():
    patch = np.zeros((20, 20), np.uint8)
    patch[:, 0] = 255  # all the mass at the left edge
    out = centre_by_mass(patch)
    assert out.sum() == patch.sum()  # nothing cut off


# ---------------------------------------------------------------- the network

@pytest.fixture(scope="module")
def model():
    return network.stored_model("modern")


def test_every_layer_has_lenets_shape(model):
    result = network.forward(model, mnist.test().images[0])
    shapes = {name: result.maps[name].shape for name in network.STAGES}
    # LeCun et al. 1998, Fig. 2: C1 6@28×28, S2 6@14×14, C3 16@10×10, S4 16@5×5, C5 120, F6 84, output 10
    assert shapes == {"c1": (6, 28, 28), "s2": (6, 14, 14), "c3": (16, 10, 10), "s4": (16, 5, 5), "c5": (120,),
                      "f6": (84,), "output": (10,)}
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    with torch.no_grad():
        expected = model(mnist.lenet_input(mnist.test().images[0]))[0].numpy()
    assert np.allclose(result.maps["output"], expected)
    assert result.prediction == int(mnist.test().labels[0])
    assert (result.maps["c1"] >= 0).all()  # modern: ReLU


def test_one_c1_unit_is_25_inputs_times_25_weights_plus_bias(model):
    result = network.forward(model, mnist.test().images[3])
    for m, r, c in [(0, 0, 0), (2, 10, 12), (5, 27, 27), (4, 14, 9)]:
        s = network.c1_unit(model, result, m, r, c)
        assert s.inputs.shape == s.weights.shape == (5, 5)
        assert s.total == pytest.approx(float(result.c1_sums[m, r, c]), abs=1e-5)
        assert s.output == pytest.approx(float(result.maps["c1"][m, r, c]), abs=1e-5)
        assert s.total == pytest.approx(float((s.inputs * s.weights).sum() + s.bias))
    with pytest.raises(ValueError):
        network.c1_unit(model, result, 6, 0, 0)


def test_1998_style_units_use_tanh():
    old = network.stored_model("1998")
    result = network.forward(old, mnist.test().images[0])
    s = network.c1_unit(old, result, 1, 12, 12)
    assert s.activation == "tanh" and s.output == pytest.approx(np.tanh(s.total), abs=1e-6)
    assert np.abs(result.maps["s2"]).max() <= 1.0


def test_receptive_field_boxes_follow_the_layer_stack():
    # C1 5 × 5, S2 6 × 6, C3 14 × 14, S4 16 × 16, C5 and after: all 32 × 32
    assert network.field_box("modern", "c1", 3, 7) == (3, 7, 7, 11)
    assert network.field_box("modern", "s2", 0, 0) == (0, 0, 5, 5)
    assert network.field_box("modern", "c3", 0, 0) == (0, 0, 13, 13)
    assert network.field_box("1998", "s4", 4, 4) == (16, 16, 31, 31)
    assert network.field_box("modern", "f6", 0, 0) == (0, 0, 31, 31)


def test_error_report_counts_every_test_digit(model):
    report = errors.error_report(model)
    assert report.confusion.sum() == 1000 and report.confusion.sum(1).tolist() == [100] * 10
    assert report.accuracy == pytest.approx(network.trained.stored_info("modern")["test_accuracy"])
    labels = mnist.test().labels
    assert (report.predictions[report.wrong] != labels[report.wrong]).all()
    assert len(report.wrong) == 1000 - np.trace(report.confusion)
    assert list(report.confidence[report.wrong]) == sorted(report.confidence[report.wrong], reverse=True)


# ---------------------------------------------------------------- figures

def test_tiled_maps_and_points_line_up():
    maps = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    image, xs, ys = figures.tiled(maps, columns=2)
    assert image.shape == (3, 4 + figures.GAP + 4)
    for i in range(maps.size):
        k, r, c = figures.unit_of_point(i, maps.shape)
        assert image[ys[i], xs[i]] == maps[k, r, c]
    assert np.isnan(image[:, 4]).all()  # the gap
    with pytest.raises(ValueError):
        figures.unit_of_point(24, maps.shape)


def test_maps_figure_says_what_the_colours_mean():
    relu = figures.maps_figure(np.random.default_rng(0).random((6, 28, 28)), "C1", True, 3)
    spec = json.loads(relu.to_json())
    heat = spec["data"][0]
    assert heat["zmin"] == 0 and "0 = none" in heat["colorbar"]["title"]["text"]
    tanh = figures.maps_figure(np.zeros((6, 14, 14)), "S2", False, 3)
    assert tanh.data[0].zmin == -1 and tanh.data[0].zmax == 1 and tanh.data[0].zmid == 0
    assert len(relu.data[1].x) == 6 * 28 * 28  # one clickable point per unit


# ---------------------------------------------------------------- views

def figure(view, key):
    return next(b for b in v.walk(view.blocks) if isinstance(b, v.Figure) and b.key == key)


def test_page_for_a_test_digit():
    page = V.inside_page(V.InsideRequest(test_position=250))
    assert page.ok
    label = int(mnist.test().labels[250])
    assert "LeNet-5 says" in page.prediction.headline
    assert any(f"labelled **{label}**" in b.text for b in page.digit.blocks if isinstance(b, v.Caption))
    for key in V.MAP_KEYS.values():
        assert figure(page.layers, key).selectable
    assert "%" in page.network.headline


def test_clicking_a_unit_outlines_its_field():
    page = V.inside_page(V.InsideRequest(unit=V.Unit("s4", 2, 4, 4)))
    shape = figure(page.layers, "inside_field").figure.layout.shapes[0]
    assert (shape.x0, shape.y0, shape.x1, shape.y1) == (15.5, 15.5, 31.5, 31.5)
    callout = next(b for b in v.walk(page.layers.blocks) if isinstance(b, v.Callout))
    assert "S4, map 3, row 4, column 4" in callout.text and "16 × 16" in callout.text
    c1 = V.inside_page(V.InsideRequest(unit=V.Unit("c1", 4, 2, 9)))
    table = next(b for b in v.walk(c1.kernels.blocks) if isinstance(b, v.Table))
    assert list(table.rows[0]) == ["", "column 9", "column 10", "column 11", "column 12", "column 13"]
    assert "filter 5 at row 2, column 9" in next(b.markdown for b in c1.kernels.blocks if isinstance(b, v.Text))


def test_clicked_unit_is_the_chart_that_changed():
    def sel(i):
        return {"selection": {"points": [{"curve_number": 1, "point_index": i}]}}

    unit, seen = V.clicked_unit({"c1": sel(5), "s2": None}, {})
    assert unit == V.Unit("c1", 0, 0, 5)
    unit, seen = V.clicked_unit({"c1": sel(5), "s2": sel(14 * 14 + 3)}, seen)
    assert unit == V.Unit("s2", 1, 0, 3)
    unit, seen = V.clicked_unit({"c1": sel(5), "s2": sel(14 * 14 + 3)}, seen)
    assert unit is None  # nothing new
    unit, _ = V.clicked_unit({"c5": sel(7)}, seen)
    assert unit == V.Unit("c5", 7, 0, 0)


def test_picker_and_wrong_digit_clicks():
    sel = {"selection": {"points": [{"curve_number": 1, "point_index": 13}]}}
    position = V.picked_position(sel)
    assert mnist.test().labels[position] == 3  # row 1, column 3 of the grid: the second 3
    assert V.picked_position(None) is None and V.picked_position({"selection": {"points": []}}) is None
    wrong = V.wrong_position({"selection": {"points": [{"curve_number": 1, "point_index": 0}]}}, V.InsideRequest())
    report = errors.error_report(network.stored_model("modern"))
    assert wrong == report.wrong[0]


def test_drawn_digit_and_bad_inputs():
    drawn = V.inside_page(V.InsideRequest(source=V.SOURCES[1], canvas=np.dstack([drawn_one(), np.full((280, 280), 255,
                                                                                            np.uint8)])))
    assert drawn.ok and drawn.prediction.headline.startswith("LeNet-5 says 1")
    blank = V.inside_page(V.InsideRequest(source=V.SOURCES[1], canvas=np.zeros((280, 280, 4), np.uint8)))
    assert not blank.ok and blank.digit.blocks[0].kind == "warning" and "blank" in blank.digit.blocks[0].text
    nothing = V.inside_page(V.InsideRequest(source=V.SOURCES[1]))
    assert not nothing.ok and nothing.digit.blocks[0].kind == "info"

    photo = V.inside_page(V.InsideRequest(source=V.SOURCES[2], upload=(png(drawn_one(light_on_dark=False)), "one.png")))
    assert photo.ok and any(isinstance(b, v.Callout) and "Inverted" in b.text for b in photo.digit.blocks)
    text = V.inside_page(V.InsideRequest(source=V.SOURCES[2], upload=(b"not an image", "notes`.txt")))
    assert not text.ok and text.digit.blocks[0].kind == "error"
    assert text.digit.blocks[0].text.startswith("``notes`.txt``: ")  # the name only as a code span
    assert "not an image" in text.digit.blocks[0].text
    assert text.errors.blocks  # the rest of the page keeps working


def test_retrain_reports_busy_and_bad_settings():
    assert V.retrain("modern", 0, 1e-3, lambda f, t: None).kind == "invalid"
    with network.trained.exclusive():
        busy = V.retrain("modern", 1, 1e-3, lambda f, t: None)
    assert busy.kind == "busy" and "only one runs at a time" in busy.message


def test_stopping_a_retrain_releases_the_slot():
    class Stop(Exception):
        pass

    def on_progress(fraction, text):
        raise Stop  # what Streamlit does when the user presses Stop

    with pytest.raises(Stop):
        V.retrain("modern", 1, 1e-3, on_progress)
    assert not network.trained.slot.busy()


def test_lenet_step_view_for_the_tour():
    step = V.lenet_step_view()
    assert step.headline.endswith("of test digits right") and step.figure == "tour_lenet_c1"
    assert figure(step, "tour_lenet_c1")
