"""Network Explorer: pick a case-study network, see its shapes, channel growth and costs.

A thin page: it reads widgets (seeded from the URL, so a teacher can share a
link), asks the cached tracer for records, and renders what :mod:`viz.explorer`
and :mod:`viz.charts` compute from them.
"""

from __future__ import annotations

import time

import streamlit as st

from architectures import NETWORKS
from viz import charts
from viz import explorer as ex
from viz.compute import ServerBusy, run_heavy
from viz.trace import TraceResult, trace_network

TABS = ("Overview", "Layer table", "Published figures & code", "Compare")
TAB_KEYS = {"Overview": "", "Layer table": "layers", "Published figures & code": "code", "Compare": "compare"}


# ------------------------------------------------------------------ cached computations


@st.cache_data(max_entries=48, show_spinner=False)
def cached_trace(name: str, options: tuple, resolution: int) -> TraceResult | str:
    """The network's trace, or the message saying why that input can't run.

    Keyed by small hashable values (name, sorted options, resolution) so every
    user asking for the same network shares one trace; errors are cached too, so
    a bad setting is not re-probed on every rerun.
    """
    spec = NETWORKS[name]
    size = (spec.input_size[0], resolution, resolution)
    try:
        return run_heavy(trace_network, name, dict(options), size)
    except ValueError as error:
        return str(error)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_totals(name: str) -> dict | str:
    """Parameters and multiply-adds of a network with its defaults (for Compare)."""
    spec = NETWORKS[name]
    resolution = ex.default_resolution(name)
    result = cached_trace(name, (), resolution)
    if isinstance(result, str):
        return result
    return dict(name=name, title=spec.title, family=spec.family, params=result.total_params,
                macs=result.total_macs, resolution=resolution)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_overview_figures(name: str, options: tuple, resolution: int, unit: str, level: str):
    """The overview's three figures, built once per setting and shared read-only
    (building a plotly figure validates every shape: ~50 ms each, too slow for a
    warm rerun). ``st.plotly_chart`` copies a figure; nothing mutates these."""
    result = cached_trace(name, options, resolution)
    spec = NETWORKS[name]
    residual = bool(dict(options).get("residual", True))
    stages = ex.group_records(result, 0)
    volume = charts.volume_diagram(ex.diagram_groups(result, level), result.input_size, residual=residual,
                                   unit=unit, title=f"{spec.title}: the volume after each {level[:-1]}")
    growth = charts.channel_growth(result.records, result.input_size, [g.name for g in stages])
    cost = charts.cost_by_stage(stages, unit)
    return volume, growth, cost


# ------------------------------------------------------------------ state <-> URL and widgets


def _seed(state: ex.ExplorerState, overwrite: bool) -> None:
    """Put ``state`` into the widgets' session-state keys (before they are drawn)."""
    put = st.session_state.__setitem__ if overwrite else st.session_state.setdefault
    spec = NETWORKS[state.network]
    put("xp_family", spec.family)
    put(f"xp_net_{spec.family}", state.network)
    for opt in spec.options:
        put(f"xp_opt_{state.network}_{opt.name}", state.options.get(opt.name, opt.default))
    if spec.resolution_from is None:
        default_res = ex.default_resolution(state.network, state.options)
        put(f"xp_res_{state.network}_{default_res}", state.resolution or default_res)
    put("xp_unit", state.unit)
    put("xp_rows", state.table_depth)
    put("xp_diagram", state.diagram)
    put("xp_compare", list(state.compare))


def load_state() -> tuple[ex.ExplorerState, str]:
    """The state to start this run from: a new or edited URL wins; otherwise what this
    session last showed (so leaving the page and coming back keeps it)."""
    url = {k: st.query_params.get_all(k)[-1] for k in st.query_params}
    view = url.pop("view", "")
    if url and url != st.session_state.get("xp_written"):
        state = ex.parse_state(url)
        _seed(state, overwrite=True)
        st.session_state["xp_written"] = url
        return state, view
    saved = st.session_state.get("xp_written") or {}
    state = ex.parse_state(saved)
    _seed(state, overwrite=False)
    return state, view


