"""Training Lab in a real browser: stored defaults at once, then a live run that fills in and stops."""

import re

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = pytest.mark.browser


def test_defaults_then_live_training_fills_in_and_stops(page, app_url):
    page.goto(f"{app_url}/training?experiment=depth")
    wait_for_run(page)
    assert_no_exception(page)
    main = page.get_by_test_id("stMainBlockContainer")
    assert main.get_by_text("Precomputed results").count() == 1
    assert main.locator('[data-testid="stPlotlyChart"]').count() >= 2

    # Steps 200 → 500 (two notches right): not stored, so Train is offered.
    page.get_by_role("slider").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_for_run(page)
    main.get_by_role("button", name="Train").click()
    # The progress bar counts steps while the chart fills in: the page is not frozen.
    main.get_by_text(re.compile(r"training: step \d+ of 500")).wait_for(timeout=60_000)
    assert main.locator('[data-testid="stPlotlyChart"]').count() >= 1
    main.get_by_role("button", name="Stop").click()
    wait_for_run(page)
    assert_no_exception(page)
    assert main.get_by_text("Stopped before the end").count() == 1
    screenshot(page, "training_lab_stopped")
