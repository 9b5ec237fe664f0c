"""The Augmentation Lab's sections as :mod:`viz.view` blocks, ready for ``viz.pages._render.render``.

A distortion section is two columns — the controls on the left with ``side`` blocks
under them, the samples (``main``) on the right — and ``below`` across the page
(:class:`SectionView`); the other sections are plain :class:`viz.view.View`\\ s. The
page draws each section's title (a :class:`Section`) and widgets, then calls one
function here with the widgets' values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from viz import images
from viz import view as v
from viz.augmentation import figures
from viz.augmentation import previews as P
from viz.augmentation.colour import rgb_pca
from viz.augmentation.cost import ForwardCost, cost_rows, format_macs
from viz.augmentation.crops import rescale_short_side
from viz.augmentation.distortions import PCAColor, Pipeline
from viz.augmentation.measured import COMMAND, STORED_PATH, Measurement
from viz.augmentation.tensors import from_uint8
from viz.augmentation.torchvision_code import torchvision_code
from viz.formatting import shape_text, user_value


@dataclass(frozen=True)
class Section:
    """A section's title and the one-paragraph explanation under it."""

    title: str
    blurb: str = ""


@dataclass(frozen=True)
class SectionView:
    """One two-column section: ``side`` under the controls, ``main`` beside them, ``below`` across."""

    side: tuple[v.Block, ...] = ()
    main: tuple[v.Block, ...] = ()
    below: tuple[v.Block, ...] = ()


INTRO = ("The lecture's practical advice on data: distort training images (mirroring, random crops, rotation, "
         "shearing, local warping, colour shifts, AlexNet's PCA colour noise) so the network sees more variety, "
         "do it on the fly in a loading process while training, and average 10 crops at test time. "
         "Every picture below is computed live from the photograph with PyTorch.")
UPLOAD_HELP = (f"{images.ALLOWED}; up to {images.MAX_BYTES // 2**20} MB and {images.MAX_PIXELS // 10**6} "
               f"megapixels. Larger than {images.MAX_SIDE} pixels a side is downscaled.")
DISTORTIONS_INTRO = ("Each grid shows 9 random samples of one distortion, drawn with the seed above; "
                     "“New samples” draws the next 9. The time under each grid is the distortion's own compute "
                     "time.")

MIRRORING = Section("Mirroring", "Flip left ↔ right: a cat facing left is still a cat.")
CROPPING = Section("Random cropping",
                   "A random box (its area a fraction of the image, its aspect ratio in a range) resized to "
                   "a fixed size — torchvision's RandomResizedCrop, after GoogLeNet.")
ROTATION = Section("Rotation", "Turn the image by a random angle about its centre.")
SHEARING = Section("Shearing", "Slant the image: x moves in proportion to y (and/or y to x).")
WARPING = Section("Local warping",
                  "A smooth random displacement field bends the image locally (elastic distortion, "
                  "Simard et al. 2003). The grid shows the bending.")
COLOUR_SHIFTING = Section("Colour shifting",
                          "Add an offset to each of R, G and B (8-bit units, clipped to 0…255): "
                          "the lecture's example is +20, −20, +20.")
PCA_COLOUR = Section("PCA colour augmentation (AlexNet)",
                     "Krizhevsky et al. 2012, §4.1: add α₁√λ₁·p₁ + α₂√λ₂·p₂ + α₃√λ₃·p₃ to every pixel, where p, "
                     "λ are the principal components of the RGB values and α ~ N(0, σ). The first component is "
                     "usually brightness; the others trade colours against each other.")
PIPELINE = Section("A training pipeline",
                   "Distortions applied one after another, each with the parameters set in the Distortions tab. "
                   "The order is the order you pick them in.")
TEN_CROP = Section("10-crop at test time",
                   "AlexNet (Krizhevsky et al. 2012, §4.1) rescales the image so its shorter side is 256, then "
                   "averages the network's predictions over 10 crops: the centre and four corners, and the same "
                   "of the mirror image.")
# The Distortions tab's sections, in the lecture's order, by their step's label.
DISTORTION_SECTIONS = {"mirroring": MIRRORING, "random crop": CROPPING, "rotation": ROTATION, "shearing": SHEARING,
                       "local warping": WARPING, "colour shift": COLOUR_SHIFTING, "PCA colour": PCA_COLOUR}
PREDICTION_COST = Section("What multi-crop and ensembling cost at prediction time")
LOADING = Section("Distortions during training",
                  "In the lecture, a CPU thread loads images and distorts them while the training step runs on the "
                  "GPU. Here a real torch.utils.data.DataLoader decodes a JPEG and applies the pipeline from the "
                  "Pipeline tab to each image, in 0, 1 or 2 worker processes; a pause per batch stands in for the "
                  "GPU's training step (the CPU is idle meanwhile — that is the time the workers use).")
SPAWN_NOTE = ("Workers are started with 'forkserver', not 'fork': the server is multi-threaded, and a child forked "
              "from it can inherit a lock another thread held and hang; a clean single-threaded server process "
              "forks them instead. Starting it costs a second or two, reported separately as start-up.")

