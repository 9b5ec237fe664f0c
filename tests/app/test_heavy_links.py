"""Heavy links and uploads go through the hardened worker (issue 12), page by page, under AppTest.

* ``?net=vgg16&res=1024`` (~323G multiply-adds: ~25 CPU s and ~0.8 GB before failing, as
  measured in issue 12) is refused before anything runs, with a message that states the
  budget and what to change; varying ``res`` or ``num_classes`` does not sidestep it, and
  EfficientNet's φ (which sets its own resolution) is costed too;
* the Block Lab's costliest settings are refused the same way;
* uploads in the Augmentation Lab and Inside LeNet-5 are decoded by
  ``viz.images.decode_upload`` on the worker (its ten-parallel-uploads memory test is in
  tests/viz/test_images.py).

AppTest runs the page in this process, so the worker's counters (``viz.compute.stats``)
say whether anything ran.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from viz import compute, images

PAGES = Path(__file__).resolve().parents[2] / "viz" / "pages"
TIMEOUT = 120


def _run(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.mark.parametrize("query, macs, advice", [
    # VGG-16: 15.47 G multiply-adds at 224 × 224 (Simonyan & Zisserman 2015; torchvision's model card),
    # × (1024 / 224)² ≈ 323 G; the largest square that fits 60 G: 224 · √(60 / 15.47) ≈ 441.
    ({"net": "vgg16", "res": "1024"}, "323G", "at most 441 × 441"),
    ({"net": "vgg16", "res": "1024", "num_classes": "7"}, "323G", "at most 441 × 441"),
    # 10,000 classes: fc8's 4096 · 10,000 multiplies more at every size, so 440 fits, not 441
    ({"net": "vgg16", "res": "600", "num_classes": "10000"}, "111G", "at most 440 × 440"),
    # EfficientNet's φ sets its resolution (1.15^φ · 224 = 685 at φ = 8) and its cost grows ≈ 2^φ
    # (Tan & Le 2019, eq. 3): ~73 G, past the budget at its own size.
    ({"net": "efficientnet", "phi": "8"}, "72.7G", "Compound coefficient φ"),
])
def test_a_heavy_explorer_link_is_refused_before_it_runs(query, macs, advice):
    before = (compute.stats.ran, compute.stats.refused_budget)
    at = _run("network_explorer.py", **query)
    text = _errors(at)
    assert f"about {macs} multiply-adds" in text and "budget of 60G per request" in text, text
    assert advice in text, text
    assert compute.stats.ran == before[0]  # nothing ran on the worker
    assert compute.stats.refused_budget == before[1] + 1


def test_within_the_budget_a_larger_input_runs():
    before = compute.stats.ran
    at = _run("network_explorer.py", net="resnet18", res="448")
    assert not at.error, _errors(at)
    assert compute.stats.ran == before + 1


def test_the_costliest_block_lab_settings_are_refused_and_say_what_to_lower():
    # A normal 7×7 convolution from 512 to 1,024 channels on 64 × 64 ("same"): 64²·1024·7·7·512 ≈ 105 G
    # multiply-adds (the lecture's #filter params × #filter positions × #filters), plus the separable pair.
    before = compute.stats.ran
    at = _run("block_lab.py", lab="separable", s_n="64", s_nc="512", s_f="7", s_nco="1024", s_pad="same")
    text = _errors(at)
    assert "about 107G multiply-adds" in text and "budget of 60G" in text, text
    assert "Use smaller values of n (input n × n × n_c)" in text
    assert compute.stats.ran == before


def _png(side: int = 64) -> bytes:
    buf = io.BytesIO()
    pixels = np.zeros((side, side), np.uint8)
    pixels[side // 4: 3 * side // 4, side // 2 - 4: side // 2 + 4] = 255  # a "1", light on dark
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("page, key, name, decoded_as", [
    ("augmentation_lab.py", "upload", "mine.png", "mine.png"),
    ("inside_lenet.py", "inside_upload", "digit.png", "the file"),
])
def test_uploads_are_decoded_on_the_bounded_worker(page, key, name, decoded_as):
    data = _png(96 + len(page))  # bytes no other test uploads
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.run()
    if page == "inside_lenet.py":
        at.radio(key="inside_source").set_value(at.radio(key="inside_source").options[2]).run()
    ran = compute.stats.ran
    at.file_uploader(key=key).set_value((name, data, "image/png")).run()
    assert not at.exception, [e.value for e in at.exception]
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    # decode_upload, not load_bytes in the page (its key: bytes, name, the caller's shape limits)
    assert any(k[:3] == ("decode_upload", digest, decoded_as) for k in images._decoded)
    assert compute.stats.ran >= ran + 1
    ran = compute.stats.ran
    at.run()  # a rerun does not decode it again
    assert compute.stats.ran == ran
