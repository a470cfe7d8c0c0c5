"""The seed plan's kubectl commands that change the cluster, each against a sandbox of its own."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import pytest

from cockpit.sandbox import resources as r
from cockpit.sandbox.store import Store

from .conftest import KUBECTL_MINOR_DIR, Kubectl
from .streams import StreamedLines

DP = "data-platform"


def _names(store: Store, rt: r.ResourceType, ns: str = DP) -> list[str]:
    return [o["metadata"]["name"] for o in store.list(rt, ns)]


def test_delete_failed_jobs_by_field_selector_takes_their_pods(fresh: Kubectl) -> None:
    store = fresh.box.store
    out = fresh.ok(
        "delete",
        "jobs",
        "-n",
        DP,
        "-l",
        "job-name in (dolphinscheduler-full-schema-init,dolphinscheduler-init-db,datahub-init-db)",
        "--field-selector",
        "status.successful==0",
    )
    assert sorted(out.splitlines()) == [
        'job.batch "datahub-init-db" deleted',
        'job.batch "dolphinscheduler-full-schema-init" deleted',
        'job.batch "dolphinscheduler-init-db" deleted',
    ]
    assert _names(store, r.JOBS) == ["superset-init-db"]
    assert [p for p in _names(store, r.PODS) if "init" in p] == ["superset-init-db-abc12"]


def test_delete_job_by_name_then_again(fresh: Kubectl) -> None:
    assert fresh.ok("delete", "job", "-n", DP, "dolphinscheduler-full-schema-init").strip() == (
        'job.batch "dolphinscheduler-full-schema-init" deleted'
    )
    again = fresh("delete", "job", "-n", DP, "dolphinscheduler-full-schema-init")
    assert again.returncode == 1
    assert (
        'Error from server (NotFound): jobs.batch "dolphinscheduler-full-schema-init" not found'
        in again.stderr
    )


def test_delete_two_certificaterequests(fresh: Kubectl) -> None:
    out = fresh.ok("-n", DP, "delete", "certificaterequest", "spark-history-tls-1", "graphql-gateway-tls-1")
    assert out.splitlines() == [
        'certificaterequest.cert-manager.io "spark-history-tls-1" deleted',
        'certificaterequest.cert-manager.io "graphql-gateway-tls-1" deleted',
    ]
    assert _names(fresh.box.store, r.CERTIFICATEREQUESTS) == []


def test_annotate_application_hard_refresh(fresh: Kubectl) -> None:
    args = (
        "annotate",
        "application",
        "data-platform",
        "-n",
        "argocd",
        "argocd.argoproj.io/refresh=hard",
        "--overwrite",
    )
    assert fresh.ok(*args).strip() == "application.argoproj.io/data-platform annotated"
    app = fresh.box.store.get(r.APPLICATIONS, "argocd", "data-platform")
    assert app["metadata"]["annotations"]["argocd.argoproj.io/refresh"] == "hard"
    assert app["status"]["sync"]["status"] == "OutOfSync"  # the annotation alone changes nothing else


def test_scale_deployment_to_zero(fresh: Kubectl) -> None:
    out = fresh.ok("scale", "deployment", "datahub-mce-consumer", "-n", DP, "--replicas=0")
    assert out.strip() == "deployment.apps/datahub-mce-consumer scaled"
    deploy = fresh.box.store.get(r.DEPLOYMENTS, DP, "datahub-mce-consumer")
    assert deploy["spec"]["replicas"] == 0 and deploy["metadata"]["generation"] == 2


def test_patch_cronjob_suspend_and_noop_keeps_version(fresh: Kubectl) -> None:
    args = ("patch", "cronjob", "iceberg-compaction", "-n", DP, "-p", '{"spec":{"suspend":true}}')
    assert fresh.ok(*args).strip() == "cronjob.batch/iceberg-compaction patched"
    rv = fresh.box.store.get(r.CRONJOBS, DP, "iceberg-compaction")["metadata"]["resourceVersion"]
    assert fresh.ok(*args).strip() == "cronjob.batch/iceberg-compaction patched (no change)"
    cj = fresh.box.store.get(r.CRONJOBS, DP, "iceberg-compaction")
    assert cj["spec"]["suspend"] is True and cj["metadata"]["resourceVersion"] == rv
    assert fresh.ok("get", "cj", "-n", DP).splitlines()[1].split()[7] == "True"


def test_strategic_patch_merges_containers_by_name(fresh: Kubectl) -> None:
    patch = (
        '{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"DEBUG","value":"1"}]}]}}}}'
    )
    fresh.ok("patch", "deploy", "dolphinscheduler-api", "-n", DP, "-p", patch)
    container = fresh.box.store.get(r.DEPLOYMENTS, DP, "dolphinscheduler-api")["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert container["image"] == "apache/dolphinscheduler-api:3.2.1"
    assert container["env"] == [{"name": "TZ", "value": "UTC"}, {"name": "DEBUG", "value": "1"}]


def test_strategic_patch_on_a_custom_resource_is_refused(fresh: Kubectl) -> None:
    done = fresh(
        "patch",
        "application",
        "data-platform",
        "-n",
        "argocd",
        "--type",
        "strategic",
        "-p",
        '{"spec":{"project":"x"}}',
    )
    assert done.returncode == 1
    assert (
        "application/strategic-merge-patch+json is not supported by argoproj.io/v1alpha1, Kind=Application"
        in (done.stderr)
    )
    merged = fresh(
        "patch",
        "application",
        "data-platform",
        "-n",
        "argocd",
        "--type",
        "merge",
        "-p",
        '{"spec":{"project":"x"}}',
    )
    assert merged.returncode == 0, merged.stderr


def test_wait_for_ready_pod(fresh: Kubectl) -> None:
    def become_ready() -> None:
        time.sleep(0.8)

        def ready(pod: dict) -> None:  # type: ignore[type-arg]
            pod["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
            status = pod["status"]["containerStatuses"][0]
            status.update(ready=True, state={"running": {"startedAt": "2026-11-26T04:00:00Z"}})

        fresh.box.store.mutate(r.PODS, DP, "dolphinscheduler-api-7d9f-x2k4q", ready)

    threading.Thread(target=become_ready, daemon=True).start()
    out = fresh.ok(
        "wait", "--for=condition=ready", "pod", "-l", "app=dolphinscheduler-api", "-n", DP, "--timeout=20s"
    )
    assert out.strip() == "pod/dolphinscheduler-api-7d9f-x2k4q condition met"


def test_wait_times_out_on_a_pod_that_stays_broken(fresh: Kubectl) -> None:
    done = fresh(
        "wait", "--for=condition=ready", "pod", "-l", "app=dolphinscheduler-master", "-n", DP, "--timeout=2s"
    )
    assert done.returncode == 1
    assert "timed out waiting for the condition on pods/dolphinscheduler-master-0" in done.stderr


def test_get_watch_prints_changes_until_stopped(fresh: Kubectl) -> None:
    stream = StreamedLines(fresh.popen("get", "pods", "-n", DP, "-l", "app=minio", "-w"))
    try:
        stream.wait_for(lambda lines: len(lines) >= 2)  # listed: the watch runs from the list's version
        store = fresh.box.store

        def crash(pod: dict) -> None:  # type: ignore[type-arg]
            status = pod["status"]["containerStatuses"][0]
            status.update(ready=False, restartCount=1, state={"waiting": {"reason": "CrashLoopBackOff"}})

        store.mutate(r.PODS, DP, "minio-0", crash)
        stream.wait_for(lambda lines: len(lines) >= 3)
    finally:
        out = stream.stop()
    lines = [line.split() for line in out]
    assert lines[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines[1][:3] == ["minio-0", "1/1", "Running"]
    assert lines[2][:4] == ["minio-0", "0/1", "CrashLoopBackOff", "1"]


def test_logs_follow_streams_new_lines(fresh: Kubectl) -> None:
    logs = fresh.box.logs
    logs.append(DP, "minio-0", "main", time.time() - 5, "Status: 4 Online, 0 Offline.")  # type: ignore[attr-defined]
    stream = StreamedLines(fresh.popen("logs", "-f", "-n", DP, "minio-0", "--tail=1"))
    try:
        stream.wait_for(lambda lines: len(lines) >= 1)  # the tail came: kubectl is following
        logs.append(DP, "minio-0", "main", time.time(), "fresh line")  # type: ignore[attr-defined]
        stream.wait_for(lambda lines: len(lines) >= 2)
    finally:
        out = stream.stop()
    assert out == ["Status: 4 Online, 0 Offline.", "fresh line"]


def test_logs_follow_of_a_crash_looping_pod_ends_after_its_last_lines(fresh: Kubectl) -> None:
    # the follow ends by itself (a follow that hung would fail `ok`'s own deadline)
    out = fresh.ok("logs", "-f", "-n", DP, "deploy/dolphinscheduler-api", "--tail=1", timeout=10)
    assert out.splitlines() == ["2026-11-26 04:29:00 ERROR o.a.d.api.ApiApplicationServer - schema check 149"]


def test_apply_creates_then_reports_unchanged(fresh: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plan-notes\n  namespace: "
        "data-platform\ndata:\n  step: '1'\n"
    )
    assert fresh.ok("apply", "-f", str(manifest)).strip() == "configmap/plan-notes created"
    assert fresh.ok("apply", "-f", str(manifest)).strip() == "configmap/plan-notes unchanged"
    again = fresh("create", "-f", str(manifest))
    assert "Error from server (AlreadyExists): error when creating" in again.stderr
    assert fresh.ok("get", "cm", "plan-notes", "-o", "jsonpath={.data.step}") == "1"


def test_create_job_from_cronjob(fresh: Kubectl) -> None:
    out = fresh.ok("create", "job", "manual-compaction", "--from=cronjob/iceberg-compaction", "-n", DP)
    assert out.strip() == "job.batch/manual-compaction created"
    job = fresh.box.store.get(r.JOBS, DP, "manual-compaction")
    assert job["metadata"]["creationTimestamp"].endswith("Z")
    assert job["metadata"]["ownerReferences"][0]["name"] == "iceberg-compaction"


@pytest.mark.parametrize("minor", ["1.27", "1.29", "1.33"])
def test_plan_writes_with_other_kubectl_minors(fresh: Kubectl, minor: str) -> None:
    binary = KUBECTL_MINOR_DIR / f"kubectl.{minor}"
    if not binary.exists():
        pytest.skip(f"{binary} is not installed")
    k = functools.partial(fresh, binary=str(binary))
    deleted = k("delete", "jobs", "-n", DP, "--field-selector", "status.successful==0")
    assert deleted.returncode == 0, deleted.stderr
    assert len(deleted.stdout.splitlines()) == 3 and _names(fresh.box.store, r.JOBS) == ["superset-init-db"]
    scaled = k("scale", "deployment", "datahub-mce-consumer", "-n", DP, "--replicas=0")
    assert scaled.stdout.strip() == "deployment.apps/datahub-mce-consumer scaled"
    patched = k("patch", "cronjob", "iceberg-compaction", "-n", DP, "-p", '{"spec":{"suspend":true}}')
    assert patched.stdout.strip() == "cronjob.batch/iceberg-compaction patched"
    annotated = k(
        "annotate",
        "application",
        "data-platform",
        "-n",
        "argocd",
        "argocd.argoproj.io/refresh=hard",
        "--overwrite",
    )
    # kubectl 1.27 itself words it "annotate"; the change is what counts
    assert annotated.stdout.startswith("application.argoproj.io/data-platform annotate"), annotated.stderr
    app = fresh.box.store.get(r.APPLICATIONS, "argocd", "data-platform")
    assert app["metadata"]["annotations"]["argocd.argoproj.io/refresh"] == "hard"
    waited = k("wait", "--for=condition=ready", "pod", "-l", "app=minio", "-n", DP, "--timeout=5s")
    assert waited.stdout.strip() == "pod/minio-0 condition met"


def test_drain_cordons_and_evicts_the_nodes_pods(fresh: Kubectl) -> None:
    store = fresh.box.store
    store.create(
        r.NODES,
        {
            "metadata": {"name": "k8s-worker"},
            "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        },
    )
    out = fresh.ok("drain", "k8s-worker", "--ignore-daemonsets", "--force", "--timeout=20s")
    assert (
        "node/k8s-worker cordoned" in out
        and "pod/minio-0 evicted" in out
        and "node/k8s-worker drained" in out
    )
    assert store.get(r.NODES, None, "k8s-worker")["spec"]["unschedulable"] is True
    assert [p["metadata"]["name"] for p in store.list(r.PODS)] == ["grafana-6f9-zzz"]  # on k8s-master
    assert fresh.ok("get", "nodes").splitlines()[1].split()[1] == "Ready,SchedulingDisabled"


def test_deleted_pod_is_terminating_for_its_shutdown_then_gone(fresh: Kubectl) -> None:
    stream = StreamedLines(fresh.popen("get", "pods", "-n", DP, "-l", "app=minio", "-w"))
    try:
        stream.wait_for(lambda lines: len(lines) >= 2)  # listed: the watch runs from the list's version
        started = time.monotonic()
        assert fresh.ok("delete", "pod", "minio-0", "-n", DP).strip() == 'pod "minio-0" deleted'
        assert time.monotonic() - started > 0.5  # kubectl waited for the pod to go
        assert not fresh.box.store.exists(r.PODS, DP, "minio-0")
        stream.wait_for(lambda lines: any("Terminating" in line for line in lines[2:]))
    finally:
        out = stream.stop()
    statuses = [line.split()[2] for line in out[1:]]
    assert statuses[0] == "Running" and "Terminating" in statuses[1:]


def test_forced_delete_is_immediate(fresh: Kubectl) -> None:
    done = fresh("delete", "pod", "minio-0", "-n", DP, "--grace-period=0", "--force")
    assert done.returncode == 0 and 'pod "minio-0" force deleted' in done.stdout
    assert not fresh.box.store.exists(r.PODS, DP, "minio-0")
