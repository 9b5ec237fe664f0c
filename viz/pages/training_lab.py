"""Training Lab: why ResNets work, what transfer learning and ensembling buy — trained live.

Thin page: widgets → settings → :mod:`viz.training` (pure) → :mod:`viz.training_charts`.

How training runs here, and why: a run takes up to a minute, so it does not go
through ``viz.compute.run_heavy`` (that single worker serves every page's
forward passes; a minute-long job would freeze them all). It runs in this
page's own script thread, stepping a generator and updating a progress bar and
the chart as it goes, guarded by ``training.training_slot()`` so only one run
at a time uses the server's CPU (others get a clear "busy" message and the
stored results). Stop: the Stop button asks Streamlit for a rerun, which
interrupts this script at its next progress update (Streamlit's fast reruns);
the generator is then closed, the slot released, and the partial curves kept
in ``st.session_state``. Finished runs go in a server-wide bounded cache keyed
by settings; the default settings' results are read from
``viz/assets/training/*.json`` (``python -m viz.training precompute``).
"""

from __future__ import annotations

import time

import streamlit as st

from architectures import NETWORKS
from architectures.resnet_cifar import DEPTHS
from viz import training as T
from viz import training_charts as C

SECTIONS = {"depth": "Plain vs ResNet", "transfer": "Transfer learning", "ensemble": "Ensembling"}
WIDTHS = {"4 / 8 / 16": (4, 8, 16), "8 / 16 / 32": (8, 16, 32), "16 / 32 / 64 (the paper's)": (16, 32, 64)}


@st.cache_resource
def _results() -> T.ResultCache:
    """Finished runs, shared by every session of this server (bounded, least recently used)."""
    return T.ResultCache(max_entries=16)


@st.cache_data(max_entries=3, show_spinner=False)
def _stored(experiment: str) -> dict | None:
    return T.load_stored(experiment)


@st.cache_data(max_entries=32, show_spinner="Tracing the network on the meta device…")
def _cut_points(network: str):
    return T.cut_points(network)


def _available(name: str, settings) -> tuple[dict | None, str]:
    stored = _stored(name)
    if stored is not None and stored.get("settings") == settings.to_dict():
        return stored, "stored"
    cached = _results().get(name, settings)
    if cached is not None:
        return cached, "cached"
    return None, ""


def _source_note(source: str, result: dict) -> None:
    if source == "stored":
        st.caption("Precomputed results for the default settings (`python -m viz.training precompute`) — "
                   "shown instantly. Change a setting and press Train to run your own.")
    elif source == "cached":
        st.caption("Results of an earlier run with these settings on this server (cached; not retrained).")
    elif source == "live":
        st.caption(f"Trained just now in {result.get('seconds', 0):.1f} s of compute.")


def _train_live(name: str, settings, draw) -> dict | None:
    """Run experiment ``name`` here, filling the chart; returns the finished result or None."""
    bar = st.progress(0.0, text="Starting…")
    stop_slot = st.empty()
    stop_slot.button("Stop", key=f"stop_{name}", icon=":material/stop_circle:",
                     help="Stop after the current step; the partial curves are kept.")
    live = st.empty()
    final = None
    try:
        with T.training_slot():
            events = T.RUNNERS[name](settings)
            last, n = 0.0, 0
            t0 = time.perf_counter()
            try:
                for event in events:
                    st.session_state[f"partial_{name}"] = (settings.to_dict(), event.result)
                    bar.progress(event.fraction,
                                 text=f"{event.stage}: step {event.step} of {event.total} "
                                      f"({time.perf_counter() - t0:.0f} s)")
                    if event.done:
                        final = event.result
                    elif time.perf_counter() - last > 1.0:  # redraw at most once a second
                        n += 1
                        with live.container():
                            draw(event.result, key=f"live{n}")
                        last = time.perf_counter()
            finally:
                events.close()
    except T.TrainingBusy as busy:
        st.warning(str(busy), icon=":material/hourglass_top:")
        return None
    finally:
        stop_slot.empty()
    bar.empty()
    live.empty()
    if final is not None and not final.get("stopped"):
        _results().put(name, settings, final)
        st.session_state.pop(f"partial_{name}", None)
    return final


