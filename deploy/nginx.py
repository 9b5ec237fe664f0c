"""nginx for the served set-up: the static folder it serves and the config it runs.

* :func:`prepare_static` copies the installed Streamlit's ``static/`` folder into the run
  directory and writes a ``.gz`` beside every text file (nginx's ``gzip_static`` sends it
  to browsers that accept gzip; the copy keeps site-packages untouched). Done once per
  Streamlit version: a marker file names the version it was made from.
* :func:`render` fills ``nginx.conf.template``; :func:`check` runs ``nginx -t`` on it.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deploy.settings import MAX_UPLOAD_MB

DEPLOY = Path(__file__).resolve().parent
TEMPLATE = DEPLOY / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COMPRESSIBLE = (".js", ".css", ".html", ".json", ".svg", ".txt", ".map", ".ttf", ".otf", ".wasm")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def streamlit_static_dir() -> Path:
    import streamlit

    return Path(streamlit.__file__).resolve().parent / "static"


def _gzip(path: Path) -> int:
    data = path.read_bytes()
    packed = gzip.compress(data, compresslevel=9, mtime=int(path.stat().st_mtime))
    path.with_name(path.name + ".gz").write_bytes(packed)
    return len(packed)


def prepare_static(run_dir: Path, source: Path | None = None) -> Path:
    """``run_dir/static``: Streamlit's static files plus their .gz twins (made once per version)."""
    import streamlit

    source = source or streamlit_static_dir()
    target = run_dir / "static"
    marker = target / ".prepared-from"
    stamp = f"streamlit {streamlit.__version__} {source}"
    if marker.exists() and marker.read_text() == stamp:
        return target
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    texts = [p for p in target.rglob("*") if p.is_file() and p.suffix in COMPRESSIBLE]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # zlib releases the GIL
        list(pool.map(_gzip, texts))
    for p in [target, *target.rglob("*")]:  # readable by nginx's workers whatever user they run as
        p.chmod(0o755 if p.is_dir() else 0o644)
    marker.write_text(stamp)
    return target


def replica_name(port: int) -> str:
    """The name of the replica on ``port`` in the pin cookie and the X-Replica header."""
    return f"r{port}"


def render(run_dir: Path, replica_ports: list[int], *, listen: str, static: Path,
           workers: int = 1, in_service: list[int] | None = None) -> str:
    """The nginx.conf text for replicas on 127.0.0.1 at ``replica_ports``.

    ``in_service`` (default: all) are the replicas nginx routes to; one that is
    restarting is left out of the ring and the pins until it is warm again.
    """
    live = replica_ports if in_service is None else [p for p in replica_ports if p in in_service]
    if not live:
        raise ValueError("no replica in service")
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in live)
    pins = "\n".join(f"        {replica_name(p)} replica_{p};" for p in live)
    served = "\n".join(f"        \"~127\\.0\\.0\\.1:{p}$\" {replica_name(p)};" for p in replica_ports)
    upstreams = "\n".join(f"    upstream replica_{p} {{\n        server 127.0.0.1:{p};\n        keepalive 8;\n    }}"
                          for p in replica_ports)
    # Run as root (a container, CI), nginx's workers drop to nobody; unprivileged, the
    # user directive would only draw a warning, so it is left out.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    fields = {"user": user, "workers": str(workers), "run": str(run_dir), "servers": servers,
              "pins": pins, "served": served, "replica_upstreams": upstreams,
              "listen": listen, "static": str(static), "deploy": str(DEPLOY),
              "max_upload_mb": str(MAX_UPLOAD_MB)}
    text = TEMPLATE.read_text()
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError("nginx.conf.template has a field render() does not fill: "
                         + text[text.index("{{"):][:40])
    return text


def write_config(run_dir: Path, replica_ports: list[int], *, listen: str, static: Path,
                 workers: int = 1, in_service: list[int] | None = None) -> Path:
    for name in TEMP_DIRS:
        (run_dir / "tmp" / name).mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(render(run_dir, replica_ports, listen=listen, static=static, workers=workers,
                           in_service=in_service))
    return conf


def check(conf: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on ``conf`` (its own prefix, so no system path is touched)."""
    return subprocess.run([*command(conf), "-t"], capture_output=True, text=True)


def command(conf: Path) -> list[str]:
    # -e: the start-up error log too goes to the run directory, not /var/log/nginx.
    return [NGINX, "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "error.log")]
