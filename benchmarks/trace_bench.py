"""Speed and memory of the layer tracer, side by side with a bare forward pass and torchinfo.

Run from the repository root::

    python -m benchmarks.trace_bench                   # every network of the zoo
    python -m benchmarks.trace_bench --networks vgg16,efficientnet_b0 --repeats 5
    python -m benchmarks.trace_bench --threads 1 --cpu-time   # steadier on a busy machine
    python -m benchmarks.trace_bench --threads 1              # as the app runs torch (app.py: one thread)

For every network at its default input size (batch 1, float32, CPU), in one
process, interleaved round by round so that machine noise hits every column alike,
medians of several rounds (fewer for the big networks):

* ``build``    ``architectures.build(name)``: real construction and initialisation;
* ``forward``  a bare forward pass of that model under ``torch.inference_mode()``;
* ``trace``    ``viz.trace.trace`` on the same model and input;
* ``torchinfo`` ``torchinfo.summary`` on the same model and input (its cache cleared);
* ``tn cold``  ``trace_network(name)`` from nothing (meta skeleton cache cleared):
               build on the meta device + zero weights + trace — "build + trace";
* ``tn warm``  ``trace_network(name)`` again (skeleton kept, as a page sees it).

Issue 3's targets, checked in the last columns: trace ≤ 1.2 × forward where the
forward takes over 20 ms, and trace ≤ torchinfo; build + trace (``tn cold``) ≤
2 × forward for every network. Then, in a fresh child process, the peak resident
memory of tracing every network in turn with ``trace_network`` (target ≤ 1 GB).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

import torch

from architectures import NETWORKS, build
from viz.trace import clear_cache, trace, trace_network

_CLOCK = time.perf_counter  # --cpu-time switches to time.process_time


def _timed(fn) -> float:
    start = _CLOCK()
    fn()
    return _CLOCK() - start


def _torchinfo(model, size) -> None:
    import torchinfo

    torchinfo.summary(model, input_size=size, verbose=0, mode="eval", device="cpu")
    torchinfo.torchinfo.clear_cached_forward_pass()


def _rounds(name: str, model: torch.nn.Module, size: tuple[int, ...], repeats: int | None) -> dict:
    """Interleaved rounds of every measurement on one built model; medians."""
    x = torch.zeros(size)

    def forward():
        with torch.inference_mode():
            model(x)

    forward()  # warm-up: oneDNN picks and caches its kernels on the first call
    first = _timed(forward)
    rounds = repeats or (7 if first < 0.1 else 5 if first < 0.4 else 3)
    times: dict[str, list[float]] = {k: [] for k in ("forward", "trace", "torchinfo", "tn_cold", "tn_warm")}
    for _ in range(rounds):
        times["forward"].append(_timed(forward))
        times["trace"].append(_timed(lambda: trace(model, size)))
        times["torchinfo"].append(_timed(lambda: _torchinfo(model, size)))
        clear_cache()
        gc.collect()
        times["tn_cold"].append(_timed(lambda: trace_network(name)))
        times["tn_warm"].append(_timed(lambda: trace_network(name)))
    out = {k: statistics.median(v) for k, v in times.items()}
    out["rounds"] = rounds
    return out


def bench_network(name: str, repeats: int | None) -> dict:
    size = (1, *NETWORKS[name].input_size_for({}))
    builds = []
    n = 2 if repeats is None else max(1, min(repeats, 3))
    for i in range(n):
        gc.collect()
        start = _CLOCK()
        model = build(name).eval()
        builds.append(_CLOCK() - start)
        if i < n - 1:
            del model  # free before the next build (VGG's weights are 0.5 GB)
    out = _rounds(name, model, size, repeats)
    del model
    gc.collect()
    out["build"] = statistics.median(builds)
    out["size"] = size
    return out


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB.

    VmHWM is the peak resident set of this process image (unlike ru_maxrss, which a
    child started by fork + exec inherits from its parent).
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _memory_child(names: list[str]) -> None:
    """Trace every network in turn in this (fresh) process; print peak and current RSS after each, as JSON."""
    rows = [("(after imports)", _status_mb("VmHWM"), _status_mb("VmRSS"))]
    for name in names:
        trace_network(name)
        gc.collect()
        rows.append((name, _status_mb("VmHWM"), _status_mb("VmRSS")))
    print(json.dumps(rows))


def memory_table(names: list[str]) -> list[tuple[str, float, float]]:
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.trace_bench", "--memory-child", "--networks", ",".join(names)],
        capture_output=True, text=True, check=True, cwd=root, env=env,
    )
    return [tuple(row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--networks", default="", help="comma-separated names (default: all of NETWORKS)")
    parser.add_argument("--repeats", type=int, default=None, help="rounds per network (default: 7/5/3 by size)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's own choice, the machine's cores)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="measure process CPU time instead of wall time: with --threads 1, "
                             "far steadier on a busy machine (it leaves out time spent waiting for a core)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory child process")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = [n for n in args.networks.split(",") if n] or list(NETWORKS)
    unknown = [n for n in names if n not in NETWORKS]
    if unknown:
        parser.error(f"unknown network(s) {', '.join(unknown)}; choose from: {', '.join(NETWORKS)}")
    global _CLOCK
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.cpu_time:
        _CLOCK = time.process_time
    if args.memory_child:
        _memory_child(names)
        return

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f} at start")
    print("NOTE: a shared, noisy machine (other jobs running): medians of interleaved rounds; "
          "compare ratios, not absolute times.")
    print(f"clock: {'process CPU time' if args.cpu_time else 'wall time'}\n")
    head = (f"{'network':17} {'input':>9} {'n':>2} {'build':>8} {'forward':>8} {'trace':>8} {'torchinfo':>9} "
            f"{'tn cold':>8} {'tn warm':>8}  {'tr/fw':>5} {'tr/ti':>5} {'cold/fw':>7}  targets")
    print(head)
    print("-" * len(head))
    misses = []
    for name in names:
        r = bench_network(name, args.repeats)
        fw = r["forward"]
        tr_fw, tr_ti, cold_fw = r["trace"] / fw, r["trace"] / r["torchinfo"], r["tn_cold"] / fw
        verdicts = []
        if fw > 0.020:
            verdicts.append("tr≤1.2fw " + ("ok" if tr_fw <= 1.2 else "MISS"))
        verdicts.append("tr≤ti " + ("ok" if tr_ti <= 1.0 else "MISS"))
        verdicts.append("cold≤2fw " + ("ok" if cold_fw <= 2.0 else "MISS"))
        misses += [f"{name}: {v}" for v in verdicts if v.endswith("MISS")]
        ms = {k: f"{r[k] * 1000:8.1f}" for k in ("build", "forward", "trace", "torchinfo", "tn_cold", "tn_warm")}
        print(f"{name:17} {r['size'][2]:>4}×{r['size'][3]:<4} {r['rounds']:>2} {ms['build']} {ms['forward']} "
              f"{ms['trace']} {ms['torchinfo']:>9} {ms['tn_cold']} {ms['tn_warm']}  {tr_fw:5.2f} {tr_ti:5.2f} "
              f"{cold_fw:7.2f}  {', '.join(verdicts)}", flush=True)
    print("\ntimes in ms (medians); tr = trace, fw = forward, ti = torchinfo, cold = trace_network from "
          "nothing (meta build + zero weights + trace)")
    print("targets missed: " + ("; ".join(misses) if misses else "none"))

    if not args.no_memory:
        print("\nresident memory of trace_network over the networks in turn, one fresh process "
              "(MB; peak so far = VmHWM, now = VmRSS after the call):")
        rows = memory_table(names)
        for label, peak, now in rows:
            print(f"  {label:18} peak {peak:7.0f}   now {now:7.0f}")
        peak = max(row[1] for row in rows)
        print(f"peak {peak:.0f} MB — target ≤ 1024 MB: {'ok' if peak <= 1024 else 'MISS'}")


if __name__ == "__main__":
    main()
