"""Inside LeNet-5, without Streamlit: preprocessing, layer outputs, one unit's sum, fields, errors, views."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
import torch
from PIL import Image

from viz import view as v
from viz.data import mnist
from viz.inside import errors, network, pictures
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


def test_the_ten_probabilities_are_bars_as_tall_as_they_are_likely(model):
    result = network.forward(model, mnist.test().images[0])
    html = pictures.probabilities_html(result.probabilities, result.prediction)
    bars = re.findall(r'data-digit="(\d)" data-p="([0-9.]+)" style="[^"]*height:([0-9.]+)%[^"]*background:(#\w+)', html)
    assert [int(d) for d, *_ in bars] == list(range(10))
    assert np.allclose([float(p) for _, p, _, _ in bars], result.probabilities, atol=1e-6)
    assert np.allclose([float(h) for _, _, h, _ in bars], result.probabilities * 100, atol=0.01)
    # the answer's bar is red, the nine others blue
    assert [c for *_, c in bars].count(pictures.ANSWER) == 1 and bars[result.prediction][3] == pictures.ANSWER
    assert "<script" not in html


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


# ---------------------------------------------------------------- pictures

def decoded(tiles: v.Tiles) -> np.ndarray:
    """The RGBA pixels of a Tiles picture, as the browser gets them."""
    return np.asarray(Image.open(io.BytesIO(tiles.png)).convert("RGBA"))


def test_tiled_maps_and_cells_line_up():
    maps = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    image = pictures.tiled(maps, columns=2)
    assert image.shape == (3, 4 + pictures.GAP + 4)
    for k, r, c in np.ndindex(*maps.shape):
        y, x = pictures.cell_position((k, r, c), maps.shape, columns=2)
        assert image[y, x] == maps[k, r, c]
    assert np.isnan(image[:, 4]).all()  # the gap
    with pytest.raises(ValueError):
        pictures.cell_position((2, 0, 0), maps.shape, columns=2)
    # 16 maps four to a row: map 5 (index 5) is the second of the second row
    assert pictures.cell_position((5, 1, 2), (16, 5, 5), columns=4) == (5 + 1 + 1, 5 + 1 + 2)


def test_maps_tiles_one_pixel_per_unit_with_their_colour_scale():
    maps = np.zeros((6, 28, 28), np.float32)
    maps[1, 3, 4] = 2.5  # the strongest unit of a ReLU layer
    tiles = pictures.maps_tiles(maps, "k", "C1", relu=True, columns=3, scale=3, marked=(1, 3, 4))
    rgba = decoded(tiles)
    assert rgba.shape == (2 * 28 + 1, 3 * 28 + 2, 4) and tiles.size == (rgba.shape[1], rgba.shape[0])
    assert tuple(rgba[3, 29 + 4]) == (0xfc, 0xfd, 0xbf, 255)  # magma's top: pale yellow
    assert tuple(rgba[0, 0]) == (0, 0, 0, 255)  # 0: black, "nothing found"
    assert rgba[:, 28, 3].max() == 0  # the gap between maps is transparent
    assert tiles.boxes == (v.Box(3, 33, 3, 33, pictures.FIELD_COLOUR),)
    assert tiles.legend.labels == ("0: nothing found", "2.5: the layer's strongest")
    assert len(tiles.values) == maps.size and tiles.values[(1 * 28 + 3) * 28 + 4] == 2.5
    tanh = pictures.maps_tiles(np.zeros((6, 14, 14)), "k", "S2", relu=False, columns=3, scale=6)
    assert tanh.legend.labels == ("−1", "0", "+1")
    assert decoded(tanh)[0, 0].min() >= 240  # 0 is RdBu's middle: white (#f7f7f7)
    payload = json.loads(json.dumps(tanh.payload()))  # plain JSON for the browser
    assert payload["src"].startswith("data:image/png;base64,") and payload["tile"] == [14, 14]
    # the values travel as one comma-separated string (tiles.js splits it), cell by cell
    sent = pictures.maps_tiles(maps, "k", "C1", relu=True, columns=3, scale=3).payload()["values"]
    assert isinstance(sent, str) and [float(x) for x in sent.split(",")] == list(tiles.values)


def test_tiles_are_small_pictures_not_thousands_of_points():
    # The reason for pictures: a canvas stroke redraws every layer (plotly with a point per unit took ~3 s).
    page = V.inside_page(V.InsideRequest(test_position=7))
    sizes = {b.key: len(json.dumps(b.payload())) for b in v.walk(page.layers.blocks) if isinstance(b, v.Tiles)}
    assert set(sizes) == set(V.MAP_KEYS.values()) | {V.FIELD_KEY}
    assert sum(sizes.values()) < 120_000, sizes


def test_steps_strip_numbers_each_step():
    steps = prepare(drawn_one()).steps
    strip = pictures.steps_strip([s.image for s in steps])
    side, gap = pictures.STEP_TILE, pictures.STEP_GAP
    assert strip.shape == (2 * side + gap, 3 * side + 2 * gap, 4)
    assert tuple(strip[2, 6]) == (0, 208, 132, 255)  # step 1's green number badge
    # Step 3 (the crop of a thin "1") is all white and narrow: the backdrop beside it keeps it visible.
    step3_left, middle = 2 * (side + gap), side // 2
    row = strip[middle, step3_left:step3_left + side]
    assert tuple(row[0]) == pictures.STEP_BACKDROP
    assert (row[:, :3] == 255).all(axis=1).any()  # the white crop itself, inside the backdrop


def test_unit_sum_html_shows_the_three_grids():
    inputs = np.linspace(mnist.BACKGROUND, mnist.FOREGROUND, 25).reshape(5, 5)
    weights = np.linspace(-0.5, 0.5, 25).reshape(5, 5)
    html = pictures.unit_sum_html(inputs, weights, inputs * weights)
    assert html.count("<td") == 75 and html.count("<table") == 3
    assert "−0.50" in html and "+0.50" in html  # true minus signs


# ---------------------------------------------------------------- views

def tiles(view, key):
    return next(b for b in v.walk(view.blocks) if isinstance(b, v.Tiles) and b.key == key)


def test_page_for_a_test_digit():
    page = V.inside_page(V.InsideRequest(test_position=250))
    assert page.ok
    label = int(mnist.test().labels[250])
    assert "LeNet-5 says" in page.prediction.headline
    assert any(f"labelled **{label}**" in b.text for b in page.digit.blocks if isinstance(b, v.Caption))
    for stage, key in V.MAP_KEYS.items():
        count, h, w = V.SHAPES[stage]
        maps = tiles(page.layers, key)
        assert maps.clickable and maps.count == count and maps.tile == (h, w) and maps.legend is not None
    assert "%" in page.network.headline


def test_clicking_a_unit_outlines_its_field():
    page = V.inside_page(V.InsideRequest(unit=V.Unit("s4", 2, 4, 4)))
    assert tiles(page.layers, V.FIELD_KEY).boxes == (v.Box(16, 16, 31, 31, pictures.FIELD_COLOUR),)
    s4 = tiles(page.layers, V.MAP_KEYS["s4"])  # map 3 of 16, four to a row: the third of the first row
    assert s4.boxes == (v.Box(4, 2 * 6 + 4, 4, 2 * 6 + 4, pictures.FIELD_COLOUR),)
    assert tiles(page.layers, V.MAP_KEYS["c1"]).boxes == ()
    callout = next(b for b in v.walk(page.layers.blocks) if isinstance(b, v.Callout))
    assert "S4, map 3, row 4, column 4" in callout.text and "16 × 16" in callout.text
    c1 = V.inside_page(V.InsideRequest(unit=V.Unit("c1", 4, 2, 9)))
    text = "\n".join(b.markdown for b in v.walk(c1.kernels.blocks) if isinstance(b, v.Text))
    assert "filter 5 at row 2, column 9" in text and "rows 2–6, columns 9–13" in text
    kernels = tiles(c1.kernels, "inside_kernels")  # filter 5 outlined: second row, second column
    assert kernels.boxes == (v.Box(6, 6, 10, 10, pictures.FIELD_COLOUR),)
    # the sum shown is the network's own value for that unit
    result = network.forward(network.stored_model("modern"), mnist.test().images[0])
    shown = f"{result.maps['c1'][4, 2, 9]:.3f}"
    assert any(shown in b.text for b in v.walk(c1.kernels.blocks) if isinstance(b, v.Caption))


def click(map_, row=0, col=0):
    """A picture's component state in the run its click starts."""
    return {"unit": {"map": map_, "row": row, "col": col}}


