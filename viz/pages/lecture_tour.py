"""Lecture tour: the CNN case-studies lecture step by step, for a teacher to project and students to follow.

Thin page: the steps are data (:mod:`viz.tour.steps`); the page reads the step from the URL
(``?step=inception-bottleneck``; a bad value: a notice and the first step), draws Previous /
Next (also the ← / → keys) and the step list, the step's few controls (kept in the URL under
the labs' own keys), computes the step's live view on the shared worker and lays it out with
the link to the full page.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from viz.compute import OverBudget, ServerBusy, run_heavy
from viz.pages._app import app_link, share_button
from viz.pages._render import render
from viz.pages._session import alive_check
from viz.pages._widgets import check_shared_link, draw_controls
from viz.tour.steps import BY_ID, STEPS, neighbour
from viz.tour.view import read_step, step_label, step_page
from viz.view import View

_STEP = "tour_step"  # the step list's widget key: the step shown
_WRITTEN = "tour_written"  # the ?step= this session last wrote (a new one in the URL wins)
_NOTICES = "tour_link_notices"


@st.cache_resource(max_entries=128, show_spinner=False)
def _computed(step_id: str, settings: tuple[tuple[str, Any], ...]) -> View:
    """A step's live view on the shared worker, cached by step and settings; shared read-only
    (views are frozen, ``st.plotly_chart`` copies a figure)."""
    step, values = BY_ID[step_id], dict(settings)
    return run_heavy(step.live, values, cost=step.cost(values), key=("tour", step_id, settings), alive=alive_check())


def _go(offset: int) -> None:
    st.session_state[_STEP] = neighbour(st.session_state[_STEP], offset)


asked = st.query_params.get("step")
if _STEP not in st.session_state or asked != st.session_state.get(_WRITTEN):
    st.session_state[_STEP], notice = read_step(asked)
    st.session_state[_NOTICES] = (notice,) if notice else ()
    st.session_state[_WRITTEN] = asked

back, pick, forward = st.columns([1, 4, 1], vertical_alignment="bottom")
step = BY_ID[st.session_state[_STEP]]
back.button("Previous", key="tour_prev", icon=":material/arrow_back:", on_click=_go, args=(-1,),
            disabled=step.id == STEPS[0].id, shortcut="Left", width="stretch")
pick.selectbox("Lecture tour: the CNN case studies, step by step", list(BY_ID), key=_STEP, format_func=step_label)
forward.button("Next", key="tour_next", icon=":material/arrow_forward:", on_click=_go, args=(1,),
               disabled=step.id == STEPS[-1].id, shortcut="Right", type="primary", width="stretch")
step = BY_ID[st.session_state[_STEP]]

written = None if step.id == STEPS[0].id else step.id  # the first step is the default: not written
if st.query_params.get("step") != written:
    if written is None:
        del st.query_params["step"]
    else:
        st.query_params["step"] = written
st.session_state[_WRITTEN] = written

check_shared_link(step.controls, _NOTICES)
for notice in st.session_state.pop(_NOTICES, ()):
    st.warning(notice, icon=":material/link_off:")
share_button("tour_share_link", container=st.container(key="tour_share"), inline=True)  # this step's link and its QR code

intro = st.container(key="tour_intro")
values: dict[str, Any] = {}
for column, control in zip(st.columns(3) if step.controls else (), step.controls):  # at most two, a third wide each
    with column:
        values.update(draw_controls((control,)))
settings = step.settings(values)
try:
    with st.spinner("Computing this step…"):
        shown = _computed(step.id, tuple(sorted(settings.items())))
except (ServerBusy, OverBudget) as error:
    st.error(str(error))
    st.stop()
page = step_page(step, settings, shown)
with intro:
    render(page.intro)
    with st.container(key="tour_headline"):
        render(page.headline)
render(page.lead)
render(page.body)
st.link_button(page.link.label, app_link(page.link.href), icon=":material/open_in_new:")
st.caption(f"{page.progress} · ← / → or the buttons above move through the tour.")
