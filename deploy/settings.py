"""The Streamlit settings of a deployment, in one place (serve command, image, manifest, benchmark).

Values checked against Streamlit 1.67's ``config.py``:

* ``client.showErrorDetails = "none"``: an uncaught exception shows a generic message, no
  type, no message, no traceback (the allowed values are full, stacktrace, type, none);
* ``client.toolbarMode = "viewer"``: the developer options (Deploy, Rerun, Clear cache)
  never show (auto, developer, viewer, minimal);
* ``server.fileWatcherType = "none"``, ``server.runOnSave = false``: nothing watches the
  source tree (torch's alone is thousands of files);
* ``server.headless = true``, ``browser.gatherUsageStats = false``;
* ``server.maxUploadSize = 20`` (MB), the same as nginx's ``client_max_body_size``;
* ``runner.postScriptGC = false``: no full ``gc.collect()`` after every script run. With
  the imports frozen (:mod:`viz.warm`) it still walked what came later — caches, Streamlit's
  server, plotly's lazily built validators — 72 ms of CPU per run of the Augmentation Lab
  (cProfile of a served page switch), a quarter of the run, holding the GIL. Python's own
  generational collector still collects cycles; the classroom benchmark reports RSS.
"""

from __future__ import annotations

MAX_UPLOAD_MB = 20

STREAMLIT_OPTIONS: dict[str, str] = {
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "server.maxUploadSize": str(MAX_UPLOAD_MB),
    "browser.gatherUsageStats": "false",
    "client.showErrorDetails": "none",
    "client.toolbarMode": "viewer",
    "runner.postScriptGC": "false",
}


def streamlit_flags(port: int, address: str = "127.0.0.1") -> list[str]:
    """Command-line flags for one replica listening on ``address:port``."""
    flags = [f"--server.port={port}", f"--server.address={address}"]
    return flags + [f"--{k}={v}" for k, v in STREAMLIT_OPTIONS.items()]
