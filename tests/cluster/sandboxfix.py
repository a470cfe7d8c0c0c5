"""Sandbox fixtures: a real API server on 127.0.0.1 with the seed's 254Carbon world."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit.cluster.hub import ClusterHub
from cockpit.sandbox import Sandbox


def start_sandbox(tmp: Path, port: int = 0) -> tuple[Sandbox, Path]:
    box = Sandbox(port=port, seed=0).start()
    kubeconfig = box.write_kubeconfig(tmp / "kubeconfig", context_name="cockpit-sandbox")
    return box, kubeconfig


def hub_for(kubeconfig: Path, **informer_options: Any) -> ClusterHub:
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={}, informer_options=informer_options or None)
    assert hub.connected, hub.problem
    return hub


def kubectl(kubeconfig: Path, *args: str) -> str:
    """Run the real kubectl against the sandbox, as an inline command would."""
    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    out = subprocess.run(
        ["kubectl", "--cache-dir", str(kubeconfig.parent / "kube-cache"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def eventually(predicate: Callable[[], bool], timeout: float = 20.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    assert predicate()
