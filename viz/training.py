"""The Training Lab's experiments: small, real training runs on the CPU.

Data: the 1,797 8×8 grey handwritten digits that ship inside scikit-learn's
wheel (``sklearn.datasets.load_digits``, the UCI "optdigits" set) — nothing is
downloaded. A fixed stratified split (2/3 train, 1/3 test) is used by every
experiment.

Three experiments, each a generator that yields :class:`Progress` events so a
page can fill a chart as it trains, and stops cleanly (a ``should_stop``
callback checked between steps, or closing the generator):

* :func:`run_depth` — plain vs residual ``6n + 2`` networks at several depths
  (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, §4.2 and
  Fig. 6): the same optimiser, steps, learning rate, seed and minibatches for all.
* :func:`run_transfer` — pre-train on digits 0–4, then learn 5–9 from a few
  examples per class: from scratch, frozen backbone + softmax layer trained on
  features precomputed once (timed against the same training with a full
  forward pass each step), and fine-tuning the last stage with a small learning
  rate (the lecture's transfer-learning advice; Yosinski et al., "How transferable
  are features in deep neural networks?", NeurIPS 2014).
* :func:`run_ensemble` — ``k`` networks from different seeds; each one's test
  accuracy and that of their averaged probabilities, and the prediction cost × k.

Results are plain, JSON-serialisable dicts carrying their settings and
:data:`SCHEMA`. ``python -m viz.training precompute`` stores the default runs
under ``viz/assets/training/`` so the page can show them instantly.

Also here: :func:`freeze_plan`, the freeze planner for any zoo network
(frozen vs trainable parameters and the size of the precomputed features).
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from architectures.resnet_cifar import CifarResNet, blocks_per_stage, weighted_layers

SCHEMA = 1  # bump when the result dicts change shape; the stored files must match
ASSETS = Path(__file__).resolve().parent / "assets" / "training"
EXPERIMENTS = ("depth", "transfer", "ensemble")

# Optimiser shared by every run (He et al. 2016 §3.4/§4.2: SGD, momentum 0.9,
# weight decay 1e-4); only the learning rate is a setting.
MOMENTUM = 0.9
WEIGHT_DECAY = 1e-4


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Digits:
    """The fixed split, standardised with the training set's mean and std; ``(N, 1, 8, 8)``."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.lru_cache(maxsize=1)
def digits() -> Digits:
    """scikit-learn's bundled 8×8 digits, split 2/3 : 1/3 stratified with a fixed seed (0).

    Shared and cached: callers index these tensors and never modify them.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    images = data.images.astype(np.float32) / 16.0  # pixel values are 0..16
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, data.target, test_size=1 / 3, stratify=data.target, random_state=0
    )
    mean, std = float(x_tr.mean()), float(x_tr.std())

    def prep(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy((x - mean) / std).unsqueeze(1).contiguous()

    return Digits(prep(x_tr), torch.from_numpy(y_tr).long(), prep(x_te), torch.from_numpy(y_te).long())


# --------------------------------------------------------------------------- settings


def _check_int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {value!r}.")
    return int(value)


def _check_float(name: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number from {lo} to {hi}; got {value!r}.")
    return float(value)


def _check_widths(widths: Any) -> tuple[int, int, int]:
    if not isinstance(widths, (tuple, list)) or len(widths) != 3:
        raise ValueError(f"widths must be three whole numbers (one per stage); got {widths!r}.")
    return tuple(_check_int("each width", w, 1, 64) for w in widths)  # type: ignore[return-value]


class _Settings:
    """Shared helpers of the settings dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]):
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(sorted(names))}.")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}).validated()


