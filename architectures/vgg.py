"""VGG-11/13/16/19.

Simonyan, Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015, Table 1 (configurations A, B, D, E) and Table 2
(parameters: 133, 133, 138, 144 million). One rule throughout: every
convolution is 3×3, stride 1, "same" padding (so only the channels change),
every max-pool 2×2, stride 2 (so n_H, n_W halve): 224 → 112 → 56 → 28 → 14 → 7,
with 64 → 128 → 256 → 512 → 512 channels. Then three fully connected layers,
4096 → 4096 → 1000, with dropout (p = 0.5) after the first two (§3.1).

Configuration C of Table 1 (1×1 convolutions in the last three blocks) is not in
the lecture and is left out. ``batch_norm=True`` adds batch norm after every
convolution (not in the paper, which predates it; torchvision's ``vgg*_bn``). The
convolutions keep their bias then, as torchvision's do, so the counts match its
published ones (a bias before batch norm is redundant: BN subtracts the mean).

Initialisation as torchvision's: He (fan-out) normal for convolutions, N(0, 0.01²)
for the FC layers, zero biases. The paper (§3.1) initialised A with weights "from a normal
distribution with the zero mean and 10⁻² variance" (standard deviation 0.1) and zero biases,
the deeper nets from A's trained layers, then notes Glorot initialisation works as well.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from architectures.blocks import ConvBNAct
from architectures.registry import NetworkSpec, Option

# Table 1: the conv3 layers of each block, by their number of filters; each block
# ends with a 2×2/2 max-pool.
CONFIGS: dict[str, tuple[tuple[int, ...], ...]] = {
    #     block1     block2      block3               block4               block5
    "A": ((64,), (128,), (256, 256), (512, 512), (512, 512)),  # VGG-11
    "B": ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),  # VGG-13
    "D": ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),  # VGG-16
    "E": ((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4),  # VGG-19
}
DEPTHS = {"A": 11, "B": 13, "D": 16, "E": 19}  # weight layers: convs + 3 FC
FC_WIDTHS = (4096, 4096)


def _linear(in_features: int, out_features: int) -> nn.Linear:
    """An FC layer left uninitialised (``VGG._init_weights`` fills it): PyTorch's default init of
    fc6's 102M weights, overwritten at once, would double the build time."""
    return nn.utils.skip_init(nn.Linear, in_features, out_features, device=torch.get_default_device())


class VGG(nn.Sequential):
    """VGG with stages block1 … block5 (convs + max-pool), fc6, fc7, fc8."""

    def __init__(self, config: str = "D", batch_norm: bool = False, num_classes: int = 1000,
                 dropout: float = 0.5):
        if config not in CONFIGS:
            raise ValueError(f"VGG configuration {config!r} is not allowed; choose one of: {', '.join(CONFIGS)}.")
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        in_channels = 3
        for b, widths in enumerate(CONFIGS[config], start=1):
            layers: OrderedDict[str, nn.Module] = OrderedDict()
            for i, width in enumerate(widths, start=1):
                layers[f"conv{i}"] = ConvBNAct(in_channels, width, 3, 1, padding=1, bn=batch_norm, bias=True)
                in_channels = width
            layers["pool"] = nn.MaxPool2d(2, stride=2)
            stages[f"block{b}"] = nn.Sequential(layers)
        features = in_channels * 7 * 7  # 7×7×512 = 25,088 at 224×224
        stages["fc6"] = nn.Sequential(OrderedDict(
            flatten=nn.Flatten(),
            fc=_linear(features, FC_WIDTHS[0]),
            relu=nn.ReLU(),
            dropout=nn.Dropout(dropout),
        ))
        stages["fc7"] = nn.Sequential(OrderedDict(
            fc=_linear(FC_WIDTHS[0], FC_WIDTHS[1]), relu=nn.ReLU(), dropout=nn.Dropout(dropout),
        ))
        stages["fc8"] = nn.Sequential(OrderedDict(fc=_linear(FC_WIDTHS[1], num_classes)))
        super().__init__(stages)
        self._init_weights()

    def _init_weights(self) -> None:
        if next(self.parameters()).is_meta:
            return  # nothing to initialise on the meta device (and normal_ is slow there)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.01)
                nn.init.zeros_(module.bias)


# Published figures: parameters from the paper's Table 2 (millions) and torchvision's
# model cards; torchvision's "GFLOPS" column counts multiply-adds.
_PUBLISHED = {
    "A": (133, "vgg11", 132_863_336, 132_868_840, 7.61e9),
    "B": (133, "vgg13", 133_047_848, 133_053_736, 11.31e9),
    "D": (138, "vgg16", 138_357_544, 138_365_992, 15.47e9),
    "E": (144, "vgg19", 143_667_240, 143_678_248, 19.63e9),
}

_SUMMARY = (
    "A remarkably uniform network: every convolution is 3×3, stride 1, same padding, every "
    "max-pool 2×2, stride 2. Blocks of convolutions (two or three in VGG-16; one to four across "
    "VGG-11 … VGG-19) double the channels "
    "(64 → 128 → 256 → 512) while each pool halves n_H and n_W (224 → 112 → 56 → 28 → 14 → 7). "
    "Simple and systematic, but big: VGG-16 has about 138M parameters, most of them in the "
    "fully connected layers, while most of the multiply-adds are in the convolutions."
)


def _builder(config: str):
    def build(batch_norm: bool = False, num_classes: int = 1000) -> VGG:
        return VGG(config, batch_norm=batch_norm, num_classes=num_classes)

    build.__name__ = f"vgg{DEPTHS[config]}"
    build.__doc__ = f"VGG-{DEPTHS[config]}: configuration {config} of Simonyan & Zisserman 2015, Table 1."
    return build


def _spec(config: str) -> NetworkSpec:
    depth = DEPTHS[config]
    paper_m, tv_name, tv_params, tv_bn_params, tv_macs = _PUBLISHED[config]
    return NetworkSpec(
        name=f"vgg{depth}",
        title=f"VGG-{depth}",
        family="classic",
        paper='Simonyan, Zisserman (2015), "Very Deep Convolutional Networks for Large-Scale Image Recognition"',
        builder=_builder(config),
        input_size=(3, 224, 224),
        options=(
            Option(
                "batch_norm", "bool", False, label="Batch norm",
                help="Batch normalization after every convolution (not in the paper; torchvision's "
                f"{tv_name}_bn).",
            ),
            Option(
                "num_classes", "int", 1000, label="Classes",
                help="Outputs of fc8 (1000 ImageNet classes in the paper).",
                minimum=1, maximum=10000, step=1,
            ),
        ),
        summary=_SUMMARY,
        lecture_params="138M" if config == "D" else "",
        extra={
            "config": config,
            "published": {
                "params": paper_m * 1_000_000,
                "macs": tv_macs,
                "source": f"Simonyan & Zisserman 2015, Table 2 ({paper_m}M parameters, configuration "
                f"{config}); multiply-adds from torchvision's {tv_name} model card",
                "torchvision": tv_name,
                "torchvision_params": tv_params,
                "torchvision_bn_params": tv_bn_params,
                "torchvision_macs": tv_macs,
                "note": "torchvision's GFLOPS column counts multiply-adds (1 MAC = 2 FLOPs).",
            },
        },
    )


SPECS = [_spec(config) for config in CONFIGS]
