"""How fast "Inside LeNet-5" answers: server time per digit, and a canvas stroke to redrawn maps.

    python -m benchmarks.inside_lenet_bench            # server figures
    python -m benchmarks.inside_lenet_bench --browser  # also a real browser (Chromium + streamlit run)
    python -m benchmarks.inside_lenet_bench --browser --strokes 20

Targets (issue 13): one prediction with every layer's maps ≤ 50 ms server time; a canvas
stroke to redrawn maps in the browser ≤ 300 ms on this machine — from the mouse button's
release to the first frame in which all six layers' maps show the new digit's pictures,
decoded (timed inside the page). Figures
are medians (and the slowest), with the load average printed before and after: on a shared
machine they are noisy.

Measured 2026-12-01 (2 cores shared with other work, load average 1.7–2.1, 12 strokes, two
runs each): stroke → maps redrawn 341 / 399 ms before, 243 / 256 ms after the page drew a
stroke's part as one ``st.fragment`` with the ten probabilities as HTML bars instead of a
plotly chart (a plotly chart's redraw was ~100 ms of the browser's main thread per stroke);
the server's prediction with every layer's maps 14 → 7 ms. What is left is mostly the
browser's React work (two whole-page renders as a run starts, then one per batch of elements)
and the ~60 ms from the pointer's release to the rerun's start.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import plotly.io as pio
import torch

from viz import view as v
from viz.data import mnist
from viz.inside import network
from viz.inside import view as V

ROOT = Path(__file__).resolve().parents[1]


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1e3:.1f} ms, slowest {max(samples) * 1e3:.1f} ms"


def server(repeats: int = 40) -> None:
    model = network.stored_model("modern")
    digits = mnist.test().images
    V.inside_page(V.InsideRequest())  # warm: caches of the stored errors, the fields, the picker
    forward, page, payload = [], [], []
    for i in range(repeats):
        t = time.perf_counter()
        network.forward(model, digits[i])
        forward.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = V.inside_page(V.InsideRequest(test_position=i))
        page.append(time.perf_counter() - t)
        t = time.perf_counter()
        for block in v.walk(result.layers.blocks + result.prediction.blocks + result.kernels.blocks):
            if isinstance(block, v.Figure):
                pio.to_json(block.figure, validate=False)  # what st.plotly_chart sends
            elif isinstance(block, v.Tiles):
                json.dumps(block.payload())  # what the pictures' component is sent
        payload.append(time.perf_counter() - t)
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[40:240, 120:145, :3] = 255
    drawn = []
    for _ in range(repeats):
        t = time.perf_counter()
        V.inside_page(V.InsideRequest(source=V.SOURCES[1], canvas=canvas))
        drawn.append(time.perf_counter() - t)
    print(f"forward pass, all 7 stages (1 digit):            {ms(forward)}")
    print(f"prediction + every layer's maps as figures:      {ms(page)}  (target ≤ 50 ms)")
    print(f"  + the charts' and pictures' JSON:              {ms(payload)}")
    print(f"a drawn digit: preprocessing + all of the above: {ms(drawn)}")


# Timed inside the page (performance.now(), checked every animation frame): the pointer's
# release on the drawing square, the script state turning "running" and back, and the first
# frame in which every map shows a new decoded picture. (Timed from Python, Playwright's
# round trips would add tens of milliseconds and can miss a short "running".)
WATCH = """([keys, before]) => {
  const b = window.__bench = {up: null, running: null, finished: null, redrawn: null};
  const picture = PICTURE;
  document.addEventListener('pointerup', () => { b.up = performance.now(); }, {capture: true, once: true});
  const frame = () => {
    if (b.up !== null) {
      const state = document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state');
      if (state === 'running' && b.running === null) b.running = performance.now();
      if (state !== 'running' && b.running !== null && b.finished === null) b.finished = performance.now();
      if (keys.every((k, i) => { const s = picture(k); return s !== null && s !== before[i]; })) {
        b.redrawn = performance.now();
        if (b.running === null) b.running = b.finished = b.redrawn;
        if (b.finished === null) b.finished = b.redrawn;
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


def browser(strokes: int = 12) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.test_inside_lenet import CANVAS, MAP_KEYS, MAP_PICTURE, stroke

    watch = WATCH.replace("PICTURE", MAP_PICTURE)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    streamlit = str(Path(sys.executable).parent / "streamlit")
    proc = subprocess.Popen([streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                  args=["--no-sandbox", "--disable-gpu"])
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/inside")
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
            page.get_by_test_id("stRadioGroup").get_by_text("Draw one").click()
            canvas = page.locator(CANVAS).first
            canvas.wait_for(timeout=60_000)
            canvas.scroll_into_view_if_needed()
            box = canvas.bounding_box()
            times, starts, ends = [], [], []
            for k in range(strokes + 1):
                before = [page.evaluate(MAP_PICTURE, key) for key in MAP_KEYS]
                page.evaluate(watch, [MAP_KEYS, before])
                x = 0.15 + 0.6 * k / strokes  # each stroke somewhere new: every one changes the digit
                stroke(page, box, [(x, 0.2), (x + 0.05, 0.5), (x, 0.8)])
                page.wait_for_function("() => window.__bench.redrawn !== null", timeout=30_000)
                watched = page.evaluate("window.__bench")
                if k:  # the first stroke also mounts the maps
                    times.append((watched["redrawn"] - watched["up"]) / 1e3)
                    starts.append((watched["running"] - watched["up"]) / 1e3)
                    ends.append((watched["finished"] - watched["up"]) / 1e3)
            b.close()
        print(f"canvas stroke (pointer up) → all maps redrawn:   {ms(times)}  (target ≤ 300 ms; {strokes} strokes)")
        print(f"  pointer up → the rerun starts:                 {ms(starts)}")
        print(f"  pointer up → the rerun has finished:           {ms(ends)}")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--strokes", type=int, default=12, help="canvas strokes timed in the browser")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as app.py configures the server
    print(f"load average {os.getloadavg()[0]:.2f}, torch threads {torch.get_num_threads()}")
    server()
    if args.browser:
        browser(args.strokes)
    print(f"load average {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min) at the end")


if __name__ == "__main__":
    main()
