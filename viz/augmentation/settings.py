"""Every setting of the Augmentation Lab, declared once as a :class:`viz.controls.Control`.

Each control's ``key`` is its widget's key and its name in a shared link
(``?rot_deg=30&crop_scale=0.2&crop_scale=1&seed=3``): the page checks a link's values
against these controls before any widget exists (``viz.pages._widgets.check_shared_link``,
by the rules every page shares) and binds every widget to the URL, defaults left out.
The defaults are the lecture's and the papers' (AlexNet's σ = 0.1, GoogLeNet's 7
networks and 144 crops). A control's name is its key: names must be unique on a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from architectures import NETWORKS
from viz.augmentation import distortions as D
from viz.augmentation.crops import TEST_SHORT_SIDE
from viz.augmentation.distortions import STEP_TYPES
from viz.controls import Control, choice, flag, floats, ints, members, resolve, span

MAX_SEED = 2**31 - 1

PADDING = ("zeros", "border", "reflection")
PADDING_LABELS = ("black", "edge pixels", "reflection")  # as shown, and as written in a link

# The samples: a shared link shows the same ones.
SEED = ints("seed", "seed", "Seed", 0, MAX_SEED, 0, widget="number",
            help="Same seed, same samples: a link with this seed shows these very samples.")

# Distortions tab, in the order the widgets appear.
MIRROR_P = floats("mirror_p", "mirror_p", "Probability of a flip", 0.0, 1.0, 0.5, step=0.05)
CROP_SCALE = span("crop_scale", "crop_scale", "Area fraction of the image", 0.02, 1.0, (0.08, 1.0), step=0.01)
CROP_RATIO = span("crop_ratio", "crop_ratio", "Aspect ratio w / h", 0.25, 4.0, (0.75, 1.33), step=0.01)
CROP_SIZE = choice("crop_size", "crop_size", "Output size", (64, 96, 128, 160, 224), 224, widget="select_slider")
ROT_DEG = ints("rot_deg", "rot_deg", "Largest angle (±degrees)", 0, 180, 20)
ROT_PAD = choice("rot_pad", "rot_pad", "Fill outside the image", PADDING, "zeros", widget="select",
                 labels=PADDING_LABELS)
SHEAR_X = ints("shear_x", "shear_x", "Largest horizontal shear (±degrees)", 0, 45, 15)
SHEAR_Y = ints("shear_y", "shear_y", "Largest vertical shear (±degrees)", 0, 45, 0)
SHEAR_PAD = choice("shear_pad", "shear_pad", "Fill outside the image", PADDING, "zeros", widget="select",
                   labels=PADDING_LABELS)
WARP_STRENGTH = floats("warp_strength", "warp_strength", "Strength (displacement std, pixels)", 0.0, 20.0, 6.0,
                       step=0.5)
WARP_SMOOTH = floats("warp_smooth", "warp_smooth", "Smoothness (control-point spacing, fraction of the image)",
                     0.1, 1.0, 0.25, step=0.05)
WARP_GRID = flag("warp_grid", "warp_grid", "Draw the grid", True, widget="checkbox")
COLOR_MAX = ints("color_max", "color_max", "Random offsets: largest (±)", 0, 80, 20)
# The lecture's example offsets, +20, −20, +20 (compared side by side).
COLOR_FIXED = (ints("color_r", "color_r", "R offset", -80, 80, 20),
               ints("color_g", "color_g", "G offset", -80, 80, -20),
               ints("color_b", "color_b", "B offset", -80, 80, 20))
PCA_SIGMA = floats("pca_sigma", "pca_sigma", "σ of α (AlexNet: 0.1)", 0.0, 1.0, 0.1, step=0.01)

# Pipeline tab: the steps by their labels, in the order picked.
PIPE_STEPS = members("pipe_steps", "pipe_steps", "Steps, in order", tuple(t.label for t in STEP_TYPES),
                     ("random crop", "mirroring", "colour shift", "PCA colour"))

# Test time tab.
TENCROP_SIZE = ints("tencrop_size", "tencrop_size", "Crop size", 64, TEST_SHORT_SIDE, 224, step=8)
COST_NET = choice("cost_net", "cost_net", "Network", tuple(NETWORKS), "alexnet", widget="select")
COST_CROPS = choice("cost_crops", "cost_crops", "Crops per image", (1, 2, 5, 10, 144), 10, widget="select_slider",
                    help="10: AlexNet's 10-crop. 144: GoogLeNet's most aggressive setting "
                         "(Szegedy et al. 2015, §7).")
COST_MODELS = ints("cost_models", "cost_models", "Networks in the ensemble", 3, 15, 7,
                   help="GoogLeNet's ILSVRC 2014 entry averaged 7 networks (Szegedy et al. 2015, §7).")

# Distortions during training tab.
DL_IMAGES = choice("dl_images", "dl_images", "Images", (32, 48, 64, 96, 128), 48, widget="select_slider")
DL_BATCH = choice("dl_batch", "dl_batch", "Batch size", (4, 8, 16), 8, widget="select_slider")
DL_STEP = ints("dl_step", "dl_step", "Simulated training step (ms per batch)", 0, 200, 60, step=10)

CONTROLS: tuple[Control, ...] = (
    SEED, MIRROR_P, CROP_SCALE, CROP_RATIO, CROP_SIZE, ROT_DEG, ROT_PAD, SHEAR_X, SHEAR_Y, SHEAR_PAD,
    WARP_STRENGTH, WARP_SMOOTH, WARP_GRID, COLOR_MAX, *COLOR_FIXED, PCA_SIGMA, PIPE_STEPS, TENCROP_SIZE,
    COST_NET, COST_CROPS, COST_MODELS, DL_IMAGES, DL_BATCH, DL_STEP)

# Each distortion's own settings (the controls beside its samples), by the step's label.
STEP_CONTROLS: dict[str, tuple[Control, ...]] = {
    D.RandomResizedCrop.label: (CROP_SCALE, CROP_RATIO, CROP_SIZE),
    D.Mirror.label: (MIRROR_P,),
    D.Rotation.label: (ROT_DEG, ROT_PAD),
    D.Shear.label: (SHEAR_X, SHEAR_Y, SHEAR_PAD),
    D.Warp.label: (WARP_STRENGTH, WARP_SMOOTH),
    D.ColorShift.label: (COLOR_MAX,),
    D.PCAColor.label: (PCA_SIGMA,),
}


def make_step(label: str, values: Mapping[str, Any] | None = None):
    """The pipeline step called ``label`` with ``values`` (by control name; missing ones take
    their defaults, each checked by its control)."""
    v = resolve(STEP_CONTROLS[label], values or {})
    match label:
        case D.RandomResizedCrop.label:
            return D.RandomResizedCrop(size=v["crop_size"], scale=v["crop_scale"], ratio=v["crop_ratio"])
        case D.Mirror.label:
            return D.Mirror(p=v["mirror_p"])
        case D.Rotation.label:
            return D.Rotation(degrees=float(v["rot_deg"]), padding=v["rot_pad"])
        case D.Shear.label:
            return D.Shear(x_degrees=float(v["shear_x"]), y_degrees=float(v["shear_y"]), padding=v["shear_pad"])
        case D.Warp.label:
            return D.Warp(strength=v["warp_strength"], smoothness=v["warp_smooth"])
        case D.ColorShift.label:
            return D.ColorShift(max_offset=float(v["color_max"]))
    return D.PCAColor(sigma=v["pca_sigma"])


def default_pipeline() -> D.Pipeline:
    """The Pipeline tab's default: its default steps, each with its default settings."""
    return D.Pipeline(tuple(make_step(label) for label in PIPE_STEPS.default))
