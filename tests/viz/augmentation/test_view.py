"""The Augmentation Lab's sections as view blocks: what each shows, without Streamlit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from viz import images
from viz import view as v
from viz.augmentation import distortions as D
from viz.augmentation import view as AV
from viz.augmentation.cost import ForwardCost
from viz.augmentation.loading import Throughput


@pytest.fixture(scope="module")
def work() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (60, 90, 3), dtype=np.uint8)


def blocks_of(kind, blocks):
    return [b for b in v.walk(blocks) if isinstance(b, kind)]


def test_image_view_names_the_source_and_shows_the_photo():
    photo = AV.image_view(images.load_default())
    caption = blocks_of(v.Caption, photo.side)[0].text
    assert images.DEFAULT_CREDIT in caption and "451 × 300 pixels" in caption and "320 pixels a side" in caption
    assert photo.main == (v.Image(photo.main[0].image, caption="The image being distorted", width=420),)


def test_image_view_of_an_upload_shows_its_notes_and_its_name_as_plain_text():
    gray = images.LoadedImage(np.zeros((40, 50, 3), np.uint8), "**bold** [x](y).png", (50, 40), "L",
                              ["Grayscale image: the gray value is copied to R, G and B."])
    photo = AV.image_view(gray)
    assert photo.side[0] == v.Callout("info", "Grayscale image: the gray value is copied to R, G and B.")
    assert "Your image: `**bold** [x](y).png`. 50 × 40 pixels" in photo.side[1].text  # a code span, not markup


@pytest.mark.parametrize("step", [D.Mirror(0.5), D.Rotation(20.0), D.Shear(15.0, 0.0), D.Warp(6.0, 0.25),
                                  D.ColorShift(20.0)], ids=lambda s: type(s).__name__)
def test_a_distortion_is_one_jpeg_grid_with_its_compute_time(work, step):
    section = AV.distortion_view(work, step, 0)
    (grid,) = section.main
    assert grid.output_format == "JPEG" and grid.caption.endswith(" ms)")
    assert grid.image.shape == (3 * 60 + 16, 3 * 90 + 16, 3)
    assert section.side == () and section.below == ()


def test_random_crops_show_their_boxes_beside_the_samples(work):
    section = AV.distortion_view(work, D.RandomResizedCrop(32, (0.2, 1.0)), 0)
    (boxes,) = section.side
    assert boxes.caption.startswith("The 9 crop boxes") and boxes.image.shape == work.shape
    assert section.main[0].caption.startswith("Each crop resized to 32 × 32.")


def test_pca_colour_shows_its_components_as_swatches_and_a_table(work):
    section = AV.distortion_view(work, D.PCAColor(0.1), 0)
    note, swatches = section.side
    assert "√λ" in note.text and swatches.width == 240
    text, table = section.below
    assert "principal components" in text.markdown
    assert table.index == "component" and [r["component"] for r in table.rows] == ["p1", "p2", "p3"]
    assert table.formats["share of variance"] == "percent"
    assert math.isclose(sum(r["share of variance"] for r in table.rows), 1.0, rel_tol=1e-6)


def test_fixed_colour_shifts_are_one_row_beginning_with_the_original(work):
    (row,) = AV.fixed_colour_view(work, (7, 0, 0)).blocks
    captions = [column[0].caption for column in row.columns]
    assert captions == ["original", "R, G, B +20, −20, +20", "R, G, B −20, +20, +20", "R, G, B +5, 0, +50",
                        "R, G, B +7, +0, +0"]
    assert np.array_equal(row.columns[0][0].image, work)


def test_pipeline_view_shows_the_minibatch_and_its_torchvision_code(work):
    with_pca = AV.pipeline_view(work, D.Pipeline((D.Mirror(), D.PCAColor(0.1))), 0)
    grid, text, code = with_pca.blocks
    assert grid.caption.startswith("A mini-batch of 8: mirroring → PCA colour;")
    assert "torchvision.transforms.v2" in text.markdown and "class PCAColor" in code.source
    assert "eigenvalues = [..." not in code.source  # the image's own components are filled in
    plain = AV.pipeline_view(work, D.Pipeline((D.Mirror(),)), 0)
    assert "PCAColor" not in plain.blocks[2].source


def test_ten_crop_view_rescales_to_alexnets_256_first():
    view = AV.ten_crop_view(np.zeros((300, 451, 3), np.uint8), 224)
    row, tiles = view.blocks
    assert row.columns[0][0].caption == "Crops 1–5 on the image (385 × 256)"  # 451 · 256/300 = 384.9 → 385
    assert row.columns[1][0].caption == "Crops 6–10 on its mirror image"
    assert tiles.image.shape == (2 * 224 + 3 * 4, 5 * 224 + 6 * 4, 3)


def test_cost_view_multiplies_crops_by_networks():
    view = AV.cost_view(ForwardCost("alexnet", 1_000_000, (1, 3, 227, 227)), crops=10, models=7)
    text, table, figure, caption = view.blocks
    assert "**alexnet** on a 227 × 227 × 3 crop: **1 M multiply-adds**" in text.markdown
    assert [r["forward passes"] for r in table.rows] == [1, 10, 7, 70]
    assert [r["multiply-adds"] for r in table.rows] == ["1 M MACs", "10 M MACs", "7 M MACs", "70 M MACs"]
    assert table.formats == {"× one pass": "%d ×"}
    bars = figure.figure.data[0]
    assert list(bars.y) == [10**6, 10**7, 7 * 10**6, 7 * 10**7] and figure.figure.layout.yaxis.type == "log"
    assert "70× prediction cost" in caption.text and view.figure == figure.key == "cost_chart"


def run(workers, rate, load=float("nan")):
    return Throughput(workers, 48, 8, 60.0, 0.5 * workers, 48 / rate, rate, load)


def test_loader_view_before_and_after_measuring():
    (prompt,) = AV.loader_view(None).blocks
    assert prompt.kind == "info" and "Press the button" in prompt.text
    table, figure, caption = AV.loader_view([run(0, 75.3), run(1, 48.7), run(2, 40.4)]).blocks
    assert [r["workers"] for r in table.rows] == [0, 1, 2]
    assert table.rows[0]["ms per image"] == pytest.approx(1000 / 75.3)
    assert list(figure.figure.data[0].x) == ["0 workers", "1 workers", "2 workers"]
    # 8 images per 60 ms training step: 133 images/s if loading were free.
    assert "would allow 133 images/s" in caption.text and "Machine load" not in caption.text


def test_loader_view_says_when_the_machine_was_busy():
    busy = AV.loader_view([run(0, 40.0, load=3.1), run(1, 20.0, load=3.4)], cores=2).blocks[-1].text
    assert "3.4 runnable processes on 2 cores — other work was competing" in busy
    quiet = AV.loader_view([run(0, 40.0, load=0.5)], cores=2).blocks[-1].text
    assert "0.5 runnable processes on 2 cores." in quiet and "competing" not in quiet
