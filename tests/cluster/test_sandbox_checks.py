"""In a sandbox session (a rehearsal), the plan's service URLs are answered by the sandbox's own
services through the API server's proxy, never looked up on the internet; a host no Ingress of the
sandbox serves is 'not checked in a rehearsal', not a failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.cluster.connect import connect
from cockpit.cluster.explain import FailureKind
from cockpit.cluster.kubeapi import KubeApi
from cockpit.cluster.platform.http_checks import CheckRunner
from cockpit.cluster.platform.sandbox_routes import SandboxRoutes
from cockpit.cluster.platform.scheduler import CheckMonitor
from cockpit.cluster.platform.snapshot import PlatformSnapshot
from cockpit.cluster.platform.spec import ServiceCheck
from cockpit.sandbox.server import Sandbox


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApi]:
    box = Sandbox(seed=0).start()
    kubeconfig = box.write_kubeconfig(Path(tmp_path_factory.mktemp("k")) / "kubeconfig", "cockpit-sandbox")
    _, client = connect(kubeconfig)
    yield KubeApi(client)
    box.stop()


async def test_plan_urls_are_answered_by_the_sandbox(api: KubeApi) -> None:
    runner = CheckRunner(route=SandboxRoutes(api).route)
    checks = [
        ServiceCheck("https://grafana.254carbon.com/api/health"),
        ServiceCheck("https://dolphin.254carbon.com/dolphinscheduler/actuator/health"),
        ServiceCheck("https://status.elsewhere.example/"),
        ServiceCheck("https://superset.254carbon.com", expect_status=frozenset({200, 302})),
    ]
    monitor = CheckMonitor(checks, runner=runner)
    try:
        states = await monitor.run_round()
    finally:
        await runner.aclose()
    grafana, dolphin, elsewhere, superset = (s.result for s in states)
    assert superset.checked and superset.status == 302  # up, sending the visitor to its login page
    assert grafana.checked and grafana.healthy and grafana.status == 200
    assert dolphin.checked and not dolphin.healthy and dolphin.status is not None  # the api crash-loops
    assert not elsewhere.checked and elsewhere.kind is FailureKind.NOT_CHECKED
    assert "no Ingress of the sandbox serves status.elsewhere.example" in elsewhere.reason
    snap = PlatformSnapshot(checks=tuple(states))
    record = snap.record()
    assert record["Service checks healthy"] == "2/3"
    assert record["Service checks not checked in a rehearsal"] == "1"
    assert snap.summary_lines()[0] == "Service checks: 2/3 healthy, 1 not checked in a rehearsal"
