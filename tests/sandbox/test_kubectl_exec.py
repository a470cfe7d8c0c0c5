"""`kubectl exec` against the sandbox: WebSocket streams, exit codes, refusals worded as a cluster's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.sandbox.worldapi import ExecResult

from .conftest import KUBECTL_MINOR_DIR, Kubectl, kubectl_path
from .minicluster import make_sandbox

DP = "data-platform"


class HealthChecks:
    """A world that knows what the plan's health check prints."""

    def exec(self, namespace: str, pod: str, container: str, command: list[str]) -> ExecResult | None:
        if command[0] == "curl" and command[-1].endswith("/minio/health/live"):
            return ExecResult(0, '{"status":"UP"}\n')
        return None


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kubectl]:
    sandbox = make_sandbox(exec_source=HealthChecks()).start()
    directory = tmp_path_factory.mktemp("exec")
    kubeconfig = sandbox.write_kubeconfig(directory / "kubeconfig", namespace=DP)
    yield Kubectl(sandbox, kubeconfig, directory / "cache", kubectl_path())
    sandbox.stop()


def test_exec_prints_and_returns_like_a_container(box: Kubectl) -> None:
    assert box.ok("exec", "minio-0", "--", "hostname") == "minio-0\n"
    assert box.ok("exec", "minio-0", "--", "echo", "schema", "ok") == "schema ok\n"
    assert box.ok("exec", "trino-coordinator-0", "-c", "jmx", "--", "printenv", "HOSTNAME") == (
        "trino-coordinator-0\n"
    )
    failed = box("exec", "minio-0", "--", "false")
    assert failed.returncode == 1 and failed.stderr == "command terminated with exit code 1\n"


def test_exec_uses_the_worlds_answers_and_says_what_it_cannot_simulate(box: Kubectl) -> None:
    health = box.ok("exec", "minio-0", "--", "curl", "-sf", "http://localhost:9000/minio/health/live")
    assert health == '{"status":"UP"}\n'
    other = box("exec", "minio-0", "--", "mc", "admin", "info", "local")
    assert other.returncode == 126
    assert other.stderr.splitlines() == [
        "cockpit sandbox: 'mc' is not simulated in container 'main' of pod 'minio-0'",
        "command terminated with exit code 126",
    ]


def test_exec_into_a_crash_looping_deployment_fails_as_on_a_cluster(box: Kubectl) -> None:
    done = box(
        "exec",
        "deploy/dolphinscheduler-api",
        "--",
        "curl",
        "-sf",
        "http://localhost:12345/dolphinscheduler/actuator/health",
    )
    assert done.returncode == 1
    assert done.stderr == 'error: unable to upgrade connection: container not found ("main")\n'


def test_spdy_only_kubectl_gets_a_clear_refusal(box: Kubectl, tmp_path: Path) -> None:
    binary = KUBECTL_MINOR_DIR / "kubectl.1.27"
    if not binary.exists():
        pytest.skip(f"{binary} is not installed")
    done = box("exec", "minio-0", "--", "hostname", binary=str(binary))
    assert done.returncode == 1
    assert (
        "(BadRequest): the sandbox serves exec over WebSocket" in done.stderr
        and "1.30 or newer" in done.stderr
    )


def test_python_client_exec_over_websocket_v4(box: Kubectl, tmp_path: Path) -> None:
    from kubernetes import client, config
    from kubernetes.stream import stream

    api = config.new_client_from_config(config_file=str(box.kubeconfig))
    try:
        core = client.CoreV1Api(api)
        out = stream(
            core.connect_get_namespaced_pod_exec,
            "minio-0",
            DP,
            command=["echo", "hi"],
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
        )
        assert out == "hi\n"
        failing = stream(
            core.connect_get_namespaced_pod_exec,
            "minio-0",
            DP,
            command=["false"],
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
            _preload_content=False,
        )
        failing.run_forever(timeout=5)
        assert failing.returncode == 1
    finally:
        api.close()
