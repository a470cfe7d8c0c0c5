"""The sandbox honours dryRun=All on every write as a real API server does: the real kubectl's
`--dry-run=server` and `kubectl diff` get the would-be object, and nothing changes: the stored
object keeps its resourceVersion, no watch event goes out, and the world's controllers do nothing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox
from cockpit.sandbox.store import Store

from .conftest import Kubectl, kubectl_path

DP = "data-platform"
DEPLOY = "graphql-gateway"


class Events:
    """Every store change, as controllers and watches see them."""

    def __init__(self, store: Store) -> None:
        self.seen: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self.stop = store.subscribe(self._on)

    def _on(self, kind: str, rt: r.ResourceType, obj: dict[str, Any]) -> None:
        with self._lock:
            self.seen.append((kind, rt.plural, obj["metadata"]["name"]))

    def about(self, *names: str) -> list[tuple[str, str, str]]:
        with self._lock:
            return [e for e in self.seen if any(e[2] == n or e[2].startswith(n + "-") for n in names)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kubectl]:
    """The seed world, controllers running: a dry run must not wake them."""
    directory = tmp_path_factory.mktemp("dry")
    box = Sandbox(seed=0).start()
    kubeconfig = box.write_kubeconfig(directory / "kubeconfig", namespace=DP)
    yield Kubectl(box, kubeconfig, directory / "cache", kubectl_path())
    box.stop()


@pytest.fixture
def events(world: Kubectl) -> Iterator[Events]:
    ev = Events(world.box.store)
    yield ev
    ev.stop()


def _rv(store: Store, rt: r.ResourceType, name: str, ns: str = DP) -> str:
    return str(store.get(rt, ns, name)["metadata"]["resourceVersion"])


def _pods_of(store: Store, prefix: str) -> list[str]:
    return sorted(
        p["metadata"]["name"] for p in store.list(r.PODS, DP) if p["metadata"]["name"].startswith(prefix)
    )


def test_scale_to_zero_leaves_the_replicas(world: Kubectl, events: Events) -> None:
    store = world.box.store
    before_rv, before_pods = _rv(store, r.DEPLOYMENTS, DEPLOY), _pods_of(store, DEPLOY)
    out = world.ok("scale", "deploy", DEPLOY, "--replicas=0", "--dry-run=server")
    assert out.strip() == f"deployment.apps/{DEPLOY} scaled (server dry run)"
    time.sleep(1.5)  # a real scale would have the world's controllers delete pods by now
    assert store.get(r.DEPLOYMENTS, DP, DEPLOY)["spec"]["replicas"] == 3
    assert _rv(store, r.DEPLOYMENTS, DEPLOY) == before_rv
    assert _pods_of(store, DEPLOY) == before_pods
    assert events.about(DEPLOY) == []


def test_scale_subresource_answers_the_would_be_scale(world: Kubectl) -> None:
    done = world.ok(
        "patch",
        "deploy",
        DEPLOY,
        "--subresource=scale",
        "--type=merge",
        "-p",
        '{"spec":{"replicas":7}}',
        "--dry-run=server",
        "-o",
        "json",
    )
    assert json.loads(done)["spec"]["replicas"] == 7
    assert world.box.store.get(r.DEPLOYMENTS, DP, DEPLOY)["spec"]["replicas"] == 3


@pytest.mark.parametrize(
    ("kind", "patch"),
    [
        (
            "strategic",
            '{"spec":{"template":{"spec":{"containers":[{"name":"graphql-gateway","image":"x:2"}]}}}}',
        ),
        ("merge", '{"metadata":{"labels":{"dry":"yes"}},"spec":{"replicas":5}}'),
        ("json", '[{"op":"replace","path":"/spec/replicas","value":5}]'),
    ],
)
def test_patch_of_every_type_returns_the_would_be_object(
    world: Kubectl, events: Events, kind: str, patch: str
) -> None:
    store = world.box.store
    before = store.get(r.DEPLOYMENTS, DP, DEPLOY)
    out = json.loads(
        world.ok("patch", "deploy", DEPLOY, "--type", kind, "-p", patch, "--dry-run=server", "-o", "json")
    )
    if kind == "strategic":
        assert out["spec"]["template"]["spec"]["containers"][0]["image"] == "x:2"
    else:
        assert out["spec"]["replicas"] == 5
    assert out["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert out["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert store.get(r.DEPLOYMENTS, DP, DEPLOY) == before
    assert events.about(DEPLOY) == []


def test_status_subresource_patch_changes_nothing(world: Kubectl, events: Events) -> None:
    store = world.box.store
    before = store.get(r.DEPLOYMENTS, DP, DEPLOY)
    out = json.loads(
        world.ok(
            "patch",
            "deploy",
            DEPLOY,
            "--subresource=status",
            "--type=merge",
            "-p",
            '{"status":{"readyReplicas":0}}',
            "--dry-run=server",
            "-o",
            "json",
        )
    )
    assert out["status"]["readyReplicas"] == 0
    assert store.get(r.DEPLOYMENTS, DP, DEPLOY) == before
    assert events.about(DEPLOY) == []


def test_label_annotate_and_set_image(world: Kubectl, events: Events) -> None:
    store = world.box.store
    before = store.get(r.DEPLOYMENTS, DP, DEPLOY)
    rs_before = sorted(o["metadata"]["name"] for o in store.list(r.REPLICASETS, DP))
    assert "labeled (server dry run)" in world.ok("label", "deploy", DEPLOY, "tier=dry", "--dry-run=server")
    assert "annotated (server dry run)" in world.ok(
        "annotate", "deploy", DEPLOY, "note=dry", "--dry-run=server"
    )
    assert "image updated (server dry run)" in world.ok(
        "set", "image", f"deploy/{DEPLOY}", f"{DEPLOY}=registry.example/{DEPLOY}:dry", "--dry-run=server"
    )
    time.sleep(1.0)
    assert store.get(r.DEPLOYMENTS, DP, DEPLOY) == before
    assert sorted(o["metadata"]["name"] for o in store.list(r.REPLICASETS, DP)) == rs_before
    assert events.about(DEPLOY) == []


def test_create_returns_the_object_and_stores_nothing(world: Kubectl, events: Events) -> None:
    out = yaml.safe_load(
        world.ok("create", "configmap", "dry-cm", "--from-literal=a=b", "--dry-run=server", "-o", "yaml")
    )
    meta = out["metadata"]
    assert out["data"] == {"a": "b"} and meta["namespace"] == DP
    assert meta["uid"] and meta["creationTimestamp"] and "resourceVersion" not in meta
    assert not world.box.store.exists(r.CONFIGMAPS, DP, "dry-cm")
    assert events.about("dry-cm") == []
    taken = world("create", "configmap", "dolphinscheduler-common", "--dry-run=server")
    assert taken.returncode == 1 and 'configmaps "dolphinscheduler-common" already exists' in taken.stderr


def test_create_with_generate_name_keeps_the_seeded_names(world: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "job.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"generateName": "dry-"},
                "data": {"k": "v"},
            }
        )
    )
    out = yaml.safe_load(world.ok("create", "-f", str(manifest), "--dry-run=server", "-o", "yaml"))
    assert out["metadata"]["name"].startswith("dry-") and len(out["metadata"]["name"]) == 9
    assert not world.box.store.exists(r.CONFIGMAPS, DP, out["metadata"]["name"])


def test_apply_client_and_server_side(world: Kubectl, events: Events, tmp_path: Path) -> None:
    store = world.box.store
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry-apply"}, "data": {"k": "v"}}
        )
    )
    assert "created (server dry run)" in world.ok("apply", "-f", str(manifest), "--dry-run=server")
    assert "serverside-applied (server dry run)" in world.ok(
        "apply", "--server-side", "-f", str(manifest), "--dry-run=server"
    )
    assert not store.exists(r.CONFIGMAPS, DP, "dry-apply")
    existing = store.get(r.CONFIGMAPS, DP, "dolphinscheduler-common")
    changed = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "dolphinscheduler-common", "namespace": DP},
        "data": {**(existing.get("data") or {}), "added": "by-dry-run"},
    }
    manifest.write_text(yaml.safe_dump(changed))
    assert "configured (server dry run)" in world.ok("apply", "-f", str(manifest), "--dry-run=server")
    assert "serverside-applied (server dry run)" in world.ok(
        "apply", "--server-side", "--force-conflicts", "-f", str(manifest), "--dry-run=server"
    )
    assert "replaced (server dry run)" in world.ok("replace", "-f", str(manifest), "--dry-run=server")
    assert store.get(r.CONFIGMAPS, DP, "dolphinscheduler-common") == existing
    assert events.about("dry-apply", "dolphinscheduler-common") == []


def test_diff_shows_the_change_and_changes_nothing(world: Kubectl, tmp_path: Path) -> None:
    store = world.box.store
    deploy = store.get(r.DEPLOYMENTS, DP, DEPLOY)
    for key in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"):
        deploy["metadata"].pop(key, None)
    deploy.pop("status", None)
    deploy["spec"]["replicas"] = 4
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(yaml.safe_dump(deploy))
    done = world("diff", "-f", str(manifest))
    assert done.returncode == 1, done.stderr  # 1: differences found
    changed = [
        line for line in done.stdout.splitlines() if line.startswith(("-", "+")) and "replicas" in line
    ]
    assert changed == ["-  replicas: 3", "+  replicas: 4"]
    server_side = world("diff", "--server-side", "-f", str(manifest))
    assert server_side.returncode == 1, server_side.stderr
    assert "+  replicas: 4" in server_side.stdout.splitlines()
    assert store.get(r.DEPLOYMENTS, DP, DEPLOY)["spec"]["replicas"] == 3
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry-new"}}))
    done = world("diff", "-f", str(new))
    assert done.returncode == 1 and "+  name: dry-new" in done.stdout
    assert not store.exists(r.CONFIGMAPS, DP, "dry-new")


def test_delete_pod_job_and_certificaterequest(world: Kubectl, events: Events) -> None:
    store = world.box.store
    pod = _pods_of(store, DEPLOY)[0]
    assert (
        world.ok("delete", "pod", pod, "--dry-run=server").strip() == f'pod "{pod}" deleted (server dry run)'
    )
    job = "dolphinscheduler-init-db"
    assert world.ok("delete", "job", job, "--dry-run=server").strip() == (
        f'job.batch "{job}" deleted (server dry run)'
    )
    out = world.ok(
        "delete",
        "jobs",
        "--field-selector",
        "status.successful==0",
        "-l",
        "job-name in (dolphinscheduler-full-schema-init,dolphinscheduler-init-db,datahub-init-db)",
        "--dry-run=server",
    )
    assert len(out.splitlines()) == 3 and all(line.endswith("(server dry run)") for line in out.splitlines())
    time.sleep(1.5)
    assert "deletionTimestamp" not in store.get(r.PODS, DP, pod)["metadata"]
    assert store.exists(r.JOBS, DP, job)
    assert events.about(pod, job) == []


def test_delete_collection_and_eviction(world: Kubectl, events: Events, tmp_path: Path) -> None:
    store = world.box.store
    raw = world.ok("delete", "--raw", f"/api/v1/namespaces/{DP}/configmaps?dryRun=All")
    names = sorted(item["metadata"]["name"] for item in json.loads(raw)["items"])
    assert "dolphinscheduler-common" in names
    assert sorted(c["metadata"]["name"] for c in store.list(r.CONFIGMAPS, DP)) == names
    pod = _pods_of(store, DEPLOY)[0]
    eviction = tmp_path / "eviction.json"
    eviction.write_text(
        json.dumps(
            {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": pod, "namespace": DP},
                "deleteOptions": {"dryRun": ["All"]},
            }
        )
    )
    world.ok("create", "--raw", f"/api/v1/namespaces/{DP}/pods/{pod}/eviction", "-f", str(eviction))
    time.sleep(1.0)
    assert "deletionTimestamp" not in store.get(r.PODS, DP, pod)["metadata"]
    assert events.about(pod, "dolphinscheduler-common") == []


def test_an_unknown_dry_run_value_is_refused(world: Kubectl, tmp_path: Path) -> None:
    body = tmp_path / "cm.json"
    body.write_text(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nope"}}))
    done = world("create", "--raw", f"/api/v1/namespaces/{DP}/configmaps?dryRun=Some", "-f", str(body))
    assert done.returncode == 1
    assert 'dryRun: Unsupported value: []string{"Some"}: supported values: "All"' in done.stderr
    assert not world.box.store.exists(r.CONFIGMAPS, DP, "nope")
