"""Scale knob `pods=N`: realistic filler pods (4-7 KB of JSON each) until the cluster has N pods.

Filler pods live in their own tenant namespaces (`tenant-NNN`), belong to made-up ReplicaSets of
made-up services, and are Running and ready (a few with restarts). Pods of one service share their
spec's nested parts (the store never changes a stored object in place), which keeps 50,000 pods
within a few hundred MB. `bench_build()` measures how long building them takes.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from cockpit.sandbox.resources import NAMESPACES, PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.world.names import SAFE_ALPHABET, rfc3339
from cockpit.sandbox.world.objects import namespace as make_namespace
from cockpit.sandbox.world.pods import (
    default_tolerations,
    ready_conditions,
    service_account_mount,
    service_account_volume,
)
from cockpit.sandbox.world.scenario import scenario_pod_count

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
PODS_PER_NAMESPACE = 250
PODS_PER_SERVICE = 5
MAX_PODS = 50_000
FILLER_LABEL = "cockpit.sandbox/filler"
_WORDS = (
    "ledger",
    "quote",
    "risk",
    "settle",
    "meter",
    "forecast",
    "curve",
    "trade",
    "report",
    "notify",
    "auth",
    "search",
    "billing",
    "catalog",
    "audit",
    "ingest",
    "export",
    "pricing",
    "weather",
    "grid",
    "asset",
    "position",
    "limits",
    "market",
    "carbon",
    "offset",
    "registry",
    "scheduler",
    "gateway",
    "cache",
)
_ENV = (
    "LOG_LEVEL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "DATABASE_URL",
    "REDIS_URL",
    "KAFKA_BROKERS",
    "HTTP_PORT",
    "GRPC_PORT",
    "FEATURE_FLAGS",
    "REGION",
    "TZ",
    "GOMAXPROCS",
    "JAVA_TOOL_OPTIONS",
    "CACHE_TTL",
)


def _service_spec(rng: random.Random, service: str, image: str) -> Obj:
    """The nested parts of a pod spec shared by a service's pods."""
    env: list[Obj] = [
        {"name": k, "value": f"{k.lower().replace('_', '-')}-{service}-{rng.randrange(100, 999)}"}
        for k in rng.sample(_ENV, rng.randrange(8, 14))
    ]
    env.append(
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}
    )
    env.append(
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "password", "name": f"{service}-db"}}}
    )
    mounts = [
        {"mountPath": "/etc/config", "name": "config", "readOnly": True},
        {"mountPath": "/tmp", "name": "tmp"},
        service_account_mount("kube-api-access"),
    ]
    probe = {
        "failureThreshold": 3,
        "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
        "initialDelaySeconds": 10,
        "periodSeconds": 10,
        "successThreshold": 1,
        "timeoutSeconds": 2,
    }
    main = {
        "name": service,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "args": ["--config=/etc/config/app.yaml", "--port=8080", "--metrics-port=9090"],
        "env": env,
        "ports": [
            {"containerPort": 8080, "name": "http", "protocol": "TCP"},
            {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
        ],
        "livenessProbe": probe,
        "readinessProbe": {**probe, "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"}},
        "resources": {
            "limits": {"cpu": "1", "memory": "512Mi"},
            "requests": {"cpu": "100m", "memory": "256Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 10001,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": mounts,
    }
    sidecar = {
        "name": "log-shipper",
        "image": "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
        "imagePullPolicy": "IfNotPresent",
        "resources": {"limits": {"memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": mounts[1:],
    }
    volumes = [
        {"configMap": {"defaultMode": 420, "name": f"{service}-config"}, "name": "config"},
        {"emptyDir": {"sizeLimit": "256Mi"}, "name": "tmp"},
        service_account_volume("kube-api-access"),
    ]
    return {
        "containers": [main, sidecar],
        "volumes": volumes,
        "tolerations": default_tolerations(),
        "affinity": {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "podAffinityTerm": {
                            "labelSelector": {"matchLabels": {"app": service}},
                            "topologyKey": "kubernetes.io/hostname",
                        },
                        "weight": 100,
                    }
                ]
            }
        },
    }


def _pod(
    rng: random.Random,
    ns: str,
    service: str,
    rs: str,
    rs_uid: str,
    shared: Obj,
    now: float,
    node: str,
    node_ip: str,
    index: int,
    uid_source: random.Random,
) -> Obj:
    name = f"{rs}-{''.join(rng.choice(SAFE_ALPHABET) for _ in range(5))}"
    created = now - rng.uniform(3600, 40 * 86400)
    started = created + rng.uniform(5, 40)
    restarts = 0 if rng.random() > 0.08 else rng.randrange(1, 12)
    ip = f"10.{rng.randrange(32, 63)}.{rng.randrange(0, 255)}.{rng.randrange(2, 254)}"
    stamp_c, stamp_s = rfc3339(created), rfc3339(started)
    hash_ = rs.rsplit("-", 1)[1]
    statuses = []
    for c in shared["containers"]:
        cs: Obj = {
            "containerID": f"containerd://{uid_source.getrandbits(256):064x}",
            "image": c["image"],
            "imageID": f"{c['image'].rsplit(':', 1)[0]}@sha256:{uid_source.getrandbits(256):064x}",
            "lastState": {},
            "name": c["name"],
            "ready": True,
            "restartCount": 0,
            "started": True,
            "state": {"running": {"startedAt": stamp_s}},
        }
        statuses.append(cs)
    if restarts:
        statuses[0]["restartCount"] = restarts
        statuses[0]["lastState"] = {
            "terminated": {
                "containerID": f"containerd://{uid_source.getrandbits(256):064x}",
                "exitCode": 137,
                "finishedAt": stamp_s,
                "reason": "OOMKilled",
                "startedAt": stamp_c,
            }
        }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": f"{rs}-",
            "namespace": ns,
            "labels": {
                "app": service,
                "app.kubernetes.io/name": service,
                "app.kubernetes.io/instance": ns,
                "app.kubernetes.io/version": "1.4.2",
                "pod-template-hash": hash_,
                "tier": "backend",
                FILLER_LABEL: "true",
            },
            "annotations": {
                "checksum/config": f"{uid_source.getrandbits(256):064x}",
                "prometheus.io/port": "9090",
                "prometheus.io/scrape": "true",
                "kubectl.kubernetes.io/default-container": service,
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "ReplicaSet",
                    "name": rs,
                    "uid": rs_uid,
                }
            ],
            "creationTimestamp": stamp_c,
        },
        "spec": {
            "affinity": shared["affinity"],
            "containers": shared["containers"],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {"fsGroup": 10001},
            "serviceAccount": service,
            "serviceAccountName": service,
            "terminationGracePeriodSeconds": 30,
            "tolerations": shared["tolerations"],
            "volumes": shared["volumes"],
        },
        "status": {
            "conditions": ready_conditions(stamp_c, stamp_s),
            "containerStatuses": statuses,
            "hostIP": node_ip,
            "hostIPs": [{"ip": node_ip}],
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "qosClass": "Burstable",
            "startTime": stamp_c,
        },
    }


