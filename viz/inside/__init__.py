""""Inside LeNet-5": the trained network at work on one digit.

* :mod:`~viz.inside.preprocess` — a drawing or photo made into an MNIST digit, step by step;
* :mod:`~viz.inside.network` — every layer's output, C1's kernels, one unit's arithmetic,
  receptive-field boxes;
* :mod:`~viz.inside.errors` — the confusion matrix and the misclassified test digits;
* :mod:`~viz.inside.figures` — the plotly figures; :mod:`~viz.inside.view` — the page's view blocks.
"""
