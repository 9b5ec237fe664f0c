"""Training Lab: why ResNets work; what transfer learning, augmentation, ensembling and multi-crop buy.

Thin page: every setting is a ``viz.controls.Control`` declared in :mod:`viz.training.settings`,
drawn bound to the URL (a shared link reproduces the run's settings, checked before any widget
exists) → settings → a result (stored, cached, or trained here) → :mod:`viz.training.view`. A run
takes up to a minute, so it does not go through ``viz.compute.run_heavy`` (its one worker would
make every page's forward passes wait behind it): it runs in this script's thread, stepping a
generator that fills a progress bar and the chart, inside ``training_slot()`` so only one run at a
time uses the server's CPU (a second gets a clear "busy" message at once, never a hang). Stop asks
Streamlit for a rerun, which interrupts this script at its next progress update; the generator is
closed, the slot released, and the partial result kept in ``st.session_state``. Finished runs go in
a server-wide bounded cache keyed by settings (a class pressing Train on the same settings shares
one result); the defaults' results are read from ``viz/assets/training/*.json``.
"""

from __future__ import annotations

import time

import streamlit as st

from viz.pages._render import render
from viz.pages._widgets import check_shared_link, draw_control, draw_controls
from viz.training import freeze, store
from viz.training import view as V
from viz.training.experiments import EXPERIMENTS
from viz.training.progress import TrainingBusy, training_slot

_NOTICES = "training_link_notices"  # what was wrong with a shared link, shown once


@st.cache_resource
def _results() -> store.ResultCache:
    """Finished runs, shared by every session of this server (bounded, least recently used)."""
    return store.ResultCache(max_entries=16)


@st.cache_data(max_entries=5, show_spinner=False)
def _stored(name: str):
    return store.load_stored(name)


@st.cache_data(max_entries=32, show_spinner="Tracing the network on the meta device…")
def _cut_points(network: str):
    return freeze.cut_points(network)


def _available(name: str, settings):
    stored = _stored(name)
    if stored is not None and stored.settings == settings:
        return stored, "stored"
    cached = _results().get(name, settings)
    return (cached, "cached") if cached is not None else (None, "")


def _train_live(name: str, settings):
    """Run experiment ``name`` here, filling the chart; returns the final result or None."""
    bar = st.progress(0.0, text="Starting…")
    stop_slot = st.empty()
    stop_slot.button("Stop", key=f"stop_{name}", icon=":material/stop_circle:",
                     help="Stop after the current step; the partial results are kept.")
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
                            render(V.live_view(event.result, f"live{n}").blocks)
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


def section(name: str) -> None:
    """Intro, settings (in the URL), then: stored/cached → show; Train → run live; stopped → partial."""
    render(V.intro(name).blocks)
    try:
        settings = V.settings_from(name, draw_controls(EXPERIMENTS[name].settings.CONTROLS, layout="above"))
    except ValueError as err:
        render(V.bad_settings(err).blocks)
        return
    result, source = _available(name, settings)
    clicked = st.button("Train", key=f"train_{name}", type="primary", icon=":material/play_arrow:",
                        disabled=result is not None, help=V.train_help(name, result is not None))
    if result is None and clicked:
        result, source = _train_live(name, settings), "live"
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
    render(V.result_view(result, source).blocks)


def freeze_planner() -> None:
    render(V.freeze_intro().blocks)
    c1, c2, c3 = st.columns([2, 3, 2])
    network = draw_control(freeze.NETWORK, c1)
    try:
        points, _ = _cut_points(network)
    except ValueError as err:  # a network the tracer cannot follow: say so, never a traceback
        render(V.freeze_error(err).blocks)
        return
    cut = freeze.cut_control(network, points)
    check_shared_link((cut,), _NOTICES)  # its choices are known only now: checked before its widget exists
    chosen = draw_control(cut, c2)
    images = draw_control(freeze.IMAGES, c3)
    render(V.freeze_view(network, chosen, images).blocks)


st.title("Training Lab")
st.caption(V.PAGE_CAPTION)
requested = st.query_params.get("experiment", "depth")
if requested not in EXPERIMENTS:
    render(V.unknown_in_link("experiment", requested, EXPERIMENTS).blocks)
    requested = "depth"
shown = st.segmented_control("Experiment", list(EXPERIMENTS), format_func=V.TITLES.get, default=requested,
                             key="tl_section", label_visibility="collapsed") or requested
if st.query_params.get("experiment") != shown:
    st.query_params["experiment"] = shown
check_shared_link(EXPERIMENTS[shown].settings.CONTROLS + (freeze.CONTROLS if shown == "transfer" else ()),
                  _NOTICES)
for notice in st.session_state.pop(_NOTICES, ()):
    st.warning(notice)
section(shown)
if shown == "transfer":
    st.divider()
    freeze_planner()
