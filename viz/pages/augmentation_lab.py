"""Augmentation Lab: the lecture's data-augmentation advice, live on a real photograph.

Thin page: widgets → viz.augment_views / viz.augment / viz.dataloading (pure) → render.
The seed lives in the URL (``?seed=3``) so a teacher can share exactly these samples.
"""

from __future__ import annotations

import os

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from viz import augment as A
from viz import augment_views as V
from viz import images
from viz.compute import ServerBusy, run_heavy

PADDING_LABELS = {"zeros": "black", "border": "edge pixels", "reflection": "reflection"}


# ----------------------------------------------------------------- cached pure work

@st.cache_data(max_entries=1, show_spinner=False)
def default_image() -> images.LoadedImage:
    return images.load_default()


@st.cache_data(max_entries=16, show_spinner=False)
def load_upload(data: bytes, name: str) -> images.LoadedImage:
    return images.load_bytes(data, name)


@st.cache_data(max_entries=8, show_spinner=False)
def working_copy(pixels, side: int):
    return images.fit_within(pixels, side)


@st.cache_data(max_entries=256, show_spinner=False)
def preview(kind: str, work, seed: int, **params) -> V.Preview:
    return getattr(V, kind)(work, seed=seed, **params)


@st.cache_data(max_entries=64, show_spinner=False)
def network_macs(name: str) -> tuple[int, tuple[int, ...]]:
    """One forward pass's multiply-adds at the network's default input size (real trace, cached)."""
    from viz.trace import trace_network

    result = run_heavy(trace_network, name)
    return int(result.total_macs), tuple(result.input_size)


def zoo_names() -> list[str]:
    try:
        from architectures import NETWORKS
    except Exception:  # the zoo is optional for this page
        return []
    return list(NETWORKS)


# ----------------------------------------------------------------- page

st.title("Augmentation Lab")
st.caption(
    "The lecture's practical advice on data: distort training images (mirroring, random crops, rotation, "
    "shearing, local warping, colour shifts, AlexNet's PCA colour noise) so the network sees more variety, "
    "do it on the fly in a loading process while training, and average 10 crops at test time. "
    "Every picture below is computed live from the photograph with PyTorch."
)

if "seed" not in st.session_state:
    try:  # a shared link may carry ?seed=N; anything else starts at 0
        st.session_state.seed = min(abs(int(st.query_params.get("seed", 0))), 2**31 - 1)
    except ValueError:
        st.session_state.seed = 0

# --- the image
left, right = st.columns([2, 3])
with left:
    upload = st.file_uploader(
        "Your own image (optional)", type=list(images.ALLOWED_EXTENSIONS), key="upload",
        help=f"{images.ALLOWED}; up to {images.MAX_BYTES // 2**20} MB and {images.MAX_PIXELS // 10**6} megapixels. "
             f"Larger than {images.MAX_SIDE} pixels a side is downscaled.",
    )
    loaded = default_image()
    if upload is not None:
        try:
            loaded = load_upload(upload.getvalue(), upload.name)
        except images.ImageError as exc:
            st.error(f"{exc}\n\nShowing the default photograph instead.")
    for note in loaded.notes:
        st.info(note)
    is_default = loaded.name == images.DEFAULT_IMAGE.name
    st.caption(
        (f"Default photograph: {images.DEFAULT_CREDIT}." if is_default else f"Your image: “{loaded.name}”.")
        + f" {loaded.size[0]} × {loaded.size[1]} pixels; previews use a copy at most {V.PREVIEW_SIDE} pixels a side."
    )
    c1, c2 = st.columns(2)
    if c1.button("New samples", icon=":material/casino:", help="Draw new random distortions (next seed)."):
        st.session_state.seed += 1
    seed = int(st.session_state.seed)
    st.query_params["seed"] = str(seed)
    c2.markdown(f"Seed **{seed}** — same seed, same samples.")
with right:
    st.image(loaded.pixels, caption="The image being distorted", width=420)

work = working_copy(loaded.pixels, V.PREVIEW_SIDE)

tab_dist, tab_pipe, tab_test, tab_train = st.tabs(
    ["Distortions", "Pipeline", "Test time: 10-crop", "Distortions during training"])


def show(pv: V.Preview) -> None:
    st.image(pv.grid, caption=f"{pv.caption} ({pv.ms:.0f} ms)", output_format="JPEG", width="stretch")


def section(title: str, blurb: str):
    st.subheader(title)
    st.caption(blurb)
    return st.columns([1, 2], gap="large")


