"""End to end through the real kubectl: a pinned context decides where commands go, whatever the
operator's shell points at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cockpit.runner.kubeenv import pin_kube_context
from cockpit.runner.process import CommandRun
from cockpit.sandbox.server import Sandbox

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(world=False).start()
    try:
        yield box
    finally:
        box.stop()


def operator_kubeconfig(path: Path, sandbox_url: str) -> Path:
    """Two contexts; the current one ("prod") points at a port nothing listens on."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "prod",
        "clusters": [
            {"name": "prod", "cluster": {"server": "http://127.0.0.1:1"}},
            {"name": "sandbox", "cluster": {"server": sandbox_url}},
        ],
        "users": [{"name": "op", "user": {"token": "unused"}}],
        "contexts": [
            {"name": "prod", "context": {"cluster": "prod", "user": "op", "namespace": "default"}},
            {"name": "sandbox", "context": {"cluster": "sandbox", "user": "op"}},
        ],
    }
    path.write_text(yaml.safe_dump(config))
    return path


async def test_commands_hit_the_pinned_context_and_namespace(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = operator_kubeconfig(tmp_path / "config", sandbox.url)
    monkeypatch.setenv("KUBECONFIG", str(users))  # the operator's shell points at prod
    kube = pin_kube_context(tmp_path / "session", context="sandbox", namespace="data-platform")
    chunks: list[str] = []
    run = CommandRun(
        "kubectl create namespace data-platform >/dev/null && kubectl get configmaps; "
        "kubectl create configmap pinned --from-literal=a=b && "
        "kubectl get configmap pinned -o jsonpath='ns={.metadata.namespace}'",
        env=kube.env,
        on_output=chunks.append,
    )
    result = await run.run()
    out = "".join(chunks)
    assert result.ok, out
    assert "No resources found in data-platform namespace." in out
    assert "configmap/pinned created" in out
    assert "ns=data-platform" in out


async def test_without_the_pin_the_same_command_fails_loudly(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the operator's own KUBECONFIG goes to prod, which is unreachable here."""
    monkeypatch.setenv("KUBECONFIG", str(operator_kubeconfig(tmp_path / "config", sandbox.url)))
    chunks: list[str] = []
    result = await CommandRun("kubectl get configmaps --request-timeout=2s", on_output=chunks.append).run()
    assert not result.ok
    assert result.error == "exited with code 1"
    assert "127.0.0.1:1" in "".join(chunks)
