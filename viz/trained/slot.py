"""One training run at a time on the whole server.

A retrain takes a core for up to a minute; two at once on a 2-core machine would slow
every other user's page. :func:`hold` lets one run in and tells everyone else, at once,
that the trainer is busy (no queue that could hang a page).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_lock = threading.Lock()

BUSY_MESSAGE = ("Another retraining is running on this server right now (only one runs at a time so "
                "the app stays quick for everyone). It takes under a minute: please try again shortly. "
                "The stored network is still shown meanwhile.")


class TrainerBusy(RuntimeError):
    """Someone else's training run holds the slot."""

    def __init__(self) -> None:
        super().__init__(BUSY_MESSAGE)


def busy() -> bool:
    return _lock.locked()


@contextlib.contextmanager
def hold() -> Iterator[None]:
    """Hold the training slot for the ``with`` block, or raise :class:`TrainerBusy` at once."""
    if not _lock.acquire(blocking=False):
        raise TrainerBusy()
    try:
        yield
    finally:
        _lock.release()
