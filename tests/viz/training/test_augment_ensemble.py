"""Augmentation (the Augmentation Lab's own distortions, no mirror), ensembling and multi-crop."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tests.viz.training.conftest import AUGMENT, ENSEMBLE
from viz import trained
from viz.augmentation import distortions as D
from viz.data import mnist
from viz.training import augment, multicrop
from viz.training.data import lenet_digits
from viz.training.ensemble import Ensemble
from viz.training.experiments import run_to_end
from viz.training.settings import MultiCropSettings


def test_the_distortions_are_the_augmentation_labs_and_never_a_mirror():
    steps = augment.pipeline(augment.STEPS)
    assert all(type(s) in D.STEP_TYPES for s in steps.steps) and not any(isinstance(s, D.Mirror) for s in steps.steps)
    x = lenet_digits().x_train[:8]
    out = augment.distort(x, steps, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and not torch.equal(out, x)
    assert torch.allclose(out[..., 0, :], torch.full_like(out[..., 0, :], mnist.BACKGROUND), atol=1e-4)  # border


def test_augment_runs_pair_seeds_and_repeat_exactly(augment_run):
    runs = augment_run.result.runs
    assert [(r.distorted, r.seed) for r in runs] == [(False, 2), (True, 2)]
    again = run_to_end("augment", AUGMENT).result.runs
    assert [r.test_accuracy for r in again] == [r.test_accuracy for r in runs]  # same seed, same result


def test_the_ensemble_is_the_mean_of_its_members(ensemble_run):
    models = ensemble_run.models["members"]
    x = lenet_digits().x_test[:50]
    with torch.no_grad():
        mean = torch.stack([F.softmax(m(x), 1) for m in models]).mean(0)
        assert torch.allclose(Ensemble(models)(x), mean)
    result = ensemble_run.result
    assert len(result.finished_members) == ENSEMBLE.k
    assert result.ensemble_accuracy[0] == result.members[0].test_accuracy  # one member: itself
    # LeNet-5's multiply-adds (LeCun et al. 1998, Fig. 2 sizes): C1 28·28·6·25 + C3 10·10·16·150
    # + C5 120·400 + F6 120·84 + output 84·10 = 416,520.
    assert result.macs_per_image == 416_520


def test_multicrop_views_and_the_stored_lenet():
    assert [len(multicrop.views(n, 2)) for n in (1, 5, 9)] == [1, 5, 9]
    x = lenet_digits().x_test[:4]
    assert torch.equal(multicrop.view_of(x, 0, 0, 2), x)
    shifted = multicrop.view_of(x, 1, 0, 1)  # the crop one row down: the digit moves up one row
    assert torch.equal(shifted[..., :-1, :], x[..., 1:, :])
    result = run_to_end("multicrop", MultiCropSettings(crops=1)).result
    # The centre view alone is the stored network's own test accuracy (viz/trained/weights/lenet5_modern.json).
    assert result.single_accuracy == result.multi_accuracy == trained.stored_info("modern")["test_accuracy"]


def test_every_experiment_stops_when_asked_and_keeps_what_finished():
    from tests.viz.training.conftest import DEPTH, TRANSFER, stop_after
    from viz.training.experiments import EXPERIMENTS
    from viz.training.view import live_view, result_view

    for name, settings in (("depth", DEPTH), ("transfer", TRANSFER), ("augment", AUGMENT), ("ensemble", ENSEMBLE)):
        events = list(EXPERIMENTS[name].run(settings, should_stop=stop_after(3)))
        last = events[-1]
        assert last.done and last.result.stopped, name
        assert all(0 <= e.fraction <= 1 for e in events)
        for event in events:  # what the page keeps when Stop interrupts it anywhere: drawn without an error
            result_view(event.result.as_stopped(), "partial")
            live_view(event.result, "k")
    assert events[-1].result.finished_members == ()  # the member being trained when stopped is left out
