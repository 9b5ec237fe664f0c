"""Transfer learning as the lecture states it, swept over how much labelled data there is.

LeNet-5 is pre-trained on the digits **0–4**; the target task is **5–9** (disjoint
classes, the same kind of images), learnt from 1 … 400 labelled examples per class in
four ways, from least to most trained:

* **from scratch** — random weights, every layer trained;
* **frozen + precomputed features** — the pre-trained convolutional part kept (c1 … s4,
  5×5×16 = 400 values per digit), a new softmax layer trained on its output *computed
  once* (the lecture's tip: the frozen part's output does not change, so save it and
  train a shallow model on it);
* **fine-tune the last stage** — c1 … s4 frozen, the fully connected stage (c5, f6)
  fine-tuned at a small learning rate under a new softmax layer;
* **fine-tune all** — every layer trained, the pre-trained ones at a small learning rate.

The lecture's advice (and Yosinski et al., "How transferable are features in deep
neural networks?", NIPS 2014): the less labelled data, the more to freeze. Each point
is the mean of several seeds; the page says whether the crossover appears, and where.

Why the cut is below c5: trained on five classes only, LeNet-5's fully connected layers
are specific to them (Yosinski et al.'s finding: the higher a layer, the more specific);
many of c5's and f6's ReLUs never fire on a 5–9 digit, and a softmax on f6's 84 values
learns 5–9 far worse than one on the 400 convolutional features.
"""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from viz.training.common import LENET_BATCH, LENET_LR, error_rate, minibatches, new_lenet
from viz.training.data import classes_subset, lenet_digits, per_class
from viz.training.progress import Progress, StopCheck, stopped
from viz.training.results import METHODS, FeatureTiming, Pretraining, TransferPoint, TransferResult
from viz.training.settings import TransferSettings

SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
PRETRAIN_EPOCHS = 3
PRETRAIN_SEED = 0  # one pre-trained network for every run (the "downloaded" weights)
HEAD_LR = 1e-2  # a new softmax layer, on top of fixed features: larger steps are safe
TIMING_EPOCHS = 10  # the tip pays off over epochs: once per image instead of once per image per epoch


FROZEN = ("c1", "s2", "c3", "s4")  # the convolutional part: what the frozen methods keep
TOP = ("c5", "f6")  # the last stage under the softmax: what "fine-tune the last stage" trains
FEATURES = 16 * 5 * 5  # s4's output per digit


def backbone(model: nn.Module) -> nn.Sequential:
    """The frozen part of a LeNet-5 (c1 … s4), flattened: the features a new softmax layer reads."""
    kept = [(name, child) for name, child in model.named_children() if name in FROZEN]
    return nn.Sequential(OrderedDict([*kept, ("flatten", nn.Flatten())]))


def adam_train(model: nn.Module, groups: list[dict], x: torch.Tensor, y: torch.Tensor, rows: torch.Tensor,
               should_stop: StopCheck = None) -> bool:
    """Adam over ``rows`` (one minibatch of indices per step) on parameter ``groups``; False if stopped."""
    opt = torch.optim.Adam(groups)
    model.train()
    for idx in rows:
        if stopped(should_stop):
            return False
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return True


def pretrain(should_stop: StopCheck = None) -> tuple[nn.Module, Pretraining] | None:
    """LeNet-5 trained on every training digit 0–4 (the source task); None if stopped."""
    data = lenet_digits()
    x, y = classes_subset(data.x_train, data.y_train, SOURCE_CLASSES)
    xt, yt = classes_subset(data.x_test, data.y_test, SOURCE_CLASSES)
    model = new_lenet(len(SOURCE_CLASSES), PRETRAIN_SEED)
    steps = PRETRAIN_EPOCHS * (len(x) // LENET_BATCH)
    t0 = time.perf_counter()
    rows = minibatches(len(x), steps, PRETRAIN_SEED)
    if not adam_train(model, [{"params": model.parameters(), "lr": LENET_LR}], x, y, rows, should_stop):
        return None
    return model.eval(), Pretraining(round(time.perf_counter() - t0, 3), len(x), 1 - error_rate(model, xt, yt))


def _new_head(seed: int, inputs: int = FEATURES) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(inputs, len(TARGET_CLASSES))


def transferred(pre: nn.Module, seed: int, trainable: tuple[str, ...]) -> nn.Module:
    """A copy of ``pre`` with a new softmax layer; the children named in ``trainable`` (and it) learn.

    LeNet-5 has no batch norm or dropout, so a frozen layer computes the same in either mode.
    """
    model = copy.deepcopy(pre)
    model.output = nn.Sequential(OrderedDict(fc=_new_head(seed, model.output.fc.in_features)))
    for name, child in model.named_children():
        child.requires_grad_(name in trainable or name == "output")
    return model


def train_method(method: str, pre: nn.Module, x: torch.Tensor, y: torch.Tensor, rows: torch.Tensor,
                 seed: int, finetune_lr: float, should_stop: StopCheck = None):
    """Train one method on ``(x, y)`` along ``rows``; (the model, seconds), or None if stopped."""
    t0 = time.perf_counter()
    if method == "scratch":
        model = new_lenet(len(TARGET_CLASSES), seed)
        groups = [{"params": model.parameters(), "lr": LENET_LR}]
    elif method == "frozen":
        head = _new_head(seed)
        feats = precompute(pre, x)  # the frozen layers' output, once
        if not adam_train(head, [{"params": head.parameters(), "lr": HEAD_LR}], feats, y, rows, should_stop):
            return None
        return nn.Sequential(OrderedDict(backbone=backbone(pre), head=head)).eval(), time.perf_counter() - t0
    else:
        trainable = TOP if method == "finetune_last" else tuple(n for n, _ in pre.named_children())
        model = transferred(pre, seed, trainable)
        old = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("output")]
        groups = [{"params": model.output.parameters(), "lr": HEAD_LR}, {"params": old, "lr": finetune_lr}]
    if not adam_train(model, groups, x, y, rows, should_stop):
        return None
    return model.eval(), time.perf_counter() - t0


