"""An uploaded ``.onnx`` file → a checked ``onnx.ModelProto``, or a clear ValueError.

Safety. The file is parsed as an ONNX protobuf by the ``onnx`` package and nothing else:
no pickle, no code execution, no onnxruntime. The size is checked before the file is
read (before parsing in any case): at most :data:`MAX_BYTES`. A model that keeps its
weights in separate files (ONNX "external data") is refused *before* ``onnx.checker``
runs, because the checker looks for such files on disk and nothing a user uploads may
name a path here.

The steps, in the order :func:`viz.builder.onnx_read.read_onnx` runs them: :func:`read_bytes`
(size: empty or over :data:`MAX_BYTES` → refused; a path or file object is measured without
being read), :func:`parse_model` (not a protobuf ModelProto — random bytes, a truncated file —
no graph, or names that are not text → "not an ONNX model"), :func:`refuse_external_data`,
and :func:`check` (``onnx.checker.check_model`` on the bytes as uploaded; it also checks that
each stored tensor holds as many values as its shape says, so a damaged weight is caught).
Any text taken from the file is shown through :func:`viz.formatting.user_value`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import onnx
from google.protobuf.message import DecodeError

from viz.formatting import user_value

# The largest file opened: 128 MiB. A float32 ResNet-50 export (25.6M weights × 4 bytes
# ≈ 102 MB) fits; VGG-16's (138M weights, ≈ 553 MB) does not. Parsing keeps one copy
# of the file in memory beside the caller's bytes (the checker parses another for a
# moment); the weights are dropped before shape inference, which never sees them.
MAX_BYTES = 128 * 1024 * 1024


# ------------------------------------------------------------------------ reading bytes


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _limit_text(max_bytes: int) -> str:
    return f"at most {_megabytes(max_bytes)} ({max_bytes // (1024 * 1024)} MiB)"


def _size_of(source: Any) -> int | None:
    """The size of ``source`` in bytes without reading it; None if it can't be told."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return memoryview(source).nbytes
    if isinstance(source, (str, os.PathLike)):
        try:
            return os.stat(source).st_size
        except OSError as error:
            raise ValueError(f"Could not open the file {user_value(os.fspath(source))}: "
                             f"{error.strerror or error}.") from None
    size = getattr(source, "size", None)  # Streamlit's UploadedFile
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    if hasattr(source, "seek") and hasattr(source, "tell"):
        try:
            here = source.tell()
            end = source.seek(0, os.SEEK_END)
            source.seek(here)
            return end - here
        except (OSError, ValueError):
            return None
    return None


def read_bytes(source: Any, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes: ``source`` is bytes, a path, or a binary file object (e.g. an upload).

    The size is checked first — for a path or a file object without reading it — and at
    most ``max_bytes + 1`` bytes are ever read, so an over-size file is refused early.
    """
    size = _size_of(source)
    if size is not None and size > max_bytes:
        raise ValueError(f"The file is {_megabytes(size)}: too large to open here. ONNX files of "
                         f"{_limit_text(max_bytes)} can be opened (a float32 ResNet-50 is about 102 MB).")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            data = handle.read(max_bytes + 1)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if not isinstance(data, (bytes, bytearray)):
            raise ValueError("The upload could not be read as bytes: open the .onnx file in binary mode.")
        data = bytes(data)
    else:
        raise ValueError(f"Expected an .onnx file (bytes, a path or an uploaded file); got a "
                         f"{type(source).__name__}.")
    if len(data) > max_bytes:
        raise ValueError(f"The file is larger than {_megabytes(max_bytes)}: too large to open here. "
                         f"ONNX files of {_limit_text(max_bytes)} can be opened.")
    if not data:
        raise ValueError("The file is empty: an .onnx model file was expected.")
    return data


# ---------------------------------------------------------------------------- parsing


_NOT_ONNX = ("It is not an ONNX model{why}. Upload a model saved with onnx.save or "
             "torch.onnx.export (a .onnx file holding the whole model, at most {limit}).")


def parse_model(data: bytes) -> onnx.ModelProto:
    """Bytes → ModelProto, or ValueError for bytes that are no ONNX model (or a truncated one)."""
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as error:  # protobuf's C++ backend raises DecodeError
        reason = str(error).strip() or type(error).__name__
        why = ": the bytes are not a valid ONNX protobuf, or the file is truncated or damaged"
        raise ValueError(_NOT_ONNX.format(why=f"{why} (protobuf: {user_value(reason)})",
                                          limit=_megabytes(MAX_BYTES))) from None
    if model.ir_version <= 0 or not model.HasField("graph") or not model.graph.node:
        missing = ("no IR version" if model.ir_version <= 0 else "no graph" if not model.HasField("graph")
                   else "a graph without nodes")
        raise ValueError(_NOT_ONNX.format(why=f": it has {missing} (random bytes, another kind of file, "
                                              "or a truncated one)", limit=_megabytes(MAX_BYTES)))
    if not _names_are_text(model.graph):
        raise ValueError(_NOT_ONNX.format(why=": some of its names are not UTF-8 text (a damaged file)",
                                          limit=_megabytes(MAX_BYTES)))
    return model


def _names_are_text(graph: onnx.GraphProto) -> bool:
    """Whether every name is text: protobuf hands back bytes for a string field that is not UTF-8."""
    for node in graph.node:
        if not all(isinstance(t, str) for t in (node.name, node.op_type, node.domain, *node.input, *node.output)):
            return False
    values = (*graph.input, *graph.output, *graph.value_info, *graph.initializer)
    return all(isinstance(v.name, str) for v in values)


def _graph_tensors(graph: onnx.GraphProto) -> Iterable[onnx.TensorProto]:
    """Every tensor stored in ``graph``: initialisers, sparse ones, and node attributes (deep)."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
        yield sparse.indices
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            if attribute.HasField("sparse_tensor"):
                yield attribute.sparse_tensor.values
            yield from attribute.tensors
            if attribute.HasField("g"):
                yield from _graph_tensors(attribute.g)
            for sub in attribute.graphs:
                yield from _graph_tensors(sub)


def refuse_external_data(model: onnx.ModelProto) -> None:
    """ValueError if any tensor keeps its values in a separate file ("external data")."""
    external = [t.name or "(unnamed)" for t in _graph_tensors(model.graph)
                if t.data_location == onnx.TensorProto.EXTERNAL or len(t.external_data)]
    for function in model.functions:
        for node in function.node:
            for attribute in node.attribute:
                if attribute.HasField("t") and attribute.t.data_location == onnx.TensorProto.EXTERNAL:
                    external.append(attribute.t.name or "(unnamed)")
    if external:
        shown = ", ".join(user_value(n) for n in external[:3]) + (f" and {len(external) - 3} more"
                                                                    if len(external) > 3 else "")
        raise ValueError(
            f"The model keeps {len(external)} weight tensor(s) in separate files (ONNX external data: "
            f"{shown}), which can't be uploaded here. Save the whole model in one .onnx file "
            f"(onnx.save(model, path, save_as_external_data=False), or torch.onnx.export with "
            f"external_data=False), at most {_megabytes(MAX_BYTES)}."
        )


def check(data: bytes) -> None:
    """``onnx.checker.check_model`` on the uploaded bytes; its complaint as a ValueError."""
    try:
        onnx.checker.check_model(data)
    except (onnx.checker.ValidationError, ValueError, RuntimeError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ValueError(f"It is not a valid ONNX model: onnx.checker says {user_value(first, 200)}. "
                         "Re-export it (torch.onnx.export) or check it with onnx.checker.check_model.") from None
