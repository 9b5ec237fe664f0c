"""The app starts under `streamlit run` and every page opens in a real browser."""

import pytest

from tests.browser.conftest import assert_no_exception, wait_for_run

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["explorer", "blocks", "augmentation", "training"])
def test_every_page_opens_without_exception(page, app_url, path):
    page.goto(f"{app_url}/{path}")
    wait_for_run(page)
    assert_no_exception(page)
    # The navigation lists all four pages.
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 4
