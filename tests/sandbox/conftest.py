"""Sandbox fixtures: a populated sandbox per module (read-only tests) or per test (mutating
tests), and a `kubectl` runner that uses the real kubectl on this machine."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cockpit.sandbox.server import Sandbox

from .minicluster import make_sandbox

KUBECTL_MINOR_DIR = Path("/usr/lib/google-cloud-sdk/bin")


@dataclass
class Kubectl:
    box: Sandbox
    kubeconfig: Path
    cache_dir: Path
    binary: str = "kubectl"

    def __call__(
        self, *args: str, timeout: float = 30, binary: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        cmd = [
            binary or self.binary,
            "--kubeconfig",
            str(self.kubeconfig),
            "--cache-dir",
            str(self.cache_dir),
            *args,
        ]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        cmd = [self.binary, "--kubeconfig", str(self.kubeconfig), "--cache-dir", str(self.cache_dir), *args]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def ok(self, *args: str, timeout: float = 30) -> str:
        done = self(*args, timeout=timeout)
        assert done.returncode == 0, f"kubectl {' '.join(args)} failed: {done.stderr}"
        return done.stdout


def kubectl_path() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl is not on PATH: the sandbox's kubectl tests need the real client")
    return path


def _kubectl_for(box: Sandbox, directory: Path) -> Kubectl:
    kubeconfig = box.write_kubeconfig(directory / "kubeconfig", namespace="data-platform")
    return Kubectl(box, kubeconfig, directory / "cache", kubectl_path())


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kubectl]:
    """One populated sandbox for a module's read-only tests."""
    box = make_sandbox().start()
    try:
        yield _kubectl_for(box, tmp_path_factory.mktemp("sandbox"))
    finally:
        box.stop()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Kubectl]:
    """A populated sandbox of its own, for a test that changes the cluster."""
    box = make_sandbox(bookmark_interval=0.3).start()
    try:
        yield _kubectl_for(box, tmp_path)
    finally:
        box.stop()
