"""Import every heavy module once, in one thread, before sessions run scripts.

Streamlit runs each session's script in its own thread. When the first students of a
class arrive together, several threads import torch, pandas and plotly at once; plotly
looks optional modules up in ``sys.modules`` and can find pandas there while another
thread is still executing its ``__init__`` — ``AttributeError: partially initialized
module 'pandas'`` (issue 12: 2 and 8 of 30 first loads failed that way). Importing
everything here, under a lock, before the first script needs it removes the race by
construction: later imports are dictionary look-ups of finished modules.

``deploy/replica.py`` calls :func:`warm_imports` in the process's main thread before
Streamlit's server starts (no session thread exists yet); ``app.py`` calls it too, so a
plain ``streamlit run app.py`` is safe as well (the first session imports under the lock,
the others wait for it).

Then the imported objects are frozen out of the garbage collector (``gc.freeze()``).
Streamlit runs a full ``gc.collect(2)`` after every script run (``runner.postScriptGC``,
on by default); with torch, pandas and plotly loaded that walks ~256k objects — 116–140 ms
of CPU per click on the 2-core machine, holding the GIL while the run's last messages
wait to be sent (``benchmarks/click_breakdown.py``: a 71 ms Block Lab page answered in
223 ms). Frozen, the modules' objects (which live as long as the process) are never
rescanned and the collection takes well under a millisecond; objects made later
(sessions, caches) are still collected as before. Those later objects grow with the
sessions (72 ms of a 0.29 s Augmentation Lab run, by cProfile), so the app turns the post-run collection
off (``runner.postScriptGC = false``: ``.streamlit/config.toml``, ``deploy/settings.py``).
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading
from pathlib import Path

# Third-party modules the pages and feature packages use, imported fully (plotly's
# submodules are lazy: importing graph_objects and io loads what a figure needs).
THIRD_PARTY = ("numpy", "pandas", "torch", "PIL.Image", "plotly", "plotly.graph_objects", "plotly.io")
# Packages of this repository whose every module is imported; viz.pages is left out
# (a page module runs Streamlit commands when imported).
OWN_PACKAGES = ("architectures", "viz")
SKIP = ("viz.pages",)

_lock = threading.Lock()
_done: list[str] = []


def _own_modules() -> list[str]:
    root = Path(__file__).resolve().parents[1]
    names: list[str] = []
    for package in OWN_PACKAGES:
        names.append(package)
        for info in pkgutil.walk_packages([str(root / package)], prefix=package + "."):
            if not info.name.startswith(SKIP) and not info.name.endswith(".__main__"):
                names.append(info.name)
    return names


def warm_imports() -> list[str]:
    """Import the heavy third-party modules and every module of this repository (once per process).

    Returns the names imported. Safe to call from any thread, any number of times.
    """
    with _lock:
        if not _done:
            for name in THIRD_PARTY + tuple(_own_modules()):
                importlib.import_module(name)
                _done.append(name)
            gc.collect()
            gc.freeze()  # the imports' objects: out of every later collection (see the module docstring)
        return list(_done)
