"""A small slice of the 254Carbon cluster, written straight into a sandbox's store, so the API
tests do not depend on the world simulation (which has its own tests)."""

from __future__ import annotations

import time
from typing import Any

from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox
from cockpit.sandbox.store import Store, timestamp
from cockpit.sandbox.worldapi import StoredLogs

DP = "data-platform"


def _owner(obj: dict[str, Any]) -> list[dict[str, Any]]:
    meta = obj["metadata"]
    return [
        {
            "apiVersion": obj["apiVersion"],
            "kind": obj["kind"],
            "name": meta["name"],
            "uid": meta["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def pod(
    name: str,
    labels: dict[str, str],
    *,
    ready: bool = True,
    waiting: str | None = None,
    restarts: int = 0,
    node: str = "k8s-worker",
    ip: str = "10.244.1.10",
    owner: dict[str, Any] | None = None,
    phase: str = "Running",
    containers: tuple[str, ...] = ("main",),
    ns: str = DP,
) -> dict[str, Any]:
    now = time.time()
    statuses = []
    for c in containers:
        state: dict[str, Any] = (
            {"waiting": {"reason": waiting, "message": "back-off restarting"}}
            if waiting
            else ({"running": {"startedAt": timestamp(now - 3600)}})
        )
        status: dict[str, Any] = {
            "name": c,
            "ready": ready and not waiting,
            "restartCount": restarts,
            "image": f"{name}:1",
            "imageID": "",
            "started": not waiting,
            "state": state,
        }
        if restarts:
            status["lastState"] = {
                "terminated": {
                    "exitCode": 1,
                    "reason": "Error",
                    "startedAt": timestamp(now - 400),
                    "finishedAt": timestamp(now - 300),
                }
            }
        statuses.append(status)
    meta: dict[str, Any] = {
        "name": name,
        "namespace": ns,
        "labels": labels,
        "creationTimestamp": timestamp(now - 86400 * 3),
    }
    if owner is not None:
        meta["ownerReferences"] = _owner(owner)
    return {
        "metadata": meta,
        "spec": {"containers": [{"name": c, "image": f"{name}:1"} for c in containers], "nodeName": node},
        "status": {
            "phase": phase,
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready and not waiting else "False"}],
            "containerStatuses": statuses,
        },
    }


