"""The world reacts to the plan's actions as a cluster would (fake clock, the Store directly)."""

from __future__ import annotations

import itertools
from typing import Any

from cockpit.sandbox.resources import CRONJOBS, DEPLOYMENTS, EVENTS, JOBS, PODS, REPLICASETS, STATEFULSETS
from cockpit.sandbox.world.cron import Cron
from cockpit.sandbox.world.pods import display_status

from .world_helpers import advance, make_world, statuses


def _events(store: Any, ns: str, name: str) -> list[tuple[str, str]]:
    return [
        (e["reason"], e["message"]) for e in store.list(EVENTS, ns) if e["involvedObject"]["name"] == name
    ]


def _progressing(store: Any, ns: str, name: str) -> tuple[str, str, str]:
    """The Deployment's Progressing condition: status, reason, and its message after the RS name."""
    deploy = store.get(DEPLOYMENTS, ns, name)
    (cond,) = [c for c in deploy["status"]["conditions"] if c["type"] == "Progressing"]
    rs = cond["message"].split('"')[1]
    assert cond["message"].startswith(f'ReplicaSet "{rs}" ') and rs.startswith(f"{name}-")
    return cond["status"], cond["reason"], cond["message"].removeprefix(f'ReplicaSet "{rs}" ')


def test_scaling_a_deployment_to_zero_removes_its_pods_and_back_up_adds_them() -> None:
    world, store, clock = make_world()
    store.mutate(DEPLOYMENTS, "data-platform", "datahub-mce-consumer", lambda d: d["spec"].update(replicas=0))
    advance(world, clock, 2)
    assert statuses(store, "data-platform", app="datahub-mce-consumer") == {}
    deploy = store.get(DEPLOYMENTS, "data-platform", "datahub-mce-consumer")
    assert "replicas" not in deploy["status"] and deploy["status"]["observedGeneration"] == 2
    rs = store.list(REPLICASETS, "data-platform", label_selector="app=datahub-mce-consumer")[0]
    assert rs["spec"]["replicas"] == 0
    assert any(
        r == "ScalingReplicaSet" and "to 0 from 1" in m
        for r, m in _events(store, "data-platform", "datahub-mce-consumer")
    )
    assert any(r == "SuccessfulDelete" for r, _ in _events(store, "data-platform", rs["metadata"]["name"]))
    assert sum(statuses(store).values()) == 137

    store.mutate(DEPLOYMENTS, "data-platform", "superset", lambda d: d["spec"].update(replicas=5))
    advance(world, clock, 1)
    assert sum(statuses(store, "data-platform", app="superset").values()) == 5
    assert statuses(store, "data-platform", app="superset")["Running"] == 3  # new ones still starting
    assert _progressing(store, "data-platform", "superset") == (
        "True",
        "ReplicaSetUpdated",
        "is progressing.",
    )
    advance(world, clock, 10)
    assert statuses(store, "data-platform", app="superset") == {"Running": 5}
    assert store.get(DEPLOYMENTS, "data-platform", "superset")["status"]["readyReplicas"] == 5
    assert _progressing(store, "data-platform", "superset") == (
        "True",
        "NewReplicaSetAvailable",
        "has successfully progressed.",
    )
    assert _progressing(store, "data-platform", "datahub-gms") == (
        "False",
        "ProgressDeadlineExceeded",
        "has timed out progressing.",
    )
    new = [
        p
        for p in store.list(PODS, "data-platform", label_selector="app=superset")
        if p["metadata"]["creationTimestamp"] > "2025-10-24T14:30:00Z"
    ]
    assert len(new) == 2
    reasons = [r for r, _ in _events(store, "data-platform", new[0]["metadata"]["name"])]
    assert {"Scheduled", "Pulled", "Created", "Started"} <= set(reasons)


def test_scaling_spark_history_to_one_keeps_the_healthy_replica() -> None:
    world, store, clock = make_world()
    store.mutate(DEPLOYMENTS, "data-platform", "spark-history-server", lambda d: d["spec"].update(replicas=1))
    advance(world, clock, 2)
    assert statuses(store, "data-platform", app="spark-history-server") == {"Running": 1}


def test_scaling_a_statefulset() -> None:
    world, store, clock = make_world()
    store.mutate(STATEFULSETS, "data-platform", "minio", lambda d: d["spec"].update(replicas=2))
    advance(world, clock, 2)
    names = sorted(
        p["metadata"]["name"] for p in store.list(PODS, "data-platform", label_selector="app=minio")
    )
    assert names == ["minio-0", "minio-1"]


def test_deleting_failed_jobs_removes_them_and_their_pods() -> None:
    world, store, clock = make_world()
    failed = store.list(
        JOBS,
        "data-platform",
        field_selector="status.successful==0",
        label_selector="job-name in (dolphinscheduler-full-schema-init,dolphinscheduler-init-db,"
        "datahub-init-db)",
    )
    assert len(failed) == 3
    for job in failed:
        store.delete(JOBS, "data-platform", job["metadata"]["name"], "Background")
    advance(world, clock, 2)
    assert (
        store.list(
            JOBS,
            "data-platform",
            field_selector="status.successful==0",
            label_selector="app.kubernetes.io/instance=data-platform,!batch.kubernetes.io/controller-uid",
        )
        == []
    )
    assert statuses(store)["Error"] == 0
    assert sum(statuses(store).values()) == 129