def _section(name: str, settings, render, draw_live, est: str) -> None:
    """The common flow: stored/cached → show; Train → run live; stopped → partial; else the defaults."""
    result, source = _available(name, settings)
    clicked = st.button("Train", key=f"train_{name}", type="primary", icon=":material/play_arrow:",
                        disabled=result is not None,
                        help="Already computed for these settings" if result is not None else est)
    if result is None and clicked:
        result = _train_live(name, settings, draw_live)
        source = "live"
    if result is None:
        partial = st.session_state.get(f"partial_{name}")
        if partial is not None and partial[0] == settings.to_dict():
            result, source = partial[1], "partial"
            st.warning("Stopped before the end: these are the partial results. Press Train to run again.",
                       icon=":material/stop_circle:")
    if result is None:
        default = _stored(name)
        st.info(f"Not trained yet with these settings — press **Train** ({est}). "
                + ("Below: the stored run with the default settings." if default else ""),
                icon=":material/info:")
        if default is None:
            return
        result, source = default, "stored"
    elif result.get("stopped") and source != "partial":
        st.warning("This run was stopped before the end; partial results.")
    _source_note(source, result)
    render(result)


# --------------------------------------------------------------------------- plain vs residual


def depth_section() -> None:
    st.markdown(
        "He et al. (2016, §4.2, Fig. 6) trained *plain* networks — stacked 3×3 convolutions with batch "
        "norm — and the same networks with *shortcuts* (ResNets), at 20 to 110 layers. The deeper plain "
        "nets had **higher training error**: not overfitting, an optimisation problem. With "
        "shortcuts, deeper stayed better. Here: the same `6n + 2`-layer design on the digits, every "
        "net trained with the same SGD (momentum 0.9, weight decay 1e-4), learning rate, minibatches "
        "and seed, taking turns one step each."
    )
    c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 1])
    d = T.DepthSettings()
    depths = c1.multiselect("Depths (6n + 2 weighted layers)", DEPTHS, default=list(d.depths), key="depth_depths")
    widths = c2.selectbox("Filters per stage", list(WIDTHS), index=1, key="depth_widths")
    steps = c3.select_slider("Steps", [25, 50, 100, 200, 300, 500], value=d.steps, key="depth_steps")
    lr = c4.select_slider("Learning rate", [0.01, 0.02, 0.05, 0.1, 0.2], value=d.lr, key="depth_lr")
    seed = c5.number_input("Seed", 0, 9999, d.seed, key="depth_seed")
    try:
        settings = T.DepthSettings(depths=tuple(depths), widths=WIDTHS[widths], steps=steps,
                                   batch_size=d.batch_size, lr=lr, seed=int(seed)).validated()
    except ValueError as err:
        st.error(f"Can't train with these settings: {err}", icon=":material/error:")
        return
    metric = st.radio("Curve", ["training error", "training loss"], horizontal=True, key="depth_metric")
    m = "error" if metric == "training error" else "loss"

    def draw_live(result: dict, key: str) -> None:
        st.plotly_chart(C.depth_curves(result, m), key=f"depth_curves_{key}")

    def render(result: dict) -> None:
        shown, text = T.depth_verdict(result)
        (st.success if shown else st.info if result.get("stopped") else st.warning)(text)
        st.plotly_chart(C.depth_curves(result, m), key="depth_curves")
        left, right = st.columns([1, 1])
        with left:
            st.plotly_chart(C.depth_final(result), key="depth_final")
        with right:
            rows = [{
                "network": f"{'residual' if r['residual'] else 'plain'}-{r['depth']}",
                "parameters": r["params"],
                "training error": f"{T.final_error(r):.1%}",
                "test error": f"{r['test_error']:.1%}" if "test_error" in r else "–",
                "train time (s)": round(r["seconds"], 1),
            } for r in sorted(result["runs"], key=lambda r: (r["residual"], r["depth"]))]
            st.dataframe(rows, hide_index=True, key="depth_table")
            st.caption("Training error: whole training set (1,198 images) at the end, batch norm in "
                       "evaluation mode (a stopped run: mean of its last 20 minibatches). The residual nets have a few more parameters: the 1×1 "
                       "projections W_s where a stage changes size (the paper's option B). "
                       "Train times are this run's, on a possibly shared CPU.")

    _section("depth", settings, render, draw_live, "about a minute at the defaults on 2 cores")


# --------------------------------------------------------------------------- transfer learning


