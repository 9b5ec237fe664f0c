"""What a running experiment reports, how it is stopped, and the server's one training slot.

Each experiment is a generator of :class:`Progress` events, so a page can fill a
chart as it trains; it stops cleanly when a ``should_stop`` callback (checked
between steps) says so, or when the generator is closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

StopCheck = Callable[[], bool] | None


@dataclass(frozen=True)
class Progress:
    """One progress event. ``result`` is the (partial, then final) result record of :mod:`.results`.

    ``models`` is set on the final event only, for tests and callers that want
    the trained modules (never serialised).
    """

    step: int
    total: int
    stage: str
    result: Any
    done: bool = False
    models: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total else 1.0


def stopped(should_stop: StopCheck) -> bool:
    """Has the caller asked to stop? (``None``: never.)"""
    return bool(should_stop is not None and should_stop())


class TrainingBusy(RuntimeError):
    """Another training run is already using this server's CPU."""


_TRAINING_LOCK = threading.Lock()


@contextmanager
def training_slot():
    """Hold the server's single training slot, or raise :class:`TrainingBusy` at once.

    Training runs for up to a minute in the caller's thread; two at once on a
    2-core machine would each take twice as long and starve everyone else, so a
    second caller gets a clear "busy" answer instead of a queue.
    """
    if not _TRAINING_LOCK.acquire(blocking=False):
        raise TrainingBusy(
            "Another training run is in progress on this server (one at a time keeps the CPU "
            "usable for everyone). The stored results are shown; try again in a minute."
        )
    try:
        yield
    finally:
        _TRAINING_LOCK.release()