PCA_FORMATS = {"eigenvalue λ": "%.5f", "√λ (std)": "%.3f", "R": "%.3f", "G": "%.3f", "B": "%.3f",
               "share of variance": "percent"}


def image_view(loaded: images.LoadedImage) -> SectionView:
    """The image being distorted (``main``) and what was done to it and where it came from (``side``)."""
    if loaded.name == images.DEFAULT_IMAGE.name:
        source = f"Default photograph: {images.DEFAULT_CREDIT}."
    else:
        source = f"Your image: {user_value(loaded.name)}."
    caption = (f"{source} {loaded.size[0]} × {loaded.size[1]} pixels; previews use a copy at most "
               f"{P.PREVIEW_SIDE} pixels a side.")
    return SectionView(side=(*(v.Callout("info", note) for note in loaded.notes), v.Caption(caption)),
                       main=(v.Image(loaded.pixels, caption="The image being distorted", width=420),))


def _grid(pv: P.Preview) -> v.Image:
    return v.Image(pv.grid, caption=f"{pv.caption} ({pv.ms:.0f} ms)", output_format="JPEG")


def distortion_view(work: np.ndarray, step, seed: int, *, show_grid: bool = True) -> SectionView:
    """Nine samples of one distortion ``step`` with its settings (crop boxes, PCA components beside)."""
    pv = P.sample_preview(work, step, seed, show_grid=show_grid)
    if not isinstance(step, PCAColor):
        return SectionView(side=tuple(v.Image(img, caption=cap) for img, cap in pv.extras), main=(_grid(pv),))
    note = v.for_developers(v.Caption("Each component is scaled by √λ (the spread along p), as in the common "
                                      "Lighting implementation (fb.resnet.torch); the paper writes λ."))
    swatches = tuple(v.Image(img, caption=cap, width=240) for img, cap in pv.extras)
    table = (v.Text("**The image's RGB principal components** (pixel values in [0, 1]; AlexNet computed them over "
                    "the whole ImageNet training set):"),
             v.Table(tuple(pv.table), formats=PCA_FORMATS, index="component"))
    return SectionView(side=(note, *swatches), main=(_grid(pv),), below=table)


def fixed_colour_view(work: np.ndarray, fixed: tuple[int, int, int]) -> v.View:
    """The original beside the image with the ``fixed`` offsets and with the lecture's, in one row."""
    shown = P.color_shift_fixed(work, fixed)
    return v.View((v.Columns(tuple((v.Image(img, caption=cap),) for img, cap in shown)),))


def pipeline_view(work: np.ndarray, pipeline: Pipeline, seed: int) -> v.View:
    """A mini-batch through the whole pipeline, and the same pipeline in torchvision code."""
    pca = rgb_pca(from_uint8(work)) if any(isinstance(s, PCAColor) for s in pipeline.steps) else None
    return v.View((_grid(P.pipeline_batch(work, pipeline, seed)),
                   v.Text("The same pipeline with `torchvision.transforms.v2` (to copy into a training script):"),
                   v.Code(torchvision_code(pipeline, pca))))


def ten_crop_view(pixels: np.ndarray, size: int) -> v.View:
    """The image rescaled to AlexNet's short side of 256, its 10 crops of ``size`` and where they lie."""
    image = rescale_short_side(pixels)
    tc = P.ten_crop_pictures(image, size)
    return v.View((
        v.Columns(((v.Image(tc.original, caption=f"Crops 1–5 on the image ({image.shape[1]} × {image.shape[0]})"),),
                   (v.Image(tc.mirrored, caption="Crops 6–10 on its mirror image"),))),
        v.Image(tc.tiles, caption="The 10 crops: top-left, top-right, bottom-left, bottom-right, centre; "
                                  "then the same of the mirror image"),
    ))


def cost_view(forward: ForwardCost, crops: int, models: int) -> v.View:
    """What one prediction costs with ``crops`` crops and an ensemble of ``models`` networks."""
    rows = cost_rows(forward.macs, crops, models)
    table = tuple({"prediction": r.label, "forward passes": r.forward_passes,
                   "multiply-adds": format_macs(r.macs) + " MACs", "× one pass": r.times_one_pass} for r in rows)
    return v.View((
        v.Text(f"One forward pass of **{forward.name}** on a {shape_text(forward.input_size)} crop: "
               f"**{format_macs(forward.macs)} multiply-adds** (MACs; FLOPs = 2 × MACs). "
               "Every crop goes through every network:"),
        v.Table(table, formats={"× one pass": "%d ×"}),
        v.Figure(figures.cost_chart(rows), key="cost_chart"),
        v.Caption("Multi-crop and ensembles help in competitions and benchmarks; in production their "
                  f"{crops * models}× prediction cost is rarely worth it."),
    ), headline=f"{crops} crops × {models} networks = {crops * models} forward passes per image",
        figure="cost_chart")


def _settings_text(m: Measurement) -> str:
    steps = " → ".join(m.pipeline) or "no distortions"
    return (f"{m.images} images in batches of {m.batch_size}, a {m.step_ms:g} ms training step per batch, "
            f"pipeline {steps}")


