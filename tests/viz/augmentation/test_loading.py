"""A real DataLoader applying the augmentation pipeline, with and without worker processes (kept tiny)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from viz.augmentation import distortions as D
from viz.augmentation import loading as L

PIPE = D.Pipeline((D.RandomResizedCrop(size=32), D.Mirror(), D.ColorShift(20.0)))


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    rng = np.random.default_rng(0)
    return L.encode_jpeg(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))


def test_dataset_items_are_distorted_reproducibly(jpeg):
    ds = L.AugmentedImages(jpeg, PIPE, length=4, seed=10)
    a, b = ds[1], ds[1]
    assert a.shape == (3, 32, 32) and a.dtype == torch.float32
    assert torch.equal(a, b)  # item i always uses seed + i
    assert not torch.equal(ds[1], ds[2])
    with pytest.raises(IndexError):
        ds[4]


def test_worker_process_gives_the_same_batches_as_the_main_process(jpeg):
    """Spawned workers import the dataset by name and apply the same pipeline with the same seeds."""
    ds = L.AugmentedImages(jpeg, PIPE, length=4, seed=3)
    main = torch.cat(list(L.make_loader(ds, 0, 2)))
    worker = torch.cat(list(L.make_loader(ds, 1, 2)))
    assert main.shape == (4, 3, 32, 32)
    assert torch.equal(main, worker)


def test_measure_throughput_counts_every_image_and_the_step(jpeg):
    r = L.measure_throughput(jpeg, PIPE, workers=0, images=8, batch_size=2, step_ms=20.0)
    assert r.images == 8 and r.workers == 0
    # 3 batches after the first, each waiting at least one 20 ms step: at most 6 / 0.06 = 100 images/s.
    assert 0 < r.images_per_s <= 100.5
    assert r.startup_s > 0 and r.ms_per_image == pytest.approx(1000 / r.images_per_s)


def test_bad_arguments_are_refused(jpeg):
    with pytest.raises(ValueError, match="workers"):
        L.make_loader(L.AugmentedImages(jpeg, PIPE, 4), 3, 2)
    with pytest.raises(ValueError, match="two batches"):
        L.measure_throughput(jpeg, PIPE, 0, images=3, batch_size=2)


def test_the_start_method_is_forkserver():
    # fork in a multi-threaded server can deadlock a child; spawn took ~100 ms per batch here
    # (see viz/augmentation/loading.py's docstring).
    assert L.START_METHOD == "forkserver"
    loader = L.make_loader(L.AugmentedImages(b"", PIPE, 4), 1, 2)
    assert loader.multiprocessing_context.get_start_method() == "forkserver"


def test_compare_workers_measures_each_worker_count_on_the_same_images():
    pixels = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    results = L.compare_workers(pixels, PIPE, images=8, batch_size=2, step_ms=0.0, seed=0, workers=(0, 0))
    assert [r.workers for r in results] == [0, 0] and all(r.images == 8 for r in results)
    assert L.WORKER_COUNTS == (0, 1, 2)  # what the page's button says it measures


@dataclass(frozen=True)
class DieInWorker:
    """A step that kills the worker process it runs in (as an out-of-memory kill would)."""

    label = "die"

    def __call__(self, batch, gen):
        if torch.utils.data.get_worker_info() is not None:
            os._exit(3)
        return batch


def test_a_worker_that_dies_is_reported_as_a_failed_measurement(jpeg):
    with pytest.raises(L.MeasurementFailed, match="1 worker process"):
        L.measure_throughput(jpeg, D.Pipeline((DieInWorker(),)), workers=1, images=4, batch_size=2)
