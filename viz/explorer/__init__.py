"""The Network Explorer: pick a case-study network, see its shapes, channel growth and costs.

Everything the explorer page shows is computed here from the zoo's specs and the
tracer's records, so it can be tested without a Streamlit server; the page reads
widgets, keeps the caches, calls :mod:`~viz.explorer.view` and renders.

* :mod:`~viz.explorer.state`: the page's state in the URL (a teacher shares a link);
  bad values fall back to defaults with a notice.
* :mod:`~viz.explorer.numbers`: "138,357,544 ≈ 138M as in the lecture"; MACs or
  FLOPs = 2 × MACs.
* :mod:`~viz.explorer.structure`: what the volume diagram and cost chart draw, one
  entry per stage or block (op labels, inception branches, skips, depth).
* :mod:`~viz.explorer.tracing`: the trace with GoogLeNet's side classifiers; receptive fields.
* :mod:`~viz.explorer.diagram`: the volume diagram laid out as data (wide rows or a narrow
  column; skip paths, identity vs W_s; side branches; label extents, no overlaps);
  :mod:`~viz.explorer.svg` writes that layout as the SVG download for slides.
* :mod:`~viz.explorer.layers`: a layer in the lecture's words, its window and its arithmetic
  with the numbers; :mod:`~viz.explorer.details`: the panel of a clicked box.
* :mod:`~viz.explorer.table`: the layer table, collapsible by depth, and its CSV.
* :mod:`~viz.explorer.published`: published figures, pretrained weights, the source.
* :mod:`~viz.explorer.figures`: the plotly figures (the only module importing plotly).
* :mod:`~viz.explorer.view`: each section as :mod:`viz.view` blocks.
"""
