"""What multi-crop testing and ensembling cost at prediction time.

Every crop goes through every network of the ensemble, so one prediction costs
crops × models forward passes: AlexNet's 10-crop (Krizhevsky et al. 2012, §4.1)
and GoogLeNet's 7-network, 144-crop entry (Szegedy et al. 2015, §7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from viz.compute import run_heavy
from viz.formatting import approx
from viz.trace import trace_cost, trace_network


@dataclass(frozen=True)
class ForwardCost:
    """One forward pass of zoo network ``name`` at its default ``input_size`` (N, C, H, W)."""

    name: str
    macs: int
    input_size: tuple[int, ...]


def forward_cost(name: str, alive: Callable[[], bool] | None = None) -> ForwardCost:
    """Trace ``name`` on the shared heavy worker (a real forward pass, counted).

    Raises ``ValueError`` for a network that cannot be traced (see
    :func:`viz.trace.trace_network`) or one past the worker's budget, and ``ServerBusy``
    when the worker is full. ``alive``: the caller's session liveness (:mod:`viz.compute`).
    """
    result = run_heavy(trace_network, name, cost=trace_cost(name), key=("trace_network", name), alive=alive)
    return ForwardCost(name, int(result.total_macs), tuple(result.input_size))


def prediction_cost(macs_per_forward: int, crops: int = 1, models: int = 1) -> int:
    """Multiply-adds to classify one image: every crop goes through every model of the ensemble."""
    if crops < 1 or models < 1:
        raise ValueError("crops and models must be at least 1")
    return int(macs_per_forward) * int(crops) * int(models)


@dataclass(frozen=True)
class PredictionCost:
    """One way of predicting: ``forward_passes`` = crops × models, costing ``macs`` per image."""

    label: str
    forward_passes: int
    macs: int
    times_one_pass: float


def cost_rows(macs: int, crops: int, models: int) -> list[PredictionCost]:
    """Prediction cost per image: one crop / multi-crop × one model / an ensemble."""
    rows = []
    for label, c, m in (("1 model, 1 crop", 1, 1), (f"1 model, {crops} crops", crops, 1),
                        (f"{models} models, 1 crop", 1, models), (f"{models} models, {crops} crops", crops, models)):
        total = prediction_cost(macs, c, m)
        rows.append(PredictionCost(label, c * m, total, total / macs if macs else 0.0))
    return rows


def format_macs(n: float) -> str:
    """1_234_000_000 → '1.23 G' (MACs; FLOPs would be twice this): :func:`viz.formatting.approx`, spaced."""
    text = approx(n)
    return f"{text[:-1]} {text[-1]}" if text[-1:].isalpha() else text
