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
from viz.augmentation.measured import Measurement


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
    assert note.label == "For developers" and "√λ" in note.blocks[0].text and swatches.width == 240
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
    assert list(bars.y) == [10**6, 10**7, 7 * 10**6, 7 * 10**7]
    # Issue 15: a linear axis (a bar 70× as tall costs 70×), no log axis's forest of minor ticks.
    assert figure.figure.layout.yaxis.type in (None, "linear") and figure.figure.layout.yaxis.tickformat == "~s"
    assert "70× prediction cost" in caption.text and view.figure == figure.key == "cost_chart"


def run(workers, rate, load=float("nan")):
    return Throughput(workers, 48, 8, 60.0, 0.5 * workers, 48 / rate, rate, load)


def measurement(rates, load_before, cores=2, step_ms=60.0, pipeline=("random crop", "mirroring")):
    return Measurement(tuple(run(w, r, load_before) for w, r in enumerate(rates)), 48, 8, step_ms, pipeline, 0,
                       cores, load_before, load_before, "AMD EPYC", "2026-12-01T09:00:00+00:00", "2.13.0")


# The busy-server figures issue 15 reports (0 / 1 / 2 workers), and what a quiet machine gives.
BUSY, QUIET = (47.0, 20.0, 3.7), (75.0, 118.0, 131.0)


def test_the_quiet_machines_measurement_is_shown_with_where_and_when():
    view = AV.quiet_loader_view(measurement(QUIET, 0.12), 48, 8, 60.0, ("random crop", "mirroring"))
    text, figure = view.blocks
    assert "**On a quiet machine** (AMD EPYC, load average 0.1 on 2 cores, 2026-12-01)" in text.markdown
    assert "2 workers: **1.7×** the images per second" in text.markdown  # 131 / 75
    assert list(figure.figure.data[0].x) == ["0 workers", "1 worker", "2 workers"]
    assert view.figure == figure.key == "dl_quiet_chart"
    differs = AV.quiet_loader_view(measurement(QUIET, 0.12), 96, 8, 60.0, ("random crop", "mirroring"))
    assert "yours differ" in differs.blocks[-1].text
    (none,) = AV.quiet_loader_view(None, 48, 8, 60.0, ()).blocks
    assert none.kind == "info" and "measure on this server below" in none.text


def test_a_busy_server_is_named_as_the_reason_in_a_plain_sentence():
    live = AV.live_loader_view(measurement(BUSY, 3.1), stored=measurement(QUIET, 0.12))
    columns, verdict = live.blocks
    assert verdict.kind == "warning" and "This server is busy: 3.1 processes were waiting" in verdict.text
    assert "On the quiet machine above the same demo gave 2 workers: **1.7×**" in verdict.text
    chart, side = columns.columns
    assert chart[0].figure.layout.title.text == "This server, now"
    (load,) = side[0].items
    assert (load.label, load.value, load.note) == ("Load average before", "3.1", "on 2 cores")
    assert "would allow 133 images/s" in side[1].text  # 8 images per 60 ms training step


def test_a_quiet_server_that_overlaps_loading_says_so():
    (_, verdict) = AV.live_loader_view(measurement(QUIET, 0.2)).blocks
    assert verdict.kind == "success" and "As in the lecture" in verdict.text
    (_, verdict) = AV.live_loader_view(measurement((90.0, 88.0, 91.0), 0.2, step_ms=0.0)).blocks
    assert "no training step to overlap" in verdict.text
    assert AV.live_loader_view(None).blocks == ()


def test_developer_detail_is_folded_away():
    (expander,) = AV.loader_developer_view(measurement(QUIET, 0.12), None).blocks
    assert isinstance(expander, v.Expander) and expander.label == "For developers" and not expander.expanded
    text = " ".join(b.markdown for b in v.walk(expander.blocks) if isinstance(b, v.Text))
    assert "`python -m viz.augmentation measure`" in text and "dataloader_quiet.json" in text
    (table,) = blocks_of(v.Table, expander.blocks)
    assert [r["workers"] for r in table.rows] == [0, 1, 2]
