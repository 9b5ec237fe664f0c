"""One shared, bounded worker for heavy work (forward passes, image decoding).

Every widget change reruns a page in a new thread; with a classroom of 30 users on a
2-core machine, running each forward pass in its caller's thread would oversubscribe
the cores. Heavy work goes through this single worker instead, and :func:`run_heavy`
guards it four ways (issue 12):

* **Budget** — a request whose estimated cost (``Cost``: multiply-adds, pixels) is past
  :data:`MAX_MACS` / :data:`MAX_PIXELS` is refused *before* it runs, with
  :class:`OverBudget` (a ``ValueError``) whose message names the budget and what to
  change. Estimate from the shapes: a network's MACs grow with the input's area, so
  ``scaled_macs(macs_at_default, default_res, res)``; :func:`largest_resolution` says
  what would fit.
* **Coalescing** — identical requests (same function and arguments, or the same
  ``key``) share one computation: 30 students opening the same link queue one trace,
  and every waiter gets its result (or its exception).
* **Gone sessions** — a caller passes ``alive``, a cheap callable saying whether its
  session still wants the answer; queued work whose waiters are all gone is dropped
  when its turn comes instead of burning a core for nobody.
* **Busy** — when :data:`MAX_WAITING` computations are already queued, or the answer
  has not come within ``wait_seconds``, the caller gets :class:`ServerBusy`, a message
  to show as is.

How a page gets ``alive`` (``viz`` never imports Streamlit; the page does)::

    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    session_id = get_script_run_ctx().session_id
    alive = lambda: Runtime.instance().is_active_session(session_id)

(``Runtime.is_active_session`` is a dictionary look-up; it turns false when the
browser's websocket has closed — Streamlit's upload handler uses the same check.)
The pages share this as ``viz.pages._session.alive_check()``.

A page caching a heavy call with ``st.cache_data`` / ``st.cache_resource`` passes the
liveness check as an underscore argument (``_alive``: left out of the cache key), so
every session asking for the same result shares one cache entry; Streamlit lets one
caller compute a missing entry while the others wait, and if that caller's session
has gone (:class:`SessionGone`) nothing is cached and the next one computes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch

from viz.formatting import approx

T = TypeVar("T")

MAX_WAITING = 16  # distinct computations queued or running at once
# Per request. EfficientNet-B7 at its 600 × 600 default is the zoo's largest default
# (~37 G multiply-adds, Tan & Le 2019, Table 2): every network fits at its own size;
# VGG-16 at 1024 × 1024 (~324 G, issue 12's hostile link: ~25 CPU s, ~0.8 GB) does not.
MAX_MACS = 60e9
MAX_PIXELS = 64e6  # decoded pixels per request (8000 × 8000)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heavy-work")
_lock = threading.Lock()
_inflight: dict[Hashable, _Job] = {}
_queued = 0
_threads_set = False
_threads_lock = threading.Lock()


class ServerBusy(RuntimeError):
    """Too many heavy computations are already waiting, or the answer is too slow to come."""


class OverBudget(ValueError):
    """A request whose estimated cost is past the server's budget (refused before it runs)."""


class SessionGone(ServerBusy):
    """The work was dropped because every session waiting for it has gone.

    A kind of :class:`ServerBusy`, so a page that shows "busy" messages handles it too
    (nobody is left to read it; what matters is that no exception reaches Streamlit)."""


@dataclass(frozen=True)
class Cost:
    """A request's estimated cost and, for the message, what the user can change to lower it."""

    macs: float = 0.0  # multiply-adds of the forward pass(es)
    pixels: float = 0.0  # pixels decoded or processed
    advice: str = ""  # e.g. "Lower the input resolution to at most 400 × 400."


@dataclass
class Stats:
    """Counters since start-up (read by tests and benchmarks)."""

    ran: int = 0
    coalesced: int = 0
    dropped: int = 0
    refused_budget: int = 0
    refused_busy: int = 0


stats = Stats()


@dataclass
class _Waiter:
    alive: Callable[[], bool] | None
    gave_up: bool = False

    def wants(self) -> bool:
        if self.gave_up:
            return False
        if self.alive is None:
            return True
        try:
            return bool(self.alive())
        except Exception:  # a broken liveness check must not drop someone's work
            return True