with tab_dist:
    st.caption("Each grid shows 9 random samples of one distortion, drawn with the seed above; "
               "“New samples” draws the next 9. The time under each grid is the distortion's own compute time.")
    # Mirroring
    ctrl, out = section("Mirroring", "Flip left ↔ right: a cat facing left is still a cat.")
    p = ctrl.slider("Probability of a flip", 0.0, 1.0, 0.5, 0.05, key="mirror_p")
    with out:
        show(preview("mirror", work, seed, p=p))

    # Random crop
    ctrl, out = section("Random cropping",
                        "A random box (its area a fraction of the image, its aspect ratio in a range) resized to "
                        "a fixed size — torchvision's RandomResizedCrop, after GoogLeNet.")
    scale = ctrl.slider("Area fraction of the image", 0.02, 1.0, (0.08, 1.0), 0.01, key="crop_scale")
    ratio = ctrl.slider("Aspect ratio w / h", 0.25, 4.0, (0.75, 1.33), 0.01, key="crop_ratio")
    size = ctrl.select_slider("Output size", [64, 96, 128, 160, 224], 224, key="crop_size")
    pv = preview("crop", work, seed, scale=scale, ratio=ratio, size=size)
    ctrl.image(pv.extras[0][0], caption=pv.extras[0][1], width="stretch")
    with out:
        show(pv)

    # Rotation
    ctrl, out = section("Rotation", "Turn the image by a random angle about its centre.")
    degrees = ctrl.slider("Largest angle (±degrees)", 0, 180, 20, key="rot_deg")
    rot_pad = ctrl.selectbox("Fill outside the image", list(PADDING_LABELS), format_func=PADDING_LABELS.get,
                             key="rot_pad")
    with out:
        show(preview("rotation", work, seed, max_degrees=float(degrees), padding=rot_pad))

    # Shear
    ctrl, out = section("Shearing", "Slant the image: x moves in proportion to y (and/or y to x).")
    sx = ctrl.slider("Largest horizontal shear (±degrees)", 0, 45, 15, key="shear_x")
    sy = ctrl.slider("Largest vertical shear (±degrees)", 0, 45, 0, key="shear_y")
    shear_pad = ctrl.selectbox("Fill outside the image", list(PADDING_LABELS), format_func=PADDING_LABELS.get,
                               key="shear_pad")
    with out:
        show(preview("shear", work, seed, max_x=float(sx), max_y=float(sy), padding=shear_pad))

    # Local warping
    ctrl, out = section("Local warping",
                        "A smooth random displacement field bends the image locally (elastic distortion, "
                        "Simard et al. 2003). The grid shows the bending.")
    strength = ctrl.slider("Strength (displacement std, pixels)", 0.0, 20.0, 6.0, 0.5, key="warp_strength")
    smooth = ctrl.slider("Smoothness (control-point spacing, fraction of the image)", 0.1, 1.0, 0.25, 0.05,
                         key="warp_smooth")
    grid = ctrl.checkbox("Draw the grid", True, key="warp_grid")
    with out:
        show(preview("warp", work, seed, strength=strength, smoothness=smooth, show_grid=grid))

    # Colour shift
    ctrl, out = section("Colour shifting",
                        "Add an offset to each of R, G and B (8-bit units, clipped to 0…255): "
                        "the lecture's example is +20, −20, +20.")
    max_off = ctrl.slider("Random offsets: largest (±)", 0, 80, 20, key="color_max")
    ctrl.markdown("**Fixed offsets** (compared below)")
    r = ctrl.slider("R offset", -80, 80, 20, key="color_r")
    g = ctrl.slider("G offset", -80, 80, -20, key="color_g")
    b = ctrl.slider("B offset", -80, 80, 20, key="color_b")
    with out:
        show(preview("color_shift_random", work, seed, max_offset=float(max_off)))
    fixed = V.color_shift_fixed(work, (r, g, b))
    cols = st.columns(len(fixed))
    for col, (img, cap) in zip(cols, fixed):
        col.image(img, caption=cap, width="stretch")

    # PCA colour
    ctrl, out = section("PCA colour augmentation (AlexNet)",
                        "Krizhevsky et al. 2012, §4.1: add α₁√λ₁·p₁ + α₂√λ₂·p₂ + α₃√λ₃·p₃ to every pixel, where p, λ "
                        "are the principal components of the RGB values and α ~ N(0, σ). The first component is "
                        "usually brightness; the others trade colours against each other.")
    sigma = ctrl.slider("σ of α (AlexNet: 0.1)", 0.0, 1.0, 0.1, 0.01, key="pca_sigma")
    ctrl.caption("Scale √λ (the spread along p), as in the common Lighting implementation; the paper writes λ.")
    with out:
        pv = preview("pca", work, seed, sigma=sigma)
        show(pv)
    ctrl.image(pv.extras[0][0], caption=pv.extras[0][1], width=240)
    st.markdown("**The image's RGB principal components** (pixel values in [0, 1]; AlexNet computed them over "
                "the whole ImageNet training set):")
    st.dataframe(pd.DataFrame(pv.table).set_index("component"), column_config={
        "eigenvalue λ": st.column_config.NumberColumn(format="%.5f"),
        "√λ (std)": st.column_config.NumberColumn(format="%.3f"),
        "R": st.column_config.NumberColumn(format="%.3f"), "G": st.column_config.NumberColumn(format="%.3f"),
        "B": st.column_config.NumberColumn(format="%.3f"),
        "share of variance": st.column_config.NumberColumn(format="percent")})

