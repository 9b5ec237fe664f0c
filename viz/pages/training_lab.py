"""Training Lab: why ResNets work, what transfer learning and ensembling buy — trained live.

Thin page: widgets (drawn from the ranges :mod:`viz.training.settings` declares) → settings → a
result (stored, cached, or trained here) → :mod:`viz.training.view`. A run takes up to a minute, so
it does not go through ``viz.compute.run_heavy`` (one minute-long job would freeze every page's
forward passes): it runs in this script's thread, stepping a generator that fills a progress bar and
the chart, inside ``training_slot()`` so only one run at a time uses the server's CPU (others get a
clear "busy" message and the stored results). Stop asks Streamlit for a rerun, which interrupts this
script at its next progress update; the generator is closed, the slot released, and the partial
result kept in ``st.session_state``. Finished runs go in a server-wide bounded cache keyed by
settings; the defaults' results are read from ``viz/assets/training/*.json``.
"""

from __future__ import annotations

import time

import streamlit as st

from architectures import NETWORKS
from viz.pages._render import render
from viz.pages._widgets import range_widget
from viz.training import freeze, store
from viz.training import settings as S
from viz.training import view as V
from viz.training.experiments import EXPERIMENTS
from viz.training.progress import TrainingBusy, training_slot


@st.cache_resource
def _results() -> store.ResultCache:
    """Finished runs, shared by every session of this server (bounded, least recently used)."""
    return store.ResultCache(max_entries=16)


@st.cache_data(max_entries=3, show_spinner=False)
def _stored(name: str):
    return store.load_stored(name)


@st.cache_data(max_entries=32, show_spinner="Tracing the network on the meta device…")
def _cut_points(network: str):
    return freeze.cut_points(network)


def _picks(columns, cls, keys: dict[str, str]) -> dict:
    """One widget per setting named in ``keys`` (setting → widget key), in ``columns``, from its range."""
    d = cls()
    return {name: range_widget(cls.range(name), getattr(d, name), key, container=c)
            for c, (name, key) in zip(columns, keys.items())}


def _settings(cls, **values):
    """Validated settings from the widgets' values, or None after saying what is wrong."""
    try:
        return cls(**values).validated()
    except ValueError as err:
        render(V.bad_settings(err).blocks)
        return None


def _available(name: str, settings):
    stored = _stored(name)
    if stored is not None and stored.settings == settings:
        return stored, "stored"
    cached = _results().get(name, settings)
    return (cached, "cached") if cached is not None else (None, "")


def _train_live(name: str, settings, curve: str):
    """Run experiment ``name`` here, filling the chart; returns the final result or None."""
    bar = st.progress(0.0, text="Starting…")
    stop_slot = st.empty()
    stop_slot.button("Stop", key=f"stop_{name}", icon=":material/stop_circle:",
                     help="Stop after the current step; the partial curves are kept.")
    live = st.empty()
    final = None
    try:
        with training_slot():
            events = EXPERIMENTS[name].run(settings)
            last, n = 0.0, 0
            t0 = time.perf_counter()
            try:
                for event in events:
                    # Kept if Stop (a rerun) interrupts the run here; replaced by the final result otherwise.
                    st.session_state[f"partial_{name}"] = (settings, event.result.as_stopped())
                    bar.progress(event.fraction, text=V.progress_text(event, time.perf_counter() - t0))
                    if event.done:
                        final = event.result
                    elif time.perf_counter() - last > 1.0:  # redraw at most once a second
                        n += 1
                        with live.container():
                            render(V.live_view(event.result, f"live{n}", curve).blocks)
                        last = time.perf_counter()
            finally:
                events.close()
    except TrainingBusy as busy:
        render(V.busy(busy).blocks)
        return None
    finally:
        stop_slot.empty()
    bar.empty()
    live.empty()
    if final is not None and not final.stopped:
        _results().put(name, settings, final)
        st.session_state.pop(f"partial_{name}", None)
    return final


