"""The Training Lab's experiments at tiny sizes: what must hold whatever the luck of the draw."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from architectures import build
from architectures.resnet_cifar import CifarResNet, blocks_per_stage, weighted_layers
from viz import training as T
from viz import training_charts as C

TINY = (4, 4, 8)  # widths small enough that every test trains in about a second


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """These networks are tiny: one intra-op thread is as fast, and far steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --------------------------------------------------------------------------- data and networks


def test_digits_split_is_the_bundled_set_split_two_to_one_and_standardised():
    d = T.digits()
    # sklearn's load_digits: 1,797 images of 8×8 (UCI optdigits test part); 1/3 held out.
    assert len(d.x_train) + len(d.x_test) == 1797
    assert len(d.x_test) == 599 and d.x_train.shape[1:] == (1, 8, 8)
    assert abs(float(d.x_train.mean())) < 1e-4 and abs(float(d.x_train.std()) - 1) < 1e-3
    assert set(d.y_test.tolist()) == set(range(10))  # stratified: every digit in the test set


@pytest.mark.parametrize("depth", [8, 20, 56])
def test_cifar_nets_have_6n_plus_2_weighted_layers(depth):
    # He et al. 2016 §4.2: "6n+2 stacked weighted layers"; n = 1, 3, 9.
    for residual in (False, True):
        model = CifarResNet(depth, residual, TINY)
        assert weighted_layers(model) == depth
        assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


def test_plain_twin_differs_only_by_the_two_projection_shortcuts():
    plain, res = CifarResNet(20, False), CifarResNet(20, True)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    # Two 1×1 projections (stages 2 and 3, option B of He et al. 2016 §3.3) + their batch norms:
    # 16·32 + 2·32 and 32·64 + 2·64 parameters.
    assert count(res) - count(plain) == (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)


@pytest.mark.parametrize("bad", [7, 9, 0, 21, "20", True])
def test_bad_depth_names_the_6n_plus_2_rule(bad):
    with pytest.raises(ValueError, match="6n"):
        blocks_per_stage(bad)


# --------------------------------------------------------------------------- plain vs residual


def _depth(seed=0, steps=20, **kw):
    return T.run_to_end("depth", T.DepthSettings(depths=(8, 14), widths=TINY, steps=steps, batch_size=32,
                                                 seed=seed, **kw))


def test_depth_run_losses_fall_and_result_is_complete_json():
    final = _depth()
    result = final.result
    assert not result["stopped"] and result["steps_done"] == 20
    assert [(r["depth"], r["residual"]) for r in result["runs"]] == [(8, False), (8, True), (14, False), (14, True)]
    for run in result["runs"]:
        assert len(run["loss"]) == len(run["error"]) == 20
        first, last = sum(run["loss"][:5]) / 5, sum(run["loss"][-5:]) / 5
        assert last < first, run["depth"]
        assert 0 <= run["train_error"] <= 1 and 0 <= run["test_error"] <= 1
    assert json.loads(json.dumps(result)) == result


def test_depth_same_seed_same_curves_other_seed_other_curves():
    a, b, c = _depth(seed=3, steps=5), _depth(seed=3, steps=5), _depth(seed=4, steps=5)
    strip = lambda r: [(x["loss"], x["error"], x["train_error"]) for x in r.result["runs"]]  # noqa: E731
    assert strip(a) == strip(b)
    assert strip(a) != strip(c)


def test_depth_stops_cleanly_between_steps():
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 4

    events = list(T.run_depth(T.DepthSettings(depths=(8,), widths=TINY, steps=50, batch_size=16),
                              should_stop=should_stop))
    last = events[-1]
    assert last.done and last.result["stopped"] and last.result["steps_done"] == 4
    assert all(len(r["loss"]) == 4 for r in last.result["runs"])
    assert [e.step for e in events[:-1]] == [1, 2, 3, 4]  # one event per step: the chart fills in


def test_depth_generator_can_be_closed_midway():
    gen = T.run_depth(T.DepthSettings(depths=(8,), widths=TINY, steps=50, batch_size=16))
    first = next(gen)
    assert first.step == 1 and not first.done
    gen.close()  # what the page does when Streamlit interrupts it: no exception, nothing left running


def test_depth_verdict_is_computed_from_the_numbers():
    def run(depth, residual, err):
        return {"depth": depth, "residual": residual, "train_error": err}

    shows = {"runs": [run(8, False, 0.01), run(56, False, 0.30), run(8, True, 0.01), run(56, True, 0.0)]}
    fails = {"runs": [run(8, False, 0.05), run(56, False, 0.01), run(8, True, 0.01), run(56, True, 0.0)]}
    assert T.depth_verdict(shows)[0] is True
    ok, text = T.depth_verdict(fails)
    assert ok is False and "does not show" in text
    stopped = dict(shows, stopped=True, steps_done=12, settings={"steps": 200})
    ok, text = T.depth_verdict(stopped)
    assert ok is False and "Stopped after 12 of 200 steps" in text  # no verdict from a partial run


