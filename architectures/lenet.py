"""LeNet-5.

LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
Recognition", Proc. IEEE 86(11), 1998, §II.B and Fig. 2. A 32×32×1 image goes
through

====== ======================= =========== ===========================
layer  what                    output      parameters (this module)
====== ======================= =========== ===========================
C1     6 conv 5×5, stride 1    28×28×6     6·(5·5·1 + 1)    = 156
S2     2×2 subsampling         14×14×6     0
C3     16 conv 5×5             10×10×16    16·(5·5·6 + 1)   = 2,416
S4     2×2 subsampling         5×5×16      0
C5     120 conv 5×5            1×1×120     120·(5·5·16 + 1) = 48,120
F6     fully connected 84      84          84·(120 + 1)     = 10,164
output fully connected 10      10          10·(84 + 1)      = 850
====== ======================= =========== ===========================

61,706 parameters in all — the lecture's "about 60K" (the paper says 60,000).

Where this differs from the 1998 paper, and why:

* C3 is fully connected to S2's 6 maps (2,416 parameters). The paper's Table I
  connects each C3 map to only 3, 4 or 6 of them (1,516 parameters), to break
  symmetry and save computation; the lecture skips this detail too.
* S2/S4 are plain average pools. The paper's subsampling units also multiply
  by a trainable coefficient and add a trainable bias per map (12 + 32
  parameters).
* The output is an ordinary fully connected layer with biases (850 parameters)
  instead of the paper's Euclidean RBF units (840).
* The squashing function is plain ``tanh`` (the paper's is 1.7159·tanh(2a/3)).

With the paper's choices the total would be 156 + 12 + 1,516 + 32 + 48,120 +
10,164 + 840 = 60,840.

``style="1998"`` keeps the paper's spirit: tanh after every conv / FC layer and
after each subsampling (the paper squashes the subsampled sums), average
pooling. ``style="modern"``: ReLU and max-pool, nothing after the pool. Both have
the same parameters (pooling and activations have none).
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from architectures.blocks import activation
from architectures.registry import NetworkSpec, Option

STYLES = ("1998", "modern")


class LeNet5(nn.Sequential):
    """LeNet-5 with stages c1, s2, c3, s4, c5, f6, output (the paper's names)."""

    def __init__(self, style: str = "1998", num_classes: int = 10, in_channels: int = 1):
        if style not in STYLES:
            raise ValueError(f"LeNet-5 style {style!r} is not allowed; choose one of: {', '.join(STYLES)}.")
        act = "tanh" if style == "1998" else "relu"

        def pool() -> OrderedDict:
            if style == "1998":
                return OrderedDict(pool=nn.AvgPool2d(2, stride=2), act=activation(act))
            return OrderedDict(pool=nn.MaxPool2d(2, stride=2))

        super().__init__(
            OrderedDict(
                c1=nn.Sequential(OrderedDict(conv=nn.Conv2d(in_channels, 6, 5), act=activation(act))),
                s2=nn.Sequential(pool()),
                c3=nn.Sequential(OrderedDict(conv=nn.Conv2d(6, 16, 5), act=activation(act))),
                s4=nn.Sequential(pool()),
                # C5 is a 5×5 convolution on a 5×5 map: 1×1×120, the same as an FC layer.
                c5=nn.Sequential(OrderedDict(conv=nn.Conv2d(16, 120, 5), act=activation(act))),
                f6=nn.Sequential(
                    OrderedDict(flatten=nn.Flatten(), fc=nn.Linear(120, 84), act=activation(act))
                ),
                output=nn.Sequential(OrderedDict(fc=nn.Linear(84, num_classes))),
            )
        )


def lenet5(style: str = "1998", num_classes: int = 10) -> LeNet5:
    return LeNet5(style=style, num_classes=num_classes)


SPECS = [
    NetworkSpec(
        name="lenet5",
        title="LeNet-5",
        family="classic",
        paper='LeCun, Bottou, Bengio, Haffner (1998), "Gradient-Based Learning Applied to Document Recognition"',
        builder=lenet5,
        input_size=(1, 32, 32),
        options=(
            Option(
                "style", "choice", "1998", label="Style",
                help="1998: tanh squashing and average subsampling, as in the paper. "
                "modern: ReLU and max-pooling, as a network would be built today.",
                choices=STYLES,
            ),
            Option(
                "num_classes", "int", 10, label="Classes",
                help="Outputs of the last layer (10 digits in the paper).",
                minimum=1, maximum=1000, step=1,
            ),
        ),
        summary=(
            "The first convolutional network to work well in practice, for hand-written digits: "
            "conv → pool → conv → pool → fully connected → fully connected → output. "
            "As you go deeper n_H and n_W shrink (32 → 28 → 14 → 10 → 5) while the number of "
            "channels grows (1 → 6 → 16), a pattern every later network keeps. It used tanh/sigmoid "
            "and average pooling, and is small by today's standards: about 60K parameters."
        ),
        lecture_params="60K",
        extra={
            "published": {
                "params": 60_000,
                "source": "LeCun et al. 1998, §II.B: \"340,908 connections, but only 60,000 trainable "
                "parameters\"",
                "note": "This build has a full C3 (2,416 parameters instead of Table I's 1,516), plain "
                "average pooling and a linear output layer: 61,706 parameters. The paper's per-layer "
                "counts sum to 60,840.",
            },
        },
    ),
]
