"""Block Lab: how fast each lab answers a slider change at its default sizes.

Run from the repository root::

    python -m benchmarks.blocklab_bench               # 7 rounds
    python -m benchmarks.blocklab_bench --repeats 15

Target (issue 5): each lab answers a slider change in under 150 ms of server time at
its default sizes. For each lab, in one process, interleaved round by round so that
machine noise hits every lab alike, medians of the rounds:

* ``compute``  the lab's pure function (``viz.blocklab.<lab>``) for the default settings with
               one slider moved by a step — not cached, as after a real slider change:
               build the block(s), trace a real forward pass, work the formulas;
* ``script``   server time of the page's rerun after that slider change, as the page
               measures it itself (script start to end: widgets, compute through the shared
               worker, charts, protobufs), with the page's cache cleared first so it
               computes anew; the run is driven by ``AppTest``;
* ``AppTest``  the same rerun timed from outside, including AppTest's own parsing of
               every element into its tree (not server work; shown for comparison);
* ``cached``   ``script`` when nothing changed (every result from the page's cache).

torch uses one intra-op thread here, as the app does on a shared server
(``viz.compute`` sends heavy work through one worker). On a shared 2-core machine
the figures are noisy: compare the labs side by side, re-run when quiet.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from viz.blocklab import efficientnet, inception, mobilenet_v2, one_by_one, residual, separable

PAGE = str(Path(__file__).resolve().parents[1] / "viz" / "pages" / "block_lab.py")

# lab id → (pure function, default kwargs, the slider moved: (kwarg, widget kind, widget key, two values))
LABS = {
    "1x1": (one_by_one.one_by_one, {}, ("filters", "slider", "o_f", (33, 32))),
    "inception": (inception.inception, {}, ("n", "slider", "i_n", (27, 28))),
    "residual": (residual.residual_block, {}, ("n", "slider", "r_n", (55, 56))),
    "separable": (separable.separable, {}, ("n_c_out", "slider", "s_nco", (6, 5))),
    "mobilenet_v2": (mobilenet_v2.mobilenet_v2, {}, ("expand_ratio", "slider", "m_t", (5, 6))),
    "efficientnet": (efficientnet.efficientnet, {"phi": 0.0}, ("phi", "slider", "e_phi", (0.5, 0.0))),
}


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    apps = {}
    for lab in LABS:  # open every lab once: imports, B0–B7 presets and first-call costs out of the way
        at = AppTest.from_file(PAGE, default_timeout=300)
        at.query_params["lab"] = lab
        at.run()
        assert not at.exception, (lab, [e.value for e in at.exception])
        apps[lab] = at
    for fn, kwargs, _ in LABS.values():
        fn(**kwargs)

    compute: dict[str, list[float]] = {lab: [] for lab in LABS}
    rerun: dict[str, list[float]] = {lab: [] for lab in LABS}
    script: dict[str, list[float]] = {lab: [] for lab in LABS}
    cached: dict[str, list[float]] = {lab: [] for lab in LABS}
    for i in range(args.repeats):
        for lab, (fn, kwargs, (arg, kind, key, values)) in LABS.items():
            value = values[i % 2]
            efficientnet.clear_cache()  # computed anew, as after a slider change (the B0–B7 presets stay)
            compute[lab].append(_ms(lambda fn=fn, kw={**kwargs, arg: value}: fn(**kw)))
            at = apps[lab]
            st.cache_resource.clear()  # the page computes anew, as after a slider change
            efficientnet.clear_cache()
            widget = next(w for w in getattr(at, kind) if w.key == key)
            widget.set_value(value)
            rerun[lab].append(_ms(lambda at=at: at.run()))
            assert not at.exception, (lab, [e.value for e in at.exception])
            script[lab].append(at.session_state["blocklab_run_ms"])
            at.run()
            cached[lab].append(at.session_state["blocklab_run_ms"])

    print(f"Block Lab, slider change at default sizes — medians of {args.repeats} rounds, "
          f"torch threads = {torch.get_num_threads()} (target: < 150 ms)")
    print(f"{'lab':<14}{'compute':>10}{'script':>10}{'AppTest':>10}{'cached':>10}   script < 150 ms")
    for lab in LABS:
        c, sc, r, ca = (statistics.median(x[lab]) for x in (compute, script, rerun, cached))
        print(f"{lab:<14}{c:>10.1f}{sc:>10.1f}{r:>10.1f}{ca:>10.1f}   {'yes' if sc < 150 else 'NO'}")
    print("(milliseconds)")


if __name__ == "__main__":
    main()
