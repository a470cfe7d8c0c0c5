"""The seed plan's kubectl commands, as written in plans/254carbon-next-steps.md, against the
default sandbox (the simulated 254Carbon cluster), with the real kubectl."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.sandbox.server import Sandbox

from .conftest import Kubectl, kubectl_path


def _start(directory: Path) -> Kubectl:
    box = Sandbox(seed=0).start()
    kubeconfig = box.write_kubeconfig(directory / "kubeconfig", namespace="default")
    return Kubectl(box, kubeconfig, directory / "cache", kubectl_path())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kubectl]:
    kubectl = _start(tmp_path_factory.mktemp("world"))
    yield kubectl
    kubectl.box.stop()


@pytest.fixture
def own_world(tmp_path: Path) -> Iterator[Kubectl]:
    kubectl = _start(tmp_path)
    yield kubectl
    kubectl.box.stop()


def test_default_world_reports_its_start_time(world: Kubectl) -> None:
    # how fast it starts is measured by bench/bench_sandbox.py, not asserted on a shared machine
    assert world.box.started_in > 0


def test_get_pods_all_namespaces_shows_the_seed_cluster(world: Kubectl) -> None:
    lines = world.ok("get", "pods", "-A").splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = [line.split() for line in lines[1:]]
    assert len(rows) == 138
    assert sum(1 for row in rows if row[3] == "Running") == 104
    crashing = {row[1].rsplit("-", 2)[0] for row in rows if row[3] == "CrashLoopBackOff"}
    assert {"dolphinscheduler-api", "dolphinscheduler-master"} <= crashing


def test_get_applications_in_argocd(world: Kubectl) -> None:
    rows = [line.split() for line in world.ok("get", "applications", "-n", "argocd").splitlines()]
    assert rows[0] == ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS"] and len(rows) == 18
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["data-platform"] == ["OutOfSync", "Degraded"] and by_name["api-gateway"][0] == "OutOfSync"


def test_plan_checks_of_certificates_ingress_and_network_policies(world: Kubectl) -> None:
    cert = world.ok("-n", "data-platform", "get", "certificate", "spark-history-tls").splitlines()
    assert cert[0].split() == ["NAME", "READY", "SECRET", "AGE"] and cert[1].split()[1] == "False"
    ingress = world.ok("-n", "data-platform", "get", "ingress", "spark-history-server").splitlines()
    assert ingress[1].split()[2] == "spark-history.254carbon.com"
    netpol = world.ok("-n", "kong", "get", "networkpolicy").splitlines()
    assert netpol[0].split() == ["NAME", "POD-SELECTOR", "AGE"] and len(netpol) > 1


def test_logs_of_the_crashing_api_deployment(world: Kubectl) -> None:
    done = world("logs", "-n", "data-platform", "deploy/dolphinscheduler-api", "--tail=100")
    assert done.returncode == 0 and "using pod/dolphinscheduler-api-" in done.stderr
    lines = done.stdout.splitlines()
    assert 0 < len(lines) <= 100


def test_plan_label_query_and_wait_timeout(world: Kubectl) -> None:
    out = world.ok(
        "get",
        "pods",
        "-n",
        "data-platform",
        "-l",
        "app in (dolphinscheduler-master,dolphinscheduler-worker,trino-coordinator,minio,superset)",
    )
    apps = {line.split()[0].rsplit("-", 2)[0] for line in out.splitlines()[1:]}
    assert {"dolphinscheduler-master", "dolphinscheduler-worker"} <= apps
    done = world(
        "wait",
        "--for=condition=ready",
        "pod",
        "-l",
        "app=dolphinscheduler-api",
        "-n",
        "data-platform",
        "--timeout=2s",
    )
    assert (
        done.returncode == 1
        and "timed out waiting for the condition on pods/dolphinscheduler-api-" in done.stderr
    )


def test_plan_cleanup_steps_in_order(own_world: Kubectl) -> None:
    k = own_world
    deleted = k.ok(
        "delete",
        "jobs",
        "-n",
        "data-platform",
        "-l",
        "job-name in (dolphinscheduler-full-schema-init,dolphinscheduler-init-db,datahub-init-db)",
        "--field-selector",
        "status.successful==0",
    )
    assert sorted(deleted.splitlines()) == [
        'job.batch "datahub-init-db" deleted',
        'job.batch "dolphinscheduler-full-schema-init" deleted',
        'job.batch "dolphinscheduler-init-db" deleted',
    ]
    jobs = k.ok("get", "jobs", "-n", "data-platform")
    assert "init-db" not in jobs.replace("superset-init-db", "")
    assert k.ok(
        "scale", "deployment", "datahub-mce-consumer", "-n", "data-platform", "--replicas=0"
    ).strip() == ("deployment.apps/datahub-mce-consumer scaled")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = k("get", "pods", "-n", "data-platform", "-l", "app=datahub-mce-consumer", "--no-headers")
        if not left.stdout.strip():
            break
        time.sleep(0.3)
    assert left.stdout.strip() == "", "scaling to zero left pods behind"
    patch = (
        "patch",
        "cronjob",
        "iceberg-compaction",
        "-n",
        "data-platform",
        "-p",
        '{"spec":{"suspend":true}}',
    )
    assert k.ok(*patch).strip() == "cronjob.batch/iceberg-compaction patched"
    for app in ("data-platform", "platform-policies", "api-gateway"):
        out = k.ok(
            "annotate", "application", app, "-n", "argocd", "argocd.argoproj.io/refresh=hard", "--overwrite"
        )
        assert out.strip() == f"application.argoproj.io/{app} annotated"
    requests = k.ok(
        "-n", "data-platform", "delete", "certificaterequest", "spark-history-tls-1", "graphql-gateway-tls-1"
    )
    assert requests.splitlines() == [
        'certificaterequest.cert-manager.io "spark-history-tls-1" deleted',
        'certificaterequest.cert-manager.io "graphql-gateway-tls-1" deleted',
    ]
    again = k("delete", "job", "-n", "data-platform", "dolphinscheduler-full-schema-init")
    assert (
        'Error from server (NotFound): jobs.batch "dolphinscheduler-full-schema-init" not found'
        in again.stderr
    )


def test_plan_health_check_exec_while_the_api_crash_loops(world: Kubectl) -> None:
    done = world(
        "exec",
        "-n",
        "data-platform",
        "deploy/dolphinscheduler-api",
        "--",
        "curl",
        "-sf",
        "http://localhost:12345/dolphinscheduler/actuator/health",
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: unable to upgrade connection: container not found (")


def test_plan_health_check_answers_up_once_the_schema_job_is_gone(tmp_path: Path) -> None:
    box = Sandbox(seed=0, time_scale=30).start()  # back-offs 30x shorter: the next restart is near
    try:
        k = Kubectl(box, box.write_kubeconfig(tmp_path / "kc"), tmp_path / "cache", kubectl_path())
        health = (
            "exec",
            "-n",
            "data-platform",
            "deploy/dolphinscheduler-api",
            "--",
            "curl",
            "-sf",
            "http://localhost:12345/dolphinscheduler/actuator/health",
        )
        k.ok("delete", "job", "-n", "data-platform", "dolphinscheduler-full-schema-init")
        deadline = time.monotonic() + 20
        done = k(*health)
        while done.returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
            done = k(*health)
        assert (done.returncode, done.stdout) == (0, '{"status":"UP"}')
        config = k.ok(
            "exec", "-n", "data-platform", "deploy/trino-coordinator", "--", "cat", "/etc/trino/jvm.config"
        )
        assert "-XX:MaxRAMPercentage=80\n" in config
    finally:
        box.stop()
