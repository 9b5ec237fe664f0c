"""Augmentation Lab: the lecture's data-augmentation advice, live on a real photograph.

Thin page: widgets (declared in viz.augmentation.settings) → viz.augmentation.view (pure) →
viz.pages._render.render. Every setting is kept in the URL (``?seed=3&rot_deg=45``), defaults left
out, and a shared link is checked against the settings before any widget exists: a teacher can
share these very samples.
"""

from __future__ import annotations

import streamlit as st

from viz import images
from viz.augmentation import distortions as D
from viz.augmentation import settings as S
from viz.augmentation import view as AV
from viz.augmentation.cost import ForwardCost, forward_cost
from viz.augmentation.loading import MeasurementFailed
from viz.augmentation.measured import Measurement, load_stored, measure
from viz.augmentation.previews import PREVIEW_SIDE
from viz.compute import ServerBusy
from viz.formatting import user_value
from viz.pages._render import render
from viz.pages._session import alive_check
from viz.pages._widgets import check_shared_link, draw_control, draw_controls

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


@st.cache_data(max_entries=64, show_spinner=False)
def network_cost(name: str, _alive=None) -> ForwardCost:
    return forward_cost(name, alive=_alive)


@st.cache_data(max_entries=16, show_spinner=False)
def ten_crop(pixels, size: int):
    return AV.ten_crop_view(pixels, size)


@st.cache_resource(show_spinner=False)
def stored_measurement() -> Measurement | None:
    return load_stored()


# ----------------------------------------------------------------- layout helpers


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

_NOTICES = "augmentation_link_notices"  # what was wrong with a shared link, shown once


def next_seed() -> None:
    st.session_state[S.SEED.key] = min(int(st.session_state.get(S.SEED.key, 0)) + 1, S.MAX_SEED)


check_shared_link(S.CONTROLS, _NOTICES)
st.title("Augmentation Lab")
st.caption(AV.INTRO)
for notice in st.session_state.pop(_NOTICES, ()):
    st.warning(notice)

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
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    seed = draw_control(S.SEED, c1)
    c2.button("New samples", icon=":material/casino:", help="Draw new random distortions (the next seed).",
              on_click=next_seed)
with right:
    render(photo.main)

work = working_copy(loaded.pixels, PREVIEW_SIDE)

tab_dist, tab_pipe, tab_test, tab_train = st.tabs(
    ["Distortions", "Pipeline", "Test time: 10-crop", "Distortions during training"])

with tab_dist:
    st.caption(AV.DISTORTIONS_INTRO)
    steps = {}
    for label, about in AV.DISTORTION_SECTIONS.items():
        ctrl, out = section(about)
        with ctrl:
            steps[label] = S.make_step(label, draw_controls(S.STEP_CONTROLS[label]))
            grid = draw_control(S.WARP_GRID) if label == D.Warp.label else True
            if label == D.ColorShift.label:
                st.markdown("**Fixed offsets** (compared below)")
                fixed = tuple(draw_control(c) for c in S.COLOR_FIXED)
        show(distortion(work, steps[label], seed, grid), ctrl, out)
        if label == D.ColorShift.label:
            render(AV.fixed_colour_view(work, fixed).blocks)

with tab_pipe:
    heading(AV.PIPELINE)
    chosen = draw_control(S.PIPE_STEPS)
    pipeline = D.pipeline_of(chosen, tuple(steps.values()))
    render(pipeline_samples(work, pipeline, seed).blocks)

with tab_test:
    heading(AV.TEN_CROP)
    render(ten_crop(loaded.pixels, draw_control(S.TENCROP_SIZE)).blocks)

    heading(AV.PREDICTION_COST)
    c1, c2, c3 = st.columns(3)
    net, crops, models = (draw_control(c, where) for c, where in ((S.COST_NET, c1), (S.COST_CROPS, c2),
                                                                   (S.COST_MODELS, c3)))
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
    live_slot = st.empty()  # filled below, once the sliders' values are known
    st.markdown("#### This server, now")
    c1, c2, c3 = st.columns(3)
    n_images, batch_size, step_ms = (draw_control(c, where) for c, where in ((S.DL_IMAGES, c1), (S.DL_BATCH, c2),
                                                                             (S.DL_STEP, c3)))
    stored = stored_measurement()
    with live_slot.container():
        render(AV.quiet_loader_view(stored, n_images, batch_size, step_ms, chosen).blocks)
    if st.button("Measure 0, 1 and 2 workers on this server", icon=":material/speed:",
                 help="Takes several seconds: each configuration loads all the images once."):
        try:
            with st.spinner("Loading and distorting images…"):
                st.session_state.dl_live = measure(work, pipeline, n_images, batch_size, step_ms, seed,
                                                  alive=alive_check())
        except ServerBusy as exc:
            st.warning(str(exc))
        except MeasurementFailed as exc:
            st.error(str(exc))
    render(AV.live_loader_view(st.session_state.get("dl_live"), stored).blocks)
    render(AV.loader_developer_view(stored, st.session_state.get("dl_live")).blocks)
