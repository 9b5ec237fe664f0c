"""Progress events and the server's single training slot."""

from __future__ import annotations

import pytest

from viz.training.progress import Progress, TrainingBusy, stopped, training_slot


def test_one_training_slot_per_server():
    with training_slot():
        with pytest.raises(TrainingBusy, match="Another training run"):
            with training_slot():
                pass
    with training_slot():  # released again
        pass


def test_the_slot_is_released_when_the_run_raises():
    with pytest.raises(KeyError):
        with training_slot():
            raise KeyError("boom")
    with training_slot():
        pass


def test_progress_fraction_and_stop_check():
    assert Progress(3, 12, "training", None).fraction == 0.25
    assert Progress(20, 12, "done", None, done=True).fraction == 1.0
    assert Progress(0, 0, "done", None).fraction == 1.0
    assert stopped(None) is False and stopped(lambda: True) is True
