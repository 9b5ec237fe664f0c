"""Shared by the tracer's tests: PyTorch's own multiply-add count, and a small zoo-like network."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures.blocks import ConvBNAct, InvertedResidual


def flop_counter_macs(model: nn.Module, size: tuple[int, ...]) -> int:
    """PyTorch's own count (torch.utils.flop_counter): FLOPs / 2 = multiply-adds."""
    model.eval()
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(size))
    return counter.get_total_flops() // 2


class Branchy(nn.Module):
    """Stem, a two-stage body, a head: names like the zoo's (stages at depth 0, blocks at 1)."""

    def __init__(self):
        super().__init__()
        self.stem = ConvBNAct(3, 8, 3, 2)
        self.stage1 = nn.Sequential(InvertedResidual(8, 8, 1, 4, se_ratio=0.25), InvertedResidual(8, 16, 2, 4))
        self.stage2 = nn.Sequential(ConvBNAct(16, 16, 3), ConvBNAct(16, 24, 3, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.stage2(self.stage1(self.stem(x))))))