def make_filler(
    store: Store, count: int, *, seed: int, now: float, nodes: list[tuple[str, str]]
) -> list[Obj]:
    """Create `count` filler pods (and their namespaces) in the store; returns the pods' metadata."""
    count = max(0, min(count, MAX_PODS))
    rng = random.Random(seed ^ 0xF111E4)
    uid_source = random.Random(seed ^ 0xF00D)
    pods: list[Obj] = []
    per_service = PODS_PER_SERVICE
    shared: Obj = {}
    rs = rs_uid = service = ""
    for i in range(count):
        ns = f"tenant-{i // PODS_PER_NAMESPACE:03d}"
        if i % PODS_PER_NAMESPACE == 0 and not store.exists(NAMESPACES, None, ns):
            store.create(NAMESPACES, make_namespace(ns, now - rng.uniform(30, 200) * 86400))
        if i % per_service == 0:
            service = f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{i // per_service % 1000:03d}"
            version = f"1.{rng.randrange(0, 30)}.{rng.randrange(0, 9)}"
            image = f"ghcr.io/254carbon/{service.rsplit('-', 1)[0]}:{version}"
            shared = _service_spec(rng, service, image)
            rs = f"{service}-{''.join(rng.choice(SAFE_ALPHABET) for _ in range(10))}"
            rs_uid = f"{uid_source.getrandbits(128):032x}"
            rs_uid = f"{rs_uid[:8]}-{rs_uid[8:12]}-4{rs_uid[13:16]}-a{rs_uid[17:20]}-{rs_uid[20:]}"
        node, node_ip = nodes[i % len(nodes)]
        pod = _pod(rng, ns, service, rs, rs_uid, shared, now, node, node_ip, i, uid_source)
        pods.append(pod)
    return [pod["metadata"] for pod in store.create_many(PODS, pods)]


def add_filler_pods(world: World, target_total: int) -> int:
    """Add filler pods until the world has `target_total` pods (scenario pods included)."""
    count = min(target_total, MAX_PODS) - scenario_pod_count(world.scenario)
    if count <= 0:
        return 0
    nodes = [(name, world.node_ip(name)) for name in world.node_names()]
    made = make_filler(world.store, count, seed=world.seed, now=world.now(), nodes=nodes)
    world.churn.add_pods([(m["namespace"], m["name"]) for m in made])
    return len(made)


def bench_build(pods: int = MAX_PODS, seed: int = 0) -> dict[str, float]:
    """Build a world with `pods` pods in a fresh store; returns and prints the figures."""
    import gc

    import orjson

    from cockpit.sandbox.world.world import build_world

    gc.collect()
    began = time.perf_counter()
    store = Store(seed=seed)
    world = build_world(store, seed=seed, pods=pods)
    built = time.perf_counter() - began
    total = store.count(PODS)
    sample = [e.obj for e in store.select(PODS, "tenant-000").entries[:200]]
    sizes = [len(orjson.dumps(p)) for p in sample] or [0]
    began = time.perf_counter()
    page = store.select(PODS, None, limit=500)
    listed = time.perf_counter() - began
    figures = {
        "pods": float(total),
        "build_seconds": built,
        "avg_pod_bytes": sum(sizes) / len(sizes),
        "min_pod_bytes": float(min(sizes)),
        "max_pod_bytes": float(max(sizes)),
        "first_page_seconds": listed,
        "page_items": float(len(page.entries)),
    }
    print(
        f"world with {total} pods built in {built:.2f} s; filler pod JSON {figures['min_pod_bytes']:.0f}-"
        f"{figures['max_pod_bytes']:.0f} bytes (avg {figures['avg_pod_bytes']:.0f}); first page of 500 in "
        f"{listed * 1000:.1f} ms"
    )
    world.close()
    return figures
