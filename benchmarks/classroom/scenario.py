"""What one student does, step by step, as a browser would do it (issue 12's walk).

1. open the teacher's link ``/?net=vgg16``: the HTML, every script, stylesheet and font it
   references, the health/host-config pings, the websocket, the first run, then the
   chunks of the element types drawn and the images (``/media/…``);
2. switch to ResNet-50: the "Family" radio to ResNet, then the "Network" select box to
   ResNet-50 (two clicks);
3. Block Lab in the navigation; 4. its Inception lab; 5. move a slider there;
6. Augmentation Lab in the navigation.

Between steps the student thinks for 1–3 s (seeded, so runs are comparable). A step's
time is the student's wait: request sent → ``script_finished`` → the images and new
chunks fetched. Widgets are found by label and option text, not by key, so the walk
survives page refactors; a widget that is missing is an error of that step.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from . import assets
from .http import Browser
from .protocol import ProtocolError, RunResult, Session, media_path

FIRST_LOAD = "open /?net=vgg16"
# A first load's parts, in order: where a slow one waits (the load generator's own reading of
# the static files shows in "static" and "chunks + images"; the server's script in "run").
FIRST_LOAD_PHASES = ("HTML", "static files", "websocket", "run", "chunks + images")


@dataclass
class Step:
    name: str
    seconds: float
    run: RunResult | None
    errors: list[str] = field(default_factory=list)
    media_seconds: float = 0.0
    media_bytes: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # the first load's parts (FIRST_LOAD_PHASES), seconds


@dataclass
class StudentLog:
    student: int
    steps: list[Step] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f"{s.name}: {e}" for s in self.steps for e in s.errors]


async def fetch_after_run(browser: Browser, run: RunResult, seen_types: set[str], amap) -> tuple[int, float]:
    """The browser's work after a run: new element chunks and every image (bytes, seconds)."""
    t0 = time.perf_counter()
    urls = amap.for_elements(run.element_types - seen_types) if amap else []
    seen_types |= run.element_types
    urls += [media_path(u) for u in run.media]
    responses = await asyncio.gather(*(browser.get(u) for u in urls))
    bad = [f"GET {u} → {r.status}" for u, r in zip(urls, responses) if r.status != 200]
    run.errors += bad
    return sum(len(r.body) for r in responses), time.perf_counter() - t0


async def first_load(browser: Browser, session: Session, url: str, seen_types: set[str]) -> Step:
    marks = [time.perf_counter()]
    page = await browser.get(url)
    if page.status != 200:
        raise ProtocolError(f"GET {url} → {page.status}")
    marks.append(time.perf_counter())
    amap = await assets.asset_map(browser, page.text())
    statics = await asyncio.gather(*(browser.get(u) for u in amap.first_load))
    errors = [f"GET {u} → {r.status}" for u, r in zip(amap.first_load, statics) if r.status != 200]
    marks.append(time.perf_counter())
    await session.connect()
    marks.append(time.perf_counter())
    run = await session.open(url)
    marks.append(time.perf_counter())
    media_bytes, media_s = await fetch_after_run(browser, run, seen_types, amap)
    marks.append(time.perf_counter())
    phases = {name: b - a for name, a, b in zip(FIRST_LOAD_PHASES, marks, marks[1:])}
    return Step(FIRST_LOAD, marks[-1] - marks[0], run, errors + run.errors, media_s, media_bytes, phases)


def walk() -> list[tuple[str, Callable[[Session], Awaitable[RunResult]]]]:
    """The clicks after the first load, as (step name, action on the open session)."""

    async def family(s: Session) -> RunResult:
        residual = ("residual", "resnet")
        w = s.find("radio", "family", option=residual)
        return await s.set_widget(w, string_value=s.option(w, residual))

    async def network(s: Session) -> RunResult:
        w = s.find("selectbox", "network", option="resnet-50")
        return await s.set_widget(w, string_value=s.option(w, "resnet-50"))

    async def lab(s: Session) -> RunResult:
        w = s.find("button_group", option="inception")
        state_value = {"string_array_value": {"data": [s.option(w, "inception")]}}
        return await s.set_widget(w, **state_value)

    async def slider(s: Session) -> RunResult:
        w = s.find("slider", "n_C")
        p = w.proto
        current = list(p.value) or list(p.default)
        target = current[0] - p.step if current[0] - p.step >= p.min else current[0] + p.step
        return await s.set_widget(w, double_array_value={"data": [target]})

    return [
        ("family → ResNet", family),
        ("network → ResNet-50", network),
        ("page → Block Lab", lambda s: s.switch_page("blocks")),
        ("lab → Inception", lab),
        ("slider n_C", slider),
        ("page → Augmentation Lab", lambda s: s.switch_page("augmentation")),
    ]


async def student(number: int, host: str, port: int, *, seed: int, think: tuple[float, float] = (1.0, 3.0),
                  steps: int | None = None, deadline: float = float("inf")) -> StudentLog:
    """One student's whole visit; never raises (every failure becomes an error of its step)."""
    rng = random.Random(seed * 1000 + number)
    log = StudentLog(number)
    browser = Browser(host, port)
    session = Session(browser)
    seen: set[str] = set()
    try:
        try:
            log.steps.append(await first_load(browser, session, "/?net=vgg16", seen))
        except Exception as exc:  # the student's page did not load: that is the result
            log.steps.append(Step(FIRST_LOAD, float("nan"), None, [f"{type(exc).__name__}: {exc}"]))
            return log
        amap = await assets.asset_map(browser, "")
        for name, action in walk()[: None if steps is None else max(steps - 1, 0)]:
            if time.monotonic() + 3 > deadline:
                log.steps.append(Step(name, float("nan"), None, ["skipped: the run's time limit was reached"]))
                break
            await asyncio.sleep(rng.uniform(*think))
            t0 = time.perf_counter()
            try:
                run = await action(session)
                media_bytes, media_s = await fetch_after_run(browser, run, seen, amap)
                log.steps.append(Step(name, time.perf_counter() - t0, run, list(run.errors), media_s, media_bytes))
            except Exception as exc:
                log.steps.append(Step(name, float("nan"), None, [f"{type(exc).__name__}: {exc}"]))
                if isinstance(exc, ProtocolError | ConnectionError):
                    break
    finally:
        await session.close()
        await browser.close()
    return log