@dataclass(frozen=True)
class DepthSettings(_Settings):
    """Plain vs residual at several depths. Defaults run in about a minute on 2 cores."""

    depths: tuple[int, ...] = (8, 20, 32, 56)
    widths: tuple[int, int, int] = (8, 16, 32)
    steps: int = 200
    batch_size: int = 64
    lr: float = 0.1  # He et al. 2016 §4.2 start at 0.1
    seed: int = 0

    def validated(self) -> DepthSettings:
        if not isinstance(self.depths, (tuple, list)) or not 1 <= len(self.depths) <= 6:
            raise ValueError(f"choose from 1 to 6 depths; got {self.depths!r}.")
        depths = tuple(sorted({_check_int("each depth", d, 8, 110) for d in self.depths}))
        for d in depths:
            blocks_per_stage(d)  # raises ValueError naming the 6n + 2 rule
        return DepthSettings(
            depths=depths,
            widths=_check_widths(self.widths),
            steps=_check_int("steps", self.steps, 5, 2000),
            batch_size=_check_int("batch size", self.batch_size, 4, 512),
            lr=_check_float("learning rate", self.lr, 1e-4, 1.0),
            seed=_check_int("seed", self.seed, 0, 2**31 - 1),
        )


@dataclass(frozen=True)
class TransferSettings(_Settings):
    """Pre-train on digits 0–4, then learn 5–9 from ``per_class`` examples per class."""

    per_class: int = 5
    depth: int = 14
    widths: tuple[int, int, int] = (8, 16, 32)
    pretrain_steps: int = 300
    steps: int = 150
    lr: float = 0.05  # scratch and the softmax layer
    finetune_lr: float = 0.005  # "a small learning rate" for the unfrozen layers
    seed: int = 0

    def validated(self) -> TransferSettings:
        depth = _check_int("depth", self.depth, 8, 56)
        blocks_per_stage(depth)
        return TransferSettings(
            per_class=_check_int("examples per class", self.per_class, 1, 100),
            depth=depth,
            widths=_check_widths(self.widths),
            pretrain_steps=_check_int("pre-training steps", self.pretrain_steps, 1, 5000),
            steps=_check_int("steps", self.steps, 1, 5000),
            lr=_check_float("learning rate", self.lr, 1e-5, 1.0),
            finetune_lr=_check_float("fine-tuning learning rate", self.finetune_lr, 1e-6, 1.0),
            seed=_check_int("seed", self.seed, 0, 2**31 - 1),
        )


@dataclass(frozen=True)
class EnsembleSettings(_Settings):
    """``k`` networks trained from different seeds on the same ``train_size`` images."""

    k: int = 5
    train_size: int = 200
    depth: int = 8
    widths: tuple[int, int, int] = (8, 16, 32)
    steps: int = 150
    batch_size: int = 32
    lr: float = 0.05
    seed: int = 0

    def validated(self) -> EnsembleSettings:
        depth = _check_int("depth", self.depth, 8, 56)
        blocks_per_stage(depth)
        return EnsembleSettings(
            k=_check_int("k (number of networks)", self.k, 1, 5),
            train_size=_check_int("training images", self.train_size, 20, 1198),
            depth=depth,
            widths=_check_widths(self.widths),
            steps=_check_int("steps", self.steps, 1, 5000),
            batch_size=_check_int("batch size", self.batch_size, 4, 512),
            lr=_check_float("learning rate", self.lr, 1e-5, 1.0),
            seed=_check_int("seed", self.seed, 0, 2**31 - 1 - 5),
        )


SETTINGS = {"depth": DepthSettings, "transfer": TransferSettings, "ensemble": EnsembleSettings}


# --------------------------------------------------------------------------- progress and control


@dataclass
class Progress:
    """One progress event. ``result`` is the (partial, then final) JSON-able result.

    ``models`` is set on the final event only, for tests and callers that want
    the trained modules (never serialised).
    """

    step: int
    total: int
    stage: str
    result: dict[str, Any]
    done: bool = False
    models: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total else 1.0


class TrainingBusy(RuntimeError):
    """Another training run is already using this server's CPU."""


_TRAINING_LOCK = threading.Lock()


@contextmanager
def training_slot():
    """Hold the server's single training slot, or raise :class:`TrainingBusy` at once.

    Training runs for up to a minute in the caller's thread; two at once on a
    2-core machine would each take twice as long and starve everyone else, so a
    second caller gets a clear "busy" answer instead of a queue.
    """
    if not _TRAINING_LOCK.acquire(blocking=False):
        raise TrainingBusy(
            "Another training run is in progress on this server (one at a time keeps the CPU "
            "usable for everyone). The stored results are shown; try again in a minute."
        )
    try:
        yield
    finally:
        _TRAINING_LOCK.release()


