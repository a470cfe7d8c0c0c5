"""The core layers never import Textual (DESIGN.md: layers point downwards only)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["cockpit.plan", "cockpit.session", "cockpit.runner", "cockpit.cluster", "cockpit.sandbox"]


@pytest.mark.parametrize("package", CORE)
def test_core_layer_does_not_import_textual(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{package} pulls in Textual: {out.stdout.strip()}"


def test_bundled_plan_is_the_seed_unchanged() -> None:
    from cockpit.paths import bundled_plan

    from .conftest import SEED_PLAN

    assert bundled_plan().read_bytes() == SEED_PLAN.read_bytes()


def test_starting_without_a_cluster_loads_no_kubernetes_client_or_httpx(tmp_path: object) -> None:
    """The kubernetes client (with pydantic, urllib3, oauthlib) loads only once a kubeconfig is used,
    httpx only when a request is made: ui.app -> task_checks -> cluster.checks -> ... -> kubeapi,
    explain, the TLS probe, the hub and the panes (the platform monitor's clients too) must not pull
    them in at start (issue 10: ~0.35 s of every start for the client, as much again for httpx)."""
    code = (
        "import sys\n"
        "import cockpit.ui.launch, cockpit.ui.app, cockpit.ui.task_checks, cockpit.cluster.checks\n"
        "import cockpit.cluster.explain, cockpit.cluster.tlsprobe, cockpit.cluster.informer\n"
        "import cockpit.ui.panes, cockpit.cluster.platform, cockpit.cluster.loki\n"
        "from cockpit.cluster.hub import ClusterHub\n"
        "hub = ClusterHub.connect(kubeconfig=None, env={'HOME': '/nonexistent'})\n"
        "assert not hub.connected\n"
        "heavy = ('kubernetes', 'httpx', 'pydantic', 'oauthlib', 'cryptography')\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in heavy and '.' not in n)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"loaded at start: {out.stdout.strip()}"
