"""Network Builder: how fast an edit of a 30-row design at 224×224 gives fresh shapes and diagrams.

Run from the repository root (under the shared lock on a shared machine)::

    python -m benchmarks.builder_bench                # 7 rounds
    python -m benchmarks.builder_bench --repeats 15

Target (issue 17): a builder edit to refreshed shapes and diagram ≤ 300 ms for a 30-row
design at 224×224. The design: ResNet-101's stem, layer1, layer2 and the first 18 blocks
of layer3, then a head (global pool, flatten, fully connected) — 30 rows of convolutions,
pools and bottleneck blocks. Medians of ``--repeats`` rounds, edits interleaved round by
round, one torch thread (as the app):

* ``evaluate``  :func:`viz.builder.design.evaluate` after the edit, the per-row cache holding
                the rows of the design before it and nothing else (as on the page: rows
                whose layer and input did not change are not traced again);
* ``figures``   :func:`viz.builder.view.figures_view`: the Explorer's volume diagram,
                channel growth and cost chart of the new trace;
* ``edit``      the two together: what the target is about;
* ``page``      server time of the page's rerun after the edit, as the page measures it
                itself (``nb_run_ms``: script start to end, the design's pass on the shared
                worker, the table, the charts), the page's caches cleared first; driven
                by ``AppTest``, whose own parsing of the elements is not included.

The edits: ``mid c`` (row 15's bottleneck width, 256 → 192 and back: that block and the
one after it are traced again), ``first c`` (the stem's filters 64 → 48: the pool and the
first block are traced again), ``input`` (224 ↔ 192: every row is traced again — the worst
case), and ``cold`` (the row cache emptied: every row traced, as for a design no one has
opened since the server started).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

import torch

from viz.builder import codec
from viz.builder import design as builder_design
from viz.builder.design import Design, evaluate
from viz.builder.rows import normalise, with_values
from viz.builder.start import design_from_zoo
from viz.builder.view import figures_view

PAGE = str(Path(__file__).resolve().parents[1] / "viz" / "pages" / "network_builder.py")
ROWS = 30
MID_ROW = 14  # row 15 (a bottleneck of layer3)


def bench_design() -> Design:
    """30 rows at 224×224: ResNet-101 up to its 18th layer3 block, then a head."""
    resnet = design_from_zoo("resnet101")
    head = tuple(normalise(dict(kind=k, stage="head", **v)) for k, v in (("gap", {}), ("flatten", {}),
                                                                         ("fc", {"c": 1000})))
    design = Design((3, 224, 224), resnet.rows[:ROWS - len(head)] + head, "builder_bench")
    assert len(design.rows) == ROWS and evaluate(design).ok
    return design


def _edits(design: Design) -> dict[str, tuple[Design, Design]]:
    """Each edit as (the design before, the design after)."""
    rows = list(design.rows)

    def changed(i: int, **values) -> Design:
        edited = list(rows)
        edited[i] = with_values(rows[i], **values)
        return replace(design, rows=tuple(edited))

    mid = rows[MID_ROW]
    assert mid.kind == "bottleneck", mid
    return {
        "mid c": (design, changed(MID_ROW, c=192)),
        "first c": (design, changed(0, c=48)),
        "input": (design, replace(design, input=(3, 192, 192))),
    }


def _timed(fn, *args):
    """``fn(*args)`` and how long it took, in milliseconds."""
    start = time.perf_counter()
    value = fn(*args)
    return (time.perf_counter() - start) * 1000, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    design = bench_design()
    edits = _edits(design)
    figures_view(evaluate(design).result, design.name)  # first-call costs (plotly, imports) out of the way

    at = AppTest.from_file(PAGE, default_timeout=300)
    at.query_params["d"] = codec.to_link(design)
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    names = (*edits, "cold")
    timings: dict[str, dict[str, list[float]]] = {n: {"evaluate": [], "figures": [], "edit": [], "page": []}
                                                  for n in names}
    for i in range(args.repeats):
        for name in names:
            before, after = edits.get(name, (design, design))
            if i % 2:  # alternate the direction, so both designs are edited into
                before, after = after, before
            builder_design.clear_cache()  # only the design before the edit has been traced (by the page)
            if name != "cold":
                evaluate(before)
            ms, result = _timed(evaluate, after)
            timings[name]["evaluate"].append(ms)
            timings[name]["figures"].append(_timed(figures_view, result.result, after.name)[0])
            timings[name]["edit"].append(timings[name]["evaluate"][-1] + timings[name]["figures"][-1])

            # The page: the design before is open; the edit arrives as a new link, as a shared edit would.
            at.query_params["d"] = codec.to_link(before)
            at.run()
            st.cache_resource.clear()
            st.cache_data.clear()
            builder_design.clear_cache()
            if name != "cold":
                evaluate(before)
            at.query_params["d"] = codec.to_link(after)
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            timings[name]["page"].append(at.session_state["nb_run_ms"])

    load = os.getloadavg()
    print(f"Network Builder, an edit of a {ROWS}-row design at 224×224 — medians of {args.repeats} rounds, "
          f"torch threads = {torch.get_num_threads()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"{os.cpu_count()} cores")
    print(f"{'edit':<10}{'evaluate':>10}{'figures':>10}{'edit':>10}{'page':>10}   edit ≤ 300 ms")
    for name in names:
        e, f, t, p = (statistics.median(timings[name][k]) for k in ("evaluate", "figures", "edit", "page"))
        print(f"{name:<10}{e:>10.1f}{f:>10.1f}{t:>10.1f}{p:>10.1f}   {'yes' if t <= 300 else 'NO'}")
    print("(milliseconds; edit: evaluate + figures in the same round)")


if __name__ == "__main__":
    main()
