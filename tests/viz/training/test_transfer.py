"""Transfer learning at tiny sizes: losses fall, frozen weights stay, precomputing changes nothing but time."""

from __future__ import annotations

import torch

from tests.viz.training.conftest import TRANSFER, stop_after
from viz.training.data import digits
from viz.training.experiments import run_to_end
from viz.training.results import METHODS
from viz.training.transfer import few_shot


def test_transfer_losses_fall_for_every_method(transfer_run):
    result = transfer_run.result
    assert [m.name for m in result.methods] == list(METHODS)
    assert result.n_train == 15  # 3 per class × 5 classes
    for m in result.methods:
        assert m.loss[-1] < m.loss[0], m.name
    pre = result.pretrain.loss
    assert sum(pre[-5:]) < sum(pre[:5])


def test_transfer_frozen_layers_unchanged_after_training(transfer_run):
    pre = transfer_run.models["pretrained"].state_dict()
    for name in ("frozen", "frozen_full"):
        backbone = transfer_run.models[name].backbone.state_dict()
        for key, value in backbone.items():
            if key.startswith("fc."):
                continue  # the old softmax layer is not used by the new head
            assert torch.equal(value, pre[key]), (name, key)  # weights and BN running statistics
    tuned = transfer_run.models["finetune"].state_dict()
    frozen_keys = [k for k in tuned if k.split(".")[0] in ("stem", "stage1", "stage2")]
    assert frozen_keys and all(torch.equal(tuned[k], pre[k]) for k in frozen_keys)
    # … while the fine-tuned stage did move.
    assert any(not torch.equal(tuned[k], pre[k]) for k in tuned if k.startswith("stage3.") and "weight" in k)
    result = transfer_run.result
    assert result.method("frozen").trainable_params == 8 * 5 + 5  # the new softmax layer: 8 features → 5 classes
    assert result.method("scratch").trainable_params == result.method("scratch").params


def test_precomputed_features_give_the_full_forward_logits(transfer_run):
    model = transfer_run.models["frozen"]
    x = digits().x_test[:40]
    with torch.no_grad():
        assert torch.allclose(model.head(model.precompute(x)), model(x), atol=1e-6)
    # The precomputed path and the forward-every-step twin learn the same head, so the same accuracy.
    frozen, full = transfer_run.result.method("frozen"), transfer_run.result.method("frozen_full")
    assert frozen.test_accuracy == full.test_accuracy
    assert torch.allclose(model.head.weight, transfer_run.models["frozen_full"].head.weight, atol=1e-5)
    assert frozen.feature_bytes == 15 * 8 * 4 and frozen.feature_shape == (8,)  # 15 images × 8 features × float32


def test_transfer_same_seed_same_accuracies(transfer_run):
    again = run_to_end("transfer", TRANSFER)
    for m in transfer_run.result.methods:
        assert again.result.method(m.name).test_accuracy == m.test_accuracy
        assert again.result.method(m.name).loss == m.loss


def test_transfer_stopped_during_pretraining_has_no_methods():
    final = run_to_end("transfer", TRANSFER, should_stop=stop_after(10))
    result = final.result
    assert result.stopped and result.methods == () and len(result.pretrain.loss) == 10


def test_few_shot_picks_per_class_images_of_the_target_digits():
    x, y = few_shot(4, seed=0)
    assert x.shape == (20, 1, 8, 8) and sorted(y.tolist()) == sorted([0, 1, 2, 3, 4] * 4)
