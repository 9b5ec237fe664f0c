"""An uploaded ``.onnx`` file → a plain graph whose every tensor shape is known, or a clear ValueError.

:func:`read_onnx` runs these steps (each failure is a ``ValueError`` saying what was wrong and
what is allowed; any text taken from the file is shown through :func:`viz.formatting.user_value`,
so a page can put the message into ``st.error`` as it is):

1. the file (:mod:`viz.builder.onnx_file`): size cap before reading, protobuf parse,
   external data refused before the checker;
2. the input: every real graph input (one that is not an initialiser) needs a tensor
   shape. A symbolic or unknown *first* (batch) dimension is taken as 1 and said so in
   :attr:`OnnxGraph.notes`; any other symbolic dimension (a height, a width) is refused:
   a model exported with a fixed input size is needed (checked before the checker, whose
   own message for a missing shape says less);
3. ``onnx.checker.check_model`` (:func:`viz.builder.onnx_file.check`);
4. local functions inlined; control flow refused if its branches hold weighted layers;
5. the big weights are taken out of the graph before shape inference (their shapes are
   kept; their values are not needed for shapes), and the file's own intermediate shape
   annotations are dropped, so every shape reported comes from ``onnx.shape_inference``
   (strict mode, with data propagation) run from the input's shape;
6. any tensor the network computes whose shape is still unknown → refused, naming the
   op types and nodes (e.g. a custom-domain op that inference does not know).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
import onnx.inliner
from onnx import helper

from viz.builder.onnx_file import MAX_BYTES, check, parse_model, read_bytes, refuse_external_data
from viz.formatting import user_value

# Initialisers with more elements than this are taken out before shape inference (only
# their shapes are needed). Small ones stay: a Reshape's target shape, Resize scales, …
_KEEP_ELEMENTS = 64

# Ops with subgraphs: their insides would escape the per-node counting.
_CONTROL_FLOW = ("If", "Loop", "Scan")
# Ops with weights or multiply-adds (a subgraph holding one is refused).
_WEIGHTED_OPS = ("Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "Gemm", "MatMul", "MatMulInteger",
                 "QLinearMatMul", "Einsum", "LSTM", "GRU", "RNN", "Attention")

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Tensor:
    """What is known of one tensor of the graph: its shape and element type (an ONNX enum)."""

    shape: Shape
    elem_type: int

    @property
    def numel(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def itemsize(self) -> int:
        return _itemsize(self.elem_type)


@dataclass(frozen=True)
class Node:
    """One node of the graph, as plain data (names, op, attributes as Python values)."""

    index: int
    name: str
    op_type: str
    domain: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict[str, Any]


@dataclass
class OnnxGraph:
    """A read, checked and shape-inferred model.

    nodes         every node in the file's (topological) order
    tensors       name → :class:`Tensor` for every value with a known shape: inputs,
                  initialisers, and every node output inference could shape
    initializers  names of the graph's initialisers (constants stored in the file)
    inputs        the real inputs (not initialisers), in order, with the shapes used
    outputs       the graph's output names
    notes         what was assumed (e.g. a symbolic batch taken as 1)
    ir_version, opset, producer   from the file; ``n_bytes`` its size
    """

    nodes: list[Node]
    tensors: dict[str, Tensor]
    initializers: frozenset[str]
    inputs: list[tuple[str, Tensor]]
    outputs: list[str]
    notes: list[str] = field(default_factory=list)
    ir_version: int = 0
    opset: int = 0
    producer: str = ""
    n_bytes: int = 0


# --------------------------------------------------------------------- shapes and types


def _itemsize(elem_type: int) -> int:
    try:
        return int(np.dtype(helper.tensor_dtype_to_np_dtype(elem_type)).itemsize)
    except (KeyError, TypeError, ValueError):
        return 0


def dtype_name(elem_type: int) -> str:
    """The element type's name as numpy and torch spell it (``"float32"``); ``"float32"`` if unknown."""
    try:
        return str(np.dtype(helper.tensor_dtype_to_np_dtype(elem_type)).name)
    except (KeyError, TypeError, ValueError):
        return "float32"


def _dims(value_info: onnx.ValueInfoProto) -> tuple[list, int] | None:
    """(dims, elem_type) of a tensor value: each dim an int, a symbol name (str) or None; None if
    the value is not a tensor or has no shape at all."""
    if not value_info.type.HasField("tensor_type"):
        return None
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = []
    for d in tensor_type.shape.dim:
        if d.HasField("dim_value") and d.dim_value > 0:
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param") and d.dim_param:
            dims.append(d.dim_param)
        else:
            dims.append(None)
    return dims, tensor_type.elem_type


