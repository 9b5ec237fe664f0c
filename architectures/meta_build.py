"""Building on the meta device without PyTorch's per-layer initialisation busywork.

``with torch.device("meta")`` builds a network without storage, yet every layer's
constructor still does what only makes sense for real values: ``reset_parameters``
and ``reset_running_stats`` compute fan-ins and call ``nn.init`` on tensors that have
no values, each op going through the device context's ``__torch_function__``. For a
network of small layers that is half the build (a ``Conv2d`` took ~145 µs, ~60 µs
without it), and the tracer's "build + trace ≤ 2 × forward" target (issue 3) counts
the build against a forward pass that, for LeNet-5, takes under a millisecond.

:func:`meta_device` is ``torch.device("meta")`` with two shortcuts installed while at
least one meta build runs (a count under a lock, as the Streamlit server builds from
several threads):

* the ``nn.init`` functions return a meta tensor untouched;
* ``reset_parameters`` / ``reset_running_stats`` of convolutions, linear and
  normalisation layers return at once when the layer's tensors are meta.

Each shortcut looks at the tensor it is given, never at the thread, and calls the
original for anything else, so a CPU build running meanwhile in another thread is
initialised as usual (tested). The modules built are those of a plain
``torch.device("meta")`` build: same classes, attributes, parameters and buffers
(meta tensors have no values to differ in).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn
from torch.nn.modules.batchnorm import _NormBase
from torch.nn.modules.conv import _ConvNd

# Not shortcut: ``nn.Module.__setattr__``'s checks (a fast path for plain attributes halves
# a Conv2d's construction again), because assigning any attribute of nn.Module invalidates
# the method caches of all its subclasses: ~140 µs each way, more than LeNet-5 would save.


def _init_skipping_meta(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def init(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(tensor, torch.Tensor) and tensor.is_meta:
            return tensor
        return original(tensor, *args, **kwargs)
    return init


def _reset_skipping_meta(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def reset(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        for tensor in (*self._parameters.values(), *self._buffers.values()):
            if tensor is not None:
                if tensor.is_meta:
                    return None  # nothing to reset: a meta tensor has no values
                break
        return original(self, *args, **kwargs)
    return reset


def _targets() -> list[tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]]:
    """(owner, attribute, how to wrap it) for everything :func:`meta_device` swaps."""
    targets = [(nn.init, name, _init_skipping_meta) for name in dir(nn.init)
               if name.endswith("_") and not name.startswith("_")]
    targets += [(owner, name, _reset_skipping_meta)
                for owner, name in ((_ConvNd, "reset_parameters"), (nn.Linear, "reset_parameters"),
                                    (_NormBase, "reset_parameters"), (_NormBase, "reset_running_stats"))]
    return targets


_TARGETS = _targets()
_lock = threading.Lock()
_users = 0
_saved: list[tuple[Any, str, Any]] = []  # (owner, attribute, original) while installed
_wrapped: dict[Any, Any] = {}  # original -> its shortcut, made once


@contextlib.contextmanager
def _shortcuts_installed() -> Iterator[None]:
    global _users
    with _lock:
        if _users == 0:
            # The originals are read now, not at import, so whatever is in place (say, a
            # test's own patch) is what gets called through and put back.
            for owner, name, wrap in _TARGETS:
                original = getattr(owner, name)
                shortcut = _wrapped.get(original)
                if shortcut is None:
                    shortcut = _wrapped[original] = wrap(original)
                _saved.append((owner, name, original))
                setattr(owner, name, shortcut)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                for owner, name, original in _saved:
                    setattr(owner, name, original)
                _saved.clear()


@contextlib.contextmanager
def meta_device() -> Iterator[None]:
    """``with torch.device("meta")``, without the initialisation busywork (see the module docstring)."""
    with _shortcuts_installed(), torch.device("meta"):
        yield
