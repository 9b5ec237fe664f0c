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


# A teacher's link with non-default settings from three tabs (a range slider and a multiselect
# written as repeated keys, as Streamlit's bound widgets write them).
SHARED = "seed=3&rot_deg=45&crop_scale=0.2&crop_scale=0.9&pipe_steps=mirroring&pipe_steps=rotation"


def query(page) -> list[str]:
    return sorted(page.url.split("?", 1)[1].split("&")) if "?" in page.url else []


def test_a_shared_link_is_applied_and_a_change_updates_the_link(page, app_url):
    page.goto(f"{app_url}/augmentation?{SHARED}")
    wait_for_run(page, 180_000)
    assert_no_exception(page)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0  # nothing in it was refused
    assert page.get_by_label("Seed", exact=True).input_value() == "3"
    rotation = page.get_by_role("slider", name="Largest angle (±degrees)")
    assert rotation.input_value() == "45"
    assert [page.get_by_role("slider", name=f"Area fraction of the image — {end}").input_value()
            for end in ("start", "end")] == ["0.2", "0.9"]
    page.get_by_role("tab", name="Pipeline").click()
    assert page.get_by_text("A mini-batch of 8: mirroring → rotation").count() == 1
    assert query(page) == sorted(SHARED.split("&"))  # the link is kept as it was

    page.get_by_role("tab", name="Distortions", exact=True).click()
    rotation.focus()
    page.keyboard.press("ArrowRight")  # 45 → 46°
    page.wait_for_url("**rot_deg=46**", timeout=60_000)
    wait_for_run(page, 120_000)
    page.get_by_role("button", name="New samples").click()
    page.wait_for_url("**seed=4**", timeout=60_000)
    wait_for_run(page, 120_000)
    assert_no_exception(page)
    assert "rot_deg=46" in query(page) and "seed=4" in query(page) and "crop_scale=0.2" in query(page)
