"""Shared by the builder's tests: the onnx package's test models, small hand-made models, zoo exports."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import architectures
from viz.trace import cheap_network

# The "light" test models shipped inside the onnx wheel (weights made by ConstantOfShape nodes).
LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"


def light(name: str) -> Path:
    return LIGHT / f"light_{name}.onnx"


def value(name: str, shape, elem=TensorProto.FLOAT) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def weight(name: str, shape, fill: float = 0.5) -> onnx.TensorProto:
    return numpy_helper.from_array(np.full(shape, fill, dtype=np.float32), name)


def model_bytes(nodes, inputs, outputs, initializers=(), opset: int = 17, extra_opsets=()) -> bytes:
    """A model made with onnx.helper, serialised (checked by the code under test, not here)."""
    graph = helper.make_graph(list(nodes), "g", list(inputs), list(outputs), list(initializers))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    return helper.make_model(graph, opset_imports=opsets).SerializeToString()


def export_zoo(name: str, options: dict | None = None) -> bytes:
    """A zoo network (zero weights) exported with torch.onnx.export's TorchScript exporter.

    torch 2.13 still has it (``dynamo=False``, deprecated); the default dynamo exporter needs
    ``onnxscript``, which is not installed. Constant folding is off because, in eval mode, it
    folds each batch norm into the convolution before it (Conv gains a bias of C_out, the
    batch norm's 2·C_out weights go), which would change the parameter count.
    """
    resolved = architectures.get_spec(name).resolve(dict(options or {}))
    size = architectures.get_spec(name).input_size_for(resolved)
    buffer = io.BytesIO()
    with cheap_network(name, options) as model, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's DeprecationWarning
        torch.onnx.export(model, (torch.zeros(1, *size),), buffer, dynamo=False, do_constant_folding=False)
    return buffer.getvalue()


def zoo_buffers(name: str, options: dict | None = None) -> int:
    """Batch-norm running statistics of a zoo network (mean and variance elements)."""
    with cheap_network(name, options) as model:
        return sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