def _stopped(should_stop: Callable[[], bool] | None) -> bool:
    return bool(should_stop is not None and should_stop())


def _sgd(params, lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)


def _train_step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor):
    """One SGD step; returns (loss, error) on this minibatch, measured before the update."""
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss.detach()), float((logits.detach().argmax(1) != y).float().mean())


@torch.no_grad()
def error_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 512) -> float:
    """Top-1 error of ``model`` (in eval mode, restored after) on ``x``."""
    was = model.training
    model.eval()
    wrong = 0
    for i in range(0, len(x), batch):
        wrong += int((model(x[i:i + batch]).argmax(1) != y[i:i + batch]).sum())
    model.train(was)
    return wrong / max(1, len(x))


def _count(model: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# --------------------------------------------------------------------------- 1. plain vs residual


def run_depth(
    settings: DepthSettings | None = None,
    should_stop: Callable[[], bool] | None = None,
    report_every: int = 1,
) -> Iterator[Progress]:
    """Train plain and residual ``6n + 2`` networks at each depth, side by side.

    Every network sees the same minibatches in the same order (one index
    generator seeded with ``seed``), starts from weights drawn after
    ``torch.manual_seed(seed)``, and uses the same SGD settings — so the only
    difference between a plain net and its residual twin is the shortcut
    (and the two 1×1 projections where shapes change). The networks take turns,
    one step each, so the curves grow together and a stopped run compares them
    at the same step.
    """
    s = (settings or DepthSettings()).validated()
    data = digits()
    runs: list[dict[str, Any]] = []
    nets = []
    for depth in s.depths:
        for residual in (False, True):
            torch.manual_seed(s.seed)
            model = CifarResNet(depth, residual, s.widths)
            nets.append((model, _sgd(model.parameters(), s.lr)))
            runs.append({
                "depth": depth, "residual": residual, "layers": weighted_layers(model),
                "params": _count(model), "loss": [], "error": [], "seconds": 0.0,
            })
    result: dict[str, Any] = {
        "experiment": "depth", "schema": SCHEMA, "settings": s.to_dict(),
        "runs": runs, "steps_done": 0, "stopped": False,
    }
    gen = torch.Generator().manual_seed(s.seed)
    n = len(data.x_train)
    start = time.perf_counter()
    for step in range(1, s.steps + 1):
        if _stopped(should_stop):
            result["stopped"] = True
            break
        idx = torch.randint(0, n, (s.batch_size,), generator=gen)
        xb, yb = data.x_train[idx], data.y_train[idx]
        for (model, opt), run in zip(nets, runs):
            t0 = time.perf_counter()
            loss, err = _train_step(model, opt, xb, yb)
            run["seconds"] += time.perf_counter() - t0
            run["loss"].append(loss)
            run["error"].append(err)
        result["steps_done"] = step
        if step % report_every == 0 and step < s.steps:
            yield Progress(step, s.steps, "training", result)
    # Final errors on the whole training and test sets (eval mode: BN's running statistics).
    for (model, _), run in zip(nets, runs):
        run["train_error"] = error_rate(model, data.x_train, data.y_train)
        run["test_error"] = error_rate(model, data.x_test, data.y_test)
        run["seconds"] = round(run["seconds"], 3)
    result["seconds"] = round(time.perf_counter() - start, 3)
    models = {f"{'residual' if r['residual'] else 'plain'}-{r['depth']}": m for (m, _), r in zip(nets, runs)}
    yield Progress(result["steps_done"], s.steps, "done", result, done=True, models=models)


# --------------------------------------------------------------------------- 2. transfer learning

SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)


def _subset(x: torch.Tensor, y: torch.Tensor, classes: tuple[int, ...]):
    """Images of ``classes``, labels renumbered 0..len(classes)-1."""
    mask = torch.isin(y, torch.tensor(classes))
    return x[mask], y[mask] - classes[0]


