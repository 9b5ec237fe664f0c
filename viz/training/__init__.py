"""The Training Lab: small, real training runs on the CPU, and what they show.

Modules, one job each:

* :mod:`.data` — the digits every experiment trains on (a fixed split).
* :mod:`.settings` — each experiment's settings; every allowed range declared once.
* :mod:`.progress` — progress events, stopping, and the server's one training slot.
* :mod:`.common` — the optimiser, the SGD step and the error rate all experiments share.
* :mod:`.depth`, :mod:`.transfer`, :mod:`.ensemble` — the three experiments, each a
  generator of progress events ending in a result record.
* :mod:`.results` — those records (partial and final), with ``to_json``/``from_json``.
* :mod:`.experiments` — the experiments by name; :mod:`.store` — stored default runs and
  the bounded result cache; ``python -m viz.training precompute`` regenerates the stored runs.
* :mod:`.verdicts` — one honest sentence per result; :mod:`.freeze` — the freeze planner.
* :mod:`.figures` — plotly; :mod:`.view` — the page's sections as :mod:`viz.view` blocks.
"""
