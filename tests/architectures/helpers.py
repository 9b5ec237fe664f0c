"""Small helpers shared by the zoo's tests."""

import torch
from torch import nn


def stage_shapes(model: nn.Module, input_size: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """(stage name, output shape without the batch) for each top-level child, on the meta device."""
    x = torch.zeros((1, *input_size), device="meta")
    shapes = []
    with torch.inference_mode():
        for name, stage in model.eval().named_children():
            x = stage(x)
            shapes.append((name, tuple(x.shape[1:])))
    return shapes


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
