"""Loading and validating images: the bundled photograph and users' uploads.

Everything returns an upright 8-bit RGB ``numpy`` array ``(H, W, 3)`` plus notes
on what was changed (converted, flattened, rotated, downscaled), or raises
:class:`ImageError` whose message says what was wrong and what is allowed — a
page shows it with ``st.error`` and carries on with the default image.

Decompression bombs: a small file can claim a huge pixel count (a PNG of zeros
compresses ~1000:1). The size is read from the header and checked against
:data:`MAX_PIXELS` *before* any pixel is decoded; Pillow's own
``DecompressionBombError`` (raised from ``Image.open`` above twice its
``MAX_IMAGE_PIXELS``) is caught as well. Pillow's global limits are not changed.

Memory: the bytes Pillow will hold for the decoded image depend on the mode (8-bit gray
1 byte a pixel, 16-bit gray 2, RGB/RGBA/CMYK/32-bit 4, a palette image converted to RGB
1 + 4) and are checked against :data:`MAX_DECODE_BYTES` before decoding. JPEGs are
decoded at a reduced scale straight from their DCT (``draft``); everything is shrunk to
the working size in its own mode (``reduce`` by an integer factor, then Lanczos) *before*
any conversion, and high bit-depth values are scaled to 8 bits with integer arithmetic
on the small image — no float64 copy of a 49-megapixel array (issue 12: a 95 KB
7000 × 7000 16-bit PNG took 13 s and +1.2 GB that way). :func:`decode_upload` runs the
decoding on the shared bounded worker, so N students uploading at once hold at most one
decode's memory.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from viz.compute import run_heavy

ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_IMAGE = ASSETS / "chelsea.jpg"
DEFAULT_CREDIT = "“Chelsea the cat”, Stefan van der Walt, CC0 (from scikit-image's sample data)"

MAX_BYTES = 20 * 1024 * 1024  # the same limit as server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 50_000_000  # 50 megapixels: larger than any common phone photo, well below a bomb
MAX_DECODE_BYTES = 128 * 2**20  # what Pillow may hold for one decoded image (a 7000 × 7000 16-bit PNG: 98 MB)
MAX_SIDE = 1024  # working size: larger images are downscaled (with a note)
MIN_SIDE = 32  # the default: smaller images cannot show a crop or a rotation usefully
MAX_ASPECT = 8  # a 10-crop of a 1:20 strip would be one long row of near-identical tiles
ALLOWED = "PNG, JPEG, WebP, GIF, BMP or TIFF"
ALLOWED_EXTENSIONS = ("png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff")


class ImageError(ValueError):
    """An image that cannot be used; the message says why and what is allowed."""


@dataclass
class LoadedImage:
    """An upright RGB image ready for the augmentations, and what was done to get it."""

    pixels: np.ndarray  # uint8 (H, W, 3)
    name: str
    original_size: tuple[int, int]  # (width, height) as stored in the file
    original_mode: str
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        return self.pixels.shape[1], self.pixels.shape[0]


def load_default() -> LoadedImage:
    """The bundled photograph (see viz/assets/README.md for its source and license)."""
    return load_bytes(DEFAULT_IMAGE.read_bytes(), DEFAULT_IMAGE.name)


def load_bytes(data: bytes, name: str = "upload", *, max_side: int = MAX_SIDE,
               max_pixels: int = MAX_PIXELS, min_side: int = MIN_SIDE,
               max_aspect: float = MAX_ASPECT) -> LoadedImage:
    """Decode ``data`` into an upright RGB image, or raise :class:`ImageError`.

    ``min_side`` and ``max_aspect`` are the caller's: the Augmentation Lab needs room for
    crops and grids (the defaults), a digit page takes a 28 × 28 MNIST digit or a tall "1".
    """
    if not data:
        raise ImageError(f"“{name}” is empty (0 bytes). Please upload a {ALLOWED} image.")
    if len(data) > MAX_BYTES:
        raise ImageError(f"“{name}” is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    try:
        # Pillow only reads the header here. (Its DecompressionBombWarning, between
        # its limit and twice it, is moot: MAX_PIXELS below is stricter.)
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageError(_too_big(name, None, max_pixels)) from None
    except UnidentifiedImageError:
        raise ImageError(f"“{name}” is not an image file this app can read. "
                         f"Allowed: {ALLOWED}.") from None
    except Exception as exc:  # Pillow raises assorted errors on garbage headers
        raise ImageError(f"“{name}” could not be read as an image: it may be damaged or truncated ({exc}). "
                         f"Allowed: {ALLOWED}.") from None

    width, height = im.size
    if width * height > max_pixels:
        raise ImageError(_too_big(name, (width, height), max_pixels))
    if min(width, height) < min_side:
        raise ImageError(f"“{name}” is {width} × {height} pixels; both sides must be at least "
                         f"{min_side} pixels.")
    if max(width, height) > max_aspect * min(width, height):
        why = "crops and grids need a photo-like shape. " if max_aspect == MAX_ASPECT else ""
        raise ImageError(f"“{name}” is {width} × {height} pixels, more than {max_aspect:g}:1; {why}Please upload an "
                         f"image at most {max_aspect:g} times as long as wide.")
    mode = im.mode
    notes: list[str] = []
    try:
        if getattr(im, "n_frames", 1) > 1:
            notes.append(f"Only the first of its {im.n_frames} frames is used.")
            im.seek(0)
        if im.format == "JPEG" and max(width, height) > 2 * max_side:
            # Decode at a reduced scale straight from the JPEG's DCT (fast, little memory).
            im.draft("RGB", (max_side, max_side))
        need = decoded_bytes(im.mode, *im.size)
        if need > MAX_DECODE_BYTES:
            raise ImageError(_too_heavy(name, (width, height), im.mode, need))
        im.load()
        orientation = _orientation(im)  # read after load(): PNG's getexif() would load it quietly
        im = _shrink(im, max_side, notes)
        if max(width, height) > max_side:
            notes.append(f"Downscaled from {width} × {height} to {im.size[0]} × {im.size[1]} "
                         f"pixels (the lab works on images up to {max_side} pixels a side).")
        im = _upright(im, orientation, notes)
        rgb = _to_rgb(im, notes)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(_too_big(name, (width, height), max_pixels)) from None
    except Exception as exc:  # OSError, SyntaxError, zlib.error …: whatever a broken stream raises
        raise ImageError(f"“{name}” is damaged or truncated and cannot be decoded ({exc}). "
                         f"Please upload a complete {ALLOWED} image.") from None
    return LoadedImage(np.asarray(rgb, dtype=np.uint8).copy(), name, (width, height), mode, notes)


def decode_upload(data: bytes, name: str = "upload", *, alive: Callable[[], bool] | None = None,
                  min_side: int = MIN_SIDE, max_aspect: float = MAX_ASPECT) -> LoadedImage:
    """:func:`load_bytes` on the shared bounded worker (what a page calls for an upload).

    One decode at a time for the whole server: ten students uploading at once wait in
    line instead of holding ten decoded images. Identical files (the same bytes, e.g. a
    photo the teacher handed out) are decoded once for all of them, and the last
    :data:`KEPT_DECODES` decoded uploads are kept (at most ``MAX_SIDE``² pixels each), so
    a page's reruns do not decode its upload again. ``alive``: see :mod:`viz.compute`.
    Raises :class:`ImageError`, or ``ServerBusy`` when the queue is full.
    """
    key = ("decode_upload", hashlib.blake2b(data, digest_size=16).hexdigest(), name, min_side, max_aspect)
    with _decoded_lock:
        if key in _decoded:
            _decoded.move_to_end(key)
            return _copy(_decoded[key])
    loaded = run_heavy(load_bytes, data, name, min_side=min_side, max_aspect=max_aspect, alive=alive, key=key)
    with _decoded_lock:
        _decoded[key] = loaded
        while len(_decoded) > KEPT_DECODES:
            _decoded.popitem(last=False)
    return _copy(loaded)


KEPT_DECODES = 8  # decoded uploads kept for reruns: at most 8 × 1024² × 3 bytes = 24 MB
_decoded: OrderedDict[tuple, LoadedImage] = OrderedDict()
_decoded_lock = threading.Lock()


def _copy(loaded: LoadedImage) -> LoadedImage:
    """A caller's own LoadedImage: the kept one is never handed out (a copy of ≤ 3 MB is ~1 ms)."""
    return LoadedImage(loaded.pixels.copy(), loaded.name, loaded.original_size, loaded.original_mode,
                       list(loaded.notes))


