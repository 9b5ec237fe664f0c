"""The Block Lab: the lecture's building blocks, built, traced and costed — change a number, see it change.

Each lab builds its block from :mod:`architectures.blocks` (the classes the zoo uses),
runs a real forward pass with :func:`viz.trace.trace`, and reports per stage the shapes,
the parameters and the multiply-adds twice: by the lecture's formula
(:mod:`architectures.costs`) and as counted from the traced module; the two must agree.
The defaults are the lecture's own examples. Everything the page shows is computed
here, so it is tested without a Streamlit server.

* :mod:`~viz.blocklab.common`: a lab's settings as data (``Control``: a registry
  ``Option`` with its URL key and widget), their checks, shared-link checks, and the
  traced ``Stage`` / ``LabResult``.
* one module per lab, each declaring its controls beside its function:
  :mod:`~viz.blocklab.one_by_one` (Lin et al. 2013), :mod:`~viz.blocklab.inception`
  (Szegedy et al. 2015), :mod:`~viz.blocklab.residual` (He et al. 2016),
  :mod:`~viz.blocklab.separable` (Howard et al. 2017), :mod:`~viz.blocklab.mobilenet_v2`
  (Sandler et al. 2018), :mod:`~viz.blocklab.efficientnet` (Tan & Le 2019).
* :mod:`~viz.blocklab.figures`: the plotly figures and the 1×1 lab's grids (the only
  module importing plotly).
* :mod:`~viz.blocklab.view`: one view function per lab (settings → :class:`viz.view.View`
  with the lecture's headline and main figure), and ``LABS``, the registry the page draws.
"""
