"""Open an ONNX model: per node op type, output shape, parameters, multiply-adds, receptive field.

:func:`open_onnx` reads a file safely (:mod:`viz.builder.onnx_read`: size cap, the ``onnx``
package only, ``onnx.checker``, ``onnx.shape_inference``) and returns an :class:`OnnxModel`
whose ``result`` is a :class:`viz.trace.TraceResult` of :class:`viz.trace.LayerRecord` rows —
the records the Explorer's table and diagram already draw: one leaf record per node of the
network, and a container record for each group the node names make
(:mod:`viz.builder.onnx_names`: ``layer1``, ``layer1.0`` …), placed before its first node,
owning no parameters or cost itself (as the zoo's containers). A leaf's ``layer_type`` is the
PyTorch layer the op stands for where there is one (``Conv`` on a map → ``"Conv2d"``, ``Gemm``
→ ``"Linear"``, ``MaxPool`` → ``"MaxPool2d"``, ``Relu`` → ``"ReLU"`` …: :data:`EXPLORER_TYPES`),
because the Explorer's diagram labels, channel-growth chart and depth count read the zoo's
layer names; else the ONNX op type (``"Concat"``, ``"Sum"``). :attr:`OnnxNode.op_type` always
keeps the ONNX op.

Which nodes are rows. Nodes that only compute constants — the ``ConstantOfShape`` nodes that
make the weights of the onnx package's "light" test models from a stored shape, an
``Identity`` or ``Unsqueeze`` of a weight — are weight preparation, not layers: their
outputs are weights, counted at the node that uses them. Every other node is a row.

Parameters (the tracer's convention: each weight once, at its first user). A node's
parameters are the elements of the constant floating-point tensors it takes as inputs —
initialisers or made by weight-preparation nodes (so the light models' ``ConstantOfShape``
weights count) — except inputs that are not learned: batch norm's running mean and variance
(counted apart as ``extra["buffers"]``, as PyTorch keeps them as buffers), Clip's bounds,
Pad/Resize/Upsample settings, quantisation scales and zero points, and scalar constants
(an ``x * 0.5``). Integer weights of quantised convolutions and matrix products count too.

Multiply-adds (``viz.trace``'s counting convention: weight × input multiplications, no bias,
no element-wise work), batch included:

* ``Conv`` (and ``ConvInteger``, ``QLinearConv``): ``N · prod(output spatial) · W.numel()``,
  ``W`` being ``C_out × C_in/group × k…`` — so grouped and depthwise convolutions are right;
* ``ConvTranspose``: the same with the *input* spatial size (each input position scatters
  one filter), as ``viz.trace`` counts ``nn.ConvTranspose*``;
* ``Gemm``: ``M · K · N`` (``output.numel() · K``); ``MatMul`` (and ``MatMulInteger``,
  ``QLinearMatMul``): ``output.numel() · K`` with ``K`` the first operand's last dimension,
  every broadcast batch included — also a product of two activations (attention), which
  ``torch.utils.flop_counter`` counts as well;
* anything else: 0. Ops with multiply-adds this does not count (``Einsum``, ``LSTM``, ``GRU``,
  ``RNN``, ``Attention``) are listed in ``extra["uncounted_ops"]`` and :attr:`OnnxModel.notes`.

Receptive field (:attr:`OnnxNode.receptive_field`): the input pixels (height × width) that
can reach one output position, through convolutions and pools (``r += (k − 1)·d·j``,
``j *= s``), the largest over branches; None where the output is no longer a map with the
input's geometry (after a global pool, a flatten, a resize).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import prod
from typing import Any

import onnx

from viz.builder.onnx_file import MAX_BYTES
from viz.builder.onnx_names import NameSource, scope_names
from viz.builder.onnx_read import Node, OnnxGraph, Shape, dtype_name, read_onnx
from viz.formatting import user_value
from viz.trace import LayerRecord, TraceResult

_FLOAT_TYPES = frozenset({
    onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16,
    onnx.TensorProto.FLOAT8E4M3FN, onnx.TensorProto.FLOAT8E4M3FNUZ, onnx.TensorProto.FLOAT8E5M2,
    onnx.TensorProto.FLOAT8E5M2FNUZ,
})

# Inputs (by position) that are settings or statistics, not learned weights.
_NOT_LEARNED = {
    "BatchNormalization": (3, 4),  # running mean, running variance: buffers in PyTorch
    "Clip": (1, 2),
    "Pad": (1, 2, 3),
    "Resize": (1, 2, 3),
    "Upsample": (1,),
    "QLinearConv": (1, 2, 4, 5, 6, 7),
    "QLinearMatMul": (1, 2, 4, 5, 6, 7),
    "ConvInteger": (2, 3),
    "MatMulInteger": (2, 3),
    "QuantizeLinear": (1, 2),
    "DequantizeLinear": (1, 2),
}
_BUFFERS = {"BatchNormalization": (3, 4)}
# Integer inputs that are weights (quantised models).
_INTEGER_WEIGHTS = {"QLinearConv": (3, 8), "ConvInteger": (1,), "QLinearMatMul": (3,), "MatMulInteger": (1,)}
# Ops with weight multiplications that are not counted here.
_UNCOUNTED = ("Einsum", "LSTM", "GRU", "RNN", "Attention", "MultiHeadAttention")
# Ops sliding a window over the map (they grow the receptive field).
_WINDOWED = ("Conv", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool", "LpPool")
_CONV_WEIGHT = {"Conv": 1, "ConvInteger": 1, "QLinearConv": 3, "ConvTranspose": 1}

GROUP_TYPE = "Group"  # layer_type of the container records the node names make

# ONNX op → the PyTorch layer the Explorer's functions know it by (its records are the zoo's);
# a tuple is chosen by the output's rank (1-D, 2-D, 3-D maps: N, C + 1, 2 or 3 sizes).
EXPLORER_TYPES: dict[str, str | tuple[str, str, str]] = {
    "Conv": ("Conv1d", "Conv2d", "Conv3d"),
    "ConvTranspose": ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"),
    "MaxPool": ("MaxPool1d", "MaxPool2d", "MaxPool3d"),
    "AveragePool": ("AvgPool1d", "AvgPool2d", "AvgPool3d"),
    "GlobalAveragePool": ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"),
    "GlobalMaxPool": ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"),
    "BatchNormalization": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"),
    "InstanceNormalization": ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"),
    "Gemm": "Linear",
    "LRN": "LocalResponseNorm", "LayerNormalization": "LayerNorm",
    "Relu": "ReLU", "LeakyRelu": "LeakyReLU", "PRelu": "PReLU", "Elu": "ELU", "Selu": "SELU", "Gelu": "GELU",
    "Sigmoid": "Sigmoid", "Tanh": "Tanh", "HardSwish": "Hardswish", "HardSigmoid": "Hardsigmoid",
    "Softplus": "Softplus", "Softmax": "Softmax", "LogSoftmax": "LogSoftmax",
    "Dropout": "Dropout", "Flatten": "Flatten", "Identity": "Identity",
}


def explorer_type(op_type: str, out_shape: Shape, weight_operand: bool = False) -> str:
    """The layer name the Explorer knows an op by (see :data:`EXPLORER_TYPES`); a MatMul by a
    stored weight is a ``"Linear"`` layer, one of two activations stays ``"MatMul"``."""
    if op_type == "MatMul" and weight_operand:
        return "Linear"
    kind = EXPLORER_TYPES.get(op_type, op_type)
    if isinstance(kind, tuple):
        spatial = len(out_shape) - 2
        return kind[spatial - 1] if 1 <= spatial <= 3 else op_type
    return kind


@dataclass(frozen=True)
class OnnxNode:
    """One row of the network (one ONNX node), beside its :class:`~viz.trace.LayerRecord`.

    record            the node's record (the same object as in ``result.records``)
    op_type           the ONNX op (``"Conv"``; the record's ``layer_type`` is ``"Conv2d"``)
    onnx_name         the node's name in the file ("" if it has none)
    weights           the parameter tensors counted at this node: (name, shape); a weight
                      made by ``ConstantOfShape`` is named after that node's output
    kernel            window size (height, width) of a convolution or pool, else None
    strides, group    of a convolution or pool (group only for convolutions; else 1)
    receptive_field   (height, width) in input pixels, or None (see the module docstring)
    """

    record: LayerRecord
    op_type: str
    onnx_name: str
    weights: tuple[tuple[str, Shape], ...]
    kernel: tuple[int, ...] | None
    strides: tuple[int, ...] | None
    group: int
    receptive_field: tuple[int, int] | None


@dataclass(frozen=True)
class OnnxModel:
    """An opened ONNX model.

    result        a :class:`viz.trace.TraceResult`: records (containers and nodes, pre-order),
                  ``input_size`` (the first input's shape, batch 1 if it was symbolic),
                  ``output_shape``, ``total_params`` (= ``trainable_params``; ONNX does not say
                  which weights train), ``total_macs``; ``extra`` holds ``dtype``, ``buffers``
                  (batch-norm statistics), ``weight_nodes`` (weight-preparation nodes),
                  ``unused_weights`` (stored float elements no node uses), ``uncounted_ops``,
                  ``ops`` (op type → nodes) and the tracer's keys (``params_not_called`` … = 0)
    nodes         one :class:`OnnxNode` per leaf record, in the same order
    notes         what a reader should know: assumptions (a symbolic batch taken as 1),
                  uncounted ops
    ir_version, opset, producer, n_bytes   from the file
    """

    result: TraceResult
    nodes: tuple[OnnxNode, ...]
    notes: tuple[str, ...]
    ir_version: int
    opset: int
    producer: str
    n_bytes: int


# ----------------------------------------------------------------------- the graph's parts


class _Constants:
    """Which values are constants (stored, or computed from stored values only), and the name of
    the stored or made tensor each one comes from."""

    def __init__(self, graph: OnnxGraph):
        self.values: set[str] = set(graph.initializers)
        self.origin: dict[str, str] = {name: name for name in graph.initializers}
        self.prep: list[Node] = []
        self.data: list[Node] = []
        for node in graph.nodes:
            inputs = [i for i in node.inputs if i]
            if all(i in self.values for i in inputs):
                self.prep.append(node)
                # A weight made by reshaping (or casting) a stored one is named after that one;
                # an Identity's output (torch.onnx.export's de-duplicated weights) keeps its own name.
                made = None if node.op_type == "Identity" else next(
                    (self.origin[i] for i in inputs
                     if graph.tensors.get(i) is not None and graph.tensors[i].elem_type in _FLOAT_TYPES), None)
                for out in node.outputs:
                    if out:
                        self.values.add(out)
                        self.origin[out] = made or out
            else:
                self.data.append(node)


def _shape(graph: OnnxGraph, name: str) -> Shape:
    tensor = graph.tensors.get(name)
    return tensor.shape if tensor is not None else ()


def _data_inputs(node: Node, constants: _Constants) -> list[str]:
    return [i for i in node.inputs if i and i not in constants.values]


def _weights(node: Node, graph: OnnxGraph, constants: _Constants, seen: set[str]) -> tuple[list, int]:
    """(parameter tensors counted here, buffer elements) — each tensor once in the whole model."""
    skip = _NOT_LEARNED.get(node.op_type, ())
    buffers = _BUFFERS.get(node.op_type, ())
    integer_ok = _INTEGER_WEIGHTS.get(node.op_type, ())
    weights, buffer_elements = [], 0
    for position, name in enumerate(node.inputs):
        if not name or name not in constants.values or name in seen:
            continue
        tensor = graph.tensors.get(name)
        if tensor is None:
            continue
        if position in buffers:
            seen.add(name)
            buffer_elements += tensor.numel
            continue
        if position in skip or tensor.numel <= 1:
            continue
        if tensor.elem_type not in _FLOAT_TYPES and position not in integer_ok:
            continue
        seen.add(name)
        weights.append((constants.origin.get(name, name), tensor))
    return weights, buffer_elements


def _ints(value: Any, n: int, default: int) -> tuple[int, ...]:
    if value is None:
        return (default,) * n
    return tuple(int(v) for v in value)


def _window(node: Node, graph: OnnxGraph) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int] | None:
    """(kernel, strides, dilations, group) of a convolution or pool; None for other ops."""
    if node.op_type not in _WINDOWED and node.op_type != "ConvTranspose":
        return None
    attrs = node.attributes
    kernel = attrs.get("kernel_shape")
    if kernel is None and node.op_type in _CONV_WEIGHT:
        w = _shape(graph, node.inputs[_CONV_WEIGHT[node.op_type]])
        kernel = w[2:]
    if not kernel:
        return None
    kernel = tuple(int(k) for k in kernel)
    n = len(kernel)
    return (kernel, _ints(attrs.get("strides"), n, 1), _ints(attrs.get("dilations"), n, 1),
            int(attrs.get("group", 1)) if node.op_type in _CONV_WEIGHT else 1)


def _conv_fits(node: Node, graph: OnnxGraph, x: Shape, w: Shape, group: int) -> None:
    """Shape inference does not check a convolution's channels: say clearly when they don't fit."""
    if len(x) < 2 or len(w) < 2:
        return
    transposed = node.op_type == "ConvTranspose"
    expected = w[0] if transposed else w[1] * group
    if x[1] != expected:
        label = user_value(node.name) if node.name else f"with output {user_value(node.outputs[0])}"
        raise ValueError(
            f"The {node.op_type} node {label} gets {x[1]} input channels, but its weight "
            f"({' × '.join(map(str, w))}, group {group}) expects {expected}. Check the model's layers.")


def _macs(node: Node, graph: OnnxGraph, data_in: Shape, out: Shape, window) -> int:
    """Multiply-adds of one node (see the module docstring)."""
    op = node.op_type
    if op in _CONV_WEIGHT and len(node.inputs) > _CONV_WEIGHT[op]:
        w = _shape(graph, node.inputs[_CONV_WEIGHT[op]])
        group = window[3] if window else 1
        _conv_fits(node, graph, data_in, w, group)
        if not w or len(out) < 2:
            return 0
        spatial = data_in[2:] if op == "ConvTranspose" else out[2:]
        return int(out[0] * prod(spatial) * prod(w))
    if op == "Gemm":
        a = _shape(graph, node.inputs[0])
        if len(a) != 2:
            return 0
        k = a[0] if node.attributes.get("transA", 0) else a[1]
        return int(prod(out) * k)
    if op in ("MatMul", "MatMulInteger", "QLinearMatMul"):
        a = _shape(graph, node.inputs[0])
        return int(prod(out) * a[-1]) if a and out is not None else 0
    return 0


def _receptive(node: Node, fields: dict[str, tuple[int, int, int, int]], data: list[str],
               in_shape: Shape, out_shape: Shape, window) -> tuple[int, int, int, int] | None:
    """(r_h, r_w, j_h, j_w) of the node's output: receptive field and jump in input pixels."""
    feeding = [fields[i] for i in data if i in fields]
    if len(out_shape) != 4 or not feeding:
        return None
    if node.op_type in _WINDOWED and window is not None and len(window[0]) == 2:
        (k_h, k_w), (s_h, s_w), (d_h, d_w), _ = window
        r_h, r_w, j_h, j_w = fields.get(data[0], feeding[0]) if data else feeding[0]
        return (r_h + (k_h - 1) * d_h * j_h, r_w + (k_w - 1) * d_w * j_w, j_h * s_h, j_w * s_w)
    same_grid = len(in_shape) == 4 and tuple(in_shape[2:]) == tuple(out_shape[2:])
    if (same_grid or node.op_type == "Pad") and not node.op_type.startswith("Global"):  # a Pad moves no window
        return (max(f[0] for f in feeding), max(f[1] for f in feeding),
                max(f[2] for f in feeding), max(f[3] for f in feeding))
    return None


# ------------------------------------------------------------------------------ records


def _containers(leaves: list[LayerRecord], itemsizes: list[int]) -> list[LayerRecord]:
    """Leaf records with a container record before the first leaf of each group (pre-order)."""
    spans: dict[str, list[int]] = {}
    for i, rec in enumerate(leaves):
        parts = rec.name.split(".")
        for k in range(1, len(parts)):
            spans.setdefault(".".join(parts[:k]), [i, i])[1] = i
    out: list[LayerRecord] = []
    emitted: set[str] = set()
    for rec in leaves:
        parts = rec.name.split(".")
        for k in range(1, len(parts)):
            prefix = ".".join(parts[:k])
            if prefix in emitted:
                continue
            emitted.add(prefix)
            first, last = spans[prefix]
            shape = leaves[last].output_shape
            out.append(LayerRecord(prefix, GROUP_TYPE, k - 1, leaves[first].input_shape, shape, 0, 0,
                                   prod(shape) * itemsizes[last] if shape else 0, False, 0))
        out.append(rec)
    return out


def _uncounted_note(counts: Counter) -> str:
    listed = ", ".join(f"{n} {user_value(op)}" for op, n in sorted(counts.items()))
    return (f"Multiply-adds not counted for {listed} node(s): only Conv, ConvTranspose, Gemm and "
            "MatMul are counted.")


def build_model(graph: OnnxGraph) -> OnnxModel:
    """Per-node records and totals of a read graph (see the module docstring)."""
    constants = _Constants(graph)
    nodes = constants.data
    if not nodes:
        raise ValueError("The model's input feeds no layer: every node computes only from stored constants.")
    producer_of: dict[str, int] = {}
    consumers_of: dict[str, list[int]] = {}
    for position, node in enumerate(nodes):
        for out in node.outputs:
            if out:
                producer_of[out] = position
        for name in node.inputs:
            if name:
                consumers_of.setdefault(name, []).append(position)

    seen: set[str] = set()
    fields: dict[str, tuple[int, int, int, int]] = {name: (1, 1, 1, 1) for name, t in graph.inputs
                                                      if len(t.shape) == 4}
    sources, rows = [], []
    buffers = 0
    for node in nodes:
        data = _data_inputs(node, constants)
        weights, buffer_elements = _weights(node, graph, constants, seen)
        buffers += buffer_elements
        in_shape = _shape(graph, data[0]) if data else ()
        out_name = next((o for o in node.outputs if o), "")
        out_tensor = graph.tensors.get(out_name)
        out_shape = out_tensor.shape if out_tensor is not None else ()
        window = _window(node, graph)
        macs = _macs(node, graph, in_shape, out_shape, window)
        field = _receptive(node, fields, data, in_shape, out_shape, window)
        if field is not None:
            fields[out_name] = field
        sources.append(NameSource(
            node.name, weights[0][0] if weights else "", node.op_type,
            producers=tuple(producer_of[i] for i in data if i in producer_of),
            consumers=tuple(sorted({c for o in node.outputs if o for c in consumers_of.get(o, ())})),
            flattens=0 < len(out_shape) < len(in_shape),
        ))
        rows.append((node, data, weights, in_shape, out_shape, macs, window, field,
                     out_tensor.itemsize if out_tensor is not None else 0))

    names = scope_names(sources)
    leaves, details, itemsizes = [], [], []
    for (name, call), (node, _data, weights, in_shape, out_shape, macs, window, field, itemsize) in zip(names, rows):
        params = sum(t.numel for _, t in weights)
        by_weight = node.op_type == "MatMul" and len(node.inputs) > 1 and node.inputs[1] in constants.values
        record = LayerRecord(name, explorer_type(node.op_type, out_shape, by_weight), name.count("."),
                             tuple(in_shape), tuple(out_shape), params, macs,
                             prod(out_shape) * itemsize if out_shape else 0, True, call)
        leaves.append(record)
        itemsizes.append(itemsize)
        details.append(OnnxNode(
            record=record, op_type=node.op_type, onnx_name=node.name, weights=tuple((n, t.shape) for n, t in weights),
            kernel=window[0] if window else None, strides=window[1] if window else None,
            group=window[3] if window else 1, receptive_field=(field[0], field[1]) if field else None,
        ))

    uncounted = Counter(n.op_type for n in nodes if n.op_type in _UNCOUNTED)
    notes = list(graph.notes) + ([_uncounted_note(uncounted)] if uncounted else [])
    used = {name for node in nodes for name in node.inputs} | {name for node in constants.prep for name in node.inputs}
    unused = sum(t.numel for name, t in graph.tensors.items()
                 if name in graph.initializers and name not in used and t.elem_type in _FLOAT_TYPES)
    first_input = graph.inputs[0][1]
    total_params = sum(r.params for r in leaves)
    result = TraceResult(
        records=_containers(leaves, itemsizes),
        input_size=first_input.shape,
        output_shape=_shape(graph, graph.outputs[0]) if graph.outputs else (),
        total_params=total_params,
        trainable_params=total_params,
        total_macs=sum(r.macs for r in leaves),
        extra={"params_not_called": 0, "modules_not_called": [], "params_of_model": 0,
               "dtype": dtype_name(first_input.elem_type), "buffers": buffers,
               "weight_nodes": len(constants.prep), "unused_weights": unused,
               "uncounted_ops": dict(uncounted), "ops": dict(Counter(n.op_type for n in nodes)),
               "source": "onnx"},
    )
    return OnnxModel(result=result, nodes=tuple(details), notes=tuple(notes), ir_version=graph.ir_version,
                     opset=graph.opset, producer=graph.producer, n_bytes=graph.n_bytes)


def open_onnx(source: Any, max_bytes: int = MAX_BYTES) -> OnnxModel:
    """Open an ONNX model — bytes, a path, or an uploaded file — as records the Explorer can draw.

    Raises ``ValueError`` with a message saying what was wrong and what is allowed (not an
    ONNX file, truncated, over :data:`~viz.builder.onnx_read.MAX_BYTES`, external data, no
    input shape, ops whose shapes can't be inferred, layers that don't fit); file-derived text
    in it is wrapped by :func:`viz.formatting.user_value`.
    """
    return build_model(read_onnx(source, max_bytes))