STEP_NAMES = {
    "random crop": A.RandomResizedCrop(size=size, scale=tuple(scale), ratio=tuple(ratio)),
    "mirroring": A.Mirror(p=p),
    "rotation": A.Rotation(degrees=float(degrees), padding=rot_pad),
    "shearing": A.Shear(x_degrees=float(sx), y_degrees=float(sy), padding=shear_pad),
    "local warping": A.Warp(strength=strength, smoothness=smooth),
    "colour shift": A.ColorShift(max_offset=float(max_off)),
    "PCA colour": A.PCAColor(sigma=sigma),
}

with tab_pipe:
    st.subheader("A training pipeline")
    st.caption("Distortions applied one after another, each with the parameters set in the Distortions tab. "
               "The order is the order you pick them in.")
    chosen = st.multiselect("Steps, in order", list(STEP_NAMES),
                            ["random crop", "mirroring", "colour shift", "PCA colour"], key="pipe_steps")
    pipeline = A.Pipeline(tuple(STEP_NAMES[n] for n in chosen))
    pv = preview("pipeline_batch", work, seed, pipeline=pipeline)
    show(pv)
    st.markdown("The same pipeline with `torchvision.transforms.v2` (to copy into a training script):")
    pca_here = A.rgb_pca(A.from_uint8(work)) if "PCA colour" in chosen else None
    st.code(A.torchvision_code(pipeline, pca_here), language="python")

with tab_test:
    st.subheader("10-crop at test time")
    st.caption("AlexNet (Krizhevsky et al. 2012, §4.1) rescales the image so its shorter side is 256, then "
               "averages the network's predictions over 10 crops: the centre and four corners, and the same of "
               "the mirror image.")
    test_img = V.rescale_short_side(loaded.pixels)
    crop_size = st.slider("Crop size", 64, V.TEST_SHORT_SIDE, 224, 8, key="tencrop_size")
    tc = V.ten_crop_view(test_img, crop_size)
    c1, c2 = st.columns(2)
    c1.image(tc.original, caption=f"Crops 1–5 on the image ({test_img.shape[1]} × {test_img.shape[0]})",
             width="stretch")
    c2.image(tc.mirrored, caption="Crops 6–10 on its mirror image", width="stretch")
    st.image(tc.tiles, caption="The 10 crops: top-left, top-right, bottom-left, bottom-right, centre; "
                               "then the same of the mirror image", width="stretch")

    st.subheader("What multi-crop and ensembling cost at prediction time")
    names = zoo_names()
    if not names:
        st.info("The model zoo is not available yet, so costs cannot be computed.")
    else:
        c1, c2, c3 = st.columns(3)
        default = names.index("alexnet") if "alexnet" in names else 0
        net = c1.selectbox("Network", names, index=default, key="cost_net")
        crops = c2.select_slider("Crops per image", [1, 2, 5, 10, 144], 10, key="cost_crops",
                                 help="10: AlexNet's 10-crop. 144: GoogLeNet's most aggressive setting "
                                      "(Szegedy et al. 2015, §7).")
        models = c3.slider("Networks in the ensemble", 3, 15, 7, key="cost_models",
                           help="GoogLeNet's ILSVRC 2014 entry averaged 7 networks (Szegedy et al. 2015, §7).")
        try:
            macs, input_size = network_macs(net)
        except ServerBusy as exc:
            st.warning(str(exc))
        except Exception as exc:  # a zoo network that cannot be traced must not break the page
            st.error(f"Could not trace {net}: {exc}")
        else:
            rows = V.cost_rows(macs, crops, models)
            st.markdown(f"One forward pass of **{net}** on a {input_size[-2]} × {input_size[-1]} × "
                        f"{input_size[-3]} crop: **{V.format_macs(macs)} multiply-adds** "
                        f"(MACs; FLOPs = 2 × MACs). Every crop goes through every network:")
            table = pd.DataFrame([{**r, "multiply-adds": V.format_macs(r["multiply-adds"]) + " MACs"}
                                  for r in rows])
            st.dataframe(table, hide_index=True, column_config={
                "× one pass": st.column_config.NumberColumn(format="%d ×")})
            fig = go.Figure(go.Bar(x=[r["prediction"] for r in rows], y=[r["multiply-adds"] for r in rows],
                                   text=[V.format_macs(r["multiply-adds"]) for r in rows], textposition="outside"))
            fig.update_layout(yaxis_title="multiply-adds per image", yaxis_type="log", height=340,
                              margin=dict(t=20, b=20))
            st.plotly_chart(fig, key="cost_chart")
            st.caption("Multi-crop and ensembles help in competitions and benchmarks; in production their "
                       f"{crops * models}× prediction cost is rarely worth it.")