def transfer_section() -> None:
    d = T.TransferSettings()
    st.markdown(
        f"A {d.depth}-layer ResNet is pre-trained on the digits **0–4**; then it must learn **5–9** from a "
        "few labelled images per class, three ways: **from scratch** (random weights, all layers "
        "trained); **frozen backbone**: keep every pre-trained layer, train only a new softmax layer "
        "— on features *precomputed once* and reused at every step, the lecture's speed trick (timed "
        "against the same training with the frozen forward pass at every step); and **fine-tuning** "
        "the last stage and the softmax layer with a small learning rate."
    )
    c1, c2, c3 = st.columns([3, 2, 1])
    per_class = c1.slider("Labelled examples per class (5–9)", 1, 20, d.per_class, key="tl_per_class")
    steps = c2.select_slider("Steps per method", [25, 50, 100, 150, 300], value=d.steps, key="tl_steps")
    seed = c3.number_input("Seed", 0, 9999, d.seed, key="tl_seed")
    try:
        settings = T.TransferSettings(per_class=per_class, steps=steps, seed=int(seed)).validated()
    except ValueError as err:
        st.error(f"Can't train with these settings: {err}", icon=":material/error:")
        return

    def draw_live(result: dict, key: str) -> None:
        if result["methods"]:
            st.plotly_chart(C.transfer_bars(result), key=f"tl_bars_{key}")

    def render(result: dict) -> None:
        if not result["methods"]:
            st.warning("Stopped during pre-training: nothing to compare yet.")
            return
        st.success(T.transfer_verdict(result))
        st.plotly_chart(C.transfer_bars(result), key="tl_bars")
        m = result["methods"]
        cols = st.columns(4)
        pre = result.get("pretrain", {})
        cols[0].metric("Pre-training (once, 0–4)", f"{pre.get('seconds', 0):.1f} s",
                       f"{pre.get('source_test_accuracy', 0):.1%} test accuracy on 0–4", delta_color="off", delta_arrow="off")
        if "time_saved_seconds" in result:
            f, ff = m["frozen"], m["frozen_full"]
            cols[1].metric("Time saved by precomputing", f"{result['time_saved_seconds']:.2f} s",
                           f"{ff['seconds'] / max(f['seconds'], 1e-9):.0f}× faster", delta_color="off", delta_arrow="off")
            cols[2].metric("Same accuracy either way", f"{f['test_accuracy']:.1%}",
                           f"{ff['test_accuracy']:.1%} forward pass each step", delta_color="off", delta_arrow="off")
            cols[3].metric("Precomputed features", T.human_bytes(f["feature_bytes"]),
                           f"{result['n_train']} images × {f['feature_shape'][0]} values", delta_color="off", delta_arrow="off")
        st.plotly_chart(C.transfer_losses(result), key="tl_losses")
        rows = [{"method": v["label"], "test accuracy": f"{v['test_accuracy']:.1%}",
                 "trainable parameters": v["trainable_params"], "of": v["params"],
                 "wall time (s)": round(v["seconds"], 2)} for v in m.values()]
        st.dataframe(rows, hide_index=True, key="tl_table")
        st.caption(f"{result['n_train']} labelled training images, {result['n_test']} test images of 5–9. "
                   "Wall times: training only (the frozen method's includes computing the features); "
                   "pre-training is shared and not included. Measured on a shared CPU: times are noisy.")
        st.caption("Honest caveat: with so few labelled images the ranking of the three methods is fragile — "
                   "the same settings computed with a different number of CPU threads (tiny floating-point "
                   "differences) have put fine-tuning or training from scratch first, a few points apart. "
                   "Features learned from ~600 images of five other digits are not the general features an "
                   "ImageNet-trained network offers, which is the case the lecture's advice is about; the "
                   "speed of the precomputed-feature path, by contrast, holds every time. Try other seeds.")

    _section("transfer", settings, render, draw_live, "about half a minute at the defaults")
    st.divider()
    freeze_planner()