def test_clicked_unit_reads_the_click_event():
    assert V.clicked_unit({"c1": click(0, 0, 5), "s2": None}) == V.Unit("c1", 0, 0, 5)
    assert V.clicked_unit({"c1": {"unit": None}, "s2": click(1, 0, 3)}) == V.Unit("s2", 1, 0, 3)
    assert V.clicked_unit({"c5": click(7)}) == V.Unit("c5", 7, 0, 0)
    assert V.clicked_unit({"c1": None, "s2": {}}) is None  # no click in this run
    # outside the layer or malformed (a tampered browser): ignored, never an error
    for bad in (click(6, 0, 0), click(0, 28, 0), click(-1), {"unit": {"map": "x", "row": 0, "col": 0}},
                {"unit": [1, 2]}, "unit"):
        assert V.clicked_unit({"c1": bad}) is None


def test_picker_and_wrong_digit_clicks():
    position = V.picked_position(click(13))
    assert mnist.test().labels[position] == 3  # row 1, column 3 of the grid: the second 3
    assert V.picked_position(None) is None and V.picked_position({"unit": None}) is None
    assert V.picked_position(click(10 * V.PICKER_PER_CLASS)) is None  # past the last digit
    wrong = V.wrong_position(click(0), V.InsideRequest())
    report = errors.error_report(network.stored_model("modern"))
    assert wrong == report.wrong[0]
    picker = tiles(V.picker_view(position), V.PICKER_KEY)
    assert picker.gallery and picker.count == 10 * V.PICKER_PER_CLASS
    assert (picker.boxes[0].y0, picker.boxes[0].x0) == pictures.cell_position((13, 0, 0), (picker.count, 28, 28), 10)


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


