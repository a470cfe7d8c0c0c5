"""Previews in confirmations, with the real kubectl against the sandbox: each shows what would
change, and nothing changes (checked with kubectl afterwards)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cockpit.cluster.hub import ClusterHub
from cockpit.sandbox import Sandbox
from cockpit.session import actions
from cockpit.session.preview import Preview, Previewer
from tests.cluster.sandboxfix import hub_for, start_sandbox

from ..sandbox.conftest import kubectl_path

NS = "data-platform"


class Box:
    def __init__(self, kubeconfig: Path, hub: ClusterHub) -> None:
        self.env = {"KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(kubeconfig.parent / "cache")}
        self.hub = hub

    def get(self, *args: str) -> Any:
        done = subprocess.run(
            [kubectl_path(), *args, "-o", "json"],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout)

    def previewer(self, budget: float = 60.0) -> Previewer:
        return Previewer(env=self.env, budget=budget, cluster=self.hub)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    kubectl_path()
    sandbox: Sandbox
    sandbox, kubeconfig = start_sandbox(tmp_path_factory.mktemp("preview"))
    hub = hub_for(kubeconfig)
    yield Box(kubeconfig, hub)
    hub.stop()
    sandbox.stop()


def changed(preview: Preview) -> tuple[list[str], list[str]]:
    assert not preview.unavailable, preview.unavailable
    plus = [t for k, t in preview.lines if k == "+"]
    minus = [t for k, t in preview.lines if k == "-"]
    return plus, minus


async def test_scale_shows_the_replicas_diff_and_changes_nothing(box: Box) -> None:
    before = box.get("get", "deployment", "trino-worker", "-n", NS)
    replicas = before["spec"]["replicas"]
    preview = await box.previewer().preview(f"kubectl scale deployment trino-worker -n {NS} --replicas=0")
    plus, minus = changed(preview)
    assert "+  replicas: 0" in plus and f"-  replicas: {replicas}" in minus
    assert any("live deployment/trino-worker" in t for k, t in preview.lines if k == "title")
    assert box.get("get", "deployment", "trino-worker", "-n", NS)["spec"]["replicas"] == replicas


async def test_delete_with_a_selector_lists_the_exact_objects(box: Box) -> None:
    cmd = f"kubectl delete jobs --field-selector status.successful==0 -n {NS}"
    preview = await box.previewer().preview(cmd)
    assert not preview.unavailable, preview.unavailable
    items = sorted(t for k, t in preview.lines if k == "item")
    jobs = box.get("get", "jobs", "-n", NS)["items"]  # still all there afterwards
    unfinished = sorted(
        f"job.batch/{j['metadata']['name']}" for j in jobs if not j["status"].get("succeeded")
    )
    assert items == unfinished  # the failed ones, and the running ones the operator may not expect
    assert {"job.batch/datahub-init-db", "job.batch/dolphinscheduler-init-db"} <= set(items)
    assert preview.lines[0] == ("title", f"{len(items)} objects would be deleted:")


async def test_create_is_all_additions_and_creates_nothing(box: Box) -> None:
    preview = await box.previewer().preview(
        f"kubectl create configmap gate-preview -n {NS} --from-literal=answer=42"
    )
    plus, minus = changed(preview)
    assert "+  answer: '42'" in plus and minus == []
    assert "(does not exist yet)" in preview.text
    listed = box.get("get", "configmaps", "-n", NS)["items"]
    assert "gate-preview" not in {c["metadata"]["name"] for c in listed}


async def test_a_dry_run_goes_before_the_double_dash_and_creates_nothing(box: Box) -> None:
    """`kubectl create job x -- cmd`: a --dry-run after `--` would be the job's argument."""
    preview = await box.previewer().preview(
        f"kubectl create job gate-preview-job -n {NS} --image=busybox -- echo hi"
    )
    assert "(does not exist yet)" in preview.text, preview.text
    listed = box.get("get", "jobs", "-n", NS)["items"]
    assert "gate-preview-job" not in {j["metadata"]["name"] for j in listed}


async def test_label_and_set_image_and_rollout_restart(box: Box) -> None:
    previewer = box.previewer()
    label = await previewer.preview(f"kubectl label deployment trino-worker -n {NS} gate=previewed")
    assert "+    gate: previewed" in changed(label)[0]
    image = await previewer.preview(f"kubectl set image deployment/trino-worker -n {NS} '*=trino:999'")
    assert any("image: trino:999" in t for t in changed(image)[0])
    restart = await previewer.preview(f"kubectl rollout restart deployment/trino-worker -n {NS}")
    assert any("kubectl.kubernetes.io/restartedAt" in t for t in changed(restart)[0])
    live = box.get("get", "deployment", "trino-worker", "-n", NS)
    assert "gate" not in (live["metadata"].get("labels") or {})
    template = live["spec"]["template"]
    assert all(c["image"] != "trino:999" for c in template["spec"]["containers"])
    assert "kubectl.kubernetes.io/restartedAt" not in (template["metadata"].get("annotations") or {})


