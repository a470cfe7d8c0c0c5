"""The 254Carbon scenario: the numbers the seed plan states, and how a bad scenario is reported."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from cockpit.sandbox.resources import (
    APPLICATIONS,
    BACKUPS,
    CERTIFICATEREQUESTS,
    CERTIFICATES,
    CHALLENGES,
    CRONJOBS,
    DEPLOYMENTS,
    EVENTS,
    INGRESSES,
    JOBS,
    NETWORKPOLICIES,
    NODES,
    PODS,
    SCHEDULES,
)
from cockpit.sandbox.store import Store
from cockpit.sandbox.world import ScenarioError, build_world, default_scenario_path, load_scenario

from .world_helpers import FakeClock, make_world, statuses


@pytest.fixture(scope="module")
def seeded() -> tuple[Store, object]:
    world, store, _ = make_world()
    return store, world


def test_pods_match_the_seed_health_figure(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    counts = statuses(store)
    total = sum(counts.values())
    healthy = counts["Running"] + counts["Completed"]
    assert (total, counts["Running"]) == (138, 104)
    assert f"{healthy * 100 // total}% ({healthy}/{total} pods)" == "75% (104/138 pods)"
    assert counts["CrashLoopBackOff"] == 16 and counts["Error"] == 9
    assert counts["ImagePullBackOff"] + counts["ErrImagePull"] == 6 and counts["Pending"] == 3


def test_failing_components_are_the_seeds(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    assert statuses(store, "data-platform", app="dolphinscheduler-api") == {"CrashLoopBackOff": 6}
    assert statuses(store, "data-platform", app="dolphinscheduler-master") == {"CrashLoopBackOff": 2}
    assert statuses(store, "data-platform", app="trino-worker") == {"CrashLoopBackOff": 3}
    assert statuses(store, "data-platform", app="spark-history-server") == {
        "Running": 1,
        "CrashLoopBackOff": 1,
    }
    assert statuses(store, "data-platform", app="doris-fe") == {"CrashLoopBackOff": 1}
    portal = store.list(PODS, "portal-services", label_selector="app=portal-services")
    by_node = {
        (
            p["spec"]["nodeName"],
            p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason", "Running"),
        )
        for p in portal
    }
    assert by_node == {("cpu1", "Running"), ("k8s-worker", "ImagePullBackOff")}
    redis = store.list(PODS, "redis")
    assert all("bitnami/redis" in p["spec"]["containers"][0]["image"] for p in redis)
    for ns in ("monitoring",):
        for app in ("grafana", "victoria-metrics-single-server", "loki"):
            assert statuses(store, ns, app=app) == {"Running": 1}, app


def test_crashloop_pod_looks_like_kubelet_reports_it(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    pod = store.list(PODS, "data-platform", label_selector="app=dolphinscheduler-api")[0]
    cs = pod["status"]["containerStatuses"][0]
    assert pod["status"]["phase"] == "Running"
    assert cs["restartCount"] >= 30
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["state"]["waiting"]["message"].startswith("back-off 5m0s restarting failed container=")
    assert pod["metadata"]["uid"] in cs["state"]["waiting"]["message"]
    assert (
        cs["lastState"]["terminated"]["reason"] == "Error" and cs["lastState"]["terminated"]["exitCode"] == 1
    )
    owner = pod["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "ReplicaSet" and owner["name"].startswith("dolphinscheduler-api-")
    assert len(orjson.dumps(pod)) > 3000
    backoffs = [
        e
        for e in store.list(EVENTS, "data-platform")
        if e["reason"] == "BackOff" and e["involvedObject"]["name"] == pod["metadata"]["name"]
    ]
    assert backoffs and backoffs[0]["type"] == "Warning" and backoffs[0]["count"] > 1


def test_jobs_cronjobs_and_nodes(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    failed = store.list(JOBS, "data-platform", field_selector="status.successful==0")
    names = {j["metadata"]["name"] for j in failed}
    assert {"dolphinscheduler-full-schema-init", "dolphinscheduler-init-db", "datahub-init-db"} <= names
    for job in failed:
        if job["metadata"]["name"] in ("dolphinscheduler-full-schema-init", "datahub-init-db"):
            assert job["status"]["failed"] == 3
            assert any(
                c["type"] == "Failed" and c["reason"] == "BackoffLimitExceeded"
                for c in job["status"]["conditions"]
            )
            pods = store.list(PODS, "data-platform", label_selector=f"job-name={job['metadata']['name']}")
            assert {p["status"]["phase"] for p in pods} == {"Failed"} and len(pods) == 3
    assert len(store.list(JOBS, "data-platform", field_selector="status.successful==1")) == 2
    assert store.get(CRONJOBS, "data-platform", "iceberg-compaction")["spec"]["suspend"] is False
    api = store.get(DEPLOYMENTS, "data-platform", "dolphinscheduler-api")
    assert api["spec"]["replicas"] == 6 and api["status"].get("readyReplicas", 0) == 0
    nodes = {n["metadata"]["name"]: n for n in store.list(NODES)}
    assert set(nodes) == {"cpu1", "k8s-worker"}
    assert "node-role.kubernetes.io/control-plane" in nodes["cpu1"]["metadata"]["labels"]


def test_argocd_applications(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    apps = {a["metadata"]["name"]: a for a in store.list(APPLICATIONS, "argocd")}
    assert len(apps) == 17
    synced = [n for n, a in apps.items() if a["status"]["sync"]["status"] == "Synced"]
    assert len(synced) == 7
    out_of_sync = {n for n, a in apps.items() if a["status"]["sync"]["status"] == "OutOfSync"}
    assert out_of_sync == {"data-platform", "api-gateway"}
    degraded = {n for n, a in apps.items() if a["status"]["health"]["status"] == "Degraded"}
    assert degraded == {"data-platform", "portal-services", "platform-policies"}
    for app in apps.values():
        assert {"repoURL", "path", "targetRevision"} <= set(app["spec"]["source"])
        assert app["status"]["operationState"]["phase"] in ("Succeeded", "Failed", "Running")
        assert app["status"]["reconciledAt"].endswith("Z")


def test_certificates_pending_behind_cloudflare_access(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    certs = {c["metadata"]["name"]: c for c in store.list(CERTIFICATES)}
    not_ready = {
        n
        for n, c in certs.items()
        if not any(x["type"] == "Ready" and x["status"] == "True" for x in c["status"]["conditions"])
    }
    assert not_ready == {"spark-history-tls", "graphql-gateway-tls"}
    assert certs["grafana-tls"]["status"]["notAfter"] > certs["grafana-tls"]["status"]["renewalTime"]
    requests = {r["metadata"]["name"]: r for r in store.list(CERTIFICATEREQUESTS, "data-platform")}
    assert {"spark-history-tls-1", "graphql-gateway-tls-1"} <= set(requests)
    ready = next(c for c in requests["spark-history-tls-1"]["status"]["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "Pending" and "Waiting on certificate issuance from order" in ready["message"]
    challenges = {c["spec"]["dnsName"]: c for c in store.list(CHALLENGES, "data-platform")}
    spark = challenges["spark-history.254carbon.com"]
    assert spark["status"]["state"] == "pending"
    assert spark["status"]["reason"] == (
        "Waiting for HTTP-01 challenge propagation: wrong status code '302', expected '200'"
    )
    api = challenges["api.254carbon.com"]
    assert api["status"]["state"] == "invalid"
    assert "254carbon.cloudflareaccess.com/cdn-cgi/access/login/" in api["status"]["reason"]
    assert "acme-challenge%2F" + api["spec"]["token"] in api["status"]["reason"]


def test_ingresses_policies_and_velero(seeded: tuple[Store, object]) -> None:
    store, _ = seeded
    assert {"spark-history-server", "graphql"} <= {
        i["metadata"]["name"] for i in store.list(INGRESSES, "data-platform")
    }
    assert len(store.list(NETWORKPOLICIES, "kong")) >= 4
    assert {s["metadata"]["name"] for s in store.list(SCHEDULES, "velero")} == {
        "daily-full",
        "hourly-data-platform",
    }
    phases = [b["status"]["phase"] for b in store.list(BACKUPS, "velero")]
    assert phases.count("Completed") >= 4 and "PartiallyFailed" in phases and "Failed" in phases


def test_same_seed_same_world_other_seed_other_names() -> None:
    def snapshot(seed: int) -> list[bytes]:
        clock = FakeClock()
        store = Store(seed=seed, clock=clock)
        build_world(store, seed=seed)
        return [orjson.dumps(p, option=orjson.OPT_SORT_KEYS) for p in store.list(PODS)]

    first, again, other = snapshot(7), snapshot(7), snapshot(8)
    assert first == again
    assert first != other and len(other) == 138


def test_bundled_scenario_is_package_data() -> None:
    path = default_scenario_path()
    assert path.name == "254carbon.yaml" and path.parent.name == "scenarios" and path.is_file()


HEAD = "name: x\nnodes:\n  - {name: n1, address: 1.2.3.4, pod_subnet: 10.244.0}\nnamespaces: [{name: a}]\n"


HEAD = "name: x\nnodes:\n  - {name: n1, address: 1.2.3.4, pod_subnet: 10.244.0}\nnamespaces: [{name: a}]\n"


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("name: x\nnodes: [\n", ":3", "invalid YAML"),
        ("- a\n- b\n", ":1", "a scenario is a mapping"),
        (
            HEAD + "workloads:\n  - {kind: Deployment, namespace: b, name: w, image: i}\n",
            ":6",
            "namespace 'b' is not declared",
        ),
        (
            HEAD + "workloads:\n  - {kind: Deployment, namespace: a, name: w, image: i, replicas: two}\n",
            ":6",
            "'replicas' must be int",
        ),
        (
            HEAD + "workloads:\n  - {kind: Deployment, namespace: a, name: w, image: i, mode: exploding}\n",
            ":6",
            "'mode' must be one of",
        ),
        (
            HEAD + "workloads:\n  - {kind: Deployment, namespace: a, name: w, image: i, age: soon}\n",
            ":6",
            "not a duration",
        ),
        (
            HEAD + "workloads:\n  - {kind: Deployment, namespace: a, name: w, image: }\n",
            ":6",
            "missing 'image'",
        ),
    ],
)
def test_bad_scenario_is_one_line_with_file_and_line(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}{where}:"), message
    assert what in message and "\n" not in message


def test_missing_scenario_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.yaml: cannot read scenario"):
        load_scenario(tmp_path / "nope.yaml")


def test_the_seed_figures_hold_for_the_first_90_seconds() -> None:
    from .world_helpers import advance

    world, store, clock = make_world()
    for _ in range(9):
        advance(world, clock, 10)
        assert statuses(store)["Running"] == 104 and sum(statuses(store).values()) == 138


def test_nodes_report_status_every_five_minutes() -> None:
    from .world_helpers import advance

    world, store, clock = make_world()
    before = store.get(NODES, None, "cpu1")["status"]["conditions"][-1]["lastHeartbeatTime"]
    advance(world, clock, 301, step=60)
    after = store.get(NODES, None, "cpu1")["status"]["conditions"][-1]["lastHeartbeatTime"]
    assert before < after <= "2025-10-24T14:35:01Z"
