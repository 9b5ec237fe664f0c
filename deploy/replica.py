"""One Streamlit replica, warm before it listens: ``python deploy/replica.py PORT [--address A]``.

The heavy imports (torch, pandas, plotly, every module of ``architectures`` and ``viz``)
happen here, in the process's main thread, before Streamlit's server exists — so no
session thread can ever see a half-imported module (see :mod:`viz.warm`). Then it runs
``streamlit run app.py`` with the deployment settings of :mod:`deploy.settings`.
The default pages' results are computed afterwards by ``deploy.warmup``, before nginx
routes anyone to this replica.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from deploy.settings import streamlit_flags
    from viz.warm import warm_imports

    t0 = time.perf_counter()
    names = warm_imports()
    print(f"replica {args.port}: imported {len(names)} modules in {time.perf_counter() - t0:.1f} s", flush=True)
    from streamlit.web import cli

    cli.main(["run", str(ROOT / "app.py"), *streamlit_flags(args.port, args.address)], prog_name="streamlit")


if __name__ == "__main__":
    main()
