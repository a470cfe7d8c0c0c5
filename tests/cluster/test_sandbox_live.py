"""The data layer against the sandbox cluster: the seed's figures, and remediation commands run with
the real kubectl changing what the informers hold exactly as on a real cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.cluster import argocd
from cockpit.cluster.argocd import counts
from cockpit.cluster.health import Freshness
from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.informer import InformerState
from cockpit.cluster.logs import LogRequest, wait_for
from cockpit.cluster.pods import totals
from cockpit.sandbox import Sandbox

from .sandboxfix import eventually, hub_for, kubectl, start_sandbox


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, ClusterHub]]:
    box, kubeconfig = start_sandbox(tmp_path_factory.mktemp("seed"))
    hub = hub_for(kubeconfig)
    for informer in (hub.pods(), hub.apps(), hub.certs()):
        assert informer is not None and informer.wait_synced(10)
    yield box, hub
    hub.stop()
    box.stop()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Sandbox, ClusterHub, Path]]:
    box, kubeconfig = start_sandbox(tmp_path)
    hub = hub_for(kubeconfig)
    assert hub.pods().wait_synced(10)  # type: ignore[union-attr]
    yield box, hub, kubeconfig
    hub.stop()
    box.stop()


def test_seed_figures_match_the_plan(seed: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = seed
    assert hub.target is not None and hub.target.is_sandbox and hub.target.context == "cockpit-sandbox"
    assert totals(hub.pods().values()).health_text == "75% (104/138 pods)"  # type: ignore[union-attr]
    assert counts(hub.apps().values()).synced_text == "Synced 7/17"  # type: ignore[union-attr]
    not_ready = sorted(c.name for c in hub.certs().values() if not c.is_ready)  # type: ignore[union-attr]
    assert not_ready == ["graphql-gateway-tls", "spark-history-tls"]


def test_certificate_drill_down_explains_the_access_intercept(seed: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = seed
    cert = next(c for c in hub.certs().values() if c.name == "spark-history-tls")  # type: ignore[union-attr]
    chain = hub.cert_chain(cert)
    assert [link.kind for link in chain.links] == ["CertificateRequest", "Order", "Challenge"]
    assert "302" in chain.explanation and "Cloudflare Access" in chain.explanation
    assert chain.explanation.count(". ") == 0  # one sentence


def test_pod_events_and_deployment_logs(seed: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = seed
    worker = next(p for p in hub.pods().values() if p.name.startswith("trino-worker"))  # type: ignore[union-attr]
    events = hub.pod_events(worker.namespace, worker.name)
    assert any(e.reason == "BackOff" and e.type == "Warning" for e in events)
    follower = hub.follow_logs(LogRequest("data-platform", deployment="dolphinscheduler-api", tail=5))
    try:
        assert wait_for(lambda: len({line.pod for line in follower.buffer.lines()}) == 6, 20)
        assert len(follower.pods) == 6  # every pod of the deployment's selector
        lines = follower.buffer.lines()
        colours = {line.pod: line.colour for line in lines}
        assert len(set(colours.values())) == 6  # a colour per pod
    finally:
        follower.stop()


def test_deleted_job_pods_vanish(live: tuple[Sandbox, ClusterHub, Path]) -> None:
    _box, hub, kubeconfig = live
    pods = hub.pods()
    assert pods is not None

    def job_pods() -> list[str]:
        return [p.name for p in pods.values() if p.owner == "Job/dolphinscheduler-full-schema-init"]

    assert len(job_pods()) == 3
    kubectl(kubeconfig, "delete", "job", "-n", "data-platform", "dolphinscheduler-full-schema-init")
    eventually(lambda: job_pods() == [])
    assert len(pods.values()) == 135


def test_scaled_deployment_pods_go(live: tuple[Sandbox, ClusterHub, Path]) -> None:
    _box, hub, kubeconfig = live
    pods = hub.pods()
    assert pods is not None
    mce = [p for p in pods.values() if p.name.startswith("datahub-mce-consumer-")]
    assert mce
    kubectl(kubeconfig, "scale", "deployment", "datahub-mce-consumer", "-n", "data-platform", "--replicas=0")
    eventually(lambda: not [p for p in pods.values() if p.name.startswith("datahub-mce-consumer-")])


def test_hard_refresh_reconciles_the_application(live: tuple[Sandbox, ClusterHub, Path]) -> None:
    _box, hub, _kubeconfig = live
    apps = hub.apps()
    assert apps is not None and apps.wait_synced(10)
    app = next(a for a in apps.values() if a.name == "data-platform")
    seen_refreshing: list[bool] = []
    apps.subscribe(
        lambda b: seen_refreshing.extend(
            a.refreshing for a in b.upserts.values() if a.name == "data-platform"
        )
    )
    assert hub.api is not None
    argocd.hard_refresh(hub.api, app.namespace, app.name)
    eventually(lambda: True in seen_refreshing)
    eventually(lambda: not next(a for a in apps.values() if a.name == "data-platform").refreshing)
    after = next(a for a in apps.values() if a.name == "data-platform")
    assert after.last_sync is not None


def test_restart_and_forced_410_leave_no_duplicate_or_missing_rows(tmp_path: Path) -> None:
    box, kubeconfig = start_sandbox(tmp_path)
    hub = hub_for(kubeconfig, watch_timeout=(1, 1))  # watches end every second and resume from their RV
    pods = hub.pods()
    assert pods is not None and pods.wait_synced(30)

    def uids() -> set[str]:
        out = kubectl(kubeconfig, "get", "pods", "-A", "--no-headers", "-o", "custom-columns=U:.metadata.uid")
        return set(out.split())

    def settled() -> bool:
        names = [(p.namespace, p.name) for p in pods.values()]
        assert len(names) == len(set(names))  # never a duplicate row, even mid-way
        return set(pods.items()) == uids()

    port = box.port
    box.stop()
    eventually(lambda: pods.health.state is InformerState.RECONNECTING, timeout=30)
    assert pods.health.error.startswith(f"Cannot reach the API server at http://127.0.0.1:{port}")
    banner = hub.connection()  # what the status bar shows
    assert banner.freshness is Freshness.DISCONNECTED and banner.resource == "pods"
    assert banner.reason.startswith("Cannot reach the API server") and banner.since_data() is not None
    box = Sandbox(port=port, seed=0).start()  # a fresh API server on the same address
    try:
        eventually(lambda: pods.health.state is InformerState.CONNECTED, timeout=40)
        assert hub.connection().freshness is Freshness.CONNECTED and hub.connection().reason == ""
        eventually(settled, timeout=20, step=0.3)
        relists, expired = pods.relists, pods.expired
        for _ in range(20):  # compact until a resuming watch is refused with 410 Gone
            kubectl(
                kubeconfig, "delete", "pod", "-n", "data-platform", "-l", "app=trino-worker", "--wait=false"
            )
            box.run_in_loop(box.store.compact)
            if wait_for(lambda: pods.expired > expired, 1.5):
                break
        assert pods.expired > expired
        eventually(lambda: pods.relists > relists, timeout=30)  # the 410 made it list again
        kubectl(
            kubeconfig, "scale", "deployment", "datahub-mce-consumer", "-n", "data-platform", "--replicas=0"
        )
        eventually(settled, timeout=20, step=0.3)
    finally:
        hub.stop()
        box.stop()


def test_plan_commands_retrigger_challenges_and_refresh_apps(live: tuple[Sandbox, ClusterHub, Path]) -> None:
    _box, hub, kubeconfig = live
    certs, apps = hub.certs(), hub.apps()
    assert certs is not None and certs.wait_synced(10) and apps is not None and apps.wait_synced(10)
    cert = next(c for c in certs.values() if c.name == "spark-history-tls")
    before = {link.name for link in hub.cert_chain(cert).links if link.kind == "Order"}
    # plan 1.1: re-trigger challenges after the Access policy update
    kubectl(
        kubeconfig,
        "-n",
        "data-platform",
        "delete",
        "certificaterequest",
        "spark-history-tls-1",
        "graphql-gateway-tls-1",
    )
    eventually(lambda: {k.name for k in hub.cert_chain(cert).links if k.kind == "Order"} - before != set())
    # plan 2.2: hard refresh through kubectl annotate; the OutOfSync app reconciles
    gateway = next(a for a in apps.values() if a.name == "api-gateway")
    assert gateway.sync == "OutOfSync"
    kubectl(
        kubeconfig,
        "annotate",
        "application",
        "api-gateway",
        "-n",
        "argocd",
        "argocd.argoproj.io/refresh=hard",
        "--overwrite",
    )
    eventually(lambda: next(a for a in apps.values() if a.name == "api-gateway").sync == "Synced")
    assert not next(a for a in apps.values() if a.name == "api-gateway").refreshing


def test_sync_sets_an_operation_the_controller_runs(live: tuple[Sandbox, ClusterHub, Path]) -> None:
    _box, hub, _kubeconfig = live
    apps = hub.apps()
    assert apps is not None and apps.wait_synced(10)
    app = next(a for a in apps.values() if a.name == "api-gateway")
    assert app.sync == "OutOfSync"
    assert hub.api is not None
    argocd.sync(hub.api, app.namespace, app.name)
    eventually(lambda: next(a for a in apps.values() if a.name == "api-gateway").sync == "Synced")
    after = next(a for a in apps.values() if a.name == "api-gateway")
    assert after.operation in ("Running", "Succeeded") and not after.sync_requested