def test_orphaned_job_pods_stay() -> None:
    world, store, clock = make_world()
    store.delete(JOBS, "data-platform", "datahub-init-db", "Orphan")
    advance(world, clock, 2)
    assert len(store.list(PODS, "data-platform", label_selector="job-name=datahub-init-db")) == 3


def test_deleting_the_schema_job_lets_dolphinscheduler_come_up() -> None:
    world, store, clock = make_world()
    advance(world, clock, 310, step=5)
    assert statuses(store, "data-platform", app="dolphinscheduler-api") == {"CrashLoopBackOff": 6}
    store.delete(JOBS, "data-platform", "dolphinscheduler-full-schema-init", "Background")
    advance(world, clock, 310, step=5)
    assert statuses(store, "data-platform", app="dolphinscheduler-api") == {"Running": 6}
    assert statuses(store, "data-platform", app="dolphinscheduler-master") == {"Running": 2}
    deploy = store.get(DEPLOYMENTS, "data-platform", "dolphinscheduler-api")
    assert deploy["status"]["availableReplicas"] == 6
    # the other failures are untouched: doris-fe still crash-loops
    assert statuses(store, "data-platform", app="doris-fe") == {"CrashLoopBackOff": 1}


def test_crash_loop_back_off_doubles_from_10s_to_5m() -> None:
    world, store, clock = make_world()
    victim = store.list(PODS, "data-platform", label_selector="app=doris-fe")[0]
    store.delete(PODS, "data-platform", victim["metadata"]["name"], "Background")
    seen: list[tuple[float, str, int]] = []

    def watch(kind: str, rt: Any, obj: dict[str, Any]) -> None:
        if rt is PODS and obj["metadata"]["name"] == "doris-fe-0" and kind != "DELETED":
            cs = (obj["status"].get("containerStatuses") or [{}])[0]
            message = cs.get("state", {}).get("waiting", {}).get("message", "")
            seen.append((clock.t, display_status(obj), int(cs.get("restartCount", 0)), message))

    store.subscribe(watch)
    advance(world, clock, 900, step=0.5)
    backoffs = [m.split()[1] for _, status, _, m in seen if status == "CrashLoopBackOff"]
    assert backoffs[:7] == ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"]
    statuses_seen = [s for _, s, _, _ in seen]
    assert "Running" in statuses_seen and "Error" in statuses_seen
    # restarts happen after the back-off: restartCount n+1 appears ~delay after back-off n began
    starts = [(t, r) for t, s, r, _ in seen if s == "Running"]
    gaps = [round(b[0] - a[0]) for a, b in itertools.pairwise(starts)]
    run_for = 15  # doris-fe runs 15 s; the back-off counts from the exit
    assert gaps[:4] == [run_for + 10, run_for + 20, run_for + 40, run_for + 80]
    final = store.get(PODS, "data-platform", "doris-fe-0")["status"]["containerStatuses"][0]
    assert final["lastState"]["terminated"]["exitCode"] == 1
    assert final["lastState"]["terminated"]["finishedAt"] > final["lastState"]["terminated"]["startedAt"]


def test_time_scale_shortens_the_back_off() -> None:
    world, store, clock = make_world(time_scale=10.0)
    advance(world, clock, 40, step=0.5)  # 400 simulated seconds: every crash-looper restarted once
    pod = store.list(PODS, "data-platform", label_selector="app=doris-fe")[0]
    restarts = pod["status"]["containerStatuses"][0]["restartCount"]
    world2, store2, clock2 = make_world()
    advance(world2, clock2, 40, step=0.5)
    pod2 = store2.list(PODS, "data-platform", label_selector="app=doris-fe")[0]
    assert restarts > pod2["status"]["containerStatuses"][0]["restartCount"]


def test_cronjob_fires_on_schedule_unless_suspended() -> None:
    world, store, clock = make_world()
    cron = Cron("0 */6 * * *")
    before = {
        j["metadata"]["name"]
        for j in store.list(JOBS, "data-platform", label_selector="app=iceberg-compaction")
    }
    store.mutate(CRONJOBS, "data-platform", "iceberg-compaction", lambda c: c["spec"].update(suspend=True))
    # let the active (flaky) run finish first, then pass the next scheduled time
    next_time = cron.next_after(clock.t)
    advance(world, clock, next_time - clock.t + 30, step=600)
    after = {
        j["metadata"]["name"]
        for j in store.list(JOBS, "data-platform", label_selector="app=iceberg-compaction")
    }
    assert after == before

    store.mutate(CRONJOBS, "data-platform", "iceberg-compaction", lambda c: c["spec"].update(suspend=False))
    next_time = cron.next_after(clock.t)
    advance(world, clock, next_time - clock.t + 30, step=600)
    created = {
        j["metadata"]["name"]
        for j in store.list(JOBS, "data-platform", label_selector="app=iceberg-compaction")
    } - before
    assert created == {f"iceberg-compaction-{int(next_time) // 60}"}
    cj = store.get(CRONJOBS, "data-platform", "iceberg-compaction")
    assert cj["status"]["lastScheduleTime"] == __import__("time").strftime(
        "%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(next_time)
    )


