"""Block Lab in a real browser: a shared link opens its lab, and switching labs updates the link."""

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = pytest.mark.browser


def test_shared_link_opens_the_inception_lab(page, app_url):
    page.goto(f"{app_url}/blocks?lab=inception")
    wait_for_run(page)
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    # Lecture: inception (3a) output 28×28×256; the 5×5 conv costs 120,422,400 vs 12,443,648.
    for text in ("28 × 28 × 256", "120,422,400", "12,443,648"):
        assert main.get_by_text(text).count() > 0, text
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2  # branch diagram + saving chart
    screenshot(page, "block_lab_inception")


def test_switching_to_the_residual_lab_updates_the_url_and_shows_the_identity(page, app_url):
    page.goto(f"{app_url}/blocks")
    wait_for_run(page)
    page.get_by_role("radio", name="Residual block").click()
    # The rerun may not have started when the click returns: wait for its result itself.
    # Lecture: W[l+2] = 0, b[l+2] = 0 → a[l+2] = a[l]; printed from the real forward pass.
    page.get_by_text("max |a[l+2] − a[l]| = 0:").first.wait_for(timeout=60_000)
    wait_for_run(page)
    page.wait_for_url("**lab=residual**")
    assert_no_exception(page)
    screenshot(page, "block_lab_residual")
