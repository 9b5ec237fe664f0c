"""Transfer learning: pre-train on digits 0–4, then learn 5–9 from a few examples per class.

Three ways, as the lecture advises them: from scratch; a frozen backbone with a
new softmax layer trained on features precomputed once (timed against the same
training with a full forward pass each step); and fine-tuning the last stage
with a small learning rate (Yosinski et al., "How transferable are features in
deep neural networks?", NIPS 2014).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator

import torch
from torch import nn

from architectures.resnet_cifar import CifarResNet
from viz.training.common import count_params, error_rate, sgd, train_step
from viz.training.data import classes_subset, digits
from viz.training.progress import Progress, StopCheck, stopped
from viz.training.results import METHODS, Pretraining, TransferMethod, TransferResult
from viz.training.settings import TransferSettings

SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
PRETRAIN_BATCH = 64
PRETRAIN_LR = 0.1


def few_shot(per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``per_class`` training images of each target digit (5–9), chosen with ``seed``."""
    data = digits()
    x, y = classes_subset(data.x_train, data.y_train, TARGET_CLASSES)
    gen = torch.Generator().manual_seed(seed)
    picks = []
    for c in range(len(TARGET_CLASSES)):
        where = torch.nonzero(y == c).flatten()
        picks.append(where[torch.randperm(len(where), generator=gen)[:per_class]])
    idx = torch.cat(picks)
    return x[idx], y[idx]


