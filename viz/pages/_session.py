"""The running page's browser session, as the shared worker needs it (not a page).

:func:`viz.compute.run_heavy` drops queued work whose sessions have all gone; it asks
a cheap callable whether the session still wants the answer. ``viz`` never imports
Streamlit, so the pages build that callable here, from Streamlit's runtime (see the
docstring of :mod:`viz.compute`).
"""

from __future__ import annotations

from collections.abc import Callable

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx


def alive_check() -> Callable[[], bool] | None:
    """True while this run's browser session is connected; None outside a served session.

    ``Runtime.is_active_session`` is a dictionary look-up that turns false when the
    browser's websocket has closed (Streamlit's upload handler makes the same check).
    Without a runtime (``AppTest``, bare mode) there is nothing to ask: None, and the
    worker treats the work as wanted.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id

    def alive() -> bool:
        return runtime.is_active_session(session_id)

    return alive