# --------------------------------------------------------------------------- transfer learning


@pytest.fixture(scope="module")
def transfer():
    s = T.TransferSettings(per_class=3, depth=8, widths=TINY, pretrain_steps=25, steps=15, seed=1)
    return s, T.run_to_end("transfer", s)


def test_transfer_losses_fall_for_every_method(transfer):
    _, final = transfer
    methods = final.result["methods"]
    assert set(methods) == {"scratch", "frozen", "frozen_full", "finetune"}
    assert final.result["n_train"] == 15  # 3 per class × 5 classes
    for name, m in methods.items():
        assert m["loss"][-1] < m["loss"][0], name
    pre = final.result["pretrain"]["loss"]
    assert sum(pre[-5:]) < sum(pre[:5])


def test_transfer_frozen_layers_unchanged_after_training(transfer):
    _, final = transfer
    pre = final.models["pretrained"].state_dict()
    for name in ("frozen", "frozen_full"):
        backbone = final.models[name].backbone.state_dict()
        for key, value in backbone.items():
            if key.startswith("fc."):
                continue  # the old softmax layer is not used by the new head
            assert torch.equal(value, pre[key]), (name, key)  # weights and BN running statistics
    tuned = final.models["finetune"].state_dict()
    frozen_keys = [k for k in tuned if k.split(".")[0] in ("stem", "stage1", "stage2")]
    assert frozen_keys and all(torch.equal(tuned[k], pre[k]) for k in frozen_keys)
    # … while the fine-tuned stage did move.
    assert any(not torch.equal(tuned[k], pre[k]) for k in tuned if k.startswith("stage3.") and "weight" in k)
    m = final.result["methods"]
    assert m["frozen"]["trainable_params"] == 8 * 5 + 5  # the new softmax layer only: 8 features → 5 classes
    assert m["scratch"]["trainable_params"] == m["scratch"]["params"]


def test_precomputed_features_give_the_full_forward_logits(transfer):
    _, final = transfer
    model = final.models["frozen"]
    x = T.digits().x_test[:40]
    with torch.no_grad():
        assert torch.allclose(model.head(model.precompute(x)), model(x), atol=1e-6)
    # The precomputed path and the forward-every-step twin learn the same head, so the same accuracy.
    m = final.result["methods"]
    assert m["frozen"]["test_accuracy"] == m["frozen_full"]["test_accuracy"]
    assert torch.allclose(model.head.weight, final.models["frozen_full"].head.weight, atol=1e-5)
    assert m["frozen"]["feature_bytes"] == 15 * 8 * 4  # 15 images × 8 features × float32


def test_transfer_same_seed_same_accuracies(transfer):
    s, final = transfer
    again = T.run_to_end("transfer", s)
    for name, m in final.result["methods"].items():
        assert again.result["methods"][name]["test_accuracy"] == m["test_accuracy"]
        assert again.result["methods"][name]["loss"] == m["loss"]


def test_few_shot_picks_per_class_images_of_the_target_digits():
    x, y = T.few_shot(4, seed=0)
    assert x.shape == (20, 1, 8, 8) and sorted(y.tolist()) == sorted([0, 1, 2, 3, 4] * 4)


# --------------------------------------------------------------------------- ensembling


@pytest.fixture(scope="module")
def ensemble():
    s = T.EnsembleSettings(k=3, train_size=60, widths=TINY, steps=20, batch_size=16, seed=5)
    return T.run_to_end("ensemble", s)


def test_ensemble_probabilities_are_the_mean_of_its_members(ensemble):
    members = ensemble.models["members"]
    x = T.digits().x_test[:50]
    with torch.no_grad():
        mean = sum(torch.softmax(m(x), dim=1) for m in members) / len(members)
        assert torch.allclose(ensemble.models["ensemble"](x), mean, atol=1e-6)


def test_ensemble_result_members_costs_and_accuracies(ensemble):
    r = ensemble.result
    assert [m["seed"] for m in r["members"]] == [5, 6, 7]
    assert len(r["ensemble_accuracy"]) == 3
    assert r["ensemble_accuracy"][0] == pytest.approx(r["members"][0]["test_accuracy"])  # ensemble of one
    assert r["ensemble_macs_per_image"] == 3 * r["macs_per_image"] > 0
    for m in r["members"]:
        assert m["loss"][-1] < m["loss"][0]
    assert json.loads(json.dumps(r)) == r


def test_ensemble_members_differ_by_seed(ensemble):
    a, b = ensemble.models["members"][:2]
    assert not torch.equal(a.stem.conv.weight, b.stem.conv.weight)


# --------------------------------------------------------------------------- settings, cache, slot


@pytest.mark.parametrize("make, match", [
    (lambda: T.DepthSettings(depths=()), "depths"),
    (lambda: T.DepthSettings(depths=(8, 21)), "6n"),
    (lambda: T.DepthSettings(steps=0), "steps"),
    (lambda: T.DepthSettings(lr=5.0), "learning rate"),
    (lambda: T.TransferSettings(per_class=0), "examples per class"),
    (lambda: T.EnsembleSettings(k=6), "k"),
    (lambda: T.EnsembleSettings(widths=(8, 16)), "widths"),
])
def test_bad_settings_raise_value_errors_that_say_what_is_allowed(make, match):
    with pytest.raises(ValueError, match=match):
        make().validated()


