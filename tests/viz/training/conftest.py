"""Tiny runs of the three experiments, shared by the tests of this package (each trains in about a second)."""

from __future__ import annotations

import pytest
import torch

from viz.training.experiments import run_to_end
from viz.training.settings import DepthSettings, EnsembleSettings, TransferSettings

TINY = (4, 4, 8)  # widths small enough that every test trains in about a second


@pytest.fixture(autouse=True, scope="package")
def one_thread():
    """These networks are tiny: one intra-op thread is as fast, and far steadier on a busy machine."""
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


def tiny_depth(seed: int = 0, steps: int = 20, **kw):
    return run_to_end("depth", DepthSettings(depths=(8, 14), widths=TINY, steps=steps, batch_size=32,
                                             seed=seed, **kw))


TRANSFER = TransferSettings(per_class=3, depth=8, widths=TINY, pretrain_steps=25, steps=15, seed=1)
ENSEMBLE = EnsembleSettings(k=3, train_size=60, widths=TINY, steps=20, batch_size=16, seed=5)


@pytest.fixture(scope="package")
def depth_run():
    return tiny_depth()


@pytest.fixture(scope="package")
def transfer_run():
    return run_to_end("transfer", TRANSFER)


@pytest.fixture(scope="package")
def ensemble_run():
    return run_to_end("ensemble", ENSEMBLE)
