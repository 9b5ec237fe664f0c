"""The served set-up in a real browser: ``deploy/serve --replicas 2`` (nginx + 2 warm replicas).

* two browser contexts (two students) land on their own replicas and stay there
  (nginx's ``X-Replica`` header names the replica that answered);
* an upload in the Augmentation Lab works through nginx (the upload must reach the
  replica that holds the session, or Streamlit answers "Invalid session_id");
* a page whose replica is killed reconnects (to the ring while its replica restarts)
  with its URL state restored.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import (
    CHROMIUM,
    ROOT,
    _free_port,
    assert_no_exception,
    screenshot,
    wait_for_run,
)

pytestmark = pytest.mark.browser
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


def _state(run_dir: Path) -> dict:
    return json.loads((run_dir / "state.json").read_text())


@pytest.fixture(scope="module")
def served():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    if not Path("/usr/sbin/nginx").exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/sbin/nginx is missing: .ci/run must install Debian's nginx")
        pytest.skip("nginx not installed (apt-get install -y nginx)")
    run_dir = Path(tempfile.mkdtemp(prefix="served-", dir="/tmp"))
    run_dir.chmod(0o755)  # nginx's workers (nobody, under root) read the static copy inside
    port = _free_port()
    log = open(run_dir / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve"), "--replicas", "2", "--port",
                             str(port), "--run-dir", str(run_dir / "run")], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    try:
        while not (run_dir / "run" / "ready").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("deploy/serve did not get ready:\n" + (run_dir / "serve.log").read_text()[-3000:])
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}", run_dir / "run"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def chromium(served, browser):
    return browser  # the session's one Chromium (conftest): a second sync_playwright() would fail


def _replica_for(url: str, key: str) -> str:
    """The replica nginx's hash ring gives a browser whose cnnx_key cookie is ``key``."""
    req = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"cnnx_key={key}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.headers["X-Replica"]


def _keys_on_two_replicas(url: str) -> list[tuple[str, str]]:
    """Two cookie values the ring places on different replicas (so the test is not left to chance)."""
    found: dict[str, str] = {}
    for i in range(64):
        replica = _replica_for(url, f"student{i}")
        found.setdefault(replica, f"student{i}")
        if len(found) == 2:
            return [(k, r) for r, k in found.items()]
    pytest.fail(f"64 keys all hashed onto {list(found)}")


def _student(chromium, url: str, key: str):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": "cnnx_key", "value": key, "url": url}])
    return context, context.new_page()


def _served_by(context, url: str) -> str:
    return context.request.get(url + "/_stcore/health").headers["x-replica"]


def test_two_students_on_their_own_replicas_upload_and_reconnect(served, chromium):
    url, run_dir = served
    (key_a, replica_a), (key_b, replica_b) = _keys_on_two_replicas(url)
    assert replica_a != replica_b
    ctx_a, page_a = _student(chromium, url, key_a)
    ctx_b, page_b = _student(chromium, url, key_b)
    try:
        # Student A: the Augmentation Lab, and an upload through nginx.
        page_a.goto(f"{url}/augmentation")
        wait_for_run(page_a, 60_000)
        assert_no_exception(page_a)
        assert _served_by(ctx_a, url) == replica_a
        buf = io.BytesIO()
        Image.new("RGB", (160, 120), (200, 30, 30)).save(buf, "PNG")
        page_a.set_input_files(UPLOAD_INPUT, files=[{"name": "red-square.png", "mimeType": "image/png",
                                                      "buffer": buf.getvalue()}])
        page_a.get_by_text("red-square.png").first.wait_for(timeout=30_000)
        wait_for_run(page_a, 60_000)
        assert_no_exception(page_a)
        assert page_a.locator('[data-testid="stAlertContentError"]').count() == 0
        assert _served_by(ctx_a, url) == replica_a  # still on its replica after the upload
        screenshot(page_a, "served_upload")

        # Student B: the Network Explorer from a shared link, then a click that goes into the URL.
        page_b.goto(f"{url}/?net=resnet50")
        wait_for_run(page_b, 60_000)
        assert_no_exception(page_b)
        assert _served_by(ctx_b, url) == replica_b
        page_b.locator('[data-testid="stRadio"]').get_by_text("FLOPs", exact=True).click()
        page_b.wait_for_url("**unit=FLOPs**", timeout=30_000)
        wait_for_run(page_b, 60_000)
        link = page_b.url
        assert "net=resnet50" in link

        # B's replica dies; the page reconnects with its URL state while the replica restarts.
        port_b = int(replica_b.removeprefix("r"))
        state = _state(run_dir)
        os.kill(state["replica_pids"][str(port_b)], signal.SIGKILL)
        page_b.wait_for_selector('[data-testid="stApp"]:not([data-test-connection-state="CONNECTED"])',
                                 timeout=20_000)
        wait_for_run(page_b, 60_000)
        assert_no_exception(page_b)
        assert page_b.url == link
        assert page_b.locator('[data-testid="stRadio"] input[type="radio"]:checked').count() >= 1
        checked = page_b.locator('[data-testid="stRadio"] label:has(input:checked)').all_inner_texts()
        assert any("FLOPs" in t for t in checked), checked
        screenshot(page_b, "served_reconnected")
        # ResNet-50 with its cost in FLOPs, as before the replica died (He et al. 2016: 3.8 G multiply-adds)
        assert page_b.get_by_text("ResNet-50 at 224 × 224 × 3").count() >= 1
        assert page_b.get_by_text("7.72 GFLOPs").count() >= 1

        # The supervisor brings the replica back (warm) and puts it in service again.
        deadline = time.monotonic() + 60
        while _state(run_dir)["replica_starts"][str(port_b)] < 2 or not (run_dir / "ready").exists() or \
                subprocess.run([sys.executable, str(ROOT / "deploy" / "health"), "--run-dir", str(run_dir)],
                               capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, "the killed replica did not come back"
            time.sleep(0.5)
        # A was never disturbed.
        assert _served_by(ctx_a, url) == replica_a
    finally:
        ctx_a.close()
        ctx_b.close()
