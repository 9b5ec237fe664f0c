"""``python -m viz.augmentation measure``: the DataLoader demo on a quiet machine, stored for the page.

Runs the Augmentation Lab's DataLoader demo with its default settings (the bundled
photograph, the default pipeline, 48 images in batches of 8, a 60 ms simulated training
step, seed 0) with 0, 1 and 2 workers, prints the figures and the machine's load, and
stores them in ``viz/assets/dataloader_quiet.json`` with the machine, its load and the date.
Run it on a quiet machine (nothing else running): it refuses to store a measurement made
while other work held half the cores or more, unless ``--busy-ok``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viz import images
from viz.augmentation import measured
from viz.augmentation import settings as S
from viz.augmentation.previews import PREVIEW_SIDE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.augmentation", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    measure = commands.add_parser("measure", help="measure the DataLoader demo and store it for the page")
    measure.add_argument("--out", type=Path, default=measured.STORED_PATH, help="where to store it (JSON)")
    measure.add_argument("--busy-ok", action="store_true", help="store it even if the machine was busy")
    args = parser.parse_args(argv)

    work = images.fit_within(images.load_default().pixels, PREVIEW_SIDE)  # what the page's demo loads
    m = measured.measure(work, S.default_pipeline(), S.DL_IMAGES.default, S.DL_BATCH.default,
                         S.DL_STEP.default, S.SEED.default)
    for run in m.results:
        print(f"{run.workers} workers: {run.images_per_s:6.1f} images/s (start-up {run.startup_s:.2f} s)")
    print(f"load average {m.load_before:.2f} before, {m.load_after:.2f} after, on {m.cores} cores "
          f"({m.processor}), {m.date}")
    if m.busy and not args.busy_ok:
        print("The machine was busy: not stored (run it when nothing else runs, or pass --busy-ok).",
              file=sys.stderr)
        return 1
    print("stored in", measured.store(m, args.out))
    return 0


if __name__ == "__main__":  # the workers' server imports this module as __mp_main__: no rerun there
    sys.exit(main())
