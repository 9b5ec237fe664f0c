"""The Augmentation Lab page under Streamlit's AppTest (no server, no browser)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

# AppTest resolves relative paths against the calling file: give it the page's absolute path.
PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "augmentation_lab.py")
TIMEOUT = 180  # the first run traces a zoo network on a shared 2-core machine


def captions(at) -> list[str]:
    return [c for img in at.get("image") for c in img.captions]


def caption_starting(at, prefix: str) -> str:
    return next(c for c in captions(at) if c.startswith(prefix))


@pytest.fixture(scope="module")
def first_run():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    return at


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    return at


def png_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_default_page_shows_every_section_without_errors(first_run):
    at = first_run
    assert not at.exception and not at.error
    subheaders = [s.value for s in at.subheader]
    for title in ("Mirroring", "Random cropping", "Rotation", "Shearing", "Local warping", "Colour shifting",
                  "PCA colour augmentation (AlexNet)", "A training pipeline", "10-crop at test time",
                  "What multi-crop and ensembling cost at prediction time", "Distortions during training"):
        assert title in subheaders
    assert any("Chelsea the cat" in c.value and "CC0" in c.value for c in at.caption)
    assert len(at.file_uploader) == 1
    # The default photo, crop boxes, 7 grids, 4 fixed colour shifts, swatches, pipeline, 10-crop (3 images).
    assert len(captions(at)) >= 15
    assert caption_starting(at, "The 9 crop boxes")


def test_pca_table_shows_three_components_in_descending_order(first_run):
    table = next(df.value for df in first_run.dataframe if "eigenvalue λ" in df.value.columns)
    assert list(table.index) == ["p1", "p2", "p3"]
    vals = table["eigenvalue λ"].to_numpy()
    assert (np.diff(vals) <= 0).all() and vals[0] > 0
    vecs = table[["R", "G", "B"]].to_numpy()
    np.testing.assert_allclose(vecs.T @ vecs, np.eye(3), atol=1e-4)  # orthonormal components
    np.testing.assert_allclose(table["share of variance"].sum(), 1.0, atol=1e-6)


def test_pipeline_shows_a_minibatch_and_torchvision_code(first_run):
    code = first_run.code[0].value
    assert "v2.Compose" in code and "v2.RandomResizedCrop(size=(224, 224)" in code
    assert "v2.RandomHorizontalFlip(p=0.5)" in code and "class PCAColor" in code
    compile(code, "<page code>", "exec")
    assert caption_starting(first_run, "A mini-batch of 8: random crop → mirroring → colour shift → PCA colour")


def test_ten_crop_tiles_and_boxes(first_run):
    assert caption_starting(first_run, "Crops 1–5 on the image (385 × 256)")  # 451 × 300 rescaled to short side 256
    assert caption_starting(first_run, "The 10 crops")


def test_prediction_cost_is_ten_crops_times_ensemble_of_a_traced_network(first_run):
    from viz.trace import trace_network

    at = first_run
    assert at.selectbox(key="cost_net").value == "alexnet"
    table = next(df.value for df in at.dataframe if "forward passes" in df.value.columns)
    assert table["forward passes"].tolist() == [1, 10, 7, 70]  # 10 crops × 7 networks (the page's defaults)
    macs = trace_network("alexnet").total_macs
    from viz.augmentation.cost import format_macs

    assert table["multiply-adds"].tolist()[-1] == format_macs(70 * macs) + " MACs"


def test_new_samples_button_changes_the_seed_and_the_samples():
    at = fresh()
    before = caption_starting(at, "Angles")
    assert "seed" not in at.query_params  # the default stays out of the link
    next(b for b in at.button if b.label == "New samples").click().run()
    assert not at.exception
    assert at.session_state.seed == 1 and at.query_params["seed"] == "1"  # now in the link
    assert caption_starting(at, "Angles") != before


def test_rotation_slider_at_zero_draws_zero_angles():
    at = fresh()
    at.slider(key="rot_deg").set_value(0).run()
    text = caption_starting(at, "Angles")
    assert text.count("+0°") == 9


def test_choosing_pipeline_steps_changes_the_code():
    at = fresh()
    at.multiselect(key="pipe_steps").set_value(["mirroring", "rotation"]).run()
    code = at.code[0].value
    assert "v2.RandomHorizontalFlip" in code and "v2.RandomRotation(degrees=(-20, 20)" in code
    assert "RandomResizedCrop" not in code and "PCAColor" not in code
    assert caption_starting(at, "A mini-batch of 8: mirroring → rotation")


def test_bad_upload_shows_an_error_and_keeps_the_default_image():
    at = fresh()
    at.file_uploader[0].set_value(("holiday.png", b"this is not a picture", "image/png")).run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "holiday.png" in message and "not an image" in message and "PNG, JPEG" in message
    assert "default photograph" in message
    assert any("Chelsea the cat" in c.value for c in at.caption)
    assert caption_starting(at, "Angles")  # the distortions still render


def test_truncated_upload_error():
    at = fresh()
    buf = io.BytesIO()
    Image.new("RGB", (200, 100), (200, 10, 10)).save(buf, "JPEG")
    at.file_uploader[0].set_value(("cut.jpg", buf.getvalue()[:300], "image/jpeg")).run()
    assert not at.exception
    assert "damaged or truncated" in at.error[0].value


def test_grayscale_upload_is_used_with_a_note():
    at = fresh()
    gray = Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (120, 1)), "L")
    at.file_uploader[0].set_value(("ramp.png", png_bytes(gray), "image/png")).run()
    assert not at.exception and not at.error
    assert any("Grayscale" in i.value for i in at.info)
    assert any("ramp.png" in c.value and "256 × 120" in c.value for c in at.caption)


def test_seed_from_a_shared_link_and_a_bad_one():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["seed"] = "5"
    at.run()
    assert at.session_state.seed == 5
    shared = caption_starting(at, "Angles")
    again = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    again.query_params["seed"] = "5"
    again.run()
    assert caption_starting(again, "Angles") == shared  # the same link shows the same samples
    bad = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    bad.query_params["seed"] = "cat"
    bad.run()
    assert not bad.exception and bad.session_state.seed == 0
    assert "seed" not in bad.query_params and "Ignored seed=`cat` from the link" in bad.warning[0].value


# A teacher's link with a setting from every tab, each as its widget writes it (a range slider and a
# multiselect as a repeated key, a select box as its label).
SHARED = {"seed": "3", "rot_deg": "45", "rot_pad": "reflection", "crop_scale": ["0.2", "0.9"],
          "pipe_steps": ["mirroring", "rotation"], "warp_grid": "false", "tencrop_size": "160",
          "cost_crops": "144", "dl_batch": "16"}


def test_a_shared_link_sets_every_widget_and_stays_as_it_was():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params.update(SHARED)
    at.run()
    assert not at.exception and not at.warning
    assert at.number_input(key="seed").value == 3
    assert at.slider(key="rot_deg").value == 45 and at.selectbox(key="rot_pad").value == "reflection"
    assert at.slider(key="crop_scale").value == (0.2, 0.9)
    assert at.multiselect(key="pipe_steps").value == ["mirroring", "rotation"]
    assert at.checkbox(key="warp_grid").value is False and at.slider(key="tencrop_size").value == 160
    assert at.select_slider(key="cost_crops").value == 144 and at.select_slider(key="dl_batch").value == 16
    assert caption_starting(at, "A mini-batch of 8: mirroring → rotation")
    table = next(df.value for df in at.dataframe if "forward passes" in df.value.columns)
    assert table["forward passes"].tolist() == [1, 144, 7, 1008]  # 144 crops × 7 networks
    assert dict(at.query_params) == SHARED  # nothing rewritten, nothing added


def test_a_hand_written_link_is_rewritten_as_the_widgets_write_it_and_bad_values_dropped():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params.update({"crop_scale": "0.2,0.9", "rot_deg": "45.0", "rot_pad": "Reflection", "mirror_p": "0.5",
                            "shear_x": "999", "pipe_steps": "mirroring,<b>x</b>"})
    at.run()
    assert not at.exception
    assert at.slider(key="crop_scale").value == (0.2, 0.9) and at.slider(key="rot_deg").value == 45
    assert at.slider(key="shear_x").value == 15  # the default, with a notice
    assert at.multiselect(key="pipe_steps").value == ["mirroring"]
    assert dict(at.query_params) == {"crop_scale": ["0.2", "0.9"], "rot_deg": "45", "rot_pad": "reflection",
                                     "pipe_steps": "mirroring"}  # mirror_p=0.5 is the default: dropped
    notices = " ".join(w.value for w in at.warning)
    assert "Ignored shear_x=`999`" in notices and "`<b>x</b>`" in notices and "<b>" not in notices.replace(
        "`<b>x</b>`", "")
