"""Distortions during training: a real ``torch.utils.data.DataLoader`` with worker processes.

The lecture's advice: a CPU thread (here: worker processes) loads images and
distorts them while the training step runs, so the accelerator never waits for
data. :func:`measure_throughput` times a real DataLoader whose workers decode a
JPEG and run an augmentation :class:`~viz.augmentation.distortions.Pipeline` per
image, with ``time.sleep`` standing in for the training step on a GPU (the CPU is idle
while it waits — which is exactly the time the workers can use).

Start method: we use ``"forkserver"`` deliberately. The Streamlit server is
multi-threaded (its event loop, one thread per script run, the shared heavy
worker of viz/compute.py); ``fork`` copies only the calling thread, so a lock
held by another thread at that moment (an allocator, logging, the OpenMP pool)
stays locked forever in the child and can deadlock it — Python 3.12 warns about
fork in a multi-threaded process for this reason, and 3.14 makes forkserver the
default on Linux. ``forkserver`` starts one clean, single-threaded server process
and forks each worker from it; the dataset reaches the worker pickled (which is
why the dataset below is a top-level class holding only picklable data). Starting
the server costs a second or two, reported separately as start-up. Not ``spawn``:
measured on this machine (2 cores, Python 3.11, torch 2.13), a spawned worker
took ~90–140 ms to hand over each batch even of eight integers, where a
forkserver worker took ~4–20 ms — with a 60 ms training step, spawn made the
workers look slower than loading in the loop, the opposite of what the demo shows.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from viz.augmentation.distortions import Pipeline
from viz.augmentation.tensors import from_uint8, make_generator
from viz.compute import Cost, run_heavy

START_METHOD = "forkserver"
MAX_WORKERS = 2  # this machine has 2 cores; more workers only queue
WORKER_COUNTS = (0, 1, 2)  # what the Augmentation Lab compares
# How long a worker may take to deliver one batch before the run is called failed. A forkserver
# worker is the server's child, not ours: its death sends us no SIGCHLD, so a dead worker shows
# only as this timeout. A batch takes ~0.1 s here, a worker's start ~2 s: 15 s is past any honest delay.
BATCH_TIMEOUT_S = 15


class MeasurementFailed(RuntimeError):
    """A DataLoader that could not deliver (a worker process that did not start, a timeout)."""


def encode_jpeg(pixels: np.ndarray, quality: int = 90) -> bytes:
    """An RGB uint8 image as JPEG bytes: what a training set stores on disk."""
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


class AugmentedImages(Dataset):
    """``length`` training examples, each the same JPEG decoded and distorted afresh.

    Item ``i`` uses the seed ``seed + i``, so the same index gives the same image
    in any worker (and with no workers at all).
    """

    def __init__(self, jpeg: bytes, pipeline: Pipeline, length: int, seed: int = 0):
        self.jpeg, self.pipeline, self.length, self.seed = jpeg, pipeline, int(length), int(seed)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> torch.Tensor:
        if not 0 <= index < self.length:
            raise IndexError(index)
        pixels = np.asarray(Image.open(io.BytesIO(self.jpeg)).convert("RGB"))
        batch = from_uint8(pixels)
        return self.pipeline(batch, make_generator(self.seed + index))[0]


def _warm_up(worker_id: int) -> None:
    """In each new worker: produce one item first, so one-off costs (lazy initialisation,
    cached interpolation weights) count as start-up rather than as steady-state loading."""
    info = torch.utils.data.get_worker_info()
    if info is not None and len(info.dataset):
        info.dataset[0]


def make_loader(dataset: Dataset, workers: int, batch_size: int) -> DataLoader:
    """A DataLoader with ``workers`` worker processes (forked from a clean server) (0 = load in the training loop itself)."""
    if not 0 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be from 0 to {MAX_WORKERS}; got {workers}")
    if workers == 0:
        return DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=0)
    return DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=workers,
                      multiprocessing_context=START_METHOD, timeout=BATCH_TIMEOUT_S, persistent_workers=False,
                      worker_init_fn=_warm_up)


@dataclass(frozen=True)
class Throughput:
    """One measurement: ``startup_s`` until the first batch arrived, then the steady state."""

    workers: int
    images: int
    batch_size: int
    step_ms: float
    startup_s: float
    steady_s: float
    images_per_s: float  # after the first batch: images / s including the simulated training step
    load_average: float = float("nan")  # the machine's 1-minute load average when the run ended

    @property
    def ms_per_image(self) -> float:
        return 1000.0 / self.images_per_s if self.images_per_s else float("inf")


def measure_throughput(jpeg: bytes, pipeline: Pipeline, workers: int, images: int = 64,
                       batch_size: int = 8, step_ms: float = 0.0, seed: int = 0) -> Throughput:
    """Iterate once over ``images`` distorted images, sleeping ``step_ms`` per batch (the training step)."""
    if images < 2 * batch_size:
        raise ValueError(f"need at least two batches: images ≥ {2 * batch_size}")
    loader = make_loader(AugmentedImages(jpeg, pipeline, images, seed), workers, batch_size)
    start = time.perf_counter()
    try:
        it = iter(loader)
        first = next(it)
        first_at = time.perf_counter()
        seen = first.shape[0]
        time.sleep(step_ms / 1000)
        for batch in it:
            seen += batch.shape[0]
            time.sleep(step_ms / 1000)
    except (RuntimeError, OSError) as exc:  # what a DataLoader raises for a dead, unstartable or stuck worker
        raise MeasurementFailed(f"The measurement with {workers} worker process(es) failed: {exc}") from exc
    # After the first batch: (n − 1) × (train on a batch, wait for the next) and one last step;
    # leave that last step out so the rate is images delivered per second of the loop.
    end = time.perf_counter() - step_ms / 1000
    del it
    steady = end - first_at
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on every platform
        load = float("nan")
    return Throughput(workers, seen, batch_size, step_ms, first_at - start, steady,
                      (seen - first.shape[0]) / steady if steady > 0 else float("inf"), load)


def compare_workers(pixels: np.ndarray, pipeline: Pipeline, images: int, batch_size: int, step_ms: float,
                    seed: int, workers: tuple[int, ...] = WORKER_COUNTS,
                    alive: Callable[[], bool] | None = None) -> list[Throughput]:
    """The same run (``pixels`` stored as a JPEG) with each worker count, one after another.

    Each measurement runs on the shared heavy worker (:func:`viz.compute.run_heavy`; its
    cost: every image decoded and distorted), so it raises ``ServerBusy`` when that is
    full, ``ValueError`` for too few images or past the budget, and
    :class:`MeasurementFailed` when a DataLoader cannot deliver. ``alive``: the caller's
    session liveness (:mod:`viz.compute`); identical measurements asked for at once share one.
    """
    jpeg = encode_jpeg(pixels)
    cost = Cost(pixels=float(images * pixels.shape[0] * pixels.shape[1]), advice="Please measure fewer images.")
    digest = hashlib.blake2b(jpeg, digest_size=16).hexdigest()
    return [run_heavy(measure_throughput, jpeg, pipeline, w, images, batch_size, float(step_ms), seed, cost=cost,
                      alive=alive, key=("measure_throughput", digest, pipeline, w, images, batch_size, step_ms, seed))
            for w in workers]
