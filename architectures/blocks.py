"""Reusable blocks of the case-study networks.

Every activation, pooling and flattening is a module (never ``F.relu`` inside a
``forward``) and no activation is ``inplace``: the tracer records each layer with
forward hooks and must see every one, with the tensor it produced intact.
"""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "silu": nn.SiLU,  # "swish" in the EfficientNet paper
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


def activation(name: str | None) -> nn.Module:
    """A fresh (never in-place) activation module; ``None`` gives ``nn.Identity``."""
    if name is None:
        return nn.Identity()
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)} or None."
        ) from None


class ConvBNAct(nn.Sequential):
    """CONV → (batch norm) → activation, the unit most of these papers stack.

    ``padding=None`` gives "same" padding for odd kernels (``k // 2``). The
    convolution has a bias only when there is no batch norm after it (a bias
    before BN is cancelled by BN's mean subtraction), unless ``bias`` says so.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int | None = None,
        groups: int = 1,
        bn: bool = True,
        act: str | None = "relu",
        bias: bool | None = None,
    ):
        if padding is None:
            padding = kernel_size // 2
        if bias is None:
            bias = not bn
        layers: dict[str, nn.Module] = {
            "conv": nn.Conv2d(
                in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias=bias
            )
        }
        if bn:
            layers["bn"] = nn.BatchNorm2d(out_channels)
        if act is not None:
            layers["act"] = activation(act)
        super().__init__()
        for name, layer in layers.items():
            self.add_module(name, layer)


class BasicBlock(nn.Module):
    """ResNet's basic block: two 3×3 convolutions and a shortcut.

    He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
    Fig. 2 / Fig. 5 (left): ``a[l+2] = g(z[l+2] + a[l])``. Where the shapes differ
    (stride 2 or a change of width) the shortcut is the projection ``W_s a[l]``,
    a 1×1 convolution (+ BN), the paper's option (B). ``residual=False`` gives
    the "plain" block of the same layers without the shortcut.
    ``bn=False`` uses biased convolutions instead of batch norm (the lecture's
    ``z = W a + b``).
    """

    expansion = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        residual: bool = True,
        bn: bool = True,
    ):
        super().__init__()
        self.residual = residual
        self.conv1 = ConvBNAct(in_channels, out_channels, 3, stride, bn=bn)
        self.conv2 = ConvBNAct(out_channels, out_channels, 3, 1, bn=bn, act=None)
        self.shortcut = _shortcut(in_channels, out_channels, stride, residual, bn)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(self.conv1(x))
        if self.residual:
            out = out + self.shortcut(x)
        return self.act(out)


class Bottleneck(nn.Module):
    """ResNet's bottleneck block: 1×1 reduce → 3×3 → 1×1 expand (×4), and a shortcut.

    He et al. 2016, Fig. 5 (right), used by ResNet-50/101/152. The paper puts the
    downsampling stride in the first 1×1 convolution; ``stride_on_3x3=True`` gives
    torchvision's "v1.5" (same parameters, more multiply-adds).
    """

    expansion = 4

    def __init__(
        self,
        in_channels: int,
        width: int,
        stride: int = 1,
        residual: bool = True,
        stride_on_3x3: bool = False,
        bn: bool = True,
    ):
        super().__init__()
        out_channels = width * self.expansion
        self.residual = residual
        s1, s3 = (1, stride) if stride_on_3x3 else (stride, 1)
        self.conv1 = ConvBNAct(in_channels, width, 1, s1, bn=bn)
        self.conv2 = ConvBNAct(width, width, 3, s3, bn=bn)
        self.conv3 = ConvBNAct(width, out_channels, 1, 1, bn=bn, act=None)
        self.shortcut = _shortcut(in_channels, out_channels, stride, residual, bn)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv3(self.conv2(self.conv1(x)))
        if self.residual:
            out = out + self.shortcut(x)
        return self.act(out)


def _shortcut(in_channels: int, out_channels: int, stride: int, residual: bool, bn: bool) -> nn.Module:
    """Identity when shapes match, else the projection W_s (1×1 conv, stride)."""
    if residual and (stride != 1 or in_channels != out_channels):
        return ConvBNAct(in_channels, out_channels, 1, stride, padding=0, bn=bn, act=None)
    return nn.Identity()


class InceptionModule(nn.Module):
    """The inception module of GoogLeNet, with 1×1 dimension reductions.

    Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, Fig. 2(b) and
    Table 1's columns: ``#1×1``, ``#3×3 reduce``, ``#3×3``, ``#5×5 reduce``,
    ``#5×5``, ``pool proj``. Four branches, concatenated along channels:
    1×1; 1×1 → 3×3; 1×1 → 5×5 (a real 5×5); 3×3 max-pool (stride 1, "same")
    → 1×1. A reduce of ``None`` drops that bottleneck (Fig. 2(a), the naive
    module); so does ``pool_proj=None`` (the pooled input is passed on as is).
    The original has no batch norm; ``bn=True`` adds it.
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int | None,
        ch3x3: int,
        ch5x5red: int | None,
        ch5x5: int,
        pool_proj: int | None,
        bn: bool = False,
    ):
        super().__init__()
        self.branch1 = ConvBNAct(in_channels, ch1x1, 1, bn=bn)
        self.branch2 = _reduced_branch(in_channels, ch3x3red, ch3x3, 3, bn)
        self.branch3 = _reduced_branch(in_channels, ch5x5red, ch5x5, 5, bn)
        pool = nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True)
        if pool_proj is None:
            self.branch4 = nn.Sequential(pool)
        else:
            self.branch4 = nn.Sequential(pool, ConvBNAct(in_channels, pool_proj, 1, bn=bn))
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + (in_channels if pool_proj is None else pool_proj)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


