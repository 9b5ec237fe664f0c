"""Presenter mode and Share in a real browser at a projector's 1280 × 720 (issue 16).

One page, one walk: the Explorer opened with ?present=1 has no sidebar, no toolbar and no
Deploy button, its main figure (the volume diagram) starts above the fold and every chart
tick is drawn at ≥ 18 px (read from the DOM); the Pages menu switches to the Block Lab with
the mode kept; the Inception lab's main figure starts above the fold too; Share's QR code,
read off the screen, decodes to the page's link; Exit brings the sidebar back.
"""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run
from viz.readable import PRESENT_PX

pytestmark = pytest.mark.browser
FOLD = 720

_TICKS = """() => [...document.querySelectorAll('.js-plotly-plot .xtick text, .js-plotly-plot .ytick text')]
                  .map(t => parseFloat(getComputedStyle(t).fontSize))"""


def _top(page, key: str) -> float:
    return page.locator(f".st-key-{key}").first.bounding_box()["y"]


def _presenting(page) -> None:
    assert_no_exception(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()  # the toolbar and its menu
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0  # client.toolbarMode = "viewer"
    ticks = page.evaluate(_TICKS)
    assert ticks and min(ticks) >= PRESENT_PX, sorted(ticks)[:3]


def test_presenter_mode_at_1280_by_720_and_the_share_code_scans(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": FOLD})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?present=1&net=lenet5")
        wait_for_run(page)
        _presenting(page)
        assert page.get_by_role("heading", name="LeNet-5").first.bounding_box()["y"] < 200
        assert 0 < _top(page, "xp_volume") < FOLD  # the Explorer's main figure (viz.explorer.view)
        screenshot(page, "presenter_explorer")

        page.get_by_role("button", name="Pages").click()
        page.get_by_role("link", name="Block Lab").click()
        page.wait_for_url("**/blocks?**present=1**")  # the navigation dropped it; the session put it back
        wait_for_run(page)
        page.get_by_role("radio", name="Inception module").click()
        page.wait_for_url("**lab=inception**")
        wait_for_run(page)
        page.locator(".st-key-bl_saving").wait_for()
        _presenting(page)
        assert 0 < _top(page, "bl_saving") < FOLD  # the lab's settings folded away (viz.presenter)

        page.get_by_role("button", name="Share").click()
        qr = page.locator('[data-testid="stDialog"] img').first
        qr.wait_for()
        page.wait_for_function("() => document.querySelector('[data-testid=\"stDialog\"] img').complete")
        assert qr.bounding_box()["width"] >= 300  # scanned off a projector from the back of a room
        link = page.locator('[data-testid="stDialog"] code').first.inner_text().strip()
        assert link == page.url.replace("present=1&", "").replace("&present=1", "")  # the page's link, not the mode
        shown = Image.open(io.BytesIO(qr.screenshot())).convert("L")
        assert [r.text for r in zxingcpp.read_barcodes(shown)] == [link]  # what the screen shows scans
        page.keyboard.press("Escape")

        page.get_by_role("button", name="Exit").click()
        page.locator('[data-testid="stSidebar"]').wait_for(state="visible")
        wait_for_run(page)
        page.wait_for_url(lambda url: "present" not in url)
        assert page.locator('[data-testid="stAppDeployButton"]').count() == 0  # not in the normal page either
    finally:
        context.close()
