"""Training LeNet-5 on the shipped MNIST digits, as a generator of progress events.

:func:`train_lenet` yields :class:`Progress` while it trains, :class:`EpochDone` after each
epoch (with the held-out test accuracy), and finally :class:`Finished` (the trained
weights and how they were made) — or :class:`Stopped` as soon as ``should_stop()`` says so.
A page draws a progress bar from the events and passes a Stop button's state as
``should_stop``; the command ``python -m viz.trained train`` and the tests use the same
generator (through :func:`train_to_end`).

Recipe (the defaults of :class:`TrainConfig`): Adam, learning rate 2e-3 decayed to 0 on a
cosine over all steps, minibatches of 32, cross-entropy on the 10 outputs, and each
training digit shifted by up to 2 pixels at random each time it is seen. The shift keeps
the digit inside the 32×32 field (MNIST centres it in 20×20 inside 28×28, then 2 pixels
of padding); it stands in for the paper's distortions (LeCun et al. 1998, §III.C: training
on "artificially distorted versions of the original training samples" brought LeNet-5's
test error from 0.95% to 0.8%). On 4,000 digits it is the difference between ≈97.0% and
≈97.8% for the modern style (benchmarks/lenet_train.py).

Reproducible: the seed fixes the initial weights, the order of the minibatches and the
shifts; with one thread (``threads=1``) the same config gives the same weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import torch
from torch import nn

import architectures
from architectures.lenet import STYLES
from viz.data import mnist

MAX_EPOCHS = 50
MIN_LR, MAX_LR = 1e-5, 0.1


@dataclass(frozen=True)
class TrainConfig:
    """How one LeNet-5 is trained. ``train_per_class`` < 400 trains on a smaller slice (tests)."""

    style: str = "modern"
    epochs: int = 15
    lr: float = 2e-3
    batch_size: int = 32
    seed: int = 0
    shift: int = 2  # random shift in pixels, each way (0 = none)
    train_per_class: int = mnist.TRAIN_PER_CLASS

    def check(self) -> TrainConfig:
        """This config, or ``ValueError`` saying which setting is out of range and what is allowed."""
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if not (isinstance(self.epochs, int) and 1 <= self.epochs <= MAX_EPOCHS):
            raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, not {self.epochs!r}")
        if not (isinstance(self.lr, (int, float)) and MIN_LR <= self.lr <= MAX_LR):
            raise ValueError(f"the learning rate must be from {MIN_LR:g} to {MAX_LR:g}, not {self.lr!r}")
        if not 1 <= self.batch_size <= 1024:
            raise ValueError(f"batch_size must be from 1 to 1024, not {self.batch_size!r}")
        if not 0 <= self.shift <= 4:
            raise ValueError(f"shift must be from 0 to 4 pixels, not {self.shift!r}")
        if not 1 <= self.train_per_class <= mnist.TRAIN_PER_CLASS:
            raise ValueError(f"train_per_class must be from 1 to {mnist.TRAIN_PER_CLASS}")
        return self


@dataclass(frozen=True)
class Progress:
    """Part-way through an epoch: ``step`` of ``steps`` minibatches in all."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float  # mean training loss of the minibatches since the last event
    seconds: float

    @property
    def fraction(self) -> float:
        return self.step / self.steps


@dataclass(frozen=True)
class EpochDone:
    epoch: int
    epochs: int
    step: int
    steps: int
    train_loss: float
    test_accuracy: float
    seconds: float

    @property
    def fraction(self) -> float:
        return self.step / self.steps


@dataclass(frozen=True)
class TrainResult:
    """Trained weights (a plain ``state_dict`` of CPU tensors) and how they were made."""

    config: TrainConfig
    state: dict[str, torch.Tensor]
    test_accuracy: float
    test_correct: int
    test_total: int
    seconds: float
    history: tuple[EpochDone, ...]
    threads: int
    torch_version: str

    def info(self) -> dict:
        """What the JSON beside stored weights records."""
        return {
            "network": "lenet5",
            **asdict(self.config),
            "optimizer": "Adam, cosine decay to 0",
            "test_accuracy": self.test_accuracy,
            "test_correct": self.test_correct,
            "test_total": self.test_total,
            "seconds": round(self.seconds, 1),
            "threads": self.threads,
            "torch_version": self.torch_version,
            "epoch_test_accuracy": [round(e.test_accuracy, 4) for e in self.history],
        }


