"""Network Builder: design a CNN from the lecture's blocks, open an ONNX model, compare two networks.

Thin page. The design lives in the session and the link (``?d=…``, :mod:`viz.builder.codec`); each
committed edit of the table is a new design and a rerun, so the table shows the forward pass of what
it holds. What is shown comes from :mod:`viz.builder.view`, the settings from :mod:`viz.builder.settings`.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from viz.builder import codec
from viz.builder import settings as bs
from viz.builder import view as bv
from viz.builder.compare import Side
from viz.builder.design import Design, DesignResult, evaluate
from viz.builder.onnx_file import MAX_BYTES
from viz.builder.onnx_model import OnnxModel, open_onnx
from viz.builder.start import design_from_zoo
from viz.compute import Cost, ServerBusy, run_heavy
from viz.pages._render import draw_editor, render
from viz.pages._session import alive_check
from viz.pages._widgets import draw_controls
from viz.trace import TraceResult, trace_network

TABS = ("Build", "Open ONNX", "Compare")
_NOTICES = "nb_notices"


@st.cache_resource(max_entries=128, show_spinner=False)
def _evaluated(design: Design) -> DesignResult:
    """A design's forward pass on the shared worker, shared read-only between sessions. On the meta
    device a pass costs by rows, not by multiply-adds: the budget sees the input's pixels."""
    return run_heavy(evaluate, design, cost=Cost(pixels=design.input[1] * design.input[2]), key=("builder", design),
                     alive=alive_check())


@st.cache_resource(max_entries=32, show_spinner=False)
def _figures(design: Design, level: str):
    return bv.figures_view(_evaluated(design).result, design.name, level)


@st.cache_resource(max_entries=8, show_spinner=False)
def _opened(file_id: str, _upload, limit: int) -> OnnxModel | str:
    """An uploaded ONNX file opened on the shared worker, or why not. ``open_onnx`` measures the
    upload before reading it: an over-size file is refused unread."""
    try:
        return run_heavy(open_onnx, _upload, limit, key=("onnx", file_id), alive=alive_check())
    except ValueError as error:
        return str(error)


@st.cache_data(max_entries=32, show_spinner=False)
def _zoo(name: str) -> TraceResult:
    return run_heavy(trace_network, name, key=("zoo", name), alive=alive_check())  # a zoo default: within budget


def _notice(text: str) -> None:
    st.session_state[_NOTICES] = st.session_state.get(_NOTICES, ()) + (text,)


def _use(design: Design) -> None:
    """Make ``design`` the page's design: a fresh table, fresh input widgets showing its input."""
    st.session_state["nb_design"] = design
    st.session_state["nb_version"] = st.session_state.get("nb_version", 0) + 1


def current_design() -> Design:
    """The design of this run: a new or edited link's, else the session's (a bad link: a notice)."""
    link = st.query_params.get("d")
    if link and link != st.session_state.get("nb_link"):
        st.session_state["nb_link"] = link
        try:
            _use(codec.from_link(link))
        except ValueError as error:
            _notice(f"{error} The table was left as it was.")
    if "nb_design" not in st.session_state:
        _use(Design())
    return st.session_state["nb_design"]


def _load(uploaded) -> None:
    """A design file, loaded once (its id remembered)."""
    if uploaded is not None and uploaded.file_id != st.session_state.get("nb_file"):
        st.session_state["nb_file"] = uploaded.file_id
        try:
            _use(codec.from_json(uploaded.getvalue()))
        except ValueError as error:
            _notice(str(error))
        st.rerun()


