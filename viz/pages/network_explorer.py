"""Network Explorer: pick a case-study network, see its shapes, channel growth and costs.

A thin page: it reads widgets (seeded from the URL, so a teacher can share a link), asks the
cached tracer for records, and lays out the sections :mod:`viz.explorer.view` builds from them.
"""

from __future__ import annotations

import time

import streamlit as st

from architectures import NETWORKS
from viz import presenter
from viz.compute import ServerBusy, run_heavy
from viz.explorer import state as xs
from viz.explorer import view as xv
from viz.explorer.details import details_view
from viz.explorer.numbers import network_totals
from viz.explorer.table import deepest_level
from viz.explorer.tracing import explorer_trace, receptive_fields
from viz.pages._app import write_page_link
from viz.pages._render import presenting, render
from viz.pages._session import alive_check
from viz.pages._widgets import option_widget
from viz.trace import TraceResult, trace_cost


def _heavy(fn, name: str, options: tuple, resolution: int):
    """``fn(name, options, input size)`` on the shared worker, or the message saying why that input can't run."""
    size = (NETWORKS[name].input_size[0], resolution, resolution)
    try:  # refused before it runs past the budget (its multiply-adds estimated from the shapes)
        return run_heavy(fn, name, dict(options), size, cost=trace_cost(name, dict(options), size),
                         key=(fn, name, options, resolution), alive=alive_check())
    except ValueError as error:
        return str(error)  # errors are cached too: a bad setting is not re-probed on every rerun


# Keyed by small hashable values (name, sorted options, resolution): every user asking for the same shares one.
@st.cache_data(max_entries=48, show_spinner=False)
def cached_trace(name: str, options: tuple, resolution: int) -> TraceResult | str:
    """The network's trace (with its side branches), or why that input can't run."""
    return _heavy(explorer_trace, name, options, resolution)


@st.cache_data(max_entries=48, show_spinner=False)
def cached_fields(name: str, options: tuple, resolution: int) -> dict | str:
    """Every layer's receptive field (one more real pass), or why not."""
    return _heavy(receptive_fields, name, options, resolution)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_totals(name: str) -> dict | str:
    """Parameters and multiply-adds of a network with its defaults (for Compare)."""
    result = cached_trace(name, (), xs.default_resolution(name))
    return result if isinstance(result, str) else network_totals(NETWORKS[name], result)


# The overview's figures, built once per setting and shared read-only (a plotly figure validates every
# shape: ~50 ms each, too slow for a warm rerun); st.plotly_chart copies a figure, nothing mutates these.
@st.cache_resource(max_entries=32, show_spinner=False)
def cached_figures(name: str, options: tuple, resolution: int, unit: str, level: str):
    result = cached_trace(name, options, resolution)
    return (xv.diagram_view(NETWORKS[name], result, dict(options), unit, level),
            xv.charts_view(NETWORKS[name], result, unit))


def unless_busy(cached, state: xs.ExplorerState):
    """``cached(network, options, resolution)``, or the busy server's message (never cached: it passes)."""
    try:
        return cached(state.network, xs.options_key(state.options), xs.resolution_of(state))
    except ServerBusy as busy:
        return str(busy)


def fields_of(state: xs.ExplorerState) -> dict | None:
    """The receptive fields for ``state``, or None (with the reason shown) if they can't be had now."""
    fields = unless_busy(cached_fields, state)
    if isinstance(fields, str):
        st.caption(f"Receptive fields unavailable: {fields}")
        return None
    return fields


def load_state() -> xs.ExplorerState:
    """The state to start this run from: a new or edited URL wins, else what this session last showed.
    The open tab is seeded through its widget key: the tabs keep one identity (a ``default=`` that
    followed the link gave them a new one after every switch, and the next click was lost)."""
    url = presenter.without_app_keys({k: st.query_params.get_all(k)[-1] for k in st.query_params})
    fresh = bool(url) and url != st.session_state.get("xp_written")
    link = url if fresh else dict(st.session_state.get("xp_written") or {})
    view = link.pop("view", "")
    state = xs.parse_state(link)
    put = st.session_state.__setitem__ if fresh else st.session_state.setdefault  # into the widgets' keys
    for key, value in {**xs.widget_values(state), "xp_tab": xs.tab_for_view(view)}.items():
        put(key, value)
    if fresh:
        st.session_state["xp_written"] = url
    return state