def sidebar(state: ex.ExplorerState) -> ex.ExplorerState:
    grouped = ex.networks_by_family()
    with st.sidebar:
        st.header("Network")
        family = st.radio("Family", list(grouped), key="xp_family",
                          format_func=lambda f: ex.FAMILY_TITLES.get(f, f),
                          help="The lecture meets them in this order.")
        names = grouped[family]
        key = f"xp_net_{family}"
        if st.session_state.get(key) not in names:
            st.session_state[key] = names[0]
        name = st.selectbox("Network", names, key=key, format_func=lambda n: NETWORKS[n].title)
        spec = NETWORKS[name]
        options = {}
        for opt in spec.options:
            wkey = f"xp_opt_{name}_{opt.name}"
            st.session_state.setdefault(wkey, opt.default)
            label = opt.label or opt.name
            if opt.kind == "choice":
                options[opt.name] = st.selectbox(label, list(opt.choices), key=wkey, help=opt.help or None)
            elif opt.kind == "bool":
                options[opt.name] = st.toggle(label, key=wkey, help=opt.help or None)
            elif opt.kind == "int":
                options[opt.name] = int(st.number_input(
                    label, min_value=int(opt.minimum), max_value=int(opt.maximum), step=int(opt.step or 1),
                    key=wkey, help=opt.help or None))
            else:
                options[opt.name] = float(st.slider(
                    label, min_value=float(opt.minimum), max_value=float(opt.maximum),
                    step=float(opt.step or 0.1), key=wkey, help=opt.help or None))
        options = {k: v for k, v in options.items() if v != spec.option(k).default}
        default_res = ex.default_resolution(name, options)
        if spec.resolution_from is None:
            rkey = f"xp_res_{name}_{default_res}"
            st.session_state.setdefault(rkey, default_res)
            resolution = int(st.number_input(
                "Input resolution (n_H = n_W)", min_value=ex.RESOLUTION_MIN, max_value=ex.RESOLUTION_MAX,
                step=1, key=rkey, help=f"Default: {default_res} × {default_res}. Smaller inputs shrink every "
                "feature map; too small and one collapses."))
        else:
            resolution = default_res  # set by the options above (MobileNet's resolution, EfficientNet's φ)
            st.caption(f"Input: {default_res} × {default_res}, set by the options above.")
        st.header("Display")
        unit = st.radio("Count cost as", ex.UNITS, key="xp_unit", horizontal=True,
                        help="FLOPs = 2 × MACs: a multiply-add is one multiplication and one addition.")
    return ex.ExplorerState(
        network=name, options=options, resolution=None if resolution == default_res else resolution,
        unit=unit, table_depth=state.table_depth, diagram=state.diagram, compare=state.compare,
    )


# ------------------------------------------------------------------ sections


def headline(spec, result: TraceResult, state: ex.ExplorerState) -> None:
    is_default = not state.options and state.resolution is None
    depth, layers, shortcuts = ex.weight_layers(result.records)
    cols = st.columns([1.35, 1, 0.8, 0.8])
    cols[0].metric("Parameters", f"{result.total_params:,}",
                   help="Counted from the module's own parameters (weights and biases, batch-norm scales).")
    cols[0].caption(ex.params_headline(result.total_params, spec, is_default))
    cols[1].metric("Multiply-adds" if state.unit == "MACs" else "FLOPs", ex.format_macs(result.total_macs, state.unit),
                   help=ex.UNIT_NOTE)
    per_image = f"per {result.input_size[2]} × {result.input_size[3]} image"
    if state.unit == "FLOPs":
        cols[1].caption(f"{2 * result.total_macs:,} = 2 × {result.total_macs:,} MACs {per_image}")
    else:
        cols[1].caption(f"{result.total_macs:,} multiply-adds {per_image}")
    cols[2].metric("Depth", f"{depth}", help="Weight layers (convolutions and fully connected) along the longest "
                   "path, as in 'VGG-16' or 'ResNet-50': parallel branches count once, projection shortcuts "
                   "and squeeze-excite not at all.")
    if layers != depth:
        extra = f", incl. {shortcuts} projection shortcut{'s' if shortcuts > 1 else ''}" if shortcuts else ""
        cols[2].caption(f"{layers} conv/FC layers in all{extra}")
    cols[3].metric("Output", ex.shape_label(result.output_shape))
    cols[3].caption(f"input {ex.shape_label(result.input_size)}")


def overview(spec, result: TraceResult, state: ex.ExplorerState) -> None:
    headline(spec, result, state)
    st.markdown(f"**What is new in {spec.title}.** {spec.summary}")
    st.caption(spec.paper)
    level = st.segmented_control("Diagram shows", ex.DIAGRAM_LEVELS, key="xp_diagram", required=True,
                                 help="stages: the network's top-level parts; blocks: each residual, inception "
                                 "or inverted-residual block")
    state.diagram = level or "stages"
    volume, growth, cost = cached_overview_figures(state.network, ex.options_key(state.options),
                                                   result.input_size[2], state.unit, state.diagram)
    st.plotly_chart(volume, key="xp_volume", config={"displayModeBar": False})
    st.plotly_chart(growth, key="xp_growth", config={"displayModeBar": False})
    st.plotly_chart(cost, key="xp_cost", config={"displayModeBar": False})


