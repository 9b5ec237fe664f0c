"""Speed of opening an ONNX model (viz.builder.onnx_model.open_onnx): the onnx package's light models.

Run from the repository root (under the shared lock on a shared machine)::

    python -m benchmarks.onnx_open                 # the light models, 7 repeats
    python -m benchmarks.onnx_open --repeats 21 --export resnet50

Issue 17's target: opening the onnx package's light ResNet-50 ≤ 2 s. Columns (medians of
``--repeats`` warm runs, in one process, models interleaved round by round so machine noise
hits each alike; the first, cold, run is shown apart — it includes importing torch and onnx):

* ``parse``   protobuf parse of the bytes (``onnx_file.parse_model``);
* ``check``   ``onnx.checker.check_model`` on the bytes;
* ``read``    the whole of ``onnx_read.read_onnx``: parse, check, input shapes, weights taken
              out, ``onnx.shape_inference.infer_shapes``;
* ``records`` ``onnx_model.build_model``: constants, parameters, multiply-adds, receptive
              fields, names and stages, the TraceResult;
* ``open``    ``open_onnx`` end to end, from bytes.

``--export NAME`` also opens a zoo network exported here with ``torch.onnx.export`` (zero
weights, the TorchScript exporter): a file with its weights in it, unlike the light models.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
import warnings
from pathlib import Path

T0 = time.perf_counter()
import onnx  # noqa: E402  (timed: the cold open includes the imports)

from viz.builder import onnx_file, onnx_model, onnx_read  # noqa: E402

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
MODELS = ("light_resnet50", "light_bvlc_alexnet", "light_vgg19", "light_inception_v1", "light_squeezenet",
          "light_densenet121")


def _export(name: str) -> bytes:
    import torch

    import architectures
    from viz.trace import cheap_network

    size = architectures.get_spec(name).input_size
    buffer = io.BytesIO()
    with cheap_network(name) as model, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, *size),), buffer, dynamo=False, do_constant_folding=False)
    return buffer.getvalue()


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--export", action="append", default=[], help="also open this zoo network, exported")
    args = parser.parse_args()

    files = {name: (LIGHT / f"{name}.onnx").read_bytes() for name in MODELS}
    first = MODELS[0]
    t = time.perf_counter()
    onnx_model.open_onnx(files[first])
    cold_open = time.perf_counter() - t
    cold_total = time.perf_counter() - T0
    for name in args.export:
        files[f"exported {name}"] = _export(name)

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{os.cpu_count()} cores; onnx {onnx.__version__}")
    print(f"cold: {first} opened in {cold_open * 1000:.0f} ms; with importing onnx + torch "
          f"{cold_total:.2f} s from the start of this script")
    results: dict[str, dict[str, list[float]]] = {n: {} for n in files}
    for _ in range(args.repeats):
        for name, data in files.items():
            graph = onnx_read.read_onnx(data, max_bytes=10**10)
            steps = {
                "parse": lambda d=data: onnx_file.parse_model(d),
                "check": lambda d=data: onnx_file.check(d),
                "read": lambda d=data: onnx_read.read_onnx(d, max_bytes=10**10),
                "records": lambda g=graph: onnx_model.build_model(g),
                "open": lambda d=data: onnx_model.open_onnx(d, max_bytes=10**10),
            }
            for step, fn in steps.items():
                results[name].setdefault(step, []).append(_median_ms(fn, 1))
    header = f"{'model':28s} {'MB':>7s} {'nodes':>6s}" + "".join(f"{s:>10s}" for s in results[first])
    print(header + f"   (ms, medians of {args.repeats})")
    for name, steps in results.items():
        model = onnx_model.open_onnx(files[name], max_bytes=10**10)
        print(f"{name:28s} {len(files[name]) / 1e6:7.2f} {len(model.nodes):6d}"
              + "".join(f"{statistics.median(v):10.1f}" for v in steps.values()))
    worst = statistics.median(results[first]["open"])
    print(f"target: {first} ≤ 2000 ms → {worst:.0f} ms warm, {cold_open * 1000:.0f} ms cold "
          f"({'met' if max(worst, cold_open * 1000) <= 2000 else 'NOT met'})")


if __name__ == "__main__":
    main()
