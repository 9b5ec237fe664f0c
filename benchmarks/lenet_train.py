"""Train LeNet-5 on the shipped MNIST digits in both styles and print the figures.

    python -m benchmarks.lenet_train              # both styles, stored defaults, one thread
    python -m benchmarks.lenet_train --style modern --epochs 5

Targets (issue 13): modern ≥ 97% and 1998 style ≥ 95% on the 1,000 held-out test digits; a
full retrain ≤ 60 s on one core. Also says whether the run reproduced the stored weights'
accuracy (it should, with the stored settings and one thread). Nothing is written.
"""

from __future__ import annotations

import argparse
import os

import torch

from viz.trained import TrainConfig, stored_info, train_to_end

TARGET = {"modern": 0.97, "1998": 0.95}
MAX_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--style", choices=("modern", "1998", "both"), default="both")
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), load average {os.getloadavg()[0]:.2f}")
    for style in ("modern", "1998") if args.style == "both" else (args.style,):
        result = train_to_end(TrainConfig(style=style, epochs=args.epochs))
        stored = stored_info(style)
        same = result.test_correct == stored["test_correct"] and args.epochs == stored["epochs"]
        print(f"{style:>6}: test accuracy {result.test_accuracy:.2%} (target ≥ {TARGET[style]:.0%}: "
              f"{'met' if result.test_accuracy >= TARGET[style] else 'MISSED'}); "
              f"{result.seconds:.1f} s for {args.epochs} epochs (target ≤ {MAX_SECONDS} s: "
              f"{'met' if result.seconds <= MAX_SECONDS else 'MISSED'}); "
              f"stored: {stored['test_accuracy']:.2%} — {'reproduced' if same else 'differs'}")


if __name__ == "__main__":
    main()
