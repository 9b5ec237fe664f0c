"""How long the Training Lab's default experiments take on this machine.

    python -m benchmarks.training_bench            # per-step medians → estimated default run times
    python -m benchmarks.training_bench --full     # also run each experiment at its defaults, once
    python -m benchmarks.training_bench --threads 1

Target (issues 7 and 14): each experiment at its defaults within a minute on one core.
Timings on a machine shared with other work are noisy; the figures are medians.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from architectures.resnet_cifar import CifarResNet
from viz.training.common import sgd, train_step
from viz.training.data import small_digits
from viz.training.experiments import EXPERIMENTS, run_to_end
from viz.training.settings import DepthSettings


def step_ms(depth: int, residual: bool, widths, batch: int, repeats: int = 15) -> tuple[float, float]:
    """(median, fastest) milliseconds of one SGD step of one network on a minibatch of digits.

    The fastest of the repeats estimates the cost on an idle machine; the median what this
    (possibly shared) machine gives now.
    """
    torch.manual_seed(0)
    model = CifarResNet(depth, residual, widths)
    opt = sgd(model.parameters(), 0.1)
    data = small_digits()
    x, y = data.x_train[:batch], data.y_train[:batch]
    for _ in range(3):  # warm-up
        train_step(model, opt, x, y)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        train_step(model, opt, x, y)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run every default experiment once")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    d = DepthSettings()
    total = [0.0, 0.0]
    print(f"Plain vs residual, widths {d.widths}, batch {d.batch_size}: ms per step, median (fastest)")
    for depth in d.depths:
        plain = step_ms(depth, False, d.stage_widths, d.batch_size)
        res = step_ms(depth, True, d.stage_widths, d.batch_size)
        for i in (0, 1):
            total[i] += (plain[i] + res[i]) * d.steps / 1000
        print(f"  depth {depth:3d}: plain {plain[0]:6.1f} ({plain[1]:5.1f}) ms   "
              f"residual {res[0]:6.1f} ({res[1]:5.1f}) ms")
    print(f"  estimated default depth run ({d.steps} steps × {2 * len(d.depths)} nets): "
          f"{total[0]:.1f} s from medians, {total[1]:.1f} s from the fastest steps")
    if args.full:
        for name, experiment in EXPERIMENTS.items():
            t0 = time.perf_counter()
            run_to_end(name, experiment.settings())
            print(f"{name} at defaults: {time.perf_counter() - t0:.1f} s wall")


if __name__ == "__main__":
    main()
