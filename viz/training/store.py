"""Results kept: the stored default runs (``viz/assets/training/*.json``) and the server's bounded cache.

``python -m viz.training precompute`` runs every experiment at its default
settings and stores the results, so the page shows them instantly; a test
checks that the stored files match the current defaults and schema.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import torch

from viz.training.experiments import EXPERIMENTS, NAMES, experiment, run_to_end
from viz.training.results import Provenance, Result, SchemaMismatch

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "training"


def stored_path(name: str, folder: Path = ASSETS) -> Path:
    experiment(name)  # ValueError for an unknown name
    return folder / f"{name}.json"


def load_stored(name: str, folder: Path = ASSETS) -> Result | None:
    """The precomputed result of experiment ``name``, or None if missing or of another schema."""
    path = stored_path(name, folder)
    if not path.exists():
        return None
    try:
        return EXPERIMENTS[name].result.from_json(json.loads(path.read_text()))
    except SchemaMismatch:  # stored by an older shape of the code: rerun the precompute command
        return None


def stored_for(name: str, settings, folder: Path = ASSETS) -> Result | None:
    """The stored result if it was computed with exactly ``settings``."""
    result = load_stored(name, folder)
    if result is not None and result.settings == settings.validated():
        return result
    return None


def save(result: Result, folder: Path = ASSETS) -> Path:
    path = stored_path(result.EXPERIMENT, folder)
    path.write_text(json.dumps(result.to_json(), indent=1, sort_keys=True) + "\n")
    return path


def precompute(names: tuple[str, ...] = NAMES, folder: Path = ASSETS) -> dict[str, float]:
    """Run the default experiments and store them as JSON; returns seconds per experiment."""
    folder.mkdir(parents=True, exist_ok=True)
    seconds = {}
    for name in names:
        t0 = time.perf_counter()
        result = run_to_end(name, EXPERIMENTS[name].settings()).result
        seconds[name] = time.perf_counter() - t0
        provenance = Provenance(torch.__version__, torch.get_num_threads(), round(seconds[name], 2))
        save(replace(result, computed_with=provenance), folder)
    return seconds


class ResultCache:
    """A small, thread-safe, bounded (least recently used) map: settings → finished result.

    Shared by every session of a server so a classroom does not retrain the
    same settings; only complete (not stopped) results go in.
    """

    def __init__(self, max_entries: int = 16):
        self.max_entries = max_entries
        self._data: OrderedDict[tuple, Result] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(name: str, settings) -> tuple:
        return (name, json.dumps(settings.validated().to_dict(), sort_keys=True))

    def get(self, name: str, settings) -> Result | None:
        k = self.key(name, settings)
        with self._lock:
            if k in self._data:
                self._data.move_to_end(k)
                return self._data[k]
        return None

    def put(self, name: str, settings, result: Result) -> None:
        if result.stopped:
            return
        k = self.key(name, settings)
        with self._lock:
            self._data[k] = result
            self._data.move_to_end(k)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