def _fix_inputs(graph: onnx.GraphProto, initializers: frozenset[str], notes: list[str]) -> list[tuple[str, Tensor]]:
    """The real inputs with concrete shapes (a symbolic batch set to 1 in the graph), else ValueError."""
    real = [vi for vi in graph.input if vi.name not in initializers]
    if not real:
        raise ValueError("The model has no input: every graph input is a stored constant. "
                         "A network with an image input (e.g. 1 × 3 × 224 × 224) was expected.")
    fixed = []
    for vi in real:
        found = _dims(vi)
        label = user_value(vi.name)
        if found is None:
            raise ValueError(
                f"The input {label} has no shape, so no layer's shape can be worked out. Export the model "
                "with a fixed input size, e.g. torch.onnx.export(model, torch.zeros(1, 3, 224, 224), …).")
        dims, elem_type = found
        if not dims:
            raise ValueError(f"The input {label} is a scalar; an image input (N × C × H × W) was expected.")
        if not isinstance(dims[0], int):
            what = f"symbolic ({user_value(dims[0])})" if isinstance(dims[0], str) else "unknown"
            notes.append(f"The batch size of input {label} is {what}: counted at batch 1.")
            dim = vi.type.tensor_type.shape.dim[0]
            dim.Clear()
            dim.dim_value = 1
            dims[0] = 1
        others = [i for i, d in enumerate(dims) if not isinstance(d, int)]
        if others:
            shown = " × ".join(str(d) if d is not None else "?" for d in dims)
            raise ValueError(
                f"The input {label} has a size that is not fixed ({user_value(shown)}): only the batch "
                "(first) dimension may be symbolic here. Export the model with a fixed input size, e.g. "
                "torch.onnx.export(model, torch.zeros(1, 3, 224, 224), …) without dynamic axes for H and W.")
        fixed.append((vi.name, Tensor(tuple(dims), elem_type)))
    return fixed


def _strip_for_inference(graph: onnx.GraphProto) -> dict[str, Tensor]:
    """Take the big initialisers out (declared as inputs of their shape instead) and drop the
    file's intermediate shape annotations; returns every initialiser's shape and type."""
    stored: dict[str, Tensor] = {}
    kept = []
    declared = {vi.name for vi in graph.input}
    big_inputs = []
    for t in graph.initializer:
        stored[t.name] = Tensor(tuple(int(d) for d in t.dims), t.data_type)
        if stored[t.name].numel > _KEEP_ELEMENTS:
            if t.name not in declared:
                big_inputs.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
        else:
            kept.append(t)
    # IR < 4 lists every initialiser as an input too: make sure those declarations say its true shape.
    for vi in graph.input:
        if vi.name in stored and stored[vi.name].numel > _KEEP_ELEMENTS:
            t = stored[vi.name]
            vi.CopyFrom(helper.make_tensor_value_info(vi.name, t.elem_type, list(t.shape)))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    graph.input.extend(big_inputs)
    del graph.value_info[:]
    for out in graph.output:
        if out.type.HasField("tensor_type") and out.type.tensor_type.HasField("shape"):
            out.type.tensor_type.ClearField("shape")
    return stored


def _infer(model: onnx.ModelProto) -> onnx.ModelProto:
    try:
        return onnx.shape_inference.infer_shapes(model, check_type=False, strict_mode=True, data_prop=True)
    except (onnx.shape_inference.InferenceError, RuntimeError, ValueError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ValueError(f"The layer shapes don't fit together: onnx.shape_inference says "
                         f"{user_value(first, 200)}. Check the model's input size and layers.") from None


def _subgraphs(node: onnx.NodeProto) -> Iterable[onnx.GraphProto]:
    for attribute in node.attribute:
        if attribute.HasField("g"):
            yield attribute.g
        yield from attribute.graphs


def _has_weighted_work(graph: onnx.GraphProto) -> bool:
    """Whether a subgraph holds a layer with weights or multiply-adds (or a stored tensor)."""
    for node in graph.node:
        if node.op_type in _WEIGHTED_OPS or node.op_type in _CONTROL_FLOW and any(
                _has_weighted_work(g) for g in _subgraphs(node)):
            return True
    return any(int(np.prod(t.dims, dtype=np.int64)) > 1 for t in graph.initializer)


def _refuse_weighted_subgraphs(graph: onnx.GraphProto) -> None:
    """Control flow (If/Loop/Scan) is allowed only when its branches hold no weighted layer — such as
    the ``If`` torch.onnx.export writes inside ``nn.LocalResponseNorm`` (a squeeze of a size-1
    dimension); otherwise the branches' costs would escape the per-node counting."""
    bad = [n for n in graph.node if n.op_type in _CONTROL_FLOW and any(_has_weighted_work(g) for g in _subgraphs(n))]
    if bad:
        ops = sorted({n.op_type for n in bad})
        raise ValueError(f"The model has control flow ({', '.join(user_value(op) for op in ops)}) with layers "
                         "inside its branches, which can't be counted layer by layer. Export a plain "
                         "feed-forward network.")


def _attributes(node: onnx.NodeProto) -> dict[str, Any]:
    values = {}
    for attribute in node.attribute:
        if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            continue
        try:
            value = helper.get_attribute_value(attribute)
        except Exception:  # an attribute type this onnx version can't decode: not needed for counting
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif isinstance(value, list):
            value = tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in value)
        values[attribute.name] = value
    return values


