"""Augmentation Lab: the lecture's data-augmentation advice, live on a real photograph.

Thin page: widgets (declared in viz.augmentation.settings) → viz.augmentation.view (pure) →
viz.pages._render.render. The seed is in the URL (``?seed=3``): a teacher can share these samples.
"""

from __future__ import annotations

import streamlit as st

from viz import images
from viz.augmentation import distortions as D
from viz.augmentation import settings as S
from viz.augmentation import view as AV
from viz.augmentation.cost import ForwardCost, forward_cost
from viz.augmentation.loading import MeasurementFailed, compare_workers
from viz.augmentation.previews import PREVIEW_SIDE
from viz.compute import ServerBusy
from viz.formatting import user_value
from viz.pages._render import render
from viz.pages._session import alive_check

# ----------------------------------------------------------------- cached pure work


@st.cache_data(max_entries=1, show_spinner=False)
def default_image() -> images.LoadedImage:
    return images.load_default()


@st.cache_data(max_entries=16, show_spinner=False)
def load_upload(data: bytes, name: str, _alive=None) -> images.LoadedImage:
    return images.decode_upload(data, name, alive=_alive)  # on the bounded worker, within its memory budget


@st.cache_data(max_entries=8, show_spinner=False)
def working_copy(pixels, side: int):
    return images.fit_within(pixels, side)


@st.cache_data(max_entries=256, show_spinner=False)
def distortion(work, step, seed: int, show_grid: bool = True) -> AV.SectionView:
    return AV.distortion_view(work, step, seed, show_grid=show_grid)


@st.cache_data(max_entries=64, show_spinner=False)
def pipeline_samples(work, pipeline: D.Pipeline, seed: int):
    return AV.pipeline_view(work, pipeline, seed)


@st.cache_data(max_entries=16, show_spinner=False)
def ten_crop(pixels, size: int):
    return AV.ten_crop_view(pixels, size)


@st.cache_data(max_entries=64, show_spinner=False)
def network_cost(name: str, _alive=None) -> ForwardCost:
    return forward_cost(name, alive=_alive)


# ----------------------------------------------------------------- layout helpers


def draw(c: S.Control, where=st):
    """The widget for one declared setting; returns its value."""
    common = {"key": c.key, "help": c.help or None}
    if c.kind == "slider":
        return where.slider(c.label, c.minimum, c.maximum, c.default, c.step, **common)
    if c.kind == "select_slider":
        return where.select_slider(c.label, list(c.options), c.default, **common)
    if c.kind == "select":
        return where.selectbox(c.label, list(c.options), list(c.options).index(c.default),
                               format_func=lambda o: c.labels.get(o, str(o)), **common)
    if c.kind == "checkbox":
        return where.checkbox(c.label, c.default, **common)
    return where.multiselect(c.label, list(c.options), list(c.default), **common)


def heading(section: AV.Section) -> None:
    st.subheader(section.title)
    if section.blurb:
        st.caption(section.blurb)


def section(s: AV.Section):
    """A distortion's title, then its controls' column beside its samples' column."""
    heading(s)
    return st.columns([1, 2], gap="large")


def show(sv: AV.SectionView, ctrl, out) -> None:
    with ctrl:
        render(sv.side)
    with out:
        render(sv.main)
    render(sv.below)


# ----------------------------------------------------------------- page

st.title("Augmentation Lab")
st.caption(AV.INTRO)

if "seed" not in st.session_state:  # a shared link may carry ?seed=N; anything else starts at 0
    st.session_state.seed = S.seed_from_link(st.query_params.get("seed", 0))

# --- the image
left, right = st.columns([2, 3])
with left:
    upload = st.file_uploader("Your own image (optional)", type=list(images.ALLOWED_EXTENSIONS), key="upload",
                              help=AV.UPLOAD_HELP)
    loaded = default_image()
    if upload is not None:
        try:
            loaded = load_upload(upload.getvalue(), upload.name, alive_check())
        except images.ImageError as exc:
            st.error(f"{exc}\n\nShowing the default photograph instead.")
        except ServerBusy as exc:
            st.warning(f"{exc}\n\nShowing the default photograph meanwhile.")
    photo = AV.image_view(loaded)
    render(photo.side)
    c1, c2 = st.columns(2)
    if c1.button("New samples", icon=":material/casino:", help="Draw new random distortions (next seed)."):
        st.session_state.seed += 1
    seed = int(st.session_state.seed)
    st.query_params["seed"] = str(seed)
    c2.markdown(f"Seed **{seed}** — same seed, same samples.")