with tab_train:
    st.subheader("Distortions during training")
    st.caption(
        "In the lecture, a CPU thread loads images and distorts them while the training step runs on the GPU. "
        "Here a real torch.utils.data.DataLoader decodes a JPEG and applies the pipeline from the Pipeline tab "
        "to each image, in 0, 1 or 2 worker processes; a pause per batch stands in for the GPU's training step "
        "(the CPU is idle meanwhile — that is the time the workers use)."
    )
    c1, c2, c3 = st.columns(3)
    n_images = c1.select_slider("Images", [32, 48, 64, 96, 128], 48, key="dl_images")
    batch_size = c2.select_slider("Batch size", [4, 8, 16], 8, key="dl_batch")
    step_ms = c3.slider("Simulated training step (ms per batch)", 0, 200, 60, 10, key="dl_step")
    st.caption("Workers are started with 'spawn', not 'fork': this server is multi-threaded, and a forked child "
               "can inherit a lock another thread held and hang. Spawning costs a second or two per worker, "
               "reported separately as start-up.")
    if st.button("Measure 0, 1 and 2 workers", icon=":material/speed:",
                 help="Takes several seconds: each configuration loads all the images once."):
        from viz import dataloading as D

        jpeg = D.encode_jpeg(work)
        results = []
        try:
            with st.spinner("Loading and distorting images…"):
                for workers in (0, 1, 2):
                    results.append(run_heavy(D.measure_throughput, jpeg, pipeline, workers, n_images,
                                             batch_size, float(step_ms), seed))
            st.session_state.dl_results = results
        except ServerBusy as exc:
            st.warning(str(exc))
        except Exception as exc:  # e.g. a worker process that could not start
            st.error(f"The measurement failed: {exc}")
    results = st.session_state.get("dl_results")
    if results:
        df = pd.DataFrame([{"workers": r.workers, "images / s": r.images_per_s, "ms per image": r.ms_per_image,
                            "start-up (s)": r.startup_s, "images": r.images, "step (ms/batch)": r.step_ms}
                           for r in results])
        st.dataframe(df, hide_index=True, column_config={
            "images / s": st.column_config.NumberColumn(format="%.1f"),
            "ms per image": st.column_config.NumberColumn(format="%.1f"),
            "start-up (s)": st.column_config.NumberColumn(format="%.2f")})
        fig = go.Figure(go.Bar(x=[f"{r.workers} workers" for r in results], y=[r.images_per_s for r in results],
                               text=[f"{r.images_per_s:.0f}/s" for r in results], textposition="outside"))
        fig.update_layout(yaxis_title="images per second (after start-up)", height=320, margin=dict(t=20, b=20))
        st.plotly_chart(fig, key="dl_chart")
        notes = []
        if results[0].step_ms > 0:
            ideal = results[0].batch_size / (results[0].step_ms / 1000)
            notes.append(f"If loading were free, the training step alone would allow {ideal:.0f} images/s. "
                         "With 0 workers, loading and training take turns; with workers they overlap.")
        load = max(r.load_average for r in results)
        cores = os.cpu_count() or 1
        if load == load:  # not NaN
            notes.append(f"Machine load during the measurement: {load:.1f} runnable processes on {cores} cores"
                         + (" — other work was competing for the CPU, so worker processes got only a share "
                            "of it and the figures say more about the server than about loading."
                            if load > cores else "."))
        st.caption(" ".join(notes))
    else:
        st.info("Press the button to measure (it takes several seconds).")
