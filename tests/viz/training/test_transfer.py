"""Transfer learning: frozen weights stay frozen, precomputed features give the full pass's logits, the sweep."""

from __future__ import annotations

import torch

from tests.viz.training.conftest import TRANSFER
from viz.training import transfer as T
from viz.training.common import minibatches
from viz.training.data import classes_subset, lenet_digits, per_class
from viz.training.results import METHODS
from viz.training.store import load_stored
from viz.training.verdicts import crossover, transfer_verdict


def _target(n: int, seed: int = 0):
    data = lenet_digits()
    x, y = classes_subset(data.x_train, data.y_train, T.TARGET_CLASSES)
    rows = per_class(y, n, seed)
    return x[rows], y[rows]


def test_the_sweep_has_every_size_method_and_seed(transfer_run):
    result = transfer_run.result
    assert len(result.points) == len(TRANSFER.sizes) * len(METHODS) * TRANSFER.seeds
    assert result.pretrain.source_test_accuracy > 0.9  # LeNet-5 learns 0–4
    for method in METHODS:
        for _n, mean, lo, hi in result.summary(method):
            assert lo <= mean <= hi
    assert transfer_verdict(result)
    assert result.timing.max_logit_difference < 1e-5


def test_frozen_layers_are_unchanged_and_the_pretrained_net_untouched(transfer_run):
    pre = transfer_run.models["pretrained"]
    before = {k: v.clone() for k, v in pre.state_dict().items()}
    x, y = _target(5)
    rows = minibatches(len(x), 20, 0)
    last, _ = T.train_method("finetune_last", pre, x, y, rows, 0, 1e-3)
    for name in T.FROZEN:
        for key, value in getattr(last, name).state_dict().items():
            assert torch.equal(value, before[f"{name}.{key}"])
    assert not torch.equal(last.c5.conv.weight, before["c5.conv.weight"])  # the last stage did learn
    for method in METHODS:
        T.train_method(method, pre, x, y, rows, 0, 1e-3)
    assert all(torch.equal(v, before[k]) for k, v in pre.state_dict().items())


def test_precomputed_features_give_the_same_logits_as_the_full_pass(transfer_run):
    pre = transfer_run.models["pretrained"]
    x, y = _target(5)
    frozen, _ = T.train_method("frozen", pre, x, y, minibatches(len(x), 20, 0), 0, 1e-3)
    with torch.no_grad():
        assert torch.equal(frozen.head(T.precompute(pre, x)), frozen(x))
    assert T.precompute(pre, x).shape == (len(x), T.FEATURES)


def test_the_stored_sweep_is_complete_and_its_verdict_comes_from_its_numbers():
    stored = load_stored("transfer")
    assert len(stored.points) == len(stored.settings.sizes) * len(METHODS) * stored.settings.seeds >= 60
    first, last, where = crossover(stored)
    assert stored.best(stored.settings.sizes[0]) == first and stored.best(stored.settings.sizes[-1]) == last
    assert stored.timing.speedup > 1 and stored.timing.max_logit_difference < 1e-5
