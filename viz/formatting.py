"""Numbers, shapes and user text as every page writes them (shared by all features).

* :func:`approx` / :func:`parse_approx`: ``138357544 -> "138M"`` and back.
* :func:`num`: ``120422400 -> "120,422,400"``.
* :func:`shape_text`: PyTorch's ``(N, C, H, W)`` as the lecture's ``n_H × n_W × n_C``.
* :func:`user_value`: text that came from a user (a URL value, a file name) made safe
  to put inside Streamlit markdown: shown as inline code, never as markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))


def approx(n: float, digits: int = 3) -> str:
    """``138357544 -> "138M"``, ``61706 -> "61.7K"``, ``4231976 -> "4.23M"`` (3 significant digits)."""
    n = float(n)
    for scale, suffix in _SI:
        if abs(n) >= scale:
            value = n / scale
            decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
            text = f"{value:.{decimals}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return f"{n:.0f}"


def parse_approx(text: str) -> float | None:
    """``"138M" -> 138e6``; None if ``text`` is not such a number."""
    match = re.fullmatch(r"\s*~?\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)\s*", text or "")
    if not match:
        return None
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}[match.group(2)]
    return float(match.group(1)) * scale


def num(n: int | float) -> str:
    """Thousands separators: ``120422400 -> "120,422,400"``; a fraction keeps 3 significant digits."""
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.3g}"


def shape_text(shape: Sequence[int]) -> str:
    """A tensor shape the lecture's way, ``n_H × n_W × n_C``.

    ``(N, C, H, W)`` and ``(C, H, W)`` give ``"56 × 56 × 256"``; a fully connected
    output ``(N, F)`` or a vector ``(F,)`` gives ``"4096"``; anything else its sizes
    joined by ``×`` (without the batch), ``"—"`` if empty.
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) == 4:
        shape = shape[1:]
    if len(shape) == 3:
        c, h, w = shape
        return f"{h} × {w} × {c}"
    if len(shape) in (1, 2):
        return f"{shape[-1]}"
    return " × ".join(str(s) for s in shape[1:]) or "—"


# A value from a link or a file name is shown at most this long (then "…").
USER_TEXT_MAX = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def user_value(value: Any, max_chars: int = USER_TEXT_MAX) -> str:
    """``value`` (typed or sent by a user) as a Markdown inline code span.

    Inside a code span Markdown, HTML, links, images, LaTeX and Streamlit's
    ``:color[…]`` / ``:material/…:`` directives are all shown literally. The
    fence is one backtick longer than the longest run of backticks in the text
    (CommonMark §6.1), so no value can close it early; control characters and
    line breaks become spaces, and long values are cut at ``max_chars``.
    """
    text = value if isinstance(value, str) else repr(value)
    text = _CONTROL.sub(" ", text)
    if len(text) > max_chars:
        text = text[:max_chars] + "…"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both are present: pad so that
    # a value starting or ending with a backtick (or a space) survives intact.
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"
