"""``deploy/health``: nginx and every replica answer ``/_stcore/health`` with ``ok``.

Reads the ports from the serve command's ``state.json`` (``--run-dir``, or the default
run directory of ``--port``). Prints one line per endpoint; exits 0 only if all are up.
Through nginx it also reports which replica answered (the ``X-Replica`` header).
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from pathlib import Path


def probe(url: str, timeout: float = 3.0) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read().decode().strip()
            replica = r.headers.get("X-Replica", "")
            return body == "ok", body + (f" (X-Replica {replica})" if replica else "")
    except OSError as exc:
        return False, str(exc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/health", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default %(default)s)")
    parser.add_argument("--run-dir", default=None, help="the serve command's run directory")
    args = parser.parse_args(argv)
    run_dir = Path(args.run_dir or f"/tmp/cnn-explorer-serve-{args.port}")
    try:
        state = json.loads((run_dir / "state.json").read_text())
    except (OSError, ValueError) as exc:
        print(f"no state.json in {run_dir} ({exc}): is deploy/serve running?")
        return 1
    host = "127.0.0.1" if state["host"] in ("0.0.0.0", "") else state["host"]
    checks = [("nginx", f"http://{host}:{state['nginx_port']}/_stcore/health")]
    checks += [(f"replica {p}", f"http://127.0.0.1:{p}/_stcore/health") for p in state["replica_ports"]]
    ok_all = True
    for name, url in checks:
        ok, detail = probe(url)
        ok_all &= ok
        print(f"{'ok  ' if ok else 'FAIL'} {name:14s} {url}  {detail}")
    print("ready" if (run_dir / "ready").exists() else "not ready (starting, or a replica is restarting)")
    return 0 if ok_all else 1
