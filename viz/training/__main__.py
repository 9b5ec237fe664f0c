"""``python -m viz.training precompute [depth transfer augment ensemble multicrop] [--threads N]``: store the default runs."""

from __future__ import annotations

import argparse

import torch

from viz.training.experiments import NAMES
from viz.training.store import precompute, stored_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.training",
                                     description="The Training Lab's stored default runs.")
    sub = parser.add_subparsers(dest="command", required=True)
    pre = sub.add_parser("precompute", help="run the default experiments and store their results")
    pre.add_argument("experiments", nargs="*", help=f"which of {', '.join(NAMES)} (default: all)")
    pre.add_argument("--threads", type=int, default=None,
                     help="torch intra-op threads (default: torch's own; 1 is steadier on a busy machine)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    bad = sorted(set(args.experiments) - set(NAMES))
    if bad:
        parser.error(f"unknown experiment(s) {', '.join(bad)}; choose from {', '.join(NAMES)}")
    for name, secs in precompute(tuple(args.experiments or NAMES)).items():
        print(f"{name}: {secs:.1f} s -> {stored_path(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
