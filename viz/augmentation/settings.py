"""Every setting of the Augmentation Lab, declared once: widget key, label, default, allowed values.

The page draws one widget per :class:`Control` (its ``key`` is the widget's key in
the session state, and the name a shared link would carry); the defaults here are
the lecture's and the papers' (AlexNet's σ = 0.1, GoogLeNet's 7 networks and 144
crops). Only the seed travels in the URL today (:func:`seed_from_link`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from architectures import NETWORKS
from viz.augmentation.crops import TEST_SHORT_SIDE
from viz.augmentation.distortions import STEP_TYPES

MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Control:
    """One widget: a ``slider`` (a pair ``default`` makes a range slider), ``select_slider``,
    ``select`` (``labels`` name the options on screen), ``checkbox`` or ``multiselect``."""

    key: str
    label: str
    kind: Literal["slider", "select_slider", "select", "checkbox", "multiselect"]
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None  # None: Streamlit's default (1 for whole numbers)
    options: tuple = ()
    labels: Mapping[Any, str] = field(default_factory=dict)
    help: str = ""


PADDING = {"zeros": "black", "border": "edge pixels", "reflection": "reflection"}

# Distortions tab, in the order the widgets appear.
MIRROR_P = Control("mirror_p", "Probability of a flip", "slider", 0.5, 0.0, 1.0, 0.05)
CROP_SCALE = Control("crop_scale", "Area fraction of the image", "slider", (0.08, 1.0), 0.02, 1.0, 0.01)
CROP_RATIO = Control("crop_ratio", "Aspect ratio w / h", "slider", (0.75, 1.33), 0.25, 4.0, 0.01)
CROP_SIZE = Control("crop_size", "Output size", "select_slider", 224, options=(64, 96, 128, 160, 224))
ROT_DEG = Control("rot_deg", "Largest angle (±degrees)", "slider", 20, 0, 180)
ROT_PAD = Control("rot_pad", "Fill outside the image", "select", "zeros", options=tuple(PADDING), labels=PADDING)
SHEAR_X = Control("shear_x", "Largest horizontal shear (±degrees)", "slider", 15, 0, 45)
SHEAR_Y = Control("shear_y", "Largest vertical shear (±degrees)", "slider", 0, 0, 45)
SHEAR_PAD = Control("shear_pad", "Fill outside the image", "select", "zeros", options=tuple(PADDING),
                    labels=PADDING)
WARP_STRENGTH = Control("warp_strength", "Strength (displacement std, pixels)", "slider", 6.0, 0.0, 20.0, 0.5)
WARP_SMOOTH = Control("warp_smooth", "Smoothness (control-point spacing, fraction of the image)", "slider",
                      0.25, 0.1, 1.0, 0.05)
WARP_GRID = Control("warp_grid", "Draw the grid", "checkbox", True)
COLOR_MAX = Control("color_max", "Random offsets: largest (±)", "slider", 20, 0, 80)
# The lecture's example offsets, +20, −20, +20 (compared side by side).
COLOR_FIXED = (Control("color_r", "R offset", "slider", 20, -80, 80),
               Control("color_g", "G offset", "slider", -20, -80, 80),
               Control("color_b", "B offset", "slider", 20, -80, 80))
PCA_SIGMA = Control("pca_sigma", "σ of α (AlexNet: 0.1)", "slider", 0.1, 0.0, 1.0, 0.01)

# Pipeline tab: the steps by their labels, in the order picked.
PIPE_STEPS = Control("pipe_steps", "Steps, in order", "multiselect",
                     ("random crop", "mirroring", "colour shift", "PCA colour"),
                     options=tuple(t.label for t in STEP_TYPES))

# Test time tab.
TENCROP_SIZE = Control("tencrop_size", "Crop size", "slider", 224, 64, TEST_SHORT_SIDE, 8)
COST_NET = Control("cost_net", "Network", "select", "alexnet", options=tuple(NETWORKS))
COST_CROPS = Control("cost_crops", "Crops per image", "select_slider", 10, options=(1, 2, 5, 10, 144),
                     help="10: AlexNet's 10-crop. 144: GoogLeNet's most aggressive setting "
                          "(Szegedy et al. 2015, §7).")
COST_MODELS = Control("cost_models", "Networks in the ensemble", "slider", 7, 3, 15,
                      help="GoogLeNet's ILSVRC 2014 entry averaged 7 networks (Szegedy et al. 2015, §7).")

# Distortions during training tab.
DL_IMAGES = Control("dl_images", "Images", "select_slider", 48, options=(32, 48, 64, 96, 128))
DL_BATCH = Control("dl_batch", "Batch size", "select_slider", 8, options=(4, 8, 16))
DL_STEP = Control("dl_step", "Simulated training step (ms per batch)", "slider", 60, 0, 200, 10)

CONTROLS = (MIRROR_P, CROP_SCALE, CROP_RATIO, CROP_SIZE, ROT_DEG, ROT_PAD, SHEAR_X, SHEAR_Y, SHEAR_PAD,
            WARP_STRENGTH, WARP_SMOOTH, WARP_GRID, COLOR_MAX, *COLOR_FIXED, PCA_SIGMA, PIPE_STEPS,
            TENCROP_SIZE, COST_NET, COST_CROPS, COST_MODELS, DL_IMAGES, DL_BATCH, DL_STEP)


def seed_from_link(value: Any) -> int:
    """The seed a shared link carries (``?seed=3``): a whole number made non-negative and at most
    :data:`MAX_SEED`; anything else starts at 0."""
    try:
        return min(abs(int(value)), MAX_SEED)
    except (TypeError, ValueError):
        return 0
