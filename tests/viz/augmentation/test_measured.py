"""viz.augmentation.measured: the DataLoader figures stored from a quiet machine, read back and checked."""

from __future__ import annotations

import json
import math

import pytest

from viz.augmentation import measured
from viz.augmentation import settings as S
from viz.augmentation.loading import Throughput
from viz.augmentation.measured import Measurement


def measurement(rates=(75.0, 118.0, 131.0), load_before=0.1, cores=2) -> Measurement:
    runs = tuple(Throughput(w, 48, 8, 60.0, 0.5 * w, 40 / r, r, load_before) for w, r in enumerate(rates))
    return Measurement(runs, 48, 8, 60.0, ("random crop", "mirroring"), 0, cores, load_before, load_before + 0.2,
                       "AMD EPYC", "2026-12-01T09:00:00+00:00", "2.13.0")


def test_a_stored_measurement_reads_back_as_it_was(tmp_path):
    m = measurement()
    path = measured.store(m, tmp_path / "quiet.json")
    assert measured.load_stored(path) == m
    record = json.loads(path.read_text())
    assert record["command"] == "python -m viz.augmentation measure" and record["schema"] == measured.SCHEMA


def test_an_unknown_load_survives_the_round_trip(tmp_path):
    m = measurement(load_before=float("nan"))
    back = measured.load_stored(measured.store(m, tmp_path / "quiet.json"))
    assert math.isnan(back.load_before) and not back.busy  # unknown is not known to be busy


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"schema": 99}',
                                  json.dumps({"schema": 1, "results": []}),
                                  json.dumps({**json.loads(measured.to_json(measurement())), "step_ms": "60"}),
                                  json.dumps({**json.loads(measured.to_json(measurement())), "cores": None})])
def test_a_damaged_file_is_no_measurement(tmp_path, text):
    path = tmp_path / "quiet.json"
    path.write_text(text)
    with pytest.raises(ValueError):
        measured.from_json(text)
    assert measured.load_stored(path) is None  # the page then offers only the live measurement
    assert measured.load_stored(tmp_path / "missing.json") is None


def test_busy_means_other_work_held_half_the_cores_or_more():
    assert measurement(load_before=0.9, cores=2).busy is False
    assert measurement(load_before=1.0, cores=2).busy is True
    assert measurement(load_before=3.5, cores=8).busy is False
    assert measurement().rates() == {0: 75.0, 1: 118.0, 2: 131.0}
    assert measurement().same_settings(48, 8, 60, ("random crop", "mirroring"))
    assert not measurement().same_settings(48, 16, 60, ("random crop", "mirroring"))


@pytest.mark.skipif(not measured.STORED_PATH.exists(),
                    reason=f"no quiet-machine figures stored yet: run `{measured.COMMAND}` on a quiet machine")
def test_the_figures_shipped_with_the_app_are_a_quiet_machines_with_the_pages_defaults():
    stored = measured.load_stored()
    assert stored is not None, f"{measured.STORED_PATH} cannot be read: run {measured.COMMAND} again"
    assert not stored.busy and [r.workers for r in stored.results] == [0, 1, 2]
    assert stored.same_settings(S.DL_IMAGES.default, S.DL_BATCH.default, S.DL_STEP.default, S.PIPE_STEPS.default)
    rates = stored.rates()
    assert rates[2] > rates[0]  # the lecture's point, on a machine with a free core for each worker
