"""The Training Lab's experiments by name: each one's settings, result record and runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from viz.training.augment import run_augment
from viz.training.depth import run_depth
from viz.training.ensemble import run_ensemble
from viz.training.multicrop import run_multicrop
from viz.training.progress import Progress, StopCheck
from viz.training.results import AugmentResult, DepthResult, EnsembleResult, MultiCropResult, TransferResult
from viz.training.settings import (
    AugmentSettings,
    DepthSettings,
    EnsembleSettings,
    MultiCropSettings,
    TransferSettings,
)
from viz.training.transfer import run_transfer


@dataclass(frozen=True)
class Experiment:
    name: str
    settings: type  # its settings dataclass; ``settings()`` are the defaults, ``settings.CONTROLS`` its widgets
    result: type  # its result record (``result.from_json`` reads a stored file)
    run: Callable[..., Iterator[Progress]]  # run(settings, should_stop=…) yields progress events


EXPERIMENTS: dict[str, Experiment] = {
    "depth": Experiment("depth", DepthSettings, DepthResult, run_depth),
    "transfer": Experiment("transfer", TransferSettings, TransferResult, run_transfer),
    "augment": Experiment("augment", AugmentSettings, AugmentResult, run_augment),
    "ensemble": Experiment("ensemble", EnsembleSettings, EnsembleResult, run_ensemble),
    "multicrop": Experiment("multicrop", MultiCropSettings, MultiCropResult, run_multicrop),
}
NAMES = tuple(EXPERIMENTS)


def experiment(name: str) -> Experiment:
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(NAMES)}.")
    return EXPERIMENTS[name]


def run_to_end(name: str, settings=None, should_stop: StopCheck = None) -> Progress:
    """Run experiment ``name`` to completion (or until stopped); return its final event."""
    events = list(experiment(name).run(settings, should_stop=should_stop))
    assert events and events[-1].done
    return events[-1]
