"""What every experiment trains with: the optimiser, one SGD step, the error rate, parameter counts."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# Optimiser shared by every run (He et al. 2016 §3.4/§4.2: SGD, momentum 0.9,
# weight decay 1e-4); only the learning rate is a setting.
MOMENTUM = 0.9
WEIGHT_DECAY = 1e-4


def sgd(params, lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)


def train_step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor):
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


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# LeNet-5's recipe in this lab (as viz.trained trains it): Adam at 2e-3, minibatches of 32.
LENET_LR = 2e-3
LENET_BATCH = 32


def new_lenet(num_classes: int = 10, seed: int = 0) -> nn.Module:
    """A fresh modern-style LeNet-5 of the zoo, its weights drawn after ``torch.manual_seed(seed)``."""
    import architectures

    torch.manual_seed(seed)
    return architectures.build("lenet5", style="modern", num_classes=num_classes)


def minibatches(n: int, steps: int, seed: int, batch: int = LENET_BATCH) -> torch.Tensor:
    """``steps`` rows of indices into ``n`` examples (epoch after epoch, reshuffled), drawn with ``seed``.

    Every method trained with the same seed sees the same minibatches in the same order.
    """
    gen = torch.Generator().manual_seed(seed)
    size = min(batch, n)
    per_epoch = max(1, n // size)
    epochs = -(-steps // per_epoch)
    order = torch.cat([torch.randperm(n, generator=gen)[: per_epoch * size] for _ in range(epochs)])
    return order[: steps * size].view(steps, size)
