"""Network Explorer: how long the page takes cold (VGG-16) and warm (after a widget change).

Run from the repository root::

    python -m benchmarks.explorer_bench               # 5 rounds
    python -m benchmarks.explorer_bench --repeats 9

Targets (issue 4): a warm re-render after changing a widget under 200 ms of server
time; a cold VGG-16 page under 2 s. Medians of the rounds, in one process:

* ``cold page``      AppTest runs the page for VGG-16 with every ``st.cache_data`` /
                     ``st.cache_resource`` entry cleared first: build on the meta device,
                     trace a real forward pass, group, build the figures, render;
* ``warm widget``    the same AppTest after flipping a widget to a setting it has
                     shown before (MACs ↔ FLOPs, batch norm on ↔ off): every trace and
                     figure comes from the caches, as for the 2nd…30th student of a class;
* ``new setting``    a widget change to a setting not seen yet (VGG-16 at a new
                     resolution): a cold trace for that setting, everything else warm.

Each row gives the AppTest wall time and the page's own script time (the page
records it in ``st.session_state["xp_last_run_ms"]``; AppTest adds its own
bookkeeping on top). Beside them, the pure pipeline without Streamlit: the trace
(``viz.trace.trace_network``) and the three overview figures. On a shared 2-core
machine the figures are noisy: re-run when quiet.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from viz.explorer import figures as charts
from viz.explorer import structure as ex
from viz.trace import trace_network

PAGE = str(Path(__file__).resolve().parents[1] / "viz" / "pages" / "network_explorer.py")


def _run(at: AppTest) -> tuple[float, float]:
    start = time.perf_counter()
    at.run(timeout=300)
    wall = 1000 * (time.perf_counter() - start)
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return wall, float(at.session_state["xp_last_run_ms"])


def cold_page() -> tuple[float, float]:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.query_params["net"] = "vgg16"
    return _run(at)


def warm_rounds(repeats: int) -> dict[str, list[tuple[float, float]]]:
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.query_params["net"] = "vgg16"
    _run(at)
    # Show each setting once so the caches hold it, as after the first student.
    for unit in ("FLOPs", "MACs"):
        at.sidebar.radio(key="xp_unit").set_value(unit)
        _run(at)
    for bn in (True, False):
        at.sidebar.toggle(key="xp_opt_vgg16_batch_norm").set_value(bn)
        _run(at)
    out: dict[str, list[tuple[float, float]]] = {"warm widget (unit)": [], "warm widget (option)": [],
                                                 "new setting (resolution)": []}
    for i in range(repeats):
        at.sidebar.radio(key="xp_unit").set_value("FLOPs" if i % 2 == 0 else "MACs")
        out["warm widget (unit)"].append(_run(at))
        at.sidebar.toggle(key="xp_opt_vgg16_batch_norm").set_value(i % 2 == 0)
        out["warm widget (option)"].append(_run(at))
    at.sidebar.toggle(key="xp_opt_vgg16_batch_norm").set_value(False)
    _run(at)
    for i in range(repeats):
        # A resolution VGG-16 takes (224…255, fixed FC layers) not traced before.
        at.sidebar.number_input(key="xp_res_vgg16_224").set_value(225 + i)
        out["new setting (resolution)"].append(_run(at))
    return out


def pipeline(repeats: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"trace_network('vgg16')": [], "three overview figures": []}
    for _ in range(repeats):
        start = time.perf_counter()
        result = trace_network("vgg16")
        out["trace_network('vgg16')"].append(1000 * (time.perf_counter() - start))
        start = time.perf_counter()
        stages = ex.group_records(result, 0)
        charts.volume_diagram(ex.diagram_groups(result), result.input_size)
        charts.channel_growth(result.records, result.input_size, [g.name for g in stages])
        charts.cost_by_stage(stages)
        out["three overview figures"].append(1000 * (time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    cold = [cold_page() for _ in range(args.repeats)]
    warm = warm_rounds(args.repeats)
    pure = pipeline(args.repeats)

    print(f"Network Explorer, VGG-16, medians of {args.repeats} rounds (ms)")
    print(f"{'':34} {'AppTest wall':>13} {'page script':>12}  target")
    rows = [("cold page", cold, "< 2000")] + [(k, v, "< 200" if k.startswith("warm") else "") for k, v in
                                               warm.items()]
    for label, runs, target in rows:
        wall = statistics.median(r[0] for r in runs)
        script = statistics.median(r[1] for r in runs)
        print(f"{label:34} {wall:13.0f} {script:12.0f}  {target}")
    print("pure pipeline (no Streamlit):")
    for label, runs in pure.items():
        print(f"  {label:32} {statistics.median(runs):13.0f}")


if __name__ == "__main__":
    main()
