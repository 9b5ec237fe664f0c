"""The Training Lab: small, real training runs on the CPU, on real MNIST digits, and what they show.

Modules, one job each:

* :mod:`.data` — the shared MNIST split (:mod:`viz.data.mnist`) at 14×14 and as LeNet-5's 32×32.
* :mod:`.settings` — every setting of every experiment, declared once as a ``viz.controls.Control``
  (its URL key, its widget, its check).
* :mod:`.progress` — progress events, stopping, and the server's one training slot.
* :mod:`.common` — the SGD step, the error rate, LeNet-5's recipe and minibatches shared by all.
* :mod:`.depth`, :mod:`.transfer`, :mod:`.augment`, :mod:`.ensemble`, :mod:`.multicrop` — the
  experiments, each a generator of progress events ending in a result record.
* :mod:`.results` — those records (partial and final), with ``to_json``/``from_json``.
* :mod:`.experiments` — the experiments by name; :mod:`.store` — stored default runs and
  the bounded result cache; ``python -m viz.training precompute`` regenerates the stored runs.
* :mod:`.verdicts` — one honest sentence per result; :mod:`.freeze` — the freeze planner.
* :mod:`.figures` — plotly; :mod:`.view` and :mod:`.sections` — the page's blocks.
"""
