"""ArgoCD refresh and sync, cert-manager re-issue behind (and past) Cloudflare Access, Velero backups."""

from __future__ import annotations

from typing import Any

from cockpit.sandbox.resources import (
    APPLICATIONS,
    BACKUPS,
    CERTIFICATEREQUESTS,
    CERTIFICATES,
    CHALLENGES,
    CONFIGMAPS,
    INGRESSES,
    SECRETS,
)
from cockpit.sandbox.store import Store

from .world_helpers import advance, make_world

REFRESH = "argocd.argoproj.io/refresh"
PROPAGATION = "Waiting for HTTP-01 challenge propagation: wrong status code '302', expected '200'"


def _annotate(store: Store, app: str, value: str = "hard") -> None:
    store.mutate(
        APPLICATIONS,
        "argocd",
        app,
        lambda a: a["metadata"].setdefault("annotations", {}).update({REFRESH: value}),
    )


def _sync_counts(store: Store) -> dict[str, int]:
    out: dict[str, int] = {}
    for app in store.list(APPLICATIONS, "argocd"):
        state = app["status"]["sync"]["status"]
        out[state] = out.get(state, 0) + 1
    return out


def test_hard_refresh_reconciles_removes_the_annotation_and_syncs_fixed_apps() -> None:
    world, store, clock = make_world()
    before = store.get(APPLICATIONS, "argocd", "data-platform")["status"]["reconciledAt"]
    for app in ("data-platform", "platform-policies", "api-gateway"):
        _annotate(store, app)
    advance(world, clock, 1)
    assert store.get(APPLICATIONS, "argocd", "data-platform")["metadata"]["annotations"][REFRESH] == "hard"
    advance(world, clock, 6)
    apps = {a["metadata"]["name"]: a for a in store.list(APPLICATIONS, "argocd")}
    for name in ("data-platform", "platform-policies", "api-gateway"):
        assert REFRESH not in (apps[name]["metadata"].get("annotations") or {})
        assert apps[name]["status"]["sync"]["status"] == "Synced"
        assert apps[name]["status"]["reconciledAt"] > before
        assert apps[name]["status"]["operationState"]["phase"] == "Succeeded"
    # health follows the workloads: data-platform still has crash-looping pods, the quota drift is gone
    assert apps["data-platform"]["status"]["health"]["status"] == "Degraded"
    assert apps["platform-policies"]["status"]["health"]["status"] == "Healthy"
    assert _sync_counts(store) == {"Synced": 10, "Unknown": 7}


def test_normal_refresh_only_reconciles() -> None:
    world, store, clock = make_world()
    _annotate(store, "api-gateway", "normal")
    advance(world, clock, 3)
    app = store.get(APPLICATIONS, "argocd", "api-gateway")
    assert REFRESH not in (app["metadata"].get("annotations") or {})
    assert app["status"]["sync"]["status"] == "OutOfSync"
    assert "2025-10-24T14:30:00Z" < app["status"]["reconciledAt"] <= "2025-10-24T14:30:03Z"


def test_sync_operation_runs_then_fails_or_succeeds() -> None:
    world, store, clock = make_world()

    def request(a: dict[str, Any]) -> None:
        a["operation"] = {"sync": {"revision": "HEAD"}, "initiatedBy": {"username": "admin"}}

    store.mutate(APPLICATIONS, "argocd", "networking", request)
    advance(world, clock, 2)
    app = store.get(APPLICATIONS, "argocd", "networking")
    assert app["status"]["operationState"]["phase"] == "Running"
    advance(world, clock, 4)
    app = store.get(APPLICATIONS, "argocd", "networking")
    assert app["status"]["operationState"]["phase"] == "Failed"
    assert "app path does not exist" in app["status"]["operationState"]["message"]
    assert "operation" not in app and app["status"]["sync"]["status"] == "Unknown"

    store.mutate(APPLICATIONS, "argocd", "api-gateway", request)
    advance(world, clock, 6)
    app = store.get(APPLICATIONS, "argocd", "api-gateway")
    assert app["status"]["operationState"]["phase"] == "Succeeded"
    assert app["status"]["sync"]["status"] == "Synced"