def test_settings_round_trip_through_json():
    for cls in T.SETTINGS.values():
        s = cls()
        assert cls.from_dict(json.loads(json.dumps(s.to_dict()))) == s.validated()
    with pytest.raises(ValueError, match="unknown setting"):
        T.DepthSettings.from_dict({"depth": 3})


def test_result_cache_is_bounded_lru_and_skips_stopped_runs():
    cache = T.ResultCache(max_entries=2)
    s = [T.EnsembleSettings(k=k) for k in (1, 2, 3)]
    cache.put("ensemble", s[0], {"a": 1})
    cache.put("ensemble", s[1], {"a": 2})
    assert cache.get("ensemble", s[0]) == {"a": 1}  # now most recently used
    cache.put("ensemble", s[2], {"a": 3})
    assert cache.get("ensemble", s[1]) is None and len(cache) == 2
    cache.put("ensemble", T.EnsembleSettings(k=4), {"stopped": True})
    assert cache.get("ensemble", T.EnsembleSettings(k=4)) is None


def test_one_training_slot_per_server():
    with T.training_slot():
        with pytest.raises(T.TrainingBusy, match="Another training run"):
            with T.training_slot():
                pass
    with T.training_slot():  # released again
        pass


# --------------------------------------------------------------------------- stored results


@pytest.mark.parametrize("name", T.EXPERIMENTS)
def test_stored_results_match_the_current_defaults_and_schema(name):
    stored = T.load_stored(name)
    assert stored is not None, f"run `python -m viz.training precompute` to create {T.stored_path(name)}"
    assert stored["schema"] == T.SCHEMA and stored["experiment"] == name
    assert stored["settings"] == T.SETTINGS[name]().to_dict()
    assert T.stored_for(name, T.SETTINGS[name]()) is stored or T.stored_for(name, T.SETTINGS[name]()) == stored
    assert not stored["stopped"]
    s = T.SETTINGS[name]()
    if name == "depth":
        assert len(stored["runs"]) == 2 * len(s.depths)
        assert all(len(r["loss"]) == s.steps for r in stored["runs"])
    elif name == "transfer":
        assert set(stored["methods"]) == {"scratch", "frozen", "frozen_full", "finetune"}
    else:
        assert len(stored["members"]) == len(stored["ensemble_accuracy"]) == s.k


# --------------------------------------------------------------------------- freeze planner


def _params(model: nn.Module, children: list[str]) -> int:
    return sum(p.numel() for name in children for p in getattr(model, name).parameters())


def test_freeze_plan_resnet18_matches_parameter_sums_of_the_zoo():
    model = build("resnet18", device="meta")
    children = [name for name, _ in model.named_children()]
    cut = children.index("layer2")
    plan = T.freeze_plan("resnet18", "layer2", 1000)
    assert plan.frozen_params == _params(model, children[: cut + 1])
    assert plan.frozen_params + plan.trainable_params == sum(p.numel() for p in model.parameters())
    # He et al. 2016, Table 1: conv3_x output is 28×28 with 128 filters.
    assert plan.feature_shape == (128, 28, 28)
    assert plan.feature_bytes == 128 * 28 * 28 * 4 * 1000


def test_freeze_plan_vgg16_all_convolutions_frozen():
    model = build("vgg16", device="meta")
    names = [n for n, _ in model.named_children()]
    last_conv_block = "block5" if "block5" in names else names[0]
    plan = T.freeze_plan("vgg16", last_conv_block, 10)
    idx = names.index(last_conv_block)
    assert plan.frozen_params == _params(model, names[: idx + 1])
    # Simonyan & Zisserman 2015 (Table 1, D): 13 conv layers' weights and biases = 14,714,688;
    # the last pooling gives 7×7×512.
    assert plan.frozen_params == 14_714_688
    assert plan.feature_shape == (512, 7, 7)


def test_freeze_plan_bad_layer_and_bad_count():
    with pytest.raises(ValueError, match="no layer"):
        T.freeze_plan("resnet18", "nope", 10)
    with pytest.raises(ValueError, match="number of images"):
        T.freeze_plan("resnet18", "layer2", 0)


# --------------------------------------------------------------------------- charts


def test_charts_have_one_trace_per_run_and_method():
    fake_runs = [{"depth": d, "residual": r, "loss": [2.0, 1.0], "error": [0.5, 0.25], "train_error": 0.2}
                 for d in (8, 20) for r in (False, True)]
    result = {"runs": fake_runs, "settings": {"steps": 2}}
    assert len(C.depth_curves(result).data) == 4
    assert len(C.depth_final(result).data) == 2
    assert list(C.moving_average([1, 2, 3, 4], 2)) == [1, 1.5, 2.5, 3.5]