def freeze_planner() -> None:
    st.subheader("Freeze planner — any network of the zoo")
    st.markdown("Freeze a network up to a layer: those weights stay fixed, so their output for your "
                "training images can be **computed once and saved to disk**; only the layers after it train.")
    names = list(NETWORKS)
    wanted = st.query_params.get("network", "resnet18" if "resnet18" in names else names[0])
    if wanted not in names:
        st.error(f"Unknown network {wanted!r} in the link; choose one of: {', '.join(names)}.",
                 icon=":material/error:")
        wanted = names[0]
    c1, c2, c3 = st.columns([2, 3, 2])
    network = c1.selectbox("Network", names, index=names.index(wanted),
                           format_func=lambda n: NETWORKS[n].title, key="fp_network")
    if network != st.query_params.get("network"):
        st.query_params["network"] = network
    try:
        points, total = _cut_points(network)
    except Exception as err:  # a zoo network that cannot be traced: say so, never a traceback
        st.error(f"Could not trace {network}: {err}", icon=":material/error:")
        return
    conv_cuts = [i for i, p in enumerate(points) if len(p.output_shape) == 3 and "." not in p.name]
    default = conv_cuts[-1] if conv_cuts else len(points) - 1
    cut = c2.selectbox(
        "Freeze up to and including", range(len(points)), index=default, key=f"fp_cut_{network}",
        format_func=lambda i: f"{points[i].name} ({points[i].layer_type}) → {T.shape_text(points[i].output_shape)}",
    )
    n_images = c3.number_input("Images to precompute", min_value=1, max_value=10_000_000, value=10_000,
                               step=1000, key="fp_images")
    try:
        plan = T.freeze_plan(network, points[cut].name, int(n_images))
    except ValueError as err:
        st.error(str(err), icon=":material/error:")
        return
    cols = st.columns(4)
    cols[0].metric("Frozen parameters", f"{plan.frozen_params:,}", f"{plan.frozen_params / plan.total_params:.1%}",
                   delta_color="off", delta_arrow="off")
    cols[1].metric("Trainable parameters", f"{plan.trainable_params:,}",
                   f"{plan.trainable_params / plan.total_params:.1%}", delta_color="off", delta_arrow="off")
    cols[2].metric("Feature per image", T.shape_text(plan.feature_shape), f"{plan.feature_values:,} values",
                   delta_color="off", delta_arrow="off")
    cols[3].metric(f"Features for {plan.n_images:,} images", T.human_bytes(plan.feature_bytes), "float32",
                   delta_color="off", delta_arrow="off")
    st.plotly_chart(C.freeze_chart(plan.frozen_params, plan.trainable_params), key="fp_chart")


# --------------------------------------------------------------------------- ensembling


def ensemble_section() -> None:
    d = T.EnsembleSettings()
    st.markdown(
        f"Train **k** copies of an {d.depth}-layer ResNet on the same {d.train_size} training images, each "
        "from its own random seed (its own initial weights and minibatch order), then average their "
        "predicted probabilities. Each network's mistakes are partly its own, so the average is often "
        "right where some members are wrong — at **k times the prediction cost**."
    )
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    k = c1.slider("k (networks)", 1, 5, d.k, key="ens_k")
    train_size = c2.select_slider("Training images", [100, 200, 500, 1198], value=d.train_size, key="ens_n")
    steps = c3.select_slider("Steps per network", [50, 100, 150, 300], value=d.steps, key="ens_steps")
    seed = c4.number_input("First seed", 0, 9999, d.seed, key="ens_seed")
    try:
        settings = T.EnsembleSettings(k=k, train_size=train_size, steps=steps, seed=int(seed)).validated()
    except ValueError as err:
        st.error(f"Can't train with these settings: {err}", icon=":material/error:")
        return

    def draw_live(result: dict, key: str) -> None:
        if any("test_accuracy" in m for m in result["members"]):
            st.plotly_chart(C.ensemble_chart(result), key=f"ens_chart_{key}")

    def render(result: dict) -> None:
        st.success(T.ensemble_verdict(result))
        st.plotly_chart(C.ensemble_chart(result), key="ens_chart")
        if "macs_per_image" in result:
            n = len([m for m in result["members"] if "test_accuracy" in m])
            cols = st.columns(3)
            cols[0].metric("Multiply-adds per image, one network", f"{result['macs_per_image']:,}")
            cols[1].metric(f"… the ensemble of {n}", f"{result['ensemble_macs_per_image']:,}", f"× {n}",
                           delta_color="off", delta_arrow="off")
            cols[2].metric(f"Predicting {result['n_test']} test images", f"{result['predict_seconds_all'] * 1000:.0f} ms",
                           f"one network: {result['predict_seconds_one'] * 1000:.0f} ms", delta_color="off", delta_arrow="off")

    _section("ensemble", settings, render, draw_live, "about half a minute at the defaults")


# --------------------------------------------------------------------------- page

st.title("Training Lab")
st.caption("Small, real training runs on this server's CPU, on the 1,797 8×8 handwritten digits bundled with "
           "scikit-learn (LeNet-5's task) — nothing is downloaded. Same seed, same result.")
requested = st.query_params.get("experiment", "depth")
if requested not in SECTIONS:
    st.error(f"Unknown experiment {requested!r} in the link; choose one of: {', '.join(SECTIONS)}.",
             icon=":material/error:")
    requested = "depth"
section = st.segmented_control("Experiment", list(SECTIONS), format_func=SECTIONS.get, default=requested,
                               key="tl_section", label_visibility="collapsed") or requested
if st.query_params.get("experiment") != section:
    st.query_params["experiment"] = section
{"depth": depth_section, "transfer": transfer_section, "ensemble": ensemble_section}[section]()