def test_fixed_workloads_make_an_app_healthy() -> None:
    world, store, clock = make_world()
    from cockpit.sandbox.resources import DEPLOYMENTS

    def pin(d: dict[str, Any]) -> None:
        d["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "cpu1"}

    store.mutate(DEPLOYMENTS, "portal-services", "portal-services", pin)
    advance(world, clock, 20)
    assert store.get(APPLICATIONS, "argocd", "portal-services")["status"]["health"]["status"] == "Healthy"


def _ready(store: Store, name: str) -> bool:
    cert = store.get(CERTIFICATES, "data-platform", name)
    return any(c["type"] == "Ready" and c["status"] == "True" for c in cert["status"]["conditions"])


def test_deleting_requests_without_the_bypass_fails_again_the_same_way() -> None:
    world, store, clock = make_world()
    old = {
        r["metadata"]["name"]: r["metadata"]["uid"] for r in store.list(CERTIFICATEREQUESTS, "data-platform")
    }
    for name in ("spark-history-tls-1", "graphql-gateway-tls-1"):
        store.delete(CERTIFICATEREQUESTS, "data-platform", name, "Background")
    advance(world, clock, 30)
    new = {
        r["metadata"]["name"]: r["metadata"]["uid"] for r in store.list(CERTIFICATEREQUESTS, "data-platform")
    }
    assert set(new) == {"spark-history-tls-1", "graphql-gateway-tls-1"}  # cert-manager's name for revision 1
    assert not set(new.values()) & set(old.values())
    challenges = store.list(CHALLENGES, "data-platform")
    assert len(challenges) == 2
    assert {c["status"]["reason"] for c in challenges} == {PROPAGATION}
    assert not _ready(store, "spark-history-tls") and not _ready(store, "graphql-gateway-tls")
    cert = store.get(CERTIFICATES, "data-platform", "graphql-gateway-tls")
    issuing = next(c for c in cert["status"]["conditions"] if c["type"] == "Issuing")
    assert issuing["status"] == "True"


def test_with_the_bypass_the_reissued_certificates_become_ready() -> None:
    world, store, clock = make_world()
    store.mutate(
        CONFIGMAPS, "kube-system", "cloudflare-access", lambda c: c["data"].update(bypassAcme="true")
    )
    for name in ("spark-history-tls-1", "graphql-gateway-tls-1"):
        store.delete(CERTIFICATEREQUESTS, "data-platform", name, "Background")
    advance(world, clock, 15)
    for name in ("spark-history-tls", "graphql-gateway-tls"):
        assert _ready(store, name)
        status = store.get(CERTIFICATES, "data-platform", name)["status"]
        assert status["notAfter"].startswith("2026-01-22T14:30:")  # 90 days
        assert status["renewalTime"].startswith("2025-12-23T")
        assert store.get(SECRETS, "data-platform", name)["type"] == "kubernetes.io/tls"
    assert store.list(CHALLENGES, "data-platform") == []  # cleaned up once the orders are valid


def test_ingress_annotation_bypasses_one_host_and_a_pending_challenge_passes_on_its_own() -> None:
    world, store, clock = make_world()
    store.mutate(
        INGRESSES,
        "data-platform",
        "spark-history-server",
        lambda i: i["metadata"].setdefault("annotations", {}).update({"cockpit.sandbox/acme-bypass": "true"}),
    )
    advance(world, clock, 15)
    assert _ready(store, "spark-history-tls")
    assert not _ready(store, "graphql-gateway-tls")  # invalid: waits for its request to be deleted


def test_velero_backup_created_progresses_to_completed() -> None:
    world, store, clock = make_world()
    store.create(
        BACKUPS,
        {
            "metadata": {"name": "manual-test-1761316200", "namespace": "velero"},
            "spec": {"includedNamespaces": ["data-platform"], "ttl": "720h0m0s"},
        },
        "velero",
    )
    phases = []
    for _ in range(10):
        advance(world, clock, 1)
        phases.append(store.get(BACKUPS, "velero", "manual-test-1761316200").get("status", {}).get("phase"))
    assert phases[0] in (None, "New")
    assert "InProgress" in phases and phases[-1] == "Completed"
    status = store.get(BACKUPS, "velero", "manual-test-1761316200")["status"]
    assert status["progress"]["itemsBackedUp"] == status["progress"]["totalItems"] > 100
    assert status["expiration"] > status["completionTimestamp"] > status["startTimestamp"]


def test_velero_scenario_can_make_new_backups_fail(tmp_path: Any) -> None:
    from cockpit.sandbox.world import default_scenario_path

    text = (
        default_scenario_path().read_text().replace("new_backup_phase: Completed", "new_backup_phase: Failed")
    )
    path = tmp_path / "failing.yaml"
    path.write_text(text)
    world, store, clock = make_world(scenario=path)
    store.create(BACKUPS, {"metadata": {"name": "b1", "namespace": "velero"}, "spec": {}}, "velero")
    advance(world, clock, 10)
    status = store.get(BACKUPS, "velero", "b1")["status"]
    assert status["phase"] == "Failed" and "AccessDenied" in status["failureReason"]


def test_deleting_a_stuck_challenge_retries_it() -> None:
    world, store, clock = make_world()
    invalid = next(c for c in store.list(CHALLENGES, "data-platform") if c["status"]["state"] == "invalid")
    store.delete(CHALLENGES, "data-platform", invalid["metadata"]["name"], "Background")
    advance(world, clock, 5)
    retried = [
        c for c in store.list(CHALLENGES, "data-platform") if c["spec"]["dnsName"] == "api.254carbon.com"
    ]
    assert len(retried) == 1 and retried[0]["metadata"]["name"] != invalid["metadata"]["name"]
    assert retried[0]["status"]["state"] == "pending"
    store.mutate(
        CONFIGMAPS, "kube-system", "cloudflare-access", lambda c: c["data"].update(bypassAcme="true")
    )
    advance(world, clock, 15)
    assert _ready(store, "graphql-gateway-tls")
