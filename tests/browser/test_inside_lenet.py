"""Inside LeNet-5 in a real browser: draw a digit with the mouse, click a unit, retrain and stop."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = pytest.mark.browser

PREDICTION = "[data-testid='stMetric']:has-text('LeNet-5 says') [data-testid='stMetricValue']"


# The sum of a map figure's heatmap as plotly drew it (calcdata: rows of numbers, NaN in the gaps).
PLOT_SUM = """key => { const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
                       if (!plot || !plot.calcdata) return null;
                       let s = 0;
                       for (const row of plot.calcdata[0][0].z) for (const v of row) if (!isNaN(v)) s += v;
                       return s; }"""


def plot_sum(page, key: str) -> float:
    return page.evaluate(PLOT_SUM, key)


def stroke(page, box, points) -> None:
    """Drag the mouse through ``points`` (fractions of the canvas) with the button held."""
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0] * box["width"], y0 + points[0][1] * box["height"])
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(x0 + fx * box["width"], y0 + fy * box["height"], steps=6)
    page.mouse.up()


def click_point(page, key: str, index: int) -> None:
    """Click scatter point ``index`` of the chart with ``key`` where the browser drew it."""
    xy = page.evaluate(
        """([key, i]) => { const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
                           const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
                           const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
                           const p = gd.calcdata[1][i];
                           return [r.left + xa.c2p(p.x), r.top + ya.c2p(p.y)]; }""",
        [key, index])
    page.mouse.click(*xy)


def test_drawing_a_digit_changes_the_prediction_and_the_maps(page, app_url):
    page.goto(f"{app_url}/inside")
    wait_for_run(page)
    assert_no_exception(page)
    page.get_by_test_id("stRadioGroup").get_by_text("Draw one").click()
    wait_for_run(page)
    assert page.get_by_text("Draw a digit on the black square").count() == 1
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()

    stroke(page, box, [(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)])  # a "1"
    page.wait_for_selector(PREDICTION, timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    first = page.locator(PREDICTION).inner_text()
    c1_before = plot_sum(page, "inside_map_c1")
    assert first == "1"

    # Turn it into a "7"-ish / other shape: a bar across the top and a second stroke.
    stroke(page, box, [(0.2, 0.15), (0.8, 0.15), (0.75, 0.3)])
    page.wait_for_function("before => { const s = (" + PLOT_SUM + ")('inside_map_c1'); "
                           "return s !== null && Math.abs(s - before) > 1e-3; }", arg=c1_before, timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert plot_sum(page, "inside_map_c1") != pytest.approx(c1_before)
    assert re.fullmatch(r"\d", page.locator(PREDICTION).inner_text())
    # the preprocessing steps of the drawing are shown
    assert page.get_by_text("Centred in 28 × 28").count() >= 1
    screenshot(page, "inside_lenet_drawn")


def test_clicking_a_unit_outlines_its_receptive_field(page, app_url):
    page.goto(f"{app_url}/inside")
    wait_for_run(page)
    page.locator(".st-key-inside_map_c1").scroll_into_view_if_needed()
    # C1, map 2 (index 1), row 0, column 0 → point 1·28·28: its field is input rows 0–4, columns 0–4
    click_point(page, "inside_map_c1", 28 * 28)
    page.get_by_text("C1, map 2, row 0, column 0").wait_for(timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert page.get_by_text(re.compile("sees 5 × 5 input pixels")).count() == 1
    shape = page.evaluate("() => document.querySelector('.st-key-inside_field .js-plotly-plot')"
                          ".layout.shapes[0]")
    assert (shape["x0"], shape["x1"], shape["y0"], shape["y1"]) == (-0.5, 4.5, -0.5, 4.5)
    # a deeper unit sees more: S4, map 1, row 4, column 4 → 16 × 16, the bottom-right corner
    page.locator(".st-key-inside_map_s4").scroll_into_view_if_needed()
    click_point(page, "inside_map_s4", 24)
    page.get_by_text("S4, map 1, row 4, column 4").wait_for(timeout=30_000)
    wait_for_run(page)
    assert page.get_by_text(re.compile("sees 16 × 16 input pixels")).count() == 1
    screenshot(page, "inside_lenet_field")


def test_retrain_shows_progress_and_stops(page, app_url):
    page.goto(f"{app_url}/inside")
    wait_for_run(page)
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Train").click()
    page.get_by_text(re.compile(r"Epoch \d+ of 15")).first.wait_for(timeout=60_000)
    main.get_by_role("button", name="Stop").click()
    page.get_by_text("Training stopped").wait_for(timeout=60_000)
    wait_for_run(page)
    assert_no_exception(page)
    # the slot was released: a second run starts (and is stopped again)
    main.get_by_role("button", name="Train").click()
    page.get_by_text(re.compile(r"Epoch \d+ of 15")).first.wait_for(timeout=60_000)
    assert page.get_by_text("Another retraining is running").count() == 0
    main.get_by_role("button", name="Stop").click()
    page.get_by_text("Training stopped").wait_for(timeout=60_000)
