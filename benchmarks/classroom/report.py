"""Figures of a classroom run: step percentiles, errors, server RSS/CPU from /proc, load average."""

from __future__ import annotations

import asyncio
import math
import os
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .scenario import FIRST_LOAD, FIRST_LOAD_PHASES, StudentLog

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), NaN for no values."""
    xs = sorted(v for v in values if not math.isnan(v))
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# ------------------------------------------------------------------ processes


def process_tree(root: int) -> list[int]:
    """``root`` and every descendant, from /proc (the replicas and nginx are children of the serve command)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / _TICKS


def loadavg() -> tuple[float, float, float]:
    a, b, c = Path("/proc/loadavg").read_text().split()[:3]
    return float(a), float(b), float(c)


@dataclass
class Sampler:
    """Samples the server's summed RSS every ``period`` s while students run; keeps the peak."""

    root: int
    period: float = 0.25
    peak: int = 0
    _task: asyncio.Task | None = None

    async def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, rss_bytes(process_tree(self.root)))
            await asyncio.sleep(self.period)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass


# ------------------------------------------------------------------ one target's figures


@dataclass
class TargetReport:
    target: str
    students: int
    logs: list[StudentLog]
    wall_seconds: float
    processes: int
    rss_idle: int
    rss_peak: int
    rss_after: int
    server_cpu_seconds: float
    client_cpu_seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    ready_seconds: float
    settle_seconds: float
    notes: list[str] = field(default_factory=list)

    def step_names(self) -> list[str]:
        names: list[str] = []
        for log in self.logs:
            for s in log.steps:
                if s.name not in names:
                    names.append(s.name)
        return names

    def times(self, name: str) -> list[float]:
        return [s.seconds for log in self.logs for s in log.steps if s.name == name and not s.errors]

    def error_counts(self) -> Counter:
        return Counter(e for log in self.logs for e in log.errors)

    def sessions_with_errors(self) -> int:
        return sum(1 for log in self.logs if log.errors)


def _s(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.2f}"


def _mb(b: int) -> str:
    return f"{b / 2**20:,.0f} MB"


def step_table(reports: list[TargetReport]) -> str:
    """One markdown table: a row per step, p50/p95/max per target side by side."""
    names = []
    for r in reports:
        names += [n for n in r.step_names() if n not in names]
    head = "| step | " + " | ".join(f"{r.target} p50 / p95 / max (s) | ok" for r in reports) + " |"
    sep = "|---|" + "|".join("---|---" for _ in reports) + "|"
    rows = [head, sep]
    for n in names:
        cells = []
        for r in reports:
            t = r.times(n)
            total = sum(1 for log in r.logs for s in log.steps if s.name == n)
            cells.append(f"{_s(percentile(t, .5))} / {_s(percentile(t, .95))} / {_s(max(t) if t else math.nan)}"
                         f" | {len(t)}/{total}")
        rows.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def phase_table(reports: list[TargetReport]) -> str:
    """The first load by its parts (p50 / p95 per target): which part a slow first load waits on."""
    rows = ["| first load, by part | " + " | ".join(f"{r.target} p50 / p95 (s)" for r in reports) + " |",
            "|---|" + "---|" * len(reports)]
    for name in FIRST_LOAD_PHASES:
        cells = []
        for r in reports:
            t = [s.phases[name] for log in r.logs for s in log.steps if s.name == FIRST_LOAD and name in s.phases]
            cells.append(f"{_s(percentile(t, .5))} / {_s(percentile(t, .95))}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def summary_table(reports: list[TargetReport]) -> str:
    rows = ["| | " + " | ".join(r.target for r in reports) + " |", "|---|" + "---|" * len(reports)]

    def row(label: str, fn) -> None:
        rows.append(f"| {label} | " + " | ".join(fn(r) for r in reports) + " |")

    row("students", lambda r: str(r.students))
    row("server processes", lambda r: str(r.processes))
    row("ready (start → warm) s", lambda r: f"{r.ready_seconds:.1f}")
    row("first load p50 / p95 s", lambda r: f"{_s(percentile(r.times(FIRST_LOAD), .5))} / "
                                           f"{_s(percentile(r.times(FIRST_LOAD), .95))}")
    row("a click p50 / p95 s", lambda r: (lambda t: f"{_s(percentile(t, .5))} / {_s(percentile(t, .95))}")(
        [x for n in r.step_names() if n != FIRST_LOAD for x in r.times(n)]))
    row("sessions with errors", lambda r: f"{r.sessions_with_errors()} of {len(r.logs)}")
    row("server CPU (cores busy)", lambda r: f"{r.server_cpu_seconds:.0f} s ({r.server_cpu_seconds / r.wall_seconds:.2f})")
    row("load generator CPU s", lambda r: f"{r.client_cpu_seconds:.0f}")
    row("server RSS start → peak → after", lambda r: f"{_mb(r.rss_idle)} → {_mb(r.rss_peak)} → {_mb(r.rss_after)}"
                                                   f" (+{r.settle_seconds:.0f} s)")
    row("load average before → after (1 min)", lambda r: f"{r.load_before[0]:.2f} → {r.load_after[0]:.2f}")
    row("wall time s", lambda r: f"{r.wall_seconds:.0f}")
    return "\n".join(rows)


def errors_text(reports: list[TargetReport]) -> str:
    lines = []
    for r in reports:
        for text, n in r.error_counts().most_common(12):
            lines.append(f"- {r.target}: {n} × {text[:300]}")
    return "\n".join(lines) or "- none"


def client_cpu_seconds() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def now() -> float:
    return time.perf_counter()