def sidebar(state: xs.ExplorerState) -> xs.ExplorerState:
    grouped = xs.networks_by_family()
    with st.sidebar:
        st.header("Network")
        family = st.radio("Family", list(grouped), key="xp_family",
                          format_func=lambda f: xs.FAMILY_TITLES.get(f, f),
                          help="The lecture meets them in this order.")
        names = grouped[family]
        key = f"xp_net_{family}"
        if st.session_state.get(key) not in names:
            st.session_state[key] = names[0]
        name = st.selectbox("Network", names, key=key, format_func=lambda n: NETWORKS[n].title)
        spec = NETWORKS[name]
        options = xs.changed_options(name, {opt.name: option_widget(opt, xs.option_widget_key(name, opt.name))
                                            for opt in spec.options})
        res_option = xs.resolution_option(name, options)
        if spec.resolution_from is None:
            resolution = option_widget(res_option, xs.resolution_widget_key(name, res_option.default))
        else:
            resolution = res_option.default  # set by the options above (MobileNet's resolution, EfficientNet's φ)
            st.caption(f"Input: {resolution} × {resolution}, set by the options above.")
        st.header("Display")
        unit = st.radio("Count cost as", xs.UNITS, key="xp_unit", horizontal=True, help=xv.UNIT_HELP)
        diagram = st.radio("Diagram shows", xs.DIAGRAM_LEVELS, key="xp_diagram", horizontal=True, help=xv.LEVEL_HELP)
    return xs.ExplorerState(network=name, options=options, unit=unit, table_depth=state.table_depth,
                            resolution=None if resolution == res_option.default else resolution,
                            diagram=diagram, compare=state.compare)



def overview(spec, result: TraceResult, state: xs.ExplorerState) -> None:
    render(xv.overview_view(spec, result, state).blocks)
    diagram, charts = cached_figures(state.network, xs.options_key(state.options), result.input_size[2],
                                     state.unit, state.diagram)
    render(diagram.blocks)
    box = xv.selected_box(st.session_state.get("xp_volume"), st.session_state.get("xp_volume_narrow"))
    if box:
        render(details_view(result, box, fields_of(state), state.unit).blocks)
    render(charts.blocks)
    render(xv.summary_view(spec).blocks)


def layer_table(spec, result: TraceResult, state: xs.ExplorerState) -> None:
    deepest = deepest_level(result)
    st.session_state["xp_rows"] = min(st.session_state.get("xp_rows", 1), deepest)
    state.table_depth = 0 if deepest == 0 else st.slider("Show layers down to depth", 0, deepest, key="xp_rows",
                                                         help=xv.ROWS_HELP)
    render(xv.layer_table_view(spec, result, state, fields_of(state)).blocks)


def compare(state: xs.ExplorerState) -> None:
    render(xv.COMPARE_INTRO.blocks)
    chosen = st.multiselect("Networks to compare", list(NETWORKS), key="xp_compare",
                            format_func=lambda n: NETWORKS[n].title)
    state.compare = tuple(chosen)
    with st.spinner("Tracing the networks (each once, then cached)…"):
        points, problems = xv.compare_points([*chosen, *({state.network} - set(chosen))], cached_totals)
    render(xv.compare_view(points, problems, state).blocks)



def main() -> None:
    started = time.perf_counter()
    if not NETWORKS:
        st.title("Network Explorer")
        st.info("The model zoo is empty: no networks to explore yet.")
        return
    state = load_state()
    render(xv.notices_view(state).blocks)
    state = sidebar(state)
    spec = NETWORKS[state.network]
    render(xv.title_view(spec, state).blocks)
    if not presenting():  # it points at the sidebar, which presenter mode hides
        render(xv.FIRST_STEP.blocks)

    tabs = st.tabs(xs.TABS, key="xp_tab", on_change="rerun")
    open_tab = next((label for label, tab in zip(xs.TABS, tabs) if tab.open), xs.TABS[0])

    result: TraceResult | str | None = None
    if open_tab != "Compare":
        with st.spinner(f"Tracing {spec.title}…"):
            result = unless_busy(cached_trace, state)
    with tabs[xs.TABS.index(open_tab)]:
        if open_tab == "Compare":
            compare(state)
        elif isinstance(result, str):
            render(xv.trace_error_view(result).blocks)
        elif open_tab == "Overview":
            overview(spec, result, state)
        elif open_tab == "Layer table":
            layer_table(spec, result, state)
        else:
            render(xv.published_view(spec, result, state).blocks)

    # Keep the link in step with what is on screen (defaults left out), and remember it
    # for this session so a page switch and back restores it.
    params = xs.link_params(state, open_tab)
    st.session_state["xp_written"] = dict(params)
    write_page_link(params)
    st.session_state["xp_last_run_ms"] = 1000 * (time.perf_counter() - started)


main()
