"""``deploy/serve``: N warm Streamlit replicas behind nginx on one machine, kept running.

1. Copy Streamlit's static files into the run directory with a .gz beside each text file.
2. Start the replicas (``deploy/replica.py``: heavy imports in the main thread, then
   ``streamlit run app.py`` with :mod:`deploy.settings`) on 127.0.0.1 ports.
3. When each answers ``/_stcore/health``, run its default pages once (:mod:`deploy.warmup`).
4. Only then start nginx (``daemon off``, its own prefix, pid, logs and temp paths in the
   run directory) routing to them; write ``state.json`` and ``ready`` in the run directory.
5. Watch: a replica that exits is taken out of nginx's service (config rewritten, reload),
   restarted, warmed, and put back. SIGTERM/SIGINT stop nginx and every replica.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from deploy import nginx
from deploy.warmup import warm_replica

DEPLOY = Path(__file__).resolve().parent
REPLICA = DEPLOY / "replica.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=timeout) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def log(text: str) -> None:
    print(f"[serve {time.strftime('%H:%M:%S')}] {text}", flush=True)


class Replica:
    def __init__(self, port: int, run_dir: Path) -> None:
        self.port, self.run_dir = port, run_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        logfile = open(self.run_dir / f"replica-{self.port}.log", "ab")
        self.proc = subprocess.Popen([sys.executable, str(REPLICA), str(self.port)], stdout=logfile,
                                     stderr=subprocess.STDOUT, cwd=DEPLOY.parent)
        logfile.close()
        self.starts += 1

    def wait_warm(self, timeout: float) -> None:
        """Block until the replica answers its health check, then compute its default pages."""
        deadline = time.monotonic() + timeout
        while not healthy(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica {self.port} exited with {self.proc.returncode} "
                                   f"(see {self.run_dir}/replica-{self.port}.log)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"replica {self.port} did not answer /_stcore/health within {timeout:.0f} s")
            time.sleep(0.2)
        t0 = time.perf_counter()
        lines = warm_replica(self.port, timeout=timeout)
        log(f"replica {self.port} warm in {time.perf_counter() - t0:.1f} s: " + "; ".join(lines))

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Serve:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_dir = Path(args.run_dir).resolve()
        ports = [args.first_port + i for i in range(args.replicas)] if args.first_port else \
            [free_port() for _ in range(args.replicas)]
        self.replicas = [Replica(p, self.run_dir) for p in ports]
        self.nginx: subprocess.Popen | None = None
        self.static: Path | None = None
        self.stopping = threading.Event()

    @property
    def ports(self) -> list[int]:
        return [r.port for r in self.replicas]

    def configure(self, in_service: list[int]) -> Path:
        conf = nginx.write_config(self.run_dir, self.ports, listen=f"{self.args.host}:{self.args.port}",
                                  static=self.static, workers=self.args.nginx_workers, in_service=in_service)
        check = nginx.check(conf)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t rejected {conf}:\n{check.stderr}")
        return conf

    def write_state(self) -> None:
        state = {"url": f"http://{self.args.host}:{self.args.port}", "nginx_port": self.args.port,
                 "host": self.args.host, "replica_ports": self.ports, "serve_pid": os.getpid(),
                 "nginx_pid": self.nginx.pid if self.nginx else None,
                 "replica_pids": {r.port: r.proc.pid for r in self.replicas if r.proc},
                 "replica_starts": {r.port: r.starts for r in self.replicas}}
        tmp = self.run_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.run_dir / "state.json")

    def check_run_dir(self) -> None:
        """As root, nginx's workers run as nobody: every folder above the static copy must let them through."""
        if os.geteuid() != 0:
            return
        for folder in [self.run_dir, *self.run_dir.parents]:
            if not folder.stat().st_mode & 0o001:
                raise RuntimeError(f"nginx's workers (user nobody) cannot reach {self.run_dir}: {folder} is not "
                                   f"world-traversable; chmod o+x it or choose another --run-dir")

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)
        self.check_run_dir()
        (self.run_dir / "ready").unlink(missing_ok=True)
        t0 = time.perf_counter()
        self.static = nginx.prepare_static(self.run_dir)
        log(f"static files with .gz twins in {self.static} ({time.perf_counter() - t0:.1f} s)")
        for r in self.replicas:
            r.start()
        log(f"started {len(self.replicas)} replicas on 127.0.0.1 ports {self.ports}")
        errors: list[BaseException] = []

        def warm(r: Replica) -> None:
            try:
                r.wait_warm(self.args.warm_timeout)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=warm, args=(r,)) for r in self.replicas]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        conf = self.configure(self.ports)
        self.nginx = subprocess.Popen(nginx.command(conf), cwd=self.run_dir)
        deadline = time.monotonic() + 20
        while not healthy(self.args.port, "127.0.0.1" if self.args.host in ("0.0.0.0", "") else self.args.host):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not come up (see {self.run_dir}/error.log)")
            time.sleep(0.2)
        self.write_state()
        (self.run_dir / "ready").write_text(f"{time.time()}\n")
        log(f"ready in {time.perf_counter() - t0:.1f} s: http://{self.args.host}:{self.args.port} "
            f"({len(self.replicas)} replicas, run directory {self.run_dir})")

    def reload(self, in_service: list[int]) -> None:
        self.configure(in_service)
        self.nginx.send_signal(signal.SIGHUP)

    def watch(self) -> int:
        while not self.stopping.wait(0.5):
            if self.nginx.poll() is not None:
                log(f"nginx exited with {self.nginx.returncode}; stopping")
                return 1
            for r in self.replicas:
                if r.proc.poll() is None:
                    continue
                log(f"replica {r.port} exited with {r.proc.returncode}: out of service, restarting")
                others = [p for p in self.ports if p != r.port]
                if others:  # with a single replica there is no one to hand its students to: 502 until back
                    self.reload(others)
                r.start()
                self.write_state()
                try:
                    r.wait_warm(self.args.warm_timeout)
                except RuntimeError as exc:
                    log(f"replica {r.port} failed to come back ({exc}); will retry")
                    continue
                self.reload(self.ports)
                log(f"replica {r.port} back in service")
        return 0

    def stop(self) -> None:
        (self.run_dir / "ready").unlink(missing_ok=True)
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.nginx.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for r in self.replicas:
            r.stop()
        log("stopped")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="deploy/serve",
        description="Serve the app to a class: N warm Streamlit replicas behind nginx on this machine.")
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                        help="Streamlit processes (default: one per core, here %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default %(default)s)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="nginx's address; 0.0.0.0 to let the classroom's network in (default %(default)s)")
    parser.add_argument("--first-port", type=int, default=0,
                        help="the replicas listen on 127.0.0.1 from this port up (default: free ports)")
    parser.add_argument("--run-dir", default=None,
                        help="nginx's prefix, pid, logs, temp files, the static copy, state.json "
                             "(default /tmp/cnn-explorer-serve-PORT)")
    parser.add_argument("--nginx-workers", type=int, default=1,
                        help="nginx worker processes (one serves thousands of connections; default 1)")
    parser.add_argument("--warm-timeout", type=float, default=300.0,
                        help="seconds a replica may take to start and warm up")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    args.run_dir = args.run_dir or f"/tmp/cnn-explorer-serve-{args.port}"
    return args


def main(argv: list[str] | None = None) -> int:
    serve = Serve(parse_args(argv))

    def on_signal(signum, _frame) -> None:
        serve.stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        serve.start()
        return serve.watch()
    except RuntimeError as exc:
        log(f"error: {exc}")
        return 1
    finally:
        serve.stop()