class FrozenBackbone(nn.Module):
    """A pre-trained network's ``features`` (frozen, eval mode) followed by a new softmax layer.

    ``forward(x) = head(backbone.features(x))`` — the full forward path;
    ``head(precompute(x))`` is the same computation split in two, so the
    features of a fixed training set are computed once, not at every step.
    """

    def __init__(self, backbone: CifarResNet, num_classes: int):
        super().__init__()
        self.backbone = backbone
        for p in self.backbone.parameters():
            p.requires_grad_(False)
        self.backbone.eval()  # BN uses its running statistics: features do not change
        self.head = nn.Linear(backbone.feature_dim, num_classes)

    def train(self, mode: bool = True):
        super().train(mode)
        self.backbone.eval()
        return self

    @torch.no_grad()
    def precompute(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            feats = self.backbone.features(x)
        return self.head(feats)


def _full_batch_loop(model: nn.Module, params, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float,
                     should_stop: StopCheck, tick: Callable[[int], Progress | None]):
    """Full-batch SGD of ``params`` through ``model`` for ``steps`` steps (a generator).

    Yields whatever ``tick(step)`` returns (progress events); returns the losses.
    """
    opt = sgd(params, lr)
    losses: list[float] = []
    for step in range(1, steps + 1):
        if stopped(should_stop):
            break
        losses.append(train_step(model, opt, x, y)[0])
        event = tick(step)
        if event is not None:
            yield event
    return losses


def train_head(head: nn.Linear, feats: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> list[float]:
    """Full-batch SGD on the softmax layer alone, on precomputed features."""
    events = _full_batch_loop(head, head.parameters(), feats, y, steps, lr, None, lambda _s: None)
    try:
        while True:
            next(events)
    except StopIteration as stop:
        return stop.value


def fine_tune_model(pretrained: CifarResNet, num_classes: int, seed: int,
                    trainable: tuple[str, ...] = ("stage3", "fc")) -> CifarResNet:
    """A copy of ``pretrained`` with a new softmax layer; only ``trainable`` children learn.

    The frozen part stays in eval mode (its batch norm keeps the pre-trained statistics).
    """
    model = copy.deepcopy(pretrained)
    torch.manual_seed(seed)
    model.fc = nn.Linear(model.feature_dim, num_classes)
    for name, child in model.named_children():
        child.requires_grad_(name in trainable)
    model.eval()
    for name in trainable:
        getattr(model, name).train()
    return model


def run_transfer(
    settings: TransferSettings | None = None,
    should_stop: StopCheck = None,
    report_every: int = 5,
) -> Iterator[Progress]:
    """Pre-train on 0–4, then learn 5–9 from a few examples three ways (+ the timing twin).

    Wall times cover training only (evaluation on the test set is excluded), and
    the frozen method's time includes computing the features. ``frozen_full`` is
    the same training as ``frozen`` (same head initialisation, same steps) but
    with the frozen backbone's forward pass at every step: the difference in
    time is what precomputing saves; its accuracy equals ``frozen``'s.
    Progress ``step`` counts optimisation steps over all phases.
    """
    s = (settings or TransferSettings()).validated()
    data = digits()
    total = s.pretrain_steps + 4 * s.steps
    n_cls = len(TARGET_CLASSES)
    x_src, y_src = classes_subset(data.x_train, data.y_train, SOURCE_CLASSES)
    xs_test, ys_test = classes_subset(data.x_test, data.y_test, SOURCE_CLASSES)
    x_few, y_few = few_shot(s.per_class, s.seed)
    x_test, y_test = classes_subset(data.x_test, data.y_test, TARGET_CLASSES)
    pretrain: Pretraining | None = None
    methods: list[TransferMethod] = []
    was_stopped = False
    models: dict[str, nn.Module] = {}
    done_before = 0

    def snapshot() -> TransferResult:
        return TransferResult(s, len(x_few), len(x_test), pretrain, tuple(methods), was_stopped)

    def ticker(stage: str):
        def tick(step: int) -> Progress | None:
            if step % report_every == 0:
                return Progress(done_before + step, total, stage, snapshot())
            return None
        return tick

    # 1. Pre-train on the source task.
    torch.manual_seed(s.seed)
    pre = CifarResNet(s.depth, True, s.widths, num_classes=len(SOURCE_CLASSES))
    opt = sgd(pre.parameters(), PRETRAIN_LR)
    gen = torch.Generator().manual_seed(s.seed)
    t0 = time.perf_counter()
    pre_losses = []
    tick = ticker("pre-training on digits 0–4")
    for step in range(1, s.pretrain_steps + 1):
        if stopped(should_stop):
            break
        idx = torch.randint(0, len(x_src), (PRETRAIN_BATCH,), generator=gen)
        pre_losses.append(train_step(pre, opt, x_src[idx], y_src[idx])[0])
        event = tick(step)
        if event is not None:
            yield event
    pretrain = Pretraining(round(time.perf_counter() - t0, 3), tuple(pre_losses),
                           1 - error_rate(pre, xs_test, ys_test), len(x_src))
    models["pretrained"] = pre
    done_before = s.pretrain_steps

    def record(name: str, model: nn.Module, seconds: float, losses: list[float], **extra):
        nonlocal done_before, was_stopped
        done_before += s.steps
        if len(losses) < s.steps:
            was_stopped = True
            return
        methods.append(TransferMethod(
            name, round(seconds, 4), tuple(losses), 1 - error_rate(model, x_test, y_test),
            count_params(model, trainable_only=True), count_params(model), **extra))
        models[name] = model

    def go_on() -> bool:
        return not was_stopped and not stopped(should_stop) and len(pre_losses) == s.pretrain_steps

    # 2. From scratch: the same architecture, random weights, all layers trained.
    if go_on():
        torch.manual_seed(s.seed)
        scratch = CifarResNet(s.depth, True, s.widths, num_classes=n_cls)
        t0 = time.perf_counter()
        losses = yield from _full_batch_loop(scratch, scratch.parameters(), x_few, y_few, s.steps, s.lr,
                                             should_stop, ticker("training from scratch"))
        record("scratch", scratch, time.perf_counter() - t0, losses)

    # 3. Frozen backbone, softmax layer trained on features precomputed once.
    if go_on():
        torch.manual_seed(s.seed)
        frozen = FrozenBackbone(copy.deepcopy(pre), n_cls)
        t0 = time.perf_counter()
        feats = frozen.precompute(x_few)
        t_feats = time.perf_counter() - t0
        losses = yield from _full_batch_loop(frozen.head, frozen.head.parameters(), feats, y_few, s.steps,
                                             s.lr, should_stop, ticker("frozen backbone, precomputed features"))
        record("frozen", frozen, time.perf_counter() - t0, losses,
               precompute_seconds=round(t_feats, 4), feature_shape=tuple(feats.shape[1:]),
               feature_bytes=feats.numel() * feats.element_size())

    # 4. The same, with the frozen backbone's forward pass at every step (the timing twin).
    if go_on():
        torch.manual_seed(s.seed)
        twin = FrozenBackbone(copy.deepcopy(pre), n_cls)
        t0 = time.perf_counter()
        losses = yield from _full_batch_loop(twin, twin.head.parameters(), x_few, y_few, s.steps, s.lr,
                                             should_stop, ticker("frozen backbone, forward pass every step"))
        record("frozen_full", twin, time.perf_counter() - t0, losses)

    # 5. Fine-tune the last stage and the new softmax layer with a small learning rate.
    if go_on():
        tuned = fine_tune_model(pre, n_cls, s.seed)
        t0 = time.perf_counter()
        params = [p for p in tuned.parameters() if p.requires_grad]
        losses = yield from _full_batch_loop(tuned, params, x_few, y_few, s.steps, s.finetune_lr,
                                             should_stop, ticker("fine-tuning the last stage"))
        record("finetune", tuned, time.perf_counter() - t0, losses)
    if len(methods) < len(METHODS):
        was_stopped = True
    yield Progress(min(done_before, total), total, "done", snapshot(), done=True, models=models)