def few_shot(per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``per_class`` training images of each target digit (5–9), chosen with ``seed``."""
    data = digits()
    x, y = _subset(data.x_train, data.y_train, TARGET_CLASSES)
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
                     should_stop: Callable[[], bool] | None, tick: Callable[[int], Progress | None]):
    """Full-batch SGD of ``params`` through ``model`` for ``steps`` steps (a generator).

    Yields whatever ``tick(step)`` returns (progress events); returns the losses.
    """
    opt = _sgd(params, lr)
    losses: list[float] = []
    for step in range(1, steps + 1):
        if _stopped(should_stop):
            break
        losses.append(_train_step(model, opt, x, y)[0])
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
    should_stop: Callable[[], bool] | None = None,
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
    result: dict[str, Any] = {
        "experiment": "transfer", "schema": SCHEMA, "settings": s.to_dict(),
        "methods": {}, "stopped": False,
    }
    n_cls = len(TARGET_CLASSES)
    x_src, y_src = _subset(data.x_train, data.y_train, SOURCE_CLASSES)
    xs_test, ys_test = _subset(data.x_test, data.y_test, SOURCE_CLASSES)
    x_few, y_few = few_shot(s.per_class, s.seed)
    x_test, y_test = _subset(data.x_test, data.y_test, TARGET_CLASSES)
    result["n_train"] = len(x_few)
    result["n_test"] = len(x_test)
    models: dict[str, Any] = {}
    done_before = 0

    def ticker(stage: str):
        def tick(step: int) -> Progress | None:
            if step % report_every == 0:
                return Progress(done_before + step, total, stage, result)
            return None
        return tick

    # 1. Pre-train on the source task (minibatches of 64, learning rate 0.1).
    torch.manual_seed(s.seed)
    pre = CifarResNet(s.depth, True, s.widths, num_classes=len(SOURCE_CLASSES))
    opt = _sgd(pre.parameters(), 0.1)
    gen = torch.Generator().manual_seed(s.seed)
    t0 = time.perf_counter()
    pre_losses = []
    tick = ticker("pre-training on digits 0–4")
    for step in range(1, s.pretrain_steps + 1):
        if _stopped(should_stop):
            break
        idx = torch.randint(0, len(x_src), (64,), generator=gen)
        pre_losses.append(_train_step(pre, opt, x_src[idx], y_src[idx])[0])
        event = tick(step)
        if event is not None:
            yield event
    result["pretrain"] = {
        "seconds": round(time.perf_counter() - t0, 3), "loss": pre_losses,
        "source_test_accuracy": 1 - error_rate(pre, xs_test, ys_test), "images": len(x_src),
    }
    models["pretrained"] = pre
    done_before = s.pretrain_steps

    def record(name: str, label: str, model: nn.Module, seconds: float, losses: list[float], **extra):
        nonlocal done_before
        done_before += s.steps
        if len(losses) < s.steps:
            result["stopped"] = True
            return
        result["methods"][name] = {
            "label": label, "seconds": round(seconds, 4), "loss": losses,
            "test_accuracy": 1 - error_rate(model, x_test, y_test),
            "trainable_params": _count(model, trainable_only=True), "params": _count(model), **extra,
        }
        models[name] = model

    def go_on() -> bool:
        return not result["stopped"] and not _stopped(should_stop) and len(pre_losses) == s.pretrain_steps

    # 2. From scratch: the same architecture, random weights, all layers trained.
    if go_on():
        torch.manual_seed(s.seed)
        scratch = CifarResNet(s.depth, True, s.widths, num_classes=n_cls)
        t0 = time.perf_counter()
        losses = yield from _full_batch_loop(scratch, scratch.parameters(), x_few, y_few, s.steps, s.lr,
                                             should_stop, ticker("training from scratch"))
        record("scratch", "from scratch", scratch, time.perf_counter() - t0, losses)

    # 3. Frozen backbone, softmax layer trained on features precomputed once.
    if go_on():
        torch.manual_seed(s.seed)
        frozen = FrozenBackbone(copy.deepcopy(pre), n_cls)
        t0 = time.perf_counter()
        feats = frozen.precompute(x_few)
        t_feats = time.perf_counter() - t0
        losses = yield from _full_batch_loop(frozen.head, frozen.head.parameters(), feats, y_few, s.steps,
                                             s.lr, should_stop, ticker("frozen backbone, precomputed features"))
        record("frozen", "frozen + precomputed features", frozen, time.perf_counter() - t0, losses,
               precompute_seconds=round(t_feats, 4), feature_shape=list(feats.shape[1:]),
               feature_bytes=feats.numel() * feats.element_size())

    # 4. The same, with the frozen backbone's forward pass at every step (the timing twin).
    if go_on():
        torch.manual_seed(s.seed)
        twin = FrozenBackbone(copy.deepcopy(pre), n_cls)
        t0 = time.perf_counter()
        losses = yield from _full_batch_loop(twin, twin.head.parameters(), x_few, y_few, s.steps, s.lr,
                                             should_stop, ticker("frozen backbone, forward pass every step"))
        record("frozen_full", "frozen, forward pass every step", twin, time.perf_counter() - t0, losses)

    # 5. Fine-tune the last stage and the new softmax layer with a small learning rate.
    if go_on():
        tuned = fine_tune_model(pre, n_cls, s.seed)
        t0 = time.perf_counter()
        params = [p for p in tuned.parameters() if p.requires_grad]
        losses = yield from _full_batch_loop(tuned, params, x_few, y_few, s.steps, s.finetune_lr,
                                             should_stop, ticker("fine-tuning the last stage"))
        record("finetune", "fine-tune last stage (small lr)", tuned, time.perf_counter() - t0, losses)
    if len(result["methods"]) < 4:
        result["stopped"] = True
    m = result["methods"]
    if "frozen" in m and "frozen_full" in m:
        result["time_saved_seconds"] = round(m["frozen_full"]["seconds"] - m["frozen"]["seconds"], 4)
    yield Progress(min(done_before, total), total, "done", result, done=True, models=models)


# --------------------------------------------------------------------------- 3. ensembling


class Ensemble(nn.Module):
    """Averages its members' softmax probabilities (the lecture's ensembling)."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([F.softmax(m(x), dim=1) for m in self.members]).mean(0)


