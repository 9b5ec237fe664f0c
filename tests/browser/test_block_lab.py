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


def test_a_bad_link_value_falls_back_with_a_notice_not_a_traceback(page, app_url):
    # Issue 12: ?lab=inception&i_c1=inf showed an OverflowError traceback with server paths.
    page.goto(f"{app_url}/blocks?lab=inception&i_c1=inf&i_r3=[x](https://evil.example)")
    wait_for_run(page)
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    alerts = main.locator('[data-testid="stAlert"]')
    assert alerts.count() == 2
    # Each value only as a code span; no link into the app's own voice.
    assert alerts.locator("code").all_inner_texts() == ["inf", "[x](https://evil.example)"]
    assert main.locator('a[href*="evil.example"]').count() == 0
    assert page.get_by_label("#1×1").input_value() == "64"  # the default
    assert main.get_by_text("28 × 28 × 256").count() > 0  # lecture: inception (3a) at the defaults
    page.wait_for_url(lambda url: "i_c1" not in url and "i_r3" not in url and "lab=inception" in url)
    screenshot(page, "block_lab_bad_link")


def test_switching_labs_back_keeps_the_link_short(page, app_url):
    # A lab's widgets keep their values while another lab is shown; coming back must not
    # write every setting (defaults included) into the link.
    page.goto(f"{app_url}/blocks?lab=inception&i_c1=48")
    wait_for_run(page)
    page.get_by_role("radio", name="Residual block").click()
    page.wait_for_url("**lab=residual**")
    wait_for_run(page)
    page.get_by_role("radio", name="Inception module").click()
    page.wait_for_url("**lab=inception**")
    wait_for_run(page)
    assert_no_exception(page)
    assert page.get_by_label("#1×1").input_value() == "48"
    query = sorted(page.url.split("?", 1)[1].split("&"))
    assert query == ["i_c1=48", "lab=inception"]
