"""``python -m viz.trained train [--style modern|1998|both] [--epochs N] [--lr X] [--threads 1]``

Retrains LeNet-5 on the shipped MNIST training digits and rewrites
``viz/trained/weights/lenet5_<style>.safetensors`` and its JSON. With the defaults and
``--threads 1`` it reproduces the stored weights.
"""

from __future__ import annotations

import argparse
import sys

import torch

from viz.trained import store
from viz.trained.training import EpochDone, Finished, TrainConfig, train_lenet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.trained", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train LeNet-5 and store its weights")
    train.add_argument("--style", choices=("modern", "1998", "both"), default="both")
    train.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    train.add_argument("--lr", type=float, default=TrainConfig.lr)
    train.add_argument("--seed", type=int, default=TrainConfig.seed)
    train.add_argument("--threads", type=int, default=1, help="torch threads (1 = reproducible, one core)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    styles = ("modern", "1998") if args.style == "both" else (args.style,)
    for style in styles:
        config = TrainConfig(style=style, epochs=args.epochs, lr=args.lr, seed=args.seed)
        for event in train_lenet(config):
            if isinstance(event, EpochDone):
                print(f"{style:>6} epoch {event.epoch:2d}/{event.epochs}: loss {event.train_loss:.4f}, "
                      f"test accuracy {event.test_accuracy:.2%} ({event.seconds:.1f} s)", flush=True)
            elif isinstance(event, Finished):
                weights, info = store.save(event.result)
                print(f"{style:>6}: {event.result.test_correct}/{event.result.test_total} test digits right "
                      f"({event.result.test_accuracy:.2%}) in {event.result.seconds:.1f} s → {weights.name}, "
                      f"{info.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