def _runs_table(m: Measurement) -> v.Table:
    return v.Table(tuple({"workers": r.workers, "images / s": r.images_per_s, "ms per image": r.ms_per_image,
                          "start-up (s)": r.startup_s, "images": r.images, "step (ms/batch)": r.step_ms}
                         for r in m.results),
                   formats={"images / s": "%.1f", "ms per image": "%.1f", "start-up (s)": "%.2f"})


def _gain(m: Measurement) -> str:
    rates = m.rates()
    if 0 in rates and max(rates) > 0 and rates[0] > 0:
        most = max(rates)
        return f"{most} workers: **{rates[most] / rates[0]:.1f}×** the images per second of loading in the training loop"
    return ""


def _load_text(m: Measurement) -> str:
    return f"load average {m.load_before:.1f} on {m.cores} cores" if m.load_before == m.load_before else \
        f"{m.cores} cores, load not known"


def quiet_loader_view(stored: Measurement | None, images: int, batch_size: int, step_ms: float,
                      pipeline: Sequence[str]) -> v.View:
    """The stored measurement from a quiet machine (what the lecture means), with where and when it
    was made, and whether it used the settings above."""
    if stored is None:
        return v.View((v.Callout("info", "No measurement from a quiet machine is stored with the app; measure on "
                                         "this server below."),))
    when = stored.date[:10] or "an unknown date"
    blocks: list[v.Block] = [
        v.Text(f"**On a quiet machine** ({stored.processor or 'a CPU'}, {_load_text(stored)}, {when}): "
               f"{_settings_text(stored)}. {_gain(stored)}."),
        v.Figure(figures.throughput_chart(stored.results), key="dl_quiet_chart"),
    ]
    if not stored.same_settings(images, batch_size, step_ms, tuple(pipeline)):
        blocks.append(v.Caption("Measured with the default settings; yours differ — measure them on this server "
                                "below."))
    return v.View(tuple(blocks), headline=_gain(stored).replace("**", ""), figure="dl_quiet_chart")


def live_loader_view(live: Measurement | None, stored: Measurement | None = None) -> v.View:
    """A measurement on this server, now: the figures, the machine's load beside them, and a plain
    sentence when the load explains them."""
    if live is None:
        return v.View(())
    rates = live.rates()
    workers_helped = 0 in rates and max(rates.values()) > 1.1 * rates[0]
    if live.busy and not workers_helped:
        quiet = (f" On the quiet machine above the same demo gave {_gain(stored)}."
                 if stored is not None and _gain(stored) else "")
        verdict = v.Callout("warning", f"This server is busy: {live.load_before:.1f} processes were waiting for "
                                       f"its {live.cores} cores before the measurement began. The worker processes "
                                       "had to wait for the CPU too, so they could not load while the training "
                                       f"step ran — that is why more workers are not faster here.{quiet}")
    elif live.busy:
        verdict = v.Callout("info", f"This server is busy ({_load_text(live)}): workers helped, but less than "
                                    "they would on a quiet machine.")
    elif live.step_ms == 0:
        verdict = v.Callout("info", "With no training step to overlap, workers only add the cost of passing "
                                    "images between processes.")
    elif workers_helped:
        verdict = v.Callout("success", "As in the lecture: with workers, loading and distorting overlap the "
                                       f"training step. {_gain(live)}.")
    else:
        verdict = v.Callout("info", "Workers did not help here: loading is already faster than the training step, "
                                    "so there is little to overlap.")
    ideal = live.batch_size / (live.step_ms / 1000) if live.step_ms > 0 else None
    limit = (f"If loading were free, the training step alone would allow {ideal:.0f} images/s. "
             if ideal else "")
    return v.View((
        v.Columns(((v.Figure(figures.throughput_chart(live.results, "This server, now", colour=figures.GREY),
                             key="dl_live_chart"),),
                   (v.Metrics((v.Metric("Load average before", f"{live.load_before:.1f}", f"on {live.cores} cores",
                                        help="Processes running or waiting for a core, averaged over the last "
                                             "minute."),)),
                    v.Caption(f"{limit}{_settings_text(live)}."))), widths=(3, 1.2)),
        verdict,
    ), headline=verdict.text, figure="dl_live_chart")


def loader_developer_view(stored: Measurement | None, live: Measurement | None) -> v.View:
    """For developers: how the demo runs, the command that made the stored figures, every figure."""
    blocks: list[v.Block] = [v.Caption(SPAWN_NOTE),
                             v.Text(f"The quiet machine's figures are stored in `viz/assets/{STORED_PATH.name}`; "
                                    f"`{COMMAND}` measures and stores them again (run it on a quiet machine).")]
    for title, m in (("Stored (quiet machine)", stored), ("This server, now", live)):
        if m is not None:
            blocks += [v.Text(f"**{title}** — {m.date}, load {m.load_before:.2f} before and {m.load_after:.2f} "
                              f"after, {m.cores} cores, torch {m.torch_version}"), _runs_table(m)]
    return v.View((v.for_developers(*blocks),))
