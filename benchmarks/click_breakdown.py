"""Where a lone student's click goes: a Block Lab slider, end to end, split into its parts.

Run from the repository root, under the shared CPU lock, with the machine quiet::

    flock /tmp/cpu.lock python benchmarks/click_breakdown.py --clicks 12

It starts one Streamlit process through a launcher that wraps a few of Streamlit's own
functions with timers (nothing else changes), opens one session on ``/blocks?lab=inception``
with the classroom client, moves the "n_C" slider ``--clicks`` times to values not seen
before (so every click computes: no cache hit) and prints, per click, the medians of:

* client: request sent → first ForwardMsg → last delta → ``script_finished`` (→ images);
* server, from the timers: the whole script run (``ScriptRunner._run_script``: app.py, the
  navigation, the page), the page body alone (``StreamlitPage.run``), plotly's share
  (``return_figure_from_figure_or_data`` re-validating each figure + ``plotly.io.to_json``),
  Arrow serialisation of tables, protobuf serialisation of every ForwardMsg;
* what went over the socket: messages, bytes, the plotly JSON's bytes, cache references.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ the instrumented server


def serve_instrumented(port: int, out: Path) -> None:
    """Run ``streamlit run app.py`` with timers around Streamlit's own steps; one JSON line per run."""
    sys.path.insert(0, str(ROOT))
    import plotly.io
    import plotly.tools
    from streamlit import dataframe_util
    from streamlit.navigation.page import StreamlitPage
    from streamlit.runtime import runtime_util
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.web import cli

    totals: dict[str, float] = defaultdict(float)
    lock = threading.Lock()

    def timed(owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with lock:
                    totals[label] += time.perf_counter() - t0
                    totals[label + " calls"] += 1

        setattr(owner, name, wrapper)

    timed(StreamlitPage, "run", "page body")
    # st.plotly_chart imports these modules inside the call and looks the functions up on them
    timed(plotly.tools, "return_figure_from_figure_or_data", "plotly validate")
    timed(plotly.io, "to_json", "plotly to_json")
    timed(dataframe_util, "convert_pandas_df_to_arrow_bytes", "arrow")
    timed(runtime_util, "serialize_forward_msg", "protobuf serialize")
    run_script = ScriptRunner._run_script

    def run_and_report(self, rerun_data):
        with lock:
            totals.clear()
        t0 = time.perf_counter()
        try:
            return run_script(self, rerun_data)
        finally:
            with lock:
                record = dict(totals, **{"script run": time.perf_counter() - t0, "at": time.time()})
            with open(out, "a") as f:
                f.write(json.dumps(record) + "\n")

    ScriptRunner._run_script = run_and_report
    # serialize_forward_msg is looked up through its module by the websocket client
    import streamlit.web.server.starlette.starlette_websocket as ws

    ws.serialize_forward_msg = runtime_util.serialize_forward_msg
    cli.main(["run", str(ROOT / "app.py"), f"--server.port={port}", "--server.address=127.0.0.1",
              "--server.headless=true", "--browser.gatherUsageStats=false"], prog_name="streamlit")


# ------------------------------------------------------------------ the student


async def clicks(port: int, n: int) -> list[dict]:
    from benchmarks.classroom.http import Browser
    from benchmarks.classroom.protocol import Session, media_path

    browser = Browser("127.0.0.1", port)
    session = Session(browser)
    await session.connect()
    await session.open("/blocks?lab=inception")
    rows = []
    for i in range(n + 1):
        w = session.find("slider", "n_C")
        p = w.proto
        value = p.max - p.step * (i + 1)  # a value not seen before: the lab computes anew
        await asyncio.sleep(0.5)
        t0 = time.perf_counter()
        run = await session.set_widget(w, double_array_value={"data": [value]})
        media = [media_path(u) for u in run.media]
        t_media = time.perf_counter()
        await asyncio.gather(*(browser.get(u) for u in media))
        total = time.perf_counter() - t0
        deltas = [t for t, kind, _ in run.timeline if kind == "delta"]
        rows.append({"total": total, "finished": run.seconds, "first message": run.first_message_seconds,
                     "first delta": deltas[0] if deltas else float("nan"),
                     "last delta": deltas[-1] if deltas else float("nan"),
                     "media": time.perf_counter() - t_media, "messages": run.messages, "bytes": run.bytes,
                     "plotly bytes": run.bytes_by_element.get("plotly_chart", 0),
                     "dataframe bytes": run.bytes_by_element.get("dataframe", 0), "refs": run.ref_hits,
                     "errors": run.errors, "client_done": time.time()})
    await session.close()
    await browser.close()
    return rows[1:]  # the first move also warms this value's path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clicks", type=int, default=12)
    p.add_argument("--serve", nargs=2, metavar=("PORT", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve:
        serve_instrumented(int(args.serve[0]), Path(args.serve[1]))
        return 0
    from benchmarks.classroom.servers import _healthy, free_port

    port, out = free_port(), Path(tempfile.mkdtemp()) / "runs.jsonl"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _healthy(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the instrumented server did not start")
            time.sleep(0.25)
        rows = asyncio.run(clicks(port, args.clicks))
    finally:
        proc.terminate()
        proc.wait(30)
    runs = [json.loads(line) for line in out.read_text().splitlines()][-len(rows):]
    med = lambda key, src: statistics.median(r.get(key, 0.0) for r in src)  # noqa: E731
    ms = lambda x: f"{1000 * x:.0f} ms"  # noqa: E731
    print(f"Block Lab → Inception, slider n_C moved {len(rows)} times (medians); errors: "
          f"{sum(len(r['errors']) for r in rows)}\n")
    print("| part | median |\n|---|---|")
    for label, value in [
        ("client: click → script_finished → images fetched", ms(med("total", rows))),
        ("client: click → first ForwardMsg", ms(med("first message", rows))),
        ("client: click → first delta", ms(med("first delta", rows))),
        ("client: click → last delta", ms(med("last delta", rows))),
        ("client: click → script_finished", ms(med("finished", rows))),
        ("client: image fetches after script_finished", ms(med("media", rows))),
        ("server: whole script run (app.py + navigation + page)", ms(med("script run", runs))),
        ("server: page body", ms(med("page body", runs))),
        ("server: plotly re-validation (return_figure_from_figure_or_data)", ms(med("plotly validate", runs))),
        ("server: plotly.io.to_json", ms(med("plotly to_json", runs))),
        ("server: plotly charts per run", f"{med('plotly validate calls', runs):.0f}"),
        ("server: Arrow serialisation of tables", ms(med("arrow", runs))),
        ("server: protobuf serialisation of ForwardMsgs", ms(med("protobuf serialize", runs))),
        ("socket: messages / bytes per click", f"{med('messages', rows):.0f} / {med('bytes', rows):,.0f}"),
        ("socket: plotly chart messages' bytes", f"{med('plotly bytes', rows):,.0f}"),
        ("socket: dataframe messages' bytes", f"{med('dataframe bytes', rows):,.0f}"),
        ("socket: messages answered from the client's cache", f"{med('refs', rows):.0f}"),
    ]:
        print(f"| {label} | {value} |")
    print(f"\ncommand: python benchmarks/click_breakdown.py --clicks {args.clicks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
