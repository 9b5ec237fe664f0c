"""The two set-ups under test, each started fresh and stopped after its measurement.

* ``single``: ``streamlit run app.py`` as the README starts it (one process on 127.0.0.1,
  the repository's .streamlit/config.toml), serving HTML, scripts and websockets itself.
* ``served``: ``deploy/serve`` — N warm replicas behind nginx (see deploy/README.md).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A set-up under test: ``start()`` blocks until it takes traffic; ``root_pid`` owns every process."""

    name = ""

    def __init__(self, port: int | None = None, log_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="classroom-"))
        self.log_dir.chmod(0o755)  # nginx's workers (nobody, when run as root) read the static copy inside
        self.proc: subprocess.Popen | None = None
        self.ready_seconds = 0.0

    @property
    def root_pid(self) -> int:
        return self.proc.pid

    def command(self) -> list[str]:
        raise NotImplementedError

    def is_ready(self) -> bool:
        return _healthy(self.port)

    def start(self, timeout: float = 300.0) -> None:
        t0 = time.perf_counter()
        log = open(self.log_dir / f"{self.name}.log", "wb")
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; see {self.log_dir / (self.name + '.log')}")
            time.sleep(0.25)
        self.ready_seconds = time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Single(Server):
    name = "single"

    def command(self) -> list[str]:
        streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
        return [streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]


class Served(Server):
    name = "served"

    def __init__(self, replicas: int, port: int | None = None, log_dir: Path | None = None) -> None:
        super().__init__(port, log_dir)
        self.replicas = replicas
        self.run_dir = self.log_dir / "run"

    def command(self) -> list[str]:
        return [sys.executable, str(ROOT / "deploy" / "serve"), "--replicas", str(self.replicas),
                "--port", str(self.port), "--run-dir", str(self.run_dir)]

    def is_ready(self) -> bool:
        return (self.run_dir / "ready").exists() and _healthy(self.port)
