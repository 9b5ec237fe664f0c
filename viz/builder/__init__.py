"""Network Builder (issue 17): design a CNN from the lecture's blocks, or open an ONNX model.

Pure logic so far (the page and the Compare view come later):

* :mod:`viz.builder.onnx_file` — an uploaded ``.onnx`` file read safely: size cap before
  reading, protobuf parse, external data refused, ``onnx.checker``;
* :mod:`viz.builder.onnx_read` — the checked model shape-inferred (``onnx.shape_inference``)
  from its input's shape into a plain graph with every shape known.
* :mod:`viz.builder.onnx_names` — node names turned into module-like paths, so the nodes fall
  into stages and blocks the Explorer's table and diagram can draw.
* :mod:`viz.builder.onnx_model` — :func:`~viz.builder.onnx_model.open_onnx`: per node op type,
  output shape, parameters, multiply-adds and receptive field, as
  :class:`viz.trace.LayerRecord` rows in a :class:`viz.trace.TraceResult`.
"""