def layer_table(spec, result: TraceResult, state: ex.ExplorerState) -> None:
    deepest = min(ex.max_depth(result), ex.MAX_TABLE_DEPTH)
    if st.session_state.get("xp_rows", 1) > deepest:
        st.session_state["xp_rows"] = deepest
    if deepest > 0:
        state.table_depth = st.slider("Show layers down to depth", 0, deepest, key="xp_rows",
                                      help="0: the stages only; deeper levels open each stage into its blocks "
                                      "and layers.")
    else:
        state.table_depth = 0
    rows = ex.table_rows(result, state.table_depth, state.unit)
    st.dataframe(rows, hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 620),
                 column_config={"parameters": st.column_config.NumberColumn(format="localized"),
                                state.unit: st.column_config.NumberColumn(format="localized")})
    st.caption(f"{len(rows)} rows. Each row counts everything inside it; indented rows are the parts of "
               "the row above. Shapes are n_H × n_W × n_C; a fully connected output is a count.")
    suffix = "_".join(f"{k}-{v}" for k, v in sorted(state.options.items()))
    st.download_button("Download the table as CSV", ex.rows_to_csv(rows),
                       file_name=f"{spec.name}{'_' + suffix if suffix else ''}_{result.input_size[2]}px.csv",
                       mime="text/csv", icon=":material/download:")


def published_and_code(spec, result: TraceResult, state: ex.ExplorerState) -> None:
    st.subheader("Published figures")
    # A static table: its long source citations wrap instead of being cut off.
    st.table(ex.published_rows(spec, result.total_params, result.total_macs, state.unit))
    note = ex.published_note(spec)
    if note:
        st.markdown(f"**Why the numbers differ.** {note}")
    st.caption(ex.UNIT_NOTE)
    if state.options or state.resolution is not None:
        st.caption("Our row is for the options chosen in the sidebar; published figures are for the default.")
    st.subheader("The code")
    st.markdown(ex.pretrained_note(spec))
    path, source = ex.module_source(spec.name)
    with st.expander(f"{path}: the PyTorch source of {spec.title}", icon=":material/code:"):
        st.code(source, language="python", line_numbers=True)


def compare(state: ex.ExplorerState) -> None:
    st.markdown("Every network with its default options at its default resolution. "
                "Far right = most work per image; high up = most parameters.")
    chosen = st.multiselect("Networks to compare", list(NETWORKS), key="xp_compare",
                            format_func=lambda n: NETWORKS[n].title)
    state.compare = tuple(chosen)
    points, problems = [], []
    with st.spinner("Tracing the networks (each once, then cached)…"):
        for name in chosen:
            try:
                totals = cached_totals(name)
            except ServerBusy as busy:
                problems.append(str(busy))
                break
            if isinstance(totals, str):
                problems.append(totals)
            else:
                points.append(totals)
    for problem in problems:
        st.error(problem)
    if points:
        st.plotly_chart(charts.compare_networks(points, state.unit, highlight=state.network), key="xp_compare_chart",
                        config={"displayModeBar": False})
        st.dataframe(
            [{"network": p["title"], "input": f"{p['resolution']} × {p['resolution']}", "parameters": p["params"],
              state.unit: ex.macs_in(p["macs"], state.unit)} for p in points],
            hide_index=True, width="stretch",
            column_config={"parameters": st.column_config.NumberColumn(format="localized"),
                           state.unit: st.column_config.NumberColumn(format="localized")})
    elif not problems:
        st.info("Pick some networks to compare.")


# ------------------------------------------------------------------ the page


def main() -> None:
    started = time.perf_counter()
    st.title("Network Explorer")
    if not NETWORKS:
        st.info("The model zoo is empty: no networks to explore yet.")
        return
    state, view = load_state()
    for notice in state.notices:
        st.warning(notice, icon=":material/link_off:")
    state = sidebar(state)
    spec = NETWORKS[state.network]
    resolution = state.resolution or ex.default_resolution(state.network, state.options)
    st.markdown(f"### {spec.title} at {resolution} × {resolution} × {spec.input_size[0]}")

    tab_by_key = {v: k for k, v in TAB_KEYS.items()}
    tabs = st.tabs(TABS, key="xp_tab", on_change="rerun", default=tab_by_key.get(view, TABS[0]))
    open_tab = next((label for label, tab in zip(TABS, tabs) if tab.open), TABS[0])

    result: TraceResult | str | None = None
    if open_tab != "Compare":
        try:
            with st.spinner(f"Tracing {spec.title}…"):
                result = cached_trace(state.network, ex.options_key(state.options), resolution)
        except ServerBusy as busy:
            result = str(busy)
    sections = {"Overview": overview, "Layer table": layer_table, "Published figures & code": published_and_code}
    for label, tab in zip(TABS, tabs):
        if label != open_tab:
            continue
        with tab:
            if label == "Compare":
                compare(state)
            elif isinstance(result, str):
                st.error(f"{result}\n\nChange the input resolution or the options in the sidebar; the other "
                         "networks and the Compare tab still work.", icon=":material/error:")
            else:
                sections[label](spec, result, state)

    # Keep the link in step with what is on screen (defaults left out), and remember it
    # for this session so a page switch and back restores it.
    params = ex.state_to_params(state)
    st.session_state["xp_written"] = dict(params)
    if TAB_KEYS[open_tab]:
        params["view"] = TAB_KEYS[open_tab]
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    st.session_state["xp_last_run_ms"] = 1000 * (time.perf_counter() - started)


main()
