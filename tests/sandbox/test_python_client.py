"""The official kubernetes Python client against the sandbox: list, watch (bookmark, forced 410),
follow logs; and HTTPS with bearer tokens (401/403) through kubectl."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox

from .conftest import Kubectl, kubectl_path
from .minicluster import make_sandbox

DP = "data-platform"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[Sandbox, client.ApiClient]]:
    box = make_sandbox(bookmark_interval=0.2).start()
    path = box.write_kubeconfig(tmp_path / "kubeconfig")
    api_client = config.new_client_from_config(config_file=str(path))
    try:
        yield box, api_client
    finally:
        api_client.close()
        box.stop()


def test_list_pods_and_custom_objects(api: tuple[Sandbox, client.ApiClient]) -> None:
    _, api_client = api
    core = client.CoreV1Api(api_client)
    pods = core.list_pod_for_all_namespaces(label_selector="app in (minio,grafana)")
    assert sorted(p.metadata.name for p in pods.items) == ["grafana-6f9-zzz", "minio-0"]
    crash = core.read_namespaced_pod("dolphinscheduler-api-7d9f-x2k4q", DP)
    assert crash.status.container_statuses[0].state.waiting.reason == "CrashLoopBackOff"
    jobs = client.BatchV1Api(api_client).list_namespaced_job(DP, field_selector="status.successful==0")
    assert len(jobs.items) == 3
    apps = client.CustomObjectsApi(api_client).list_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "argocd", "applications"
    )
    assert {a["metadata"]["name"]: a["status"]["sync"]["status"] for a in apps["items"]}["data-platform"] == (
        "OutOfSync"
    )
    with pytest.raises(ApiException) as exc:
        client.BatchV1Api(api_client).read_namespaced_job("x", DP)
    assert exc.value.status == 404 and 'jobs.batch \\"x\\" not found' in exc.value.body


def test_watch_sees_changes_and_a_bookmark(api: tuple[Sandbox, client.ApiClient]) -> None:
    box, api_client = api
    core = client.CoreV1Api(api_client)
    rv = core.list_namespaced_pod(DP).metadata.resource_version

    def change() -> None:
        time.sleep(0.3)
        box.store.mutate(
            r.PODS, DP, "minio-0", lambda p: p["metadata"].update(labels={"app": "minio", "x": "1"})
        )
        box.store.delete(r.PODS, DP, "portal-services-5c7b-abcde")

    threading.Thread(target=change, daemon=True).start()
    seen: list[tuple[str, str]] = []
    w = watch.Watch()
    for event in w.stream(
        core.list_namespaced_pod, DP, resource_version=rv, timeout_seconds=2, allow_watch_bookmarks=True
    ):
        obj = event["object"]
        name = obj["metadata"]["resourceVersion"] if event["type"] == "BOOKMARK" else obj.metadata.name
        seen.append((event["type"], name))
        if event["type"] == "BOOKMARK" and len(seen) > 2:
            w.stop()
    kinds = [k for k, _ in seen]
    assert ("MODIFIED", "minio-0") in seen and ("DELETED", "portal-services-5c7b-abcde") in seen
    assert "BOOKMARK" in kinds


def test_watch_from_a_compacted_version_raises_410(api: tuple[Sandbox, client.ApiClient]) -> None:
    box, api_client = api
    core = client.CoreV1Api(api_client)
    old = core.list_namespaced_pod(DP).metadata.resource_version
    box.store.mutate(r.PODS, DP, "minio-0", lambda p: p["metadata"].update(labels={"app": "minio", "x": "2"}))
    box.store.compact()
    with pytest.raises(ApiException) as exc:  # at once: a watch that waited would end quietly after 30 s
        for _ in watch.Watch().stream(core.list_namespaced_pod, DP, resource_version=old, timeout_seconds=30):
            pass
    assert exc.value.status == 410


def test_follow_logs(api: tuple[Sandbox, client.ApiClient]) -> None:
    box, api_client = api
    core = client.CoreV1Api(api_client)

    def write() -> None:
        time.sleep(0.5)
        box.logs.append(DP, "minio-0", "main", time.time(), "API: SYSTEM() Waiting for all MinIO sub-systems")  # type: ignore[attr-defined]

    box.logs.append(DP, "minio-0", "main", time.time() - 5, "Status: 1 Online, 0 Offline.")  # type: ignore[attr-defined]
    threading.Thread(target=write, daemon=True).start()
    lines: list[str] = []
    for line in watch.Watch().stream(core.read_namespaced_pod_log, "minio-0", DP, follow=True):
        lines.append(line)
        if len(lines) == 2:
            break
    assert lines == ["Status: 1 Online, 0 Offline.", "API: SYSTEM() Waiting for all MinIO sub-systems"]


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")  # the sandbox's certificate is self-signed
def test_https_with_bearer_tokens_gives_401_and_403(tmp_path: Path) -> None:
    binary = kubectl_path()
    box = make_sandbox(token="admin-token", read_only_token="viewer-token").start()
    try:
        assert box.url.startswith("https://")
        admin = Kubectl(box, box.write_kubeconfig(tmp_path / "admin", namespace=DP), tmp_path / "c1", binary)
        assert "minio-0" in admin.ok("get", "pods")
        viewer_config = box.kubeconfig(namespace=DP)
        viewer_config["users"][0]["user"]["token"] = "viewer-token"
        (tmp_path / "viewer").write_text(yaml.safe_dump(viewer_config))
        viewer = Kubectl(box, tmp_path / "viewer", tmp_path / "c2", binary)
        assert "minio-0" in viewer.ok("get", "pods")
        assert viewer("auth", "can-i", "get", "pods").stdout.strip() == "yes"
        assert viewer("auth", "can-i", "delete", "jobs").stdout.strip() == "no"
        assert admin("auth", "can-i", "delete", "jobs").stdout.strip() == "yes"
        denied = viewer("delete", "job", "datahub-init-db")
        assert denied.returncode == 1 and denied.stderr.strip() == (
            'Error from server (Forbidden): jobs.batch "datahub-init-db" is forbidden: User "viewer" cannot '
            'delete resource "jobs" in API group "batch" in the namespace "data-platform"'
        )
        viewer_client = config.new_client_from_config(config_file=str(tmp_path / "viewer"))
        try:
            assert client.CoreV1Api(viewer_client).list_namespaced_pod(DP).items
            with pytest.raises(ApiException) as exc:
                client.BatchV1Api(viewer_client).delete_namespaced_job("datahub-init-db", DP)
            assert exc.value.status == 403
        finally:
            viewer_client.close()
        viewer_config["users"][0]["user"]["token"] = "wrong"
        (tmp_path / "stranger").write_text(yaml.safe_dump(viewer_config))
        stranger = Kubectl(box, tmp_path / "stranger", tmp_path / "c3", binary)
        refused = stranger("get", "pods")
        assert refused.returncode == 1
        assert (
            "error: You must be logged in to the server (the server has asked for the client to provide "
            in (refused.stderr)
        )
    finally:
        box.stop()
