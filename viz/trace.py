"""Real forward pass → one record per layer: shapes, parameters, multiply-adds.

First version (contract in place so pages can build on it); the tracer issue
hardens and speeds it up. Fields of a record are documented on LayerRecord.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass(frozen=True)
class LayerRecord:
    """One traced layer (module call).

    name          qualified module name, e.g. ``"layer1.0.conv1.conv"``
    layer_type    the module's class name, e.g. ``"Conv2d"``
    depth         nesting depth: 0 for a child of the model, 1 for its children …
    input_shape   shape of the first tensor input, PyTorch order ``(N, C, H, W)``
    output_shape  shape of the output tensor (first one if several)
    params        parameters owned directly by this module (not its children);
                  each parameter counted once, at its first owner
    macs          multiply-adds of this module alone (conv / linear weights × inputs,
                  no bias, no element-wise work); 0 for containers
    output_bytes  size of the output activation in bytes
    is_leaf       True when the module has no children (only leaf rows sum to totals)
    """

    name: str
    layer_type: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    output_bytes: int
    is_leaf: bool


@dataclass
class TraceResult:
    records: list[LayerRecord]
    input_size: tuple[int, ...]
    output_shape: tuple[int, ...]
    total_params: int
    trainable_params: int
    total_macs: int
    extra: dict = field(default_factory=dict)


def conv_macs(module: nn.Conv2d, output: torch.Tensor) -> int:
    """#filter params × #filter positions × #filters (the lecture's count), with groups."""
    out_c, in_per_group, kh, kw = module.weight.shape
    positions = output.shape[0] * output.shape[2] * output.shape[3]
    return int(out_c * in_per_group * kh * kw * positions)


def linear_macs(module: nn.Linear, output: torch.Tensor) -> int:
    rows = output.numel() // module.out_features
    return int(module.in_features * module.out_features * rows)


def trace(model: nn.Module, input_size: tuple[int, ...]) -> TraceResult:
    """Run one real forward pass of ``model`` on zeros of ``(N, C, H, W)`` or ``(C, H, W)``."""
    size = tuple(int(s) for s in input_size)
    if len(size) == 3:
        size = (1, *size)
    if len(size) != 4:
        raise ValueError(f"input size must be (C, H, W) or (N, C, H, W); got {input_size!r}")

    records: list[LayerRecord] = []
    seen_params: set[int] = set()
    hooks = []

    def make_hook(name: str, module: nn.Module, depth: int):
        def hook(mod, inputs, output):
            out = output[0] if isinstance(output, (tuple, list)) else output
            inp = inputs[0] if inputs else None
            params = 0
            for p in mod.parameters(recurse=False):
                if id(p) not in seen_params:
                    seen_params.add(id(p))
                    params += p.numel()
            if isinstance(mod, nn.Conv2d):
                macs = conv_macs(mod, out)
            elif isinstance(mod, nn.Linear):
                macs = linear_macs(mod, out)
            else:
                macs = 0
            records.append(
                LayerRecord(
                    name=name,
                    layer_type=type(mod).__name__,
                    depth=depth,
                    input_shape=tuple(inp.shape) if isinstance(inp, torch.Tensor) else (),
                    output_shape=tuple(out.shape) if isinstance(out, torch.Tensor) else (),
                    params=params,
                    macs=macs,
                    output_bytes=out.numel() * out.element_size() if isinstance(out, torch.Tensor) else 0,
                    is_leaf=not any(True for _ in mod.children()),
                )
            )

        return hook

    for name, module in model.named_modules():
        if name:
            hooks.append(module.register_forward_hook(make_hook(name, module, name.count("."))))
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            output = model(torch.zeros(size, device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    if isinstance(output, (tuple, list)):
        output = output[0]
    total_params = sum(p.numel() for p in model.parameters())
    return TraceResult(
        records=records,
        input_size=size,
        output_shape=tuple(output.shape),
        total_params=total_params,
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        total_macs=sum(r.macs for r in records),
    )


def trace_network(
    name: str, options: dict | None = None, input_size: tuple[int, ...] | None = None
) -> TraceResult:
    """Build zoo network ``name`` with ``options`` and trace it at ``input_size``
    (default: the spec's input size for those options). First version: builds with
    real initialisation; the tracer issue makes this build on cheap weights."""
    from architectures import build, get_spec

    spec = get_spec(name)
    options = dict(options or {})
    size = input_size or spec.input_size_for(options)
    return trace(build(name, **options), size)