def _section(name: str, settings, curve: str = "error") -> None:
    """The common flow: stored/cached → show; Train → run live; stopped → partial; else the defaults."""
    result, source = _available(name, settings)
    clicked = st.button("Train", key=f"train_{name}", type="primary", icon=":material/play_arrow:",
                        disabled=result is not None, help=V.train_help(name, result is not None))
    if result is None and clicked:
        result, source = _train_live(name, settings, curve), "live"
    if result is None:
        partial = st.session_state.get(f"partial_{name}")
        if partial is not None and partial[0] == settings:
            result, source = partial[1], "partial"
    if result is None:
        default = _stored(name)
        render(V.not_trained(name, default is not None).blocks)
        if default is None:
            return
        result, source = default, "stored"
    render(V.result_view(result, source, curve).blocks)


def depth_section() -> None:
    render(V.intro("depth").blocks)
    depths = S.DepthSettings.range("depths")
    c1, c2, *rest = st.columns([3, 2, 2, 2, 1])
    chosen = c1.multiselect(depths.label, depths.notches, S.DepthSettings().depths, key="depth_depths")
    widths = c2.selectbox(S.WIDTH.label, list(S.WIDTH_PRESETS), index=1, key="depth_widths")
    settings = _settings(S.DepthSettings, depths=tuple(chosen), widths=S.WIDTH_PRESETS[widths],
                         **_picks(rest, S.DepthSettings, {"steps": "depth_steps", "lr": "depth_lr",
                                                          "seed": "depth_seed"}))
    if settings is not None:
        curve = st.radio("Curve", list(V.CURVES), horizontal=True, key="depth_metric")
        _section("depth", settings, V.CURVES[curve])


def transfer_section() -> None:
    render(V.intro("transfer").blocks)
    keys = {"per_class": "tl_per_class", "steps": "tl_steps", "seed": "tl_seed"}
    settings = _settings(S.TransferSettings, **_picks(st.columns([3, 2, 1]), S.TransferSettings, keys))
    if settings is not None:
        _section("transfer", settings)
    st.divider()
    freeze_planner()


def freeze_planner() -> None:
    render(V.freeze_intro().blocks)
    names = list(NETWORKS)
    wanted = st.query_params.get("network", freeze.DEFAULT_NETWORK)
    if wanted not in names:
        render(V.unknown_in_link("network", wanted, names).blocks)
        wanted = names[0]
    c1, c2, c3 = st.columns([2, 3, 2])
    network = c1.selectbox("Network", names, index=names.index(wanted),
                           format_func=lambda n: NETWORKS[n].title, key="fp_network")
    if network != st.query_params.get("network"):
        st.query_params["network"] = network
    try:
        points, _ = _cut_points(network)
    except ValueError as err:  # a network the tracer cannot follow: say so, never a traceback
        render(V.freeze_error(err).blocks)
        return
    cut = c2.selectbox("Freeze up to and including", range(len(points)), index=freeze.default_cut(points),
                       key=f"fp_cut_{network}", format_func=lambda i: V.cut_label(points[i]))
    images = range_widget(freeze.IMAGES, freeze.DEFAULT_IMAGES, "fp_images", container=c3)
    render(V.freeze_view(network, points[cut].name, images).blocks)


def ensemble_section() -> None:
    render(V.intro("ensemble").blocks)
    keys = {"k": "ens_k", "train_size": "ens_n", "steps": "ens_steps", "seed": "ens_seed"}
    settings = _settings(S.EnsembleSettings, **_picks(st.columns([2, 2, 2, 1]), S.EnsembleSettings, keys))
    if settings is not None:
        _section("ensemble", settings)


SECTIONS = {"depth": depth_section, "transfer": transfer_section, "ensemble": ensemble_section}

st.title("Training Lab")
st.caption(V.PAGE_CAPTION)
requested = st.query_params.get("experiment", "depth")
if requested not in SECTIONS:
    render(V.unknown_in_link("experiment", requested, SECTIONS).blocks)
    requested = "depth"
section = st.segmented_control("Experiment", list(SECTIONS), format_func=V.TITLES.get, default=requested,
                               key="tl_section", label_visibility="collapsed") or requested
if st.query_params.get("experiment") != section:
    st.query_params["experiment"] = section
SECTIONS[section]()