def _node_label(node: Node) -> str:
    return user_value(node.name) if node.name else f"(unnamed, output {user_value(node.outputs[0])})"


def _refuse_unknown_shapes(nodes: list[Node], tensors: dict[str, Tensor], graph_outputs: list[str]) -> None:
    """ValueError naming the op types (and nodes) whose outputs inference could not shape."""
    needed = set(graph_outputs)
    for node in nodes:
        needed.update(i for i in node.inputs if i)
    missing: dict[str, list[Node]] = {}
    for node in nodes:
        outputs = [o for o in node.outputs if o]
        wanted = [o for o in outputs if o in needed] or outputs[:1]
        if any(o not in tensors for o in wanted):
            key = f"{node.domain}.{node.op_type}" if node.domain not in ("", "ai.onnx") else node.op_type
            missing.setdefault(key, []).append(node)
    if not missing:
        return
    parts = []
    for op, bad in missing.items():
        names = ", ".join(_node_label(n) for n in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        parts.append(f"{user_value(op)} (node {names})")
    raise ValueError(
        "The shapes after these ops can't be worked out from the input size, so the model can't be "
        "shown: " + "; ".join(parts) + ". Supported: standard ONNX operators (the ai.onnx domain) whose "
        "output shapes follow from a fixed input size; not custom ops, nor shapes the model computes "
        "at run time (torch.onnx.export writes nn.LocalResponseNorm that way: export without it).")


def read_onnx(source: Any, max_bytes: int = MAX_BYTES) -> OnnxGraph:
    """Read, check and shape-infer an ONNX model: bytes, a path, or an uploaded file.

    Raises ``ValueError`` (never a protobuf or onnx exception) as described in the module
    docstring.
    """
    data = read_bytes(source, max_bytes)
    model = parse_model(data)
    refuse_external_data(model)
    graph = model.graph
    initializers = frozenset(t.name for t in graph.initializer)
    notes: list[str] = []
    inputs = _fix_inputs(graph, initializers, notes)  # before the checker: a clearer message for a missing shape
    check(data)
    n_bytes = len(data)
    del data
    if model.functions:
        try:
            model = onnx.inliner.inline_local_functions(model)
        except Exception as error:  # the inliner's own errors are of no fixed type
            raise ValueError(f"The model's local functions could not be expanded: {user_value(str(error))}.") \
                from None
    graph = model.graph
    _refuse_weighted_subgraphs(graph)
    stored = _strip_for_inference(graph)
    inferred = _infer(model).graph

    tensors: dict[str, Tensor] = dict(stored)
    for name, tensor in inputs:
        tensors[name] = tensor
    for vi in list(inferred.value_info) + list(inferred.output):
        found = _dims(vi)
        if found is None:
            continue
        dims, elem_type = found
        if all(isinstance(d, int) for d in dims):
            tensors[vi.name] = Tensor(tuple(dims), elem_type)
    nodes = [Node(i, n.name, n.op_type, n.domain, tuple(n.input), tuple(n.output), _attributes(n))
             for i, n in enumerate(inferred.node)]
    outputs = [o.name for o in inferred.output]
    _refuse_unknown_shapes(nodes, tensors, outputs)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    return OnnxGraph(nodes=nodes, tensors=tensors, initializers=initializers, inputs=inputs, outputs=outputs,
                     notes=notes, ir_version=model.ir_version, opset=opset, producer=model.producer_name,
                     n_bytes=n_bytes)