@dataclass
class _Job:
    key: Hashable | None
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    future: Future = field(default_factory=Future)
    waiters: list[_Waiter] = field(default_factory=list)


def configure_threads(n: int | None = None) -> int:
    """Call once at start-up: torch's intra-op threads = the machine's cores (default)."""
    global _threads_set
    with _threads_lock:
        if not _threads_set:
            if n is not None:
                torch.set_num_threads(n)
            _threads_set = True
    return torch.get_num_threads()


def scaled_macs(macs_at_default: float, default_resolution: int, resolution: int) -> float:
    """A convolutional network's multiply-adds at another input size: they grow with the area."""
    return macs_at_default * (resolution / default_resolution) ** 2


def largest_resolution(macs_at_default: float, default_resolution: int, budget: float = MAX_MACS) -> int:
    """The largest square input whose estimated multiply-adds fit ``budget``."""
    return int(default_resolution * (budget / macs_at_default) ** 0.5)


def check_budget(cost: Cost) -> None:
    """Raise :class:`OverBudget` if ``cost`` is past :data:`MAX_MACS` or :data:`MAX_PIXELS`."""
    over = []
    if cost.macs > MAX_MACS:
        over.append(f"about {approx(cost.macs)} multiply-adds, more than the server's budget of "
                    f"{approx(MAX_MACS)} per request")
    if cost.pixels > MAX_PIXELS:
        over.append(f"about {approx(cost.pixels)} pixels, more than the server's budget of "
                    f"{approx(MAX_PIXELS)} per request")
    if over:
        with _lock:
            stats.refused_budget += 1
        raise OverBudget("This would take " + " and ".join(over) + ". "
                         + (cost.advice or "Please choose a smaller setting."))


def pending() -> int:
    """Distinct computations queued or running now."""
    with _lock:
        return _queued


def _busy_message(waiting: int) -> str:
    return (f"The server is busy: {waiting} computations for other users are already waiting "
            f"(at most {MAX_WAITING} may queue). Please try again in a few seconds.")


def _default_key(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Hashable | None:
    key = (fn, args, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:  # unhashable arguments (arrays, dicts): no coalescing
        return None
    return key


def _run(job: _Job) -> None:
    global _queued
    try:
        with _lock:
            wanted = any(w.wants() for w in job.waiters)
            if not wanted:
                stats.dropped += 1
        if not wanted:
            job.future.set_exception(SessionGone("Dropped: every session waiting for this has gone."))
            return
        try:
            result = job.fn(*job.args, **job.kwargs)
        except BaseException as exc:
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)
        with _lock:
            stats.ran += 1
    finally:
        with _lock:
            _queued -= 1
            if job.key is not None and _inflight.get(job.key) is job:
                del _inflight[job.key]


def run_heavy(fn: Callable[..., T], *args: Any, cost: Cost | None = None,
              alive: Callable[[], bool] | None = None, key: Hashable | None = None,
              coalesce: bool = True, wait_seconds: float = 60.0, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` on the shared worker and return its result.

    ``cost``: the estimate checked against the budget before anything is queued.
    ``alive``: says whether the caller's session still wants the answer (see the module
    docstring). ``key``: what makes two requests identical (default: ``fn`` and its
    arguments when they are hashable); ``coalesce=False`` always computes anew.
    Exceptions raised by ``fn`` propagate to every waiter unchanged.
    """
    global _queued
    if cost is not None:
        check_budget(cost)
    if coalesce and key is None:
        key = _default_key(fn, args, kwargs)
    elif not coalesce:
        key = None
    waiter = _Waiter(alive)
    with _lock:
        job = _inflight.get(key) if key is not None else None
        if job is not None:
            job.waiters.append(waiter)
            stats.coalesced += 1
        else:
            if _queued >= MAX_WAITING:
                stats.refused_busy += 1
                raise ServerBusy(_busy_message(_queued))
            job = _Job(key, fn, args, kwargs, waiters=[waiter])
            _queued += 1
            if key is not None:
                _inflight[key] = job
            _executor.submit(_run, job)
    try:
        return job.future.result(timeout=wait_seconds)
    except FutureTimeout:
        with _lock:
            waiter.gave_up = True
            stats.refused_busy += 1
        raise ServerBusy(f"The server is busy: no answer within {wait_seconds:g} s because other users' "
                         "computations are ahead of yours. Please try again in a moment.") from None
