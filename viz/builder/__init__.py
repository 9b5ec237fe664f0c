"""Network Builder (issue 17): design a CNN from the lecture's blocks, open an ONNX model, compare two.

A design (the table):

* :mod:`viz.builder.rows` — the kinds of row and their columns (declared once as ``Option``\\ s), checks;
* :mod:`viz.builder.layers` — a checked row on its input → the zoo block it builds, or why it can't;
* :mod:`viz.builder.design` — :func:`~viz.builder.design.evaluate`: a real pass, row by row, on the
  meta device, with a per-row cache; :mod:`viz.builder.start` — a zoo network as rows;
* :mod:`viz.builder.codec` (JSON file, compact link), :mod:`viz.builder.export` (a runnable PyTorch file).

An ONNX model:

* :mod:`viz.builder.onnx_file` — an uploaded ``.onnx`` file read safely: size cap before
  reading, protobuf parse, external data refused, ``onnx.checker``;
* :mod:`viz.builder.onnx_read` — the checked model shape-inferred (``onnx.shape_inference``)
  from its input's shape into a plain graph with every shape known.
* :mod:`viz.builder.onnx_names` — node names turned into module-like paths, so the nodes fall
  into stages and blocks the Explorer's table and diagram can draw.
* :mod:`viz.builder.onnx_model` — :func:`~viz.builder.onnx_model.open_onnx`: per node op type,
  output shape, parameters, multiply-adds and receptive field, as
  :class:`viz.trace.LayerRecord` rows in a :class:`viz.trace.TraceResult`;
* :mod:`viz.builder.onnx_check` — ``python -m viz.builder.onnx_check``: the onnx wheel's light
  models beside the zoo.

Two networks: :mod:`viz.builder.compare` (stages aligned, differences), :mod:`viz.builder.figures`.
The page's sections: :mod:`viz.builder.view`; its settings: :mod:`viz.builder.settings`.
"""