with right:
    render(photo.main)

work = working_copy(loaded.pixels, PREVIEW_SIDE)

tab_dist, tab_pipe, tab_test, tab_train = st.tabs(
    ["Distortions", "Pipeline", "Test time: 10-crop", "Distortions during training"])

with tab_dist:
    st.caption(AV.DISTORTIONS_INTRO)
    ctrl, out = section(AV.MIRRORING)
    mirror = D.Mirror(p=draw(S.MIRROR_P, ctrl))
    show(distortion(work, mirror, seed), ctrl, out)

    ctrl, out = section(AV.CROPPING)
    scale, ratio, size = (draw(c, ctrl) for c in (S.CROP_SCALE, S.CROP_RATIO, S.CROP_SIZE))
    crop = D.RandomResizedCrop(size=size, scale=tuple(scale), ratio=tuple(ratio))
    show(distortion(work, crop, seed), ctrl, out)

    ctrl, out = section(AV.ROTATION)
    rotation = D.Rotation(degrees=float(draw(S.ROT_DEG, ctrl)), padding=draw(S.ROT_PAD, ctrl))
    show(distortion(work, rotation, seed), ctrl, out)

    ctrl, out = section(AV.SHEARING)
    sx, sy, shear_pad = (draw(c, ctrl) for c in (S.SHEAR_X, S.SHEAR_Y, S.SHEAR_PAD))
    shear = D.Shear(x_degrees=float(sx), y_degrees=float(sy), padding=shear_pad)
    show(distortion(work, shear, seed), ctrl, out)

    ctrl, out = section(AV.WARPING)
    warp = D.Warp(strength=draw(S.WARP_STRENGTH, ctrl), smoothness=draw(S.WARP_SMOOTH, ctrl))
    show(distortion(work, warp, seed, draw(S.WARP_GRID, ctrl)), ctrl, out)

    ctrl, out = section(AV.COLOUR_SHIFTING)
    colour = D.ColorShift(max_offset=float(draw(S.COLOR_MAX, ctrl)))
    ctrl.markdown("**Fixed offsets** (compared below)")
    fixed = tuple(draw(c, ctrl) for c in S.COLOR_FIXED)
    show(distortion(work, colour, seed), ctrl, out)
    render(AV.fixed_colour_view(work, fixed).blocks)

    ctrl, out = section(AV.PCA_COLOUR)
    pca = D.PCAColor(sigma=draw(S.PCA_SIGMA, ctrl))
    show(distortion(work, pca, seed), ctrl, out)

with tab_pipe:
    heading(AV.PIPELINE)
    chosen = draw(S.PIPE_STEPS)
    pipeline = D.pipeline_of(chosen, (crop, mirror, rotation, shear, warp, colour, pca))
    render(pipeline_samples(work, pipeline, seed).blocks)

with tab_test:
    heading(AV.TEN_CROP)
    render(ten_crop(loaded.pixels, draw(S.TENCROP_SIZE)).blocks)

    heading(AV.PREDICTION_COST)
    c1, c2, c3 = st.columns(3)
    net, crops, models = draw(S.COST_NET, c1), draw(S.COST_CROPS, c2), draw(S.COST_MODELS, c3)
    try:
        forward = network_cost(net, alive_check())
    except ServerBusy as exc:
        st.warning(str(exc))
    except ValueError as exc:  # a zoo network that cannot be traced: say which and why
        st.error(f"Could not trace {user_value(net)}: {exc}")
    else:
        render(AV.cost_view(forward, crops, models).blocks)

with tab_train:
    heading(AV.LOADING)
    c1, c2, c3 = st.columns(3)
    n_images, batch_size, step_ms = draw(S.DL_IMAGES, c1), draw(S.DL_BATCH, c2), draw(S.DL_STEP, c3)
    st.caption(AV.SPAWN_NOTE)
    if st.button("Measure 0, 1 and 2 workers", icon=":material/speed:",
                 help="Takes several seconds: each configuration loads all the images once."):
        try:
            with st.spinner("Loading and distorting images…"):
                st.session_state.dl_results = compare_workers(work, pipeline, n_images, batch_size, step_ms, seed,
                                                              alive=alive_check())
        except ServerBusy as exc:
            st.warning(str(exc))
        except MeasurementFailed as exc:
            st.error(str(exc))
    render(AV.loader_view(st.session_state.get("dl_results")).blocks)