def test_a_created_job_runs_to_completion() -> None:
    world, store, clock = make_world()
    from cockpit.sandbox.world.workloads import job, job_template

    store.create(JOBS, job("smoke", "data-platform", job_template("smoke", "busybox:1.36", ""), clock.t))
    advance(world, clock, 40)
    done = store.get(JOBS, "data-platform", "smoke")
    assert done["status"]["succeeded"] == 1
    assert any(c["type"] == "Complete" for c in done["status"]["conditions"])
    assert store.list(
        JOBS, "data-platform", field_selector="status.successful==1", label_selector="app=smoke"
    )
    pods = store.list(PODS, "data-platform", label_selector="job-name=smoke")
    assert [display_status(p) for p in pods] == ["Completed"]


def test_a_pod_created_by_hand_is_scheduled_and_started() -> None:
    world, store, clock = make_world()
    store.create(
        PODS,
        {"metadata": {"name": "debug"}, "spec": {"containers": [{"name": "sh", "image": "busybox"}]}},
        "default",
    )
    advance(world, clock, 8)
    pod = store.get(PODS, "default", "debug")
    assert display_status(pod) == "Running" and pod["spec"]["nodeName"] in ("cpu1", "k8s-worker")


def test_pinning_portal_services_to_cpu1_fixes_the_image_pull() -> None:
    world, store, clock = make_world()

    def pin(d: dict[str, Any]) -> None:
        d["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "cpu1"}

    store.mutate(DEPLOYMENTS, "portal-services", "portal-services", pin)
    advance(world, clock, 15)
    pods = store.list(PODS, "portal-services", label_selector="app=portal-services")
    assert {p["spec"]["nodeName"] for p in pods} == {"cpu1"}
    assert [display_status(p) for p in pods] == ["Running"] * 3
    assert len(store.list(REPLICASETS, "portal-services", label_selector="app=portal-services")) == 2


def test_workloads_created_by_hand_get_their_pods() -> None:
    world, store, clock = make_world()
    template = {
        "metadata": {"labels": {"app": "hello"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
    }
    store.create(
        DEPLOYMENTS,
        {
            "metadata": {"name": "hello", "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "hello"}}, "template": template},
        },
    )
    store.create(
        STATEFULSETS,
        {
            "metadata": {"name": "db", "namespace": "default"},
            "spec": {
                "replicas": 2,
                "serviceName": "db",
                "selector": {"matchLabels": {"app": "db"}},
                "template": {**template, "metadata": {"labels": {"app": "db"}}},
            },
        },
    )
    advance(world, clock, 15)
    assert statuses(store, "default", app="hello") == {"Running": 2}
    assert sorted(p["metadata"]["name"] for p in store.list(PODS, "default", label_selector="app=db")) == [
        "db-0",
        "db-1",
    ]
    assert store.get(DEPLOYMENTS, "default", "hello")["status"]["availableReplicas"] == 2


def test_rollout_restart_and_new_image_replace_the_failing_pods() -> None:
    world, store, clock = make_world()

    def restart(d: dict[str, Any]) -> None:
        d["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})[
            "kubectl.kubernetes.io/restartedAt"
        ] = "2025-10-24T14:35:00Z"

    store.mutate(DEPLOYMENTS, "data-platform", "trino-worker", restart)  # trino heals on a template change
    store.mutate(
        STATEFULSETS,
        "redis",
        "redis-master",
        lambda s: s["spec"]["template"]["spec"]["containers"][0].update(
            image="docker.io/bitnamilegacy/redis:7.4.1-debian-12-r0"
        ),
    )
    advance(world, clock, 40)
    assert statuses(store, "data-platform", app="trino-worker") == {"Running": 3}
    replica_sets = {
        r["spec"]["replicas"]
        for r in store.list(REPLICASETS, "data-platform", label_selector="app=trino-worker")
    }
    assert replica_sets == {0, 3}
    assert statuses(store, "redis", app="redis-master") == {"Running": 1}
    assert statuses(store, "redis", app="redis-replicas") == {"ImagePullBackOff": 1}


def test_time_scale_out_of_range_is_a_clear_error() -> None:
    import pytest

    from cockpit.sandbox.world import ScenarioError

    with pytest.raises(ScenarioError, match="time scale must be > 0, not 0"):
        make_world(time_scale=0)
    world, _, _ = make_world(time_scale=30)
    assert world.time_scale == 30