async def test_apply_previews_with_kubectl_diff(box: Box, tmp_path: Path) -> None:
    live = box.get("get", "deployment", "trino-worker", "-n", NS)
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "trino-worker", "namespace": NS, "labels": {"gate": "applied"}},
        "spec": live["spec"],
    }
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps(manifest))
    preview = await box.previewer().preview(f"kubectl apply -f {path}")
    plus, _minus = changed(preview)
    assert any("gate: applied" in t for t in plus)
    after = box.get("get", "deployment", "trino-worker", "-n", NS)
    assert "gate" not in (after["metadata"].get("labels") or {})


async def test_pane_actions_preview_the_same_way(box: Box) -> None:
    previewer = box.previewer()
    action = actions.hard_refresh("argocd", "data-platform")
    refresh = await previewer.preview(action.label, action)
    assert "+    argocd.argoproj.io/refresh: hard" in changed(refresh)[0]
    pod = next(
        p for p in box.get("get", "pods", "-n", NS)["items"] if p["metadata"]["name"].startswith("trino")
    )
    name = pod["metadata"]["name"]
    delete = actions.delete_pod(NS, name)
    gone = await previewer.preview(delete.label, delete)
    assert [t for k, t in gone.lines if k == "item"] == [f"pod/{name}"]
    cert = actions.reissue_certificate(NS, "spark-history-tls")
    reissue = await previewer.preview(cert.label, cert)
    assert [t for k, t in reissue.lines if k == "item"] == [
        f"certificaterequest.cert-manager.io/spark-history-tls-1 -n {NS}"
    ]
    app = box.get("get", "applications.argoproj.io", "data-platform", "-n", "argocd")
    assert "argocd.argoproj.io/refresh" not in (app["metadata"].get("annotations") or {})
    assert box.get("get", "pod", name, "-n", NS)["metadata"]["uid"] == pod["metadata"]["uid"]


async def test_what_cannot_be_previewed_says_why(box: Box) -> None:
    previewer = box.previewer()
    edit = await previewer.preview(f"kubectl edit deployment trino-worker -n {NS}")
    assert edit.unavailable == (
        "preview unavailable: kubectl edit opens an editor; the change is known only when you save"
    )
    script = await previewer.preview("python3 fix.py")
    assert script.unavailable == (
        "preview unavailable: python3 is not kubectl; only kubectl, helm and argocd changes are previewed"
    )
    cordon = await previewer.preview("kubectl cordon node-a")
    assert cordon.unavailable == "preview unavailable: cockpit does not preview kubectl cordon"
    piped = await previewer.preview("kubectl get pods -o name | xargs kubectl delete")
    assert piped.unavailable == "preview unavailable: the line is not one plain kubectl command"
    missing = await previewer.preview(f"kubectl scale deployment no-such-thing -n {NS} --replicas=1")
    assert missing.unavailable.startswith("preview unavailable: error: ")
    late = await box.previewer(budget=0.000_001).preview(
        f"kubectl scale deploy trino-worker -n {NS} --replicas=1"
    )
    assert late.unavailable == "preview unavailable: the API server did not answer within 1e-06 s"


STUB = """#!/bin/sh
# a stand-in for {name}: says how it was called, and fails unless it was a dry run
echo "{name} $*"
case " $* " in *" --dry-run "*) echo "MANIFEST: kind: Deployment (rendered, not applied)";; *) exit 9;; esac
"""


@pytest.mark.parametrize(
    ("program", "command", "title"),
    [
        (
            "helm",
            "helm upgrade redis bitnami/redis -n redis",
            "helm upgrade --dry-run (nothing is installed):",
        ),
        ("argocd", "argocd app sync data-platform", "argocd app sync --dry-run (nothing is synced):"),
    ],
)
async def test_helm_and_argocd_preview_with_their_own_dry_run(
    tmp_path: Path, program: str, command: str, title: str
) -> None:
    stub = tmp_path / program
    stub.write_text(STUB.format(name=program))
    stub.chmod(0o755)
    env = {"PATH": f"{tmp_path}:{os.environ.get('PATH', '')}"}
    preview = await Previewer(env=env, budget=60.0).preview(command)
    assert preview.lines[0] == ("title", title)
    assert (" ", f"{command} --dry-run") in preview.lines
    assert (" ", "MANIFEST: kind: Deployment (rendered, not applied)") in preview.lines
