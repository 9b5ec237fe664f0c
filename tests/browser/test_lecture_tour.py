"""Lecture tour in Chromium (issue 16): the whole tour with the → key, each step's headline, and a ?step= link."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, wait_for_run
from tests.viz.tour.test_steps import LECTURE_NUMBERS
from viz.tour.steps import STEPS
from viz.tour.view import step_label

pytestmark = pytest.mark.browser

HEADLINE = ".st-key-tour_headline"


def _step_shown(page) -> str:
    return page.locator('[data-testid="stMain"] h2').first.inner_text().strip()


def test_the_keyboard_walks_the_tour_and_a_step_link_opens_its_step(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{app_url}/tour")
    wait_for_run(page)
    for index, step in enumerate(STEPS):
        page.wait_for_function("label => document.querySelector('[data-testid=\"stMain\"] h2')?.innerText"
                               ".trim() === label", arg=step_label(step.id), timeout=60_000)
        wait_for_run(page)
        assert_no_exception(page)
        headline = page.locator(HEADLINE).inner_text()
        for number in LECTURE_NUMBERS.get(step.id, ()):  # the lecture's numbers (sources in test_steps.py)
            assert number in headline, (step.id, number, headline)
        assert page.locator(HEADLINE).bounding_box()["y"] < 720, step.id  # above the fold at 1280 × 720
        if index:
            assert f"step={step.id}" in page.url
        page.keyboard.press("ArrowRight")
    assert _step_shown(page) == step_label(STEPS[-1].id)  # → on the last step stays there

    # A text box or a slider with focus keeps its arrows: the step does not move.
    page.locator('[data-testid="stSlider"] input').first.focus()
    page.keyboard.press("ArrowRight")
    wait_for_run(page)
    assert _step_shown(page) == step_label(STEPS[-1].id)
    page.locator("h2").first.click()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("label => document.querySelector('[data-testid=\"stMain\"] h2')?.innerText"
                           ".trim() === label", arg=step_label(STEPS[-2].id), timeout=60_000)

    page.goto(f"{app_url}/tour?step=inception-bottleneck")
    wait_for_run(page)
    assert _step_shown(page) == "8. Inception: the motivation"
    assert "120,422,400 vs 12,443,648" in page.locator(HEADLINE).inner_text()  # the lecture's numbers
    assert page.get_by_role("link", name="Open in the Block Lab").get_attribute("href") == "./blocks?lab=inception"
    context.close()