# Bytes a pixel of each Pillow mode takes in memory once decoded (Pillow keeps 3-band
# images in 4 bytes a pixel); a palette or 1-bit image also needs its converted copy.
_BYTES_PER_PIXEL = {"1": 1 + 1, "L": 1, "P": 1 + 4, "PA": 4 + 4, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}


def decoded_bytes(mode: str, width: int, height: int) -> int:
    """Memory Pillow needs to decode a ``mode`` image of ``width × height`` and make it shrinkable."""
    return _BYTES_PER_PIXEL.get(mode, 4) * width * height


def _too_heavy(name: str, size: tuple[int, int], mode: str, need: int) -> str:
    per_pixel = _BYTES_PER_PIXEL.get(mode, 4)
    side = int((MAX_DECODE_BYTES / per_pixel) ** 0.5)
    return (f"“{name}” is too large to decode here: {size[0]} × {size[1]} pixels in Pillow mode {mode} "
            f"need {need / 2**20:.0f} MB of memory; the limit is {MAX_DECODE_BYTES // 2**20} MB per image. "
            f"Please upload it smaller (about {side} × {side} pixels at most in this format), or as a JPEG.")


def _shrink(im: Image.Image, max_side: int, notes: list[str]) -> Image.Image:
    """Downscale to ``max_side`` in the image's own mode: an integer ``reduce`` (cheap box average)
    while at least twice the target remains, then Lanczos (Pillow's ``reducing_gap`` idea).
    Palette and 1-bit images cannot be resampled as they are: they are converted first."""
    w, h = im.size
    if max(w, h) <= max_side:
        return im
    if im.mode == "1":
        im = im.convert("L")
    elif im.mode in ("P", "PA"):
        im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
        notes.append("Palette image converted to RGB.")
    scale = max_side / max(w, h)
    target = (max(1, round(w * scale)), max(1, round(h * scale)))
    factor = int(1 / scale / 2)
    if factor >= 2:
        if im.mode.startswith("I;16"):  # reduce() has no 16-bit path; a box resize is the same average
            im = im.resize((w // factor, h // factor), Image.Resampling.BOX)
        else:
            im = im.reduce(factor)
    return im.resize(target, Image.Resampling.LANCZOS)


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # a broken EXIF block is not worth rejecting the photo
        return 1


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def _too_big(name: str, size: tuple[int, int] | None, max_pixels: int) -> str:
    claim = f"{size[0]} × {size[1]} = {size[0] * size[1] / 1e6:.0f} megapixels" if size else \
        "far more pixels than Pillow will decode"
    return (f"“{name}” is too large: {claim}. The limit is {max_pixels / 1e6:.0f} megapixels "
            f"(a safeguard against decompression bombs); please upload a smaller image.")


def _upright(im: Image.Image, orientation: int, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation tag (phones store photos sideways and set this tag), on the
    already shrunk image (the tag was read before decoding)."""
    if orientation in _TRANSPOSE:
        im = im.transpose(_TRANSPOSE[orientation])
        notes.append(f"Rotated upright according to its EXIF orientation tag ({orientation}).")
    return im


def _to_rgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """Any Pillow mode → 8-bit RGB, noting what the conversion did."""
    mode = im.mode
    if mode == "RGB":
        return im
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        notes.append("Palette image converted to RGB.")
        mode = im.mode
        if mode == "RGB":
            return im
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode in ("L", "RGB") and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        notes.append("Transparency flattened onto a white background.")
        return Image.alpha_composite(white, rgba).convert("RGB")
    if mode.startswith("I;16") or mode in ("I", "F"):
        # Pillow's convert() clips values above 255: scale the real range to 8 bits instead.
        # This runs on the shrunk image (at most MAX_SIDE² pixels), in integers or float32.
        a = np.asarray(im)
        if mode == "F":
            lo, hi = float(a.min()), float(a.max())  # floating point: no fixed range, stretch
            span = np.float32(max(hi - lo, 1e-12))
            scaled = np.clip((a - np.float32(lo)) / span * np.float32(255) + np.float32(0.5), 0, 255)
        else:
            # 16-bit data (also Pillow's 32-bit "I" holding 16-bit PNG values) spans 0…65535:
            # round(v · 255 / top) in integer arithmetic.
            top = 65535 if mode.startswith("I;16") or int(a.max()) > 255 else 255
            v = np.clip(a.astype(np.int64), 0, top)
            scaled = (v * 510 + top) // (2 * top)
        notes.append(f"High bit-depth grayscale (Pillow mode {mode}) scaled to 8 bits and copied to R, G, B.")
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if mode in ("L", "1"):
        notes.append("Grayscale image: the gray value is copied to R, G and B.")
        return im.convert("RGB")
    if mode == "CMYK":
        notes.append("CMYK image converted to RGB (without its colour profile: colours may differ a little).")
        return im.convert("RGB")
    try:
        out = im.convert("RGB")
    except ValueError as exc:
        raise ImageError(f"Images in Pillow mode {mode!r} cannot be converted to RGB ({exc}).") from None
    notes.append(f"Converted from {mode} to RGB.")
    return out


def fit_within(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale so the longer side is at most ``max_side`` (never upscales)."""
    h, w = pixels.shape[:2]
    if max(h, w) <= max_side:
        return pixels
    im = Image.fromarray(pixels)
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return np.asarray(im).copy()


LABEL_ANCHORS = ("tl", "tr", "bl", "br", "c")  # a label inside its box: a corner, or the centre


def _font(font_size: int):
    try:  # Pillow's bundled scalable font (no download); bitmap fallback without FreeType
        return ImageFont.load_default(size=font_size)
    except (ImportError, OSError, TypeError):
        return ImageFont.load_default()


def label_boxes(boxes, labels, *, width: int = 2, font_size: int = 12, label_at=None) -> list[tuple[int, ...]]:
    """Where :func:`draw_boxes` puts each label: ``(x0, y0, x1, y1)`` of its backing rectangle,
    inside its box at ``label_at[k]`` (one of :data:`LABEL_ANCHORS`; top-left if not given)."""
    font, pad = _font(font_size), 2
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    out = []
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        left, top, right, bottom = draw.textbbox((0, 0), str(labels[k]), font=font, stroke_width=1)
        w, h = right - left + 2 * pad, bottom - top + 2 * pad
        anchor = label_at[k] if label_at else "tl"
        if anchor not in LABEL_ANCHORS:
            raise ValueError(f"label_at must be one of {', '.join(LABEL_ANCHORS)}; got {anchor!r}")
        inset = width + 1
        x = {"l": int(x0) + inset, "r": int(x1) - inset - w}.get(anchor[-1], (int(x0) + int(x1) - w) // 2)
        y = {"t": int(y0) + inset, "b": int(y1) - inset - h}.get(anchor[0], (int(y0) + int(y1) - h) // 2)
        out.append((x, y, x + w, y + h))
    return out


def draw_boxes(pixels: np.ndarray, boxes, colors=None, width: int = 2, labels=None,
               font_size: int = 12, label_at=None) -> np.ndarray:
    """Draw rectangles ``(x0, y0, x1, y1)`` (x1, y1 exclusive) on a copy of an RGB image, each
    label on a dark backing inside its box (where :func:`label_boxes` says)."""
    im = Image.fromarray(pixels)
    draw = ImageDraw.Draw(im)
    font = _font(font_size)
    palette = colors or [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
                         (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60)]
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        draw.rectangle([int(x0), int(y0), int(x1) - 1, int(y1) - 1], outline=palette[k % len(palette)], width=width)
    if labels:
        for k, (lx0, ly0, lx1, ly1) in enumerate(label_boxes(boxes, labels, width=width, font_size=font_size,
                                                                label_at=label_at)):
            color = palette[k % len(palette)]
            draw.rectangle([lx0, ly0, lx1 - 1, ly1 - 1], fill=(0, 0, 0))
            left, top, _, _ = draw.textbbox((0, 0), str(labels[k]), font=font, stroke_width=1)
            draw.text((lx0 + 2 - left, ly0 + 2 - top), str(labels[k]), fill=color, font=font)
    return np.asarray(im).copy()
