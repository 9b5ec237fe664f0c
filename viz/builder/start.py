"""Start a design from a zoo network: its stages as rows of the table.

:func:`design_from_zoo` builds the network (defaults, on the meta device) and reads each stage
back as rows: a block of ``architectures.blocks`` is one row (``InceptionModule`` → inception,
``Bottleneck`` → bottleneck …); inside a stage, a convolution with the batch norm and the
activation after it is one conv row (ResNet's stem, LeNet-5's ``c1``); pools, flattens, fully
connected layers, dropout and activations are rows of their own. Each row keeps the stage's
name, so the diagram shows the zoo's boxes. The design traces to the zoo network's parameters,
multiply-adds and shapes, stage by stage (tested for every network).
"""

from __future__ import annotations

from collections.abc import Iterator

from torch import nn

import architectures
from architectures import blocks
from viz.builder.design import Design
from viz.builder.rows import Row, normalise

_ACTIVATION_NAMES = {cls: name for name, cls in blocks.ACTIVATIONS.items()}


def _pair(value) -> int:
    return int(value[0] if isinstance(value, (tuple, list)) else value)


def _act_name(module: nn.Module | None) -> str:
    if module is None or isinstance(module, nn.Identity):
        return "none"
    return _ACTIVATION_NAMES[type(module)]