def test_drawn_pixels_come_only_from_a_png_data_url():
    url = "data:image/png;base64," + base64.b64encode(png(drawn_one())).decode()
    pixels = V.drawn_pixels({"png": url, "strokes": 1})
    assert pixels.shape == (280, 280, 3) and np.array_equal(pixels, drawn_one())
    page = V.inside_page(V.InsideRequest(source=V.SOURCES[1], canvas=pixels))
    assert page.ok and page.prediction.headline.startswith("LeNet-5 says 1")
    # nothing drawn, a cleared square, or a value no drawing square sends (a tampered browser): nothing
    jpeg = io.BytesIO()
    Image.fromarray(drawn_one()).save(jpeg, "JPEG")
    for bad in (None, {}, {"png": None}, [], "data:image/png;base64,AAAA", {"png": "data:image/png;base64,%%%"},
                {"png": "data:text/html;base64," + base64.b64encode(b"<b>x</b>").decode()},
                {"png": "data:image/png;base64," + base64.b64encode(jpeg.getvalue()).decode() + "A" * V.DRAWING_MAX_CHARS},
                {"png": "data:image/png;base64," + base64.b64encode(b"not a png").decode()},
                {"png": "data:image/png;base64," + base64.b64encode(png(np.zeros((1, 1), np.uint8))).decode()}):
        assert V.drawn_pixels(bad) is None, bad


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
    assert tiles(step, "tour_lenet_c1").count == 6
