"""Inside LeNet-5 in a real browser: draw a digit with the mouse, click a unit, retrain and stop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = pytest.mark.browser

CANVAS = ".st-key-inside_canvas canvas.vc-canvas"  # the drawing square (viz/pages/_canvas)
PREDICTION = "[data-testid='stMetric']:has-text('LeNet-5 says') [data-testid='stMetricValue']"


# The picture a map shows (its PNG as a data URL), once the browser has decoded it; null before.
MAP_PICTURE = """key => { const img = document.querySelector(`.st-key-${key} img.vt-img`);
                          return img && img.complete && img.naturalWidth ? img.getAttribute('src') : null; }"""
# All of the given maps show a decoded picture other than the one they showed before.
MAPS_REDRAWN = "([keys, before]) => keys.every((k, i) => { const s = (" + MAP_PICTURE + ")(k); " \
               "return s !== null && s !== before[i]; })"


def map_picture(page, key: str) -> str | None:
    return page.evaluate(MAP_PICTURE, key)


def stroke(page, box, points) -> None:
    """Drag the mouse through ``points`` (fractions of the canvas) with the button held."""
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0] * box["width"], y0 + points[0][1] * box["height"])
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(x0 + fx * box["width"], y0 + fy * box["height"], steps=6)
    page.mouse.up()


def click_unit(page, key: str, y: int, x: int) -> None:
    """Click picture pixel (y, x) of the Tiles picture with ``key`` where the browser drew it."""
    xy = page.evaluate(
        """([key, y, x]) => { const img = document.querySelector(`.st-key-${key} img.vt-img`);
                              const r = img.getBoundingClientRect();
                              return [r.left + (x + 0.5) * r.width / img.naturalWidth,
                                      r.top + (y + 0.5) * r.height / img.naturalHeight]; }""", [key, y, x])
    page.mouse.click(*xy)


def boxes(page, key: str) -> list[tuple[int, ...]]:
    """The outlines drawn over a Tiles picture, as (y0, x0, y1, x1) in its pixels."""
    found = page.evaluate("key => [...document.querySelectorAll(`.st-key-${key} .vt-box`)].map(b => b.dataset.box)", key)
    return [tuple(int(n) for n in box.split(",")) for box in found]


MAP_KEYS = [f"inside_map_{stage}" for stage in ("c1", "s2", "c3", "s4", "c5", "f6")]


def test_drawing_a_digit_changes_the_prediction_and_the_maps(page, app_url):
    page.goto(f"{app_url}/inside")
    wait_for_run(page)
    assert_no_exception(page)
    page.get_by_test_id("stRadioGroup").get_by_text("Draw one").click()
    wait_for_run(page)
    assert page.get_by_text("Draw a digit on the black square").count() == 1
    canvas = page.locator(CANVAS).first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()

    stroke(page, box, [(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)])  # a "1"
    page.wait_for_selector(PREDICTION, timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    first = page.locator(PREDICTION).inner_text()
    before = [map_picture(page, key) for key in MAP_KEYS]
    assert first == "1" and all(before)

    # Turn it into a "7"-ish / other shape: a bar across the top and a second stroke.
    stroke(page, box, [(0.2, 0.15), (0.8, 0.15), (0.75, 0.3)])
    page.wait_for_function(MAPS_REDRAWN, arg=[MAP_KEYS, before], timeout=30_000)  # every layer's maps changed
    wait_for_run(page)
    assert_no_exception(page)
    assert re.fullmatch(r"\d", page.locator(PREDICTION).inner_text())
    # the preprocessing steps of the drawing are shown
    assert page.get_by_text("Centred in 28 × 28").count() >= 1
    screenshot(page, "inside_lenet_drawn")
    # Undo takes the last stroke away (the "1" again), Clear empties the square
    page.locator(".st-key-inside_canvas").get_by_role("button", name="Undo last stroke").click()
    expect(page.locator(PREDICTION)).to_have_text("1", timeout=30_000)
    page.locator(".st-key-inside_canvas").get_by_role("button", name="Clear").click()
    page.get_by_text("Draw a digit on the black square").wait_for(timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)


def test_clicking_a_unit_outlines_its_receptive_field(page, app_url):
    page.goto(f"{app_url}/inside")
    wait_for_run(page)
    page.locator(".st-key-inside_map_c1").scroll_into_view_if_needed()
    # C1, map 2 (second tile of the top row: x = 28 + 1 gap), row 0, column 0: input rows 0–4, columns 0–4
    click_unit(page, "inside_map_c1", 0, 29)
    assert boxes(page, "inside_map_c1") == [(0, 29, 0, 29)]  # marked at once, before the rerun
    page.get_by_text("C1, map 2, row 0, column 0").first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert page.get_by_text(re.compile("sees 5 × 5 input pixels")).count() == 1
    assert boxes(page, "inside_field") == [(0, 0, 4, 4)]
    assert boxes(page, "inside_map_c1") == [(0, 29, 0, 29)] and boxes(page, "inside_map_c3") == []
    # pointing at a unit reads its value (the values travel as one string; tiles.js splits them)
    xy = page.evaluate("""() => { const r = document.querySelector('.st-key-inside_map_c1 img.vt-img')
                                        .getBoundingClientRect(); return [r.left + r.width * 29.5 / 86, r.top + 1.5 * r.height / 57]; }""")
    page.mouse.move(*xy)
    expect(page.locator(".st-key-inside_map_c1 .vt-tip")).to_have_text(
        re.compile(r"^map 2, row 1, column 0: -?\d+(\.\d+)? \(click"), timeout=5_000)
    # a deeper unit sees more: S4, map 1, row 4, column 4 → 16 × 16, the bottom-right corner
    page.locator(".st-key-inside_map_s4").scroll_into_view_if_needed()
    click_unit(page, "inside_map_s4", 4, 4)
    page.get_by_text("S4, map 1, row 4, column 4").first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert page.get_by_text(re.compile("sees 16 × 16 input pixels")).count() == 1
    assert boxes(page, "inside_field") == [(16, 16, 31, 31)]
    assert boxes(page, "inside_map_c1") == [] and boxes(page, "inside_map_s4") == [(4, 4, 4, 4)]
    # a click in the gap between two maps is no unit: nothing changes
    click_unit(page, "inside_map_s4", 2, 5)
    wait_for_run(page)
    assert boxes(page, "inside_field") == [(16, 16, 31, 31)]
    screenshot(page, "inside_lenet_field")


def test_clicking_a_test_digit_and_a_misclassified_one_opens_it(page, app_url):
    page.goto(f"{app_url}/inside")
    wait_for_run(page)
    # The picker: one column per class, so the fourth cell of the second row is the second "3" offered.
    page.locator(".st-key-inside_pick .vt-cell").nth(13).click()
    page.get_by_text(re.compile(r"Test digit #\d+, labelled \*?\*?3")).first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert page.locator(PREDICTION).inner_text() == "3"
    assert page.locator(".st-key-inside_pick .vt-marked").get_attribute("data-tile") == "13"
    # A misclassified digit: its caption says "true → said", and LeNet-5 says the wrong one again.
    wrong = page.locator(".st-key-inside_wrong .vt-cell").first
    truth, said = wrong.inner_text().split(" → ")
    wrong.click()
    page.get_by_text(re.compile(rf"labelled \*?\*?{truth}")).first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert page.locator(PREDICTION).inner_text() == said


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