def _conv_row(conv: nn.Conv2d, bn: nn.Module | None, act: nn.Module | None, stage: str) -> Row:
    k, s, p = _pair(conv.kernel_size), _pair(conv.stride), _pair(conv.padding)
    if (conv.bias is None) != (bn is not None):
        raise ValueError(f"{stage}: a convolution {'without' if conv.bias is None else 'with'} a bias "
                         f"{'and no' if bn is None else 'before a'} batch norm has no row here.")
    common = dict(c=conv.out_channels, s=s, groups=conv.groups, act=_act_name(act), bn=bn is not None, stage=stage)
    if k == 1 and p == 0:
        return normalise(dict(kind="conv1x1", **common))
    return normalise(dict(kind="conv", k=k, p=None if p == k // 2 else p, **common))


def _conv_bn_act(module: blocks.ConvBNAct, stage: str) -> Row:
    return _conv_row(module.conv, getattr(module, "bn", None), getattr(module, "act", None), stage)


def _pool_row(pool: nn.Module, stage: str) -> Row:
    k, s, p = _pair(pool.kernel_size), _pair(pool.stride), _pair(pool.padding)
    return normalise(dict(kind="maxpool" if isinstance(pool, nn.MaxPool2d) else "avgpool", k=k,
                          s=None if s == k else s, p=p or None, ceil=bool(pool.ceil_mode), stage=stage))


def _inception_row(module: blocks.InceptionModule, stage: str) -> Row:
    def reduced(branch: nn.Sequential) -> tuple[int, int]:
        convs = [m.conv.out_channels for m in branch]
        return (0, convs[0]) if len(convs) == 1 else (convs[0], convs[1])

    red3, ch3 = reduced(module.branch2)
    red5, ch5 = reduced(module.branch3)
    pool = module.branch4[1].conv.out_channels if len(module.branch4) > 1 else 0
    numbers = (module.branch1.conv.out_channels, red3, ch3, red5, ch5, pool)
    return normalise(dict(kind="inception", inception=" ".join(map(str, numbers)),
                          bn=hasattr(module.branch1, "bn"), stage=stage))


def _residual_row(module: nn.Module, stage: str) -> Row:
    bottleneck = isinstance(module, blocks.Bottleneck)
    if bottleneck and module.conv2.conv.stride != (1, 1):  # torchvision's "v1.5": the stride in the 3×3
        raise ValueError(f"{stage}: a bottleneck with its stride in the 3×3 (v1.5) has no row here.")
    stride = _pair(module.conv1.conv.stride)  # the paper's place for it, in both blocks
    width = module.conv1.conv.out_channels
    return normalise(dict(kind="bottleneck" if bottleneck else "basic", c=width, s=stride,
                          shortcut="projection" if module.residual else "none",
                          bn=hasattr(module.conv1, "bn"), stage=stage))


def _inverted_row(module: blocks.InvertedResidual, stage: str) -> Row:
    depthwise = module.depthwise.conv
    in_channels = module.expand.conv.in_channels if isinstance(module.expand, blocks.ConvBNAct) \
        else depthwise.in_channels
    t = depthwise.in_channels / in_channels
    values = dict(t=int(t) if t.is_integer() else t, c=module.project.conv.out_channels, s=_pair(depthwise.stride),
                  k=_pair(depthwise.kernel_size), act=_act_name(module.depthwise.act), stage=stage,
                  shortcut="identity")
    if isinstance(module.se, blocks.SqueezeExcite):
        squeeze = module.se.reduce.out_channels
        ratio = next((r for r in (0.25, 0.125, 0.5, 0.0625) if max(1, int(in_channels * r)) == squeeze),
                     round(squeeze / in_channels, 4))
        return normalise(dict(kind="mbconv", se=ratio, **values))
    return normalise(dict(kind="mbv2", **values))


def _rows_of(module: nn.Module, stage: str) -> Iterator[Row]:
    """The rows of one stage (or of one module inside it)."""
    if isinstance(module, blocks.ConvBNAct):
        yield _conv_bn_act(module, stage)
    elif isinstance(module, blocks.InceptionModule):
        yield _inception_row(module, stage)
    elif isinstance(module, (blocks.BasicBlock, blocks.Bottleneck)):
        yield _residual_row(module, stage)
    elif isinstance(module, blocks.DepthwiseSeparable):
        depthwise = module.depthwise.conv
        k, p = _pair(depthwise.kernel_size), _pair(depthwise.padding)
        yield normalise(dict(kind="dwsep", c=module.pointwise.conv.out_channels, k=k, s=_pair(depthwise.stride),
                             p=None if p == k // 2 else p,
                             act=_act_name(getattr(module.depthwise, "act", None)),
                             bn=hasattr(module.depthwise, "bn"), stage=stage))
    elif isinstance(module, blocks.InvertedResidual):
        yield _inverted_row(module, stage)
    elif isinstance(module, nn.Sequential):
        yield from _sequence(list(module.children()), stage)
    else:
        yield from _sequence([module], stage)


def _sequence(children: list[nn.Module], stage: str) -> Iterator[Row]:
    """Plain layers in order; a conv takes the batch norm and activation that follow it."""
    i = 0
    while i < len(children):
        m = children[i]
        if isinstance(m, nn.Conv2d):
            bn = children[i + 1] if i + 1 < len(children) and isinstance(children[i + 1], nn.BatchNorm2d) else None
            j = i + 1 + (bn is not None)
            act = children[j] if j < len(children) and type(children[j]) in _ACTIVATION_NAMES else None
            yield _conv_row(m, bn, act, stage)
            i = j + (act is not None)
            continue
        if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            yield _pool_row(m, stage)
        elif isinstance(m, nn.AdaptiveAvgPool2d) and _pair(m.output_size) == 1:
            yield normalise(dict(kind="gap", stage=stage))
        elif isinstance(m, nn.LocalResponseNorm):
            yield normalise(dict(kind="lrn", stage=stage))
        elif isinstance(m, nn.Flatten):
            yield normalise(dict(kind="flatten", stage=stage))
        elif isinstance(m, nn.Linear):
            yield normalise(dict(kind="fc", c=m.out_features, stage=stage))
        elif isinstance(m, nn.Dropout):
            yield normalise(dict(kind="dropout", drop=float(m.p), stage=stage))
        elif type(m) in _ACTIVATION_NAMES:
            yield normalise(dict(kind="act", act=_ACTIVATION_NAMES[type(m)], stage=stage))
        elif isinstance(m, nn.Sequential) or type(m).__module__ == blocks.__name__:
            yield from _rows_of(m, stage)
        else:
            raise ValueError(f"{stage}: a {type(m).__name__} has no row here.")
        i += 1


def design_from_zoo(name: str) -> Design:
    """Network ``name`` of the zoo (default options and input) as a design: one row per layer or
    block, each in its stage. ``ValueError`` for an unknown name."""
    spec = architectures.get_spec(name)
    model = architectures.build(name, device="meta")
    rows: list[Row] = []
    for stage, module in model.named_children():
        if stage == "aux":  # GoogLeNet's side classifiers: training only (Szegedy et al. 2015, §5)
            continue
        rows.extend(_rows_of(module, stage))
    return Design(input=tuple(spec.input_size_for({})), rows=tuple(rows), name=name)
