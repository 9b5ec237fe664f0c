"""viz.media: a picture encoded once, as Streamlit itself would encode it, kept within bounds."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.elements.lib import image_utils
from streamlit.elements.lib.layout_utils import LayoutConfig

from viz import media


def _photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    smooth = np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (w + h)], axis=-1)
    return np.clip(smooth + rng.integers(-8, 9, smooth.shape), 0, 255).astype(np.uint8)


def _streamlit_bytes(pixels: np.ndarray, width: int) -> bytes:
    """What st.image does with an array (streamlit.elements.lib.image_utils.image_to_url)."""
    data = image_utils._np_array_to_bytes(pixels, "auto")
    layout = LayoutConfig(width=width)
    return image_utils._ensure_image_size_and_format(data, layout, "JPEG")


def test_shown_at_its_own_size_the_bytes_are_streamlits_own():
    pixels = _photo(120, 200)
    data, fmt = media.encoded(pixels, "stretch", "auto")
    assert fmt == "JPEG" and data == _streamlit_bytes(pixels, media.MAX_CONTENT_WIDTH)


def test_shown_narrower_it_is_resized_like_streamlit_does_it():
    pixels = _photo(300, 451, seed=1)  # the bundled photo's size, shown 420 wide in the Augmentation Lab
    data, fmt = media.encoded(pixels, 420, "auto")
    ours = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float)
    theirs = np.asarray(Image.open(io.BytesIO(_streamlit_bytes(pixels, 420))).convert("RGB"), dtype=float)
    assert ours.shape == theirs.shape == (int(300 * 420 / 451), 420, 3)
    assert np.abs(ours - theirs).mean() < 2  # theirs went through one more JPEG round trip (quality 100)


def test_the_same_pixels_are_encoded_once(monkeypatch):
    calls = []
    real = media._encode
    monkeypatch.setattr(media, "_encode", lambda *a: calls.append(a) or real(*a))
    pixels = _photo(64, 64, seed=2)
    first, _ = media.encoded(pixels, "stretch", "JPEG")
    again, _ = media.encoded(pixels.copy(), "stretch", "JPEG")  # another session's copy of the same picture
    assert again is first and len(calls) == 1
    other, _ = media.encoded(_photo(64, 64, seed=3), "stretch", "JPEG")
    assert other != first and len(calls) == 2
    media.encoded(pixels, 32, "JPEG")  # another display width is another picture
    assert len(calls) == 3


def test_what_is_kept_stays_bounded(monkeypatch):
    monkeypatch.setattr(media, "KEPT_PICTURES", 4)
    for seed in range(10):
        media.encoded(_photo(16, 16, seed=100 + seed))
    assert len(media._kept) <= 4
    assert media._kept_bytes == sum(len(b) for b in media._kept.values())


@pytest.mark.parametrize("image", [np.zeros((8, 8, 3), np.float32), b"\x89PNG...", "viz/assets/icon.png",
                                   np.zeros((8, 8, 2), np.uint8)])
def test_anything_but_an_8_bit_picture_is_left_to_streamlit(image):
    assert media.encoded(image, "stretch", "auto") == (image, "auto")


def test_an_alpha_channel_keeps_png():
    data, fmt = media.encoded(np.zeros((8, 8, 4), np.uint8))
    assert fmt == "PNG" and data.startswith(b"\x89PNG")
