"""The batch conventions every distortion shares: seeds, 8-bit conversion, copies, tiling.

* A batch is ``float32`` of shape ``(N, C, H, W)`` with values in ``[0, 1]``
  (PyTorch's layout). Photographs have ``C = 3`` (R, G, B); geometry (crop,
  rotation, shear, warping, mirroring) works for any ``C``, so the Training Lab's
  ``(N, 1, 32, 32)`` digits take the same distortions; colour needs ``C = 3``.
  :func:`from_uint8` / :func:`to_uint8` convert from and to 8-bit ``(H, W, 3)`` arrays.
* Randomness comes only from the ``torch.Generator`` passed in, so a seed
  reproduces a batch exactly (:func:`make_generator`). Each random function
  returns what it drew (angles, boxes, offsets…) so a page can show it.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def make_generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with ``seed``: the same seed gives the same batch."""
    gen = torch.Generator()
    gen.manual_seed(int(seed))
    return gen


def from_uint8(image: np.ndarray | torch.Tensor) -> torch.Tensor:
    """An 8-bit ``(H, W, 3)`` image → a ``(1, 3, H, W)`` float batch in [0, 1]."""
    a = np.asarray(image)
    t = torch.from_numpy(a if a.flags.writeable else a.copy()) if isinstance(a, np.ndarray) else a
    if t.dtype != torch.uint8 or t.ndim != 3 or t.shape[2] != 3:
        raise ValueError(f"expected a uint8 (H, W, 3) image, got {tuple(t.shape)} {t.dtype}")
    return t.permute(2, 0, 1).unsqueeze(0).to(torch.float32).div_(255.0)


def to_uint8(batch: torch.Tensor) -> np.ndarray:
    """A float batch ``(N, 3, H, W)`` in [0, 1] → uint8 ``(N, H, W, 3)`` (rounded, clipped)."""
    return batch.clamp(0, 1).mul(255).round_().to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def repeat(image: torch.Tensor, n: int) -> torch.Tensor:
    """``(1, C, H, W)`` or ``(C, H, W)`` → ``(n, C, H, W)``: n copies to distort independently."""
    if image.ndim == 3:
        image = image.unsqueeze(0)
    return image[:1].expand(n, -1, -1, -1).contiguous()


def tile(batch: torch.Tensor, nrow: int = 3, pad: int = 4, fill: float = 1.0) -> np.ndarray:
    """Lay a batch out as one uint8 ``(H', W', 3)`` image, ``nrow`` images per row."""
    n, c, h, w = batch.shape
    rows = math.ceil(n / nrow)
    canvas = torch.full((c, rows * h + (rows + 1) * pad, nrow * w + (nrow + 1) * pad), fill)
    for k in range(n):
        r, q = divmod(k, nrow)
        y, x = pad + r * (h + pad), pad + q * (w + pad)
        canvas[:, y:y + h, x:x + w] = batch[k]
    return to_uint8(canvas.unsqueeze(0))[0]


def check_batch(batch: torch.Tensor, channels: int | None = None) -> None:
    """Refuse anything but a float ``(N, C, H, W)`` batch (with ``C == channels`` if given)."""
    if batch.ndim != 4 or not batch.is_floating_point() or (channels is not None and batch.shape[1] != channels):
        layout = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise ValueError(f"expected a float batch {layout}, got {tuple(batch.shape)} {batch.dtype}")