@torch.no_grad()
def precompute(pre: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The frozen layers' output (c1 … s4 of the pre-trained LeNet-5, flattened) for ``x``."""
    return backbone(pre).eval()(x)


def feature_timing(pre: nn.Module, x: torch.Tensor, y: torch.Tensor, seed: int,
                   epochs: int = TIMING_EPOCHS) -> FeatureTiming:
    """The softmax layer trained twice the same way for ``epochs`` epochs: on features computed once,
    and through a forward pass of the frozen layers at every step. Same seed, same minibatches: the
    same head, the same logits."""
    data = lenet_digits()
    steps = epochs * max(1, len(x) // LENET_BATCH)
    x_test, _ = classes_subset(data.x_test, data.y_test, TARGET_CLASSES)
    rows = minibatches(len(x), steps, seed)
    frozen = backbone(pre).eval().requires_grad_(False)
    t0 = time.perf_counter()
    feats = precompute(pre, x)
    t_pre = time.perf_counter() - t0
    head = _new_head(seed)
    adam_train(head, [{"params": head.parameters(), "lr": HEAD_LR}], feats, y, rows)
    t_fast = time.perf_counter() - t0
    full = nn.Sequential(OrderedDict(backbone=frozen, head=_new_head(seed)))
    t0 = time.perf_counter()
    adam_train(full, [{"params": full.head.parameters(), "lr": HEAD_LR}], x, y, rows)
    t_full = time.perf_counter() - t0
    with torch.no_grad():
        diff = float((head(precompute(pre, x_test)) - full.eval()(x_test)).abs().max())
    return FeatureTiming(len(x), steps, round(t_pre, 4), round(t_fast, 4), round(t_full, 4), diff,
                         feats.shape[1])


def run_transfer(settings: TransferSettings | None = None, should_stop: StopCheck = None) -> Iterator[Progress]:
    """Pre-train once, then every size × method × seed; then the precomputing tip, timed."""
    s = (settings or TransferSettings()).validated()
    data = lenet_digits()
    x_all, y_all = classes_subset(data.x_train, data.y_train, TARGET_CLASSES)
    x_test, y_test = classes_subset(data.x_test, data.y_test, TARGET_CLASSES)
    seeds = range(s.seed, s.seed + s.seeds)
    total = 1 + len(s.sizes) * len(METHODS) * s.seeds + 1
    points: list[TransferPoint] = []
    state: dict = {"pretrain": None, "timing": None, "stopped": False}

    def snapshot() -> TransferResult:
        return TransferResult(s, len(x_test), state["pretrain"], tuple(points), state["timing"], state["stopped"])

    yield Progress(0, total, "pre-training LeNet-5 on the digits 0–4", snapshot())
    pre = pretrain(should_stop)
    if pre is None:
        state["stopped"] = True
        yield Progress(0, total, "done", snapshot(), done=True)
        return
    pre_model, state["pretrain"] = pre
    models: dict[str, nn.Module] = {"pretrained": pre_model}
    step = 1
    for n in s.sizes:
        for seed in seeds:
            rows_x = per_class(y_all, n, seed)
            x, y = x_all[rows_x], y_all[rows_x]
            rows = minibatches(len(x), s.steps, seed)
            for method in METHODS:
                yield Progress(step, total, f"{METHODS[method]}, {n} per class, seed {seed}", snapshot())
                trained = train_method(method, pre_model, x, y, rows, seed, s.finetune_lr, should_stop)
                if trained is None:
                    state["stopped"] = True
                    yield Progress(step, total, "done", snapshot(), done=True, models=models)
                    return
                model, secs = trained
                points.append(TransferPoint(method, n, seed, 1 - error_rate(model, x_test, y_test), round(secs, 4)))
                models[f"{method}/{n}/{seed}"] = model
                step += 1
    yield Progress(step, total, "timing the precomputed features", snapshot())
    rows_x = per_class(y_all, max(s.sizes), s.seed)
    state["timing"] = feature_timing(pre_model, x_all[rows_x], y_all[rows_x], s.seed)
    yield Progress(total, total, "done", snapshot(), done=True, models=models)
