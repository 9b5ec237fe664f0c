"""A model's device and eval mode for one pass, switched without ``Module.train``'s recursion.

Shared by the traced pass (:mod:`viz.trace.recording`) and the size search's probes
(:mod:`viz.trace.diagnosis`).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


def _model_device(model: nn.Module) -> torch.device:
    for t in model.parameters():
        return t.device
    for t in model.buffers():
        return t.device
    return torch.device("cpu")


def _set_eval(modules: Iterable[nn.Module]) -> list[nn.Module]:
    """Eval mode without ``Module.train``'s recursion and ``__setattr__``; returns what to restore."""
    switched = [m for m in modules if m.training]
    for m in switched:
        m.__dict__["training"] = False
    return switched


def _restore_training(switched: list[nn.Module]) -> None:
    for m in switched:
        m.__dict__["training"] = True