@dataclass(frozen=True)
class Finished:
    result: TrainResult


@dataclass(frozen=True)
class Stopped:
    epoch: int
    step: int
    seconds: float


Event = Progress | EpochDone | Finished | Stopped


def new_lenet(style: str) -> nn.Module:
    """An untrained LeNet-5 of the zoo (``architectures.build("lenet5", style=…)``)."""
    return architectures.build("lenet5", style=style)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 500) -> int:
    """How many of ``x`` the model classifies as ``y`` (eval mode, no gradients)."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct


def _shifted(x: torch.Tensor, shift: int, generator: torch.Generator) -> torch.Tensor:
    """Each image rolled by its own random (dy, dx) in [-shift, shift]; the border is background."""
    if shift == 0:
        return x
    out = torch.empty_like(x)
    offsets = torch.randint(-shift, shift + 1, (len(x), 2), generator=generator).tolist()
    for i, (dy, dx) in enumerate(offsets):
        out[i] = torch.roll(x[i], (dy, dx), dims=(1, 2))
    return out


def train_lenet(config: TrainConfig, should_stop: Callable[[], bool] | None = None,
                report_every: int = 25) -> Iterator[Event]:
    """Train one LeNet-5; yield a :class:`Progress` every ``report_every`` minibatches,
    an :class:`EpochDone` per epoch, then :class:`Finished` (or :class:`Stopped`)."""
    config = config.check()
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    model = new_lenet(config.style)
    generator = torch.Generator().manual_seed(config.seed)
    x_train, y_train = mnist.lenet_tensors("train")
    if config.train_per_class < mnist.TRAIN_PER_CLASS:
        rows = torch.cat([torch.nonzero(y_train == c).flatten()[:config.train_per_class] for c in mnist.CLASSES])
        x_train, y_train = x_train[rows], y_train[rows]
    x_test, y_test = mnist.lenet_tensors("test")
    per_epoch = math.ceil(len(y_train) / config.batch_size)
    steps = config.epochs * per_epoch
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    loss_fn = nn.CrossEntropyLoss()
    history: list[EpochDone] = []
    step = 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(len(y_train), generator=generator)
        epoch_loss, since, since_n = 0.0, 0.0, 0
        for start in range(0, len(y_train), config.batch_size):
            if should_stop is not None and should_stop():
                yield Stopped(epoch, step, time.perf_counter() - started)
                return
            rows = order[start:start + config.batch_size]
            loss = loss_fn(model(_shifted(x_train[rows], config.shift, generator)), y_train[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            value = loss.item()
            epoch_loss += value
            since += value
            since_n += 1
            if step % report_every == 0 and step % per_epoch:
                yield Progress(epoch, config.epochs, step, steps, since / since_n, time.perf_counter() - started)
                since, since_n = 0.0, 0
        accuracy = evaluate(model, x_test, y_test) / len(y_test)
        done = EpochDone(epoch, config.epochs, step, steps, epoch_loss / per_epoch, accuracy,
                         time.perf_counter() - started)
        history.append(done)
        yield done
    correct = evaluate(model, x_test, y_test)
    state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
    yield Finished(TrainResult(config, state, correct / len(y_test), correct, len(y_test),
                               time.perf_counter() - started, tuple(history), torch.get_num_threads(),
                               torch.__version__))


def train_to_end(config: TrainConfig) -> TrainResult:
    """Run :func:`train_lenet` to the end and return its result."""
    for event in train_lenet(config):
        if isinstance(event, Finished):
            return event.result
    raise AssertionError("train_lenet ended without a result")  # it cannot: no should_stop
