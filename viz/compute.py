"""One shared, bounded worker for heavy forward passes.

Every widget change reruns a page in a new thread; with a classroom of 30 users
on a 2-core machine, running each forward pass in its caller's thread would
oversubscribe the cores. Heavy work goes through this single worker instead,
and when too many requests are already waiting the caller gets ``ServerBusy``
(a clear message to show) rather than an ever-growing queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import torch

T = TypeVar("T")

MAX_WAITING = 16  # requests queued or running at once
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heavy-forward")
_slots = threading.BoundedSemaphore(MAX_WAITING)
_threads_set = False
_threads_lock = threading.Lock()


class ServerBusy(RuntimeError):
    """Too many heavy computations are already waiting."""


def configure_threads(n: int | None = None) -> int:
    """Call once at start-up: torch's intra-op threads = the machine's cores (default)."""
    global _threads_set
    with _threads_lock:
        if not _threads_set:
            if n is not None:
                torch.set_num_threads(n)
            _threads_set = True
    return torch.get_num_threads()


def run_heavy(fn: Callable[..., T], *args: Any, wait_seconds: float = 60.0, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` on the shared worker and return its result.

    Exceptions raised by ``fn`` propagate to the caller unchanged.
    """
    if not _slots.acquire(timeout=wait_seconds):
        raise ServerBusy(
            "The server is busy with other users' computations; please try again in a moment."
        )
    try:
        future = _executor.submit(fn, *args, **kwargs)
    except BaseException:
        _slots.release()
        raise
    future.add_done_callback(lambda _f: _slots.release())
    return future.result()