def run_ensemble(
    settings: EnsembleSettings | None = None,
    should_stop: Callable[[], bool] | None = None,
    report_every: int = 10,
) -> Iterator[Progress]:
    """Train ``k`` networks with seeds ``seed, seed+1 …`` on the same training images.

    The seed sets both the initial weights and the order of the minibatches.
    ``ensemble_accuracy[j]`` is the accuracy of the average of the first ``j+1``
    members' probabilities. Prediction cost: multiply-adds per image (traced)
    × k, and the measured time to predict the test set with one member and with all.
    """
    from viz.trace import trace

    s = (settings or EnsembleSettings()).validated()
    data = digits()
    gen = torch.Generator().manual_seed(0)  # the training subset is fixed; members differ by seed only
    subset = torch.randperm(len(data.x_train), generator=gen)[: s.train_size]
    x_tr, y_tr = data.x_train[subset], data.y_train[subset]
    total = s.k * s.steps
    result: dict[str, Any] = {
        "experiment": "ensemble", "schema": SCHEMA, "settings": s.to_dict(),
        "members": [], "stopped": False, "n_test": len(data.x_test),
    }
    members: list[nn.Module] = []
    for i in range(s.k):
        seed = s.seed + i
        torch.manual_seed(seed)
        model = CifarResNet(s.depth, True, s.widths)
        opt = _sgd(model.parameters(), s.lr)
        batches = torch.Generator().manual_seed(seed)
        member = {"seed": seed, "loss": [], "seconds": 0.0}
        result["members"].append(member)
        for step in range(1, s.steps + 1):
            if _stopped(should_stop):
                result["stopped"] = True
                break
            idx = torch.randint(0, len(x_tr), (min(s.batch_size, len(x_tr)),), generator=batches)
            t0 = time.perf_counter()
            member["loss"].append(_train_step(model, opt, x_tr[idx], y_tr[idx])[0])
            member["seconds"] += time.perf_counter() - t0
            if step % report_every == 0:
                yield Progress(i * s.steps + step, total, f"training network {i + 1} of {s.k}", result)
        if result["stopped"]:
            result["members"].pop()
            break
        member["seconds"] = round(member["seconds"], 3)
        member["test_accuracy"] = 1 - error_rate(model, data.x_test, data.y_test)
        members.append(model.eval())

    # The averaged ensemble of the first j members, j = 1..k (members that finished).
    accs = []
    with torch.no_grad():
        probs = [F.softmax(m(data.x_test), dim=1) for m in members]
        for j in range(1, len(probs) + 1):
            mean = torch.stack(probs[:j]).mean(0)
            accs.append(float((mean.argmax(1) == data.y_test).float().mean()))
    result["ensemble_accuracy"] = accs
    if members:
        macs = trace(members[0], (1, 1, 8, 8)).total_macs
        result["macs_per_image"] = macs
        result["ensemble_macs_per_image"] = macs * len(members)
        result["predict_seconds_one"] = _median_time(lambda: members[0](data.x_test))
        ens = Ensemble(members).eval()
        result["predict_seconds_all"] = _median_time(lambda: ens(data.x_test))
    yield Progress(total, total, "done", result, done=True,
                   models={"members": members, "ensemble": Ensemble(members).eval()})


