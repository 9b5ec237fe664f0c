"""Inside LeNet-5 under Streamlit's AppTest: each input path and each bad input."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from viz.data import mnist

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "viz" / "pages" / "inside_lenet.py")
TIMEOUT = 120


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def a_one(dark_on_light: bool = False, side: int = 280, alpha: bool = False) -> np.ndarray:
    img = np.zeros((side, side, 3), np.uint8)
    img[side // 7: side * 6 // 7, side * 2 // 5: side * 2 // 5 + side // 11] = 255
    if dark_on_light:
        img = 255 - img
    if alpha:
        img = np.dstack([img, np.full((side, side), 255, np.uint8)])
    return img


def canvas_state(rgba: np.ndarray, strokes: int = 1) -> dict:
    """What the drawing square (viz/pages/_canvas/canvas.js) keeps in session state after a drawing."""
    url = "data:image/png;base64," + base64.b64encode(png(rgba)).decode()
    return {"drawing": {"png": url, "strokes": strokes}}


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def pictures(at) -> dict[str, dict]:
    """The viz.view.Tiles pictures on the page (Streamlit's components v2): key → what the browser is sent."""
    found = (json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "cnn_explorer_tiles")
    return {data["key"]: data for data in found}


def click(map_: int, row: int = 0, col: int = 0) -> dict:
    """A picture's component state in the run its click starts (tiles.js: the "unit" trigger)."""
    return {"unit": {"map": map_, "row": row, "col": col}}


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(parts)


@pytest.fixture
def at():
    app = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    return app


def test_a_test_digit_is_read_and_every_layer_is_drawn(at):
    assert metric(at, "LeNet-5 says") == str(mnist.test().labels[0])
    assert metric(at, "Test accuracy") == "97.3%"  # viz/trained/weights/lenet5_modern.json: 973 / 1000
    # the ten probabilities are plain HTML bars (redrawn on every stroke); the confusion matrix a chart
    assert [chart.key for chart in at.get("plotly_chart")] == ["inside_confusion"]
    bars = next(h.proto.body for h in at.get("html") if "inside-probabilities" in h.proto.body)
    assert bars.count("data-digit=") == 10
    # everything made of pixels is a picture, one pixel per unit (not a chart with a point per unit)
    shown = pictures(at)
    assert list(shown) == ["inside_pick", "inside_field", "inside_map_c1", "inside_map_s2", "inside_map_c3",
                           "inside_map_s4", "inside_map_c5", "inside_map_f6", "inside_kernels", "inside_wrong"]
    c1 = shown["inside_map_c1"]
    assert (c1["count"], c1["tile"], c1["clickable"]) == (6, [28, 28], True) and c1["legend"]["labels"]
    assert "Every layer at work" in [h.value for h in at.header]


def test_picking_a_test_digit_from_the_grid(at):
    # The grid has one column per class: point 13 is row 1, column 3 — the second "3" offered.
    at.session_state["inside_pick"] = click(13)
    at.run()
    assert not at.exception
    position = at.session_state["inside_test_position"]
    assert mnist.test().labels[position] == 3
    assert f"Test digit #{position}, labelled **3**" in texts(at)


def test_drawing_path(at):
    at.radio(key="inside_source").set_value("Draw one").run()
    assert not at.exception
    assert "Draw a digit on the black square" in texts(at)
    at.session_state["inside_canvas"] = canvas_state(a_one(alpha=True))
    at.run()
    assert not at.exception
    assert metric(at, "LeNet-5 says") == "1"
    assert "**Centred in 28 × 28.**" in texts(at)  # the preprocessing steps, numbered under their strip
    assert len(at.get("image")) == 1  # the strip of step pictures


def test_blank_canvas_says_so(at):
    at.radio(key="inside_source").set_value("Draw one").run()
    at.session_state["inside_canvas"] = canvas_state(np.zeros((280, 280, 4), np.uint8))
    at.run()
    assert not at.exception
    assert "No digit found: the picture is blank" in texts(at)
    assert "Where the network is wrong" in [h.value for h in at.header]  # the page keeps working


def test_upload_dark_on_light_photo_is_inverted_and_said(at):
    at.radio(key="inside_source").set_value("Upload a photo").run()
    at.file_uploader(key="inside_upload").set_value(("digit.png", png(a_one(dark_on_light=True)), "image/png")).run()
    assert not at.exception
    assert metric(at, "LeNet-5 says") == "1"
    assert "Inverted: MNIST digits are light on dark" in texts(at)


def test_upload_light_on_dark_photo_is_not_inverted(at):
    at.radio(key="inside_source").set_value("Upload a photo").run()
    at.file_uploader(key="inside_upload").set_value(("digit.png", png(a_one()), "image/png")).run()
    assert not at.exception
    assert metric(at, "LeNet-5 says") == "1"
    assert "Inverted" not in texts(at) and "Already light on dark" in texts(at)


def test_upload_that_is_not_an_image(at):
    at.radio(key="inside_source").set_value("Upload a photo").run()
    at.file_uploader(key="inside_upload").set_value(("*bold* [x](y).png", b"%PDF-1.7 not a picture",
                                                     "image/png")).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("`*bold* [x](y).png`: ") and "not an image file" in message
    # the rest keeps working, and a good upload afterwards is read
    at.file_uploader(key="inside_upload").set_value(("ok.png", png(a_one()), "image/png")).run()
    assert not at.exception and metric(at, "LeNet-5 says") == "1"


def test_a_huge_image_is_refused_or_shrunk(at):
    at.radio(key="inside_source").set_value("Upload a photo").run()
    # 8000 × 7000 = 56 megapixels (above viz.images' 50-megapixel limit), a few KB as PNG
    at.file_uploader(key="inside_upload").set_value(("huge.png", png(np.zeros((7000, 8000), np.uint8)),
                                                     "image/png")).run()
    assert not at.exception
    assert "too large" in at.error[0].value
    # a big but allowed photo is downscaled with a note and still read
    at.file_uploader(key="inside_upload").set_value(("big.png", png(a_one(dark_on_light=True, side=2400)),
                                                     "image/png")).run()
    assert not at.exception
    assert metric(at, "LeNet-5 says") == "1"
    assert "Downscaled" in texts(at)


def upload(at, name: str, data: bytes) -> None:
    at.file_uploader(key="inside_upload").set_value((name, data, "image/png")).run()
    assert not at.exception


def test_upload_of_a_real_28_by_28_mnist_digit(at):
    # The natural upload for this page: an MNIST digit as it is stored (28 × 28, grey, light on dark).
    at.radio(key="inside_source").set_value("Upload a photo").run()
    test = mnist.test()
    for position in (0, 1, 2):
        upload(at, f"mnist_{position}.png", png(test.images[position]))
        assert not at.error, at.error[0].value
        assert metric(at, "LeNet-5 says") == str(test.labels[position])
        assert "Inverted" not in texts(at)


def test_bad_uploads_say_what_was_wrong_and_the_page_keeps_working(at):
    at.radio(key="inside_source").set_value("Upload a photo").run()
    rgba = np.zeros((64, 64, 4), np.uint8)
    white_on_clear = rgba.copy()
    white_on_clear[8:56, 28:36] = 255  # a white "1" on a transparent background
    black_on_clear = white_on_clear.copy()
    black_on_clear[..., :3] = 0
    truncated = png(a_one())[:200]
    for name, data, kind, expected in [
        ("dot.png", png(np.full((1, 1), 255, np.uint8)), "error", "1 × 1 pixels; both sides must be at least 8"),
        ("sliver.png", png(np.full((8, 120), 255, np.uint8)), "error", "more than 10:1"),
        ("empty.png", b"", "error", "is empty (0 bytes)"),
        ("cut.png", truncated, "error", "damaged or truncated"),
        ("clear.png", png(rgba), "warning", "No digit found"),
        ("white_on_clear.png", png(white_on_clear), "warning", "a white digit on a transparent background"),
    ]:
        upload(at, name, data)
        messages = at.error if kind == "error" else at.warning
        assert len(messages) == 1 and expected in messages[0].value, (name, [m.value for m in messages])
        assert f"`{name}`" in messages[0].value or kind == "warning"
        assert "Where the network is wrong" in [h.value for h in at.header]  # the page keeps working
        assert "Every layer at work" not in [h.value for h in at.header]  # no stale maps of another digit
    # dark ink on a transparent background is flattened onto white, inverted and read
    upload(at, "black_on_clear.png", png(black_on_clear))
    assert metric(at, "LeNet-5 says") == "1" and "Transparency flattened onto a white background." in texts(at)


def test_clicking_a_unit_explains_it(at):
    at.session_state["inside_map_c3"] = click(1, 2, 3)
    at.run()
    assert not at.exception
    assert "**C3, map 2, row 2, column 3** sees **14 × 14** input pixels." in [s.value for s in at.success]
    # its field is outlined on the input: rows 2·2 … 2·2 + 13, columns 2·3 … 2·3 + 13 (jump 2, size 14)
    assert pictures(at)["inside_field"]["boxes"] == [[4, 6, 17, 19, "#00d084"]]


def test_clicking_a_misclassified_digit_opens_it(at):
    at.session_state["inside_wrong"] = click(0)
    at.run()
    assert not at.exception
    position = at.session_state["inside_test_position"]
    label = mnist.test().labels[position]
    assert f"Test digit #{position}, labelled **{label}**" in texts(at)
    assert metric(at, "LeNet-5 says") != str(label)  # it is one the network gets wrong


def test_the_1998_style(at):
    modern_wrong = pictures(at)["inside_wrong"]
    at.selectbox(key="inside_style").set_value("1998").run()
    assert not at.exception
    # the errors section (outside the page's fragment) follows the style: the 1998 network's mistakes
    assert pictures(at)["inside_wrong"] != modern_wrong
    assert metric(at, "Test accuracy") == "97.3%"  # viz/trained/weights/lenet5_1998.json
    assert "tanh squashes every value" in texts(at)


def test_the_page_is_in_the_app_after_the_explorer():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.run()
    app.switch_page("viz/pages/inside_lenet.py").run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Inside LeNet-5"]
    source = (ROOT / "app.py").read_text()
    assert source.index("network_explorer.py") < source.index("inside_lenet.py") < source.index("block_lab.py")
    assert 'url_path="inside"' in source and 'title="Inside LeNet-5"' in source


# ---------------------------------------------------------------- a shared link

def test_a_shared_link_opens_its_style_and_test_digit_and_follows_changes():
    app = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    app.query_params.update({"style": "1998", "digit": "7"})
    app.run()
    assert not app.exception and not app.warning
    assert app.selectbox(key="inside_style").value == "1998"
    assert app.session_state["inside_test_position"] == 7
    assert f"Test digit #7, labelled **{mnist.test().labels[7]}**" in texts(app)
    assert (app.query_params.get("style"), app.query_params.get("digit")) == ("1998", "7")
    app.selectbox(key="inside_style").set_value("modern").run()  # the default: it leaves the link
    assert "style" not in app.query_params and app.query_params.get("digit") == "7"
    app.radio(key="inside_source").set_value("Draw one").run()  # a drawing cannot travel in a link
    assert "digit" not in app.query_params


def test_a_bad_link_value_says_what_is_allowed_and_falls_back():
    app = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    app.query_params.update({"style": "2025", "digit": "1000"})  # 1,000 test digits: #0 … #999
    app.run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "`2025`" in warnings and "'modern', '1998'" in warnings
    assert "`1000`" in warnings and "0 to 999" in warnings
    assert app.selectbox(key="inside_style").value == "modern"
    assert app.session_state["inside_test_position"] == 0
    assert "style" not in app.query_params and "digit" not in app.query_params
