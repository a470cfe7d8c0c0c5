"""`kubectl port-forward` against the sandbox with the real kubectl (WebSocket + SPDY tunnelling):
the seed's `kubectl port-forward -n monitoring svc/grafana 3000:3000 &`, then curl and httpx to
the local port."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cockpit.sandbox.resources import PODS
from cockpit.sandbox.server import Sandbox

from ..tools import ensure_program
from .conftest import kubectl_path


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(seed=0).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


class Forward:
    def __init__(self, box: Sandbox, directory: Path, *args: str, ports: int = 1) -> None:
        kubeconfig = box.write_kubeconfig(directory / "kubeconfig")
        cmd = [kubectl_path(), "--kubeconfig", str(kubeconfig), "--cache-dir", str(directory / "cache")]
        self.proc = subprocess.Popen(
            [*cmd, "port-forward", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.stderr = ""
        self.ports: list[int] = []
        while len(self.ports) < ports:  # "Forwarding from 127.0.0.1:PORT -> 3000", then [::1]
            line = self.proc.stdout.readline()
            if not line:
                self.stop()
                pytest.fail(f"kubectl port-forward did not start: {self.stderr}")
            if "127.0.0.1:" in line:
                self.ports.append(int(line.split("127.0.0.1:")[1].split()[0]))
        self.port = self.ports[0]
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        _, self.stderr = self.proc.communicate(timeout=10)


def test_seed_grafana_port_forward_answers_curl_and_httpx(box: Sandbox, tmp_path: Path) -> None:
    curl, why = ensure_program("curl")
    forward = Forward(box, tmp_path, "-n", "monitoring", "svc/grafana", "0:3000")
    try:
        health = httpx.get(forward.url + "/api/health", timeout=10)
        assert health.status_code == 200 and health.json()["database"] == "ok"
        root = httpx.get(forward.url + "/", timeout=10)
        assert root.status_code == 302 and root.headers["location"] == "/login"
        login = httpx.get(forward.url + "/", timeout=10, follow_redirects=True)
        assert login.status_code == 200 and "<title>Grafana</title>" in login.text
        if curl is None:
            pytest.skip(why)
        done = subprocess.run(
            [curl, "-sI", forward.url + "/"], capture_output=True, text=True, timeout=10, check=False
        )
        assert done.returncode == 0 and done.stdout.startswith("HTTP/1.1 302 Found\n")
        assert "Location: /login\n" in done.stdout
    finally:
        forward.stop()
    assert forward.proc.returncode in (0, -15)


def test_forwarding_victoria_metrics_and_a_closed_port(box: Sandbox, tmp_path: Path) -> None:
    pod = next(
        p["metadata"]["name"]
        for p in box.store.list(PODS, "monitoring")
        if p["metadata"]["name"].startswith("victoria-metrics-single-server")
    )
    forward = Forward(box, tmp_path, "-n", "monitoring", f"pod/{pod}", "0:8428", "0:9999", ports=2)
    try:
        r = httpx.get(forward.url + "/api/v1/query", params={"query": "count(up == 1)"}, timeout=10)
        assert r.json()["data"]["result"][0]["value"][1] == "104"
        with pytest.raises(httpx.HTTPError):  # nothing listens on 9999: the connection is dropped
            httpx.get(f"http://127.0.0.1:{forward.ports[1]}/", timeout=5)
    finally:
        forward.stop()
    assert "an error occurred forwarding" in forward.stderr and "connection refused" in forward.stderr


def test_old_kubectl_without_websockets_is_told_why(box: Sandbox) -> None:
    r = httpx.post(
        box.url + "/api/v1/namespaces/monitoring/pods/nope/portforward",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "SPDY/3.1",
            "X-Stream-Protocol-Version": "portforward.k8s.io",
        },
        timeout=10,
    )
    assert r.status_code == 404 and r.json()["message"] == 'pods "nope" not found'
    pod = box.store.list(PODS, "monitoring")[0]["metadata"]["name"]
    r = httpx.post(
        box.url + f"/api/v1/namespaces/monitoring/pods/{pod}/portforward",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "SPDY/3.1",
            "X-Stream-Protocol-Version": "portforward.k8s.io",
        },
        timeout=10,
    )
    assert r.status_code == 400
    assert r.json()["message"].endswith("use kubectl 1.31 or newer")


@pytest.mark.parametrize("minor", [29, 32, 33])
def test_other_kubectl_minors(box: Sandbox, tmp_path: Path, minor: int) -> None:
    binary = Path(f"/usr/lib/google-cloud-sdk/bin/kubectl.1.{minor}")
    if not binary.exists():
        pytest.skip(f"kubectl 1.{minor} is not installed")
    kubeconfig = box.write_kubeconfig(tmp_path / "kubeconfig")
    cmd = [
        str(binary),
        "--kubeconfig",
        str(kubeconfig),
        "port-forward",
        "-n",
        "monitoring",
        "svc/grafana",
        "0:3000",
    ]
    if minor < 31:  # SPDY only: refused, saying why
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
        assert done.returncode == 1
        assert done.stderr.strip() == (
            "error: error upgrading connection: the sandbox serves port-forward over WebSocket "
            "(SPDY/3.1+portforward.k8s.io) only: use kubectl 1.31 or newer"
        )
        return
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        port = int(line.split("127.0.0.1:")[1].split()[0])
        assert httpx.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