@torch.no_grad()
def _median_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(float(np.median(times)), 5)


RUNNERS = {"depth": run_depth, "transfer": run_transfer, "ensemble": run_ensemble}


def run_to_end(experiment: str, settings=None, should_stop=None) -> Progress:
    """Run ``experiment`` to completion; return its final event."""
    events = list(RUNNERS[experiment](settings, should_stop=should_stop))
    assert events and events[-1].done
    return events[-1]


# --------------------------------------------------------------------------- what a result shows


def final_error(run: dict[str, Any]) -> float:
    """A depth run's whole-training-set error if it finished, else the mean of its last 20 minibatches."""
    if "train_error" in run:
        return float(run["train_error"])
    errs = run.get("error") or [float("nan")]
    return float(np.mean(errs[-20:]))


def depth_verdict(result: dict[str, Any], margin: float = 0.01) -> tuple[bool, str]:
    """Does this run show the degradation problem? (shown, one-sentence explanation).

    "Shown" means: the deepest plain net ends with a training error more than
    ``margin`` above the shallowest plain net's, and the deepest ResNet's is not
    more than ``margin`` above the shallowest ResNet's. Computed from the run,
    whatever the settings — the page says so when a run does not show it.
    """
    plain = sorted((r for r in result["runs"] if not r["residual"]), key=lambda r: r["depth"])
    res = sorted((r for r in result["runs"] if r["residual"]), key=lambda r: r["depth"])
    if len(plain) < 2:
        return False, "Choose at least two depths to compare how training error changes with depth."
    p0, p1 = final_error(plain[0]), final_error(plain[-1])
    r0, r1 = final_error(res[0]), final_error(res[-1])
    d0, d1 = plain[0]["depth"], plain[-1]["depth"]
    facts = (f"plain {d0} → {d1} layers: {p0:.1%} → {p1:.1%} training error; "
             f"residual {d0} → {d1}: {r0:.1%} → {r1:.1%}.")
    if result.get("stopped"):
        return False, (f"Stopped after {result.get('steps_done', 0)} of {result['settings']['steps']} steps — "
                       "too early to judge; the numbers so far: " + facts)
    plain_worse = p1 > p0 + margin
    res_holds = r1 <= r0 + margin
    if plain_worse and res_holds:
        return True, "This run shows the degradation problem and its cure: " + facts
    if plain_worse and (r1 - r0) < (p1 - p0) / 4:
        return False, ("The plain nets get much worse with depth; the ResNets only slightly — with this "
                       "budget of steps the deepest ResNet is still a little behind the shallowest, so this "
                       "run shows the degradation of plain nets, and ResNets largely but not completely "
                       "escaping it: " + facts)
    if plain_worse:
        return False, ("The plain nets get worse with depth, but here the ResNets do too, so this run "
                       "does not show the ResNets' cure: " + facts)
    return False, "This run does not show the degradation problem (the deeper plain net is not worse): " + facts


