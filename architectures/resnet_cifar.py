"""The CIFAR-style "6n + 2" networks of He et al., plain and residual — the Training Lab's own.

He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
§4.2 (CIFAR-10 and Analysis): a 3×3 convolution, then three stages of ``n``
basic blocks (two 3×3 convolutions each) on feature maps of three sizes with
16, 32 and 64 filters, the second and third stage starting with stride 2, then
global average pooling, a fully connected layer and softmax — ``6n + 2``
weighted layers in all (n = 1, 3, 5, 9 gives 8, 20, 32, 56 layers). Fig. 6
(left) shows the plain nets' training error rising with depth, (middle) the
ResNets' falling.

Differences from the paper, on purpose:

* Shortcuts: where the shape changes (the first block of stages 2 and 3) the
  shared :class:`~architectures.blocks.BasicBlock` uses the projection ``W_s``
  (a 1×1 convolution + BN, the paper's option B) instead of option A's
  zero-padded identity the paper uses on CIFAR. The residual nets therefore have
  two small 1×1 convolutions the plain twins lack (reported with the counts).
* Widths are a parameter (default the paper's 16/32/64); the lab uses narrower
  ones so the deepest nets train in seconds on a CPU.
* Input: one channel (the Training Lab's MNIST digits at 14×14), any size ≥ 4×4.

Not part of the zoo's registry: the Training Lab builds it directly.
"""

from __future__ import annotations

import torch
from torch import nn

from architectures.blocks import BasicBlock, ConvBNAct

DEPTHS = (8, 14, 20, 26, 32, 44, 56)  # 6n + 2 for n = 1, 2, 3, 4, 5, 7, 9 (§4.2 uses 20/32/44/56/110)


def blocks_per_stage(depth: int) -> int:
    """``n`` for a ``6n + 2``-layer network, or ``ValueError`` naming the allowed depths."""
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
        raise ValueError(
            f"depth must be 6n + 2 for a whole n ≥ 1 (8, 14, 20, 26, 32, 38, 44, 50, 56 …); got {depth!r}."
        )
    return (depth - 2) // 6


class CifarResNet(nn.Module):
    """``6n + 2``-layer network of He et al. 2016 §4.2, residual or plain.

    ``features(x)`` is everything up to and including the global pooling (the
    "backbone" a transfer-learning run freezes); ``fc`` is the softmax layer's
    linear part; ``forward(x) = fc(features(x))`` gives logits.
    """

    def __init__(
        self,
        depth: int = 20,
        residual: bool = True,
        widths: tuple[int, int, int] = (16, 32, 64),
        in_channels: int = 1,
        num_classes: int = 10,
    ):
        super().__init__()
        n = blocks_per_stage(depth)
        if len(widths) != 3 or any(int(w) < 1 for w in widths):
            raise ValueError(f"widths must be three positive integers; got {widths!r}.")
        self.depth = depth
        self.residual = residual
        w1, w2, w3 = (int(w) for w in widths)
        self.stem = ConvBNAct(in_channels, w1, 3)
        self.stage1 = self._stage(w1, w1, n, 1, residual)
        self.stage2 = self._stage(w1, w2, n, 2, residual)
        self.stage3 = self._stage(w2, w3, n, 2, residual)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(w3, num_classes)
        self.feature_dim = w3
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                # He initialisation, as the paper (§3.4, ref. [13]) uses for both kinds of net.
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    @staticmethod
    def _stage(cin: int, cout: int, n: int, stride: int, residual: bool) -> nn.Sequential:
        blocks = [BasicBlock(cin, cout, stride, residual=residual)]
        blocks += [BasicBlock(cout, cout, 1, residual=residual) for _ in range(n - 1)]
        return nn.Sequential(*blocks)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage3(self.stage2(self.stage1(self.stem(x))))
        return self.flatten(self.pool(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


def weighted_layers(model: nn.Module) -> int:
    """Convolutions and fully connected layers on the main path (the paper's layer count).

    Projection shortcuts are not counted, as in the paper.
    """
    return sum(
        1
        for name, m in model.named_modules()
        if isinstance(m, (nn.Conv2d, nn.Linear)) and ".shortcut" not in name
    )
