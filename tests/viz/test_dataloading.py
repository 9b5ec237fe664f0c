"""A real DataLoader applying the augmentation pipeline, with and without worker processes (kept tiny)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz import augment as A
from viz import dataloading as D

PIPE = A.Pipeline((A.RandomResizedCrop(size=32), A.Mirror(), A.ColorShift(20.0)))


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    rng = np.random.default_rng(0)
    return D.encode_jpeg(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))


def test_dataset_items_are_distorted_reproducibly(jpeg):
    ds = D.AugmentedImages(jpeg, PIPE, length=4, seed=10)
    a, b = ds[1], ds[1]
    assert a.shape == (3, 32, 32) and a.dtype == torch.float32
    assert torch.equal(a, b)  # item i always uses seed + i
    assert not torch.equal(ds[1], ds[2])
    with pytest.raises(IndexError):
        ds[4]


def test_worker_process_gives_the_same_batches_as_the_main_process(jpeg):
    """Spawned workers import the dataset by name and apply the same pipeline with the same seeds."""
    ds = D.AugmentedImages(jpeg, PIPE, length=4, seed=3)
    main = torch.cat(list(D.make_loader(ds, 0, 2)))
    worker = torch.cat(list(D.make_loader(ds, 1, 2)))
    assert main.shape == (4, 3, 32, 32)
    assert torch.equal(main, worker)


def test_measure_throughput_counts_every_image_and_the_step(jpeg):
    r = D.measure_throughput(jpeg, PIPE, workers=0, images=8, batch_size=2, step_ms=20.0)
    assert r.images == 8 and r.workers == 0
    # 3 batches after the first, each waiting at least one 20 ms step: at most 6 / 0.06 = 100 images/s.
    assert 0 < r.images_per_s <= 100.5
    assert r.startup_s > 0 and r.ms_per_image == pytest.approx(1000 / r.images_per_s)


def test_bad_arguments_are_refused(jpeg):
    with pytest.raises(ValueError, match="workers"):
        D.make_loader(D.AugmentedImages(jpeg, PIPE, 4), 3, 2)
    with pytest.raises(ValueError, match="two batches"):
        D.measure_throughput(jpeg, PIPE, 0, images=3, batch_size=2)


def test_the_start_method_is_spawn():
    # fork in a multi-threaded server can deadlock a child (see viz/dataloading.py's docstring).
    assert D.START_METHOD == "spawn"
    loader = D.make_loader(D.AugmentedImages(b"", PIPE, 4), 1, 2)
    assert loader.multiprocessing_context.get_start_method() == "spawn"
