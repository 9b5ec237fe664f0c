"""The app starts under `streamlit run` and every page opens in a real browser."""

import pytest

from tests.browser.conftest import assert_no_exception, wait_for_run

pytestmark = pytest.mark.browser


PATHS = ["", "tour", "inside", "blocks", "augmentation", "training", "builder"]  # app.py's navigation, in order


@pytest.mark.parametrize("path", PATHS)
def test_every_page_opens_without_exception(page, app_url, path):
    page.goto(f"{app_url}/{path}")
    wait_for_run(page)
    assert_no_exception(page)
    # No "Page not found" dialog: every page has a working address.
    assert page.get_by_text("Page not found").count() == 0
    # The navigation lists every page.
    assert page.locator('[data-testid="stSidebarNav"] a').count() == len(PATHS)
