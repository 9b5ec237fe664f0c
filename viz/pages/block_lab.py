"""Block Lab: change a number in one of the lecture's blocks and see shapes and cost change.

Thin page: the lab registry (``viz.blocklab.view.LABS``) says which controls each lab has
and how they are laid out; the page checks a shared link's values against them before
any widget exists, draws the widgets, and renders the lab's view (computed on the shared
worker: the block built from architectures.blocks, a real forward pass, the lecture's
formulas). Every widget is bound to the URL under its short key, and the chosen lab lives
there too (``?lab=inception&i_r5on=false``), so a teacher can share a lab with its
settings; defaults stay out of the URL.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import streamlit as st

from viz.blocklab.view import DEFAULT_LAB, LABS, Section, lab_from_link
from viz.compute import OverBudget, ServerBusy, run_heavy
from viz.pages._render import presenting, render
from viz.pages._session import alive_check
from viz.pages._widgets import check_shared_link, draw_controls
from viz.view import View

_NOTICES = "block_lab_link_notices"  # what was wrong with a shared link, shown once


@st.cache_resource(max_entries=256, show_spinner=False)
def _computed(lab_id: str, index: int, settings: tuple[tuple[str, Any], ...]) -> tuple[View, str | None]:
    """A lab section's view and its button's label, on the shared worker (one heavy job at a time,
    refused before it runs past the budget, dropped if this session has gone), cached by lab,
    section and settings. Shared read-only, not copied: ``st.cache_data`` would
    unpickle the figures on every rerun, and a plotly figure validates itself again as it does
    (inception's cached rerun 25 -> 50 ms); views are frozen and ``st.plotly_chart`` copies a figure."""
    section, values = LABS[lab_id].sections[index], dict(settings)
    cost, key = section.cost(values), ("blocklab", lab_id, index, settings)
    view = run_heavy(section.view, values, cost=cost, key=key, alive=alive_check())
    offer = run_heavy(section.action.label, values, cost=cost, key=(*key, "offer"),
                      alive=alive_check()) if section.action else None
    return view, offer


def _show(lab_id: str, index: int, section: Section, values: dict[str, Any], lead: Any) -> None:
    """Render a section's lead (the lecture's point) into ``lead``, above the lab's controls, then its
    view, then its button (and the button's result when pressed)."""
    try:
        with st.spinner(section.busy) if section.busy else contextlib.nullcontext():
            view, offer = _computed(lab_id, index, tuple(sorted(values.items())))
    except (ServerBusy, OverBudget) as error:
        st.error(str(error))
        return
    with lead:
        render(view.lead)
    render(view.blocks)
    if offer and st.button(offer, key=section.action.key):
        try:
            with st.spinner(section.action.busy):
                render(run_heavy(section.action.run, values, cost=section.action.cost(values), alive=alive_check(),
                                 key=("blocklab action", lab_id, index, tuple(sorted(values.items())))).blocks)
        except (ServerBusy, OverBudget) as error:
            st.error(str(error))


_started = time.perf_counter()
st.title("Block Lab")
st.caption("Each lab builds the lecture's block from the same PyTorch classes the model zoo uses, runs a real "
           "forward pass, and counts parameters and multiply-adds (MACs: weight × input multiplications; "
           "FLOPs = 2 × MACs) — next to the lecture's formula.")
# The chosen lab is kept in the URL by its short id (?lab=inception), so a teacher can share it.
if st.session_state.get("lab") not in LABS:
    st.session_state["lab"], lab_notice = lab_from_link(st.query_params.get("lab"))
    st.session_state[_NOTICES] = (lab_notice,) if lab_notice else ()
lab = LABS[st.segmented_control("Lab", list(LABS), format_func=lambda k: LABS[k].title, key="lab", required=True,
                                label_visibility="collapsed") or DEFAULT_LAB]
st.query_params["lab"] = lab.id
check_shared_link(lab.controls, _NOTICES)
for notice in st.session_state.pop(_NOTICES, ()):
    st.warning(notice)
lead = st.container()  # the lecture's point first, filled once the controls' values are known
for index, section in enumerate(lab.sections):
    if section.heading:
        st.subheader(section.heading)
    if section.layout == "side" and not presenting():  # presenting: settings folded above, the figure full width
        left, right = st.columns(list(section.widths), gap="large")
        with left:
            values = draw_controls(section.controls, note=section.note)
        with right:
            _show(lab.id, index, section, values, lead)
    else:
        values = draw_controls(section.controls, layout="above", note=section.note)
        _show(lab.id, index, section, values, lead)
# This run's server time (script start to end), read by benchmarks/blocklab_bench.py.
st.session_state["blocklab_run_ms"] = (time.perf_counter() - _started) * 1000
