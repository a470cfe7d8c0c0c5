"""The seed plan's read-only kubectl commands, run with the real kubectl against the sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import KUBECTL_MINOR_DIR, Kubectl


def _rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()]


def test_get_pods_all_namespaces_prints_what_a_cluster_prints(shared: Kubectl) -> None:
    out = shared.ok("get", "pods", "-A")
    lines = out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    by_name = {row[1]: row for row in _rows(out)[1:]}
    api = by_name["dolphinscheduler-api-7d9f-x2k4q"]
    assert api[0] == "data-platform" and api[2] == "0/1" and api[3] == "CrashLoopBackOff"
    # restarts with when the last one was: "42 (5m ago)", or "(5m3s ago)" once seconds have passed
    assert api[4] == "42" and re.fullmatch(r"\(5m(\d+s)?", api[5]) and api[6] == "ago)"
    assert by_name["portal-services-5c7b-abcde"][3] == "ImagePullBackOff"
    assert by_name["trino-coordinator-0"][2] == "2/2" and by_name["grafana-6f9-zzz"][0] == "monitoring"
    assert by_name["minio-0"][-1] == "3d"


def test_chunked_get_pages_through_every_pod_once(shared: Kubectl) -> None:
    whole = shared.ok("get", "pods", "-A", "-o", "name", "--chunk-size=0")
    paged = shared.ok("get", "pods", "-A", "-o", "name", "--chunk-size=2")
    assert paged == whole and len(whole.splitlines()) > 4
    table = shared.ok("get", "pods", "-A", "--chunk-size=3")
    assert [row[1] for row in _rows(table)[1:]] == [line.split("/", 1)[1] for line in whole.splitlines()]


def test_get_pods_by_set_based_label_selector(shared: Kubectl) -> None:
    out = shared.ok(
        "get", "pods", "-n", "data-platform", "-l", "app in (dolphinscheduler-master,minio,superset)"
    )
    assert sorted(row[0] for row in _rows(out)[1:]) == ["dolphinscheduler-master-0", "minio-0"]
    none = shared("get", "pods", "-n", "data-platform", "-l", "app=nothing-like-this")
    assert none.returncode == 0 and "No resources found in data-platform namespace." in none.stderr


def test_get_pods_wide_shows_ip_and_node(shared: Kubectl) -> None:
    out = shared.ok("get", "pods", "-n", "monitoring", "-o", "wide")
    header, row = _rows(out)[:2]
    assert header == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED",
        "NODE",
        "READINESS",
        "GATES",
    ]
    assert row[5:7] == ["10.244.0.5", "k8s-master"]


def test_get_pods_as_json_is_a_full_list(shared: Kubectl) -> None:
    doc = json.loads(shared.ok("get", "pods", "-n", "data-platform", "-l", "app=minio", "-o", "json"))
    assert doc["kind"] == "List" and len(doc["items"]) == 1
    item = doc["items"][0]
    assert item["kind"] == "Pod" and item["spec"]["nodeName"] == "k8s-worker" and item["metadata"]["uid"]


@pytest.mark.parametrize(
    ("args", "header", "first"),
    [
        (
            ("get", "applications", "-n", "argocd"),
            ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS"],
            ["api-gateway", "OutOfSync", "Healthy"],
        ),
        (
            ("get", "certificate", "spark-history-tls"),
            ["NAME", "READY", "SECRET", "AGE"],
            ["spark-history-tls", "False", "spark-history-tls"],
        ),
        (
            ("get", "ingress", "spark-history-server"),
            ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
            ["spark-history-server", "kong", "spark-history.254carbon.com", "80,", "443"],
        ),
        (
            ("get", "networkpolicy", "-n", "kong"),
            ["NAME", "POD-SELECTOR", "AGE"],
            ["kong-allow-acme", "app=kong"],
        ),
        (
            ("get", "cj"),
            ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"],
            ["iceberg-compaction", "0", "*/6", "*", "*", "*", "<none>", "False", "0", "60m"],
        ),
        (
            ("get", "certificaterequests"),
            ["NAME", "APPROVED", "DENIED", "READY", "ISSUER", "REQUESTOR", "AGE"],
            ["graphql-gateway-tls-1", "True", "False", "letsencrypt-prod"],
        ),
        (
            ("get", "deploy"),
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            ["datahub-mce-consumer", "2/2", "2", "2"],
        ),
        (
            ("get", "jobs"),
            ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
            ["datahub-init-db", "Failed", "0/1"],
        ),
    ],
)
def test_get_prints_the_real_columns(
    shared: Kubectl, args: tuple[str, ...], header: list[str], first: list[str]
) -> None:
    rows = _rows(shared.ok(*args))
    assert rows[0] == header
    assert rows[1][: len(first)] == first


def test_errors_are_worded_as_a_real_server(shared: Kubectl) -> None:
    missing = shared("get", "job", "x")
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): jobs.batch "x" not found'
    bad = shared("get", "pods", "--field-selector", "spec.color=blue")
    assert "field label not supported: spec.color" in bad.stderr and "(BadRequest)" in bad.stderr
    ns = shared("get", "pods", "-n", "no-such-namespace")
    assert ns.returncode == 0 and "No resources found in no-such-namespace namespace." in ns.stderr


def test_logs_of_a_deployment_resolve_to_its_pod(shared: Kubectl) -> None:
    out = shared.ok("logs", "deploy/dolphinscheduler-api", "--tail=100")
    lines = out.splitlines()
    assert len(lines) == 100 and lines[-1].endswith("schema check 149")
    previous = shared.ok("logs", "dolphinscheduler-api-7d9f-x2k4q", "--previous")
    assert previous.strip() == "previous run: relation t_ds_user missing"
    waiting = shared("logs", "portal-services-5c7b-abcde")
    assert "is waiting to start: trying and failing to pull image" in waiting.stderr
    two = shared("logs", "trino-coordinator-0")  # kubectl picks the first container, as on a cluster
    assert two.returncode == 0 and 'Defaulted container "trino" out of: trino, jmx' in two.stderr


def test_kubectl_version_reports_the_served_version(shared: Kubectl) -> None:
    doc = json.loads(shared.ok("version", "-o", "json"))
    assert doc["serverVersion"]["gitVersion"].startswith("v1.31.")


@pytest.mark.parametrize("minor", ["1.27", "1.33"])
def test_older_and_newer_kubectl_minors(shared: Kubectl, minor: str, tmp_path: Path) -> None:
    binary = KUBECTL_MINOR_DIR / f"kubectl.{minor}"
    if not binary.exists():
        pytest.skip(f"{binary} is not installed")
    pods = shared("get", "pods", "-A", binary=str(binary))
    assert pods.returncode == 0, pods.stderr
    assert "CrashLoopBackOff" in pods.stdout and pods.stdout.split()[:2] == ["NAMESPACE", "NAME"]
    apps = shared("get", "applications", "-n", "argocd", binary=str(binary))
    assert apps.returncode == 0 and apps.stdout.splitlines()[0].split() == [
        "NAME",
        "SYNC",
        "STATUS",
        "HEALTH",
        "STATUS",
    ]
    logs = shared("logs", "deploy/dolphinscheduler-api", "--tail=2", binary=str(binary))
    assert logs.returncode == 0 and len(logs.stdout.splitlines()) == 2