def transfer_verdict(result: dict[str, Any]) -> str:
    """One sentence on which method won, from the numbers."""
    m = {k: v for k, v in result["methods"].items() if k != "frozen_full"}
    if not m:
        return "No method finished."
    ranked = sorted(m, key=lambda k: -m[k]["test_accuracy"])
    parts = ", ".join(f"{m[k]['label']} {m[k]['test_accuracy']:.1%}" for k in ranked[1:])
    best = m[ranked[0]]
    return (f"Most accurate here with {result['n_train']} labelled images: {best['label']} "
            f"({best['test_accuracy']:.1%}); then {parts}." if parts else
            f"{best['label']}: {best['test_accuracy']:.1%} with {result['n_train']} labelled images.")


def ensemble_verdict(result: dict[str, Any]) -> str:
    accs = [m["test_accuracy"] for m in result["members"] if "test_accuracy" in m]
    if not accs or not result.get("ensemble_accuracy"):
        return "No network finished."
    ens = result["ensemble_accuracy"][-1]
    best, mean = max(accs), float(np.mean(accs))
    if len(accs) == 1:
        return f"One network: {best:.1%}. Choose k ≥ 2 to see what averaging adds."
    relation = "beats" if ens > best else ("equals" if ens == best else "does not beat")
    return (f"The average of {len(accs)} networks scores {ens:.1%}: it {relation} the best single network "
            f"({best:.1%}); the networks' mean is {mean:.1%}.")


# --------------------------------------------------------------------------- results: store and cache


def stored_path(experiment: str) -> Path:
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}; choose one of {', '.join(EXPERIMENTS)}.")
    return ASSETS / f"{experiment}.json"


def load_stored(experiment: str) -> dict[str, Any] | None:
    """The precomputed result of ``experiment``, or None if missing or of another schema."""
    path = stored_path(experiment)
    if not path.exists():
        return None
    result = json.loads(path.read_text())
    return result if result.get("schema") == SCHEMA else None


def stored_for(experiment: str, settings) -> dict[str, Any] | None:
    """The stored result if it was computed with exactly ``settings``."""
    result = load_stored(experiment)
    if result is not None and result.get("settings") == settings.validated().to_dict():
        return result
    return None


class ResultCache:
    """A small, thread-safe, bounded (least recently used) map: settings → finished result.

    Shared by every session of a server so a classroom does not retrain the
    same settings; only complete (not stopped) results go in.
    """

    def __init__(self, max_entries: int = 16):
        self.max_entries = max_entries
        self._data: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(experiment: str, settings) -> tuple:
        return (experiment, json.dumps(settings.validated().to_dict(), sort_keys=True))

    def get(self, experiment: str, settings) -> dict | None:
        k = self.key(experiment, settings)
        with self._lock:
            if k in self._data:
                self._data.move_to_end(k)
                return self._data[k]
        return None

    def put(self, experiment: str, settings, result: dict) -> None:
        if result.get("stopped"):
            return
        k = self.key(experiment, settings)
        with self._lock:
            self._data[k] = result
            self._data.move_to_end(k)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


# --------------------------------------------------------------------------- freeze planner


@dataclass(frozen=True)
class CutPoint:
    """A place to cut a network: everything computed up to here is frozen."""

    name: str
    layer_type: str
    output_shape: tuple[int, ...]  # per image, PyTorch order (C, H, W) or (F,)
    frozen_params: int  # parameters of every layer finished by this point


