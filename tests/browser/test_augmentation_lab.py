"""The Augmentation Lab in a real browser: the photo and grids render, and a bad upload is handled."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = pytest.mark.browser

UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


def images_on_page(page) -> int:
    return page.locator('[data-testid="stImage"] img').count()


def test_default_photo_grids_and_uploads(page, app_url):
    """One page load (it is the slow part): default render, then a bad upload, then a good one."""
    page.goto(f"{app_url}/augmentation")
    wait_for_run(page, 180_000)
    assert_no_exception(page)
    assert page.get_by_text("Chelsea the cat").count() >= 1
    # The photo, the crop boxes, 7 sample grids, the colour-shift comparison… all real <img> elements.
    before = images_on_page(page)
    assert before >= 12
    first = page.locator('[data-testid="stImage"] img').first
    assert first.evaluate("img => img.complete && img.naturalWidth") > 100  # actually decoded by the browser
    screenshot(page, "augmentation_default")

    page.set_input_files(UPLOAD_INPUT, files=[{"name": "notes.png", "mimeType": "image/png",
                                                "buffer": b"definitely not a picture"}])
    page.get_by_text("is not an image file").wait_for(timeout=120_000)
    wait_for_run(page, 120_000)
    assert_no_exception(page)
    error = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert "notes.png" in error and "PNG, JPEG" in error and "default photograph" in error
    assert images_on_page(page) == before  # the page keeps working with the default image
    screenshot(page, "augmentation_bad_upload")

    buf = io.BytesIO()
    Image.new("RGBA", (120, 90), (0, 120, 255, 128)).save(buf, "PNG")
    page.set_input_files(UPLOAD_INPUT, files=[{"name": "blue.png", "mimeType": "image/png",
                                                "buffer": buf.getvalue()}])
    page.get_by_text("Transparency flattened").wait_for(timeout=120_000)
    wait_for_run(page, 120_000)
    assert_no_exception(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.get_by_text("blue.png").count() >= 1
