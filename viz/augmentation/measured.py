"""The DataLoader demo's measurements: one stored from a quiet machine, and live ones on this server.

Worker processes only help when there is a free core for them: on a busy server the same
DataLoader measured 47 / 20 / 3.7 images/s with 0 / 1 / 2 workers — the opposite of the
lecture's point, because the workers waited for the CPU. So the Augmentation Lab shows, by
default, a measurement made on a quiet machine and stored in the repo
(:data:`STORED_PATH`, written by ``python -m viz.augmentation measure``), with the machine,
its load and the date; a live measurement on the server is labelled "this server, now" and
shown with the machine's load beside it.

A :class:`Measurement` is the three :class:`~viz.augmentation.loading.Throughput` runs (0, 1
and 2 workers) with what they ran (images, batch size, simulated step, pipeline, seed) and
where and when: the 1-minute load average just before and just after, the core count, the
processor, the date.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from viz.augmentation.distortions import Pipeline
from viz.augmentation.loading import Throughput, compare_workers

STORED_PATH = Path(__file__).resolve().parents[1] / "assets" / "dataloader_quiet.json"
COMMAND = "python -m viz.augmentation measure"
SCHEMA = 1


@dataclass(frozen=True)
class Measurement:
    """Three DataLoader runs (0, 1, 2 workers) and the conditions they ran in."""

    results: tuple[Throughput, ...]
    images: int
    batch_size: int
    step_ms: float
    pipeline: tuple[str, ...]  # the steps' labels, in order
    seed: int
    cores: int
    load_before: float  # 1-minute load average just before the first run (NaN where unknown)
    load_after: float  # … and just after the last
    processor: str = ""
    date: str = ""  # ISO 8601, UTC
    torch_version: str = ""

    @property
    def load(self) -> float:
        """The busier of the two load readings: what the runs competed with."""
        return max(self.load_before, self.load_after)

    @property
    def busy(self) -> bool:
        """Other work held half the cores or more just before: the worker processes had to wait
        for the CPU (a NaN load is not known to be busy)."""
        return self.load_before >= self.cores / 2

    def rates(self) -> dict[int, float]:
        """Images per second by the number of workers."""
        return {r.workers: r.images_per_s for r in self.results}

    def same_settings(self, images: int, batch_size: int, step_ms: float, pipeline: tuple[str, ...]) -> bool:
        return (self.images, self.batch_size, float(self.step_ms), tuple(self.pipeline)) == (
            images, batch_size, float(step_ms), tuple(pipeline))


def load_average() -> float:
    """This machine's 1-minute load average (runnable processes), or NaN where it is not known."""
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):
        return float("nan")


def processor_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else what :mod:`platform` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def measure(pixels: np.ndarray, pipeline: Pipeline, images: int, batch_size: int, step_ms: float,
            seed: int, alive: Callable[[], bool] | None = None) -> Measurement:
    """Run the demo (0, 1 and 2 workers, :func:`~viz.augmentation.loading.compare_workers`) and
    record the machine's load before and after. Raises what ``compare_workers`` raises.
    ``alive``: the caller's session liveness, for the shared worker (:mod:`viz.compute`)."""
    before = load_average()
    results = compare_workers(pixels, pipeline, images, batch_size, step_ms, seed, alive=alive)
    return Measurement(tuple(results), int(images), int(batch_size), float(step_ms),
                       tuple(step.label for step in pipeline.steps), int(seed), os.cpu_count() or 1, before,
                       load_average(), processor_name(), datetime.now(UTC).isoformat(timespec="seconds"),
                       torch.__version__)


# ---------------------------------------------------------------- stored as JSON


def to_json(m: Measurement) -> str:
    record = asdict(m)
    record["results"] = [asdict(r) for r in m.results]
    return json.dumps({"schema": SCHEMA, "command": COMMAND, **record}, indent=2) + "\n"


def _number(record: Mapping[str, Any], name: str) -> float:
    value = record[name]  # NaN (an unknown load) is written as Python's json writes it
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number; got {value!r}")
    return float(value)


def from_json(text: str) -> Measurement:
    """The :class:`Measurement` in ``text``, or ValueError saying what is wrong with it."""
    try:
        record = json.loads(text)
        if record.get("schema") != SCHEMA:
            raise ValueError(f"schema {record.get('schema')!r}, expected {SCHEMA}")
        runs = tuple(Throughput(**{f.name: run[f.name] for f in fields(Throughput) if f.name in run})
                     for run in record["results"])
        if not runs or any(not isinstance(r.images_per_s, (int, float)) for r in runs):
            raise ValueError("no runs")
        return Measurement(runs, int(record["images"]), int(record["batch_size"]), _number(record, "step_ms"),
                           tuple(str(s) for s in record["pipeline"]), int(record["seed"]), int(record["cores"]),
                           _number(record, "load_before"), _number(record, "load_after"),
                           str(record.get("processor", "")), str(record.get("date", "")),
                           str(record.get("torch_version", "")))
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a stored DataLoader measurement: {error!r}") from None


def store(m: Measurement, path: Path = STORED_PATH) -> Path:
    path.write_text(to_json(m))
    return path


def load_stored(path: Path = STORED_PATH) -> Measurement | None:
    """The stored quiet-machine measurement; None when there is none or it cannot be read
    (the page then offers only the live one)."""
    try:
        return from_json(path.read_text())
    except (OSError, ValueError):
        return None
