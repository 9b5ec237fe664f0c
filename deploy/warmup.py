"""Compute the default pages' results in a replica before it takes traffic.

Opens one session on the replica's own port (not through nginx) with the classroom
client (:mod:`benchmarks.classroom.protocol`) and runs every page of the navigation once
at its defaults: the traces, figures and previews land in that process's
``st.cache_data``/``st.cache_resource``, and plotly's lazily imported validators are
loaded, so the class's first students get cache hits.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.classroom.http import Browser
from benchmarks.classroom.protocol import Session


async def warm(port: int, *, host: str = "127.0.0.1", timeout: float = 300.0) -> list[str]:
    """Run each page once at its defaults; returns one line per page (time, errors)."""
    browser = Browser(host, port, timeout=timeout)
    session = Session(browser, run_timeout=timeout)
    lines = []
    try:
        await session.connect()
        t0 = time.perf_counter()
        run = await session.open("/")
        lines.append(f"/ {time.perf_counter() - t0:.1f} s" + (f" errors: {run.errors}" if run.errors else ""))
        for path in [p for p in session.pages if p]:
            t0 = time.perf_counter()
            run = await session.switch_page(path)
            lines.append(f"/{path} {time.perf_counter() - t0:.1f} s" + (f" errors: {run.errors}" if run.errors else ""))
    finally:
        await session.close()
        await browser.close()
    return lines


def warm_replica(port: int, **kwargs) -> list[str]:
    return asyncio.run(warm(port, **kwargs))
