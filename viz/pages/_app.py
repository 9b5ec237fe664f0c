"""Presenter mode and Share on every page (issue 16): the Streamlit side of :mod:`viz.presenter`
and :mod:`viz.share`, which decide (no Streamlit there).

Not a page: app.py calls :func:`app_controls` before every page runs; a page may draw an
inline :func:`share_button`, keep the mode in a link (:func:`app_link`) or rewrite its own
link keeping the app-wide keys (:func:`write_page_link`). The session's mode itself is read by
``viz.pages._render.presenting`` (rendering asks it: charts enlarged, developer detail left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from viz import presenter, share
from viz.pages._render import presenting, render

_PAGE_PATH = "app_page_path"  # the running page's URL path (a link's fallback when the browser sent no URL)



def _set_presenting(on: bool) -> None:
    st.session_state[presenter.SESSION_KEY] = on
    if on:
        if st.query_params.get(presenter.KEY) != presenter.ON:
            st.query_params[presenter.KEY] = presenter.ON
    elif presenter.KEY in st.query_params:
        del st.query_params[presenter.KEY]


def _toggled() -> None:
    _set_presenting(bool(st.session_state.get("app_present_toggle")))


def app_controls(page: Any, pages: Sequence[Any] = ()) -> presenter.Presenter:
    """Presenter mode and the Share button on every page: app.py's one call, before ``page``
    (``st.navigation``'s) runs.

    Reads ``?present=`` (else keeps the session's mode), puts it back in the URL, adds the
    mode's style sheet, shows a bad value's notice, and draws the switch and Share — in the
    sidebar, or while presenting in a small bar at the bottom right with a menu of ``pages``
    (the sidebar and its navigation are hidden; a page switch keeps the mode).
    """
    st.session_state[_PAGE_PATH] = page.url_path
    values = st.query_params.get_all(presenter.KEY)
    mode = presenter.decide(values[-1] if values else None, presenting())
    _set_presenting(mode.on)
    if mode.on:
        st.html(presenter.css(True))
        with st.container(key=presenter.BAR_KEY, horizontal=True, width="content", gap="small"):
            if pages:
                with st.popover("Pages", icon=":material/menu:"):
                    for other in pages:
                        st.page_link(other)
            share_button("app_share_presenting")
            st.button("Exit", key="app_present_exit", icon=":material/close_fullscreen:", on_click=_set_presenting,
                      args=(False,), help="Leave presenter mode: the sidebar and the toolbar come back.")
    else:
        st.session_state["app_present_toggle"] = False  # the switch shows the mode (it was hidden while on)
        with st.sidebar.container(horizontal=True, vertical_alignment="center"):
            st.toggle("Presenter mode", key="app_present_toggle", on_change=_toggled, help=presenter.OPTION.help)
            share_button("app_share")
    for notice in mode.notices:
        st.warning(notice)
    return mode


def current_link() -> str:
    """This page's full link with every setting in the URL (presenter mode left out).

    The address is ``st.context.url`` — what the browser shows, sent by Streamlit's frontend —
    and without it the request's ``Host`` header (:func:`viz.share.base_url`)."""
    headers = st.context.headers
    base = share.base_url(st.context.url, headers.get("Host"), st.session_state.get(_PAGE_PATH, ""),
                          scheme=headers.get("X-Forwarded-Proto") or "http")
    return share.page_link(base, [(k, value) for k in st.query_params for value in st.query_params.get_all(k)])


@st.dialog("Share this page", width="medium")
def _share_dialog(link: str) -> None:
    render(share.share_view(link).blocks)


def share_button(key: str = "share", container: Any = st, *, inline: bool = False) -> None:
    """A "Share" button; pressed, a dialog with this page's link and its QR code (big enough
    to scan off a projector). A page's own (``inline``, e.g. beside a tour step) is left out
    while presenting: the presenter bar has one."""
    if inline and presenting():
        return
    if container.button("Share", key=key, icon=":material/qr_code_2:",
                        help="This page's link with its settings, and a QR code of it for a class to scan."):
        _share_dialog(current_link())


def app_link(href: str) -> str:
    """``href`` (a link into the app) keeping presenter mode while it is on (a new tab has no session to
    remember it)."""
    return presenter.with_mode(href, presenting())


def write_page_link(params: dict[str, str]) -> None:
    """Make the URL ``params`` (a page's own link, defaults left out), keeping the app-wide
    keys (``?present=1``) that app.py keeps on every page."""
    wanted = presenter.page_params(params, st.query_params)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
