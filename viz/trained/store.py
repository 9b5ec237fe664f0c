"""The trained LeNet-5 weights kept in the repo: ``weights/lenet5_<style>.safetensors``
beside ``weights/lenet5_<style>.json`` (how they were made).

Loading reads only safetensors (a table of raw tensors: nothing is unpickled) and checks
every name and shape against a freshly built zoo LeNet-5 before using them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from viz.trained.training import TrainResult, new_lenet

WEIGHTS = Path(__file__).resolve().parent / "weights"


class WeightsError(RuntimeError):
    """Stored weights that are missing or do not fit the network."""


def weights_path(style: str) -> Path:
    return WEIGHTS / f"lenet5_{style}.safetensors"


def info_path(style: str) -> Path:
    return WEIGHTS / f"lenet5_{style}.json"


def save(result: TrainResult, directory: Path = WEIGHTS) -> tuple[Path, Path]:
    """Write ``result``'s weights and its JSON into ``directory``; return both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    style = result.config.style
    weights = directory / weights_path(style).name
    info = directory / info_path(style).name
    save_file({k: v.contiguous() for k, v in result.state.items()}, str(weights),
              metadata={"network": "lenet5", "style": style})
    info.write_text(json.dumps(result.info(), indent=2) + "\n")
    return weights, info


def model_from_state(style: str, state: dict[str, torch.Tensor]) -> nn.Module:
    """A zoo LeNet-5 of ``style`` holding ``state``, in eval mode; ``WeightsError`` if they do not fit."""
    model = new_lenet(style)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    if expected != found:
        raise WeightsError(f"weights for LeNet-5 ({style}) do not fit the network: expected {expected}, "
                           f"found {found}")
    model.load_state_dict(state)
    return model.eval()


def load(style: str, directory: Path = WEIGHTS) -> nn.Module:
    """A new trained LeNet-5 (eval mode) from the stored safetensors file."""
    path = directory / weights_path(style).name
    if not path.exists():
        raise WeightsError(f"no trained weights for LeNet-5 ({style}) at {path}; "
                           f"run `python -m viz.trained train --style {style}`")
    return model_from_state(style, load_file(str(path)))


@functools.cache
def stored_info(style: str) -> dict:
    """The JSON written beside the stored weights (seed, epochs, lr, test accuracy, seconds, …)."""
    path = info_path(style)
    if not path.exists():
        raise WeightsError(f"no record of how LeNet-5 ({style}) was trained at {path}")
    return json.loads(path.read_text())
