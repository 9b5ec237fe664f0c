"""ResNet-18/34/50/101/152 and their "plain" twins.

He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
Table 1. A stem (7×7/2 convolution, 3×3/2 max-pool: 224 → 112 → 56), four stages
of residual blocks at 56, 28, 14 and 7 (the paper's conv2_x … conv5_x, here
layer1 … layer4; every stage but the first halves n_H, n_W in its first block),
then global average pooling and one 1000-way fully connected layer.

ResNet-18/34 stack basic blocks (two 3×3 convolutions, Fig. 5 left); ResNet-50/101/152
bottleneck blocks (1×1 reduce → 3×3 → 1×1 expand ×4, Fig. 5 right). Where a block
changes the shape, its shortcut is the projection W_s a[l] (1×1 convolution +
batch norm, the paper's option B); elsewhere it is the identity:
a[l+2] = g(z[l+2] + a[l]).

``residual=False`` gives the plain network of the same depth (§4.1, Fig. 3 middle):
the same layers without any shortcut, so it also loses the projection shortcuts'
parameters. ``variant`` (bottleneck networks only): "paper" puts a stage's
downsampling stride in the first 1×1 of its first block, as the paper does
(about 3.8 G multiply-adds for ResNet-50, Table 1's "3.8×10⁹ FLOPs" — which
counts multiply-adds); "v1.5" puts it in the 3×3, as torchvision does — same
parameters, more multiply-adds (4.09 G), a little more accurate.

Initialisation as the paper's (He et al. 2015, "Delving deep into rectifiers", §2.2): zero-mean
normal weights. That paper derives the variance 2/fan-in from the forward pass and shows that
2/fan-out, from the backward pass, works as well; this build uses fan-out, as torchvision does.
Batch norm γ = 1, β = 0.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from architectures.blocks import BasicBlock, Bottleneck
from architectures.registry import NetworkSpec, Option

# Table 1: output width of each stage's 3×3 convolutions (a bottleneck's output is ×4).
STAGE_WIDTHS = (64, 128, 256, 512)
# Table 1: block type and number of blocks in conv2_x, conv3_x, conv4_x, conv5_x.
LAYERS: dict[int, tuple[type[nn.Module], tuple[int, int, int, int]]] = {
    18: (BasicBlock, (2, 2, 2, 2)),
    34: (BasicBlock, (3, 4, 6, 3)),
    50: (Bottleneck, (3, 4, 6, 3)),
    101: (Bottleneck, (3, 4, 23, 3)),
    152: (Bottleneck, (3, 8, 36, 3)),
}
VARIANTS = ("paper", "v1.5")


class ResNet(nn.Sequential):
    """ResNet with stages stem, layer1 … layer4, head."""

    def __init__(self, depth: int = 50, residual: bool = True, variant: str = "paper", num_classes: int = 1000):
        if depth not in LAYERS:
            raise ValueError(f"ResNet depth {depth!r} is not allowed; choose one of: {', '.join(map(str, LAYERS))}.")
        if variant not in VARIANTS:
            raise ValueError(f"ResNet variant {variant!r} is not allowed; choose one of: {', '.join(VARIANTS)}.")
        block, repeats = LAYERS[depth]
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        stages["stem"] = nn.Sequential(OrderedDict(
            conv=nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),  # 224 → 112
            bn=nn.BatchNorm2d(64),
            relu=nn.ReLU(),
            pool=nn.MaxPool2d(3, stride=2, padding=1),  # 112 → 56
        ))
        in_channels = 64
        for i, (width, n) in enumerate(zip(STAGE_WIDTHS, repeats), start=1):
            blocks = []
            for j in range(n):
                stride = 2 if (j == 0 and i > 1) else 1
                if block is Bottleneck:
                    blocks.append(Bottleneck(in_channels, width, stride, residual=residual,
                                             stride_on_3x3=(variant == "v1.5")))
                else:
                    blocks.append(BasicBlock(in_channels, width, stride, residual=residual))
                in_channels = width * block.expansion
            stages[f"layer{i}"] = nn.Sequential(*blocks)
        stages["head"] = nn.Sequential(OrderedDict(
            pool=nn.AdaptiveAvgPool2d(1),
            flatten=nn.Flatten(),
            fc=nn.Linear(in_channels, num_classes),
        ))
        super().__init__(stages)
        if stages["stem"].conv.weight.is_meta:
            return  # nothing to initialise on the meta device (and normal_ is slow there)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)


# Where a network's published figures need more than the general note (below, in _spec).
_NOTES = {
    34: "Table 1's 3.6×10⁹ FLOPs (multiply-adds) are those of the 34-layer baseline of §3.3: the plain "
        "net, or the ResNet with option A's zero-padded identity shortcuts, which add no parameters and "
        "no multiply-adds (3,644,493,824 here with the shortcuts off). This build, like torchvision's, "
        "uses option B's 1×1 projections where shapes change: 3,663,761,408, torchvision's 3.66 G.",
}

# Table 1's FLOPs row (multiply-adds) and torchvision's model cards (its "GFLOPS" are MACs too).
_PUBLISHED = {
    18: (1.8e9, 11_689_512, 1.81e9),
    34: (3.6e9, 21_797_672, 3.66e9),
    50: (3.8e9, 25_557_032, 4.09e9),
    101: (7.6e9, 44_549_160, 7.80e9),
    152: (11.3e9, 60_192_808, 11.51e9),
}

_SUMMARY = (
    "Skip connections: each block adds its input a[l] to its output before the last ReLU, "
    "a[l+2] = g(z[l+2] + a[l]). A block can then learn the identity easily (W = 0, b = 0 gives "
    "a[l+2] = a[l]), so adding layers does not hurt, and networks of 100+ layers train — while a "
    "\"plain\" network of the same depth gets worse training error as it gets deeper. Where the "
    "shapes change, the shortcut is a 1×1 projection W_s."
)


def _builder(depth: int):
    bottleneck = LAYERS[depth][0] is Bottleneck
    if bottleneck:
        def build(residual: bool = True, variant: str = "paper", num_classes: int = 1000) -> ResNet:
            return ResNet(depth, residual=residual, variant=variant, num_classes=num_classes)
    else:
        def build(residual: bool = True, num_classes: int = 1000) -> ResNet:
            return ResNet(depth, residual=residual, num_classes=num_classes)
    build.__name__ = f"resnet{depth}"
    build.__doc__ = f"ResNet-{depth}: He et al. 2016, Table 1."
    return build


def _spec(depth: int) -> NetworkSpec:
    paper_macs, tv_params, tv_macs = _PUBLISHED[depth]
    bottleneck = LAYERS[depth][0] is Bottleneck
    options = [
        Option(
            "residual", "bool", True, label="Skip connections",
            help="On: ResNet. Off: the \"plain\" network of the same depth — the same layers with no "
            "shortcuts (and no projection shortcuts).",
        ),
    ]
    if bottleneck:
        options.append(Option(
            "variant", "choice", "paper", label="Downsampling stride",
            help="paper: the stride-2 of a stage's first block sits in its first 1×1 convolution. "
            "v1.5 (torchvision): it sits in the 3×3 — same parameters, more multiply-adds.",
            choices=VARIANTS,
        ))
    options.append(Option(
        "num_classes", "int", 1000, label="Classes",
        help="Outputs of the final fully connected layer (1000 ImageNet classes in the paper).",
        minimum=1, maximum=10000, step=1,
    ))
    block, repeats = LAYERS[depth]
    return NetworkSpec(
        name=f"resnet{depth}",
        title=f"ResNet-{depth}",
        family="residual",
        paper='He, Zhang, Ren, Sun (2016), "Deep Residual Learning for Image Recognition"',
        builder=_builder(depth),
        input_size=(3, 224, 224),
        options=tuple(options),
        summary=_SUMMARY,
        extra={
            "block": block.__name__,
            "repeats": repeats,
            "published": {
                "params": "not given (Table 1 lists FLOPs only)",
                "macs": paper_macs,
                "source": f"He et al. 2016, Table 1 ({paper_macs / 1e9:.1f}×10⁹ FLOPs, i.e. multiply-adds); "
                f"parameters from torchvision's resnet{depth} model card",
                "torchvision": f"resnet{depth}",
                "torchvision_params": tv_params,
                "torchvision_macs": tv_macs,
                "note": _NOTES.get(depth, (
                    "The paper's FLOPs are multiply-adds. torchvision's ResNets are \"v1.5\": the "
                    "stride sits in the 3×3 of a bottleneck, hence 4.09 G instead of 3.8 G for "
                    "ResNet-50." if bottleneck else
                    "torchvision's GFLOPS column counts multiply-adds, the same as the paper's FLOPs.")),
            },
        },
    )


SPECS = [_spec(depth) for depth in LAYERS]