def populate(store: Store, logs: StoredLogs) -> None:
    now = time.time()
    for ns in (DP, "argocd", "kong", "monitoring", "cert-manager", "velero", "default"):
        store.create(r.NAMESPACES, {"metadata": {"name": ns}, "status": {"phase": "Active"}})
    api = store.create(
        r.DEPLOYMENTS,
        {
            "metadata": {
                "name": "dolphinscheduler-api",
                "namespace": DP,
                "labels": {"app": "dolphinscheduler-api"},
            },
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "dolphinscheduler-api"}},
                "template": {
                    "metadata": {"labels": {"app": "dolphinscheduler-api"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "main",
                                "image": "apache/dolphinscheduler-api:3.2.1",
                                "env": [{"name": "TZ", "value": "UTC"}],
                            }
                        ]
                    },
                },
            },
            "status": {"replicas": 1, "readyReplicas": 0, "updatedReplicas": 1, "availableReplicas": 0},
        },
    )
    store.create(
        r.PODS,
        pod(
            "dolphinscheduler-api-7d9f-x2k4q",
            {"app": "dolphinscheduler-api"},
            waiting="CrashLoopBackOff",
            restarts=42,
            owner=api,
            ip="10.244.1.21",
        ),
    )
    store.create(
        r.DEPLOYMENTS,
        {
            "metadata": {"name": "datahub-mce-consumer", "namespace": DP},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "datahub-mce-consumer"}},
                "template": {
                    "metadata": {"labels": {"app": "datahub-mce-consumer"}},
                    "spec": {"containers": [{"name": "main", "image": "datahub-mce:0.13"}]},
                },
            },
            "status": {"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
        },
    )
    store.create(
        r.PODS,
        pod(
            "dolphinscheduler-master-0",
            {"app": "dolphinscheduler-master"},
            waiting="CrashLoopBackOff",
            restarts=17,
            ip="10.244.1.22",
        ),
    )
    store.create(r.PODS, pod("minio-0", {"app": "minio"}, ip="10.244.1.23"))
    store.create(
        r.PODS,
        pod(
            "portal-services-5c7b-abcde",
            {"app": "portal-services"},
            waiting="ImagePullBackOff",
            ip="10.244.1.24",
        ),
    )
    store.create(
        r.PODS,
        pod(
            "trino-coordinator-0", {"app": "trino-coordinator"}, containers=("trino", "jmx"), ip="10.244.1.25"
        ),
    )
    store.create(
        r.PODS,
        pod("grafana-6f9-zzz", {"app": "grafana"}, ns="monitoring", node="k8s-master", ip="10.244.0.5"),
    )
    for line in range(150):
        logs.append(
            DP,
            "dolphinscheduler-api-7d9f-x2k4q",
            "main",
            now - 300 + line,
            f"2026-11-26 04:{line % 60:02d}:00 ERROR o.a.d.api.ApiApplicationServer - schema check {line}",
        )
    logs.append(
        DP,
        "dolphinscheduler-api-7d9f-x2k4q",
        "main",
        now - 600,
        "previous run: relation t_ds_user missing",
        previous=True,
    )
    for name, ok in (
        ("dolphinscheduler-full-schema-init", False),
        ("dolphinscheduler-init-db", False),
        ("datahub-init-db", False),
        ("superset-init-db", True),
    ):
        status: dict[str, Any] = {"startTime": timestamp(now - 7200)}
        if ok:
            status.update(
                succeeded=1,
                completionTime=timestamp(now - 7100),
                conditions=[{"type": "Complete", "status": "True"}],
            )
        else:
            status.update(
                failed=6, conditions=[{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]
            )
        job = store.create(
            r.JOBS,
            {
                "metadata": {"name": name, "namespace": DP, "labels": {"job-name": name}},
                "spec": {
                    "completions": 1,
                    "backoffLimit": 6,
                    "selector": {"matchLabels": {"job-name": name}},
                    "template": {"spec": {"containers": [{"name": "init", "image": "init:1"}]}},
                },
                "status": status,
            },
        )
        store.create(
            r.PODS,
            pod(
                f"{name}-abc12",
                {"job-name": name},
                ready=False,
                owner=job,
                phase="Succeeded" if ok else "Failed",
            ),
        )
    store.create(
        r.CRONJOBS,
        {
            "metadata": {"name": "iceberg-compaction", "namespace": DP},
            "spec": {
                "schedule": "0 */6 * * *",
                "suspend": False,
                "jobTemplate": {
                    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "spark:3.5"}]}}}
                },
            },
            "status": {"lastScheduleTime": timestamp(now - 3600)},
        },
    )
    for app, sync, health in (
        ("data-platform", "OutOfSync", "Degraded"),
        ("api-gateway", "OutOfSync", "Healthy"),
        ("monitoring", "Synced", "Healthy"),
    ):
        store.create(
            r.APPLICATIONS,
            {
                "metadata": {"name": app, "namespace": "argocd"},
                "spec": {"project": "default"},
                "status": {"sync": {"status": sync, "revision": "abc123"}, "health": {"status": health}},
            },
        )
    for cert in ("spark-history-tls", "graphql-gateway-tls"):
        store.create(
            r.CERTIFICATES,
            {
                "metadata": {"name": cert, "namespace": DP},
                "spec": {
                    "secretName": cert,
                    "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"},
                },
                "status": {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "False",
                            "reason": "DoesNotExist",
                            "message": "Issuing certificate as Secret does not exist",
                        }
                    ]
                },
            },
        )
        store.create(
            r.CERTIFICATEREQUESTS,
            {
                "metadata": {"name": f"{cert}-1", "namespace": DP},
                "spec": {
                    "issuerRef": {"name": "letsencrypt-prod"},
                    "username": "system:serviceaccount:cert-manager",
                },
                "status": {
                    "conditions": [
                        {"type": "Approved", "status": "True"},
                        {"type": "Ready", "status": "False", "reason": "Pending"},
                    ]
                },
            },
        )
    store.create(
        r.INGRESSES,
        {
            "metadata": {"name": "spark-history-server", "namespace": DP},
            "spec": {
                "ingressClassName": "kong",
                "rules": [{"host": "spark-history.254carbon.com"}],
                "tls": [{"hosts": ["spark-history.254carbon.com"], "secretName": "spark-history-tls"}],
            },
        },
    )
    store.create(
        r.NETWORKPOLICIES,
        {
            "metadata": {"name": "kong-allow-acme", "namespace": "kong"},
            "spec": {"podSelector": {"matchLabels": {"app": "kong"}}},
        },
    )


def make_sandbox(**options: Any) -> Sandbox:
    box = Sandbox(world=False, **options)
    assert isinstance(box.logs, StoredLogs)
    populate(box.store, box.logs)
    return box
