"""Share a page with a class (issue 16): its link with every setting, and a QR code that decodes
back to it (viz.share; decoded with zxing-cpp, a test-only dependency)."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlsplit

import pytest
import segno
import zxingcpp
from PIL import Image

from viz import view as v
from viz.share import QR_BORDER, QR_PX, base_url, page_link, qr_png, share_view

HOSTILE = "<img src=x onerror=alert(1)> \"'&#x;**pwn**](javascript:x) 中文 \u202e"


def _decode(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("context_url, host, path, expected", [
    ("http://10.0.0.5:8501/blocks", None, "blocks", "http://10.0.0.5:8501/blocks"),  # the browser's own address
    ("https://class.example.org/cnn/blocks?x=1#top", "ignored:1", "", "https://class.example.org/cnn/blocks"),
    (None, "lab-pc:8501", "blocks", "http://lab-pc:8501/blocks"),  # no URL from the browser: the Host header
    ("javascript:alert(1)", "[::1]:8501", "", "http://[::1]:8501/"),  # not http(s): not used
    (None, "evil.example/<script>", "inside", "/inside"),  # a Host no server has: only a path
    (None, None, "", "/"),
])
def test_the_base_is_the_browsers_url_then_the_host_header_then_a_path(context_url, host, path, expected):
    assert base_url(context_url, host, path) == expected


def test_every_value_is_percent_encoded_repeats_kept_presenter_mode_left_out():
    params = [("lab", "inception"), ("x", HOSTILE), ("crop_scale", "0.08"), ("crop_scale", "1"), ("present", "1")]
    link = page_link("http://lab-pc:8501/blocks", params)
    query = urlsplit(link).query
    for char in "<>\"' \u202e":
        assert char not in link  # a link's text is never markup
    assert parse_qsl(query) == params[:-1]  # decodes back to the settings, in order; no ?present=
    assert page_link("http://lab-pc:8501/", [("present", "1")]) == "http://lab-pc:8501/"


def test_the_qr_code_decodes_back_to_the_link_and_is_big_enough_for_a_room():
    link = page_link("https://class.example.org/blocks",
                     [("lab", "inception"), ("i_c1", "48"), ("note", HOSTILE * 3)])
    png = qr_png(link)
    assert _decode(png) == [link]
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.width == image.height >= QR_PX >= 300  # ≥ 300 px: scanned off a projector
    code = segno.make(link, error="m", micro=False)
    assert code.error in ("M", "Q", "H")  # error correction M or better
    modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
    scale = image.width // modules
    assert image.width == modules * scale  # whole pixels per module: crisp edges
    pixels = image.load()
    quiet = QR_BORDER * scale  # four white modules around the code
    assert all(pixels[x, y] == 255 for y in range(quiet) for x in range(image.width))
    assert all(pixels[x, y] == 255 for x in range(quiet) for y in range(image.height))
    assert pixels[quiet, quiet] == 0  # the finder pattern starts right after the quiet zone


def test_share_view_draws_the_code_and_the_link_as_code_never_markdown():
    link = page_link("http://lab-pc:8501/", [("net", HOSTILE)])
    view = share_view(link)
    blocks = list(v.walk(view.blocks))
    (image,) = [b for b in blocks if isinstance(b, v.Image)]
    assert _decode(image.image) == [link]
    (code,) = [b for b in blocks if isinstance(b, v.Code)]
    assert code.source == link
    assert not any(isinstance(b, v.Text) for b in blocks)  # the link is never Markdown
    assert not any(isinstance(b, v.Callout) for b in blocks)


def test_a_link_without_a_host_says_so():
    blocks = share_view("/blocks?lab=inception").blocks
    assert isinstance(blocks[0], v.Callout) and blocks[0].kind == "warning"
    assert "browser" in blocks[0].text