def build_tab(design: Design) -> Design:
    top = st.columns([1.6, 0.7, 0.7, 0.7, 1.6], vertical_alignment="bottom")
    with top[0]:
        start = draw_controls((bs.START,), bind=None)["start"]
    if top[0].button("Start", icon=":material/restart_alt:", help=bs.START.option.help):
        _use(Design() if start == bs.EMPTY else design_from_zoo(start))
        st.rerun()
    size: list[int] = []
    for column, control in zip(top[1:4], bs.input_controls(design.input, st.session_state["nb_version"])):
        with column:
            size += draw_controls((control,), bind=None).values()
    with top[4]:
        _load(st.file_uploader("Load a design (.json)", type=["json"], key="nb_json"))
    if tuple(size) != design.input:
        design = st.session_state["nb_design"] = replace(design, input=tuple(size))
    try:
        with st.spinner("Running the forward pass…"):
            result = _evaluated(design)
    except ServerBusy as busy:
        st.error(str(busy))
        return design
    table = bv.editor(design, result, key=f"nb_rows_{st.session_state['nb_version']}")
    edited = draw_editor(table)
    if edited != [dict(row) for row in table.rows]:  # an edit: the new design, and a fresh table
        _use(bv.edited_design(design, edited) or design)
        st.rerun()
    st.caption(bv.design_caption(result))
    render(bv.problems_view(result).blocks)
    if result.result is not None:
        render(bv.totals_view(result.result).blocks)
        level = draw_controls((bs.DIAGRAM,), bind=None)["level"]
        render(_figures(design, level).blocks)
    render(bv.export_view(result).blocks)
    return design


def onnx_tab() -> None:
    render(bv.ONNX_INTRO.blocks)
    limit_mb = int(st.get_option("server.maxUploadSize"))
    uploaded = st.file_uploader(f"ONNX model (.onnx, at most {limit_mb} MB)", type=["onnx"], key="nb_onnx_file")
    if uploaded is None:
        return
    uploaded.seek(0)  # a rerun that opens it again reads it from the start
    try:
        with st.spinner("Reading the model…"):
            opened = _opened(uploaded.file_id, uploaded, min(limit_mb * 1024 * 1024, MAX_BYTES))
    except ServerBusy as busy:
        st.error(str(busy))
        return
    if isinstance(opened, str):
        st.error(opened, icon=":material/error:")
        return
    st.session_state["nb_onnx"] = Side(uploaded.name, opened.result, user_named=True)
    level = draw_controls((bs.DIAGRAM,), bind=None)["level"]
    render(bv.onnx_view(opened, uploaded.name, level).blocks)


def compare_tab(design: Design) -> None:
    sides = []
    for column, controls in zip(st.columns(2), (bs.COMPARE_A, bs.COMPARE_B)):
        with column:
            values = draw_controls(controls, bind=None)
            uploaded = st.file_uploader("Design file (.json)", type=["json"], key=f"{controls[0].key}_file") \
                if values["source"] == "file" else None
        sides.append(bv.compare_side(values["source"], values.get("network"), design, zoo=_zoo, evaluated=_evaluated,
                                     onnx=st.session_state.get("nb_onnx"),
                                     file=(uploaded.name, uploaded.getvalue()) if uploaded else None))
    level = draw_controls((bs.DIAGRAM,), bind=None)["level"]
    try:
        with st.spinner("Tracing both networks…"):
            render(bv.compare_view(*sides, level).blocks)
    except ServerBusy as busy:
        st.error(str(busy))


def _write_link(design: Design) -> None:
    """Keep the design in the link (the export view says when it is too large for one)."""
    link = st.session_state["nb_link"] = codec.link_of(design)
    if link and st.query_params.get("d") != link:
        st.query_params["d"] = link
    elif not link and "d" in st.query_params:
        del st.query_params["d"]


def main() -> None:
    started = time.perf_counter()
    st.title("Network Builder")
    st.caption("Stack the lecture's layers and blocks into a network and watch every shape, parameter and "
               "multiply-add change (MACs; FLOPs = 2 × MACs); open an ONNX model; compare two networks.")
    design = current_design()
    for notice in st.session_state.pop(_NOTICES, ()):
        st.warning(notice, icon=":material/warning:")
    tabs = st.tabs(TABS, key="nb_tab", on_change="rerun")
    open_tab = next((label for label, tab in zip(TABS, tabs) if tab.open), TABS[0])
    with tabs[TABS.index(open_tab)]:
        if open_tab == "Build":
            design = build_tab(design)
        elif open_tab == "Open ONNX":
            onnx_tab()
        else:
            compare_tab(design)
    _write_link(design)
    st.session_state["nb_run_ms"] = 1000 * (time.perf_counter() - started)  # read by benchmarks/builder_bench.py


main()