@functools.lru_cache(maxsize=32)
def cut_points(network: str) -> tuple[tuple[CutPoint, ...], int]:
    """The network's layers (depth ≤ 1 in the module tree) in the order they finish, and its total params.

    Built on the meta device (no weights allocated) and traced with a real
    forward pass of shapes. The frozen count at a cut is the sum of the
    parameters of every module that has finished by then — a block's own
    layers finish before the block does.
    """
    from architectures import build, get_spec
    from viz.trace import trace

    spec = get_spec(network)
    model = build(network, device="meta")
    result = trace(model, spec.input_size_for({}))
    records = result.records
    # Running sum of parameters in record order; a cut's frozen set ends at the last record of its
    # subtree (the cut itself when records are in finishing order, its last descendant when in
    # calling order) — so this holds whichever order the tracer uses.
    running = np.cumsum([r.params for r in records]) if records else np.zeros(0)
    points = []
    for rec in records:
        if rec.depth > 1 or not rec.output_shape:
            continue
        prefix = rec.name + "."
        end = max(j for j, r in enumerate(records) if r.name == rec.name or r.name.startswith(prefix))
        points.append(CutPoint(rec.name, rec.layer_type, tuple(rec.output_shape[1:]), int(running[end])))
    return tuple(points), result.total_params


@dataclass(frozen=True)
class FreezePlan:
    network: str
    cut: str
    frozen_params: int
    trainable_params: int
    total_params: int
    feature_shape: tuple[int, ...]
    feature_values: int  # per image
    n_images: int
    feature_bytes: int  # float32, all images

    def as_rows(self) -> list[tuple[str, str]]:
        return [
            ("frozen parameters", f"{self.frozen_params:,}"),
            ("trainable parameters", f"{self.trainable_params:,}"),
            ("feature shape per image", shape_text(self.feature_shape)),
            ("values per image", f"{self.feature_values:,}"),
            (f"precomputed features for {self.n_images:,} images (float32)", human_bytes(self.feature_bytes)),
        ]


def freeze_plan(network: str, cut: str, n_images: int) -> FreezePlan:
    """Freeze ``network`` up to and including layer ``cut``; precompute its output for ``n_images``.

    Trainable = every parameter not frozen, including layers the traced
    forward pass does not use (e.g. GoogLeNet's auxiliary classifiers in eval mode).
    """
    n_images = _check_int("number of images", n_images, 1, 10_000_000)
    points, total = cut_points(network)
    for p in points:
        if p.name == cut:
            values = int(np.prod(p.output_shape))
            return FreezePlan(network, cut, p.frozen_params, total - p.frozen_params, total,
                              p.output_shape, values, n_images, values * 4 * n_images)
    raise ValueError(f"{network} has no layer {cut!r}; choose one of: {', '.join(q.name for q in points)}.")


def shape_text(shape: tuple[int, ...]) -> str:
    """The lecture's n_H × n_W × n_C for (C, H, W); a vector as its length."""
    if len(shape) == 3:
        c, h, w = shape
        return f"{h} × {w} × {c}"
    return " × ".join(str(s) for s in shape)


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} TB"


# --------------------------------------------------------------------------- precompute command


def precompute(experiments: tuple[str, ...] = EXPERIMENTS, out: Path = ASSETS) -> dict[str, float]:
    """Run the default experiments and store them as JSON; returns seconds per experiment."""
    out.mkdir(parents=True, exist_ok=True)
    seconds = {}
    for name in experiments:
        t0 = time.perf_counter()
        result = run_to_end(name, SETTINGS[name]()).result
        seconds[name] = time.perf_counter() - t0
        result["computed_with"] = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                                   "wall_seconds": round(seconds[name], 2)}
        (out / f"{name}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return seconds


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m viz.training", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    pre = sub.add_parser("precompute", help="run the default experiments and store their results")
    pre.add_argument("experiments", nargs="*", help=f"which of {', '.join(EXPERIMENTS)} (default: all)")
    pre.add_argument("--threads", type=int, default=None,
                     help="torch intra-op threads (default: torch's own; 1 is steadier on a busy machine)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    bad = sorted(set(args.experiments) - set(EXPERIMENTS))
    if bad:
        parser.error(f"unknown experiment(s) {', '.join(bad)}; choose from {', '.join(EXPERIMENTS)}")
    for name, secs in precompute(tuple(args.experiments or EXPERIMENTS)).items():
        print(f"{name}: {secs:.1f} s -> {stored_path(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
