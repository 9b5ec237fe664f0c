"""Pictures encoded once for every session: a page's images as the bytes Streamlit would send.

``st.image`` given a NumPy array encodes it on every run — JPEG at quality 100 (its
"auto" for an opaque image), then, when it is wider than it is shown, decodes it,
resizes it (bilinear) and encodes it again at quality 90. The Augmentation Lab draws
~18 pictures per run, so a page switch spent most of its script time in Pillow's
encoder (issue 12: the 30-student click tail was that page's CPU). The pictures come
out of caches and seeded draws, so the same pixels come back run after run and
session after session: :func:`encoded` does Streamlit's encoding once per distinct
picture (resized first, then encoded once) and keeps the bytes in a bounded table;
Streamlit, handed those bytes with their format, only reads the header.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from PIL import Image

# Streamlit's widest image (streamlit.elements.lib.image_utils.MAXIMUM_CONTENT_WIDTH):
# anything wider is shrunk to it unless a smaller pixel width is asked for.
MAX_CONTENT_WIDTH = 2 * 730
KEPT_PICTURES = 256
KEPT_BYTES = 48 * 2**20  # the encoded pictures kept, at most (JPEGs of previews: ~20–200 KB each)

_kept: OrderedDict[tuple, bytes] = OrderedDict()
_kept_bytes = 0
_lock = threading.Lock()


def _format(pixels: np.ndarray, output_format: str) -> str:
    """Streamlit's choice: JPEG or PNG as asked; "auto" is PNG with an alpha channel, else JPEG."""
    if output_format.upper() in ("JPEG", "JPG", "PNG"):
        return "JPEG" if output_format.upper() == "JPG" else output_format.upper()
    return "PNG" if pixels.ndim == 3 and pixels.shape[2] == 4 else "JPEG"


def _encode(pixels: np.ndarray, width: int, fmt: str) -> bytes:
    image = Image.fromarray(pixels)
    quality = 100
    if image.width > width:  # as Streamlit does it: bilinear, then quality 90
        image = image.resize((width, int(image.height * width / image.width)), resample=Image.BILINEAR)
        quality = 90
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, quality=quality)
    return out.getvalue()


def encoded(image: Any, width: int | str = "stretch", output_format: str = "auto") -> tuple[Any, str]:
    """``(image, output_format)`` to hand ``st.image``: an 8-bit array becomes its encoded bytes
    (kept, so the next run or session with the same pixels encodes nothing) and the format they
    are in; anything else (bytes, a path, float arrays) is returned as it came."""
    if not (isinstance(image, np.ndarray) and image.dtype == np.uint8
            and (image.ndim == 2 or image.ndim == 3 and image.shape[2] in (3, 4))):
        return image, output_format
    global _kept_bytes
    pixels = np.ascontiguousarray(image)
    fmt = _format(pixels, output_format)
    target = width if isinstance(width, int) and width > 0 else MAX_CONTENT_WIDTH
    key = (hashlib.blake2b(pixels.data, digest_size=16).digest(), pixels.shape, target, fmt)
    with _lock:
        data = _kept.get(key)
        if data is not None:
            _kept.move_to_end(key)
            return data, fmt
    data = _encode(pixels, target, fmt)
    with _lock:
        if key not in _kept:
            _kept[key] = data
            _kept_bytes += len(data)
            while len(_kept) > KEPT_PICTURES or _kept_bytes > KEPT_BYTES:
                _kept_bytes -= len(_kept.popitem(last=False)[1])
    return data, fmt
