"""A classroom on one link: N simulated students against the app, single process vs served set-up.

Run from the repository root, under the shared CPU lock, with the machine quiet::

    flock /tmp/cpu.lock python benchmarks/classroom_load.py --students 30 --target both
    python benchmarks/classroom_load.py --students 1 --target single     # one student, details

Each student is a real session on 127.0.0.1 (never another address): it fetches the HTML
and every script, stylesheet and font the page references, opens the websocket, and walks
issue 12's scenario (``benchmarks/classroom/scenario.py``) with 1–3 s of thought between
clicks. ``--target both`` starts a fresh ``streamlit run app.py``, measures, stops it, then
starts ``deploy/serve`` (N warm replicas behind nginx), measures, stops it, and prints the
two side by side: per step p50 / p95 / max, errors (any exception element, with its text),
server RSS summed over its processes (idle, peak, after the students left), server CPU,
and the load average. Bounded: at most 200 students, each run stops by itself after
``--time-limit`` seconds. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.classroom import assets, report, scenario  # noqa: E402
from benchmarks.classroom.servers import Served, Server, Single  # noqa: E402

MAX_STUDENTS = 200


async def run_class(server: Server, args: argparse.Namespace) -> report.TargetReport:
    assets.reset()
    await asyncio.sleep(args.settle_before)
    tree = report.process_tree(server.root_pid)
    rss_idle, cpu0 = report.rss_bytes(tree), report.cpu_seconds(tree)
    client0, load0 = report.client_cpu_seconds(), report.loadavg()
    sampler = report.Sampler(server.root_pid)
    sampler.start()
    t0 = time.perf_counter()
    deadline = time.monotonic() + args.time_limit

    async def one(i: int) -> scenario.StudentLog:
        await asyncio.sleep(args.ramp * i / max(args.students, 1))
        return await scenario.student(i, "127.0.0.1", server.port, seed=args.seed, think=tuple(args.think),
                                      steps=args.steps, deadline=deadline)

    tasks = [asyncio.create_task(one(i)) for i in range(args.students)]
    done, pending = await asyncio.wait(tasks, timeout=args.time_limit + 30)
    for t in pending:
        t.cancel()
    logs = [t.result() for t in done if not t.cancelled() and t.exception() is None]
    logs += [scenario.StudentLog(-1, [scenario.Step("(cut off)", math.nan, None, ["student cut off at the time "
                                                                                 "limit"])])
             for _ in pending]
    wall = time.perf_counter() - t0
    tree = report.process_tree(server.root_pid)
    cpu1, load1 = report.cpu_seconds(tree), report.loadavg()
    client1 = report.client_cpu_seconds()
    await sampler.stop()
    await asyncio.sleep(args.settle_after)
    rss_after = report.rss_bytes(report.process_tree(server.root_pid))
    return report.TargetReport(
        target=server.name + (f" ({server.replicas} replicas + nginx)" if isinstance(server, Served) else ""),
        students=args.students, logs=sorted(logs, key=lambda g: g.student), wall_seconds=wall,
        processes=len(tree), rss_idle=rss_idle, rss_peak=max(sampler.peak, rss_idle), rss_after=rss_after,
        server_cpu_seconds=cpu1 - cpu0, client_cpu_seconds=client1 - client0, load_before=load0,
        load_after=load1, ready_seconds=server.ready_seconds, settle_seconds=args.settle_after)


def details(r: report.TargetReport) -> str:
    """Per step of the first student: where the time went (for one student alone)."""
    rows = ["| step | total s | rerun → script_finished s | → first message s | media + chunks s | "
            "messages | websocket bytes | cache refs |", "|---|---|---|---|---|---|---|---|"]
    for s in r.logs[0].steps if r.logs else []:
        run = s.run
        if run is None:
            rows.append(f"| {s.name} | — | | | | | | |")
            continue
        rows.append(f"| {s.name} | {s.seconds:.3f} | {run.seconds:.3f} | {run.first_message_seconds:.3f} | "
                    f"{s.media_seconds:.3f} | {run.messages} | {run.bytes:,} | {run.ref_hits} |")
    return "\n".join(rows)


def to_json(r: report.TargetReport) -> dict:
    return {"target": r.target, "students": r.students, "wall_seconds": r.wall_seconds,
            "rss_idle": r.rss_idle, "rss_peak": r.rss_peak, "rss_after": r.rss_after,
            "server_cpu_seconds": r.server_cpu_seconds, "load_before": r.load_before, "load_after": r.load_after,
            "steps": {n: r.times(n) for n in r.step_names()}, "errors": dict(r.error_counts())}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--target", choices=("single", "served", "both"), default="both")
    p.add_argument("--replicas", type=int, default=os.cpu_count() or 1, help="served: Streamlit processes")
    p.add_argument("--steps", type=int, default=None, help="only the first K steps (1 = the first load)")
    p.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                   help="seconds a student thinks between clicks (default 1 3)")
    p.add_argument("--ramp", type=float, default=2.0, help="students arrive spread over this many seconds")
    p.add_argument("--time-limit", type=float, default=300.0, help="each run stops after this many seconds")
    p.add_argument("--settle-before", type=float, default=3.0)
    p.add_argument("--settle-after", type=float, default=15.0, help="seconds to wait before 'RSS after'")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    args = p.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS:
        p.error(f"--students must be between 1 and {MAX_STUDENTS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    targets = ["single", "served"] if args.target == "both" else [args.target]
    reports = []
    for name in targets:
        server = Single() if name == "single" else Served(args.replicas)
        print(f"# {name}: starting …", flush=True)
        server.start()
        try:
            print(f"# {name}: ready in {server.ready_seconds:.1f} s; {args.students} students …", flush=True)
            reports.append(asyncio.run(run_class(server, args)))
        finally:
            server.stop()
    print(f"\n## {args.students} students: {' vs '.join(r.target for r in reports)}\n")
    print(report.summary_table(reports))
    print()
    print(report.step_table(reports))
    print()
    print(report.phase_table(reports))
    print("\nerrors:\n" + report.errors_text(reports))
    if args.students <= 2:
        for r in reports:
            print(f"\n### {r.target}: one student's steps\n\n{details(r)}")
    print(f"\ncommand: python benchmarks/classroom_load.py {' '.join(sys.argv[1:] if argv is None else argv)}")
    if args.json:
        args.json.write_text(json.dumps([to_json(r) for r in reports], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