def _reduced_branch(in_channels: int, reduce: int | None, out: int, kernel: int, bn: bool) -> nn.Sequential:
    if reduce is None:
        return nn.Sequential(ConvBNAct(in_channels, out, kernel, bn=bn))
    return nn.Sequential(
        ConvBNAct(in_channels, reduce, 1, bn=bn),
        ConvBNAct(reduce, out, kernel, bn=bn),
    )


class DepthwiseSeparable(nn.Sequential):
    """MobileNet v1's depthwise-separable convolution.

    Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
    Vision Applications", 2017, Fig. 3 (right): depthwise 3×3 (one filter per
    channel, ``groups = n_c``) → BN → ReLU → pointwise 1×1 → BN → ReLU.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, kernel_size: int = 3,
                 bn: bool = True, act: str | None = "relu", padding: int | None = None):
        super().__init__()
        # padding=None: "same" (k // 2); padding=0 gives the lecture's "valid" 6×6 → 4×4 example.
        self.depthwise = ConvBNAct(in_channels, in_channels, kernel_size, stride, padding=padding,
                                   groups=in_channels, bn=bn, act=act)
        self.pointwise = ConvBNAct(in_channels, out_channels, 1, 1, padding=0, bn=bn, act=act)


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: global pool → 1×1 reduce → act → 1×1 expand → sigmoid → scale.

    Hu, Shen, Sun, "Squeeze-and-Excitation Networks", CVPR 2018; used inside
    EfficientNet's MBConv blocks (Tan & Le 2019) with SiLU and a reduction of the
    block's input channels × 0.25.
    """

    def __init__(self, channels: int, squeeze_channels: int, act: str = "silu"):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, squeeze_channels, 1)
        self.act = activation(act)
        self.expand = nn.Conv2d(squeeze_channels, channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.gate(self.expand(self.act(self.reduce(self.pool(x)))))
        return x * scale


class InvertedResidual(nn.Module):
    """MobileNet v2's bottleneck (inverted residual), also EfficientNet's MBConv.

    Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
    CVPR 2018, Table 1: expansion 1×1 (×t) → depthwise k×k (stride s) →
    linear projection 1×1, with the residual connection when ``stride == 1`` and
    the input and output channels match. ``expand_ratio == 1`` has no expansion
    layer. ``se_ratio`` adds squeeze-excite on the expanded features, reducing to
    ``in_channels × se_ratio`` (Tan & Le, "EfficientNet", ICML 2019).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        expand_ratio: float = 6,
        kernel_size: int = 3,
        act: str = "relu6",
        se_ratio: float | None = None,
        residual: bool = True,
    ):
        super().__init__()
        hidden = int(round(in_channels * expand_ratio))
        self.use_residual = residual and stride == 1 and in_channels == out_channels
        if expand_ratio != 1:
            self.expand = ConvBNAct(in_channels, hidden, 1, padding=0, act=act)
        else:
            self.expand = nn.Identity()
        self.depthwise = ConvBNAct(hidden, hidden, kernel_size, stride, groups=hidden, act=act)
        if se_ratio:
            self.se = SqueezeExcite(hidden, max(1, int(in_channels * se_ratio)))
        else:
            self.se = nn.Identity()
        self.project = ConvBNAct(hidden, out_channels, 1, padding=0, act=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.se(self.depthwise(self.expand(x))))
        if self.use_residual:
            out = out + x
        return out
