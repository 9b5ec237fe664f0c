"""Tiny runs of the experiments, shared by the tests of this package (each trains in a few seconds)."""

from __future__ import annotations

import pytest
import torch

from viz.training.experiments import run_to_end
from viz.training.settings import AugmentSettings, DepthSettings, EnsembleSettings, TransferSettings

DEPTH = DepthSettings(depths=(8, 14), steps=50, batch_size=32, seed=3)
TRANSFER = TransferSettings(sizes=(1, 5), seeds=2, steps=50, seed=1)
AUGMENT = AugmentSettings(per_class=5, seeds=1, steps=100, seed=2)
ENSEMBLE = EnsembleSettings(k=3, per_class=20, steps=100, seed=5)


@pytest.fixture(autouse=True, scope="package")
def one_thread():
    """These networks are tiny: one intra-op thread is as fast, steadier on a busy machine, and reproducible."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def stop_after(n: int):
    """A ``should_stop`` that says stop from its (n + 1)-th call on."""
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] > n

    return should_stop


@pytest.fixture(scope="package")
def depth_run():
    return run_to_end("depth", DEPTH)


@pytest.fixture(scope="package")
def transfer_run():
    return run_to_end("transfer", TRANSFER)


@pytest.fixture(scope="package")
def augment_run():
    return run_to_end("augment", AUGMENT)


@pytest.fixture(scope="package")
def ensemble_run():
    return run_to_end("ensemble", ENSEMBLE)
