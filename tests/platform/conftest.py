"""Real servers for the platform tests: HTTP/HTTPS on 127.0.0.1, the sandbox API server and a
VictoriaMetrics single node.

VictoriaMetrics comes from the Debian package `victoria-metrics`; when the binary is missing and we
are root, the fixture installs it (running `apt-get update` first if the plain install fails);
otherwise the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from cockpit.sandbox.server import Sandbox

from ..tools import ensure_program
from .certs import cert_set
from .servers import Server, free_port

VM_BINARY = "/usr/bin/victoria-metrics"


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, datetime]]:
    openssl, why = ensure_program("openssl")
    if openssl is None:
        pytest.skip(f"the openssl CLI is needed to make test certificates: {why}")
    return cert_set(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    """The sandbox API server without its simulated world, and a kubeconfig pointing at it."""
    box = Sandbox(world=False).start()
    try:
        yield box, box.write_kubeconfig(tmp_path / "kubeconfig")
    finally:
        box.stop()


@pytest.fixture(scope="session")
def http_server() -> Iterator[Server]:
    server = Server()
    yield server
    server.close()


@pytest.fixture(scope="session")
def https_servers(certs: dict[str, tuple[Path, Path, datetime]]) -> Iterator[dict[str, Server]]:
    servers = {name: Server(cert, key) for name, (cert, key, _) in certs.items()}
    yield servers
    for server in servers.values():
        server.close()


class VictoriaMetrics:
    def __init__(self, url: str, proc: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.proc = proc

    def import_prometheus(self, text: str) -> None:
        """Import samples in Prometheus exposition format (with timestamps in ms) and flush them."""
        r = httpx.post(f"{self.url}/api/v1/import/prometheus", content=text.encode(), timeout=10)
        r.raise_for_status()
        httpx.get(f"{self.url}/internal/force_flush", timeout=10).raise_for_status()


@pytest.fixture(scope="session")
def victoria_metrics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VictoriaMetrics]:
    binary = VM_BINARY if Path(VM_BINARY).exists() else None
    if binary is None:
        binary, why = ensure_program("victoria-metrics")
        if binary is None:
            pytest.skip(why)
    port = free_port()
    data = tmp_path_factory.mktemp("vmdata")
    log = (data.parent / "vm.log").open("wb")
    proc = subprocess.Popen(
        [binary, f"-storageDataPath={data}", f"-httpListenAddr=127.0.0.1:{port}", "-retentionPeriod=100y",
         "-search.latencyOffset=0s", "-search.disableCache"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            pytest.fail(f"victoria-metrics exited with {proc.returncode}; see {log.name}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("victoria-metrics did not become healthy within 20 s")
        time.sleep(0.05)
    yield VictoriaMetrics(url, proc)
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
