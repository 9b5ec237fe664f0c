"""How long the zoo takes: build (with its real initialisation) and one forward pass.

    python -m benchmarks.zoo_build                      # every network, defaults + each option value
    python -m benchmarks.zoo_build --networks vgg16,resnet152 --repeats 5
    python -m benchmarks.zoo_build --combos default     # only the default options

For every network of ``architectures.NETWORKS`` and every option setting (by default: the
defaults, then each other value of each choice/bool option, one at a time; int/float options
stay at their defaults), it prints the median over ``--repeats`` runs of

* build    ``build(name, **options)`` on the CPU, real initialisation included;
* first    the first forward pass of a freshly built model (batch 1, ``inference_mode``, eval),
           which includes oneDNN's one-off set-up for each new layer shape — what a page pays
           when it builds and traces a network;
* forward  a further forward pass of the same model (warm);
* meta     ``build(name, device="meta", **options)``: no storage, and the initialisation
           busywork skipped (``architectures.meta_build``) — what the tracer builds;
* bare meta the same network under a plain ``with torch.device("meta")``, for comparison.

Timings on a shared machine are noisy: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Iterator

import torch

from architectures import NETWORKS, NetworkSpec, build


def option_settings(spec: NetworkSpec, combos: str) -> Iterator[dict]:
    """The option settings to time: {} (defaults), then each non-default choice/bool value."""
    yield {}
    if combos == "default":
        return
    for option in spec.options:
        if option.kind == "choice":
            values = option.choices
        elif option.kind == "bool":
            values = (True, False)
        else:
            continue
        for value in values:
            if value != option.default:
                yield {option.name: value}


def time_setting(name: str, options: dict, repeats: int) -> dict:
    spec = NETWORKS[name]
    size = spec.input_size_for(options)
    builds, firsts, warms, metas, bare_metas = [], [], [], [], []
    params = 0
    resolved = spec.resolve(options)
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        build(name, device="meta", **options)
        metas.append(time.perf_counter() - start)
        start = time.perf_counter()
        with torch.device("meta"):
            spec.builder(**resolved)
        bare_metas.append(time.perf_counter() - start)
        start = time.perf_counter()
        model = build(name, **options)
        builds.append(time.perf_counter() - start)
        model.eval()
        x = torch.randn(1, *size)
        with torch.inference_mode():
            start = time.perf_counter()
            model(x)
            firsts.append(time.perf_counter() - start)
            start = time.perf_counter()
            model(x)
            warms.append(time.perf_counter() - start)
        params = sum(p.numel() for p in model.parameters())
        del model
    return {
        "size": size,
        "params": params,
        "build": statistics.median(builds),
        "first": statistics.median(firsts),
        "forward": statistics.median(warms),
        "meta": statistics.median(metas),
        "bare_meta": statistics.median(bare_metas),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default="", help="comma-separated names (default: all of NETWORKS)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per setting; medians are printed")
    parser.add_argument("--combos", choices=("default", "each"), default="each",
                        help="default: only the defaults; each: also every other choice/bool value")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave as is)")
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.networks.split(",") if n.strip()] or list(NETWORKS)
    unknown = [n for n in names if n not in NETWORKS]
    if unknown:
        parser.error(f"unknown network(s) {', '.join(unknown)}; choose from: {', '.join(NETWORKS)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.threads:
        torch.set_num_threads(args.threads)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPU(s), "
          f"load average before: {os.getloadavg()[0]:.2f}; medians of {args.repeats} run(s), batch 1")
    header = f"{'network':<18} {'options':<28} {'input':>11} {'params':>13} {'build ms':>9} " \
             f"{'first ms':>9} {'fwd ms':>8} {'meta ms':>8} {'bare meta':>9}"
    print(header)
    print("-" * len(header))
    total_start = time.perf_counter()
    for name in names:
        for options in option_settings(NETWORKS[name], args.combos):
            r = time_setting(name, options, args.repeats)
            label = ", ".join(f"{k}={v}" for k, v in options.items()) or "(defaults)"
            size = "×".join(str(s) for s in r["size"][1:]) + f"×{r['size'][0]}"
            print(f"{name:<18} {label:<28} {size:>11} {r['params']:>13,} {r['build'] * 1e3:>9.0f} "
                  f"{r['first'] * 1e3:>9.0f} {r['forward'] * 1e3:>8.0f} {r['meta'] * 1e3:>8.2f} "
                  f"{r['bare_meta'] * 1e3:>9.2f}", flush=True)
    print(f"total {time.perf_counter() - total_start:.0f} s; load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
